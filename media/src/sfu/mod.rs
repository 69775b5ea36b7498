//! The selective forwarding unit: candidates publish camera, microphone and screen; the server
//! records every track as it arrives and forwards each to the proctors subscribed to it, asking
//! the candidate's browser for keyframes when a proctor joins, after a loss, and every few
//! seconds. One peer connection per publisher and per subscription, each on a UDP port from the
//! configured range.
mod engine;
pub mod layers;
mod publisher;
mod subscriber;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exam_protocol::{IceServer, MediaKind, ViewQuality};
use tokio::sync::broadcast;
use webrtc::runtime::Runtime;

pub use crate::recorder::RecorderLimits;
use engine::PortPool;
use publisher::Publisher;

/// Where and how the media server listens.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// The address ICE binds to (an explicit one: 0.0.0.0 would skip loopback).
    pub bind_ip: IpAddr,
    pub udp_port_min: u16,
    pub udp_port_max: u16,
    /// The public address announced instead of `bind_ip` behind 1:1 NAT.
    pub public_ip: Option<IpAddr>,
    /// STUN/TURN servers, handed to browsers too.
    pub ice_servers: Vec<IceServer>,
    /// Recordings are written under this directory.
    pub recordings_dir: PathBuf,
    /// A keyframe is asked for this often.
    pub keyframe_every: Duration,
    /// A publisher whose ICE has not connected after this long is given up.
    pub ice_timeout: Duration,
    /// A track with no packet for this long counts as stopped.
    pub stall_after: Duration,
    /// Recordings are cut into segments of about this long.
    pub segment: Duration,
}

