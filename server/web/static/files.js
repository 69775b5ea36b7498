// A session's archived files: the institution uploads scans (sent as they are; the server reads
// their type from the content), regulators place and lift legal holds with a reason.
import { $, api, errorBox, esc, localTimes, t } from "./common.js";

localTimes();

const form = $("#scan-form");
if (form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = $("#scan-file").files[0];
    if (!file) { $("#scan-result").innerHTML = `<p class="error" role="alert">${t("请选择文件。", "Choose a file.")}</p>`; return; }
    $("#scan-result").innerHTML = `<p role="status">${t("正在上传…", "Uploading…")}</p>`;
    const q = new URLSearchParams({ class: $("#scan-class").value, name: $("#scan-name").value.trim() });
    const resp = await fetch(`/api/v1/sessions/${form.dataset.session}/scans?${q}`, {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "Content-Type": "application/octet-stream", "Accept-Language": t("zh-CN", "en") },
    });
    const json = await resp.json().catch(() => null);
    if (!resp.ok) { $("#scan-result").innerHTML = errorBox(json); return; }
    $("#scan-result").innerHTML = `<p role="status" data-uploaded="${esc(String(json.id))}">${t("已上传并记入存证日志。", "Uploaded and written to the evidence log.")}</p>`;
    setTimeout(() => window.location.reload(), 600);
  });
}

document.querySelectorAll("form.hold-form").forEach((f) => {
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", `/api/v1/archive/${f.dataset.file}/hold`, { on: f.dataset.on === "true", reason: f.elements.reason.value });
    if (!r.ok) { f.querySelector("span").innerHTML = errorBox(r.json); return; }
    window.location.reload();
  });
});

const make = $("#make-documents");
if (make) {
  make.addEventListener("click", async () => {
    make.disabled = true;
    $("#documents-result").innerHTML = `<p role="status">${t("正在生成…", "Making them…")}</p>`;
    const r = await api("POST", `/api/v1/sessions/${make.dataset.session}/documents`);
    make.disabled = false;
    if (!r.ok) { $("#documents-result").innerHTML = errorBox(r.json); return; }
    $("#documents-result").innerHTML = `<p role="status" data-made="${r.json.files.length}">${esc(t(`已生成 ${r.json.files.length} 份材料。`, `${r.json.files.length} documents made.`))}</p>`;
    setTimeout(() => window.location.reload(), 600);
  });
}
