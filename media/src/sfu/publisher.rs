//! One candidate's publishing connection: its tracks as they arrive, each recorded and offered
//! to subscribers, with keyframes asked for on a timer and after losses.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use exam_protocol::MediaKind;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RtpCodecKind};
use tokio::sync::{Notify, broadcast};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{PeerConnection, PeerConnectionEventHandler, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription};

use super::{Inner, MediaError, MediaEvent, engine};
use crate::recorder::{Codec, StreamRecorder};

/// One received track, as subscribers and the recorder see it.
pub(crate) struct Feed {
    pub kind: MediaKind,
    pub codec: RTCRtpCodec,
    pub ssrc: u32,
    pub packets: broadcast::Sender<rtp::Packet>,
    /// Milliseconds (on the server's epoch) of the last packet; 0 before the first.
    last_packet: AtomicU64,
    up: AtomicBool,
    ended: AtomicBool,
    last_pli: AtomicU64,
    remote: Arc<dyn TrackRemote>,
}

impl Feed {
    async fn keyframe(&self, inner: &Inner) {
        if self.kind == MediaKind::Microphone {
            return;
        }
        self.last_pli.store(inner.now_ms(), Ordering::Relaxed);
        let _ = self.remote.write_rtcp(vec![Box::new(PictureLossIndication { sender_ssrc: 0, media_ssrc: self.ssrc })]).await;
    }
}

/// A stream file: the camera with the microphone, or the screen.
type SharedRecorder = Arc<Mutex<Option<StreamRecorder>>>;
/// A proctor's connection watching this publisher, and the flag set when it has closed.
type Subscription = (Arc<dyn PeerConnection>, Arc<AtomicBool>);

pub(crate) struct State {
    id: i64,
    declared: HashMap<String, MediaKind>,
    dir: PathBuf,
    feeds: Mutex<HashMap<MediaKind, Arc<Feed>>>,
    camera_file: SharedRecorder,
    screen_file: SharedRecorder,
    connected: AtomicBool,
    closed: AtomicBool,
    gathered: Notify,
    pub subscriptions: Mutex<Vec<Subscription>>,
}

pub(crate) struct Publisher {
    pub id: i64,
    pc: Arc<dyn PeerConnection>,
    pub state: Arc<State>,
    created: Instant,
}

struct Handler {
    state: Arc<State>,
    inner: Weak<Inner>,
    me: OnceLock<Weak<Publisher>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.state.gathered.notify_one();
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        match state {
            RTCPeerConnectionState::Connected => self.state.connected.store(true, Ordering::Relaxed),
            RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => {
                let (Some(inner), Some(me)) = (self.inner.upgrade(), self.me.get().and_then(Weak::upgrade)) else {
                    return;
                };
                if !self.state.closed.load(Ordering::Relaxed) {
                    inner.remove(me.id, Some(&me)).await;
                }
            }
            _ => {}
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let Some(&ssrc) = track.ssrcs().await.first() else {
            return;
        };
        let Some(codec) = track.codec(ssrc).await else {
            return;
        };
        let rtp_kind = track.kind().await;
        let track_id = track.track_id().await.to_string();
        let kind = {
            let feeds = self.state.feeds.lock().unwrap_or_else(|e| e.into_inner());
            let live: HashMap<MediaKind, bool> = feeds.iter().map(|(k, f)| (*k, !f.ended.load(Ordering::Relaxed))).collect();
            track_kind(self.state.declared.get(&track_id).copied(), rtp_kind == RtpCodecKind::Audio, &live)
        };
        let Some(kind) = kind else {
            tracing::warn!(publisher = self.state.id, track_id = %track_id, "a second track of a kind already received is ignored");
            return;
        };
        // About two seconds of a camera: enough for a viewer to catch up, small per feed.
        let (packets, _) = broadcast::channel(64);
        let feed = Arc::new(Feed {
            kind,
            codec,
            ssrc,
            packets,
            last_packet: AtomicU64::new(0),
            up: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            last_pli: AtomicU64::new(0),
            remote: track.clone(),
        });
        self.state.feeds.lock().unwrap_or_else(|e| e.into_inner()).insert(kind, feed.clone());
        if kind != MediaKind::Microphone {
            tokio::spawn(keyframes(Arc::downgrade(&inner), feed.clone(), self.state.clone()));
        }
        tokio::spawn(receive(Arc::downgrade(&inner), self.state.clone(), track, feed));
    }
}

/// The kind a newly announced track is taken as: the declared one, else audio is the
/// microphone and video the camera, then the screen. `None` when a feed of that kind is still
/// live (`live` maps each kind received to whether it is): every track gets a receiving task, a
/// keyframe timer and its kind's recording, so without this an offer with many media sections
/// would start tasks without bound and mix several streams into one recorded track.
fn track_kind(declared: Option<MediaKind>, audio: bool, live: &HashMap<MediaKind, bool>) -> Option<MediaKind> {
    let kind = match (declared, audio) {
        (Some(k), _) => k,
        (None, true) => MediaKind::Microphone,
        (None, false) if !live.contains_key(&MediaKind::Camera) => MediaKind::Camera,
        (None, false) => MediaKind::Screen,
    };
    (live.get(&kind) != Some(&true)).then_some(kind)
}

