//! Making a session's key documents from its records and keeping them in the archive.
use std::sync::{Arc, Mutex, OnceLock};

use documents::{Block, Document, FontSource};
use exam_protocol::Role;
use exam_records::exams;

use super::{commitment, room_record};
use crate::actor::Actor;
use crate::app::App;
use crate::archive::{Class, files};
use crate::error::AppError;
use crate::lang::Lang;

/// What was made: the archive's ids of the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<i64>,
}

/// Fonts read so far, by path.
type FontCache = Mutex<Vec<(String, Arc<Vec<u8>>)>>;

/// The font, read once per path (a CJK collection is about 20 MB).
fn font(path: &str) -> Result<Arc<Vec<u8>>, AppError> {
    static CACHE: OnceLock<FontCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some((_, f)) = cache.lock().ok().and_then(|c| c.iter().find(|(p, _)| p == path).cloned()) {
        return Ok(f);
    }
    let bytes = Arc::new(std::fs::read(path).map_err(|e| {
        tracing::error!(path, error = %e, "the documents' CJK font cannot be read (documents.font_path; Debian: fonts-noto-cjk)");
        AppError::Conflict("font_unavailable")
    })?);
    if let Ok(mut c) = cache.lock() {
        c.push((path.to_string(), bytes.clone()));
    }
    Ok(bytes)
}

fn when(ms: i64) -> String {
    let (y, m, d, h, mi) = crate::clock::china_civil(ms);
    format!("{y}-{m:02}-{d:02} {h:02}:{mi:02}")
}

