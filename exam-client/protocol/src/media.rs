//! Live proctoring media on the wire: which streams a candidate sends, the settings a page
//! needs to send them, and proctors' subscriptions.
use serde::{Deserialize, Serialize};

/// One of a candidate's media tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Camera,
    Microphone,
    Screen,
}

impl MediaKind {
    pub const ALL: [MediaKind; 3] = [MediaKind::Camera, MediaKind::Microphone, MediaKind::Screen];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Camera => "camera",
            MediaKind::Microphone => "microphone",
            MediaKind::Screen => "screen",
        }
    }
}

/// A STUN or TURN server handed to browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub credential: String,
}

/// Limits the candidate's browser applies to what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaCaps {
    pub camera_width: u32,
    pub camera_height: u32,
    pub camera_max_bitrate: u32,
    pub camera_max_fps: u32,
    pub screen_max_fps: u32,
    pub screen_max_bitrate: u32,
    pub audio_max_bitrate: u32,
}

impl Default for MediaCaps {
    fn default() -> Self {
        MediaCaps {
            camera_width: 640,
            camera_height: 480,
            camera_max_bitrate: 300_000,
            camera_max_fps: 15,
            screen_max_fps: 5,
            screen_max_bitrate: 300_000,
            audio_max_bitrate: 32_000,
        }
    }
}

/// What the candidate page needs before it publishes, and what is flowing now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaSetup {
    /// The tracks the session requires before the first question.
    pub required: Vec<MediaKind>,
    pub ice_servers: Vec<IceServer>,
    pub caps: MediaCaps,
    /// The tracks the server receives now.
    pub flowing: Vec<MediaKind>,
}

/// A proctor's (or supervisor's) request to watch a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    /// The browser's offer (receive-only transceivers: video, audio, video, in that order).
    pub sdp: String,
    /// Which of the candidate's tracks to receive: a tile takes the camera only.
    pub kinds: Vec<MediaKind>,
    /// How much of each video track: a tile takes the base layer only.
    #[serde(default)]
    pub quality: ViewQuality,
}

/// A view's share of a video track. The candidate's camera is encoded in two temporal layers;
/// a tile receives the lower one, half the frames, so dozens fit on one proctor's page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewQuality {
    /// Every frame: the enlarged view.
    #[default]
    Full,
    /// The base temporal layer only: a tile in the grid.
    Tile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdpAnswer {
    pub sdp: String,
    /// The candidate's tracks in the answer, in transceiver order.
    pub kinds: Vec<MediaKind>,
}
