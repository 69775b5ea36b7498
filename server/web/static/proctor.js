// Exam-room pages: the live list of candidates (polled every few seconds) with the tiles, the
// actions that need a reason taken in a dialog (terminate confirmed as well), charts of room
// status and scores, and the exam-room record (考场记录表) as sentences, oldest first,
// filterable by candidate and kind, and printable.
import { $, api, clock, esc, errorBox, localTimes, t, zh } from "./common.js";
import { KINDS, sentence } from "./record_words.js";
import { refreshTiles, onAct } from "./proctor_media.js";
import "./print.js";

localTimes();

const table = $("#room");
const STAGES = {
  commitment: t("待签承诺", "Commitment"), waiting: t("等待开考", "Waiting"), ready: t("未开始", "Not started"),
  in_progress: t("答题中", "In progress"), paused: t("已暂停", "Paused"), handed_in: t("已交卷", "Handed in"),
  terminated: t("已终止", "Terminated"), entry_closed: t("缺考", "Absent"),
};

function bars(el, entries, label) {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  el.innerHTML = entries.map(([name, n]) =>
    `<div class="bar" role="img" aria-label="${esc(name)} ${n}"><span style="min-width:6rem">${esc(name)}</span>` +
    `<span class="fill" style="width:${Math.round((n / max) * 200)}px"></span> ${n}${label}</div>`).join("");
}

// The reason dialog: resolves to { reason, minutes } or null when cancelled.
function askReason(action, who) {
  const dialog = $("#reason-dialog");
  const titles = { pause: t("暂停考试", "Pause the test"), extra_time: t("延长考试时间", "Give extra time"), terminate: t("终止考试", "Terminate the test") };
  $("#reason-title").textContent = titles[action];
  $("#reason-who").textContent = who;
  $("#reason-text").value = "";
  $("#reason-error").textContent = "";
  $("#reason-minutes-box").hidden = action !== "extra_time";
  $("#reason-confirm-box").hidden = action !== "terminate";
  $("#reason-confirm").checked = false;
  dialog.dataset.action = action;
  return new Promise((resolve) => {
    const form = $("#reason-form");
    const onSubmit = (e) => {
      if (!e.submitter || e.submitter.value !== "ok") { cleanup(); dialog.close(); resolve(null); return; }
      e.preventDefault();
      const reason = $("#reason-text").value.trim();
      if (!reason) { $("#reason-error").textContent = t("请填写原因。", "Enter the reason."); $("#reason-text").focus(); return; }
      if (action === "terminate" && !$("#reason-confirm").checked) { $("#reason-error").textContent = t("请勾选确认。", "Tick the confirmation."); $("#reason-confirm").focus(); return; }
      const minutes = Number($("#reason-minutes").value);
      if (action === "extra_time" && !(minutes >= 1 && minutes <= 120)) { $("#reason-error").textContent = t("延长时间为 1–120 分钟。", "Extra time is 1–120 minutes."); return; }
      cleanup();
      dialog.close();
      resolve({ reason, minutes });
    };
    const onCancel = () => { cleanup(); resolve(null); };
    function cleanup() { form.removeEventListener("submit", onSubmit); dialog.removeEventListener("cancel", onCancel); }
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    $("#reason-text").focus();
  });
}

// An action on a candidate, asking for the reason first where one is needed.
async function act(session, cid, action, who, extra) {
  const body = { action, ...(extra || {}) };
  if (action === "pause" || action === "terminate" || action === "extra_time") {
    const r = await askReason(action, who);
    if (!r) return null;
    body.reason = r.reason;
    if (action === "extra_time") body.minutes = r.minutes;
  }
  return api("POST", `/api/v1/sessions/${session}/candidates/${cid}/actions`, body);
}

