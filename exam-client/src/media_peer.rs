//! A headless candidate's camera and microphone over WebRTC, and a headless proctor's view:
//! what the media tests and `exam-client bench media` use instead of a browser. The clip is a
//! VP8 IVF file and an Ogg Opus file (one 20 ms packet per page), played in a loop at their
//! own pace.
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use exam_protocol::{ClientMessage, MediaKind, ServerMessage};
use rtc::media::Sample;
use rtc::media::io::ivf_reader::IVFReader;
use rtc::media::io::ogg_reader::OggReader;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::Notify;
use webrtc::media_stream::Track;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription,
    Registry, SettingEngineBuilder, register_default_interceptors,
};

use crate::ExamSocket;

/// A clip read into memory once and shared by every simulated candidate.
#[derive(Debug)]
pub struct Clip {
    pub frames: Vec<Vec<u8>>,
    pub frame_interval: Duration,
    pub audio: Vec<Vec<u8>>,
}

impl Clip {
    pub fn load(ivf: &Path, ogg: &Path) -> anyhow::Result<Clip> {
        let (mut reader, header) = IVFReader::new(BufReader::new(std::fs::File::open(ivf)?))?;
        let mut frames = Vec::new();
        while let Ok((frame, _)) = reader.parse_next_frame() {
            frames.push(frame.to_vec());
        }
        let frame_interval = Duration::from_secs_f64(f64::from(header.timebase_numerator) / f64::from(header.timebase_denominator.max(1)));
        let (mut ogg_reader, _) = OggReader::new(BufReader::new(std::fs::File::open(ogg)?), true)?;
        let mut audio = Vec::new();
        while let Ok((page, _)) = ogg_reader.parse_next_page() {
            // The comment header is no audio: sent, it would be dropped by any receiver.
            if page.starts_with(b"OpusTags") || page.starts_with(b"OpusHead") {
                continue;
            }
            audio.push(page.to_vec());
        }
        anyhow::ensure!(!frames.is_empty() && !audio.is_empty(), "the clip has no frames or no audio");
        Ok(Clip { frames, frame_interval, audio })
    }
}

fn codec(kind: RtpCodecKind) -> RTCRtpCodec {
    match kind {
        RtpCodecKind::Audio => RTCRtpCodec {
            mime_type: MIME_TYPE_OPUS.into(),
            clock_rate: 48_000,
            channels: 2,
            sdp_fmtp_line: "minptime=10;useinbandfec=1".into(),
            rtcp_feedback: vec![],
        },
        _ => RTCRtpCodec { mime_type: MIME_TYPE_VP8.into(), clock_rate: 90_000, channels: 0, sdp_fmtp_line: String::new(), rtcp_feedback: vec![] },
    }
}

/// How long after the connection is up the publisher waits before its first frame.
const SRTP_SETTLE: Duration = Duration::from_millis(250);

