//! A reason given to a person, in both languages the product speaks: the caller shows the one
//! the reader chose. Its `Display` is the English, for logs and tests.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    pub zh: String,
    pub en: String,
}

impl Why {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Why {
        Why { zh: zh.into(), en: en.into() }
    }

    /// The reason in the reader's language.
    pub fn in_lang(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}
