//! Admission ticket numbers (准考证号) from an institution's layout, such as the default
//! `{year}{institution}{session:3}{seq:4}`: year 2024, institution `001064`, session 1 and
//! candidate 7 give `20240010640010007`. Numbers are zero-padded, never truncated: one that does
//! not fit its width is an error, since a cut number could repeat another candidate's.
use serde::{Deserialize, Serialize};

pub const DEFAULT_PATTERN: &str = "{year}{institution}{session:3}{seq:4}";
/// u32 has at most 10 digits.
const MAX_WIDTH: usize = 10;
/// Institution codes are short digit or letter strings (e.g. the end of a filing number).
const MAX_INSTITUTION_LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLayout {
    pub pattern: String,
}

impl Default for TicketLayout {
    fn default() -> Self {
        TicketLayout { pattern: DEFAULT_PATTERN.to_string() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("the ticket layout has an unknown field {{{0}}}")]
    UnknownField(String),
    #[error("the ticket layout is malformed: {0}")]
    BadPattern(&'static str),
    /// Without it two candidates would get the same ticket number.
    #[error("the ticket layout needs a {{{0}}} field")]
    MissingField(&'static str),
    #[error("{field} {value} does not fit in {width} digits")]
    TooWide { field: &'static str, value: i64, width: usize },
    #[error("the institution code must be 1 to 20 ASCII letters or digits")]
    InvalidInstitution,
}

impl TicketError {
    /// Stable, for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            TicketError::UnknownField(_) => "unknown_ticket_field",
            TicketError::BadPattern(_) => "invalid_ticket_layout",
            TicketError::MissingField(_) => "missing_ticket_field",
            TicketError::TooWide { .. } => "ticket_field_too_wide",
            TicketError::InvalidInstitution => "invalid_institution_code",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part<'a> {
    Text(&'a str),
    Year,
    Institution,
    /// Zero-padded to the width when given.
    Session(Option<usize>),
    Seq(Option<usize>),
}

impl TicketLayout {
    /// Checks the pattern alone, for the screen where an administrator edits it.
    pub fn validate(&self) -> Result<(), TicketError> {
        parse(&self.pattern).map(|_| ())
    }

    pub fn render(&self, year: i32, institution: &str, session: u32, seq: u32) -> Result<String, TicketError> {
        let parts = parse(&self.pattern)?;
        if institution.is_empty() || institution.len() > MAX_INSTITUTION_LEN || !institution.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TicketError::InvalidInstitution);
        }
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Year => out.push_str(&padded("year", i64::from(year), Some(4))?),
                Part::Institution => out.push_str(institution),
                Part::Session(w) => out.push_str(&padded("session", i64::from(session), w)?),
                Part::Seq(w) => out.push_str(&padded("seq", i64::from(seq), w)?),
            }
        }
        Ok(out)
    }
}

/// `value` zero-padded to `width`; an error if it needs more digits or is negative.
fn padded(field: &'static str, value: i64, width: Option<usize>) -> Result<String, TicketError> {
    let digits = value.to_string();
    match width {
        _ if value < 0 => Err(TicketError::TooWide { field, value, width: width.unwrap_or(0) }),
        Some(width) if digits.len() > width => Err(TicketError::TooWide { field, value, width }),
        Some(width) => Ok(format!("{value:0width$}")),
        None => Ok(digits),
    }
}

fn parse(pattern: &str) -> Result<Vec<Part<'_>>, TicketError> {
    let mut parts = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            parts.push(text(rest)?);
            break;
        };
        let (before, after) = rest.split_at(open);
        if !before.is_empty() {
            parts.push(text(before)?);
        }
        let inner_and_rest = after.get(1..).unwrap_or("");
        let close = inner_and_rest.find('}').ok_or(TicketError::BadPattern("a '{' is not closed"))?;
        let (inner, tail) = inner_and_rest.split_at(close);
        parts.push(field(inner)?);
        rest = tail.get(1..).unwrap_or("");
    }
    for (name, present) in [("session", parts.iter().any(|p| matches!(p, Part::Session(_)))), ("seq", parts.iter().any(|p| matches!(p, Part::Seq(_))))] {
        if !present {
            return Err(TicketError::MissingField(name));
        }
    }
    Ok(parts)
}

