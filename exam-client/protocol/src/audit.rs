//! The audit trail as clients see it.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub hash: String,
}

/// Result of recomputing the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerifyReport {
    pub events_checked: i64,
    pub ok: bool,
    /// Sequence number of the first event whose link does not hold.
    pub first_broken_seq: Option<i64>,
    pub reason: Option<String>,
}
