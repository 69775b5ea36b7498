// The candidate's exam page. The clock is the server's; every answer goes over the WebSocket
// with a sequence number and stays in this browser's storage until the server acknowledges it
// as durable, so a reload or a dropped connection loses nothing. A refusal the server marks as
// retryable (its own trouble, a pause, too many answers at once) keeps the answer and sends it
// again; only a final refusal drops it, and the candidate is told that answer was not saved.
import { $, MEDIA_NAMES, api, errorBox, esc, t, zh } from "./common.js";
import { exam } from "./exam_state.js";
import { loadMediaSetup, media, mediaNotice, missingMedia, onMediaMessage, openDevices, publishMedia } from "./exam_media.js";

const app = $("#exam-app");

// For the browser tests and support staff's console only: no script reads it from here.
window.exam = exam;

// Refusals after which the same answer may still be stored, when the refusal carries no
// `retry` flag (the HTTP fallback's errors); the same set as the server's.
const RETRYABLE = new Set(["internal_error", "paper_paused", "answers_in_flight", "rate_limited", "media_unavailable", "not_ready"]);
// Answers out on the socket at once, waiting for their commit (the server allows a few dozen).
const SEND_WINDOW = 16;
// An answer sent without any reply for this long is sent again (the server drops duplicates).
const REPLY_TIMEOUT_MS = 30000;

function storageKey() { return `exam-pending-${exam.paper.paper_id}`; }
function savePending() { localStorage.setItem(storageKey(), JSON.stringify({ seq: exam.seq, pending: exam.pending })); }

// ---------- stages ----------
async function load() {
  const r = await api("GET", "/api/v1/exam/status");
  if (r.status === 401 || r.status === 403) return showLogin();
  if (!r.ok) { app.innerHTML = errorBox(r.json); return; }
  const s = r.json;
  exam.earliestHandIn = s.earliest_hand_in_at_ms;
  exam.pausedReason = s.paused_reason || "";
  showNotices(s.notices || []);
  exam.serverOffset = s.server_now_ms - Date.now();
  $("#who").textContent = `${s.candidate_name} · ${s.ticket} · ${s.session_name} · ${s.room}`;
  if (s.stage === "commitment") return showCommitment();
  if (s.stage === "waiting") return showWaiting(s);
  if (s.stage === "ready") return showReady();
  if (s.stage === "in_progress" || s.stage === "paused") return startPaper("GET", "/api/v1/exam/paper", s.stage === "paused");
  if (s.stage === "entry_closed") { app.innerHTML = `<p class="error" role="alert" data-stage="entry_closed">${t("已超过入场截止时间。", "Entry has closed.")}</p>`; return; }
  showResult(s);
}

// This browser's own random id, kept across reloads, so the server can tell a change of device.
function deviceId() {
  let id = localStorage.getItem("exam-device");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem("exam-device", id);
  }
  return id;
}

function showLogin() {
  app.innerHTML = `<section class="card"><h2>${t("考生登录", "Candidate sign-in")}</h2>
    <form id="candidate-login">
      <label for="ticket">${t("准考证号", "Admission ticket")}</label><input id="ticket" autocomplete="off" required autofocus>
      <label for="id-number">${t("身份证件号码", "ID number")}</label><input id="id-number" autocomplete="off" required>
      <label for="exam-password">${t("密码或考试码", "Password or exam code")}</label><input id="exam-password" type="password" required>
      <div><button type="submit" id="candidate-sign-in">${t("登录", "Sign in")}</button></div>
    </form><div id="login-result" role="status"></div></section>`;
  let retry = null;
  async function signIn() {
    clearTimeout(retry);
    const r = await api("POST", "/api/v1/exam/login", { ticket: $("#ticket").value.trim(), id_number: $("#id-number").value.trim(), password: $("#exam-password").value, device: deviceId() });
    if (!r.ok) {
      $("#login-result").innerHTML = errorBox(r.json);
      // A new device waits for the proctor's approval; ask again every 10 s until then.
      if (r.json && r.json.error === "device_approval_required") retry = setTimeout(signIn, 10000);
      return;
    }
    load();
  }
  $("#candidate-login").addEventListener("submit", (e) => { e.preventDefault(); signIn(); });
}

function showCommitment() {
  app.innerHTML = `<section class="card" data-stage="commitment"><h2>${t("考试承诺书", "Commitment letter")}</h2>
    <div class="letter"><p>${t("本人自愿参加职业技能等级认定理论知识考试，承诺：所填报信息真实准确；独立完成考试，不替考、不作弊、不使用任何违规资料和设备；服从考务人员管理；考试全过程接受音视频监考并同意录像留存。如有违反，自愿承担取消成绩、记入诚信档案等后果。",
      "I take this theory test of my own will and promise that my information is true; that I will work alone, without impersonation, cheating or forbidden material or devices; that I will follow the proctors; and that I accept audio and video proctoring and recording. If I break this promise I accept the cancellation of my result and a record in the integrity file.")}</p></div>
    <p><input type="checkbox" id="agree"> <label for="agree" style="display:inline">${t("我已阅读并同意以上承诺", "I have read and accept this commitment")}</label></p>
    <button type="button" id="accept" disabled>${t("签署承诺书", "Sign the commitment")}</button></section>`;
  $("#agree").addEventListener("change", () => { $("#accept").disabled = !$("#agree").checked; });
  $("#accept").addEventListener("click", async () => {
    const r = await api("POST", "/api/v1/exam/commitment");
    if (!r.ok) { app.insertAdjacentHTML("beforeend", errorBox(r.json)); return; }
    load();
  });
}

