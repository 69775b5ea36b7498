//! Evaluation institutions (评价机构).
use serde::{Deserialize, Serialize};

/// The three kinds of institution the notice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    /// 用人单位: evaluates its own staff.
    Enterprise,
    /// 院校: evaluates its own students.
    College,
    /// 社会培训评价组织: evaluates the public.
    SocialOrganisation,
}

impl InstitutionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionKind::Enterprise => "enterprise",
            InstitutionKind::College => "college",
            InstitutionKind::SocialOrganisation => "social_organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Enterprise, Self::College, Self::SocialOrganisation].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub id: i64,
    /// Filing number: the first 13 characters of every certificate number it issues.
    pub filing_number: String,
    pub name: String,
    pub kind: InstitutionKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInstitution {
    pub filing_number: String,
    pub name: String,
    pub kind: InstitutionKind,
}