struct Events {
    gathered: Notify,
    connected: Notify,
    closed: AtomicBool,
    packets: Arc<AtomicU64>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.notify_one();
        }
    }
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        match state {
            RTCPeerConnectionState::Connected => self.connected.notify_one(),
            RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => self.closed.store(true, Ordering::Relaxed),
            _ => {}
        }
    }
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let packets = self.packets.clone();
        tokio::spawn(async move {
            while let Some(e) = track.poll().await {
                if let TrackRemoteEvent::OnRtpPacket(_) = e {
                    packets.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
}

async fn peer(events: Arc<Events>) -> anyhow::Result<Arc<dyn PeerConnection>> {
    let mut me = MediaEngine::default();
    me.register_codec(RTCRtpCodecParameters { rtp_codec: codec(RtpCodecKind::Audio), payload_type: 111 }, RtpCodecKind::Audio)?;
    me.register_codec(RTCRtpCodecParameters { rtp_codec: codec(RtpCodecKind::Video), payload_type: 96 }, RtpCodecKind::Video)?;
    let registry = register_default_interceptors(Registry::new(), &mut me)?
        .with(rtc::interceptor::Slot::from(crate::keyframe_requests::SLOT), crate::keyframe_requests::KeyframeRequests::default());
    let settings =
        SettingEngineBuilder::new().with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled).with_include_loopback_candidate(true).build();
    let pc = PeerConnectionBuilder::new()
        .with_media_engine(me)
        .with_setting_engine(settings)
        .with_interceptor_registry(registry)
        .with_handler(events)
        .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
        .build()
        .await?;
    Ok(Arc::new(pc))
}

async fn gathered_offer(pc: &Arc<dyn PeerConnection>, events: &Events) -> anyhow::Result<String> {
    let offer = pc.create_offer(None).await?;
    pc.set_local_description(offer).await?;
    let _ = tokio::time::timeout(Duration::from_secs(3), events.gathered.notified()).await;
    Ok(pc.local_description().await.ok_or_else(|| anyhow::anyhow!("no local description"))?.sdp)
}

/// A candidate publishing the clip's camera and microphone.
pub struct Publisher {
    pc: Arc<dyn PeerConnection>,
    events: Arc<Events>,
    stop: Arc<AtomicBool>,
    /// RTP packets written so far (video and audio), estimated from sizes.
    pub packets_sent: Arc<AtomicU64>,
    /// Frames and audio packets written so far.
    pub samples_sent: Arc<AtomicU64>,
    /// The same, per track: video frames and audio packets.
    pub video_samples: Arc<AtomicU64>,
    pub audio_samples: Arc<AtomicU64>,
    started: Option<Instant>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher").field("packets_sent", &self.packets_sent).finish()
    }
}

impl Publisher {
    /// Offers camera and microphone over the candidate's exam socket and waits for the answer
    /// and the connection.
    pub async fn start(socket: &mut ExamSocket, clip: Arc<Clip>) -> anyhow::Result<Publisher> {
        let events = Arc::new(Events { gathered: Notify::new(), connected: Notify::new(), closed: AtomicBool::new(false), packets: Arc::default() });
        let pc = peer(events.clone()).await?;
        let mut tracks = BTreeMap::new();
        let mut locals = Vec::new();
        for (kind, media_kind) in [(RtpCodecKind::Video, MediaKind::Camera), (RtpCodecKind::Audio, MediaKind::Microphone)] {
            let id = format!("{}-{:08x}", media_kind.as_str(), rand::random::<u32>());
            let track = Arc::new(TrackLocalStaticSample::new(
                Instant::now(),
                MediaStreamTrack::new(
                    "headless-candidate".into(),
                    id.clone(),
                    media_kind.as_str().into(),
                    kind,
                    vec![RTCRtpEncodingParameters {
                        rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(rand::random()), ..Default::default() },
                        codec: codec(kind),
                        ..Default::default()
                    }],
                ),
            )?);
            let sender = pc.add_track(track.clone() as Arc<dyn TrackLocal>).await?;
            tracks.insert(id, media_kind);
            locals.push((track, sender, kind));
        }
        let sdp = gathered_offer(&pc, &events).await?;
        socket.send(&ClientMessage::MediaOffer { sdp, tracks }).await?;
        let answer = loop {
            match tokio::time::timeout(Duration::from_secs(10), socket.recv()).await?? {
                ServerMessage::MediaAnswer { sdp } => break sdp,
                ServerMessage::Refused { error, message, .. } => {
                    anyhow::bail!("media refused: {error}: {message}")
                }
                _ => continue,
            }
        };
        pc.set_remote_description(RTCSessionDescription::answer(answer)?).await?;
        tokio::time::timeout(Duration::from_secs(10), events.connected.notified()).await.map_err(|_| anyhow::anyhow!("ICE did not connect"))?;
        // This stack reports the connection up a moment before its SRTP keys are in place, and
        // drops what is written meanwhile; a browser sends its first frame only once they are.
        tokio::time::sleep(SRTP_SETTLE).await;
        let stop = Arc::new(AtomicBool::new(false));
        let packets_sent = Arc::new(AtomicU64::new(0));
        let samples_sent = Arc::new(AtomicU64::new(0));
        let (video_samples, audio_samples) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        for (track, sender, kind) in locals {
            let pt = sender.get_parameters().await?.rtp_parameters.codecs.first().map(|c| c.payload_type).unwrap_or(96);
            let ssrc = track.ssrcs().await.first().copied().unwrap_or_default();
            let (clip, stop, sent, samples) = (clip.clone(), stop.clone(), packets_sent.clone(), samples_sent.clone());
            let per_track = if kind == RtpCodecKind::Audio { audio_samples.clone() } else { video_samples.clone() };
            // A keyframe asked for (the server's recorder starting or cutting a segment) is the
            // clip's next keyframe, sent at the next tick, as a browser's encoder would.
            let asked = Arc::new(AtomicBool::new(false));
            if kind == RtpCodecKind::Video {
                let (track, asked) = (track.clone(), asked.clone());
                tokio::spawn(async move {
                    while let Some(e) = track.poll().await {
                        if let webrtc::media_stream::track_local::TrackLocalEvent::OnRtcpPacket(_) = e {
                            asked.store(true, Ordering::Relaxed);
                        }
                    }
                });
            }
            tokio::spawn(async move {
                let (items, every) = match kind {
                    RtpCodecKind::Audio => (&clip.audio, Duration::from_millis(20)),
                    _ => (&clip.frames, clip.frame_interval),
                };
                // VP8: a keyframe's first byte has its lowest bit clear.
                let keyframes: Vec<usize> =
                    if kind == RtpCodecKind::Video { (0..items.len()).filter(|&i| items[i].first().is_some_and(|b| b & 1 == 0)).collect() } else { Vec::new() };
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                // Timestamps follow the wall clock, as a camera's capture clock does, also when this
                // process falls behind.
                let mut last = Instant::now();
                let mut at = 0usize;
                loop {
                    if asked.swap(false, Ordering::Relaxed)
                        && let Some(k) = keyframes.iter().find(|&&k| k >= at).or(keyframes.first())
                    {
                        at = *k;
                    }
                    let data = &items[at % items.len()];
                    at = (at + 1) % items.len();
                    tick.tick().await;
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let now = Instant::now();
                    let duration = if kind == RtpCodecKind::Audio { every } else { now.duration_since(last).max(Duration::from_millis(1)) };
                    last = now;
                    let sample = Sample { data: data.clone().into(), duration, ..Sample::new(now) };
                    if track.sample_writer(ssrc, pt).write_sample(&sample).await.is_err() {
                        return;
                    }
                    // About one packet per 1,100 bytes of payload.
                    sent.fetch_add(data.len().div_ceil(1100).max(1) as u64, Ordering::Relaxed);
                    samples.fetch_add(1, Ordering::Relaxed);
                    per_track.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        Ok(Publisher { pc, events, stop, packets_sent, samples_sent, video_samples, audio_samples, started: Some(Instant::now()) })
    }

    pub fn streamed(&self) -> Duration {
        self.started.map(|s| s.elapsed()).unwrap_or_default()
    }

    pub fn is_closed(&self) -> bool {
        self.events.closed.load(Ordering::Relaxed)
    }

    /// Stops sending, lets what was written leave (the last frame counted as sent is still
    /// in the send queue), then closes the connection.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = self.pc.close().await;
    }
}

/// Sends an offer for a camera and takes the answer, but never connects: what a browser behind
/// a firewall that drops UDP looks like to the server.
pub async fn offer_without_connecting(socket: &mut ExamSocket) -> anyhow::Result<()> {
    let events = Arc::new(Events { gathered: Notify::new(), connected: Notify::new(), closed: AtomicBool::new(false), packets: Arc::default() });
    let pc = peer(events.clone()).await?;
    let track = Arc::new(TrackLocalStaticSample::new(
        Instant::now(),
        MediaStreamTrack::new(
            "unreachable".into(),
            "camera-unreachable".into(),
            "camera".into(),
            RtpCodecKind::Video,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(rand::random()), ..Default::default() },
                codec: codec(RtpCodecKind::Video),
                ..Default::default()
            }],
        ),
    )?);
    pc.add_track(track as Arc<dyn TrackLocal>).await?;
    let sdp = gathered_offer(&pc, &events).await?;
    let _ = pc.close().await;
    let tracks = BTreeMap::from([("camera-unreachable".to_string(), MediaKind::Camera)]);
    socket.send(&ClientMessage::MediaOffer { sdp, tracks }).await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.recv()).await?? {
            ServerMessage::MediaAnswer { .. } => return Ok(()),
            ServerMessage::Refused { error, .. } => anyhow::bail!("refused: {error}"),
            _ => continue,
        }
    }
}

