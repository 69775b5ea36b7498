//! The one settings struct: read once from a TOML file, then environment overrides, then
//! command-line flags. No other code reads the environment.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Where the SQLite file, recordings and documents live on the embedded default.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/exam.db`.
    pub database_url: String,
    /// PostgreSQL connections this process opens at most: a quarter (at least two) for writing
    /// transactions, the rest for reads. SQLite ignores it.
    pub database_pool: u32,
    /// Optional Redis for events between processes; empty means in-process only.
    pub redis_url: String,
    /// The Redis pub/sub channel of this deployment: every server process of one deployment
    /// uses the same one, and different deployments on one Redis use different ones.
    pub redis_channel: String,
    /// The secret every process of the deployment signs its bus messages with (HMAC-SHA256);
    /// required with Redis, so whoever reaches Redis cannot forge events. At least 32
    /// characters. Env: EXAM_REDIS_SECRET.
    pub redis_secret: String,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub exam: ExamSettings,
    pub media: MediaSettings,
    pub evidence: EvidenceSettings,
    pub archive: ArchiveSettings,
    pub documents: DocumentSettings,
    /// The certification rules sessions are checked against (the notice's by default).
    pub rules: crate::rules::Rules,
}

/// Limits on what one candidate's page may do during a test.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExamSettings {
    /// Extra time a paper may be given in all, in minutes; it never runs past the session's
    /// end either.
    pub max_extra_minutes: i64,
    /// Answers one paper may store (changes included); the sequence numbers go no higher.
    pub max_answers_per_paper: i64,
    /// Answers one socket may have waiting for their commit at once; further ones are not read
    /// from the socket until one is answered.
    pub max_answers_in_flight: usize,
    /// Integrity events (left the page, …) stored per candidate per minute, and in all.
    pub integrity_events_per_minute: u32,
    pub max_integrity_events: i64,
}

impl Default for ExamSettings {
    fn default() -> Self {
        Self { max_extra_minutes: 60, max_answers_per_paper: 5_000, max_answers_in_flight: 64, integrity_events_per_minute: 20, max_integrity_events: 500 }
    }
}

/// The evidence log: its name and the key its checkpoints are signed with.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceSettings {
    /// The log's name (its checkpoints' origin and its key's name), unique to the deployment,
    /// e.g. `exam.example.gov.cn/evidence`.
    pub origin: String,
    /// The Ed25519 signing key in the signed-note form `PRIVATE+KEY+<origin>+<id>+<key>`.
    /// Empty: one is made at first start and kept in `<data_dir>/evidence-signing.key`.
    /// Env: EXAM_EVIDENCE_SIGNING_KEY.
    pub signing_key: String,
}

impl Default for EvidenceSettings {
    fn default() -> Self {
        EvidenceSettings { origin: "exam.localhost/evidence".into(), signing_key: String::new() }
    }
}

/// The key documents' PDF font: a CJK OpenType font (or collection) and the face to use.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentSettings {
    pub font_path: String,
    /// The face in a collection: 2 is Simplified Chinese in Debian's Noto Sans CJK.
    pub font_index: u32,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        DocumentSettings { font_path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc".into(), font_index: 2 }
    }
}

