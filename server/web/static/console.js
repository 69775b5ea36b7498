// The institution console's session form: the proctor ratio checked as proctors are chosen,
// the roster file checked row by row on the server (bad rows listed with their reasons, and
// dropped only when the admin says so), then the session created and its sign-in codes shown
// once, printable.
import { $, api, esc, errorBox, t } from "./common.js";

const form = $("#session-form");
if (form) {
  const perProctor = Number(form.dataset.perProctor);
  const minProctors = Number(form.dataset.minProctors);
  let roster = { rows: [], bad: [] };

  const chosen = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => Number(i.value));
  const needed = () => Math.max(minProctors, Math.ceil(roster.rows.length / perProctor));

  function update() {
    const have = chosen("proctor").length;
    const need = needed();
    const ratio = $("#ratio");
    ratio.className = have >= need ? "" : "error";
    ratio.textContent = t(`已选 ${have} 名监考人员，按 ${roster.rows.length} 名考生需要至少 ${need} 名。`,
      `${have} proctors chosen; ${roster.rows.length} candidates need at least ${need}.`);
    const ready = have >= need && roster.rows.length > 0 && roster.bad.length === 0;
    $("#create").disabled = !ready;
    $("#create").title = ready ? "" : t("请先选够监考人员并导入无误的考生名单", "Choose enough proctors and import a roster with no bad rows first");
  }

  function showRoster() {
    const box = $("#roster-result");
    const bad = roster.bad.length
      ? `<p class="error" role="alert" id="roster-bad-count">${esc(t(`有 ${roster.bad.length} 行需要修改，修改文件后重新选择，或去掉这些行：`, `${roster.bad.length} rows need fixing: fix the file and choose it again, or drop these rows:`))}</p>
         <table id="roster-bad"><thead><tr><th>${t("行号", "Row")}</th><th>${t("姓名", "Name")}</th><th>${t("原因", "Reason")}</th></tr></thead><tbody>` +
        roster.bad.map((b) => `<tr data-row="${b.row}" data-code="${esc(b.code)}"><td>${b.row}</td><td>${esc(b.name)}</td><td>${esc(b.message)}</td></tr>`).join("") +
        `</tbody></table><button type="button" id="drop-bad" class="secondary">${t("去掉这些行，只导入无误的", "Drop these rows; import only the good ones")}</button>`
      : "";
    const good = `<p id="roster-good" role="status">${esc(t(`可导入 ${roster.rows.length} 名考生。`, `${roster.rows.length} candidates ready.`))}</p>` +
      (roster.rows.length ? `<details><summary>${t("查看名单", "Show the roster")}</summary><table><thead><tr><th>${t("行号", "Row")}</th><th>${t("姓名", "Name")}</th><th>${t("证件", "Document")}</th></tr></thead><tbody>` +
        roster.rows.map((r) => `<tr><td>${r.row}</td><td>${esc(r.name)}</td><td>${esc(r.id_kind_name)} ${esc(r.id_masked)}</td></tr>`).join("") + "</tbody></table></details>" : "");
    box.innerHTML = bad + good;
    const drop = $("#drop-bad");
    if (drop) drop.addEventListener("click", () => { roster.bad = []; showRoster(); $("#roster-good").focus && $("#roster-good").focus(); });
    update();
  }

  $("#roster-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    $("#roster-result").innerHTML = `<p role="status">${t("正在核对名单…", "Checking the roster…")}</p>`;
    const resp = await fetch("/api/v1/rosters/check", {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "Content-Type": "application/octet-stream", "Accept-Language": t("zh-CN", "en") },
    });
    const json = await resp.json().catch(() => null);
    if (!resp.ok) {
      roster = { rows: [], bad: [] };
      $("#roster-result").innerHTML = errorBox(json);
      update();
      return;
    }
    roster = json;
    showRoster();
  });
  form.addEventListener("change", (e) => { if (e.target.name === "proctor") update(); });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const num = (id) => { const v = $(id).value; return v === "" ? null : Number(v); };
    const starts = $("#starts").value ? new Date($("#starts").value).getTime() : NaN;
    if (!Number.isFinite(starts)) {
      $("#create-result").innerHTML = `<p class="error" role="alert">${t("请填写开考时间。", "Enter the start time.")}</p>`;
      $("#starts").focus();
      return;
    }
    const body = {
      bank_id: Number($("#bank").value), level: Number($("#level").value), batch: $("#batch").value, name: $("#name").value, room: $("#room").value,
      starts_at_ms: starts, duration_minutes: num("#duration"), late_entry_minutes: num("#late"), earliest_hand_in_minutes: num("#earliest"),
      capacity: null, multiple_partial: $("#multiple-partial").checked, pass_mark: num("#pass"), device_approval: $("#device-approval").checked,
      marking_threshold_pct: null, required_media: null, proctor_ids: chosen("proctor"), marker_ids: chosen("marker"),
      candidates: roster.rows.map((r) => ({ name: r.name, id_kind: r.id_kind, id_number: r.id_number, password: null })),
    };
    $("#create").disabled = true;
    const r = await api("POST", "/api/v1/sessions", body);
    if (!r.ok) {
      $("#create-result").innerHTML = errorBox(r.json);
      update();
      return;
    }
    $("#create-result").innerHTML = "";
    const created = $("#created");
    created.hidden = false;
    $("#tickets-link").href = `/sessions/${r.json.session.id}/tickets`;
    $("#room-link").href = `/sessions/${r.json.session.id}`;
    created.querySelector("tbody").innerHTML = r.json.roster.map((c) =>
      `<tr><td>${esc(c.ticket)}</td><td>${esc(c.name)}</td><td>${esc(c.id_masked)}</td><td class="code">${esc(c.password || "")}</td></tr>`).join("");
    form.hidden = true;
    $("#created-title").focus();
    created.scrollIntoView();
  });
  $("#print-codes").addEventListener("click", () => window.print());
  update();
}