impl MediaConfig {
    pub fn local(recordings_dir: PathBuf) -> MediaConfig {
        MediaConfig {
            bind_ip: IpAddr::from([127, 0, 0, 1]),
            udp_port_min: 40_000,
            udp_port_max: 49_999,
            public_ip: None,
            ice_servers: Vec::new(),
            recordings_dir,
            keyframe_every: Duration::from_secs(3),
            ice_timeout: Duration::from_secs(15),
            stall_after: Duration::from_secs(2),
            segment: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the offer is not a usable SDP offer: {0}")]
    BadOffer(String),
    #[error("nothing is published by that candidate")]
    NotPublishing,
    #[error("no UDP port is free in the configured range")]
    NoPorts,
    #[error("webrtc: {0}")]
    WebRtc(String),
    #[error("recording: {0}")]
    Recording(#[from] std::io::Error),
}

impl MediaError {
    pub(crate) fn webrtc(e: impl std::fmt::Display) -> MediaError {
        MediaError::WebRtc(e.to_string())
    }

    /// A stable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::BadOffer(_) => "bad_offer",
            MediaError::NotPublishing => "not_publishing",
            MediaError::NoPorts | MediaError::WebRtc(_) | MediaError::Recording(_) => "media_unavailable",
        }
    }
}

/// What happened to a publisher's media, for the exam-room record and the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// Packets of this track reach the server.
    TrackUp { publisher: i64, kind: MediaKind },
    /// This track stopped: ended by the browser, or no packets for a while.
    TrackDown { publisher: i64, kind: MediaKind },
    /// ICE never connected within the timeout; the publisher was dropped.
    IceFailed { publisher: i64 },
    /// The connection went away (closed, failed, replaced); recordings are closed.
    Gone { publisher: i64 },
    /// A recording segment of a stream (`camera` or `screen`) was closed and renamed.
    SegmentClosed { publisher: i64, stream: &'static str, segment: crate::recorder::SegmentInfo },
}

impl MediaEvent {
    /// The candidate (publisher) the event concerns.
    pub fn publisher(&self) -> i64 {
        match self {
            MediaEvent::TrackUp { publisher, .. }
            | MediaEvent::TrackDown { publisher, .. }
            | MediaEvent::IceFailed { publisher }
            | MediaEvent::Gone { publisher }
            | MediaEvent::SegmentClosed { publisher, .. } => *publisher,
        }
    }
}

/// Counters for the bench and the status page.
#[derive(Debug, Default)]
pub struct MediaCounters {
    pub packets_in: AtomicU64,
    pub bytes_in: AtomicU64,
    pub packets_out: AtomicU64,
    pub subscriptions: AtomicU64,
}

pub(crate) struct Inner {
    pub cfg: MediaConfig,
    pub runtime: Arc<dyn Runtime>,
    pub ports: PortPool,
    pub publishers: Mutex<HashMap<i64, Arc<Publisher>>>,
    pub events: broadcast::Sender<MediaEvent>,
    pub counters: MediaCounters,
    pub epoch: Instant,
    /// Apart from `cfg` so that setting them keeps `MediaConfig` as callers build it.
    pub recorder_limits: Mutex<RecorderLimits>,
}

impl Inner {
    pub fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    pub fn recorder_limits(&self) -> RecorderLimits {
        *self.recorder_limits.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn emit(&self, e: MediaEvent) {
        let _ = self.events.send(e);
    }

    fn publisher(&self, id: i64) -> Option<Arc<Publisher>> {
        self.publishers.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// Drops a publisher (if `only` is given, only that connection of it).
    pub async fn remove(&self, id: i64, only: Option<&Arc<Publisher>>) {
        let removed = {
            let mut map = self.publishers.lock().unwrap_or_else(|e| e.into_inner());
            match (map.get(&id), only) {
                (Some(p), Some(o)) if !Arc::ptr_eq(p, o) => None,
                (Some(_), _) => map.remove(&id),
                (None, _) => None,
            }
        };
        if let Some(p) = removed {
            p.shut(self).await;
            self.emit(MediaEvent::Gone { publisher: id });
        }
    }
}

/// The media server of one process; cheap to clone.
#[derive(Clone)]
pub struct MediaServer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MediaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaServer").field("bind_ip", &self.inner.cfg.bind_ip).finish()
    }
}

/// The largest SDP accepted (browsers send a few kilobytes).
const MAX_SDP: usize = 64 * 1024;

impl MediaServer {
    /// Needs a Tokio runtime: it starts the watchdog that notices stalled tracks and peers
    /// whose ICE never connects.
    pub fn new(cfg: MediaConfig) -> MediaServer {
        let runtime = webrtc::runtime::default_runtime().unwrap_or_else(|| unreachable!("webrtc is built with its tokio runtime"));
        let (events, _) = broadcast::channel(1024);
        let ports = PortPool::new(cfg.bind_ip, cfg.udp_port_min, cfg.udp_port_max);
        let inner = Arc::new(Inner {
            cfg,
            runtime,
            ports,
            publishers: Mutex::default(),
            events,
            counters: MediaCounters::default(),
            epoch: Instant::now(),
            recorder_limits: Mutex::new(RecorderLimits::default()),
        });
        tokio::spawn(watchdog(Arc::downgrade(&inner)));
        MediaServer { inner }
    }

    pub fn config(&self) -> &MediaConfig {
        &self.inner.cfg
    }

    /// The per-track caps recordings are written within (`RecorderLimits::default()` unless set).
    pub fn recorder_limits(&self) -> RecorderLimits {
        self.inner.recorder_limits()
    }

    /// Sets the per-track caps; they apply to recording files opened from now on (a file
    /// keeps the caps it was opened with).
    pub fn set_recorder_limits(&self, limits: RecorderLimits) {
        *self.inner.recorder_limits.lock().unwrap_or_else(|e| e.into_inner()) = limits;
    }

    pub fn events(&self) -> broadcast::Receiver<MediaEvent> {
        self.inner.events.subscribe()
    }

    pub fn counters(&self) -> &MediaCounters {
        &self.inner.counters
    }