/// Where evidence is archived and for how long.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveSettings {
    /// `local` (a directory, the default) or `s3` (S3-compatible object storage).
    pub backend: String,
    /// The local store's directory; empty: `<data_dir>/archive`.
    pub local_dir: String,
    /// Files wait here until the archive holds them; empty: `<data_dir>/spool`.
    pub spool_dir: String,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_bucket: String,
    pub s3_access_key: String,
    /// Env: EXAM_ARCHIVE_S3_SECRET_KEY.
    pub s3_secret_key: String,
    /// `object_lock` (per object, COMPLIANCE) or `bucket_worm` (the bucket locks everything).
    pub s3_mode: media::archive::S3Mode,
    pub s3_path_style: bool,
    /// Refuse to start unless the canary shows the backend itself refuses an early delete and
    /// a shortened retention.
    pub require_enforcing_backend: bool,
    /// Evaluation video: kept at least this many years after the session ends (at least 5).
    pub video_years: u32,
    /// Scanned paper materials: at least this many years (at least 3).
    pub paper_years: u32,
    /// Key documents are permanent: a legal hold and a retain-until date this many years on
    /// (at least 100).
    pub key_document_years: u32,
    /// Archival re-encode (off by default): once a session has ended, each recording segment
    /// is also kept as VP9 at `reencode_video_kbps` (audio copied), logged with the hash of the
    /// original it was made from; the original and its hash are kept as they are.
    pub reencode: bool,
    /// The re-encoded video's bitrate in kbit/s (50–5,000).
    pub reencode_video_kbps: u32,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings {
            backend: "local".into(),
            local_dir: String::new(),
            spool_dir: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_bucket: String::new(),
            s3_access_key: String::new(),
            s3_secret_key: String::new(),
            s3_mode: media::archive::S3Mode::ObjectLock,
            s3_path_style: true,
            require_enforcing_backend: false,
            video_years: 5,
            paper_years: 3,
            key_document_years: 100,
            reencode: false,
            reencode_video_kbps: 150,
        }
    }
}

/// The least each class is kept, by the notice: video 5 years, paper 3, key documents for good.
pub const MIN_VIDEO_YEARS: u32 = 5;
pub const MIN_PAPER_YEARS: u32 = 3;
pub const MIN_KEY_DOCUMENT_YEARS: u32 = 100;

impl ArchiveSettings {
    /// The retention settings under the notice's minimums are refused, with what they must be.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.video_years >= MIN_VIDEO_YEARS,
            "archive.video_years = {}: evaluation video must be kept at least {MIN_VIDEO_YEARS} years",
            self.video_years
        );
        anyhow::ensure!(
            self.paper_years >= MIN_PAPER_YEARS,
            "archive.paper_years = {}: paper materials must be kept at least {MIN_PAPER_YEARS} years",
            self.paper_years
        );
        anyhow::ensure!(
            self.key_document_years >= MIN_KEY_DOCUMENT_YEARS,
            "archive.key_document_years = {}: key documents are kept permanently (at least {MIN_KEY_DOCUMENT_YEARS} years and a legal hold)",
            self.key_document_years
        );
        match self.backend.as_str() {
            "local" => Ok(()),
            "s3" => {
                anyhow::ensure!(
                    !self.s3_endpoint.trim().is_empty() && !self.s3_bucket.trim().is_empty(),
                    "archive.backend = \"s3\" needs archive.s3_endpoint and archive.s3_bucket"
                );
                Ok(())
            }
            other => anyhow::bail!("archive.backend = {other:?}: use \"local\" or \"s3\""),
        }
    }
}