// Changing a session: its names, or cancelling it with a reason and a confirmation.
const names = $("#names-form");
if (names) {
  names.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", `/api/v1/sessions/${names.dataset.session}/names`, { batch: $("#e-batch").value, name: $("#e-name").value, room: $("#e-room").value });
    $("#names-result").innerHTML = r.ok ? `<p role="status" data-saved="true">${t("已保存。", "Saved.")}</p>` : errorBox(r.json);
  });
}
const cancelForm = $("#cancel-form");
if (cancelForm) {
  cancelForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("#cancel-result");
    const reason = $("#cancel-reason").value.trim();
    if (!reason) { out.innerHTML = `<p class="error" role="alert">${t("请填写取消原因。", "Give the reason.")}</p>`; $("#cancel-reason").focus(); return; }
    if (!$("#cancel-confirm").checked) { out.innerHTML = `<p class="error" role="alert">${t("请勾选确认。", "Tick the confirmation.")}</p>`; $("#cancel-confirm").focus(); return; }
    const r = await api("POST", `/api/v1/sessions/${cancelForm.dataset.session}/cancel`, { reason });
    if (!r.ok) { out.innerHTML = errorBox(r.json); return; }
    window.location.href = "/sessions";
  });
}

// Moving a session and changing its staff before it starts, with the proctor ratio checked as
// proctors are chosen.
const schedule = $("#schedule-form");
if (schedule) {
  const pad = (n) => String(n).padStart(2, "0");
  const d = new Date(Number(schedule.dataset.starts));
  $("#s-starts").value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const picked = (name) => [...schedule.querySelectorAll(`input[name=${name}]:checked`)].map((i) => Number(i.value));
  const candidates = Number(schedule.dataset.candidates);
  const need = Math.max(Number(schedule.dataset.minProctors), Math.ceil(candidates / Number(schedule.dataset.perProctor)));
  const ratio = () => {
    const have = picked("s-proctor").length;
    $("#s-ratio").className = have >= need ? "" : "error";
    $("#s-ratio").textContent = t(`已选 ${have} 名监考人员，按 ${candidates} 名考生需要至少 ${need} 名。`, `${have} proctors chosen; ${candidates} candidates need at least ${need}.`);
    $("#save-schedule").disabled = have < need;
  };
  schedule.addEventListener("change", ratio);
  ratio();
  schedule.addEventListener("submit", async (e) => {
    e.preventDefault();
    const starts = new Date($("#s-starts").value).getTime();
    if (!Number.isFinite(starts)) {
      $("#schedule-result").innerHTML = `<p class="error" role="alert">${t("请填写开考时间。", "Enter the start time.")}</p>`;
      return;
    }
    const body = {
      starts_at_ms: starts, duration_minutes: Number($("#s-duration").value), late_entry_minutes: Number($("#s-late").value),
      earliest_hand_in_minutes: Number($("#s-earliest").value), pass_mark: Number($("#s-pass").value),
      proctor_ids: picked("s-proctor"), marker_ids: picked("s-marker"),
    };
    const r = await api("POST", `/api/v1/sessions/${schedule.dataset.session}/schedule`, body);
    $("#schedule-result").innerHTML = r.ok ? `<p role="status" data-saved="true">${t("已保存。", "Saved.")}</p>` : errorBox(r.json);
  });
}

// Batches on the sessions page: renamed across their sessions, or their sessions not yet
// started cancelled with one reason and a confirmation.
document.querySelectorAll("form.batch-rename").forEach((f) => {
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", "/api/v1/batches/rename", { from: f.dataset.batch, to: f.elements.to.value });
    if (!r.ok) { f.querySelector("span").innerHTML = errorBox(r.json); return; }
    window.location.reload();
  });
});
document.querySelectorAll("form.batch-cancel").forEach((f) => {
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = f.querySelector("span");
    if (!f.elements.reason.value.trim()) { out.innerHTML = `<span class="error" role="alert">${t("请填写取消原因。", "Give the reason.")}</span>`; return; }
    if (!f.elements.confirm.checked) { out.innerHTML = `<span class="error" role="alert">${t("请勾选确认。", "Tick the confirmation.")}</span>`; return; }
    const r = await api("POST", "/api/v1/batches/cancel", { batch: f.dataset.batch, reason: f.elements.reason.value });
    if (!r.ok) { out.innerHTML = errorBox(r.json); return; }
    window.location.reload();
  });
});
