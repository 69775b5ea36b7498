// Review playback: the candidate's camera and screen side by side, kept in sync by wall-clock
// time across their segments; one timeline of the record (flagged events marked on the
// position bar); thumbnails to scan the hour; playback speed; each segment's hash check as the
// server reports it when serving the segment; and the reviewer's finding.
import { $, api, esc, errorBox, t, zh } from "./common.js";
import { FINDING, KINDS, sentence } from "./record_words.js";

const root = $("#playback");
const cid = root.dataset.candidate;
const FLAGGED = new Set(["integrity", "second_sign_in", "warning", "pause", "terminated", "media_down", "media_failed", "finding", "reload"]);
const TRACKS = ["camera", "screen"];
const video = { camera: $("#camera"), screen: $("#screen") };

let data = null;
let segs = { camera: [], screen: [] };
let span = [0, 1];
let pos = 0; // the wall-clock instant shown now (ms)
let playing = false;
const current = { camera: null, screen: null }; // the segment loaded in each player
const checks = new Map(); // segment id -> "ok" | "mismatch" | "error"

const hhmmss = (ms) => new Date(ms).toLocaleTimeString(zh ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const sizeOf = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
const flagged = (e) => FLAGGED.has(e.kind) || (e.kind === "identity_checked" && !/"matches":true/.test(e.detail));
const master = () => (segAt("camera", pos) ? "camera" : "screen");

// The segment playing at `ms`; in the short gap where one segment hands over to the next
// (cut on a keyframe), the next one.
function segAt(track, ms) {
  return segs[track].find((s) => s.start_ms <= ms && ms < s.end_ms) || segs[track].find((s) => s.start_ms > ms && s.start_ms - ms < 1500) || null;
}
function segAfter(track, ms) {
  return segs[track].find((s) => s.start_ms >= ms) || null;
}

// ---------- hash checks, as the server serves each segment ----------
async function check(seg) {
  if (checks.has(seg.id)) return checks.get(seg.id);
  checks.set(seg.id, "pending");
  let r = "error";
  try {
    const resp = await fetch(`/api/v1/archive/${seg.id}/play`, { method: "HEAD", credentials: "same-origin" });
    r = resp.ok ? resp.headers.get("x-evidence-check") || "error" : "error";
  } catch (_) { r = "error"; }
  checks.set(seg.id, r);
  drawSegments();
  return r;
}
const CHECK_WORDS = { ok: t("哈希一致", "hash matches"), mismatch: t("哈希不一致！", "hash does NOT match!"), error: t("无法读取", "cannot be read"), pending: t("校验中…", "checking…") };
function checkBadge(r) {
  const cls = r === "ok" ? "approved" : r === "pending" || !r ? "" : "rejected";
  return `<span class="badge ${cls}" data-check="${esc(r || "unchecked")}">${esc(CHECK_WORDS[r] || t("未校验", "not checked yet"))}</span>`;
}

// ---------- the players ----------
function load(track, seg, offsetMs) {
  const v = video[track];
  $(`#${track}-gap`).hidden = !!seg;
  v.hidden = !seg;
  if (!seg) { v.pause(); current[track] = null; $(`#${track}-check`).innerHTML = ""; return; }
  const at = Math.max(0, offsetMs / 1000);
  if (current[track] !== seg) {
    current[track] = seg;
    v.src = `/api/v1/archive/${seg.id}/play`;
    v.dataset.segment = String(seg.id);
    v.playbackRate = Number($("#speed").value);
    v.addEventListener("loadedmetadata", () => { v.currentTime = at; if (playing) v.play().catch(() => {}); }, { once: true });
    $(`#${track}-check`).innerHTML = checkBadge("pending");
    check(seg).then((r) => { if (current[track] === seg) $(`#${track}-check`).innerHTML = checkBadge(r); });
  } else if (Math.abs(v.currentTime - at) > 0.4) {
    v.currentTime = at;
  }
  if (playing && v.paused && v.readyState >= 2) v.play().catch(() => {});
}

function seekTo(ms) {
  pos = Math.min(Math.max(ms, span[0]), span[1]);
  for (const track of TRACKS) {
    const seg = segAt(track, pos);
    load(track, seg, seg ? pos - seg.start_ms : 0);
  }
  drawPosition();
}

function setPlaying(on) {
  playing = on;
  $("#play").textContent = on ? t("暂停", "Pause") : t("播放", "Play");
  $("#play").setAttribute("aria-pressed", String(on));
  for (const track of TRACKS) {
    const v = video[track];
    if (on && current[track]) v.play().catch(() => {}); else v.pause();
  }
}

// The master track's clock moves the position; the other follows it.
function onTime(track) {
  if (track !== master() || !current[track]) return;
  pos = current[track].start_ms + video[track].currentTime * 1000;
  const other = track === "camera" ? "screen" : "camera";
  const seg = segAt(other, pos);
  if (seg !== current[other] || (seg && Math.abs(video[other].currentTime * 1000 - (pos - seg.start_ms)) > 500)) load(other, seg, seg ? pos - seg.start_ms : 0);
  drawPosition();
}

// A segment ended: the next one of the same track, or the next moment anything was recorded.
function onEnded(track) {
  const seg = current[track];
  if (!seg || track !== master()) return;
  // Whatever was recorded right after (the screen goes on while the camera is out), else the
  // next moment anything was.
  if (TRACKS.some((k) => segAt(k, seg.end_ms))) { seekTo(seg.end_ms); return; }
  const next = TRACKS.map((k) => segAfter(k, seg.end_ms)).filter(Boolean).sort((a, b) => a.start_ms - b.start_ms)[0];
  if (!next) { setPlaying(false); return; }
  seekTo(next.start_ms);
}

// ---------- drawing ----------
function drawPosition() {
  const frac = (pos - span[0]) / Math.max(1, span[1] - span[0]);
  $("#seek").value = String(Math.round(frac * 1000));
  $("#clock").textContent = hhmmss(pos);
  $("#finding-at-clock").textContent = hhmmss(pos);
  root.dataset.position = String(Math.round(pos));
  const viewing = data.events.filter((e) => e.kind === "viewing" && e.at_ms <= pos).pop();
  let no = null;
  if (viewing) { try { no = JSON.parse(viewing.detail).no; } catch (_) { no = null; } }
  $("#question-now").textContent = no ? t(`此时屏幕上是第 ${no} 题`, `On screen now: question ${no}`) : "";
  document.querySelectorAll(".thumbs button").forEach((b) => b.classList.toggle("here", Math.abs(Number(b.dataset.ms) - pos) < 5000));
}

function timelineItems() {
  const items = data.events.map((e) => ({ at: e.at_ms, kind: e.kind, name: KINDS[e.kind] ? KINDS[e.kind][0] : e.kind, text: sentence(e), flagged: flagged(e), id: `e${e.id}` }));
  data.answers.forEach(([no, at], i) => items.push({ at, kind: "answer", name: t("保存答案", "Answer saved"), text: t(`保存第 ${no} 题的答案`, `saved the answer to question ${no}`), flagged: false, id: `a${i}` }));
  return items.sort((a, b) => a.at - b.at);
}

function drawTimeline() {
  const kind = $("#tl-kind").value;
  const onlyFlagged = $("#tl-flagged").checked;
  const rows = timelineItems().filter((x) => (!kind || x.name === kind) && (!onlyFlagged || x.flagged));
  $("#timeline tbody").innerHTML = rows.map((x) =>
    `<tr class="${x.flagged ? "flagged" : ""}" data-kind="${esc(x.kind)}" data-ms="${x.at}"><td>${hhmmss(x.at)}</td><td>${esc(x.name)}</td><td>${esc(x.text)}</td>` +
    `<td><button type="button" class="secondary" data-go="${x.at}">${t("跳转", "Go")}<span class="sr-only"> ${hhmmss(x.at)}</span></button></td></tr>`).join("");
}

function drawKinds() {
  const sel = $("#tl-kind");
  const have = new Set([...sel.options].map((o) => o.value));
  timelineItems().forEach((x) => { if (!have.has(x.name)) { have.add(x.name); sel.add(new Option(x.name, x.name)); } });
}

function drawMarks() {
  const w = Math.max(1, span[1] - span[0]);
  $("#marks").innerHTML = data.events.filter((e) => flagged(e) && e.at_ms >= span[0] && e.at_ms <= span[1])
    .map((e) => `<i style="left:${(((e.at_ms - span[0]) / w) * 100).toFixed(2)}%" title="${esc(hhmmss(e.at_ms))} ${esc(sentence(e))}"></i>`).join("");
}

function drawSegments() {
  const all = [...segs.camera, ...segs.screen];
  $("#no-segments").hidden = all.length > 0;
  const names = { camera: t("摄像头", "Camera"), screen: t("屏幕", "Screen") };
  $("#segments tbody").innerHTML = all.map((s) =>
    `<tr data-segment="${s.id}"><td>${esc(names[s.track] || s.track)}</td><td>${s.index}${s.recovered ? ` <span class="badge in_review">${t("崩溃后恢复", "recovered")}</span>` : ""}</td>` +
    `<td>${hhmmss(s.start_ms)} – ${hhmmss(s.end_ms)}</td><td>${sizeOf(s.size)}</td><td><code title="${esc(s.sha256)}">${esc(s.sha256.slice(0, 16))}…</code></td>` +
    `<td>${checkBadge(checks.get(s.id))} <button type="button" class="secondary" data-go="${s.start_ms}">${t("播放", "Play")}</button></td></tr>`).join("");
}

// Thumbnails of the camera (or, without one, the screen), one segment at a time.
async function loadThumbs() {
  const track = segs.camera.length ? "camera" : "screen";
  const list = segs[track];
  const box = $("#thumbs");
  for (let i = 0; i < list.length; i++) {
    $("#thumbs-progress").textContent = t(`正在生成 ${i + 1}/${list.length}`, `making ${i + 1} of ${list.length}`);
    const r = await api("GET", `/api/v1/archive/${list[i].id}/thumbnails?every=10`);
    if (!r.ok) continue;
    box.insertAdjacentHTML("beforeend", r.json.thumbs.map((th) =>
      `<button type="button" data-go="${Number(th.at_ms)}" data-ms="${Number(th.at_ms)}"><img src="${esc(th.src)}" alt="${esc(hhmmss(th.at_ms))}"></button>`).join(""));
  }
  $("#thumbs-progress").textContent = list.length ? "" : t("没有录像", "no recordings");
}

// ---------- wiring ----------
document.addEventListener("click", (e) => {
  const b = e.target.closest("[data-go]");
  if (!b) return;
  seekTo(Number(b.dataset.go));
  setPlaying(true);
});
$("#play").addEventListener("click", () => setPlaying(!playing));
$("#seek").addEventListener("input", () => seekTo(span[0] + (Number($("#seek").value) / 1000) * (span[1] - span[0])));
$("#speed").addEventListener("change", () => TRACKS.forEach((k) => { video[k].playbackRate = Number($("#speed").value); }));
$("#tl-kind").addEventListener("change", drawTimeline);
$("#tl-flagged").addEventListener("change", drawTimeline);
for (const track of TRACKS) {
  video[track].addEventListener("timeupdate", () => onTime(track));
  video[track].addEventListener("ended", () => onEnded(track));
}
document.addEventListener("keydown", (e) => {
  if (e.target.closest("input, textarea, select, button")) return;
  if (e.key === " ") { e.preventDefault(); setPlaying(!playing); }
  if (e.key === "ArrowRight") seekTo(pos + 5000);
  if (e.key === "ArrowLeft") seekTo(pos - 5000);
});

$("#finding-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { seen: $("#finding-seen").value, conclusion: $("#finding-conclusion").value };
  if ($("#finding-at").checked && data.segments.length) body.media_at_ms = Math.round(pos);
  const r = await api("POST", `/api/v1/playback/${cid}/findings`, body);
  if (!r.ok) { $("#finding-result").innerHTML = errorBox(r.json); return; }
  $("#finding-result").innerHTML = `<p role="status" class="ok">${t("复核结论已记录。", "The finding is recorded.")} (${esc(FINDING[body.conclusion][zh ? 0 : 1])})</p>`;
  $("#finding-seen").value = "";
  await refresh();
});

async function refresh() {
  const r = await api("GET", `/api/v1/playback/${cid}`);
  if (!r.ok) { root.insertAdjacentHTML("beforeend", errorBox(r.json)); return false; }
  data = r.json;
  segs = { camera: data.segments.filter((s) => s.track === "camera"), screen: data.segments.filter((s) => s.track === "screen") };
  const times = data.segments.flatMap((s) => [s.start_ms, s.end_ms]);
  span = times.length ? [Math.min(...times), Math.max(...times)] : [data.starts_at_ms, data.ends_at_ms];
  drawKinds();
  drawTimeline();
  drawMarks();
  drawSegments();
  return true;
}

(async () => {
  if (!(await refresh())) return;
  seekTo(span[0]);
  root.dataset.ready = "true";
  loadThumbs();
})();