/// Live proctoring media (WebRTC).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSettings {
    /// The address ICE binds to; an explicit address (0.0.0.0 would skip loopback).
    pub bind_ip: std::net::IpAddr,
    /// UDP ports for peer connections: one per candidate and per proctor view.
    pub udp_port_min: u16,
    pub udp_port_max: u16,
    /// The public address announced behind 1:1 NAT; empty: the bind address.
    pub public_ip: String,
    /// STUN/TURN servers handed to browsers.
    pub ice_servers: Vec<exam_protocol::IceServer>,
    /// A keyframe is asked of every camera and screen this often.
    pub keyframe_secs: u64,
    /// A candidate whose connection has not come up after this long gets an alert.
    pub ice_timeout_secs: u64,
    /// Recordings go here; empty: `<data_dir>/recordings`.
    pub recordings_dir: String,
    /// coturn's `static-auth-secret` (TURN REST API): when set, every TURN server in
    /// `ice_servers` is handed to each candidate with a username and password of its own that
    /// expire after `turn_ttl_secs`, instead of the configured ones.
    pub turn_secret: String,
    pub turn_ttl_secs: i64,
    /// Recordings are cut into segments of about this many seconds (5 to 600), each starting
    /// on a keyframe and playable on its own.
    pub segment_secs: u64,
    /// The most a recording writes per track, in kbit/s (more is dropped, not written).
    pub max_video_kbps: u32,
    pub max_audio_kbps: u32,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            bind_ip: std::net::IpAddr::from([127, 0, 0, 1]),
            udp_port_min: 40_000,
            udp_port_max: 49_999,
            public_ip: String::new(),
            ice_servers: Vec::new(),
            keyframe_secs: 3,
            ice_timeout_secs: 15,
            recordings_dir: String::new(),
            turn_secret: String::new(),
            turn_ttl_secs: 4 * 3600,
            segment_secs: 60,
            max_video_kbps: 2_500,
            max_audio_kbps: 256,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// How long a sign-in lasts.
    pub session_ttl_secs: i64,
    /// Wrong passwords for one account from one address per minute; more wait for the minute
    /// to pass (a right password clears them). Nobody is locked out.
    pub max_failed_logins: u32,
    /// Wrong passwords in a row for one account from anywhere before it is slowed to one try
    /// per `slow_down_secs`, until a right one or the room's proctor clears them.
    pub max_failed_logins_total: i64,
    pub slow_down_secs: i64,
    /// Sign-in attempts per client address per minute: enough for a hall of 300 behind one
    /// public address.
    pub login_attempts_per_minute: u32,
    /// Wrong sign-ins per client address per minute; past them the address waits.
    pub login_failures_per_minute: u32,
    /// Sign-in attempts per username or admission ticket per minute.
    pub account_attempts_per_minute: u32,
    /// Mark the session cookie `Secure`; browsers still accept it on http://localhost.
    pub cookie_secure: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest request body the JSON API accepts.
    pub max_body_bytes: usize,
    /// Largest file an item import accepts.
    pub max_import_bytes: usize,
    /// Reverse proxies (addresses or CIDR blocks) whose `client_ip_header` is believed; from
    /// anyone else the socket's address is the client's.
    pub trusted_proxies: Vec<String>,
    /// The header a trusted proxy puts the client's address in (the right-most address not of
    /// a trusted proxy is taken).
    pub client_ip_header: String,
    /// Origins besides the request's own host that may send state-changing requests (the
    /// public address behind a proxy, e.g. "https://exam.example.org").
    pub allowed_origins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            database_pool: exam_records::DEFAULT_POOL_SIZE,
            redis_url: String::new(),
            redis_channel: "exam:events".to_string(),
            redis_secret: String::new(),
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            exam: ExamSettings::default(),
            media: MediaSettings::default(),
            evidence: EvidenceSettings::default(),
            archive: ArchiveSettings::default(),
            documents: DocumentSettings::default(),
            rules: crate::rules::Rules::default(),
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl_secs: 12 * 3600,
            max_failed_logins: 5,
            max_failed_logins_total: 50,
            slow_down_secs: 10,
            login_attempts_per_minute: 600,
            login_failures_per_minute: 30,
            account_attempts_per_minute: 10,
            cookie_secure: true,
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 50 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            client_ip_header: "x-forwarded-for".to_string(),
            allowed_origins: Vec::new(),
        }
    }
}

