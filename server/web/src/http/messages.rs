//! The text shown for each error code, Simplified Chinese first.
use super::i18n::Lang;

pub fn message(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = known(code).unwrap_or(("服务器内部错误，请稍后再试。", "Internal error; please try again later."));
    lang.pick(zh, en)
}

/// The (Chinese, English) text of a code the server gives; None for a code nobody wrote one for.
pub fn known(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "malformed_json" => ("请求内容不是有效的 JSON。", "The request body is not valid JSON."),
        "invalid_field" => ("请求字段有误：类型不对、缺少必填字段或含有未知字段。", "A field is wrong: wrong type, missing or unknown."),
        "unsupported_media_type" => (
            "请求的内容类型不被接受：数据请以 JSON（application/json）提交，文件请以文件本身的类型或 application/octet-stream 上传。",
            "The body's content type is not accepted: send data as application/json and files as their own type or application/octet-stream.",
        ),
        "payload_too_large" => ("提交的内容超过大小限制。", "The request body is larger than allowed."),
        "unauthenticated" => ("请先登录。", "Please sign in."),
        "session_expired" => ("登录已过期，请重新登录。", "Your session has expired; please sign in again."),
        "invalid_credentials" => ("用户名或密码错误。", "Wrong username or password."),
        "sign_in_slowed" => (
            "密码错误次数过多，请稍候片刻再试；考生也可请监考人员解除限制。",
            "Too many wrong passwords: wait a moment and try again; candidates may ask the proctor to clear it.",
        ),
        "foreign_origin" => {
            ("请求来自其他网站，已被拒绝。请在本系统的页面中操作。", "The request came from another site and was refused. Use this system's own pages.")
        }
        "too_many_answers" => ("本试卷的作答次数已达上限，后续更改不再保存。", "This paper has reached its limit of answers; further changes are not saved."),
        "answers_in_flight" => ("答案提交过快，正在保存，请稍候重试。", "Answers are arriving faster than they are saved; they will be sent again shortly."),
        "too_many_events" => ("记录过于频繁，已暂停记录。", "Too many events in a short time; recording paused."),
        "too_many_commitments" => ("承诺书已签署。", "The commitment letter has already been accepted."),
        "extra_time_limit" => {
            ("延时已超过本场考试允许的总延时，或超出考试场次的结束时间。", "The extra time would exceed the allowed total or the session's end.")
        }
        "signed_out" => ("您已在其他设备登录或已退出，本页面的连接已关闭。", "You signed in elsewhere or signed out; this page's connection is closed."),
        "ticket_field_too_wide" => (
            "本机构本年度的考试场次或本场考生人数已超出准考证号的位数，请调整准考证号格式。",
            "This year's sessions of the institution, or this session's candidates, no longer fit the admission ticket's digits; widen the ticket layout.",
        ),
        "unknown_ticket_field" | "invalid_ticket_layout" | "missing_ticket_field" => ("准考证号格式设置有误。", "The admission ticket layout is not valid."),
        "invalid_institution_code" => ("机构代码应为 1 到 20 位字母或数字。", "The institution code is 1 to 20 letters or digits."),
        "file_too_large" => ("文件超过导入大小上限。", "The file is larger than an import accepts."),
        "sheet_too_large" => {
            ("表格的行数、列数或单元格数超过上限，请拆分后再导入。", "The sheet has more rows, columns or cells than allowed; split it and import again.")
        }
        "rate_limited" => ("尝试过于频繁，请稍后再试。", "Too many attempts; please wait a moment."),
        "forbidden" => ("您的角色无权执行此操作。", "Your role may not do this."),
        "not_found" => ("未找到该对象。", "Not found."),
        "method_not_allowed" => ("不支持该请求方法。", "This method is not allowed here."),
        "username_taken" => ("该用户名已被使用。", "That username is already taken."),
        "filing_number_taken" => ("该备案编号已存在。", "That filing number already exists."),
        "invalid_username" => ("用户名须为 3–64 位字母、数字、点、下划线或连字符。", "A username is 3–64 letters, digits, dots, underscores or hyphens."),
        "weak_password" => ("密码至少 8 位。", "A password needs at least 8 characters."),
        "invalid_display_name" => (
            "姓名不能为空，不超过 100 字，且不能含控制字符或改变文字方向的字符。",
            "A name must be 1–100 characters, with no control or direction-changing characters.",
        ),
        "institution_required" => ("该角色的账号必须属于一个评价机构。", "Accounts with this role must belong to an institution."),
        "institution_not_allowed" => ("该角色的账号不属于任何评价机构。", "Accounts with this role do not belong to an institution."),
        "role_not_assignable" => ("您不能创建该角色的账号。", "You may not create accounts with that role."),
        "invalid_filing_number" => {
            ("备案编号应为 1 位字母（Y 或 S）加 12 位数字，例如 Y000051001064。", "A filing number is one letter (Y or S) and 12 digits, e.g. Y000051001064.")
        }
        "invalid_name" => (
            "名称不能为空，不能含控制字符或改变文字方向的字符；批次和考场不超过 100 字，其他名称不超过 200 字。",
            "A name must not be empty or hold control or direction-changing characters; a batch or room is at most 100 characters, other names 200.",
        ),
        "invalid_query" => ("查询参数有误。", "A query parameter is wrong."),
        "conflict" => ("该记录已存在。", "That record already exists."),
        "invalid_occupation_code" => {
            ("职业编码应为国家职业分类代码，如 6-31-01-03。", "The occupation code is a national classification code such as 6-31-01-03.")
        }
        "invalid_levels" => ("等级应为 1 到 5，至少一个。", "Levels are 1 to 5, at least one."),
        "member_role_mismatch" => ("只能把命题人员设为命题成员、审题专家设为审题成员。", "Only authors can be added as authors and reviewers as reviewers."),
        "already_member" => ("该账号已是本题库成员。", "That account is already a member of this bank."),
        "invalid_item" => (
            "试题内容有误：答案须与题型和选项一致，题干不能为空，分值须大于 0。",
            "The item is invalid: the key must fit the type and options, the stem must not be empty, points above 0.",
        ),
        "invalid_item_transition" => ("试题当前状态不允许此操作。", "The item's status does not allow this."),
        "own_item_review" => ("不能审核自己编写的试题。", "You cannot review an item you wrote."),
        "comment_required" => ("退回试题时须填写审核意见。", "Rejecting an item needs a comment."),
        "blueprint_level_mismatch" => ("组卷方案的等级与地址中的等级不一致。", "The blueprint's level does not match the address."),
        "invalid_blueprint" => {
            ("组卷方案有误：须至少包含一道题，各项比例之和须为 100%。", "The blueprint is invalid: it needs at least one item and shares adding up to 100%.")
        }
        "unknown_format" => (
            "无法识别文件格式；支持 QTI、Moodle XML、GIFT、Aiken 和 XLSX 模板。",
            "The file format is not recognised; QTI, Moodle XML, GIFT, Aiken and the XLSX template are supported.",
        ),
        "malformed_file" => ("文件无法读取。", "The file cannot be read."),
        "unsafe_file" => ("文件因安全原因被拒绝。", "The file was refused as unsafe."),
        "too_many_items" => ("文件中的试题数量超过上限。", "The file holds more items than allowed."),
        "invalid_tag" => ("标签不能为空，也不能包含逗号。", "Tags must not be empty or contain commas."),
        "not_ready" => ("服务尚未就绪。", "The service is not ready."),
        "level_not_in_bank" => ("该题库没有这个等级的试题。", "The bank holds no items for that level."),
        "not_filed" => ("本机构未备案该职业（工种）和等级，不能组织考试。", "Your institution has not filed this occupation and level."),
        "invalid_duration" => ("考试时长不得少于 90 分钟。", "A theory test lasts at least 90 minutes."),
        "start_in_past" => ("开考时间须在现在之后。", "The start must be in the future."),
        "invalid_class" => (
            "材料类别无效：纸质材料扫描件为 paper，关键材料为 key_document。",
            "Unknown class: paper for scans of paper materials, key_document for key documents.",
        ),
        "unsupported_file_type" => (
            "文件类型不受支持：请上传 PDF、JPEG 或 PNG 文件（按文件内容判断，而非扩展名）。",
            "Unsupported file: upload a PDF, JPEG or PNG (judged by its content, not its name).",
        ),
        "font_unavailable" => {
            ("服务器缺少生成文书所需的中文字体，请联系运维人员。", "The server lacks the Chinese font the documents need; contact the operator.")
        }
        "permanent_document" => ("关键材料永久保存，其法律保全不能解除。", "Key documents are kept permanently; their legal hold cannot be lifted."),
        "invalid_late_entry" | "invalid_earliest_hand_in" => {
            ("入场截止或最早交卷时间不在考试时长之内。", "Late entry or earliest hand-in lies outside the test's duration.")
        }
        "invalid_capacity" => ("考场容量或合格线有误。", "Room capacity or pass mark is out of range."),
        "empty_roster" => ("考生名单为空。", "The roster is empty."),
        "room_over_capacity" => ("考生人数超过考场容量。", "More candidates than the room holds."),
        "not_a_proctor" => ("所选监考人员不是本机构的监考账号。", "A chosen proctor is not a proctor of your institution."),
        "too_few_proctors" => ("监考人员不足：每个考场至少 2 人，且每 15 名考生至少 1 人。", "Too few proctors: at least 2 per room and 1 per 15 candidates."),
        "no_blueprint" => ("该等级还没有组卷方案。", "There is no blueprint for that level yet."),
        "blueprint_infeasible" => ("组卷方案无法由已通过的试题满足，请先检查可行性。", "Approved items cannot fill the blueprint; check its feasibility."),
        "cannot_disable_self" => ("不能停用自己的账号。", "You cannot disable your own account."),
        "account_disabled" => ("该账号已停用。", "This account is disabled."),
        "no_photo" => {
            ("考生还没有拍摄本人照片，暂不能进行人证核验。", "The candidate has not taken their photo yet; the identity check has nothing to compare.")
        }
        "photo_required" => {
            ("请先在设备检测中拍摄本人照片，供监考人员人证核验。", "Take your photo at the device check first, for the proctor's identity check.")
        }
        "photo_after_start" => ("开始答题后不能再更换照片。", "The photo cannot be replaced once the test has started."),
        "bad_request" => ("请求的地址或参数无效。", "The address or one of its parameters is not valid."),
        "too_many_photos" => ("拍照次数已达上限，请联系监考人员。", "You have taken as many photos as allowed; contact the proctor."),
        "invalid_photo" => ("照片格式无法识别，请重新拍摄。", "The photo's format is not recognised; take it again."),
        "session_cancelled" => ("该考试场次已取消。", "This exam session has been cancelled."),
        "session_already_started" => {
            ("考试已开始或已有考生开始答题，不能取消该场次。", "The session has started or a candidate has a paper; it cannot be cancelled.")
        }
        "invalid_image" => (
            "图片无法识别：请上传 PNG、JPEG、GIF 或 WebP 图片，文件名只用字母、数字、点、下划线和连字符。",
            "The image is not recognised: upload PNG, JPEG, GIF or WebP, named with letters, digits, dots, underscores and hyphens.",
        ),
        "too_many_images" => ("一道试题最多 20 张图片。", "An item carries at most 20 images."),
        "unknown_outline_point" => {
            ("鉴定点代码不在本题库的鉴定要素细目表中，请从细目表中选择。", "The assessment point is not in this bank's outline; pick one from the outline.")
        }
        "roster_invalid_name" => {
            ("姓名含有控制字符、改变文字方向的字符，或没有可见文字。", "The name holds control or direction-changing characters, or nothing visible.")
        }
        "roster_unclosed_quote" => {
            ("CSV 文件中有未闭合的引号，请检查后重新保存。", "A quote in the CSV file is never closed; check the file and save it again.")
        }
        "roster_missing_name" => ("缺少姓名。", "The name is missing."),
        "roster_name_too_long" => ("姓名超过 50 个字。", "The name is longer than 50 characters."),
        "roster_missing_id_number" => ("缺少证件号码。", "The document number is missing."),
        "roster_unknown_id_kind" => (
            "证件类型无法识别，请填写：居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证或外国人永久居留身份证。",
            "Unknown document kind: use 居民身份证, 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证 or 外国人永久居留身份证.",
        ),
        "roster_duplicate_id" => ("证件号码与前面的行重复。", "The document number repeats an earlier row."),
        "roster_not_utf8" => (
            "CSV 文件不是 UTF-8 编码。请在 Excel 中另存为“CSV UTF-8”，或直接上传 XLSX 文件。",
            "The CSV file is not UTF-8. Save it as \"CSV UTF-8\" or upload the XLSX file.",
        ),
        "roster_missing_column" => ("名单表头缺少必需的列", "The roster's header row lacks a required column"),
        "roster_empty" => ("名单中没有考生。", "The roster holds no candidates."),
        "invalid_id_format" => ("证件号码格式有误。", "The ID number is not in a valid format."),
        "invalid_id_checksum" => ("身份证号码校验位不正确。", "The resident ID number's check digit is wrong."),
        "invalid_birth_date" => ("身份证号码中的出生日期无效。", "The birth date in the ID number is not valid."),
        "duplicate_candidate" => ("名单中有重复的考生。", "A candidate appears twice in the roster."),
        "candidate_overlap" => ("该考生已报名时间重叠的其他场次。", "That candidate is already in an overlapping session."),
        "ticket_taken" => ("准考证号已被使用。", "That admission ticket number is already used."),
        "session_not_open" => ("考试尚未开始，请稍候。", "The session has not opened yet."),
        "entry_closed" => ("已超过入场截止时间，不能再进入考试。", "Entry closed at the late-entry cut-off."),
        "time_over" => ("考试时间已到，答案未保存。", "Time is over; the answer was not saved."),
        "hand_in_too_early" => ("未到允许交卷的时间。", "It is too early to hand in."),
        "paper_paused" => ("考试已被监考人员暂停，请等待。", "The test is paused by the proctor; please wait."),
        "paper_ended" => ("本场考试已交卷或已结束。", "This test has been handed in or has ended."),
        "commitment_required" => ("请先阅读并接受考试承诺书。", "Please read and accept the commitment letter first."),
        "invalid_sequence" => ("答案序号无效。", "The answer's sequence number is not valid."),
        "no_such_question" => ("试卷上没有这道题。", "There is no such question on this paper."),
        "wrong_response_shape" => ("答案的形式与题型不符。", "The answer does not fit the item type."),
        "unknown_choice" => ("所选选项不存在。", "That option does not exist."),
        "too_many_choices" => ("单选题只能选择一个选项。", "A single-choice item takes one option."),
        "duplicate_choice" => ("同一选项重复提交。", "An option was sent twice."),
        "wrong_blank_count" => ("填空数量与题目不符。", "The number of blanks does not match the item."),
        "response_too_long" => ("作答内容过长。", "The answer is too long."),
        "invalid_character" => ("作答中含有无效字符。", "The answer contains an invalid character."),
        "reason_required" => ("请填写原因（不超过 500 字）。", "Give a reason (up to 500 characters)."),
        "invalid_finding" => {
            ("请写明所见情况（不超过 2000 字），时刻须在考试期间。", "Describe what was seen (up to 2,000 characters), at a moment of the exam.")
        }
        "invalid_extra_time" => ("延时应为 1 到 120 分钟。", "Extra time is 1 to 120 minutes."),
        "not_started" => ("该考生尚未开始答题。", "That candidate has not started."),
        "malformed_message" => ("消息格式有误。", "The message is malformed."),
        "device_approval_required" => (
            "检测到更换了答题设备，已通知监考人员；批准后请重新登录继续考试。",
            "This is a different device; the proctor has been asked. Sign in again once it is approved.",
        ),
        "device_required" => ("本场考试需要识别答题设备，请使用考试页面登录。", "This session needs to know the device; sign in from the exam page."),
        "no_device_change" => ("该考生没有待批准的设备更换。", "That candidate has no device change waiting."),
        "not_a_marker" => ("阅卷人必须是本机构的考评员账号。", "Markers must be examiner (proctor) accounts of this institution."),
        "too_few_markers" => ("主观题需要至少 2 名阅卷人（双评）。", "Short answers need at least 2 markers (double marking)."),
        "invalid_marking_threshold" => ("评分误差阈值应为 0 到 100（百分比）。", "The marking threshold is 0 to 100 (percent)."),
        "invalid_points" => ("给分不能为负，也不能超过该题分值。", "Points must be between 0 and the question's points."),
        "already_marked" => ("您已评过这道答案。", "You have already marked this answer."),
        "marking_settled" => ("这道答案的评分已完成。", "This answer's marking is already settled."),
        "not_a_supervisor" => ("只能指派督导人员账号。", "Only supervisor accounts can be assigned."),
        "media_required" => (
            "请先开启摄像头、麦克风并共享屏幕，监考画面连通后才能开始答题。",
            "Turn on the camera and microphone and share the screen; the test starts once the proctor receives them.",
        ),
        "bad_offer" => ("音视频连接请求无效，请刷新页面重试。", "The media connection request is not valid; reload the page and try again."),
        "media_unavailable" => ("音视频服务暂时不可用，请稍后重试。", "The media service is unavailable; try again shortly."),
        "not_publishing" => ("该考生当前没有音视频画面。", "That candidate is not streaming now."),
        "no_tracks" => ("请选择要观看的画面。", "Choose which streams to watch."),
        "text_required" => ("请填写内容（不超过 500 字）。", "Write the text (up to 500 characters)."),
        "comment_too_long" => ("评语不超过 1000 字。", "The comment is limited to 1000 characters."),
        "internal_error" => ("服务器内部错误，请稍后再试。", "Internal error; please try again later."),
        _ => return None,
    })
}