fn text(t: &str) -> Result<Part<'_>, TicketError> {
    if t.contains('}') {
        return Err(TicketError::BadPattern("a '}' has no '{'"));
    }
    Ok(Part::Text(t))
}

fn field(inner: &str) -> Result<Part<'_>, TicketError> {
    if inner.contains('{') {
        return Err(TicketError::BadPattern("a '{' is not closed"));
    }
    let (name, width) = match inner.split_once(':') {
        Some((name, w)) => {
            let w: usize = w.bytes().all(|b| b.is_ascii_digit()).then(|| w.parse().ok()).flatten().ok_or(TicketError::BadPattern("a width is not a number"))?;
            if !(1..=MAX_WIDTH).contains(&w) {
                return Err(TicketError::BadPattern("a width must be 1 to 10"));
            }
            (name, Some(w))
        }
        None => (inner, None),
    };
    match (name, width) {
        ("year", None) => Ok(Part::Year),
        ("institution", None) => Ok(Part::Institution),
        ("year" | "institution", Some(_)) => Err(TicketError::BadPattern("only session and seq take a width")),
        ("session", w) => Ok(Part::Session(w)),
        ("seq", w) => Ok(Part::Seq(w)),
        _ => Err(TicketError::UnknownField(name.chars().take(40).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_layout_pads_every_number() {
        let layout = TicketLayout::default();
        assert_eq!(layout.render(2024, "001064", 1, 7), Ok("20240010640010007".into()));
        assert_eq!(layout.render(2024, "001064", 999, 9999), Ok("20240010649999999".into()));
        assert_eq!(layout.validate(), Ok(()));
    }

    #[test]
    fn literal_text_and_unpadded_fields() {
        let layout = TicketLayout { pattern: "ZK-{year}-{session}-{seq:2}".into() };
        assert_eq!(layout.render(2025, "A1", 12, 3), Ok("ZK-2025-12-03".into()));
        let twice = TicketLayout { pattern: "{seq:3}{session:2}{seq:3}".into() };
        assert_eq!(twice.render(2025, "A1", 4, 5), Ok("00504005".into()));
    }

    #[test]
    fn numbers_that_do_not_fit_are_refused_not_cut() {
        let layout = TicketLayout::default();
        let e = layout.render(2024, "001064", 1000, 1).expect_err("too wide");
        assert_eq!(e, TicketError::TooWide { field: "session", value: 1000, width: 3 });
        assert_eq!(e.code(), "ticket_field_too_wide");
        assert_eq!(layout.render(2024, "001064", 1, 10_000).map_err(|e| e.code()), Err("ticket_field_too_wide"));
        assert_eq!(layout.render(12_024, "001064", 1, 1).map_err(|e| e.code()), Err("ticket_field_too_wide"));
        assert_eq!(layout.render(-1, "001064", 1, 1).map_err(|e| e.code()), Err("ticket_field_too_wide"));
        let wide = TicketLayout { pattern: "{session:10}{seq:10}".into() };
        assert_eq!(wide.render(2024, "x", u32::MAX, 0), Ok("42949672950000000000".into()));
    }

    #[test]
    fn bad_layouts_and_institution_codes_are_named() {
        let code = |p: &str| TicketLayout { pattern: p.into() }.render(2024, "001064", 1, 1).map_err(|e| e.code());
        assert_eq!(code("{year}{room}{session}{seq}"), Err("unknown_ticket_field"));
        assert_eq!(code("{year}{session:3}{seq:4"), Err("invalid_ticket_layout"));
        assert_eq!(code("{year}}{session}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{session:0}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{session:11}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{session:x}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{session:+3}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{year:2}{session}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{{session}{seq}"), Err("invalid_ticket_layout"));
        assert_eq!(code("{year}{institution}{seq:4}"), Err("missing_ticket_field"));
        assert_eq!(code("{year}{session:3}"), Err("missing_ticket_field"));
        assert_eq!(code(""), Err("missing_ticket_field"));
        let layout = TicketLayout::default();
        for bad in ["", "00-1064", "机构01", "123456789012345678901"] {
            assert_eq!(layout.render(2024, bad, 1, 1), Err(TicketError::InvalidInstitution), "{bad}");
        }
        assert!(TicketError::UnknownField("room".into()).to_string().contains("{room}"));
    }
}
