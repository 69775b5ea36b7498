//! The one error body every API error uses.
use serde::{Deserialize, Serialize};

/// `{ "error": "snake_case_code", "message": "..." }`; the code is stable, the message is
/// in the language the client asked for (Simplified Chinese by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}
