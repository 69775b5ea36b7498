//! How fill-in answers are compared: full-width and half-width forms alike (NFKC), case
//! ignored, spaces collapsed, so "ＡＢＣ　１２" matches "abc 12".
use unicode_normalization::UnicodeNormalization;

pub fn fill_in(answer: &str) -> String {
    let folded: String = answer.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_width_case_and_spaces() {
        assert_eq!(super::fill_in("  ＡＢＣ　１２ "), "abc 12");
        assert_eq!(super::fill_in("三相  异步电动机"), "三相 异步电动机");
        assert_eq!(super::fill_in("ＰＥ线"), "pe线");
    }
}
