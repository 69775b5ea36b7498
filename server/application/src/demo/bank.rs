//! A demo question bank for 电工 (electrician), level 4: an outline, a dozen items written by
//! the demo author (most approved by the demo reviewer, a few awaiting review) and a blueprint.
use std::collections::BTreeMap;

use exam_protocol::{Bank, ItemStatus, MemberRole};
use question_bank::blueprint::{Blueprint, TypeRow};
use question_bank::import::Format;
use question_bank::import::ImportReport;
use question_bank::item::choice_letter;
use question_bank::outline::{AssessmentPoint, Importance, Outline, Scope};
use question_bank::sanitize::escape;
use question_bank::{Choice, Difficulty, ItemDraft, ItemType, Key, Points};

use crate::banks::import;
use crate::clock::now_ms;
use exam_records::audit::Actor;
use exam_records::{Db, StoreError, banks, items};

fn outline() -> Outline {
    let p = |code: &str, name: &str, importance| AssessmentPoint { code: code.into(), name: name.into(), importance };
    let w = |v: u32| BTreeMap::from([(4u8, v)]);
    Outline {
        scopes: vec![
            Scope {
                code: "A".into(),
                name: "基本要求".into(),
                weights: w(20),
                children: vec![],
                points: vec![p("A-001", "职业道德", Importance::Y), p("A-002", "安全文明生产", Importance::X)],
            },
            Scope {
                code: "B".into(),
                name: "相关知识".into(),
                weights: w(80),
                children: vec![
                    Scope {
                        code: "B-A".into(),
                        name: "电工基础".into(),
                        weights: w(50),
                        children: vec![],
                        points: vec![p("B-A-001", "欧姆定律", Importance::X), p("B-A-002", "交流电", Importance::Y)],
                    },
                    Scope {
                        code: "B-B".into(),
                        name: "安全用电".into(),
                        weights: w(50),
                        children: vec![],
                        points: vec![p("B-B-001", "接地与接零", Importance::X), p("B-B-002", "触电急救", Importance::Z)],
                    },
                ],
                points: vec![],
            },
        ],
    }
}

fn choice_item(n: usize, stem: &str, options: &[&str], key: Key, point: &str, difficulty: u8) -> ItemDraft {
    let choices = options.iter().enumerate().map(|(i, o)| Choice { id: choice_letter(i), content: escape(o), fixed: o.starts_with("以上") }).collect();
    let mut d = ItemDraft::new(format!("demo {n}"), escape(stem), choices, key);
    d.outline_point = Some(point.into());
    d.difficulty = Difficulty::new(difficulty);
    d.code = Some(format!("4-{point}-{n:03}"));
    d.source = Some("演示题库".into());
    d
}

