//! A 1.6 KB workbook with cells at A1 and XFD1048576 once made the spreadsheet reader allocate
//! every cell between them and killed the server. Every route that reads a spreadsheet now
//! refuses it with `sheet_too_large`, and the server goes on serving.
use std::io::Write;

use e2e_tests::{Backend, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// A workbook whose one sheet holds a cell at A1 and one at XFD1048576.
fn bomb() -> Vec<u8> {
    let cell = |r: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>x</t></is></c>"#);
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
                cell("A1"),
                cell("XFD1048576")
            ),
        ),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in &parts {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).expect("start");
        w.write_all(text.as_bytes()).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

async fn upload(app: &TestApp, user: &str, path: &str) -> (StatusCode, Value) {
    let c = app.signed_in(user).await;
    let r = c.request(Method::POST, path).header("content-type", "application/octet-stream").body(bomb()).send().await.expect("upload");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn every_spreadsheet_route_refuses_the_bomb_and_the_server_lives(b: Backend) {
    let app = TestApp::spawn_demo(b).await;
    assert!(bomb().len() < 4096, "a small file");
    for (user, path) in
        [("supervisor", "/api/v1/import/check?format=xlsx"), ("author", "/api/v1/banks/1/import?format=xlsx"), ("author", "/api/v1/banks/1/outline/import")]
    {
        let (status, body) = upload(&app, user, path).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sheet_too_large")), "{path}: {body}");
    }
    // Someone who may not change the outline is refused before the file is read.
    let (status, _) = upload(&app, "supervisor", "/api/v1/banks/1/outline/import").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let health = reqwest::get(format!("{}/healthz", app.base)).await.expect("still serving");
    assert!(health.status().is_success());
}

both_backends!(every_spreadsheet_route_refuses_the_bomb_and_the_server_lives);