/// A proctor's view: receives what the server forwards, counts packets.
pub struct Viewer {
    pc: Arc<dyn PeerConnection>,
    pub packets: Arc<AtomicU64>,
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer").field("packets", &self.packets).finish()
    }
}

impl Viewer {
    /// Subscribes through `POST /api/v1/sessions/{session}/candidates/{candidate}/watch`.
    pub async fn start(client: &crate::Client, session: i64, candidate: i64, kinds: &[MediaKind]) -> anyhow::Result<Viewer> {
        Viewer::start_at(client, session, candidate, kinds, exam_protocol::ViewQuality::Full).await
    }

    /// As [`Viewer::start`], at a chosen quality (a tile takes the base layer only).
    pub async fn start_at(
        client: &crate::Client,
        session: i64,
        candidate: i64,
        kinds: &[MediaKind],
        quality: exam_protocol::ViewQuality,
    ) -> anyhow::Result<Viewer> {
        let events = Arc::new(Events { gathered: Notify::new(), connected: Notify::new(), closed: AtomicBool::new(false), packets: Arc::default() });
        let pc = peer(events.clone()).await?;
        for k in MediaKind::ALL.into_iter().filter(|k| kinds.contains(k)) {
            let kind = if k == MediaKind::Microphone { RtpCodecKind::Audio } else { RtpCodecKind::Video };
            pc.add_transceiver_from_kind(kind, Some(RTCRtpTransceiverInit { direction: RTCRtpTransceiverDirection::Recvonly, ..Default::default() })).await?;
        }
        let sdp = gathered_offer(&pc, &events).await?;
        let req = exam_protocol::WatchRequest { sdp, kinds: kinds.to_vec(), quality };
        let answer: exam_protocol::SdpAnswer = client.post_json(&format!("/api/v1/sessions/{session}/candidates/{candidate}/watch"), &req).await?;
        pc.set_remote_description(RTCSessionDescription::answer(answer.sdp)?).await?;
        Ok(Viewer { pc, packets: events.packets.clone() })
    }

    pub async fn stop(self) {
        let _ = self.pc.close().await;
    }
}