function showWaiting(s) {
  app.innerHTML = `<section class="card" data-stage="waiting"><h2>${t("请等待考试开始", "Please wait for the start")}</h2>
    <p>${t("开考时间：", "Starts at: ")}${new Date(s.starts_at_ms).toLocaleString(zh ? "zh-CN" : "en")}</p></section>`;
  setTimeout(load, 5000);
}

async function showReady() {
  const setup = await loadMediaSetup();
  if (!setup.required.length) {
    app.innerHTML = `<section class="card" data-stage="ready"><h2>${t("准备开始", "Ready to start")}</h2>
      <p>${t("开始后试卷即固定，计时以服务器时间为准。", "Once started, your paper is fixed; time is kept by the server.")}</p>
      <button type="button" id="start-exam">${t("开始答题", "Start the test")}</button></section>`;
    $("#start-exam").addEventListener("click", () => startPaper("POST", "/api/v1/exam/start"));
    return;
  }
  // Camera, microphone and screen first: the server must receive them before the first question.
  const names = setup.required.map((k) => MEDIA_NAMES[k]).join(t("、", ", "));
  // With a camera, the candidate's own photo too, for the proctor to compare (人证核验).
  const needPhoto = setup.required.includes("camera");
  let photoTaken = false;
  app.innerHTML = `<section class="card" data-stage="ready"><h2>${t("设备检查", "Device check")}</h2>
    <p>${t(`本场考试全程远程监考并录像，需要开启：${names}。`, `This test is proctored and recorded throughout; it needs: ${names}.`)}</p>
    <div class="previews">
      <figure><video id="camera-preview" muted autoplay playsinline aria-labelledby="cap-camera"></video><figcaption id="cap-camera">${t("摄像头画面", "Camera")}</figcaption></figure>
      <figure><video id="screen-preview" muted autoplay playsinline aria-labelledby="cap-screen"></video><figcaption id="cap-screen">${t("屏幕共享画面", "Screen")}</figcaption></figure>
      ${needPhoto ? `<figure><img id="photo-preview" alt="" hidden><canvas id="photo-canvas" width="320" height="240" hidden></canvas><figcaption>${t("本人照片（供监考人员人证核验）", "Your photo (for the proctor's identity check)")}</figcaption></figure>` : ""}</div>
    ${setup.required.includes("microphone") ? `<p><label for="mic-level" style="display:inline">${t("麦克风音量", "Microphone level")}</label> <meter id="mic-level" min="0" max="1" low="0.05" value="0"></meter> <span class="muted">${t("请说几句话，音量条应有变化。", "Say a few words: the bar should move.")}</span></p>` : ""}
    <p id="media-status" role="status"></p>
    <button type="button" id="media-on">${t("开启设备并连接监考", "Turn on and connect")}</button>
    ${needPhoto ? `<button type="button" id="take-photo" class="secondary" disabled>${t("拍摄本人照片", "Take your photo")}</button>` : ""}
    <button type="button" id="start-exam" disabled>${t("开始答题", "Start the test")}</button>
    <p id="photo-status" role="status"></p></section>`;
  const status = () => {
    const missing = missingMedia();
    $("#media-status").dataset.flowing = media.flowing.join(",");
    $("#media-status").textContent = missing.length
      ? t(`等待监考端收到：${missing.map((k) => MEDIA_NAMES[k]).join("、")}`, `Waiting for the proctor to receive: ${missing.map((k) => MEDIA_NAMES[k]).join(", ")}`)
      : t("监考画面已连通，可以开始答题。", "The proctor receives everything; you may start.");
    $("#start-exam").disabled = missing.length > 0 || (needPhoto && !photoTaken);
    if ($("#take-photo")) $("#take-photo").disabled = !media.camera;
  };
  media.onchange = status;
  status();
  if (needPhoto) {
    $("#take-photo").addEventListener("click", async () => {
      const video = $("#camera-preview");
      const canvas = $("#photo-canvas");
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      const resp = await fetch("/api/v1/exam/photo", { method: "POST", body: blob, credentials: "same-origin", headers: { "Content-Type": "image/jpeg", "Accept-Language": t("zh-CN", "en") } });
      if (!resp.ok) { $("#photo-status").innerHTML = errorBox(await resp.json().catch(() => null)); return; }
      const img = $("#photo-preview");
      img.src = canvas.toDataURL("image/jpeg", 0.85);
      img.alt = t("本人照片", "Your photo");
      img.hidden = false;
      photoTaken = true;
      $("#photo-status").innerHTML = `<span data-photo="taken">${t("照片已提交，监考人员将进行人证核验。", "Photo sent; the proctor will check it against you and your document.")}</span>`;
      status();
    });
  }
  $("#media-on").addEventListener("click", async () => {
    try {
      await openDevices();
      micLevel();
      status();
    } catch (e) {
      $("#media-status").innerHTML = `<span class="error" role="alert">${t("无法开启设备：", "Cannot open the devices: ")}${esc(e.message || e.name)}</span>`;
      return;
    }
    connect();
    publishMedia();
  });
  $("#start-exam").addEventListener("click", () => startPaper("POST", "/api/v1/exam/start"));
}

