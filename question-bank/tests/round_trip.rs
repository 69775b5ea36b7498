//! `import(export(items))` gives back the same items, for every export format and every item
//! type (a property test over generated items with Chinese text and all metadata).
mod common;

use common::{item, same_items};
use proptest::prelude::*;
use question_bank::export::{FORMATS, export};
use question_bank::import::{Limits, import};
use question_bank::xlsx_template::TAG_SEPARATORS;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_format_round_trips(items in prop::collection::vec(item(), 1..5)) {
        let mut items = items;
        // The XLSX template keeps tags in one cell, split by its separators: a tag cannot
        // contain one (the server stores tags the same way).
        for it in &mut items {
            for t in &mut it.tags {
                *t = t.replace(TAG_SEPARATORS, "、");
            }
        }
        for format in FORMATS {
            let bytes = export(format, &items).map_err(|e| TestCaseError::fail(format!("{format:?}: {e}")))?;
            let (detected, report) = import(&bytes, None, None, &Limits::default())
                .map_err(|e| TestCaseError::fail(format!("{format:?}: {e}")))?;
            prop_assert_eq!(detected, format);
            prop_assert!(report.skipped.is_empty(), "{:?}: {:?}", format, report.skipped);
            same_items(&items, &report.items).map_err(|e| TestCaseError::fail(format!("{format:?}: {e}")))?;
        }
    }
}