/// Asks for a keyframe at the start and then every `keyframe_every`.
async fn keyframes(inner: Weak<Inner>, feed: Arc<Feed>, state: Arc<State>) {
    loop {
        let Some(i) = inner.upgrade() else { return };
        if state.closed.load(Ordering::Relaxed) || feed.ended.load(Ordering::Relaxed) {
            return;
        }
        feed.keyframe(&i).await;
        let every = i.cfg.keyframe_every;
        drop(i);
        tokio::time::sleep(every).await;
    }
}

fn recorder_slot(state: &State, kind: MediaKind) -> (&SharedRecorder, usize, Vec<Codec>, &'static str) {
    let with_mic = state.declared.values().any(|k| *k == MediaKind::Microphone);
    let camera_codecs = if with_mic { vec![Codec::Vp8, Codec::Opus] } else { vec![Codec::Vp8] };
    match kind {
        MediaKind::Camera => (&state.camera_file, 0, camera_codecs, "camera"),
        // Without a camera declared, the microphone still gets a file of its own layout.
        MediaKind::Microphone => (&state.camera_file, if camera_codecs.len() == 2 { 1 } else { 0 }, camera_codecs, "camera"),
        MediaKind::Screen => (&state.screen_file, 0, vec![Codec::Vp8], "screen"),
    }
}

/// Reads a track until it ends: every packet recorded, offered to subscribers, counted.
async fn receive(inner: Weak<Inner>, state: Arc<State>, track: Arc<dyn TrackRemote>, feed: Arc<Feed>) {
    let (slot, index, codecs, name) = recorder_slot(&state, feed.kind);
    let started_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            if matches!(event, TrackRemoteEvent::OnEnded) {
                break;
            }
            continue;
        };
        let Some(i) = inner.upgrade() else { return };
        let now = i.now_ms();
        feed.last_packet.store(now.max(1), Ordering::Relaxed);
        i.counters.packets_in.fetch_add(1, Ordering::Relaxed);
        i.counters.bytes_in.fetch_add(packet.payload.len() as u64, Ordering::Relaxed);
        let want_keyframe = {
            let mut rec = slot.lock().unwrap_or_else(|e| e.into_inner());
            if rec.is_none() && !state.closed.load(Ordering::Relaxed) {
                match StreamRecorder::create_segmented(&state.dir, &format!("{started_ms}-{name}"), &codecs, &i.recorder_limits(), i.cfg.segment) {
                    Ok(r) => *rec = Some(r),
                    Err(e) => tracing::error!(error = %e, "cannot create a recording"),
                }
            }
            match rec.as_mut() {
                Some(r) => {
                    let want = r
                        .push(index, Instant::now(), packet.header.sequence_number, packet.header.timestamp, packet.header.marker, &packet.payload)
                        .unwrap_or_else(|e| {
                            tracing::error!(error = %e, "recording write failed");
                            false
                        });
                    for segment in r.take_closed() {
                        i.emit(MediaEvent::SegmentClosed { publisher: state.id, stream: name, segment });
                    }
                    want
                }
                None => false,
            }
        };
        if want_keyframe && now.saturating_sub(feed.last_pli.load(Ordering::Relaxed)) > 1000 {
            feed.keyframe(&i).await;
        }
        let _ = feed.packets.send(packet);
    }
    feed.ended.store(true, Ordering::Relaxed);
    if let Some(i) = inner.upgrade()
        && feed.up.swap(false, Ordering::Relaxed)
    {
        i.emit(MediaEvent::TrackDown { publisher: state.id, kind: feed.kind });
    }
}

impl Publisher {
    pub async fn start(
        inner: &Arc<Inner>,
        id: i64,
        dir: PathBuf,
        offer: RTCSessionDescription,
        declared: HashMap<String, MediaKind>,
    ) -> Result<(Arc<Publisher>, String), MediaError> {
        let state = Arc::new(State {
            id,
            declared,
            dir,
            feeds: Mutex::default(),
            camera_file: Arc::default(),
            screen_file: Arc::default(),
            connected: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            gathered: Notify::new(),
            subscriptions: Mutex::default(),
        });
        let handler = Arc::new(Handler { state: state.clone(), inner: Arc::downgrade(inner), me: OnceLock::new() });
        let pc = engine::peer_connection(&inner.cfg, &inner.ports, inner.runtime.clone(), handler.clone()).await?;
        let p = Arc::new(Publisher { id, pc: pc.clone(), state, created: Instant::now() });
        let _ = handler.me.set(Arc::downgrade(&p));
        match answer(&pc, &p.state.gathered, offer).await {
            Ok(sdp) => Ok((p, sdp)),
            Err(e) => {
                p.state.closed.store(true, Ordering::Relaxed);
                let _ = pc.close().await;
                Err(e)
            }
        }
    }

