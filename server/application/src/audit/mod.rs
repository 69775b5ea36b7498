//! Keeping the audit trail honest beyond its own table: the chain's head written outside the
//! database at intervals ([`heads`]), so removing the last events is seen; and the records the
//! trail vouches for (scores, certification records) checked against it ([`records`]). The
//! chain itself is `store::audit`. The evidence log will anchor the heads in the archive too.
pub mod heads;
pub mod records;

use exam_protocol::AuditVerifyReport;

use exam_records::{Db, StoreResult, audit};

/// The whole check: the chain, the heads recorded in `data_dir` and in the evidence log, and
/// the records it covers.
pub async fn verify(db: &Db, data_dir: &std::path::Path) -> StoreResult<AuditVerifyReport> {
    let mut report = audit::verify(db).await?;
    if !report.ok {
        return Ok(report);
    }
    for recorded in [heads::last(data_dir), heads::last_logged(db).await?] {
        if let Some(reason) = heads::check(db, recorded.as_ref()).await? {
            report.ok = false;
            report.first_broken_seq = Some(report.events_checked + 1);
            report.reason = Some(reason);
            return Ok(report);
        }
    }
    if let Some(reason) = records::check(db).await? {
        report.ok = false;
        report.reason = Some(reason);
    }
    Ok(report)
}

/// One page of the audit trail, after event `after` (for oversight).
pub async fn events(db: &Db, after: i64, limit: i64) -> StoreResult<Vec<exam_protocol::AuditEvent>> {
    audit::list(db, after, limit).await
}

/// What the audit trail's reader filters by; `action` ending in `.` means every action of
/// that kind (`paper.` is every paper event).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub after: i64,
    pub limit: i64,
    pub action: Option<String>,
    pub target: Option<String>,
}

/// A page of the audit trail for oversight (regulators, supervisors, operators), filtered.
pub async fn search(app: &crate::App, actor: &crate::Actor, filter: &Filter) -> Result<Vec<exam_protocol::AuditEvent>, crate::AppError> {
    use exam_protocol::Role;
    if !matches!(actor.role(), Role::Regulator | Role::Supervisor | Role::Operator) {
        return Err(crate::AppError::Forbidden);
    }
    if !(1..=1000).contains(&filter.limit) || filter.after < 0 {
        return Err(crate::AppError::Validation("invalid_query"));
    }
    Ok(audit::search(&app.db, filter.after, filter.limit, filter.action.as_deref(), filter.target.as_deref()).await?)
}

/// The actions a reader filters by, with their names in both languages; a group ends in `.`.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("auth.", "登录与退出", "Sign-in and sign-out"),
    ("account.create", "创建账号", "Account created"),
    ("institution.", "评价机构", "Institutions"),
    ("bank.", "题库管理", "Question banks"),
    ("item.", "试题编审", "Items"),
    ("session.", "考试场次（创建、修改、取消）", "Sessions (created, changed, cancelled)"),
    ("candidate.", "监考提醒与人证核验", "Warnings and identity checks"),
    ("paper.", "考生答卷", "Papers"),
    ("room.note", "考场记录", "Room notes"),
    ("media.watch", "查看监考画面", "Video watched"),
    ("marking.", "阅卷", "Marking"),
    ("certification.score", "认定成绩", "Certification scores"),
];

/// An action's name for the reader: its own name where listed, its group's, else the code.
pub fn action_name(action: &str, lang: crate::lang::Lang) -> String {
    const NAMES: &[(&str, &str, &str)] = &[
        ("auth.login", "登录", "Signed in"),
        ("auth.login_failed", "登录失败", "Sign-in failed"),
        ("auth.logout", "退出登录", "Signed out"),
        ("institution.create", "备案评价机构", "Institution filed"),
        ("institution.inspector", "指派督导员", "Inspector assigned"),
        ("bank.create", "创建题库", "Bank created"),
        ("bank.import", "导入试题", "Items imported"),
        ("bank.export", "导出题库", "Bank exported"),
        ("bank.outline", "修改细目表", "Outline changed"),
        ("bank.blueprint", "修改组卷方案", "Blueprint changed"),
        ("item.create", "新建试题", "Item written"),
        ("item.approve", "审核通过", "Item approved"),
        ("item.reject", "退回修改", "Item sent back"),
        ("paper.start", "开始答题", "Paper started"),
        ("paper.hand_in", "交卷", "Handed in"),
        ("paper.pause", "暂停考试", "Paused"),
        ("paper.resume", "恢复考试", "Resumed"),
        ("paper.extra_time", "延长时间", "Extra time"),
        ("paper.terminate", "终止考试", "Terminated"),
        ("paper.approve_device", "批准更换设备", "Device change approved"),
        ("paper.marked", "阅卷完成", "Marked"),
        ("session.create", "创建考试场次", "Session created"),
        ("session.edit", "修改考试场次", "Session changed"),
        ("session.cancel", "取消考试场次", "Session cancelled"),
        ("archive.", "存档材料", "Archive"),
        ("archive.store", "存档材料入库", "File archived"),
        ("archive.hold", "设置法律保全", "Legal hold placed"),
        ("archive.release", "解除法律保全", "Legal hold lifted"),
        ("archive.purge", "到期删除存档", "Archive purged past retention"),
        ("batch.rename", "批次重命名", "Batch renamed"),
        ("candidate.roster_photo", "上传考生照片", "Candidate photo uploaded"),
        ("session.reschedule", "调整考试场次时间或人员", "Session rescheduled or restaffed"),
        ("candidate.warn", "监考提醒", "Warned"),
        ("candidate.identity", "人证核验", "Identity checked"),
        ("item.submit", "提交审核", "Submitted for review"),
        ("item.revise", "修改试题（新版本）", "New version"),
        ("item.retire", "停用试题", "Item retired"),
        ("item.image", "上传试题图片", "Image added"),
        ("marking.mark", "阅卷评分", "Marked an answer"),
        ("bank.add_member", "添加题库成员", "Bank member added"),
        ("auth.sign_in_cleared", "解除登录限制", "Sign-in limit cleared"),
        ("auth.slowed_down", "登录被放慢", "Sign-in slowed"),
        ("account.create", "创建账号", "Account created"),
        ("account.disable", "停用账号", "Account disabled"),
        ("account.password_reset", "重置密码", "Password reset"),
        ("demo.accounts_disabled", "停用演示账号", "Demo accounts disabled"),
    ];
    if let Some((_, zh, en)) = NAMES.iter().chain(ACTIONS.iter()).find(|(a, _, _)| *a == action) {
        return format!("{} ({action})", lang.pick(zh, en));
    }
    action.to_string()
}