fn items() -> Vec<ItemDraft> {
    let single = |c: &str| Key::Single { choice: c.into() };
    let mut v = vec![
        choice_item(1, "电工作业人员上岗前必须取得的证件是？", &["特种作业操作证", "驾驶证", "学历证书", "以上都不是"], single("A"), "A-002", 1),
        choice_item(2, "欧姆定律的表达式是？", &["I = U / R", "I = U × R", "I = R / U", "U = I / R"], single("A"), "B-A-001", 2),
        choice_item(3, "我国工频交流电的频率是多少赫兹？", &["50", "60", "100", "220"], single("A"), "B-A-002", 2),
        choice_item(4, "保护接地的接地电阻一般不应大于多少欧？", &["4", "10", "30", "100"], single("A"), "B-B-001", 3),
        choice_item(5, "发现有人触电，首先应当？", &["切断电源", "立即拉人", "打电话", "以上都不对"], single("A"), "B-B-002", 2),
        choice_item(
            6,
            "下列属于绝缘材料的有？",
            &["橡胶", "铜", "陶瓷", "塑料"],
            Key::Multiple { choices: vec!["A".into(), "C".into(), "D".into()] },
            "B-B-001",
            3,
        ),
        choice_item(
            7,
            "电工职业道德包括？",
            &["爱岗敬业", "诚实守信", "偷工减料", "安全第一"],
            Key::Multiple { choices: vec!["A".into(), "B".into(), "D".into()] },
            "A-001",
            2,
        ),
    ];
    let mut tf = ItemDraft::new("demo 8", escape("在潮湿环境中可以使用普通电工工具带电作业。"), vec![], Key::TrueFalse { value: false });
    tf.outline_point = Some("B-B-001".into());
    tf.difficulty = Difficulty::new(1);
    let mut fill = ItemDraft::new("demo 9", escape("电阻的国际单位是____。"), vec![], Key::FillIn { blanks: vec![vec!["欧姆".into(), "Ω".into()]] });
    fill.outline_point = Some("B-A-001".into());
    fill.difficulty = Difficulty::new(2);
    let mut short = ItemDraft::new(
        "demo 10",
        escape("简述触电急救的基本步骤。"),
        vec![],
        Key::ShortAnswer { reference: Some("迅速脱离电源；判断意识和呼吸；呼救；心肺复苏。".into()) },
    );
    short.outline_point = Some("B-B-002".into());
    short.points = Points(5000);
    v.extend([tf, fill, short]);
    v.push(choice_item(11, "三相四线制中性线的作用是？", &["使不对称负载相电压对称", "提高电压", "降低电流", "以上都不对"], single("A"), "B-A-002", 4));
    v.push(choice_item(12, "漏电保护器的动作电流一般不大于多少毫安？", &["30", "50", "100", "300"], single("A"), "B-B-001", 3));
    v
}

/// Seeds the bank once; `author` and `reviewer` are the demo accounts' ids.
pub async fn seed(db: &Db, institution_id: i64, author: i64, reviewer: i64) -> anyhow::Result<()> {
    if !banks::list_for_institution(db, institution_id).await?.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let bank = Bank {
        id: 0,
        institution_id: Some(institution_id),
        occupation_code: "6-31-01-03".into(),
        work_type: "电工".into(),
        name: "电工（四级/中级工）理论知识题库".into(),
        levels: vec![5, 4, 3],
    };
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    let bank_id = banks::insert(&mut tx, &bank, author, now).await?;
    banks::add_member(&mut tx, bank_id, author, MemberRole::Author, now).await?;
    banks::add_member(&mut tx, bank_id, reviewer, MemberRole::Reviewer, now).await?;
    banks::insert_outline(&mut tx, bank_id, &serde_json::to_string(&outline())?, author, now).await?;
    let bp = Blueprint {
        level: 4,
        types: vec![
            TypeRow { item_type: ItemType::SingleChoice, count: 5, points_each: Points(2000) },
            TypeRow { item_type: ItemType::MultipleChoice, count: 1, points_each: Points(3000) },
            TypeRow { item_type: ItemType::TrueFalse, count: 1, points_each: Points(2000) },
        ],
        scope_weights: BTreeMap::new(),
        difficulty: BTreeMap::new(),
        importance: BTreeMap::new(),
    };
    banks::insert_blueprint(&mut tx, bank_id, 4, &serde_json::to_string(&bp)?, author, now).await?;
    tx.commit().await.map_err(StoreError::from)?;

    let report = ImportReport { items: items(), skipped: vec![] };
    let actor = Actor { id: Some(author), role: Some("author") };
    import::commit(db, bank_id, actor, Format::Xlsx, &report, b"demo").await?;
    // The reviewer approves all but the last three, which stay in the review queue.
    let (_, pending) = items::search(db, bank_id, &items::Search { limit: 100, ..Default::default() }).await?;
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    for r in pending.iter().take(pending.len().saturating_sub(3)) {
        items::set_status(&mut tx, r.version_id, ItemStatus::InReview, ItemStatus::Approved, Some((reviewer, None, now))).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