function showResult(s) {
  stopRetry();
  // Answers refused for good never count; answers still unconfirmed when the paper ended may
  // not: say so.
  let refused = 0, unconfirmed = 0;
  if (exam.paper) {
    const saving = pendingNos();
    unconfirmed = saving.size;
    refused = Object.keys(exam.failed).filter((no) => !saving.has(Number(no))).length;
    localStorage.removeItem(storageKey());
  }
  // Handed in with short answers: the score comes once two markers have marked them.
  const pending = s.stage === "handed_in" && s.score == null;
  const score = pending ? t("主观题阅卷中，成绩待公布", "Short answers are being marked; the score follows") : s.score == null ? "—" : (s.score / 1000).toFixed(1).replace(/\.0$/, "");
  const verdict = s.passed == null ? "" : s.passed ? t("合格", "Passed") : t("不合格", "Not passed");
  const fmt = (p) => (p / 1000).toFixed(1).replace(/\.0$/, "");
  const explained = s.score != null && s.raw_points != null && s.max_points
    ? `<p id="score-explained">${esc(t(`得分 ${fmt(s.raw_points)} 分（试卷满分 ${fmt(s.max_points)} 分），折合百分制 ${fmt(s.score)} 分；合格线为 ${s.pass_mark} 分，${s.passed ? "已达到" : "未达到"}合格线。`,
      `${fmt(s.raw_points)} points of the paper's ${fmt(s.max_points)}, which is ${fmt(s.score)} out of 100; the pass mark is ${s.pass_mark}, ${s.passed ? "reached" : "not reached"}.`))}</p>` : "";
  const ended = s.stage === "terminated" && s.ended_reason
    ? `<p class="error" role="alert" id="ended-reason">${esc(t(`监考人员终止了您的考试，原因：${s.ended_reason}`, `The proctor ended your test. Reason: ${s.ended_reason}`))}</p>` : "";
  app.innerHTML = `<section class="card" data-stage="${esc(s.stage)}"><h2>${s.stage === "terminated" ? t("考试已被终止", "The test was terminated") : t("已交卷", "Handed in")}</h2>
    ${ended}<p>${t("理论知识成绩：", "Theory score: ")}<strong id="final-score">${esc(score)}</strong> ${esc(verdict)}</p>${explained}
    ${refused ? `<p class="error" role="alert" data-refused="${refused}">${t(`有 ${refused} 题的最后一次作答没有保存，不计入成绩。`, `The last answer to ${refused} question(s) was NOT saved and does not count.`)}</p>` : ""}
    ${unconfirmed ? `<p class="error" role="alert" data-unconfirmed="${unconfirmed}">${t(`有 ${unconfirmed} 题的最后一次作答在考试结束时尚未得到服务器确认，可能没有计入成绩。`, `The last answer to ${unconfirmed} question(s) was not yet confirmed by the server when the test ended and may not count.`)}</p>` : ""}</section>`;
  showReceipt();
  exam.ended = true;
  if (exam.socket) exam.socket.close();
  clearTimeout(media.retry);
  if (media.pc) media.pc.close();
}

