//! A document rendered with Debian's Noto Sans CJK SC reads back in Chinese through poppler's
//! `pdftotext`, across pages, with the font embedded as a subset (the file stays small).
use documents::{Block, Document, FontSource, render};

const FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

fn font() -> Option<Vec<u8>> {
    match std::fs::read(FONT) {
        Ok(b) => Some(b),
        Err(e) => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{FONT} is required under CI (fonts-noto-cjk): {e}");
            eprintln!("skipped: {FONT} missing");
            None
        }
    }
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("doc-{}-{}", std::process::id(), pdf.len()));
    std::fs::write(&dir, pdf).expect("write");
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(&dir).arg("-").output().expect("pdftotext (poppler-utils) is required");
    let _ = std::fs::remove_file(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn a_long_table_in_chinese_reads_back_on_every_page() {
    let Some(data) = font() else { return };
    let rows: Vec<Vec<String>> = (1..=80).map(|i| vec![i.to_string(), format!("考生{i:02}"), format!("2026000001{i:04}"), "已签到".into()]).collect();
    let doc = Document {
        blocks: vec![
            Block::Title("签到表".into()),
            Block::Subtitle("电工四级理论知识考试（演示）· 第一考场".into()),
            Block::Facts(vec![("考试日期".into(), "2026年12月7日".into()), ("考场".into(), "第一考场".into())]),
            Block::Paragraph("本表由系统根据考生登录记录自动生成，并写入存证日志。".into()),
            Block::Table { headers: vec!["序号".into(), "姓名".into(), "准考证号".into(), "状态".into()], widths: vec![1.0, 2.0, 3.0, 2.0], rows },
            Block::Signatures(vec!["监考人员签名：".into(), "日期：".into()]),
        ],
        footer: "职业技能等级认定 · 签到表".into(),
    };
    let pdf = render(&FontSource { data: &data, index: 2 }, &doc).expect("render");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 400_000, "the font is subsetted: {} bytes", pdf.len());
    let text = pdftotext(&pdf);
    for want in ["签到表", "电工四级理论知识考试", "考生01", "考生80", "监考人员签名", "已签到"] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains("第1页/共3页") && compact.contains("第3页/共3页"), "the table runs over pages, numbered: {text}");
}

#[test]
fn a_face_that_does_not_exist_is_an_error() {
    let Some(data) = font() else { return };
    let doc = Document { blocks: vec![Block::Title("承诺书".into())], footer: String::new() };
    assert!(render(&FontSource { data: &data, index: 99 }, &doc).is_err());
    assert!(render(&FontSource { data: b"not a font", index: 0 }, &doc).is_err());
}