/// Values given on the command line; they win over the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Settings {
    /// File (if any), then `EXAM_*` environment variables, then command-line flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut s = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Settings::default(),
        };
        s.apply_env(|k| std::env::var(k).ok())?;
        s.apply_overrides(overrides);
        s.validate()?;
        Ok(s)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("EXAM_LISTEN") {
            self.listen = v.parse().with_context(|| format!("EXAM_LISTEN={v} is not an address"))?;
        }
        if let Some(v) = get("EXAM_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("EXAM_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = get("EXAM_DATABASE_POOL") {
            self.database_pool = v.parse().ok().filter(|n| *n >= 4).with_context(|| format!("EXAM_DATABASE_POOL={v} is not a number of at least 4"))?;
        }
        if let Some(v) = get("EXAM_REDIS_URL") {
            self.redis_url = v;
        }
        if let Some(v) = get("EXAM_REDIS_CHANNEL") {
            self.redis_channel = v;
        }
        if let Some(v) = get("EXAM_REDIS_SECRET") {
            self.redis_secret = v;
        }
        if let Some(v) = get("EXAM_EVIDENCE_SIGNING_KEY") {
            self.evidence.signing_key = v;
        }
        if let Some(v) = get("EXAM_ARCHIVE_S3_SECRET_KEY") {
            self.archive.s3_secret_key = v;
        }
        if let Some(v) = get("EXAM_TURN_SECRET") {
            self.media.turn_secret = v;
        }
        if let Some(v) = get("EXAM_MEDIA_BIND_IP") {
            self.media.bind_ip = v.parse().with_context(|| format!("EXAM_MEDIA_BIND_IP={v} is not an address"))?;
        }
        if let Some(v) = get("EXAM_MEDIA_PUBLIC_IP") {
            self.media.public_ip = v;
        }
        if let Some(v) = get("EXAM_MEDIA_PORTS") {
            let (a, b) = v.split_once('-').with_context(|| format!("EXAM_MEDIA_PORTS={v} is not MIN-MAX"))?;
            self.media.udp_port_min = a.trim().parse().with_context(|| format!("EXAM_MEDIA_PORTS={v}"))?;
            self.media.udp_port_max = b.trim().parse().with_context(|| format!("EXAM_MEDIA_PORTS={v}"))?;
        }
        if let Some(v) = get("EXAM_COOKIE_SECURE") {
            self.auth.cookie_secure = v != "false" && v != "0";
        }
        Ok(())
    }

    pub fn apply_overrides(&mut self, o: &Overrides) {
        if let Some(l) = o.listen {
            self.listen = l;
        }
        if let Some(d) = &o.data_dir {
            self.data_dir = d.clone();
        }
        if let Some(u) = &o.database_url {
            self.database_url = u.clone();
        }
    }

    /// The database URL in effect: the configured one, or SQLite in the data directory.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() { format!("sqlite://{}?mode=rwc", self.data_dir.join("exam.db").display()) } else { self.database_url.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env_then_flags() {
        let mut s: Settings = toml::from_str("listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/a\"\n[auth]\nmax_failed_logins = 3\n").expect("valid toml");
        assert_eq!(s.auth.max_failed_logins, 3);
        assert_eq!(s.auth.slow_down_secs, 10, "unset keys keep their defaults");
        s.apply_env(|k| (k == "EXAM_DATA_DIR").then(|| "/srv/b".to_string())).expect("env");
        assert_eq!(s.data_dir, PathBuf::from("/srv/b"));
        s.apply_overrides(&Overrides { data_dir: Some("/srv/c".into()), ..Default::default() });
        assert_eq!(s.data_dir, PathBuf::from("/srv/c"));
        assert_eq!(s.listen.port(), 9000);
        assert!(s.effective_database_url().starts_with("sqlite:///srv/c/exam.db"));
        s.apply_env(|k| (k == "EXAM_DATABASE_POOL").then(|| "40".to_string())).expect("env");
        assert_eq!(s.database_pool, 40);
        assert!(s.apply_env(|k| (k == "EXAM_DATABASE_POOL").then(|| "2".to_string())).is_err(), "too few to split");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Settings>("lisen = \"x\"").is_err());
    }
}

#[cfg(test)]
mod example_file {
    use super::Settings;