// The receipt (存证回执): the evidence log's signed checkpoint and the proof that this hand-in
// is in it, to keep as a file; checkable later with the log's public key alone.
async function showReceipt() {
  const r = await api("GET", "/api/v1/exam/receipt");
  if (!r.ok) return;
  const box = document.createElement("section");
  box.className = "card";
  box.id = "receipt";
  box.setAttribute("aria-labelledby", "receipt-title");
  box.innerHTML = `<h2 id="receipt-title">${t("存证回执", "Evidence receipt")}</h2>
    <p>${esc(t(`您的交卷记录已写入可公开核验、任何改动都会被发现的存证日志（第 ${r.json.index + 1} 条，共 ${r.json.tree_size} 条）。请下载并保存回执：今后任何人都可以用本系统公布的公钥核对这份答卷确实在日志中、且从未被改动。`,
      `Your hand-in is entry ${r.json.index + 1} of ${r.json.tree_size} in the tamper-evident evidence log. Download and keep this receipt: anyone can later check, with the system's published key, that this paper is in the log and was never changed.`))}</p>
    <p><a id="receipt-download" download="receipt-${r.json.index}.json" href="${URL.createObjectURL(new Blob([JSON.stringify(r.json, null, 2)], { type: "application/json" }))}">${t("下载存证回执", "Download the receipt")}</a></p>
    <p class="muted">${t("日志公钥：", "Log key: ")}<code>${esc(r.json.log_key)}</code></p>
    <details><summary>${t("查看回执内容", "Show the receipt")}</summary><pre id="receipt-json">${esc(JSON.stringify(r.json, null, 2))}</pre></details>`;
  app.appendChild(box);
}

// ---------- the paper ----------
async function startPaper(method, url, paused) {
  const r = await api(method, url);
  if (!r.ok) { app.innerHTML = errorBox(r.json); return; }
  exam.paper = r.json;
  exam.answers = {};
  exam.saved = {};
  exam.failed = {};
  exam.inflight.clear();
  for (const a of r.json.answers) { exam.answers[a.no] = a.response; exam.saved[a.no] = { seq: a.seq, response: a.response }; }
  const stored = JSON.parse(localStorage.getItem(storageKey()) || "{}");
  exam.pending = stored.pending || {};
  exam.seq = Math.max(r.json.last_seq, stored.seq || 0);
  // Answers given but never acknowledged (a reload while offline) are shown and resent, unless
  // the server already holds that answer or a later one for the same question (the latest
  // sequence number per question is the one that counts).
  for (const [seq, p] of Object.entries(exam.pending)) {
    const kept = exam.saved[p.no];
    if (kept && kept.seq >= Number(seq)) delete exam.pending[seq];
    else exam.answers[p.no] = p.response;
  }
  savePending();
  exam.flags = JSON.parse(localStorage.getItem(`exam-flags-${exam.paper.paper_id}`) || "{}");
  setClock(r.json.remaining_ms, !!paused);
  renderPaper();
  connect();
  flush();
  watchIntegrity();
  resumeMedia();
}

// After a reload mid-test the devices must be opened again (a click is needed for the screen).
async function resumeMedia() {
  if (!media.setup) await loadMediaSetup();
  if (!media.setup.required.length || media.pc) return;
  const n = $("#media-notice");
  n.dataset.kind = "resume";
  n.innerHTML = `<p class="error" role="alert">${t("请重新开启摄像头、麦克风和屏幕共享以继续监考。", "Turn the camera, microphone and screen sharing on again to continue.")}
    <button type="button" id="media-again">${t("重新开启", "Turn on again")}</button></p>`;
  $("#media-again").addEventListener("click", async () => {
    try { await openDevices(); n.innerHTML = ""; publishMedia(); } catch (e) { mediaNotice(e.message || e.name, true); }
  });
}

function renderPaper() {
  const q = exam.paper.questions;
  app.innerHTML = `<div class="exam-bar"><span id="timer" aria-live="off"></span>
      <span id="save-state" role="status" aria-live="polite"></span>
      <button type="button" id="hand-in">${t("交卷", "Hand in")}</button></div>
    <div id="pause-notice"></div>
    <div id="warning" role="alert"></div>
    <div id="save-errors"></div>
    <nav id="navigator" aria-label="${t("题目导航", "Questions")}">${q.map((x, i) => `<button type="button" class="nav-q" data-i="${i}">${x.no}</button>`).join("")}</nav>
    <section class="card" id="question" aria-live="polite"></section>
    <p id="question-state"></p>
    <div class="toolbar"><button type="button" class="secondary" id="prev">${t("上一题", "Previous")}</button>
      <label style="margin:0"><input type="checkbox" id="flag"> ${t("标记待检查", "Flag for review")}</label>
      <button type="button" class="secondary" id="next">${t("下一题", "Next")}</button></div>`;
  document.querySelectorAll(".nav-q").forEach((b) => b.addEventListener("click", () => show(Number(b.dataset.i))));
  $("#prev").addEventListener("click", () => show(Math.max(0, exam.current - 1)));
  $("#next").addEventListener("click", () => show(Math.min(q.length - 1, exam.current + 1)));
  $("#flag").addEventListener("change", () => {
    const no = q[exam.current].no;
    exam.flags[no] = $("#flag").checked;
    localStorage.setItem(`exam-flags-${exam.paper.paper_id}`, JSON.stringify(exam.flags));
    markNavigator();
  });
  $("#hand-in").addEventListener("click", handIn);
  show(exam.current);
  renderFailures();
  refresh();
}

// The questions with an answer not yet acknowledged.
function pendingNos() { return new Set(Object.values(exam.pending).map((p) => p.no)); }

// A question's state: "saving" (an answer waits for the server), "unsaved" (the last answer was
// refused for good), "answered" (the server holds an answer) or "" (none).
function stateOf(no, saving) {
  if (saving.has(no)) return "saving";
  if (exam.failed[no]) return "unsaved";
  return exam.saved[no] ? "answered" : "";
}

function markNavigator() {
  if (!exam.paper) return;
  const saving = pendingNos();
  const names = { saving: t("正在保存", "saving"), unsaved: t("答案未保存", "answer NOT saved"), answered: t("已保存", "saved"), "": t("未作答", "not answered") };
  document.querySelectorAll(".nav-q").forEach((b) => {
    const no = exam.paper.questions[Number(b.dataset.i)].no;
    const state = stateOf(no, saving);
    // Only an answer the server holds shows as answered (green).
    b.classList.toggle("answered", state === "answered");
    b.classList.toggle("saving", state === "saving");
    b.classList.toggle("unsaved", state === "unsaved");
    b.classList.toggle("flagged", !!exam.flags[no]);
    b.dataset.state = state;
    b.style.background = state === "saving" ? "#fff8c5" : state === "unsaved" ? "#ffebe9" : "";
    b.style.borderStyle = state === "saving" || state === "unsaved" ? "dashed" : "";
    const label = `${t(`第 ${no} 题`, `Question ${no}`)}${t("，", ", ")}${names[state]}${exam.flags[no] ? t("，已标记", ", flagged") : ""}`;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.setAttribute("aria-current", Number(b.dataset.i) === exam.current ? "true" : "false");
  });
  // The question on screen: is its answer saved?
  const el = $("#question-state");
  if (!el) return;
  const no = exam.paper.questions[exam.current].no;
  const state = stateOf(no, saving);
  el.dataset.state = state;
  if (state === "unsaved") {
    el.className = "error";
    el.textContent = t(`本题答案没有保存：${exam.failed[no].message}`, `This answer was NOT saved: ${exam.failed[no].message}`);
  } else {
    el.className = "muted";
    el.textContent = state === "saving" ? t("本题答案正在保存…", "Saving this answer…") : state === "answered" ? t("本题答案已保存", "This answer is saved") : "";
  }
}

// Answers refused for good: each stays listed until a later answer to its question is saved.
function renderFailures() {
  const el = $("#save-errors");
  if (!el || !exam.paper) return;
  el.innerHTML = Object.entries(exam.failed).map(([no, f]) => `<div class="error" role="alert" data-no="${esc(no)}" data-error="${esc(f.error)}">
      <strong>${t(`第 ${esc(no)} 题的答案没有保存：`, `Question ${esc(no)}: your answer was NOT saved: `)}</strong>${esc(f.message)}
      <button type="button" class="secondary" style="margin-top:.25rem" data-goto="${esc(no)}">${t(`转到第 ${esc(no)} 题`, `Go to question ${esc(no)}`)}</button></div>`).join("");
  el.querySelectorAll("[data-goto]").forEach((b) => b.addEventListener("click", () => {
    const i = exam.paper.questions.findIndex((q) => String(q.no) === b.dataset.goto);
    if (i >= 0) show(i);
  }));
}

// Answering is closed while the paper is paused, once it ended, or once this page is signed out.
function locked() { return exam.paused || exam.ended || exam.signedOut; }

function applyLock() {
  const lock = !!locked();
  const fields = $("#answer-fields");
  if (fields && fields.disabled !== lock) {
    // Disabling the field under the keyboard focus drops the focus: put it back afterwards.
    if (lock && fields.contains(document.activeElement)) exam.refocus = document.activeElement.id;
    fields.disabled = lock;
    if (!lock && exam.refocus) {
      const el = document.getElementById(exam.refocus);
      if (el && fields.contains(el) && (!document.activeElement || document.activeElement === document.body)) el.focus();
      exam.refocus = null;
    }
  }
  const n = $("#pause-notice");
  if (!n) return;
  const kind = exam.signedOut || exam.ended ? "" : exam.paused ? "paused" : "";
  if (n.dataset.kind === kind) return;
  n.dataset.kind = kind;
  const why = exam.pausedReason ? t(`暂停原因：${exam.pausedReason}。`, `Reason: ${exam.pausedReason}. `) : "";
  n.innerHTML = kind === "paused"
    ? `<p class="error" role="alert" data-paused="true">${t("考试已被监考人员暂停，请等待监考人员恢复考试。", "The test is paused by the proctor; please wait until it resumes. ")}<span id="pause-reason">${esc(why)}</span>${t("暂停期间答题区不可操作，计时也已停止；已作答的答案会在恢复后自动保存。",
      "The answer area is locked and the clock has stopped while paused; answers already given are saved once it resumes.")}</p>`
    : "";
}

function refresh() {
  markNavigator();
  updateSaveState();
  applyLock();
}

// The question on screen, told to the server (for review playback) when it changes and again
// after a reconnect.
function tellViewing() {
  const q = exam.paper && exam.paper.questions[exam.current];
  if (!q || exam.toldViewing === q.no || !exam.socket || exam.socket.readyState !== 1) return;
  exam.toldViewing = q.no;
  exam.socket.send(JSON.stringify({ type: "viewing", no: q.no }));
}

function show(i) {
  flushTyping();
  exam.current = i;
  tellViewing();
  const q = exam.paper.questions[i];
  const item = q.item;
  const saved = exam.answers[q.no];
  const name = `q${q.no}`;
  let body = "";
  if (item.item_type === "single_choice" || item.item_type === "multiple_choice") {
    const kind = item.item_type === "single_choice" ? "radio" : "checkbox";
    const chosen = saved && saved.kind === "choices" ? saved.value : [];
    body = `<ul class="options">${item.choices.map((c, k) => {
      const label = String.fromCharCode(65 + k);
      return `<li><input type="${kind}" name="${name}" id="${name}-${k}" value="${esc(c.id)}" ${chosen.includes(c.id) ? "checked" : ""}>
        <label for="${name}-${k}"><strong>${label}.</strong> ${c.content}</label></li>`;
    }).join("")}</ul>`;
  } else if (item.item_type === "true_false") {
    const v = saved && saved.kind === "true_false" ? saved.value : null;
    body = `<ul class="options"><li><input type="radio" name="${name}" id="${name}-t" value="true" ${v === true ? "checked" : ""}> <label for="${name}-t">${t("对", "True")}</label></li>
      <li><input type="radio" name="${name}" id="${name}-f" value="false" ${v === false ? "checked" : ""}> <label for="${name}-f">${t("错", "False")}</label></li></ul>`;
  } else if (item.item_type === "fill_in") {
    const v = saved && saved.kind === "blanks" ? saved.value : [];
    body = Array.from({ length: Math.max(1, item.blanks) }, (_, k) =>
      `<label for="${name}-${k}">${t(`第 ${k + 1} 空`, `Blank ${k + 1}`)}</label><input id="${name}-${k}" data-blank="${k}" value="${esc(v[k] || "")}" autocomplete="off">`).join("");
  } else {
    const v = saved && saved.kind === "text" ? saved.value : "";
    body = `<label for="${name}-text">${t("作答", "Your answer")}</label><textarea id="${name}-text">${esc(v)}</textarea>`;
  }
  const typeName = { single_choice: t("单选题", "Single choice"), multiple_choice: t("多选题", "Multiple choice"), true_false: t("判断题", "True/false"), fill_in: t("填空题", "Fill in"), short_answer: t("简答题", "Short answer") }[item.item_type];
  // One fieldset holds every input of the answer, so a pause disables them all at once.
  $("#question").innerHTML = `<p class="muted">${t(`第 ${q.no} 题`, `Question ${q.no}`)} · ${typeName} · ${(q.points / 1000)} ${t("分", "pt")}</p>
    <div class="stem">${item.stem}</div><form id="answer-form" data-no="${q.no}"><fieldset id="answer-fields" style="border:0;padding:0;margin:0;min-width:0" ${locked() ? "disabled" : ""}>${body}</fieldset></form>`;
  $("#flag").checked = !!exam.flags[q.no];
  const form = $("#answer-form");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", () => collect(q));
  form.addEventListener("input", (e) => { if (e.target.matches("input[data-blank], textarea")) debounce(() => collect(q)); });
  markNavigator();
}

let typing = null, typed = null;
function debounce(f) { clearTimeout(typing); typed = f; typing = setTimeout(flushTyping, 600); }
// Text still being typed is taken at once: before another question replaces the form, before
// hand-in, and before the page unloads (so a reload keeps it in storage).
function flushTyping() {
  clearTimeout(typing);
  const f = typed;
  typed = null;
  if (f) f();
}

function collect(q) {
  // Once the paper ended nothing more is taken; while paused an answer already typed is kept
  // and goes out on resume.
  if (exam.ended) return;
  const item = q.item;
  const form = $("#answer-form");
  if (!form || form.dataset.no !== String(q.no)) return;
  let response;
  if (item.item_type === "single_choice" || item.item_type === "multiple_choice") {
    response = { kind: "choices", value: [...form.querySelectorAll("input:checked")].map((i) => i.value) };
  } else if (item.item_type === "true_false") {
    const c = form.querySelector("input:checked");
    if (!c) return;
    response = { kind: "true_false", value: c.value === "true" };
  } else if (item.item_type === "fill_in") {
    response = { kind: "blanks", value: [...form.querySelectorAll("input[data-blank]")].map((i) => i.value) };
  } else {
    response = { kind: "text", value: form.querySelector("textarea").value };
  }
  exam.answers[q.no] = response;
  exam.seq += 1;
  exam.pending[exam.seq] = { no: q.no, response };
  // A new answer replaces the one that was refused: the refusal is shown again if it recurs.
  if (exam.failed[q.no]) { delete exam.failed[q.no]; renderFailures(); }
  savePending();
  flush();
  markNavigator();
  updateSaveState();
}

// ---------- the channel ----------
function canSend() {
  return !!exam.paper && !!exam.socket && exam.socket.readyState === 1 && !exam.paused && !exam.ended && !exam.signedOut;
}

function send(seq) {
  const p = exam.pending[seq];
  if (!p || !canSend()) return;
  exam.socket.send(JSON.stringify({ type: "answer", seq: Number(seq), no: p.no, response: p.response }));
  exam.inflight.set(String(seq), Date.now());
}

// Sends the pending answers not yet out on this socket, oldest first, a window at a time;
// not while a retry waits for its backoff, nor while the paper is paused.
function flush() {
  if (!canSend() || exam.retryTimer) return;
  for (const seq of Object.keys(exam.pending).sort((a, b) => a - b)) {
    if (exam.inflight.size >= SEND_WINDOW) break;
    if (!exam.inflight.has(seq)) send(seq);
  }
}

function stopRetry() {
  clearTimeout(exam.retryTimer);
  exam.retryTimer = null;
}

// The same answers again in a few seconds, longer each time the server is still in trouble
// (with some randomness, so a whole room does not come back at the same instant).
function scheduleRetry() {
  if (exam.retryTimer || exam.ended || exam.signedOut) return;
  exam.backoff = Math.min(exam.backoff ? exam.backoff * 2 : 2000, 15000);
  exam.retryTimer = setTimeout(() => { exam.retryTimer = null; flush(); updateSaveState(); }, exam.backoff + Math.random() * 1000);
}

// At once: on reconnect and when the proctor resumes the paper.
function resendNow() {
  stopRetry();
  flush();
}

// Answers out for a long time without a reply are sent again.
setInterval(() => {
  const now = Date.now();
  let stale = false;
  for (const [seq, at] of exam.inflight) if (now - at > REPLY_TIMEOUT_MS) { exam.inflight.delete(seq); stale = true; }
  if (stale) flush();
}, 5000);

function onAck(m) {
  const key = String(m.seq);
  exam.inflight.delete(key);
  const p = exam.pending[key];
  if (!p) return;
  delete exam.pending[key];
  const seq = Number(m.seq);
  if (!exam.saved[p.no] || exam.saved[p.no].seq < seq) exam.saved[p.no] = { seq, response: p.response };
  // Older answers to the same question no longer count once a later one is stored.
  for (const [s, q] of Object.entries(exam.pending)) if (q.no === p.no && Number(s) < seq) delete exam.pending[s];
  if (exam.failed[p.no] && exam.failed[p.no].seq < seq) { delete exam.failed[p.no]; renderFailures(); }
  exam.backoff = 0;
  exam.retryReason = "";
  savePending();
  flush();
}

// `m`: a socket refusal ({seq, error, message, retry}) or an HTTP error body ({error, message}).
function isRetryable(m) {
  return typeof m.retry === "boolean" ? m.retry : RETRYABLE.has(m.error);
}

function onRefused(m) {
  if (m.error === "signed_out") return onSignedOut(m);
  if (m.seq == null) {
    // Not about an answer (an integrity event, the media offer, …).
    if ($("#warning")) $("#warning").innerHTML = errorBox(m);
    return;
  }
  const key = String(m.seq);
  exam.inflight.delete(key);
  const p = exam.pending[key];
  if (!p) return;
  if (isRetryable(m)) {
    // Not stored yet, but it may be: keep it and send it again later.
    exam.retryReason = m.message || "";
    scheduleRetry();
    return;
  }
  // Final: this answer will never count.
  delete exam.pending[key];
  savePending();
  const seq = Number(m.seq);
  const later = (exam.saved[p.no] && exam.saved[p.no].seq > seq) || Object.entries(exam.pending).some(([s, q]) => q.no === p.no && Number(s) > seq);
  if (!later) {
    // The page keeps showing what the candidate entered (nothing typed is wiped), marked as
    // not saved; the question no longer counts as answered.
    exam.failed[p.no] = { seq, error: m.error, message: m.message || t(`服务器拒绝保存该答案（${m.error}）。`, `The server refused to store this answer (${m.error}).`) };
    renderFailures();
  }
  flush();
}

// Signed in elsewhere or signed out: this page can save nothing more, and does not reconnect.
function onSignedOut(m) {
  exam.signedOut = true;
  stopRetry();
  clearTimeout(media.retry);
  if (media.pc) { const pc = media.pc; media.pc = null; pc.close(); }
  const html = `<div class="error" role="alert" data-error="signed_out"><p style="margin:0">${esc(m.message || t("您已在其他设备登录或已退出，本页面的连接已关闭。", "You signed in elsewhere or signed out; this page's connection is closed."))}</p>
    <button type="button" id="sign-in-again">${t("重新登录", "Sign in again")}</button></div>`;
  if ($("#warning")) $("#warning").innerHTML = html; else app.insertAdjacentHTML("afterbegin", html);
  $("#sign-in-again").addEventListener("click", () => location.reload());
  if (exam.socket) exam.socket.close();
}

function connect() {
  if (exam.ended || exam.signedOut) return;
  if (exam.socket && exam.socket.readyState <= 1) return;
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/exam/ws`);
  exam.socket = ws;
  ws.onopen = () => {
    exam.inflight.clear();
    resendNow();
    updateSaveState();
    if (exam.reloaded) { exam.reloaded = false; ws.send(JSON.stringify({ type: "integrity", kind: "reload" })); }
    exam.toldViewing = null;
    tellViewing();
  };
  ws.onmessage = (ev) => {
    if (ws !== exam.socket) return;
    const m = JSON.parse(ev.data);
    if (m.type === "notice") { addNotice({ at_ms: m.at_ms, text: m.text }, true); return; }
    if (onMediaMessage(m)) return;
    if (m.type === "ack") onAck(m);
    else if (m.type === "refused") onRefused(m);
    else if (m.type === "time") setClock(m.remaining_ms, m.paused);
    else if (m.type === "ended") {
      // Nothing more is sent; the result replaces the paper.
      exam.ended = true;
      stopRetry();
      refresh();
      load();
      return;
    }
    refresh();
  };
  ws.onclose = () => {
    if (ws !== exam.socket) return;
    // Whatever was out on this socket and not answered goes again on the next one.
    exam.inflight.clear();
    updateSaveState();
    if ((exam.paper || media.pc) && !exam.ended && !exam.signedOut) setTimeout(connect, 1000);
  };
}

