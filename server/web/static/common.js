// What every page script shares, as an ES module: the page language, HTML escaping, calls to
// the JSON API with the session cookie and the page's language, and small helpers. Page
// scripts import what they use; nothing is passed between files through globals.

export const zh = document.documentElement.lang !== "en";
export const t = (z, e) => (zh ? z : e);
export const $ = (sel) => document.querySelector(sel);

// Safe in text and in quoted attributes alike.
export function esc(s) {
  const d = document.createElement("div");
  d.textContent = s == null ? "" : String(s);
  return d.innerHTML.replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

export async function api(method, url, body) {
  const opts = { method, headers: { "Accept-Language": zh ? "zh-CN" : "en" }, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch(url, opts);
  const text = await resp.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  return { ok: resp.ok, status: resp.status, json };
}

export function errorBox(json) {
  return `<p class="error" role="alert" data-error="${esc(json && json.error)}">${esc(json ? json.message : t("请求失败，请重试。", "Request failed; try again."))}</p>`;
}

// WebRTC: resolves once the browser has gathered its ICE candidates (or after 3 s), so one
// offer or answer carries them all.
export function iceGathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000);
  });
}

export const MEDIA_NAMES = { camera: t("摄像头", "camera"), microphone: t("麦克风", "microphone"), screen: t("屏幕共享", "screen sharing") };

// Keeps data-frames on a video element up to date: how many frames it has decoded so far.
export function countFrames(video) {
  setInterval(() => {
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    video.dataset.frames = String(q ? q.totalVideoFrames : (video.webkitDecodedFrameCount || 0));
  }, 1000);
}

// A duration as m:ss ("—" when there is none).
export function clock(ms) {
  if (ms == null) return "—";
  const m = Math.floor(ms / 60000), s = Math.floor((ms % 60000) / 1000);
  return `${m}:${String(s).padStart(2, "0")}`;
}

// Table cells carrying an instant (`td.when[data-ms]`) show it in the reader's locale.
export function localTimes() {
  document.querySelectorAll("td.when").forEach((td) => {
    td.textContent = new Date(Number(td.dataset.ms)).toLocaleString(zh ? "zh-CN" : "en");
  });
}
