// The staff page: adding an account through the users API, then showing the list again; and
// the institutions page's filing form for regulators and operators.
import { $, api, esc, errorBox, t } from "./common.js";

const form = $("#user-form");
if (form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const inst = $("#u-inst") ? $("#u-inst").value : form.dataset.institution;
    const body = {
      username: $("#u-username").value.trim(), display_name: $("#u-name").value.trim(), password: $("#u-password").value,
      role: $("#u-role").value, institution_id: inst ? Number(inst) : null,
    };
    const r = await api("POST", "/api/v1/users", body);
    if (!r.ok) { $("#user-result").innerHTML = errorBox(r.json); return; }
    $("#user-result").innerHTML = `<p role="status">${esc(t(`已添加 ${r.json.display_name}。`, `${r.json.display_name} added.`))}</p>`;
    setTimeout(() => window.location.reload(), 600);
  });
}

const inst = $("#institution-form");
if (inst) {
  inst.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { filing_number: $("#i-filing").value.trim().toUpperCase(), name: $("#i-name").value.trim(), kind: $("#i-kind").value };
    const r = await api("POST", "/api/v1/institutions", body);
    if (!r.ok) { $("#institution-result").innerHTML = errorBox(r.json); return; }
    $("#institution-result").innerHTML = `<p role="status" data-filed="${esc(r.json.filing_number)}">${esc(t(`已备案：${r.json.name}`, `Filed: ${r.json.name}`))}</p>`;
    setTimeout(() => window.location.reload(), 600);
  });
}

// Regulators assign a supervisor to inspect an institution.
document.querySelectorAll("form.assign").forEach((f) => {
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", `/api/v1/institutions/${f.dataset.institution}/inspectors`, { account_id: Number(f.querySelector("select").value) });
    if (!r.ok) { f.insertAdjacentHTML("afterend", errorBox(r.json)); return; }
    window.location.reload();
  });
});

// Disabling an account, after a confirmation naming it.
document.querySelectorAll("button[data-disable]").forEach((b) => {
  b.addEventListener("click", async () => {
    if (!window.confirm(t(`确认停用 ${b.dataset.name} 的账号？停用后其登录立即失效。`, `Disable ${b.dataset.name}'s account? Their sign-ins end at once.`))) return;
    const r = await api("POST", `/api/v1/users/${b.dataset.disable}/disable`);
    if (!r.ok) { b.insertAdjacentHTML("afterend", errorBox(r.json)); return; }
    window.location.reload();
  });
});

// Resetting a password, after a confirmation: the new one is shown once, to hand over in person.
document.querySelectorAll("button[data-reset]").forEach((b) => {
  b.addEventListener("click", async () => {
    if (!window.confirm(t(`确认重置 ${b.dataset.name} 的密码？其现有登录立即失效。`, `Reset ${b.dataset.name}'s password? Their sign-ins end at once.`))) return;
    const r = await api("POST", `/api/v1/users/${b.dataset.reset}/password`);
    if (!r.ok) { b.insertAdjacentHTML("afterend", errorBox(r.json)); return; }
    b.insertAdjacentHTML("afterend", `<p role="status" data-new-password="${esc(r.json.password)}">${esc(t("新密码（只显示这一次）：", "New password (shown only once): "))}<code>${esc(r.json.password)}</code></p>`);
    b.disabled = true;
  });
});