// Never "saved" while any answer is waiting for the server.
function updateSaveState() {
  const el = $("#save-state");
  if (!el) return;
  const n = Object.keys(exam.pending).length;
  const q = pendingNos().size;
  const failed = Object.keys(exam.failed).length;
  const online = !!exam.socket && exam.socket.readyState === 1;
  el.dataset.pending = String(n);
  el.dataset.online = String(online);
  el.dataset.failed = String(failed);
  let text;
  if (exam.signedOut) text = q ? t(`连接已关闭，有 ${q} 个答案没有保存`, `Connection closed: ${q} answer(s) NOT saved`) : t("连接已关闭", "Connection closed");
  else if (exam.ended) text = q ? t(`考试已结束，有 ${q} 个答案没有保存`, `The test has ended: ${q} answer(s) NOT saved`) : t("考试已结束", "The test has ended");
  else if (!online) text = q ? t(`连接中断，有 ${q} 个答案待保存（恢复连接后自动提交）`, `Offline: ${q} answer(s) waiting (sent when back online)`) : t("连接中断，正在重新连接…", "Offline; reconnecting…");
  else if (q && exam.paused) text = t(`考试已暂停，有 ${q} 个答案待保存（恢复后自动提交）`, `Paused: ${q} answer(s) waiting (sent on resume)`);
  else if (q && exam.retryTimer) text = t(`有 ${q} 个答案正在保存…（稍后自动重试${exam.retryReason ? `：${exam.retryReason}` : ""}）`, `Saving ${q} answer(s)… (retrying shortly${exam.retryReason ? `: ${exam.retryReason}` : ""})`);
  else if (q) text = t(`有 ${q} 个答案正在保存…`, `Saving ${q} answer(s)…`);
  else if (failed) text = t(`有 ${failed} 题的答案没有保存（见页面提示），其余答案均已保存`, `${failed} answer(s) NOT saved (see the message); the others are saved`);
  else text = t("全部答案已保存", "All answers saved");
  if (failed && q && !exam.ended) text += t(`；${failed} 题的答案没有保存`, `; ${failed} answer(s) NOT saved`);
  el.textContent = text;
}

