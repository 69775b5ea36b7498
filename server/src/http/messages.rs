//! The text shown for each error code, Simplified Chinese first.
use super::i18n::Lang;

pub fn message(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        "malformed_json" => ("请求内容不是有效的 JSON。", "The request body is not valid JSON."),
        "invalid_field" => (
            "请求字段有误：类型不对、缺少必填字段或含有未知字段。",
            "A field is wrong: wrong type, missing or unknown.",
        ),
        "unsupported_media_type" => ("请以 JSON（application/json）提交。", "Send the body as application/json."),
        "payload_too_large" => ("提交的内容超过大小限制。", "The request body is larger than allowed."),
        "unauthenticated" => ("请先登录。", "Please sign in."),
        "session_expired" => ("登录已过期，请重新登录。", "Your session has expired; please sign in again."),
        "invalid_credentials" => ("用户名或密码错误。", "Wrong username or password."),
        "account_locked" => (
            "密码错误次数过多，账号已暂时锁定，请稍后再试或联系管理员。",
            "Too many wrong passwords: the account is locked for a while. Try later or ask an administrator.",
        ),
        "rate_limited" => ("尝试过于频繁，请稍后再试。", "Too many attempts; please wait a moment."),
        "forbidden" => ("您的角色无权执行此操作。", "Your role may not do this."),
        "not_found" => ("未找到该对象。", "Not found."),
        "method_not_allowed" => ("不支持该请求方法。", "This method is not allowed here."),
        "username_taken" => ("该用户名已被使用。", "That username is already taken."),
        "filing_number_taken" => ("该备案编号已存在。", "That filing number already exists."),
        "invalid_username" => (
            "用户名须为 3–64 位字母、数字、点、下划线或连字符。",
            "A username is 3–64 letters, digits, dots, underscores or hyphens.",
        ),
        "weak_password" => ("密码至少 8 位。", "A password needs at least 8 characters."),
        "invalid_display_name" => ("姓名不能为空且不超过 100 字。", "A name must be 1–100 characters."),
        "institution_required" => (
            "该角色的账号必须属于一个评价机构。",
            "Accounts with this role must belong to an institution.",
        ),
        "institution_not_allowed" => (
            "该角色的账号不属于任何评价机构。",
            "Accounts with this role do not belong to an institution.",
        ),
        "role_not_assignable" => ("您不能创建该角色的账号。", "You may not create accounts with that role."),
        "invalid_filing_number" => (
            "备案编号应为 1 位字母（Y 或 S）加 12 位数字，例如 Y000051001064。",
            "A filing number is one letter (Y or S) and 12 digits, e.g. Y000051001064.",
        ),
        "invalid_name" => ("名称不能为空且不超过 200 字。", "A name must be 1–200 characters."),
        "invalid_query" => ("查询参数有误。", "A query parameter is wrong."),
        "conflict" => ("该记录已存在。", "That record already exists."),
        "invalid_occupation_code" => (
            "职业编码应为国家职业分类代码，如 6-31-01-03。",
            "The occupation code is a national classification code such as 6-31-01-03.",
        ),
        "invalid_levels" => ("等级应为 1 到 5，至少一个。", "Levels are 1 to 5, at least one."),
        "member_role_mismatch" => (
            "只能把命题人员设为命题成员、审题专家设为审题成员。",
            "Only authors can be added as authors and reviewers as reviewers.",
        ),
        "already_member" => ("该账号已是本题库成员。", "That account is already a member of this bank."),
        "invalid_item" => (
            "试题内容有误：答案须与题型和选项一致，题干不能为空，分值须大于 0。",
            "The item is invalid: the key must fit the type and options, the stem must not be empty, points above 0.",
        ),
        "invalid_item_transition" => ("试题当前状态不允许此操作。", "The item's status does not allow this."),
        "own_item_review" => ("不能审核自己编写的试题。", "You cannot review an item you wrote."),
        "comment_required" => ("退回试题时须填写审核意见。", "Rejecting an item needs a comment."),
        "blueprint_level_mismatch" => ("组卷方案的等级与地址中的等级不一致。", "The blueprint's level does not match the address."),
        "invalid_blueprint" => (
            "组卷方案有误：须至少包含一道题，各项比例之和须为 100%。",
            "The blueprint is invalid: it needs at least one item and shares adding up to 100%.",
        ),
        "unknown_format" => (
            "无法识别文件格式；支持 QTI、Moodle XML、GIFT、Aiken 和 XLSX 模板。",
            "The file format is not recognised; QTI, Moodle XML, GIFT, Aiken and the XLSX template are supported.",
        ),
        "malformed_file" => ("文件无法读取。", "The file cannot be read."),
        "unsafe_file" => ("文件因安全原因被拒绝。", "The file was refused as unsafe."),
        "too_many_items" => ("文件中的试题数量超过上限。", "The file holds more items than allowed."),
        "invalid_tag" => ("标签不能为空，也不能包含逗号。", "Tags must not be empty or contain commas."),
        "not_ready" => ("服务尚未就绪。", "The service is not ready."),
        _ => ("服务器内部错误，请稍后再试。", "Internal error; please try again later."),
    };
    lang.pick(zh, en)
}
