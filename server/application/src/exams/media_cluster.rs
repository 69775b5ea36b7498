//! Candidates' media across server processes. A candidate's streams flow into the process that
//! holds their exam socket; a proctor may be served by any other. Over the event bus each
//! process announces which of its candidates' tracks flow (on every change and every few
//! seconds), so every process can tell which tracks flow anywhere; a watch request for a
//! candidate streaming elsewhere is handed, with its SDP offer, to the process that has them,
//! whose answer sends the proctor's browser straight to that process's media ports. Checking
//! the proctor's right to watch, and the audit event, stay with the process that was asked.
//! Without Redis there is one process and everything here is local.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exam_protocol::{MediaKind, ViewQuality};
use media::sfu::{MediaError, MediaServer};
use tokio::sync::{broadcast, oneshot};

use crate::events::{Event, EventBus};

/// How often a process announces all its candidates' tracks again.
const ANNOUNCE_EVERY: Duration = Duration::from_secs(5);
/// How long an announcement is believed without being repeated (a process that died stops).
const ANNOUNCED_FOR: Duration = Duration::from_secs(15);
/// How long a watch request waits for the process that carries the candidate's media.
const REMOTE_ANSWER_WAIT: Duration = Duration::from_secs(10);

/// A watch refused: the stable code for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRefused(pub &'static str);

/// The error's stable code; the ones that are the server's trouble are logged.
fn refusal(e: &MediaError) -> &'static str {
    if !matches!(e, MediaError::BadOffer(_) | MediaError::NotPublishing) {
        tracing::warn!(error = %e, "watch failed");
    }
    e.code()
}

/// Codes that cross the bus are matched back to the ones this version knows.
fn known_refusal(code: &str) -> &'static str {
    match code {
        "bad_offer" => "bad_offer",
        "not_publishing" => "not_publishing",
        _ => "media_unavailable",
    }
}

#[derive(Debug)]
struct Announced {
    node: u64,
    kinds: Vec<MediaKind>,
    at: Instant,
}

type Answer = Result<(String, Vec<MediaKind>), String>;

#[derive(Debug)]
pub struct MediaCluster {
    media: MediaServer,
    bus: EventBus,
    /// This process, as its announcements name it.
    node: u64,
    elsewhere: Mutex<HashMap<i64, Announced>>,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
}

impl MediaCluster {
    /// Starts announcing this process's media and answering for it. Needs a Tokio runtime.
    pub fn start(media: MediaServer, bus: EventBus) -> Arc<MediaCluster> {
        let cluster = Arc::new(MediaCluster { media, bus, node: rand::random(), elsewhere: Mutex::default(), waiting: Mutex::default() });
        if cluster.bus.is_shared() {
            tokio::spawn(announce(Arc::downgrade(&cluster), cluster.media.events()));
            tokio::spawn(listen(Arc::downgrade(&cluster), cluster.bus.subscribe()));
        }
        cluster
    }

