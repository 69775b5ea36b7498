//! How one item looks to a candidate. Authors' previews and the exam page render through this
//! one function, from a [`CandidateItem`] that carries no key.
use exam_protocol::{CandidateItem, ItemType};

use super::layout::esc;
use crate::http::i18n::Lang;

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
                out.push_str(&format!(
                    "<label for=\"{name}-{i}\">{label}</label><input id=\"{name}-{i}\" name=\"{name}-{i}\" autocomplete=\"off\"{dis}>"
                ));
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
