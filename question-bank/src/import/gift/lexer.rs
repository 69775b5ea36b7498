//! GIFT's characters and answer blocks. Escapes (`\~ \= \# \{ \} \: \\`, `\n`) are resolved
//! first into characters marked literal, so no later step mistakes them for syntax; this is
//! how Moodle's own reader protects them too.

/// One character of a question; `lit` when it came from an escape and is never syntax.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ch {
    pub c: char,
    pub lit: bool,
}

pub fn lex(s: &str) -> Vec<Ch> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let escaped = match chars.peek() {
                Some(&n @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => Some(n),
                Some('n') => Some('\n'),
                _ => None,
            };
            if let Some(e) = escaped {
                chars.next();
                out.push(Ch { c: e, lit: true });
                continue;
            }
        }
        out.push(Ch { c, lit: false });
    }
    out
}

pub fn render(t: &[Ch]) -> String {
    t.iter().map(|ch| ch.c).collect()
}

fn syntax(ch: &Ch, c: char) -> bool {
    !ch.lit && ch.c == c
}

/// The first unescaped `c`.
pub fn find(t: &[Ch], c: char) -> Option<usize> {
    t.iter().position(|ch| syntax(ch, c))
}

/// The first place where `pat` is written out unescaped.
pub fn find_str(t: &[Ch], pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    t.windows(pat.len()).position(|w| w.iter().zip(&pat).all(|(ch, &p)| syntax(ch, p)))
}

pub fn trim(t: &[Ch]) -> &[Ch] {
    let start = t.iter().position(|ch| !ch.c.is_whitespace()).unwrap_or(t.len());
    let end = t.iter().rposition(|ch| !ch.c.is_whitespace()).map_or(start, |i| i + 1);
    &t[start..end.max(start)]
}

/// One answer in a block: `=` (right) or `~` (wrong), an optional `%weight%`, the text;
/// feedback after `#` is dropped.
#[derive(Debug)]
pub struct Answer<'a> {
    pub right: bool,
    pub weight: Option<f64>,
    pub text: &'a [Ch],
}

impl Answer<'_> {
    /// The credit in percent: the weight if given, else 100 for `=` and 0 for `~`.
    pub fn credit(&self) -> f64 {
        self.weight.unwrap_or(if self.right { 100.0 } else { 0.0 })
    }
}

/// What an answer block `{…}` holds, decided the way Moodle decides it.
#[derive(Debug)]
pub enum Block<'a> {
    Essay,
    Numerical,
    Matching,
    TrueFalse(bool),
    /// Any `~`: multiple choice (single answer when some answer is marked `=`).
    Choices(Vec<Answer<'a>>),
    /// Only `=` answers: short answer.
    Short(Vec<Answer<'a>>),
    /// Something else, with what is wrong.
    Malformed(&'static str),
}

pub fn block(inside: &[Ch]) -> Block<'_> {
    // General feedback after #### is not kept.
    let body = trim(&inside[..find_str(inside, "####").unwrap_or(inside.len())]);
    let Some(first) = body.first() else {
        return Block::Essay;
    };
    if syntax(first, '#') {
        return Block::Numerical;
    }
    if find(body, '~').is_some() {
        return answers(body).map_or(Block::Malformed("text before the first answer"), Block::Choices);
    }
    if find(body, '=').is_some() && find_str(body, "->").is_some() {
        return Block::Matching;
    }
    let tf = render(trim(&body[..find(body, '#').unwrap_or(body.len())])).to_ascii_uppercase();
    match tf.as_str() {
        "T" | "TRUE" => return Block::TrueFalse(true),
        "F" | "FALSE" => return Block::TrueFalse(false),
        _ => {}
    }
    if find(body, '=').is_none() {
        return Block::Malformed("the answer block has no answers");
    }
    answers(body).map_or(Block::Malformed("text before the first answer"), Block::Short)
}

/// Splits at each unescaped `=` or `~`; `None` if text comes before the first one.
fn answers(body: &[Ch]) -> Option<Vec<Answer<'_>>> {
    let starts: Vec<usize> = body.iter().enumerate().filter(|(_, ch)| syntax(ch, '=') || syntax(ch, '~')).map(|(i, _)| i).collect();
    let first = starts.first().copied().unwrap_or(body.len());
    if !trim(&body[..first]).is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(starts.len());
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(body.len());
        let right = body[start].c == '=';
        let mut rest = trim(&body[start + 1..end]);
        rest = &rest[..find(rest, '#').unwrap_or(rest.len())];
        let mut weight = None;
        if rest.first().is_some_and(|ch| syntax(ch, '%'))
            && let Some(close) = find(&rest[1..], '%')
            && let Ok(w) = render(&rest[1..=close]).trim().parse::<f64>()
        {
            weight = Some(w).filter(|w| w.is_finite());
            rest = &rest[close + 2..];
        }
        out.push(Answer { right, weight, text: trim(rest) });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> String {
        let t = lex(s);
        match block(&t) {
            Block::Choices(a) => format!("choices {}", a.iter().map(|a| format!("{}:{}", a.credit(), render(a.text))).collect::<Vec<_>>().join("|")),
            Block::Short(a) => format!("short {}", a.iter().map(|a| format!("{}:{}", a.credit(), render(a.text))).collect::<Vec<_>>().join("|")),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn blocks_are_classified_as_moodle_does() {
        assert_eq!(kind(""), "Essay");
        assert_eq!(kind("####只有总评"), "Essay");
        assert_eq!(kind("#1822:5"), "Numerical");
        assert_eq!(kind("=a -> 1 =b -> 2"), "Matching");
        assert_eq!(kind("~go -> x =get -> y"), "choices 0:go -> x|100:get -> y");
        assert_eq!(kind("T#错#对"), "TrueFalse(true)");
        assert_eq!(kind(" FALSE "), "TrueFalse(false)");
        assert_eq!(kind("~%50%甲 #对一半\n ~%-100%乙 =丙"), "choices 50:甲|-100:乙|100:丙");
        assert_eq!(kind("=四 =%75%4 =%25%肆"), "short 100:四|75:4|25:肆");
        assert_eq!(kind(" ~ \\= 2 + 2 = \\\\ # 反斜杠"), "choices 0:= 2 + 2|100:\\");
        assert_eq!(kind("文字 ~a"), "Malformed(\"text before the first answer\")");
        assert_eq!(kind("just words"), "Malformed(\"the answer block has no answers\")");
        assert_eq!(render(&lex("a\\nb\\:c\\x")), "a\nb:c\\x");
    }
}
