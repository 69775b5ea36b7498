// The candidate's camera, microphone and screen: opened after the commitment, previewed, and
// published to the server over WebRTC (signalling on the exam socket). The test starts only
// when the server receives every required track; if one stops, the candidate is told and the
// page publishes again by itself.
import { $, MEDIA_NAMES, api, esc, iceGathered, t } from "./common.js";
import { exam } from "./exam_state.js";

export const media = { setup: null, camera: null, screen: null, pc: null, flowing: [], onchange: null, retry: null };

export async function loadMediaSetup() {
  const r = await api("GET", "/api/v1/exam/media");
  media.setup = r.ok ? r.json : { required: [], ice_servers: [], caps: {}, flowing: [] };
  media.flowing = media.setup.flowing || [];
  return media.setup;
}

export function missingMedia() {
  return ((media.setup && media.setup.required) || []).filter((k) => !media.flowing.includes(k));
}

export async function openDevices() {
  const need = media.setup.required, caps = media.setup.caps;
  const wantCam = need.includes("camera"), wantMic = need.includes("microphone");
  if ((wantCam || wantMic) && !media.camera) {
    media.camera = await navigator.mediaDevices.getUserMedia({
      video: wantCam ? { width: { ideal: caps.camera_width }, height: { ideal: caps.camera_height }, frameRate: { max: caps.camera_max_fps } } : false,
      audio: wantMic,
    });
  }
  if (need.includes("screen") && !media.screen) {
    media.screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: caps.screen_max_fps } }, audio: false });
  }
  for (const stream of [media.camera, media.screen]) {
    if (!stream) continue;
    stream.getTracks().forEach((track) => {
      track.onended = () => {
        // Unplugged, or screen sharing stopped: ask again.
        if (stream === media.screen) media.screen = null; else media.camera = null;
        mediaNotice(t(`${MEDIA_NAMES[kindOf(track, stream)]}已停止，请重新开启。`, `The ${MEDIA_NAMES[kindOf(track, stream)]} stopped; please turn it on again.`), true);
        if (media.onchange) media.onchange();
      };
    });
  }
  const cam = $("#camera-preview"), scr = $("#screen-preview");
  if (cam && media.camera) cam.srcObject = media.camera;
  if (scr && media.screen) scr.srcObject = media.screen;
}

function kindOf(track, stream) {
  if (track.kind === "audio") return "microphone";
  return stream === media.screen ? "screen" : "camera";
}

// Sends an offer for every open track; the answer comes back on the socket.
export async function publishMedia() {
  clearTimeout(media.retry);
  if (!exam.socket || exam.socket.readyState !== 1) { media.retry = setTimeout(publishMedia, 1000); return; }
  if (media.pc) media.pc.close();
  const caps = media.setup.caps;
  const pc = new RTCPeerConnection({ iceServers: media.setup.ice_servers });
  media.pc = pc;
  const tracks = {};
  for (const stream of [media.camera, media.screen]) {
    if (!stream) continue;
    for (const track of stream.getTracks()) {
      const kind = kindOf(track, stream);
      const enc = kind === "microphone" ? { maxBitrate: caps.audio_max_bitrate }
        : kind === "screen" ? { maxBitrate: caps.screen_max_bitrate, maxFramerate: caps.screen_max_fps }
        // Two temporal layers: proctors' tiles receive the lower one, half the frames.
        : { maxBitrate: caps.camera_max_bitrate, maxFramerate: caps.camera_max_fps, scalabilityMode: "L1T2" };
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream], sendEncodings: [enc] });
      tracks[track.id] = kind;
    }
  }
  pc.onconnectionstatechange = () => {
    if (pc !== media.pc) return;
    if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
      mediaNotice(t("监考连接中断，正在重新连接……", "The proctoring connection dropped; reconnecting…"), true);
      media.retry = setTimeout(publishMedia, 3000);
    }
  };
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc);
  exam.socket.send(JSON.stringify({ type: "media_offer", sdp: pc.localDescription.sdp, tracks }));
}

// Messages about media from the exam socket; true when the message was one of them.
export function onMediaMessage(m) {
  if (m.type === "media_answer") {
    if (media.pc) media.pc.setRemoteDescription({ type: "answer", sdp: m.sdp }).catch(() => {});
    return true;
  }
  if (m.type === "media") {
    media.flowing = m.flowing;
    const missing = missingMedia();
    if (missing.length && exam.paper) {
      mediaNotice(t(`监考画面中断：${missing.map((k) => MEDIA_NAMES[k]).join("、")}`, `Proctoring interrupted: ${missing.map((k) => MEDIA_NAMES[k]).join(", ")}`), true);
    } else if (!missing.length) {
      const n = $("#media-notice");
      if (n && n.dataset.kind === "media") n.innerHTML = "";
    }
    if (media.onchange) media.onchange();
    return true;
  }
  return false;
}

export function mediaNotice(text, alert) {
  const n = $("#media-notice");
  if (!n) return;
  n.dataset.kind = "media";
  n.innerHTML = `<p class="${alert ? "error" : "muted"}" role="${alert ? "alert" : "status"}">${esc(text)}</p>`;
}
