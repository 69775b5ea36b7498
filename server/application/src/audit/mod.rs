//! Keeping the audit trail honest beyond its own table: the chain's head written outside the
//! database at intervals ([`heads`]), so removing the last events is seen; and the records the
//! trail vouches for (scores, certification records) checked against it ([`records`]). The
//! chain itself is `store::audit`. The evidence log will anchor the heads in the archive too.
pub mod heads;
pub mod records;

use exam_protocol::AuditVerifyReport;

use exam_records::{Db, StoreResult, audit};

/// The whole check: the chain, the heads recorded in `data_dir`, and the records it covers.
pub async fn verify(db: &Db, data_dir: &std::path::Path) -> StoreResult<AuditVerifyReport> {
    let mut report = audit::verify(db).await?;
    if !report.ok {
        return Ok(report);
    }
    let recorded = heads::last(data_dir);
    if let Some(reason) = heads::check(db, recorded.as_ref()).await? {
        report.ok = false;
        report.first_broken_seq = Some(report.events_checked + 1);
        report.reason = Some(reason);
        return Ok(report);
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