/// Makes the session's key documents and keeps them (a new version each time); `actor` is the
/// institution's admin asking for them, or `None` when the system makes them at the end.
pub async fn for_session(app: &App, actor: Option<&Actor>, session_id: i64) -> Result<Generated, AppError> {
    let s = match actor {
        Some(a) if a.role() == Role::InstitutionAdmin => crate::exams::session_changes::own_session(&app.db, a, session_id).await?,
        Some(_) => return Err(AppError::Forbidden),
        None => exams::get_session(&app.db, session_id).await?.ok_or(AppError::NotFound)?,
    };
    let font = font(&app.settings.documents.font_path)?;
    let institution = exam_records::institutions::get(&app.db, s.institution_id).await?.map(|i| i.name).unwrap_or_default();
    let bank = exam_records::banks::get(&app.db, s.bank_id).await?;
    let occupation = bank.map(|b| format!("{} {}", b.occupation_code, b.name)).unwrap_or_default();
    let level = question_bank::level::Level::new(u8::try_from(s.level).unwrap_or(0)).map(|l| l.name_zh().to_string()).unwrap_or_default();
    let (proctor_ids, _) = exams::staff(&app.db, s.id).await?;
    let mut proctors = Vec::new();
    for id in proctor_ids {
        if let Some(a) = exam_records::accounts::get(&app.db, id).await? {
            proctors.push(a.display_name);
        }
    }
    let candidates = exams::candidates(&app.db, s.id).await?;
    let room = crate::exams::proctor::room_of(app, &s).await?;
    let facts = vec![
        ("评价机构".to_string(), institution.clone()),
        ("职业（工种）及等级".to_string(), format!("{occupation} {level}")),
        ("考试场次".to_string(), s.name.clone()),
        ("考场".to_string(), s.room.clone()),
        ("考试时间".to_string(), format!("{} 至 {}", when(s.starts_at_ms), when(s.ends_at_ms))),
        ("监考人员".to_string(), proctors.join("、")),
    ];
    let subtitle = format!("{institution} · {} · {}", s.name, s.room);
    let footer = format!("职业技能等级认定 · {} · 场次 {}", s.name, s.id);
    let signatures = Block::Signatures(vec!["监考人员签名：".into(), "考务负责人签名：".into(), "日期：".into()]);

    let mut docs: Vec<(String, Document)> = Vec::new();
    // 签到表: who signed in, when, and their commitment.
    let rows = candidates
        .iter()
        .zip(&room)
        .enumerate()
        .map(|(i, (c, r))| {
            vec![
                (i + 1).to_string(),
                c.name.clone(),
                c.ticket.clone(),
                r.id_masked.clone(),
                c.commitment_at_ms.map(when).unwrap_or_else(|| "未签署".into()),
                c.signed_in_at_ms.map(when).unwrap_or_else(|| "未登录".into()),
                crate::exams::summary::stage_name(r.stage, Lang::Zh).to_string(),
            ]
        })
        .collect();
    docs.push((
        "签到表".into(),
        Document {
            blocks: vec![
                Block::Title("签到表".into()),
                Block::Subtitle(subtitle.clone()),
                Block::Facts(facts.clone()),
                Block::Table {
                    headers: ["序号", "姓名", "准考证号", "证件号码", "签署承诺书", "登录时间", "状态"].map(String::from).to_vec(),
                    widths: vec![0.6, 1.2, 2.2, 2.0, 1.9, 1.9, 1.1],
                    rows,
                },
                signatures.clone(),
            ],
            footer: footer.clone(),
        },
    ));
    // 考场记录表: every entry of the room's record, oldest first, as sentences.
    let names: std::collections::HashMap<i64, String> = candidates.iter().map(|c| (c.id, format!("{}（{}）", c.name, c.ticket))).collect();
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = exams::events_after(&app.db, s.id, after, 500, true).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let n = page.len();
        events.extend(page);
        if n < 500 {
            break;
        }
    }
    let record_rows = events
        .iter()
        .map(|(_, cid, kind, detail, at)| {
            let (kind_name, sentence) = room_record::sentence(kind, detail);
            vec![when(*at), cid.and_then(|c| names.get(&c).cloned()).unwrap_or_else(|| "—".into()), kind_name.to_string(), sentence]
        })
        .collect::<Vec<_>>();
    let mut record_blocks = vec![Block::Title("考场记录表".into()), Block::Subtitle(subtitle.clone()), Block::Facts(facts.clone())];
    if record_rows.is_empty() {
        record_blocks.push(Block::Paragraph("本场次没有考场记录。".into()));
    } else {
        record_blocks.push(Block::Table {
            headers: ["时间", "考生", "事项", "情况"].map(String::from).to_vec(),
            widths: vec![1.8, 2.4, 1.1, 4.7],
            rows: record_rows,
        });
    }
    record_blocks.push(signatures.clone());
    docs.push(("考场记录表".into(), Document { blocks: record_blocks, footer: footer.clone() }));
    // 成绩汇总表: the same rows as the XLSX summary.
    let summary_rows = crate::exams::summary::rows(&room, s.pass_mark, Lang::Zh).into_iter().map(|r| r.to_vec()).collect();
    docs.push((
        "成绩汇总表".into(),
        Document {
            blocks: vec![
                Block::Title("成绩汇总表".into()),
                Block::Subtitle(subtitle.clone()),
                Block::Facts(facts.clone()),
                Block::Paragraph(format!("合格分数线：{} 分（百分制）。", s.pass_mark)),
                Block::Table {
                    headers: crate::exams::summary::headers(Lang::Zh).map(String::from).to_vec(),
                    widths: vec![0.6, 2.2, 1.2, 2.0, 1.1, 1.1, 1.0],
                    rows: summary_rows,
                },
                signatures.clone(),
            ],
            footer: footer.clone(),
        },
    ));
    // 承诺书: one per candidate who accepted it.
    for (c, r) in candidates.iter().zip(&room) {
        let Some(at) = c.commitment_at_ms else { continue };
        docs.push((
            format!("承诺书-{}", c.ticket),
            Document {
                blocks: vec![
                    Block::Title("考试承诺书".into()),
                    Block::Subtitle(subtitle.clone()),
                    Block::Facts(vec![
                        ("姓名".into(), c.name.clone()),
                        ("准考证号".into(), c.ticket.clone()),
                        ("证件号码".into(), r.id_masked.clone()),
                        ("考试场次".into(), s.name.clone()),
                    ]),
                    Block::Paragraph(commitment::TEXT_ZH.into()),
                    Block::Space(12.0),
                    Block::Paragraph(format!("考生于 {} 在考试系统中阅读上述承诺，勾选同意并电子签署。", when(at))),
                    Block::Signatures(vec![format!("承诺人：{}（电子签署）", c.name), format!("日期：{}", when(at))]),
                ],
                footer: footer.clone(),
            },
        ));
    }

    let mut out = Vec::new();
    for (name, doc) in docs {
        let font = font.clone();
        let index = app.settings.documents.font_index;
        let pdf = tokio::task::spawn_blocking(move || documents::render(&FontSource { data: &font, index }, &doc))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{name}: {e}")))?;
        let new = files::NewFile {
            class: Class::KeyDocument,
            subject: format!("session:{}", s.id),
            institution_id: Some(s.institution_id),
            name: &name,
            mime: "application/pdf",
            extension: "pdf",
            period_from_ms: s.ends_at_ms,
            extra: serde_json::json!({ "session": s.id }),
        };
        out.push(files::store(app, actor, &new, &pdf).await?);
    }
    Ok(Generated { files: out })
}

/// Makes the documents of every session that has ended and has none yet (the server does this
/// every minute); how many sessions.
pub async fn due(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now_ms();
    let mut n = 0;
    for id in exams::ended_without_documents(&app.db, now).await? {
        match for_session(app, None, id).await {
            Ok(_) => n += 1,
            Err(e) => {
                tracing::warn!(session = id, error = %e, "key documents not made");
                break;
            }
        }
    }
    Ok(n)
}