// ---------- the clock ----------
function setClock(remainingMs, paused) {
  const was = exam.paused;
  exam.remainingMs = remainingMs;
  exam.clockAt = performance.now();
  exam.paused = !!paused;
  if (was === exam.paused) return;
  if (exam.paused) loadPauseReason();
  applyLock();
  // Resumed: what waited goes out at once.
  if (!exam.paused) { exam.backoff = 0; resendNow(); }
  updateSaveState();
}

// The proctor's reason for a pause, read from the status once the pause is known.
async function loadPauseReason() {
  const r = await api("GET", "/api/v1/exam/status");
  if (!r.ok || !exam.paused) return;
  exam.pausedReason = r.json.paused_reason || "";
  const n = $("#pause-notice");
  if (n) n.dataset.kind = "";
  applyLock();
}

function tick() {
  if (!exam.paper || !$("#timer")) return;
  const left = Math.max(0, exam.remainingMs - (exam.paused ? 0 : performance.now() - exam.clockAt));
  const m = Math.floor(left / 60000), s = Math.floor((left % 60000) / 1000);
  $("#timer").textContent = `${exam.paused ? t("已暂停 ", "Paused ") : ""}${t("剩余", "Left")} ${m}:${String(s).padStart(2, "0")}`;
  for (const mins of [15, 5, 1]) {
    if (left <= mins * 60000 && left > 0 && !exam.warned[mins]) {
      exam.warned[mins] = true;
      $("#warning").innerHTML = `<p class="error" role="alert">${t(`距离考试结束还有 ${mins} 分钟`, `${mins} minute(s) left`)}</p>`;
    }
  }
  const early = Date.now() + exam.serverOffset < exam.earliestHandIn;
  $("#hand-in").disabled = early || exam.ended || exam.signedOut;
  $("#hand-in").title = early ? t("未到允许交卷时间", "Too early to hand in") : "";
}
setInterval(tick, 500);