    /// Publishers connected now.
    pub fn publishers(&self) -> usize {
        self.inner.publishers.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Takes a candidate's offer and answers it. `tracks` names each offered track id's kind;
    /// `recording` is the path under the recordings directory for this publisher's files. A
    /// new offer from the same publisher replaces the old connection (renegotiation after a
    /// device or network change).
    pub async fn publish(&self, publisher: i64, recording: &str, offer: &str, tracks: HashMap<String, MediaKind>) -> Result<String, MediaError> {
        let offer = parse_offer(offer)?;
        let dir = self.inner.cfg.recordings_dir.join(recording);
        let (p, answer) = Publisher::start(&self.inner, publisher, dir, offer, tracks).await?;
        let old = self.inner.publishers.lock().unwrap_or_else(|e| e.into_inner()).insert(publisher, p);
        if let Some(old) = old {
            old.shut(&self.inner).await;
        }
        Ok(answer)
    }

    /// A proctor's subscription to some of a publisher's tracks; the answer lists the kinds in
    /// transceiver order.
    pub async fn subscribe(&self, publisher: i64, offer: &str, kinds: &[MediaKind], quality: ViewQuality) -> Result<(String, Vec<MediaKind>), MediaError> {
        let p = self.inner.publisher(publisher).ok_or(MediaError::NotPublishing)?;
        let offer = parse_offer(offer)?;
        subscriber::start(&self.inner, &p, offer, kinds, quality).await
    }

    /// The candidates publishing to this process.
    pub fn publisher_ids(&self) -> Vec<i64> {
        self.inner.publishers.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect()
    }

    /// Whether this candidate publishes to this process.
    pub fn publishes(&self, publisher: i64) -> bool {
        self.inner.publisher(publisher).is_some()
    }

    /// The tracks of this publisher whose packets arrive now.
    pub fn flowing(&self, publisher: i64) -> Vec<MediaKind> {
        match self.inner.publisher(publisher) {
            Some(p) => p.flowing(&self.inner),
            None => Vec::new(),
        }
    }

    /// Closes a publisher's connection and recordings (the candidate handed in or left).
    pub async fn unpublish(&self, publisher: i64) {
        self.inner.remove(publisher, None).await;
    }

    /// Asks every publisher for a keyframe now.
    pub async fn request_keyframes(&self) {
        let all: Vec<Arc<Publisher>> = self.inner.publishers.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        for p in all {
            p.request_keyframes(&self.inner).await;
        }
    }
}

fn parse_offer(sdp: &str) -> Result<webrtc::peer_connection::RTCSessionDescription, MediaError> {
    if sdp.len() > MAX_SDP {
        return Err(MediaError::BadOffer("too large".into()));
    }
    if !sdp.starts_with("v=0") {
        return Err(MediaError::BadOffer("not SDP".into()));
    }
    webrtc::peer_connection::RTCSessionDescription::offer(sdp.to_string()).map_err(|e| MediaError::BadOffer(e.to_string()))
}

/// Every half second: publishers whose ICE never connected are dropped; tracks that start or
/// stop are announced.
async fn watchdog(inner: std::sync::Weak<Inner>) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let all: Vec<Arc<Publisher>> = inner.publishers.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        for p in all {
            if !p.connected() && p.age() > inner.cfg.ice_timeout {
                inner.emit(MediaEvent::IceFailed { publisher: p.id });
                inner.remove(p.id, Some(&p)).await;
                continue;
            }
            p.check_tracks(&inner);
        }
    }
}

impl MediaCounters {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (self.packets_in.load(Ordering::Relaxed), self.bytes_in.load(Ordering::Relaxed), self.packets_out.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn recorder_limits_default_to_the_documented_caps_and_can_be_set() {
        let media = MediaServer::new(MediaConfig::local(std::env::temp_dir()));
        assert_eq!(media.recorder_limits(), RecorderLimits { max_video_kbps: 2_500, max_audio_kbps: 256, burst: Duration::from_secs(4) });
        let tighter = RecorderLimits { max_video_kbps: 1_000, max_audio_kbps: 64, ..RecorderLimits::default() };
        media.clone().set_recorder_limits(tighter);
        assert_eq!(media.recorder_limits(), tighter, "clones share the setting");
    }
}
