//! Building peer connections the way this server needs them: VP8 and Opus only (what the
//! recorder writes), mDNS off, ICE bound to an explicit address and a port from the configured
//! range, the public address announced when behind 1:1 NAT.
use std::net::{IpAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_VP8};
use rtc::rtp_transceiver::rtp_sender::{RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceCandidateType, RTCIceServer, Registry,
    SettingEngineBuilder,
};
use webrtc::runtime::Runtime;

use super::{MediaConfig, MediaError};

pub fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

pub fn vp8() -> RTCRtpCodec {
    let fb = |typ: &str, parameter: &str| RTCPFeedback { typ: typ.to_owned(), parameter: parameter.to_owned() };
    RTCRtpCodec {
        mime_type: MIME_TYPE_VP8.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![fb("goog-remb", ""), fb("ccm", "fir"), fb("nack", ""), fb("nack", "pli")],
    }
}

fn media_engine() -> Result<MediaEngine, MediaError> {
    let mut me = MediaEngine::default();
    me.register_codec(RTCRtpCodecParameters { rtp_codec: opus(), payload_type: 111 }, RtpCodecKind::Audio).map_err(MediaError::webrtc)?;
    me.register_codec(RTCRtpCodecParameters { rtp_codec: vp8(), payload_type: 96 }, RtpCodecKind::Video).map_err(MediaError::webrtc)?;
    Ok(me)
}

/// Hands out UDP ports from the configured range, round robin, skipping ports in use.
#[derive(Debug)]
pub struct PortPool {
    ip: IpAddr,
    min: u16,
    max: u16,
    next: AtomicU32,
}

impl PortPool {
    pub fn new(ip: IpAddr, min: u16, max: u16) -> PortPool {
        // Servers sharing a range start at different places.
        PortPool { ip, min, max: max.max(min), next: AtomicU32::new(rand::random::<u32>() % (u32::from(max.max(min) - min) + 1)) }
    }

    /// A port that was free a moment ago (the peer connection binds it next).
    pub fn take(&self) -> Result<u16, MediaError> {
        let span = u32::from(self.max - self.min) + 1;
        for _ in 0..span {
            let port = self.min + (self.next.fetch_add(1, Ordering::Relaxed) % span) as u16;
            if UdpSocket::bind((self.ip, port)).is_ok() {
                return Ok(port);
            }
        }
        Err(MediaError::NoPorts)
    }
}

/// The default interceptors (NACK, transport-wide congestion feedback, RTCP reports), with a
/// smaller retransmission buffer per forwarded stream: 256 packets are seconds of a 300 kbit/s
/// camera, and the default 1,024 cost a megabyte per proctor view.
fn interceptors(me: &mut MediaEngine) -> Result<Registry, MediaError> {
    use rtc::interceptor::{NackGeneratorBuilder, NackResponderBuilder, Slot};
    use rtc::peer_connection::configuration::interceptor_registry::{configure_rtcp_reports, configure_twcc_receiver_only};
    for parameter in ["", "pli"] {
        me.register_feedback(RTCPFeedback { typ: "nack".to_owned(), parameter: parameter.to_owned() }, RtpCodecKind::Video);
    }
    let registry = Registry::new()
        .with(Slot::NackResponder, NackResponderBuilder::new().with_size(256).build())
        .with(Slot::NackGenerator, NackGeneratorBuilder::new().build());
    let registry = configure_twcc_receiver_only(registry, me).map_err(MediaError::webrtc)?;
    Ok(configure_rtcp_reports(registry))
}

fn setting_engine(cfg: &MediaConfig) -> rtc::peer_connection::configuration::setting_engine::SettingEngine {
    let mut settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
        // A peer that vanishes is given up after a few seconds, and its resources freed.
        .with_ice_timeouts(Some(Duration::from_secs(4)), Some(Duration::from_secs(8)), Some(Duration::from_secs(2)));
    if cfg.bind_ip.is_loopback() {
        settings = settings.with_include_loopback_candidate(true);
    }
    if let Some(public) = cfg.public_ip {
        settings = settings.with_nat_1to1_ips(vec![public.to_string()], RTCIceCandidateType::Host);
    }
    settings.build()
}

pub async fn peer_connection(
    cfg: &MediaConfig,
    ports: &PortPool,
    runtime: Arc<dyn Runtime>,
    handler: Arc<dyn PeerConnectionEventHandler>,
) -> Result<Arc<dyn PeerConnection>, MediaError> {
    let ice_servers: Vec<RTCIceServer> =
        cfg.ice_servers.iter().map(|s| RTCIceServer { urls: s.urls.clone(), username: s.username.clone(), credential: s.credential.clone() }).collect();
    // Another process (or another server in this one) may bind the port between the check and
    // the bind: try a few.
    let mut attempt = 0;
    let pc = loop {
        let port = ports.take()?;
        let mut me = media_engine()?;
        let registry = interceptors(&mut me)?;
        let built = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().with_ice_servers(ice_servers.clone()).build())
            .with_media_engine(me)
            .with_setting_engine(setting_engine(cfg))
            .with_interceptor_registry(registry)
            .with_handler(handler.clone())
            .with_runtime(runtime.clone())
            .with_udp_addrs(vec![std::net::SocketAddr::new(cfg.bind_ip, port).to_string()])
            .build()
            .await;
        match built {
            Ok(pc) => break pc,
            Err(e) if attempt < 4 => {
                attempt += 1;
                tracing::debug!(error = %e, port, "peer connection could not bind; another port");
            }
            Err(e) => return Err(MediaError::webrtc(e)),
        }
    };
    Ok(Arc::new(pc))
}