async function handIn() {
  flushTyping();
  // Only what the server acknowledged counts as answered.
  const questions = exam.paper.questions;
  const saving = pendingNos();
  const saved = questions.filter((q) => exam.saved[q.no] !== undefined).length;
  const notSaved = questions.length - saved;
  const failed = questions.filter((q) => exam.failed[q.no] && !saving.has(q.no)).length;
  const warn = saving.size
    ? t(`注意：还有 ${saving.size} 题的答案正在保存，尚未得到服务器确认；现在交卷，这些答案可能不计入成绩。建议等到显示“全部答案已保存”后再交卷。\n\n`,
      `Warning: ${saving.size} answer(s) are still being saved and not yet confirmed by the server; if you hand in now they may not count. Better wait until "All answers saved" is shown.\n\n`)
    : "";
  const msg = warn + t(`确认交卷？已保存作答 ${saved} 题，未作答或答案未保存 ${notSaved} 题。${failed ? `有 ${failed} 题的最后一次作答被拒绝，没有保存（见页面提示）。` : ""}交卷后不能再修改。`,
    `Hand in now? ${saved} answered and saved, ${notSaved} unanswered or not saved.${failed ? ` The last answer to ${failed} question(s) was refused and NOT saved (see the message).` : ""} You cannot change answers afterwards.`);
  if (!window.confirm(msg)) return;
  exam.ended = true;
  stopRetry();
  applyLock();
  const r = await api("POST", "/api/v1/exam/hand-in");
  if (!r.ok) {
    exam.ended = false;
    $("#warning").innerHTML = errorBox(r.json);
    refresh();
    connect();
    resendNow();
    return;
  }
  showResult(r.json);
}

