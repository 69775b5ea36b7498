//! A proctor's view of one candidate: a connection that receives some of the candidate's
//! tracks, each fed from the publisher's packets with its own SSRC.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use exam_protocol::{MediaKind, ViewQuality};
use rtc::media_stream::MediaStreamTrack;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind};
use tokio::sync::{Notify, broadcast};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::peer_connection::{PeerConnectionEventHandler, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription};

use super::layers::{TemporalThinner, Verdict};
use super::publisher::{Publisher, answer};
use super::{Inner, MediaError, engine};

struct Handler {
    gathered: Notify,
    closed: Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.notify_one();
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        if matches!(state, RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed) {
            self.closed.store(true, Ordering::Relaxed);
        }
    }
}

pub(crate) async fn start(
    inner: &Arc<Inner>,
    p: &Arc<Publisher>,
    offer: RTCSessionDescription,
    kinds: &[MediaKind],
    quality: ViewQuality,
) -> Result<(String, Vec<MediaKind>), MediaError> {
    let closed = Arc::new(AtomicBool::new(false));
    let handler = Arc::new(Handler { gathered: Notify::new(), closed: closed.clone() });
    let pc = engine::peer_connection(&inner.cfg, &inner.ports, inner.runtime.clone(), handler.clone()).await?;
    let feeds = p.feeds();
    let mut sent = Vec::new();
    let mut legs = Vec::new();
    // Camera, microphone, screen: the order the viewer's transceivers are in.
    for kind in MediaKind::ALL.into_iter().filter(|k| kinds.contains(k)) {
        let Some(feed) = feeds.iter().find(|f| f.kind == kind) else {
            continue;
        };
        let ssrc: u32 = rand::random();
        let rtp_kind = if kind == MediaKind::Microphone { RtpCodecKind::Audio } else { RtpCodecKind::Video };
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            format!("candidate-{}", p.id),
            kind.as_str().to_string(),
            kind.as_str().to_string(),
            rtp_kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(ssrc), ..Default::default() },
                codec: feed.codec.clone(),
                ..Default::default()
            }],
        )));
        let sender = match pc.add_track(track.clone() as Arc<dyn TrackLocal>).await {
            Ok(sender) => sender,
            Err(e) => {
                let _ = pc.close().await;
                return Err(MediaError::webrtc(e));
            }
        };
        // A tile keeps the camera's base temporal layer; the enlarged view takes every frame.
        let thinner = (quality == ViewQuality::Tile && kind == MediaKind::Camera).then(|| TemporalThinner::new(0));
        legs.push((track, sender, feed.packets.subscribe(), ssrc, thinner));
        sent.push(kind);
    }
    let sdp = match answer(&pc, &handler.gathered, offer).await {
        Ok(sdp) => sdp,
        Err(e) => {
            closed.store(true, Ordering::Relaxed);
            let _ = pc.close().await;
            return Err(e);
        }
    };
    // Packets go out with the payload type this viewer negotiated, and without the publisher's
    // header extensions (their ids belong to the publisher's connection).
    for (track, sender, rx, ssrc, thinner) in legs {
        let pt = match sender.get_parameters().await {
            Ok(params) => params.rtp_parameters.codecs.first().map(|c| c.payload_type),
            Err(_) => None,
        };
        if let Some(pt) = pt {
            tokio::spawn(forward(Arc::downgrade(inner), rx, track, Rewrite { ssrc, payload_type: pt, thinner }, closed.clone()));
        }
    }
    p.state.subscriptions.lock().unwrap_or_else(|e| e.into_inner()).push((pc, closed));
    inner.counters.subscriptions.fetch_add(1, Ordering::Relaxed);
    // A new viewer needs a keyframe to start from.
    p.request_keyframes(inner).await;
    Ok((sdp, sent))
}

/// How one leg's packets are changed on their way to the viewer.
struct Rewrite {
    ssrc: u32,
    payload_type: u8,
    thinner: Option<TemporalThinner>,
}

async fn forward(
    inner: std::sync::Weak<Inner>,
    mut rx: broadcast::Receiver<rtc::rtp::Packet>,
    track: Arc<TrackLocalStaticRTP>,
    mut rewrite: Rewrite,
    closed: Arc<AtomicBool>,
) {
    loop {
        match rx.recv().await {
            Ok(mut packet) => {
                if closed.load(Ordering::Relaxed) {
                    return;
                }
                if let Some(thinner) = &mut rewrite.thinner {
                    match thinner.thin(packet.header.sequence_number, &packet.payload) {
                        Verdict::Drop => continue,
                        Verdict::Forward { seq, payload } => {
                            packet.header.sequence_number = seq;
                            if let Some(payload) = payload {
                                packet.payload = payload.into();
                            }
                        }
                    }
                }
                packet.header.ssrc = rewrite.ssrc;
                packet.header.payload_type = rewrite.payload_type;
                packet.header.extension = false;
                packet.header.extensions.clear();
                packet.header.extensions_padding = 0;
                // Before the viewer's connection is up the track is not bound yet: skip.
                if track.write_rtp(packet).await.is_ok()
                    && let Some(i) = inner.upgrade()
                {
                    i.counters.packets_out.fetch_add(1, Ordering::Relaxed);
                }
            }
            // A slow viewer skips what it missed; video recovers at the next keyframe.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
