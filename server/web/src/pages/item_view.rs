//! How one item looks to a candidate. Authors' previews and the exam page render through this
//! one function, from a [`CandidateItem`] that carries no key.
use exam_protocol::{CandidateItem, ItemType};

use super::layout::esc;
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

/// The item as HTML. `name` keeps the inputs of several items on one page apart; `disabled`
/// is for previews.
pub fn candidate_html(item: &CandidateItem, name: &str, disabled: bool, lang: Lang) -> String {
    let dis = if disabled { " disabled" } else { "" };
    let type_name = match lang {
        Lang::Zh => item.item_type.name_zh(),
        Lang::En => item.item_type.as_str(),
    };
    // The stem and options were sanitised when stored; they are placed as HTML on purpose.
    let mut out = format!(
        "<article class=\"candidate-item\" data-type=\"{}\"><p class=\"muted\">{}</p><div class=\"stem\">{}</div>",
        item.item_type.as_str(),
        esc(type_name),
        item.stem
    );
    match item.item_type {
        ItemType::SingleChoice | ItemType::MultipleChoice => {
            let kind = if item.item_type == ItemType::SingleChoice { "radio" } else { "checkbox" };
            out.push_str("<ul class=\"options\">");
            for c in &item.choices {
                let id = format!("{name}-{}", esc(&c.id));
                out.push_str(&format!(
                    "<li><input type=\"{kind}\" name=\"{name}\" id=\"{id}\" value=\"{v}\"{dis}> <label for=\"{id}\"><strong>{v}.</strong> {content}</label></li>",
                    v = esc(&c.id),
                    content = c.content
                ));
            }
            out.push_str("</ul>");
        }
        ItemType::TrueFalse => {
            let (t, f) = (lang.pick("对", "True"), lang.pick("错", "False"));
            out.push_str(&format!(
                "<ul class=\"options\"><li><input type=\"radio\" name=\"{name}\" id=\"{name}-t\" value=\"true\"{dis}> <label for=\"{name}-t\">{t}</label></li>\
                 <li><input type=\"radio\" name=\"{name}\" id=\"{name}-f\" value=\"false\"{dis}> <label for=\"{name}-f\">{f}</label></li></ul>"
            ));
        }
        ItemType::FillIn => {
            for i in 0..item.blanks.max(1) {
                let label = match lang {
                    Lang::Zh => format!("第 {} 空", i + 1),
                    Lang::En => format!("Blank {}", i + 1),
                };
                out.push_str(&format!("<label for=\"{name}-{i}\">{label}</label><input id=\"{name}-{i}\" name=\"{name}-{i}\" autocomplete=\"off\"{dis}>"));
            }
        }
        ItemType::ShortAnswer => {
            out.push_str(&format!(
                "<label for=\"{name}-text\">{}</label><textarea id=\"{name}-text\" name=\"{name}\"{dis}></textarea>",
                lang.pick("作答", "Your answer")
            ));
        }
    }
    out.push_str("</article>");
    out
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