// ---------- integrity ----------
// A reload or a navigation away is not leaving the test: from beforeunload on, nothing is
// reported (the page is going; a new one reconnects). Any key or pointer use, or the page
// coming back from the browser's cache, means the page stayed after all.
let watching = false;
let leaving = false;
function watchIntegrity() {
  if (watching) return;
  watching = true;
  const report = (kind) => {
    if (leaving || exam.ended) return;
    if (exam.socket && exam.socket.readyState === 1) exam.socket.send(JSON.stringify({ type: "integrity", kind }));
  };
  window.addEventListener("beforeunload", () => { leaving = true; flushTyping(); });
  window.addEventListener("pageshow", () => { leaving = false; });
  for (const ev of ["keydown", "pointerdown"]) window.addEventListener(ev, () => { leaving = false; }, true);
  document.addEventListener("visibilitychange", () => { if (document.hidden) report("page_hidden"); });
  window.addEventListener("blur", () => report("window_blur"));
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) report("fullscreen_exit"); });
  for (const ev of ["copy", "paste", "cut"]) document.addEventListener(ev, () => report("copy_paste"));
}

// A reload of a test in progress is recorded as a reload (not as leaving the page).
const nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
exam.reloaded = !!nav && nav.type === "reload";

// The microphone's level on the device check, so the candidate sees it hears them.
function micLevel() {
  const meter = $("#mic-level");
  const track = media.camera && media.camera.getAudioTracks()[0];
  if (!meter || !track || !window.AudioContext) return;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const timer = setInterval(() => {
    if (!document.body.contains(meter)) { clearInterval(timer); ctx.close(); return; }
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128) / 128);
    meter.value = peak;
    meter.dataset.level = peak.toFixed(3);
  }, 100);
}

// ---------- the proctor's warnings ----------
// The latest shows at the top with its time until dismissed; all stay listed, also after a
// reload (the status carries them).
const notices = [];
function noticeTime(ms) { return new Date(ms).toLocaleTimeString(zh ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit" }); }
function drawNotices(latest) {
  const box = $("#proctor-notice");
  if (!box) return;
  const list = notices.length
    ? `<details id="notice-list"><summary>${t(`监考提醒记录（${notices.length}）`, `Warnings from the proctor (${notices.length})`)}</summary><ul>` +
      notices.map((n) => `<li data-notice="${esc(n.text)}"><time>${noticeTime(n.at_ms)}</time> ${esc(n.text)}</li>`).join("") + "</ul></details>"
    : "";
  const banner = latest
    ? `<div class="error" role="alert" id="notice-banner" data-notice="${esc(latest.text)}"><strong>${t("监考提醒", "From the proctor")} ${noticeTime(latest.at_ms)}${t("：", ": ")}</strong>${esc(latest.text)}
       <button type="button" class="secondary" id="notice-dismiss">${t("知道了", "Dismiss")}</button></div>`
    : "";
  box.innerHTML = banner + list;
  const d = $("#notice-dismiss");
  if (d) d.addEventListener("click", () => { sessionStorage.setItem("exam-notices-seen", String(notices.length)); drawNotices(null); });
}
function addNotice(n, fresh) {
  notices.push(n);
  drawNotices(fresh ? n : null);
}
function showNotices(all) {
  notices.length = 0;
  notices.push(...all);
  const seen = Number(sessionStorage.getItem("exam-notices-seen") || 0);
  drawNotices(all.length > seen ? all[all.length - 1] : null);
}

load();
