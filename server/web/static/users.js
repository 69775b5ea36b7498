// The staff page: adding an account through the users API, then showing the list again.
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