    #[test]
    fn the_documented_example_is_valid_and_shows_the_defaults() {
        let s: Settings = toml::from_str(include_str!("../../../config.example.toml")).expect("example parses");
        let d = Settings::default();
        assert_eq!(s.listen, d.listen);
        assert_eq!(s.data_dir, d.data_dir);
        assert_eq!((&s.database_url, s.database_pool), (&d.database_url, d.database_pool));
        assert_eq!(s.auth.session_ttl_secs, d.auth.session_ttl_secs);
        assert_eq!(s.auth.max_failed_logins, d.auth.max_failed_logins);
        assert_eq!((s.auth.max_failed_logins_total, s.auth.slow_down_secs), (d.auth.max_failed_logins_total, d.auth.slow_down_secs));
        assert_eq!(s.auth.login_attempts_per_minute, d.auth.login_attempts_per_minute);
        assert_eq!(
            (s.auth.login_failures_per_minute, s.auth.account_attempts_per_minute),
            (d.auth.login_failures_per_minute, d.auth.account_attempts_per_minute)
        );
        assert_eq!(
            (&s.http.trusted_proxies, &s.http.client_ip_header, &s.http.allowed_origins),
            (&d.http.trusted_proxies, &d.http.client_ip_header, &d.http.allowed_origins)
        );
        assert_eq!(
            (s.exam.max_extra_minutes, s.exam.max_answers_per_paper, s.exam.max_answers_in_flight),
            (d.exam.max_extra_minutes, d.exam.max_answers_per_paper, d.exam.max_answers_in_flight)
        );
        assert_eq!((s.exam.integrity_events_per_minute, s.exam.max_integrity_events), (d.exam.integrity_events_per_minute, d.exam.max_integrity_events));
        assert_eq!((&s.redis_secret, &s.media.turn_secret, s.media.turn_ttl_secs), (&d.redis_secret, &d.media.turn_secret, d.media.turn_ttl_secs));
        assert_eq!((s.media.max_video_kbps, s.media.max_audio_kbps), (d.media.max_video_kbps, d.media.max_audio_kbps));
        assert_eq!(s.auth.cookie_secure, d.auth.cookie_secure);
        assert_eq!(s.rules, d.rules, "the example's [rules] are the notice's");
        assert_eq!(s.http.max_body_bytes, d.http.max_body_bytes);
        assert_eq!(s.http.max_import_bytes, d.http.max_import_bytes);
        assert_eq!((s.media.bind_ip, s.media.udp_port_min, s.media.udp_port_max), (d.media.bind_ip, d.media.udp_port_min, d.media.udp_port_max));
        assert_eq!((s.media.keyframe_secs, s.media.ice_timeout_secs), (d.media.keyframe_secs, d.media.ice_timeout_secs));
        assert_eq!((&s.media.public_ip, &s.media.ice_servers, &s.media.recordings_dir), (&d.media.public_ip, &d.media.ice_servers, &d.media.recordings_dir));
    }
}

impl Settings {
    /// What must hold before a process starts: a clear message naming the setting, or Ok.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.rules.validate().map_err(|e| anyhow::anyhow!("invalid setting {e}"))?;
        self.archive.validate()?;
        self.media_config()?;
        Ok(())
    }

    /// The media server's configuration from these settings.
    pub fn media_config(&self) -> anyhow::Result<media::sfu::MediaConfig> {
        let m = &self.media;
        let public_ip = if m.public_ip.trim().is_empty() {
            None
        } else {
            Some(m.public_ip.trim().parse().with_context(|| format!("media.public_ip {} is not an address", m.public_ip))?)
        };
        anyhow::ensure!(m.udp_port_min <= m.udp_port_max && m.udp_port_min > 0, "media.udp_port_min must be 1..=udp_port_max");
        let recordings_dir = if m.recordings_dir.is_empty() { self.data_dir.join("recordings") } else { PathBuf::from(&m.recordings_dir) };
        Ok(media::sfu::MediaConfig {
            bind_ip: m.bind_ip,
            udp_port_min: m.udp_port_min,
            udp_port_max: m.udp_port_max,
            public_ip,
            ice_servers: m.ice_servers.clone(),
            recordings_dir,
            keyframe_every: std::time::Duration::from_secs(m.keyframe_secs.max(1)),
            ice_timeout: std::time::Duration::from_secs(m.ice_timeout_secs.max(1)),
            stall_after: std::time::Duration::from_secs(2),
            segment: std::time::Duration::from_secs(m.segment_secs.clamp(5, 600)),
        })
    }
}