    /// The candidate's tracks that reach a server process now, this one or another.
    pub fn flowing(&self, candidate: i64) -> Vec<MediaKind> {
        let here = self.media.flowing(candidate);
        if !here.is_empty() {
            return here;
        }
        let map = self.elsewhere.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&candidate) {
            Some(a) if a.at.elapsed() < ANNOUNCED_FOR => a.kinds.clone(),
            _ => Vec::new(),
        }
    }

    /// A view of the candidate's tracks from whichever process carries them: the SDP answer and
    /// the tracks in it. The caller has checked the right to watch.
    pub async fn watch(&self, candidate: i64, sdp: &str, kinds: &[MediaKind], quality: ViewQuality) -> Result<(String, Vec<MediaKind>), WatchRefused> {
        match self.media.subscribe(candidate, sdp, kinds, quality).await {
            Err(MediaError::NotPublishing) if self.bus.is_shared() && !self.flowing(candidate).is_empty() => {}
            other => return other.map_err(|e| WatchRefused(refusal(&e))),
        }
        let request: u64 = rand::random();
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(request, tx);
        self.bus.publish(Event::WatchOffer { request, candidate_id: candidate, sdp: sdp.to_string(), kinds: kinds.to_vec(), quality });
        let answer = tokio::time::timeout(REMOTE_ANSWER_WAIT, rx).await;
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&request);
        match answer {
            Ok(Ok(Ok(view))) => Ok(view),
            Ok(Ok(Err(code))) => Err(WatchRefused(known_refusal(&code))),
            // Nobody answered in time: the other process is gone or its candidate left.
            _ => Err(WatchRefused("not_publishing")),
        }
    }

    /// The candidate's test is over: their streams end wherever they flow.
    pub async fn end(&self, candidate: i64) {
        self.media.unpublish(candidate).await;
        if self.bus.is_shared() {
            self.bus.publish(Event::MediaEnded { candidate_id: candidate });
        }
    }

    fn state_of(&self, candidate: i64) -> Event {
        Event::MediaState { node: self.node, candidate_id: candidate, kinds: self.media.flowing(candidate) }
    }
}

/// Tells the other processes about this one's candidates: on every change, and all of them
/// every few seconds (a process that starts later, or lost Redis for a while, learns them).
async fn announce(cluster: std::sync::Weak<MediaCluster>, mut changes: broadcast::Receiver<media::sfu::MediaEvent>) {
    let mut every = tokio::time::interval(ANNOUNCE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {
                let Some(c) = cluster.upgrade() else { return };
                for candidate in c.media.publisher_ids() {
                    c.bus.publish(c.state_of(candidate));
                }
            }
            change = changes.recv() => match change {
                Ok(e) => {
                    let Some(c) = cluster.upgrade() else { return };
                    c.bus.publish(c.state_of(e.publisher()));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

async fn listen(cluster: std::sync::Weak<MediaCluster>, mut events: broadcast::Receiver<Event>) {
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let Some(c) = cluster.upgrade() else { return };
        match event {
            Event::MediaState { node, candidate_id, kinds } if node != c.node => {
                let mut map = c.elsewhere.lock().unwrap_or_else(|e| e.into_inner());
                if kinds.is_empty() {
                    // Only the process that announced the tracks takes them back: a candidate who
                    // reconnected elsewhere may stream there already.
                    if map.get(&candidate_id).is_some_and(|a| a.node == node) {
                        map.remove(&candidate_id);
                    }
                } else {
                    map.insert(candidate_id, Announced { node, kinds, at: Instant::now() });
                }
                map.retain(|_, a| a.at.elapsed() < ANNOUNCED_FOR);
            }
            Event::WatchOffer { request, candidate_id, sdp, kinds, quality } if c.media.publishes(candidate_id) => {
                // Answered in its own task: gathering candidates takes a moment.
                tokio::spawn(async move {
                    let result = c.media.subscribe(candidate_id, &sdp, &kinds, quality).await.map_err(|e| refusal(&e).to_string());
                    c.bus.publish(Event::WatchAnswer { request, result });
                });
            }
            Event::WatchAnswer { request, result } => {
                if let Some(tx) = c.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&request) {
                    let _ = tx.send(result);
                }
            }
            Event::MediaEnded { candidate_id } => {
                c.elsewhere.lock().unwrap_or_else(|e| e.into_inner()).remove(&candidate_id);
                // Nothing happens where the candidate does not publish.
                c.media.unpublish(candidate_id).await;
            }
            Event::Resync => c.elsewhere.lock().unwrap_or_else(|e| e.into_inner()).clear(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_from_other_processes_map_to_known_ones() {
        assert_eq!(known_refusal("bad_offer"), "bad_offer");
        assert_eq!(known_refusal("not_publishing"), "not_publishing");
        assert_eq!(known_refusal("something_newer"), "media_unavailable");
    }
}
