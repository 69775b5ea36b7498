//! Live events between the parts of the server and, when Redis is configured, between server
//! processes. Every process delivers its own events at once through an in-process channel; with
//! Redis each event is also published on one channel and every other process delivers it when it
//! arrives. Nothing here is durable: an event says "look again", the database holds the truth.
mod redis_bus;

use exam_protocol::{MediaKind, ViewQuality};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

/// What happened. Small and self-describing, so processes of different versions can share a bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A paper's status or clock changed (pause, resume, extra time, hand-in, termination).
    /// `candidate_id` lets the candidate's open sockets be told at once (0 from processes that
    /// predate it: their sockets learn at the next clock message).
    PaperChanged {
        paper_id: i64,
        #[serde(default)]
        candidate_id: i64,
    },
    /// A proctor's message or warning for one candidate, shown on their page at once.
    Notice { candidate_id: i64, text: String, warning: bool, at_ms: i64 },
    /// Which of a candidate's tracks flow into the process `node` (none: they stopped there).
    MediaState { node: u64, candidate_id: i64, kinds: Vec<MediaKind> },
    /// A proctor's offer to watch a candidate whose media flows into another process; that
    /// process answers. The right to watch was checked by the process that publishes this.
    WatchOffer { request: u64, candidate_id: i64, sdp: String, kinds: Vec<MediaKind>, quality: ViewQuality },
    /// The answer to a `WatchOffer`: the SDP answer and the tracks in it, or a refusal's code.
    WatchAnswer { request: u64, result: Result<(String, Vec<MediaKind>), String> },
    /// The candidate's test ended: their streams close wherever they flow.
    MediaEnded { candidate_id: i64 },
    /// An account's sign-in ended (sign-out: that token; a proctor moved the candidate to a new
    /// device: every token): its open sockets close wherever they are.
    SignedOut { account_id: i64, token_hash: Option<String> },
    /// Events may have been missed (the Redis connection was lost and is back): forget
    /// everything cached from events.
    Resync,
}

/// The shortest bus secret accepted.
pub const MIN_SECRET_LEN: usize = 32;

/// The bus as one process sees it; cheap to clone.
#[derive(Debug, Clone)]
pub struct EventBus {
    local: broadcast::Sender<Event>,
    /// To the Redis publisher task, when Redis is configured.
    remote: Option<mpsc::UnboundedSender<Event>>,
    /// True once events from other processes are being received (always true without Redis).
    ready: watch::Receiver<bool>,
}

impl EventBus {
    /// In-process only: the embedded default, one server process.
    pub fn local() -> EventBus {
        let (local, _) = broadcast::channel(4096);
        let (_, ready) = watch::channel(true);
        EventBus { local, remote: None, ready }
    }

    /// In-process plus Redis pub/sub at `url`, every message signed with `secret` (HMAC-SHA256)
    /// and unsigned or stale ones dropped. Needs a Tokio runtime: the connections are kept by
    /// background tasks that reconnect by themselves.
    pub fn with_redis(url: &str, channel: &str, secret: &str) -> anyhow::Result<EventBus> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_LEN,
            "redis_secret (EXAM_REDIS_SECRET) must be set, at least {MIN_SECRET_LEN} characters, the same on every process, when redis_url is set"
        );
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("EXAM_REDIS_URL / redis_url is not a Redis URL: {e}"))?;
        let (local, _) = broadcast::channel(4096);
        let (ready_tx, ready) = watch::channel(false);
        let remote = redis_bus::start(client, channel.to_string(), secret.as_bytes().to_vec(), local.clone(), ready_tx);
        Ok(EventBus { local, remote: Some(remote), ready })
    }

    /// From the settings: Redis when a URL is given.
    pub fn from_settings(s: &crate::config::Settings) -> anyhow::Result<EventBus> {
        if s.redis_url.trim().is_empty() { Ok(EventBus::local()) } else { EventBus::with_redis(&s.redis_url, &s.redis_channel, &s.redis_secret) }
    }

    pub fn is_shared(&self) -> bool {
        self.remote.is_some()
    }

    /// Delivers to this process's subscribers now and to other processes' soon.
    pub fn publish(&self, event: Event) {
        let _ = self.local.send(event.clone());
        if let Some(remote) = &self.remote {
            let _ = remote.send(event);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Waits until events from other processes arrive (at once without Redis).
    pub async fn wait_ready(&self) {
        let mut ready = self.ready.clone();
        let _ = ready.wait_for(|r| *r).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_a_stable_wire_form() {
        let text = serde_json::to_string(&Event::PaperChanged { paper_id: 7, candidate_id: 3 }).unwrap_or_default();
        assert_eq!(text, r#"{"kind":"paper_changed","paper_id":7,"candidate_id":3}"#);
        // As older processes publish it.
        let old = serde_json::from_str::<Event>(r#"{"kind":"paper_changed","paper_id":7}"#).ok();
        assert_eq!(old, Some(Event::PaperChanged { paper_id: 7, candidate_id: 0 }));
        assert_eq!(serde_json::from_str::<Event>(r#"{"kind":"resync"}"#).ok(), Some(Event::Resync));
    }

    #[tokio::test]
    async fn local_bus_delivers_to_every_subscriber() {
        let bus = EventBus::local();
        let (mut a, mut b) = (bus.subscribe(), bus.subscribe());
        bus.publish(Event::PaperChanged { paper_id: 1, candidate_id: 2 });
        assert_eq!(a.recv().await.ok(), Some(Event::PaperChanged { paper_id: 1, candidate_id: 2 }));
        assert_eq!(b.recv().await.ok(), Some(Event::PaperChanged { paper_id: 1, candidate_id: 2 }));
        bus.wait_ready().await;
        assert!(!bus.is_shared());
    }
}