if (table) {
  const id = table.dataset.session;
  const canAct = table.dataset.act === "true";
  const pass = Number(table.dataset.pass) * 1000;
  let lastEvent = 0;
  let rows = [];
  const record = [];
  const names = () => Object.fromEntries(rows.map((c) => [c.candidate_id, c.name]));

  onAct((cid, action, extra) => {
    const row = rows.find((c) => c.candidate_id === Number(cid));
    return act(id, cid, action, row ? `${row.name} · ${row.ticket}` : "", extra);
  });

  function drawRecord() {
    const who = $("#record-candidate").value;
    const kind = $("#record-kind").value;
    const n = names();
    $("#feed").innerHTML = record
      .filter((e) => (!who || String(e.candidate_id) === who) && (!kind || (KINDS[e.kind] ? KINDS[e.kind][0] : e.kind) === kind))
      .map((e) => `<tr data-kind="${esc(e.kind)}" data-candidate="${e.candidate_id}"><td>${new Date(e.at_ms).toLocaleTimeString(zh ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit", second: "2-digit" })}</td>` +
        `<td>${esc(n[e.candidate_id] || "")}</td><td>${esc(sentence(e))}</td></tr>`).join("");
  }
  function fillFilters() {
    const sel = $("#record-candidate");
    const have = new Set([...sel.options].map((o) => o.value));
    rows.forEach((c) => { if (!have.has(String(c.candidate_id))) sel.add(new Option(`${c.name} · ${c.ticket}`, String(c.candidate_id))); });
    const ks = $("#record-kind");
    const kinds = new Set([...ks.options].map((o) => o.value));
    record.forEach((e) => { const name = KINDS[e.kind] ? KINDS[e.kind][0] : e.kind; if (!kinds.has(name)) { kinds.add(name); ks.add(new Option(name, name)); } });
  }
  $("#record-candidate").addEventListener("change", drawRecord);
  $("#record-kind").addEventListener("change", drawRecord);

  async function refresh() {
    const r = await api("GET", `/api/v1/sessions/${id}/room`);
    if (!r.ok) return;
    rows = r.json;
    refreshTiles(rows);
    table.querySelector("tbody").innerHTML = rows.map((c) => {
      const running = c.stage === "in_progress" || c.stage === "paused";
      const approve = canAct && c.device_pending
        ? `<button type="button" data-act="approve_device" data-c="${c.candidate_id}">${t("批准更换设备", "Approve device change")}</button> ` : "";
      const acts = approve + (canAct && running
        ? `<button type="button" data-act="${c.stage === "paused" ? "resume" : "pause"}" data-c="${c.candidate_id}">${c.stage === "paused" ? t("恢复", "Resume") : t("暂停…", "Pause…")}</button>
           <button type="button" class="secondary" data-act="extra_time" data-c="${c.candidate_id}">${t("延时…", "Extra time…")}</button>
           <button type="button" class="danger" data-act="terminate" data-c="${c.candidate_id}">${t("终止…", "Terminate…")}</button>` : "");
      return `<tr data-candidate="${c.candidate_id}" data-stage="${esc(c.stage)}"><td>${esc(c.ticket)}</td><td>${esc(c.name)}<br><span class="muted">${esc(c.id_masked)}</span></td>
        <td>${esc(STAGES[c.stage] || c.stage)}</td><td><progress max="${c.questions || 1}" value="${c.answered}"></progress> ${c.answered}/${c.questions}</td>
        <td>${clock(c.remaining_ms)}</td><td>${c.integrity_events ? `<strong>${c.integrity_events}</strong>` : "0"}${c.device_pending ? ` <strong class="badge">${t("更换设备待批", "New device waiting")}</strong>` : ""}</td>
        <td>${c.score == null ? "—" : (c.score / 1000)}</td><td>${acts}</td></tr>`;
    }).join("");
    const counts = {};
    rows.forEach((c) => { const k = STAGES[c.stage] || c.stage; counts[k] = (counts[k] || 0) + 1; });
    bars($("#room-chart"), Object.entries(counts), t(" 人", ""));
    const scored = rows.filter((c) => c.score != null).map((c) => c.score);
    const bands = [[t(`不合格 <${pass / 1000}`, `Fail <${pass / 1000}`), (s) => s < pass], ["60–69", (s) => s >= Math.max(pass, 60000) && s < 70000], ["70–79", (s) => s >= 70000 && s < 80000], ["80–89", (s) => s >= 80000 && s < 90000], ["90–100", (s) => s >= 90000]];
    bars($("#score-chart"), bands.map(([n, f]) => [n, scored.filter(f).length]), t(" 人", ""));
    const f = await api("GET", `/api/v1/sessions/${id}/events?after=${lastEvent}`);
    if (f.ok && f.json.length) {
      lastEvent = f.json[f.json.length - 1].id;
      record.push(...f.json);
    }
    fillFilters();
    drawRecord();
  }

  table.addEventListener("click", async (e) => {
    const action = e.target.dataset && e.target.dataset.act;
    if (!action) return;
    const cid = e.target.dataset.c;
    const row = rows.find((c) => String(c.candidate_id) === cid);
    const r = await act(id, cid, action, row ? `${row.name} · ${row.ticket}` : "");
    if (!r) return;
    $("#act-result").innerHTML = r.ok ? "" : errorBox(r.json);
    refresh();
  });
  refresh();
  setInterval(refresh, 3000);
}
