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
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub media: MediaSettings,
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
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// How long a sign-in lasts.
    pub session_ttl_secs: i64,
    /// Failed passwords in a row before the account is locked.
    pub max_failed_logins: i64,
    /// How long a locked account stays locked.
    pub lockout_secs: i64,
    /// Sign-in attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            database_pool: crate::store::DEFAULT_POOL_SIZE,
            redis_url: String::new(),
            redis_channel: "exam:events".to_string(),
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            media: MediaSettings::default(),
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl_secs: 12 * 3600,
            max_failed_logins: 5,
            lockout_secs: 15 * 60,
            login_attempts_per_minute: 30,
            cookie_secure: true,
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self { max_body_bytes: 1024 * 1024, max_import_bytes: 50 * 1024 * 1024 }
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
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Settings::default(),
        };
        s.apply_env(|k| std::env::var(k).ok())?;
        s.apply_overrides(overrides);
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
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("exam.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env_then_flags() {
        let mut s: Settings = toml::from_str(
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/a\"\n[auth]\nmax_failed_logins = 3\n",
        )
        .expect("valid toml");
        assert_eq!(s.auth.max_failed_logins, 3);
        assert_eq!(s.auth.lockout_secs, 900, "unset keys keep their defaults");
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
        let s: Settings = toml::from_str(include_str!("../../config.example.toml")).expect("example parses");
        let d = Settings::default();
        assert_eq!(s.listen, d.listen);
        assert_eq!(s.data_dir, d.data_dir);
        assert_eq!((&s.database_url, s.database_pool), (&d.database_url, d.database_pool));
        assert_eq!(s.auth.session_ttl_secs, d.auth.session_ttl_secs);
        assert_eq!(s.auth.max_failed_logins, d.auth.max_failed_logins);
        assert_eq!(s.auth.lockout_secs, d.auth.lockout_secs);
        assert_eq!(s.auth.login_attempts_per_minute, d.auth.login_attempts_per_minute);
        assert_eq!(s.auth.cookie_secure, d.auth.cookie_secure);
        assert_eq!(s.http.max_body_bytes, d.http.max_body_bytes);
        assert_eq!(s.http.max_import_bytes, d.http.max_import_bytes);
        assert_eq!((s.media.bind_ip, s.media.udp_port_min, s.media.udp_port_max), (d.media.bind_ip, d.media.udp_port_min, d.media.udp_port_max));
        assert_eq!((s.media.keyframe_secs, s.media.ice_timeout_secs), (d.media.keyframe_secs, d.media.ice_timeout_secs));
        assert_eq!((&s.media.public_ip, &s.media.ice_servers, &s.media.recordings_dir), (&d.media.public_ip, &d.media.ice_servers, &d.media.recordings_dir));
    }
}

impl Settings {
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
        })
    }
}