    pub fn connected(&self) -> bool {
        self.state.connected.load(Ordering::Relaxed)
    }

    pub fn age(&self) -> Duration {
        self.created.elapsed()
    }

    pub fn feeds(&self) -> Vec<Arc<Feed>> {
        self.state.feeds.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }

    pub fn flowing(&self, inner: &Inner) -> Vec<MediaKind> {
        let now = inner.now_ms();
        let stall = inner.cfg.stall_after.as_millis() as u64;
        let mut kinds: Vec<MediaKind> = self
            .feeds()
            .iter()
            .filter(|f| {
                let last = f.last_packet.load(Ordering::Relaxed);
                !f.ended.load(Ordering::Relaxed) && last > 0 && now.saturating_sub(last) < stall
            })
            .map(|f| f.kind)
            .collect();
        kinds.sort();
        kinds
    }

    /// Announces tracks that started or stopped since the last look.
    pub fn check_tracks(&self, inner: &Inner) {
        let flowing = self.flowing(inner);
        for f in self.feeds() {
            let now_up = flowing.contains(&f.kind);
            if f.up.swap(now_up, Ordering::Relaxed) != now_up {
                inner.emit(if now_up {
                    MediaEvent::TrackUp { publisher: self.id, kind: f.kind }
                } else {
                    MediaEvent::TrackDown { publisher: self.id, kind: f.kind }
                });
            }
        }
        // Subscriptions whose viewer went away.
        let gone: Vec<Arc<dyn PeerConnection>> = {
            let mut subs = self.state.subscriptions.lock().unwrap_or_else(|e| e.into_inner());
            let (dead, live): (Vec<_>, Vec<_>) = subs.drain(..).partition(|(_, closed)| closed.load(Ordering::Relaxed));
            *subs = live;
            dead.into_iter().map(|(pc, _)| pc).collect()
        };
        for pc in gone {
            tokio::spawn(async move {
                let _ = pc.close().await;
            });
        }
    }

    pub async fn request_keyframes(&self, inner: &Inner) {
        for f in self.feeds() {
            f.keyframe(inner).await;
        }
    }

    /// Closes the connection, its subscriptions and its recordings.
    pub async fn shut(&self, inner: &Inner) {
        if self.state.closed.swap(true, Ordering::Relaxed) {
            return;
        }
        let subs: Vec<_> = self.state.subscriptions.lock().unwrap_or_else(|e| e.into_inner()).drain(..).collect();
        for (pc, closed) in subs {
            closed.store(true, Ordering::Relaxed);
            let _ = pc.close().await;
        }
        let _ = self.pc.close().await;
        for (slot, stream) in [(&self.state.camera_file, "camera"), (&self.state.screen_file, "screen")] {
            let rec = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(mut r) = rec {
                if let Err(e) = r.finish() {
                    tracing::error!(error = %e, "closing a recording failed");
                }
                for segment in r.take_closed() {
                    inner.emit(MediaEvent::SegmentClosed { publisher: self.id, stream, segment });
                }
            }
        }
        self.state.feeds.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Sets the remote offer, answers, and waits (briefly) for candidates to be gathered so the
/// answer carries them.
pub(crate) async fn answer(pc: &Arc<dyn PeerConnection>, gathered: &Notify, offer: RTCSessionDescription) -> Result<String, MediaError> {
    pc.set_remote_description(offer).await.map_err(|e| MediaError::BadOffer(e.to_string()))?;
    let answer = pc.create_answer(None).await.map_err(MediaError::webrtc)?;
    pc.set_local_description(answer).await.map_err(MediaError::webrtc)?;
    let _ = tokio::time::timeout(Duration::from_secs(3), gathered.notified()).await;
    pc.local_description().await.map(|d| d.sdp).ok_or_else(|| MediaError::WebRtc("no local description".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_live_track_per_kind_is_taken() {
        let none = HashMap::new();
        assert_eq!(track_kind(None, false, &none), Some(MediaKind::Camera));
        assert_eq!(track_kind(None, true, &none), Some(MediaKind::Microphone));
        assert_eq!(track_kind(Some(MediaKind::Screen), false, &none), Some(MediaKind::Screen));
        let camera = HashMap::from([(MediaKind::Camera, true)]);
        assert_eq!(track_kind(None, false, &camera), Some(MediaKind::Screen));
        assert_eq!(track_kind(Some(MediaKind::Camera), false, &camera), None, "a second camera while the first is live");
        let all = HashMap::from([(MediaKind::Camera, true), (MediaKind::Screen, true), (MediaKind::Microphone, true)]);
        assert_eq!(track_kind(None, false, &all), None);
        assert_eq!(track_kind(None, true, &all), None);
        // A track that ended may be followed by another of its kind.
        let ended = HashMap::from([(MediaKind::Camera, true), (MediaKind::Screen, false)]);
        assert_eq!(track_kind(None, false, &ended), Some(MediaKind::Screen));
    }
}
