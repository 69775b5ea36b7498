// Exam-room pages: the live list of candidates (polled every few seconds), the exam-room
// feed, proctor actions with reasons, and charts of room status and scores.
import { $, api, clock, esc, t, zh } from "./common.js";

document.querySelectorAll("td.when").forEach((td) => {
  td.textContent = new Date(Number(td.dataset.ms)).toLocaleString(zh ? "zh-CN" : "en");
});

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

if (table) {
  const id = table.dataset.session;
  const canAct = table.dataset.act === "true";
  const pass = Number(table.dataset.pass) * 1000;
  let lastEvent = 0;

  async function refresh() {
    const r = await api("GET", `/api/v1/sessions/${id}/room`);
    if (!r.ok) return;
    const rows = r.json;
    window.roomRows = rows;
    if (window.refreshTiles) window.refreshTiles(rows);
    table.querySelector("tbody").innerHTML = rows.map((c) => {
      const running = c.stage === "in_progress" || c.stage === "paused";
      const approve = canAct && c.device_pending
        ? `<button type="button" data-act="approve_device" data-c="${c.candidate_id}">${t("批准更换设备", "Approve device change")}</button> ` : "";
      const acts = approve + (canAct && running
        ? `<button type="button" data-act="${c.stage === "paused" ? "resume" : "pause"}" data-c="${c.candidate_id}">${c.stage === "paused" ? t("恢复", "Resume") : t("暂停", "Pause")}</button>
           <button type="button" class="secondary" data-act="extra_time" data-c="${c.candidate_id}">${t("延时", "Extra time")}</button>
           <button type="button" class="secondary" data-act="terminate" data-c="${c.candidate_id}">${t("终止", "Terminate")}</button>` : "");
      return `<tr data-candidate="${c.candidate_id}" data-stage="${esc(c.stage)}"><td>${esc(c.ticket)}</td><td>${esc(c.name)}<br><span class="muted">${esc(c.id_masked)}</span></td>
        <td>${esc(STAGES[c.stage] || c.stage)}</td><td><progress max="${c.questions || 1}" value="${c.answered}"></progress> ${c.answered}/${c.questions}</td>
        <td>${clock(c.remaining_ms)}</td><td>${c.integrity_events ? `<strong>${c.integrity_events}</strong>` : "0"}${c.device_pending ? ` <strong class="badge">${t("更换设备待批", "New device waiting")}</strong>` : ""}</td>
        <td>${c.score == null ? "—" : (c.score / 1000)}</td><td>${acts}</td></tr>`;
    }).join("");
    const counts = {};
    rows.forEach((c) => { const k = STAGES[c.stage] || c.stage; counts[k] = (counts[k] || 0) + 1; });
    bars($("#room-chart"), Object.entries(counts), t(" 人", ""));
    const scored = rows.filter((c) => c.score != null).map((c) => c.score);
    const bands = [[t("不合格 <60", "Fail <60"), (s) => s < pass], ["60–69", (s) => s >= 60000 && s < 70000], ["70–79", (s) => s >= 70000 && s < 80000], ["80–89", (s) => s >= 80000 && s < 90000], ["90–100", (s) => s >= 90000]];
    bars($("#score-chart"), bands.map(([n, f]) => [n, scored.filter(f).length]), t(" 人", ""));
    const f = await api("GET", `/api/v1/sessions/${id}/events?after=${lastEvent}`);
    if (f.ok && f.json.length) {
      lastEvent = f.json[f.json.length - 1].id;
      const names = Object.fromEntries(rows.map((c) => [c.candidate_id, c.name]));
      const items = f.json.map((e) => `<li data-kind="${esc(e.kind)}">${new Date(e.at_ms).toLocaleTimeString(zh ? "zh-CN" : "en")} · ${esc(names[e.candidate_id] || "")} · ${esc(e.kind)} ${esc(e.detail === "{}" ? "" : e.detail)}</li>`).join("");
      $("#feed").insertAdjacentHTML("afterbegin", items);
    }
  }

  table.addEventListener("click", async (e) => {
    const act = e.target.dataset && e.target.dataset.act;
    if (!act) return;
    let body = { action: act };
    if (act === "pause" || act === "terminate" || act === "extra_time") {
      const reason = window.prompt(t("请填写原因：", "Reason:"));
      if (!reason) return;
      body.reason = reason;
    }
    if (act === "extra_time") {
      const minutes = parseInt(window.prompt(t("延长多少分钟？", "How many minutes?"), "10") || "0", 10);
      if (!minutes) return;
      body.minutes = minutes;
    }
    const r = await api("POST", `/api/v1/sessions/${id}/candidates/${e.target.dataset.c}/actions`, body);
    $("#act-result").innerHTML = r.ok ? "" : `<p class="error" role="alert">${esc(r.json && r.json.message)}</p>`;
    refresh();
  });
  refresh();
  setInterval(refresh, 3000);
}
