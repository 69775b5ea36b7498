//! Identity documents (证件) candidates apply and sign in with, checked on entry and masked in
//! every log and display; and admission ticket numbers (准考证号), in [`ticket`].
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;
pub mod ticket;

pub use ticket::{TicketError, TicketLayout};

/// A calendar date as (year, month, day); time comes in as an argument.
pub type Date = (i32, u32, u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证
    ResidentId,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HongKongMacauPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignPermanentResident,
}

impl IdKind {
    pub const ALL: [IdKind; 5] = [IdKind::ResidentId, IdKind::Passport, IdKind::HongKongMacauPermit, IdKind::TaiwanPermit, IdKind::ForeignPermanentResident];

    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::ResidentId => "resident_id",
            IdKind::Passport => "passport",
            IdKind::HongKongMacauPermit => "hong_kong_macau_permit",
            IdKind::TaiwanPermit => "taiwan_permit",
            IdKind::ForeignPermanentResident => "foreign_permanent_resident",
        }
    }

    pub fn parse(s: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name printed on certificates and forms.
    pub fn name_zh(self) -> &'static str {
        match self {
            IdKind::ResidentId => "居民身份证",
            IdKind::Passport => "护照",
            IdKind::HongKongMacauPermit => "港澳居民来往内地通行证",
            IdKind::TaiwanPermit => "台湾居民来往大陆通行证",
            IdKind::ForeignPermanentResident => "外国人永久居留身份证",
        }
    }
}

/// Reasons a number is refused. Messages never contain the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the document number has the wrong length or characters")]
    InvalidFormat,
    #[error("the ID number's check character does not match; please check the number")]
    InvalidChecksum,
    #[error("the birth date in the ID number is not a real date, or is in the future")]
    InvalidBirthDate,
}

impl IdError {
    /// Stable, for API errors.
    pub fn code(self) -> &'static str {
        match self {
            IdError::InvalidFormat => "invalid_id_format",
            IdError::InvalidChecksum => "invalid_id_checksum",
            IdError::InvalidBirthDate => "invalid_birth_date",
        }
    }
}

/// A checked document number. Not `Serialize` and `Debug`/`Display` show only the masked form,
/// so the number reaches storage or a response only through [`IdDocument::number`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdDocument {
    kind: IdKind,
    number: String,
}

/// ISO 7064 MOD 11-2 as GB 11643-1999 applies it to the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";
/// Earliest birth year accepted: anyone older has no machine-readable ID card to apply with.
const MIN_BIRTH_YEAR: i32 = 1900;

impl IdDocument {
    /// Checks everything that needs no clock: for a resident ID the format, the check character
    /// and that the birth date is a real date. Input from people goes through [`Self::parse_at`],
    /// which also refuses a birth date after today.
    pub fn parse(kind: IdKind, raw: &str) -> Result<IdDocument, IdError> {
        let number = fold(raw);
        match kind {
            IdKind::ResidentId => {
                check_resident(&number)?;
            }
            _ => {
                if !(5..=20).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(IdError::InvalidFormat);
                }
            }
        }
        Ok(IdDocument { kind, number })
    }

    /// [`Self::parse`], and a resident ID's birth date must not be after `today`.
    pub fn parse_at(kind: IdKind, raw: &str, today: Date) -> Result<IdDocument, IdError> {
        let doc = IdDocument::parse(kind, raw)?;
        match doc.birth_date() {
            Some(born) if born > today => Err(IdError::InvalidBirthDate),
            _ => Ok(doc),
        }
    }

    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The full number, for storage and for the few places that must show it (the certificate
    /// itself). Everything else uses [`Self::masked`].
    pub fn number(&self) -> &str {
        &self.number
    }

    /// For display and logs. Resident ID: first 3 and last 4 kept (`510***********123X`);
    /// others: first 1 and last 2 (`E******78`).
    pub fn masked(&self) -> String {
        let (head, tail) = if self.kind == IdKind::ResidentId { (3, 4) } else { (1, 2) };
        let n = self.number.chars().count();
        if n <= head + tail {
            return "*".repeat(n);
        }
        self.number.chars().enumerate().map(|(i, c)| if i < head || i >= n - tail { c } else { '*' }).collect()
    }

    /// A resident ID's birth date (positions 7–14); `None` for other documents.
    pub fn birth_date(&self) -> Option<Date> {
        (self.kind == IdKind::ResidentId).then(|| birth_date(&self.number)).flatten()
    }

    /// Age in whole years on `today` (a birthday on 29 February counts from 1 March in other
    /// years); `None` for other documents or a birth date after `today`.
    pub fn age_on(&self, today: Date) -> Option<u32> {
        let (y, m, d) = self.birth_date()?;
        if (y, m, d) > today {
            return None;
        }
        let had_birthday = (today.1, today.2) >= (m, d);
        let years = today.0 - y - if had_birthday { 0 } else { 1 };
        u32::try_from(years).ok()
    }
}

impl std::fmt::Debug for IdDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdDocument").field("kind", &self.kind).field("number", &self.masked()).finish()
    }
}

impl std::fmt::Display for IdDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Trimmed, full-width ASCII (what a Chinese input method types) folded to half-width,
/// upper case.
fn fold(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The check character of a resident ID whose first 17 characters are given (digits only),
/// for making valid test and demo numbers.
pub fn resident_check_char(first17: &str) -> Option<char> {
    let body = first17.as_bytes();
    if body.len() != 17 || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK.get((sum % 11) as usize).map(|c| char::from(*c))
}

fn check_resident(number: &str) -> Result<(), IdError> {
    let bytes = number.as_bytes();
    let (Some(body), Some(&last)) = (bytes.get(..17), bytes.get(17)) else {
        return Err(IdError::InvalidFormat);
    };
    if bytes.len() != 18 || !body.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
        return Err(IdError::InvalidFormat);
    }
    if resident_check_char(&number[..17]).map(|c| c as u8) != Some(last) {
        return Err(IdError::InvalidChecksum);
    }
    birth_date(number).map(|_| ()).ok_or(IdError::InvalidBirthDate)
}

/// Positions 7–14 as a real date from [`MIN_BIRTH_YEAR`] on.
fn birth_date(number: &str) -> Option<Date> {
    let y: i32 = number.get(6..10)?.parse().ok()?;
    let m: u32 = number.get(10..12)?.parse().ok()?;
    let d: u32 = number.get(12..14)?.parse().ok()?;
    (y >= MIN_BIRTH_YEAR && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}
