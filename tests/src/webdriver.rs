//! A small W3C WebDriver client for Debian's ChromeDriver driving headless Chromium: enough to
//! open pages, type, click, read text and take screenshots like a user would.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug)]
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

#[derive(Debug, Clone)]
pub struct Element(String);

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile and a fake camera.
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is required (package chromium-driver; run scripts/test.sh)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not come up");
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1200,900".into(),
            "--use-fake-device-for-media-stream".into(),
            "--use-fake-ui-for-media-stream".into(),
            // Screen sharing picks a source by itself; loopback addresses stay visible to WebRTC.
            "--auto-select-desktop-capture-source=Entire screen".into(),
            "--auto-accept-this-tab-capture".into(),
            "--allow-loopback-in-peer-connection".into(),
            "--disable-features=WebRtcHideLocalIpsWithMdns".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        }}});
        let resp: Value = http.post(format!("{base}/session")).json(&caps).send().await.expect("new session").json().await.expect("session json");
        let session = resp["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no WebDriver session: {resp}")).to_string();
        Browser { driver, base, session, http, _profile: profile }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut rb = self.http.request(method, url);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let v: Value = rb.send().await.expect("webdriver call").json().await.expect("webdriver json");
        v["value"].clone()
    }

    /// Signs in on the sign-in page as a staff account (keyboard only, as a person would) and
    /// waits for the home page.
    pub async fn sign_in(&self, base: &str, username: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        self.wait_for("#username").await;
        self.send_keys_to_active(&format!("{username}\u{E004}{password}\u{E007}")).await;
        self.wait_for("#welcome").await;
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching `css`, if any, right now.
    pub async fn find(&self, css: &str) -> Option<Element> {
        let v = self.call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css }))).await;
        v.get(ELEMENT_KEY).and_then(Value::as_str).map(|id| Element(id.to_string()))
    }

    /// Waits (polling, up to 10 s) for an element to appear; pages load asynchronously.
    pub async fn wait_for(&self, css: &str) -> Element {
        for _ in 0..100 {
            if let Some(e) = self.find(css).await {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.current_url().await;
        let source = self.call(reqwest::Method::GET, "/source", None).await;
        panic!("element {css} never appeared on {url}: {}", source.as_str().unwrap_or_default());
    }

    pub async fn type_into(&self, el: &Element, text: &str) {
        self.call(reqwest::Method::POST, &format!("/element/{}/value", el.0), Some(json!({ "text": text }))).await;
    }

    pub async fn click(&self, el: &Element) {
        self.call(reqwest::Method::POST, &format!("/element/{}/click", el.0), Some(json!({}))).await;
    }

    pub async fn text(&self, el: &Element) -> String {
        self.call(reqwest::Method::GET, &format!("/element/{}/text", el.0), None).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn attribute(&self, el: &Element, name: &str) -> Option<String> {
        self.call(reqwest::Method::GET, &format!("/element/{}/attribute/{name}", el.0), None).await.as_str().map(str::to_string)
    }

    /// Runs a script in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [] }))).await
    }

    /// Presses keys in the focused element (WebDriver key codes, e.g. "\u{E007}" for Enter).
    pub async fn send_keys_to_active(&self, keys: &str) {
        let active = self.call(reqwest::Method::GET, "/element/active", None).await;
        if let Some(id) = active.get(ELEMENT_KEY).and_then(Value::as_str) {
            self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({ "text": keys }))).await;
        }
    }

    /// A PNG of the viewport, for a person to look at when a test fails.
    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(b64) = v.as_str()
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(path, bytes);
        }
    }

    /// Signs a candidate in on the exam page (ticket, ID number, password) and accepts the
    /// commitment letter, as a person would.
    pub async fn sign_in_candidate(&self, base: &str, ticket: &str, id_number: &str, password: &str) {
        self.goto(&format!("{base}/exam")).await;
        self.type_into(&self.wait_for("#ticket").await, ticket).await;
        self.type_into(&self.wait_for("#id-number").await, id_number).await;
        self.type_into(&self.wait_for("#exam-password").await, password).await;
        self.click(&self.wait_for("#candidate-sign-in").await).await;
        self.wait_for("[data-stage='commitment']").await;
        self.click(&self.wait_for("#agree").await).await;
        self.click(&self.wait_for("#accept").await).await;
    }

    /// Waits (polling, up to 15 s) until `script` returns true; else fails with what the page
    /// shows.
    pub async fn until(&self, script: &str, what: &str) {
        for _ in 0..150 {
            if self.execute(script).await.as_bool() == Some(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let state = self.execute("return document.body.innerText").await;
        panic!("{what} never happened; the page shows: {state}");
    }

    /// Resizes the window (for screenshots of wide pages such as the proctor's room).
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": width, "height": height }))).await;
    }

    /// A screenshot into `$SCREENSHOT_DIR/<name>.png` when that variable is set: for a person
    /// to look at the pages the tests walk through.
    pub async fn keep_screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
            let _ = std::fs::create_dir_all(&dir);
            self.screenshot(&std::path::Path::new(&dir).join(format!("{name}.png"))).await;
        }
    }

    pub async fn delete_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask the driver to end the session (it closes Chromium), even after a panic; then end
        // the driver. Killing the driver alone leaves Chromium running.
        quit_session(&self.base, &self.session);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` with a plain blocking socket (Drop cannot await).
fn quit_session(base: &str, session: &str) {
    use std::io::{Read, Write};
    let Some(addr) = base.strip_prefix("http://") else {
        return;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
    }
}
