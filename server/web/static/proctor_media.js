// The proctor's live grid: one camera tile per candidate who streams (camera only, so dozens
// fit on a page), badges for streams, progress, time left and flags; a tile opens the enlarged
// view with camera, screen and sound, and the actions: message or warn, pause, resume, extra
// time, terminate, approve a device change, and notes for the exam-room record.
import { $, MEDIA_NAMES, api, clock, countFrames, errorBox, esc, iceGathered, t } from "./common.js";

const grid = $("#tiles");
let lastRows = [];
let actHandler = null;
let refreshImpl = () => {};

// The room page hands the tiles each new list of candidates.
export function refreshTiles(rows) {
  lastRows = rows;
  return refreshImpl(rows);
}

// The room page says how an action is taken (it asks for reasons); the enlarged view uses it.
export function onAct(handler) {
  actHandler = handler;
}

if (grid) {
  const session = grid.dataset.session;
  const canAct = grid.dataset.act === "true";
  const views = {}; // candidate id -> { pc, kinds } for tiles
  let enlarged = null; // { cid, pc }

  // Subscribes to a candidate's tracks; `els` maps kind -> media element.
  // What happened to each view, for the page's tests and for support.
  const watchLog = (window.watchLog = []);
  async function watch(cid, kinds, els, quality) {
    const pc = new RTCPeerConnection();
    const log = (what) => watchLog.push(`${cid} ${kinds.join("+")} ${what}`);
    pc.onconnectionstatechange = () => log(pc.connectionState);
    const order = ["camera", "microphone", "screen"].filter((k) => kinds.includes(k));
    const transceivers = order.map((k) => pc.addTransceiver(k === "microphone" ? "audio" : "video", { direction: "recvonly" }));
    pc.ontrack = (ev) => {
      const i = transceivers.findIndex((tr) => tr === ev.transceiver);
      const el = els[order[i]];
      log(`track ${ev.track.kind} -> ${order[i]}`);
      if (el) { el.srcObject = new MediaStream([ev.track]); el.play().catch(() => {}); }
    };
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    const r = await api("POST", `/api/v1/sessions/${session}/candidates/${cid}/watch`, { sdp: pc.localDescription.sdp, kinds: order, quality: quality || "full" });
    if (!r.ok) { log(`refused ${r.json && r.json.error}`); pc.close(); return { error: r.json }; }
    try { await pc.setRemoteDescription({ type: "answer", sdp: r.json.sdp }); } catch (e) { log(`answer: ${e.message}`); pc.close(); return { error: null }; }
    log("answered");
    return { pc };
  }

  function tile(c) {
    let el = grid.querySelector(`[data-candidate="${c.candidate_id}"]`);
    if (!el) {
      el = document.createElement("button");
      el.type = "button";
      el.className = "tile";
      el.dataset.candidate = c.candidate_id;
      el.innerHTML = `<video muted autoplay playsinline></video><span class="offline"></span><span class="tile-name"></span><span class="tile-badges"></span>`;
      countFrames(el.querySelector("video"));
      el.addEventListener("click", () => openEnlarged(c.candidate_id));
      grid.appendChild(el);
    }
    return el;
  }

  function badges(c) {
    const up = (k) => (c.media || []).includes(k);
    const short = { camera: t("摄", "Cam"), microphone: t("麦", "Mic"), screen: t("屏", "Scr") };
    const b = ["camera", "microphone", "screen"].map((k) => `<span class="badge ${up(k) ? "approved" : "rejected"}" data-track="${k}" data-up="${up(k)}" title="${MEDIA_NAMES[k]}${up(k) ? t("正常", " up") : t("未连接", " down")}">${short[k]}</span>`);
    b.push(`<span class="badge">${c.answered}/${c.questions}</span>`);
    if (c.remaining_ms != null) b.push(`<span class="badge">${clock(c.remaining_ms)}</span>`);
    if (c.integrity_events) b.push(`<span class="badge rejected" data-flags="${c.integrity_events}">${t("异常", "Flags")} ${c.integrity_events}</span>`);
    if (c.device_pending) b.push(`<span class="badge in_review">${t("更换设备待批", "New device waiting")}</span>`);
    if (c.identity_checked === false) b.push(`<span class="badge rejected" data-identity="false">${t("人证不符", "ID mismatch")}</span>`);
    else if (c.photo && c.identity_checked == null) b.push(`<span class="badge in_review" data-identity="pending">${t("待核验", "ID to check")}</span>`);
    return b.join(" ");
  }

  async function update(rows) {
    for (const c of rows) {
      const el = tile(c);
      el.querySelector(".tile-name").textContent = `${c.name} · ${c.ticket.slice(-4)}`;
      el.title = `${c.name} · ${c.ticket}`;
      el.querySelector(".tile-badges").innerHTML = badges(c);
      el.setAttribute("aria-label", `${c.name} ${t("放大查看", "enlarge")}`);
      const camera = (c.media || []).includes("camera");
      el.dataset.live = String(camera);
      el.querySelector(".offline").textContent = c.stage === "handed_in" || c.stage === "terminated"
        ? t("考试已结束", "Test ended")
        : c.stage === "entry_closed" ? t("缺考", "Absent") : t("摄像头未连接", "Camera not connected");
      const v = views[c.candidate_id];
      if (camera && !v) {
        views[c.candidate_id] = { pending: true };
        const w = await watch(c.candidate_id, ["camera"], { camera: el.querySelector("video") }, "tile");
        views[c.candidate_id] = w.pc ? { pc: w.pc } : undefined;
      } else if (!camera && v && v.pc) {
        v.pc.close();
        delete views[c.candidate_id];
      }
    }
  }
  refreshImpl = update;

  const dialog = $("#enlarged");
  async function openEnlarged(cid) {
    closeEnlarged();
    dialog.dataset.candidate = cid;
    const row = lastRows.find((c) => c.candidate_id === cid);
    $("#enlarged-title").textContent = row ? `${row.name} · ${row.ticket}` : "";
    $("#enlarged-result").innerHTML = "";
    $("#enlarged-media").innerHTML = "";
    showIdentity(row);
    dialog.showModal();
    const kinds = (row && row.media && row.media.length) ? row.media : ["camera", "microphone", "screen"];
    const w = await watch(cid, kinds, { camera: $("#big-camera"), screen: $("#big-screen"), microphone: $("#big-audio") });
    if (w.error) { $("#enlarged-media").innerHTML = errorBox(w.error); return; }
    enlarged = { cid, pc: w.pc };
  }
  // The identity check (人证核验): the photo from the device check and the roster's photo beside
  // the live camera and the document's masked number.
  function showIdentity(row) {
    const img = $("#enlarged-photo");
    $("#enlarged-id").textContent = row ? `${t("证件号码：", "Document: ")}${row.id_masked}` : "";
    if (row && row.photo) { img.src = `/api/v1/sessions/${session}/candidates/${row.candidate_id}/photo?t=${Date.now()}`; img.hidden = false; }
    else { img.removeAttribute("src"); img.hidden = true; }
    const roster = $("#roster-photo");
    if (row && row.roster_photo) { roster.src = `/api/v1/sessions/${session}/candidates/${row.candidate_id}/roster-photo`; $("#roster-photo-figure").hidden = false; }
    else { roster.removeAttribute("src"); $("#roster-photo-figure").hidden = true; }
    const state = row && row.identity_checked;
    $("#identity-state").innerHTML = !row ? "" : !row.photo
      ? `<span class="muted">${t("考生尚未拍摄照片。", "The candidate has not taken a photo yet.")}</span>`
      : state === true ? `<span class="badge approved" data-identity="true">${t("已核验：人证一致", "Checked: matches")}</span>`
      : state === false ? `<span class="badge rejected" data-identity="false">${t("已核验：人证不一致", "Checked: does not match")}</span>`
      : `<span class="badge in_review">${t("待核验", "To check")}</span>`;
  }
  function closeEnlarged() {
    if (enlarged && enlarged.pc) enlarged.pc.close();
    enlarged = null;
  }
  dialog.addEventListener("close", closeEnlarged);
  countFrames($("#big-camera"));
  countFrames($("#big-screen"));

  async function act(body) {
    const cid = dialog.dataset.candidate;
    const { action, ...extra } = body;
    const r = actHandler ? await actHandler(cid, action, extra) : await api("POST", `/api/v1/sessions/${session}/candidates/${cid}/actions`, body);
    if (!r) return;
    $("#enlarged-result").innerHTML = r.ok ? `<p role="status" data-done="${esc(action)}">${t("已完成", "Done")}</p>` : errorBox(r.json);
    if (r.ok && action === "verify_identity") {
      const row = lastRows.find((c) => String(c.candidate_id) === String(cid));
      if (row) { row.identity_checked = extra.matches; showIdentity(row); }
    }
  }
  // Only the close button submits (and so closes) the dialog; Enter in the text box does not.
  $("#enlarged-actions").addEventListener("submit", (e) => { if (!e.submitter || e.submitter.value !== "close") e.preventDefault(); });
  dialog.addEventListener("click", (e) => {
    const action = e.target.dataset && e.target.dataset.do;
    if (!action || !canAct) return;
    const text = $("#enlarged-text").value.trim();
    if (action === "warn") act({ action, message: text });
    else if (action === "note") act({ action, text });
    else if (action === "identity_ok") act({ action: "verify_identity", matches: true, note: text });
    else if (action === "identity_mismatch") act({ action: "verify_identity", matches: false, note: text });
    else act({ action });
  });
}
