//! Unit tests of response checks and scoring.
use proptest::prelude::*;

use super::*;
use crate::outline::tests::sample;

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn choices(v: &[&str]) -> Response {
    Response::Choices(ids(v))
}

fn pts(key: &Key, r: Option<&Response>, points: u32, partial: bool) -> Scored {
    score(key, r, Points(points), &ScoringRules { multiple_partial: partial })
}

const ABCD: [&str; 4] = ["A", "B", "C", "D"];

#[test]
fn responses_serialise_tagged_and_snake_case() {
    let json = serde_json::to_string(&choices(&["A", "C"])).expect("json");
    assert_eq!(json, r#"{"kind":"choices","value":["A","C"]}"#);
    assert_eq!(serde_json::to_string(&Response::TrueFalse(false)).expect("json"), r#"{"kind":"true_false","value":false}"#);
    let back: Response = serde_json::from_str(r#"{"kind":"blanks","value":["欧姆","R"]}"#).expect("parse");
    assert_eq!(back, Response::Blanks(ids(&["欧姆", "R"])));
    assert!(serde_json::from_str::<Response>(r#"{"kind":"essay","value":"x"}"#).is_err());
    assert_eq!(serde_json::to_string(&Scored::NeedsMarking).expect("json"), r#"{"kind":"needs_marking"}"#);
    assert_eq!(serde_json::to_string(&Scored::Points(Points(1500))).expect("json"), r#"{"kind":"points","value":1500}"#);
}

#[test]
fn validate_accepts_well_formed_responses() {
    let opts = ids(&ABCD);
    assert_eq!(validate(ItemType::SingleChoice, &opts, 0, &choices(&["B"])), Ok(()));
    assert_eq!(validate(ItemType::SingleChoice, &opts, 0, &choices(&[])), Ok(()));
    assert_eq!(validate(ItemType::MultipleChoice, &opts, 0, &choices(&["D", "A", "C"])), Ok(()));
    assert_eq!(validate(ItemType::TrueFalse, &[], 0, &Response::TrueFalse(true)), Ok(()));
    assert_eq!(validate(ItemType::FillIn, &[], 2, &Response::Blanks(ids(&["", "ＰＥ线"]))), Ok(()));
    let long_but_fine = "电".repeat(MAX_TEXT_CHARS); // 60,000 bytes, 20,000 characters
    assert_eq!(validate(ItemType::ShortAnswer, &[], 0, &Response::Text(long_but_fine)), Ok(()));
}

#[test]
fn validate_names_each_problem_with_its_own_code() {
    let opts = ids(&ABCD);
    let cases = [
        (validate(ItemType::SingleChoice, &opts, 0, &Response::TrueFalse(true)), "wrong_response_shape"),
        (validate(ItemType::ShortAnswer, &[], 0, &Response::Blanks(vec![])), "wrong_response_shape"),
        (validate(ItemType::MultipleChoice, &opts, 0, &choices(&["A", "E"])), "unknown_choice"),
        (validate(ItemType::SingleChoice, &opts, 0, &choices(&["A", "B"])), "too_many_choices"),
        (validate(ItemType::MultipleChoice, &opts, 0, &choices(&["A", "B", "A"])), "duplicate_choice"),
        (validate(ItemType::FillIn, &[], 2, &Response::Blanks(ids(&["x"]))), "wrong_blank_count"),
        (validate(ItemType::ShortAnswer, &[], 0, &Response::Text("字".repeat(MAX_TEXT_CHARS + 1))), "response_too_long"),
        (validate(ItemType::FillIn, &[], 1, &Response::Blanks(vec!["x".repeat(MAX_BLANK_CHARS + 1)])), "response_too_long"),
        (validate(ItemType::ShortAnswer, &[], 0, &Response::Text("a\0b".into())), "invalid_character"),
    ];
    for (result, code) in &cases {
        assert_eq!(result.as_ref().err().map(ResponseError::code), Some(*code), "{result:?}");
    }
    assert_eq!(validate(ItemType::MultipleChoice, &opts, 0, &choices(&["A", "E"])), Err(ResponseError::UnknownChoice { index: 1 }));
    // Every variant's code is different.
    let all = [
        ResponseError::WrongShape { item_type: ItemType::FillIn },
        ResponseError::UnknownChoice { index: 0 },
        ResponseError::TooManyChoices { count: 2 },
        ResponseError::DuplicateChoice,
        ResponseError::WrongBlankCount { expected: 1, got: 2 },
        ResponseError::TooLong { max: 1 },
        ResponseError::InvalidCharacter,
    ];
    let codes: HashSet<&str> = all.iter().map(ResponseError::code).collect();
    assert_eq!(codes.len(), all.len());
    // Messages never echo what the client sent.
    assert!(!validate(ItemType::SingleChoice, &opts, 0, &choices(&["<script>"])).expect_err("bad").to_string().contains("script"));
}

#[test]
fn single_choice_and_true_false_are_all_or_nothing() {
    let key = Key::Single { choice: "C".into() };
    assert_eq!(pts(&key, Some(&choices(&["C"])), 1000, false), Scored::Points(Points(1000)));
    assert_eq!(pts(&key, Some(&choices(&["B"])), 1000, false), Scored::Points(Points(0)));
    assert_eq!(pts(&key, Some(&choices(&["C", "B"])), 1000, true), Scored::Points(Points(0)));
    assert_eq!(pts(&key, Some(&choices(&[])), 1000, false), Scored::Points(Points(0)));
    let tf = Key::TrueFalse { value: false };
    assert_eq!(pts(&tf, Some(&Response::TrueFalse(false)), 500, false), Scored::Points(Points(500)));
    assert_eq!(pts(&tf, Some(&Response::TrueFalse(true)), 500, false), Scored::Points(Points(0)));
}

#[test]
fn multiple_choice_is_all_or_nothing_by_default() {
    let key = Key::Multiple { choices: ids(&["A", "C", "D"]) };
    assert_eq!(pts(&key, Some(&choices(&["D", "A", "C"])), 2000, false), Scored::Points(Points(2000)));
    assert_eq!(pts(&key, Some(&choices(&["A", "C"])), 2000, false), Scored::Points(Points(0)));
    assert_eq!(pts(&key, Some(&choices(&["A", "B", "C", "D"])), 2000, false), Scored::Points(Points(0)));
    // A repeated id counts once (validate refuses it, scoring still must not reward it).
    assert_eq!(pts(&key, Some(&choices(&["A", "A", "C", "D"])), 2000, false), Scored::Points(Points(2000)));
}

#[test]
fn multiple_choice_partial_credit_follows_the_common_rule() {
    let key = Key::Multiple { choices: ids(&["A", "C", "D"]) };
    // Two of three right, nothing wrong: 2000 × 2 / 3 = 1333.33… → 1333.
    assert_eq!(pts(&key, Some(&choices(&["A", "C"])), 2000, true), Scored::Points(Points(1333)));
    assert_eq!(pts(&key, Some(&choices(&["D"])), 2000, true), Scored::Points(Points(666)));
    assert_eq!(pts(&key, Some(&choices(&["A", "C", "D"])), 2000, true), Scored::Points(Points(2000)));
    // Any wrong option: nothing.
    assert_eq!(pts(&key, Some(&choices(&["A", "B"])), 2000, true), Scored::Points(Points(0)));
    assert_eq!(pts(&key, Some(&choices(&[])), 2000, true), Scored::Points(Points(0)));
    // A key without right options (an invalid item) never pays.
    assert_eq!(pts(&Key::Multiple { choices: vec![] }, Some(&choices(&[])), 2000, true), Scored::Points(Points(0)));
}

#[test]
fn fill_in_blanks_share_the_points_and_compare_normalised() {
    let key = Key::FillIn { blanks: vec![ids(&["abc 12"]), ids(&["PE线", "保护接地线"]), ids(&["380V"])] };
    let all = Response::Blanks(ids(&["  ＡＢＣ　１２ ", "ｐｅ线", "３８０ｖ"]));
    assert_eq!(pts(&key, Some(&all), 1000, false), Scored::Points(Points(1000)));
    let two = Response::Blanks(ids(&["abc12", "保护接地线", "380V"]));
    assert_eq!(pts(&key, Some(&two), 1000, false), Scored::Points(Points(666)));
    let one = Response::Blanks(ids(&["x", "y", "380v"]));
    assert_eq!(pts(&key, Some(&one), 1000, false), Scored::Points(Points(333)));
    // Fewer blanks than the key (refused by validate): the missing ones are wrong.
    assert_eq!(pts(&key, Some(&Response::Blanks(ids(&["abc 12"]))), 1000, false), Scored::Points(Points(333)));
    // Points that divide exactly.
    assert_eq!(pts(&key, Some(&all), 1500, false), Scored::Points(Points(1500)));
    assert_eq!(pts(&key, Some(&two), 1500, false), Scored::Points(Points(1000)));
}

#[test]
fn an_empty_blank_is_never_right() {
    let key = Key::FillIn { blanks: vec![ids(&["", " "]), ids(&["欧姆"])] };
    let r = Response::Blanks(ids(&["　", "欧姆"]));
    assert_eq!(pts(&key, Some(&r), 1000, false), Scored::Points(Points(500)));
    assert_eq!(pts(&Key::FillIn { blanks: vec![] }, Some(&Response::Blanks(vec![])), 1000, false), Scored::Points(Points(0)));
}

#[test]
fn short_answers_go_to_the_markers_unless_blank() {
    let key = Key::ShortAnswer { reference: Some("接地保护".into()) };
    assert_eq!(pts(&key, Some(&Response::Text("应采用保护接地".into())), 5000, false), Scored::NeedsMarking);
    assert_eq!(pts(&key, Some(&Response::Text(" \n　".into())), 5000, false), Scored::Points(Points(0)));
    assert_eq!(pts(&key, None, 5000, false), Scored::Points(Points(0)));
}

#[test]
fn no_response_or_the_wrong_shape_scores_nothing() {
    for key in
        [Key::Single { choice: "A".into() }, Key::Multiple { choices: ids(&["A"]) }, Key::TrueFalse { value: true }, Key::FillIn { blanks: vec![ids(&["x"])] }]
    {
        assert_eq!(pts(&key, None, 1000, true), Scored::Points(Points(0)));
        assert_eq!(pts(&key, Some(&Response::Text("A".into())), 1000, true), Scored::Points(Points(0)));
    }
    assert_eq!(pts(&Key::TrueFalse { value: true }, Some(&choices(&["A"])), 1000, false), Scored::Points(Points(0)));
}

#[test]
fn the_default_rules_are_all_or_nothing() {
    assert!(!ScoringRules::default().multiple_partial);
}

#[test]
fn totals_wait_for_marking_and_sum_by_scope() {
    assert_eq!(total(&[Scored::Points(Points(1000)), Scored::Points(Points(1500))]), Some(Points(2500)));
    assert_eq!(total(&[Scored::Points(Points(1000)), Scored::NeedsMarking]), None);
    assert_eq!(total(&[]), Some(Points(0)));
    assert_eq!(total(&[Scored::Points(Points(u32::MAX)), Scored::Points(Points(1))]), Some(Points(u32::MAX)));

    let scored = [
        (Some("A-001".to_string()), Points(1000)),
        (Some("B-A-001".to_string()), Points(2000)),
        (Some("B-B-001".to_string()), Points(500)),
        (None, Points(300)),
        (Some("Q-999".to_string()), Points(200)),
    ];
    let got = by_scope(&sample(), &scored);
    let want = BTreeMap::from([(NO_SCOPE.to_string(), Points(500)), ("A".to_string(), Points(1000)), ("B".to_string(), Points(2500))]);
    assert_eq!(got, want);
    let none = by_scope(&sample(), &[]);
    assert_eq!(none, BTreeMap::from([("A".to_string(), Points(0)), ("B".to_string(), Points(0))]));
}

fn any_key() -> impl Strategy<Value = Key> {
    let id = prop::sample::select(ABCD.to_vec()).prop_map(String::from);
    prop_oneof![
        id.clone().prop_map(|choice| Key::Single { choice }),
        prop::collection::vec(id, 0..5).prop_map(|choices| Key::Multiple { choices }),
        any::<bool>().prop_map(|value| Key::TrueFalse { value }),
        prop::collection::vec(prop::collection::vec(".{0,4}", 0..3), 0..4).prop_map(|blanks| Key::FillIn { blanks }),
        Just(Key::ShortAnswer { reference: None }),
    ]
}

fn any_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        prop::collection::vec("[A-F]", 0..6).prop_map(Response::Choices),
        any::<bool>().prop_map(Response::TrueFalse),
        prop::collection::vec(".{0,4}", 0..5).prop_map(Response::Blanks),
        ".{0,8}".prop_map(Response::Text),
    ]
}

proptest! {
    #[test]
    fn scores_never_exceed_the_points(key in any_key(), r in prop::option::of(any_response()), points in any::<u32>(), partial in any::<bool>()) {
        match score(&key, r.as_ref(), Points(points), &ScoringRules { multiple_partial: partial }) {
            Scored::Points(p) => prop_assert!(p.0 <= points),
            Scored::NeedsMarking => prop_assert_eq!(key.item_type(), ItemType::ShortAnswer),
        }
        if let Some(r) = &r {
            let _ = validate(key.item_type(), &ids(&ABCD), 2, r);
        }
    }
}
