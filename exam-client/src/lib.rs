//! The typed client of the exam API (HTTP now, WebSocket later), used by the CLI, the headless
//! candidate, the load generator and the end-to-end tests.

pub mod bench;
pub mod exam_socket;
pub mod keyframe_requests;
pub mod media_bench;
pub mod media_peer;

pub use exam_socket::{ExamSocket, SocketError};

use exam_protocol::{
    Account, AuditEvent, AuditVerifyReport, Bank, ErrorBody, ImportSummary, Institution, ItemPage, ItemRecord, LoginRequest, LoginResponse, NewAccount,
    NewBank, NewInstitution, ReviewDecision, ReviewRequest,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error body.
    #[error("{status}: {} ({})", .body.message, .body.error)]
    Api { status: StatusCode, body: ErrorBody },
    /// The server answered, but not with something this client understands.
    #[error("unexpected response {status}: {text}")]
    Unexpected { status: StatusCode, text: String },
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
}

impl ClientError {
    /// The stable error code, when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { body, .. } => Some(&body.error),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ClientError::Api { status, .. } | ClientError::Unexpected { status, .. } => Some(*status),
            ClientError::Transport(e) => e.status(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    lang: Option<String>,
}

impl Client {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Client {
        Client { base: base.trim_end_matches('/').to_string(), http: reqwest::Client::new(), token: None, lang: None }
    }

    /// Asks for error messages in this language (`Accept-Language`).
    pub fn with_language(mut self, tag: &str) -> Client {
        self.lang = Some(tag.to_string());
        self
    }

    pub fn with_token(mut self, token: &str) -> Client {
        self.token = Some(token.to_string());
        self
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to `path` with this client's token and language, for calls not wrapped below.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(l) = &self.lang {
            rb = rb.header(reqwest::header::ACCEPT_LANGUAGE, l);
        }
        rb
    }

    async fn send<T: DeserializeOwned>(&self, rb: reqwest::RequestBuilder) -> Result<T, ClientError> {
        let resp = rb.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|_| ClientError::Unexpected { status, text });
        }
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ClientError::Api { status, body }),
            Err(_) => Err(ClientError::Unexpected { status, text }),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.send(self.request(Method::GET, path)).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    /// A JSON POST to a route this client does not wrap yet.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        self.post(path, body).await
    }

    /// Signs in; on success this client carries the token from then on.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<LoginResponse, ClientError> {
        let req = LoginRequest { username: username.to_string(), password: password.to_string() };
        let resp: LoginResponse = self.post("/api/v1/auth/login", &req).await?;
        self.token = Some(resp.token.clone());
        Ok(resp)
    }

    pub async fn logout(&mut self) -> Result<(), ClientError> {
        let resp = self.request(Method::POST, "/api/v1/auth/logout").send().await?;
        let status = resp.status();
        if status == StatusCode::NO_CONTENT {
            self.token = None;
            return Ok(());
        }
        let text = resp.text().await?;
        Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ClientError::Api { status, body },
            Err(_) => ClientError::Unexpected { status, text },
        })
    }

    pub async fn me(&self) -> Result<Account, ClientError> {
        self.get("/api/v1/me").await
    }

    pub async fn institutions(&self) -> Result<Vec<Institution>, ClientError> {
        self.get("/api/v1/institutions").await
    }

    pub async fn institution(&self, id: i64) -> Result<Institution, ClientError> {
        self.get(&format!("/api/v1/institutions/{id}")).await
    }

    pub async fn create_institution(&self, new: &NewInstitution) -> Result<Institution, ClientError> {
        self.post("/api/v1/institutions", new).await
    }

    pub async fn users(&self) -> Result<Vec<Account>, ClientError> {
        self.get("/api/v1/users").await
    }

    pub async fn user(&self, id: i64) -> Result<Account, ClientError> {
        self.get(&format!("/api/v1/users/{id}")).await
    }

    pub async fn create_user(&self, new: &NewAccount) -> Result<Account, ClientError> {
        self.post("/api/v1/users", new).await
    }

    pub async fn audit_events(&self, after: i64, limit: i64) -> Result<Vec<AuditEvent>, ClientError> {
        self.get(&format!("/api/v1/audit/events?after={after}&limit={limit}")).await
    }

    pub async fn audit_verify(&self) -> Result<AuditVerifyReport, ClientError> {
        self.get("/api/v1/audit/verify").await
    }

    pub async fn banks(&self) -> Result<Vec<Bank>, ClientError> {
        self.get("/api/v1/banks").await
    }

    pub async fn create_bank(&self, new: &NewBank) -> Result<Bank, ClientError> {
        self.post("/api/v1/banks", new).await
    }

    /// Uploads an item file into a bank; with `dry_run` only the report comes back.
    pub async fn import_items(&self, bank_id: i64, file: Vec<u8>, format: Option<&str>, dry_run: bool) -> Result<ImportSummary, ClientError> {
        let mut path = format!("/api/v1/banks/{bank_id}/import?dry_run={dry_run}");
        if let Some(f) = format {
            path.push_str(&format!("&format={f}"));
        }
        self.send(self.request(Method::POST, &path).header(reqwest::header::CONTENT_TYPE, "application/octet-stream").body(file)).await
    }

    /// Items of a bank; `query` is the search string, e.g. `type=single_choice&q=接地`.
    pub async fn items(&self, bank_id: i64, query: &str) -> Result<ItemPage, ClientError> {
        self.get(&format!("/api/v1/banks/{bank_id}/items?{query}")).await
    }

    pub async fn review(&self, item_id: i64, decision: ReviewDecision, comment: Option<&str>) -> Result<ItemRecord, ClientError> {
        let body = ReviewRequest { decision, comment: comment.map(str::to_string) };
        self.post(&format!("/api/v1/items/{item_id}/review"), &body).await
    }
}
