//! Unit tests of identity documents.
use proptest::prelude::*;

use super::*;

const TODAY: Date = (2025, 6, 1);
/// GB 11643's own example.
const GB_EXAMPLE: &str = "11010519491231002X";
const CHENGDU_X: &str = "51010419900118123X";

fn resident(raw: &str) -> Result<IdDocument, IdError> {
    IdDocument::parse_at(IdKind::ResidentId, raw, TODAY)
}

#[test]
fn valid_resident_ids_are_accepted() {
    for n in [GB_EXAMPLE, CHENGDU_X, "510104199001011230", "440300200002290019"] {
        let doc = resident(n).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(doc.number(), n);
        assert_eq!(doc.kind(), IdKind::ResidentId);
    }
}

#[test]
fn a_lowercase_x_spaces_and_full_width_digits_are_folded() {
    assert_eq!(resident("  11010519491231002x ").map(|d| d.number().to_string()), Ok(GB_EXAMPLE.into()));
    assert_eq!(resident("１１０１０５１９４９１２３１００２ｘ").map(|d| d.number().to_string()), Ok(GB_EXAMPLE.into()));
    assert_eq!(resident("\u{3000}510104199001011230\u{3000}").map(|d| d.number().to_string()), Ok("510104199001011230".into()));
}

#[test]
fn malformed_numbers_are_format_errors() {
    for bad in [
        "",
        "11010519491231002",
        "11010519491231002X1",
        "1101051949123100XX",
        "11010519491231002Y",
        "1101051949-231002X",
        "110105194912310",
        "11010519491231002Ⅹ",
    ] {
        assert_eq!(resident(bad), Err(IdError::InvalidFormat), "{bad}");
    }
}

#[test]
fn a_wrong_check_character_is_a_checksum_error() {
    assert_eq!(resident("110105194912310021"), Err(IdError::InvalidChecksum));
    // One digit mistyped.
    assert_eq!(resident("11010519491231012X"), Err(IdError::InvalidChecksum));
    // Two digits swapped.
    assert_eq!(resident("510104199001011320"), Err(IdError::InvalidChecksum));
}

#[test]
fn birth_dates_must_be_real_and_not_in_the_future() {
    // Each has a correct check character.
    for bad in ["51010419900230123X", "510104202302291234", "510104199013011238", "510104189912311235"] {
        assert_eq!(resident(bad), Err(IdError::InvalidBirthDate), "{bad}");
    }
    // 29 February in a leap year is real.
    assert!(resident("510104200802291231").is_ok());
    // 2030 is after TODAY, but fine for `parse`, which has no clock.
    assert_eq!(resident("51010420300101123X"), Err(IdError::InvalidBirthDate));
    assert!(IdDocument::parse(IdKind::ResidentId, "51010420300101123X").is_ok());
    // Born today is not the future.
    assert!(IdDocument::parse_at(IdKind::ResidentId, "51010420300101123X", (2030, 1, 1)).is_ok());
}

#[test]
fn error_codes_are_stable() {
    let codes: Vec<&str> = [IdError::InvalidFormat, IdError::InvalidChecksum, IdError::InvalidBirthDate].iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["invalid_id_format", "invalid_id_checksum", "invalid_birth_date"]);
}

#[test]
fn other_documents_are_5_to_20_letters_or_digits() {
    let ok = |k, raw| IdDocument::parse_at(k, raw, TODAY).map(|d| d.number().to_string());
    assert_eq!(ok(IdKind::Passport, " e12345678 "), Ok("E12345678".into()));
    assert_eq!(ok(IdKind::HongKongMacauPermit, "h1234567801"), Ok("H1234567801".into()));
    assert_eq!(ok(IdKind::TaiwanPermit, "12345678"), Ok("12345678".into()));
    assert_eq!(ok(IdKind::ForeignPermanentResident, "９３１１５６１９９００１０１２３４"), Ok("93115619900101234".into()));
    for bad in ["E123", "E1234567890123456789X", "E1234-5678", "E 12345678", "护照12345"] {
        assert_eq!(ok(IdKind::Passport, bad), Err(IdError::InvalidFormat), "{bad}");
    }
    // No checksum or birth date rules for them.
    assert_eq!(IdDocument::parse(IdKind::Passport, "11010519491231002X").map(|d| d.birth_date()), Ok(None));
}

