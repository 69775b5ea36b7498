//! How one item looks to a candidate. Authors' previews and the exam page render through this
//! one function, from a [`CandidateItem`] that carries no key.
use askama::Template;
use exam_protocol::{CandidateItem, ItemType};

use crate::http::i18n::Lang;

/// Points relative image sources (`images/a.png`, as packages write them) at `base`, where the
/// item's files are served. Absolute and data: URLs are left alone.
pub fn with_asset_base(html: &str, base: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("src=\"") {
        let (head, tail) = rest.split_at(i + 5);
        out.push_str(head);
        let relative = !(tail.starts_with("http:") || tail.starts_with("https:") || tail.starts_with("data:") || tail.starts_with('/'));
        if relative {
            out.push_str(base);
            out.push('/');
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[derive(Template)]
#[template(path = "item_preview.html")]
struct ItemPreview<'a> {
    item: &'a CandidateItem,
    name: &'a str,
    disabled: bool,
    lang: Lang,
    type_name: &'static str,
    input_kind: &'static str,
    blanks: usize,
}

/// The item as HTML. `name` keeps the inputs of several items on one page apart; `disabled`
/// is for previews. The stem and options were sanitised when stored and are placed as HTML on
/// purpose (`|safe` in the template); everything else is escaped.
pub fn candidate_html(item: &CandidateItem, name: &str, disabled: bool, lang: Lang) -> String {
    let page = ItemPreview {
        item,
        name,
        disabled,
        lang,
        type_name: match lang {
            Lang::Zh => item.item_type.name_zh(),
            Lang::En => item.item_type.as_str(),
        },
        input_kind: if item.item_type == ItemType::SingleChoice { "radio" } else { "checkbox" },
        blanks: item.blanks.max(1),
    };
    super::layout::fragment(&page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_sources_point_at_the_item_files() {
        let html = r#"<img src="images/a.png"><img src="data:image/png;base64,x"><img src="https://x/y.png">"#;
        assert_eq!(
            super::with_asset_base(html, "/items/7/files"),
            r#"<img src="/items/7/files/images/a.png"><img src="data:image/png;base64,x"><img src="https://x/y.png">"#
        );
    }
}
