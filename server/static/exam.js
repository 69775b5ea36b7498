// The candidate's exam page. The clock is the server's; every answer goes over the WebSocket
// with a sequence number and stays in this browser's storage until the server acknowledges it
// as durable, so a reload or a dropped connection loses nothing.
"use strict";

const app = $("#exam-app");

const exam = (window.exam = {
  paper: null, answers: {}, flags: {}, current: 0, seq: 0, pending: {}, socket: null,
  remainingMs: 0, clockAt: 0, paused: false, warned: {}, earliestHandIn: 0, serverOffset: 0,
});

function storageKey() { return `exam-pending-${exam.paper.paper_id}`; }
function savePending() { localStorage.setItem(storageKey(), JSON.stringify({ seq: exam.seq, pending: exam.pending })); }

// ---------- stages ----------
async function load() {
  const r = await api("GET", "/api/v1/exam/status");
  if (r.status === 401 || r.status === 403) return showLogin();
  if (!r.ok) { app.innerHTML = errorBox(r.json); return; }
  const s = r.json;
  exam.earliestHandIn = s.earliest_hand_in_at_ms;
  exam.serverOffset = s.server_now_ms - Date.now();
  $("#who").textContent = `${s.candidate_name} · ${s.ticket} · ${s.session_name} · ${s.room}`;
  if (s.stage === "commitment") return showCommitment();
  if (s.stage === "waiting") return showWaiting(s);
  if (s.stage === "ready") return showReady();
  if (s.stage === "in_progress" || s.stage === "paused") return startPaper("GET", "/api/v1/exam/paper");
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
  app.innerHTML = `<section class="card" data-stage="ready"><h2>${t("设备检查", "Device check")}</h2>
    <p>${t(`本场考试全程远程监考并录像，需要开启：${names}。`, `This test is proctored and recorded throughout; it needs: ${names}.`)}</p>
    <div class="previews"><video id="camera-preview" muted autoplay playsinline aria-label="${t("摄像头画面", "Camera preview")}"></video>
      <video id="screen-preview" muted autoplay playsinline aria-label="${t("屏幕共享画面", "Screen preview")}"></video></div>
    <p id="media-status" role="status"></p>
    <button type="button" id="media-on">${t("开启设备并连接监考", "Turn on and connect")}</button>
    <button type="button" id="start-exam" disabled>${t("开始答题", "Start the test")}</button></section>`;
  const status = () => {
    const missing = missingMedia();
    $("#media-status").dataset.flowing = media.flowing.join(",");
    $("#media-status").textContent = missing.length
      ? t(`等待监考端收到：${missing.map((k) => MEDIA_NAMES[k]).join("、")}`, `Waiting for the proctor to receive: ${missing.map((k) => MEDIA_NAMES[k]).join(", ")}`)
      : t("监考画面已连通，可以开始答题。", "The proctor receives everything; you may start.");
    $("#start-exam").disabled = missing.length > 0;
  };
  media.onchange = status;
  status();
  $("#media-on").addEventListener("click", async () => {
    try {
      await openDevices();
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
  // Handed in with short answers: the score comes once two markers have marked them.
  const pending = s.stage === "handed_in" && s.score == null;
  const score = pending ? t("主观题阅卷中，成绩待公布", "Short answers are being marked; the score follows") : s.score == null ? "—" : (s.score / 1000).toFixed(1).replace(/\.0$/, "");
  const verdict = s.passed == null ? "" : s.passed ? t("合格", "Passed") : t("不合格", "Not passed");
  app.innerHTML = `<section class="card" data-stage="${esc(s.stage)}"><h2>${s.stage === "terminated" ? t("考试已被终止", "The test was terminated") : t("已交卷", "Handed in")}</h2>
    <p>${t("理论知识成绩：", "Theory score: ")}<strong id="final-score">${esc(score)}</strong> ${esc(verdict)}</p></section>`;
  exam.ended = true;
  if (exam.socket) exam.socket.close();
  if (media.pc) media.pc.close();
}

// ---------- the paper ----------
async function startPaper(method, url) {
  const r = await api(method, url);
  if (!r.ok) { app.innerHTML = errorBox(r.json); return; }
  exam.paper = r.json;
  exam.answers = {};
  for (const a of r.json.answers) exam.answers[a.no] = a.response;
  const stored = JSON.parse(localStorage.getItem(storageKey()) || "{}");
  exam.pending = stored.pending || {};
  exam.seq = Math.max(r.json.last_seq, stored.seq || 0);
  // Answers given but never acknowledged (a reload while offline) are shown and resent.
  for (const [seq, p] of Object.entries(exam.pending)) {
    if (Number(seq) <= r.json.last_seq && r.json.answers.some((a) => a.seq === Number(seq))) delete exam.pending[seq];
    else exam.answers[p.no] = p.response;
  }
  exam.flags = JSON.parse(localStorage.getItem(`exam-flags-${exam.paper.paper_id}`) || "{}");
  setClock(r.json.remaining_ms, false);
  renderPaper();
  connect();
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
    <div id="warning" role="alert"></div>
    <nav id="navigator" aria-label="${t("题目导航", "Questions")}">${q.map((x, i) => `<button type="button" class="nav-q" data-i="${i}">${x.no}</button>`).join("")}</nav>
    <section class="card" id="question" aria-live="polite"></section>
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
  updateSaveState();
}

function markNavigator() {
  document.querySelectorAll(".nav-q").forEach((b) => {
    const no = exam.paper.questions[Number(b.dataset.i)].no;
    b.classList.toggle("answered", exam.answers[no] !== undefined);
    b.classList.toggle("flagged", !!exam.flags[no]);
    b.setAttribute("aria-current", Number(b.dataset.i) === exam.current ? "true" : "false");
  });
}

function show(i) {
  exam.current = i;
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
  $("#question").innerHTML = `<p class="muted">${t(`第 ${q.no} 题`, `Question ${q.no}`)} · ${typeName} · ${(q.points / 1000)} ${t("分", "pt")}</p>
    <div class="stem">${item.stem}</div><form id="answer-form" data-no="${q.no}">${body}</form>`;
  $("#flag").checked = !!exam.flags[q.no];
  const form = $("#answer-form");
  form.addEventListener("change", () => collect(q));
  form.addEventListener("input", (e) => { if (e.target.matches("input[data-blank], textarea")) debounce(() => collect(q)); });
  markNavigator();
}

let typing = null;
function debounce(f) { clearTimeout(typing); typing = setTimeout(f, 600); }

function collect(q) {
  const item = q.item;
  const form = $("#answer-form");
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
  savePending();
  send(exam.seq);
  markNavigator();
  updateSaveState();
}

// ---------- the channel ----------
function send(seq) {
  const p = exam.pending[seq];
  if (!p || !exam.socket || exam.socket.readyState !== 1) return;
  exam.socket.send(JSON.stringify({ type: "answer", seq: Number(seq), no: p.no, response: p.response }));
}

function connect() {
  if (exam.socket && exam.socket.readyState <= 1) return;
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/exam/ws`);
  exam.socket = ws;
  ws.onopen = () => { Object.keys(exam.pending).forEach(send); updateSaveState(); };
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (onMediaMessage(m)) return;
    if (m.type === "ack") { delete exam.pending[m.seq]; savePending(); }
    else if (m.type === "refused") {
      if (m.seq != null) { delete exam.pending[m.seq]; savePending(); }
      $("#warning").innerHTML = errorBox(m);
    } else if (m.type === "time") setClock(m.remaining_ms, m.paused);
    else if (m.type === "ended") { load(); return; }
    updateSaveState();
  };
  ws.onclose = () => {
    updateSaveState();
    if ((exam.paper || media.pc) && !exam.ended) setTimeout(connect, 1000);
  };
}

function updateSaveState() {
  const el = $("#save-state");
  if (!el) return;
  const n = Object.keys(exam.pending).length;
  const online = exam.socket && exam.socket.readyState === 1;
  el.dataset.pending = String(n);
  el.dataset.online = String(online);
  el.textContent = !online ? t(`连接中断，${n} 个答案待保存（恢复后自动提交）`, `Offline: ${n} answers waiting (sent when back)`)
    : n ? t(`正在保存 ${n} 个答案…`, `Saving ${n} answers…`) : t("全部答案已保存", "All answers saved");
}

// ---------- the clock ----------
function setClock(remainingMs, paused) {
  exam.remainingMs = remainingMs;
  exam.clockAt = performance.now();
  exam.paused = paused;
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
  $("#hand-in").disabled = early;
  $("#hand-in").title = early ? t("未到允许交卷时间", "Too early to hand in") : "";
}
setInterval(tick, 500);

async function handIn() {
  const unanswered = exam.paper.questions.filter((q) => exam.answers[q.no] === undefined).length;
  const pending = Object.keys(exam.pending).length;
  const msg = t(`确认交卷？还有 ${unanswered} 题未答${pending ? `，${pending} 个答案尚未保存` : ""}。交卷后不能再修改。`,
    `Hand in now? ${unanswered} unanswered${pending ? `, ${pending} answers not yet saved` : ""}. You cannot change answers afterwards.`);
  if (!window.confirm(msg)) return;
  exam.ended = true;
  const r = await api("POST", "/api/v1/exam/hand-in");
  if (!r.ok) { exam.ended = false; $("#warning").innerHTML = errorBox(r.json); return; }
  localStorage.removeItem(storageKey());
  showResult(r.json);
}

// ---------- integrity ----------
let watching = false;
function watchIntegrity() {
  if (watching) return;
  watching = true;
  const report = (kind) => { if (exam.socket && exam.socket.readyState === 1) exam.socket.send(JSON.stringify({ type: "integrity", kind })); };
  document.addEventListener("visibilitychange", () => { if (document.hidden) report("page_hidden"); });
  window.addEventListener("blur", () => report("window_blur"));
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) report("fullscreen_exit"); });
  for (const ev of ["copy", "paste", "cut"]) document.addEventListener(ev, () => report("copy_paste"));
}

load();