#[test]
fn numbers_are_masked_in_display_debug_and_masked() {
    let doc = resident(CHENGDU_X).expect("valid");
    assert_eq!(doc.masked(), "510***********123X");
    assert_eq!(doc.to_string(), "510***********123X");
    let debug = format!("{doc:?}");
    assert_eq!(debug, r#"IdDocument { kind: ResidentId, number: "510***********123X" }"#);
    let pretty = format!("{doc:#?}");
    assert!(!debug.contains("19900118") && !pretty.contains("19900118"));
    let passport = IdDocument::parse(IdKind::Passport, "E12345678").expect("valid");
    assert_eq!(passport.masked(), "E******78");
    assert!(!format!("{passport:?} {passport}").contains("123456"));
    // In a container, too.
    assert!(!format!("{:?}", vec![Some(doc)]).contains("19900118"));
}

#[test]
fn age_counts_whole_years_from_the_birth_date() {
    let doc = resident(CHENGDU_X).expect("valid"); // born 1990-01-18
    assert_eq!(doc.birth_date(), Some((1990, 1, 18)));
    assert_eq!(doc.age_on((2025, 1, 17)), Some(34));
    assert_eq!(doc.age_on((2025, 1, 18)), Some(35));
    assert_eq!(doc.age_on((1990, 1, 18)), Some(0));
    assert_eq!(doc.age_on((1990, 1, 17)), None);
    // Sixteen: eligible from the 16th birthday.
    let teen = IdDocument::parse(IdKind::ResidentId, "510104201006150010").expect("valid");
    assert_eq!(teen.age_on((2026, 6, 14)), Some(15));
    assert_eq!(teen.age_on((2026, 6, 15)), Some(16));
    // Born 29 February: a year older on 1 March in other years.
    let leap = resident("510104200802291231").expect("valid");
    assert_eq!(leap.age_on((2025, 2, 28)), Some(16));
    assert_eq!(leap.age_on((2025, 3, 1)), Some(17));
    assert_eq!(IdDocument::parse(IdKind::Passport, "E12345678").expect("valid").age_on(TODAY), None);
}

#[test]
fn kinds_serialise_snake_case() {
    assert_eq!(serde_json::to_string(&IdKind::HongKongMacauPermit).expect("json"), r#""hong_kong_macau_permit""#);
    for k in IdKind::ALL {
        assert_eq!(IdKind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_string(&k).expect("json"), format!("\"{}\"", k.as_str()));
    }
    assert_eq!(IdKind::ResidentId.name_zh(), "居民身份证");
}

proptest! {
    #[test]
    fn parsing_never_panics_and_errors_never_echo_the_input(
        kind in prop::sample::select(IdKind::ALL.to_vec()),
        raw in "\\PC{0,30}",
        today in (any::<i32>(), any::<u32>(), any::<u32>()),
    ) {
        match IdDocument::parse_at(kind, &raw, today) {
            Ok(doc) => {
                prop_assert!(doc.number().bytes().all(|b| b.is_ascii_alphanumeric()));
                prop_assert_eq!(doc.masked().chars().count(), doc.number().len());
                let _ = doc.age_on(today);
            }
            // Fixed messages: no digit of the number can appear in them.
            Err(e) => prop_assert!(!e.to_string().chars().any(|c| c.is_ascii_digit())),
        }
    }

    #[test]
    fn every_18_digit_body_gets_exactly_one_valid_check_character(body in "[0-9]{6}(19[0-9]{2}|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}") {
        let valid: Vec<char> = "0123456789X".chars().filter(|c| resident(&format!("{body}{c}")).is_ok()).collect();
        prop_assert_eq!(valid.len(), 1);
    }
}
