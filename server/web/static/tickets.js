// Admission tickets: the institution's photo of each candidate, uploaded under their ticket and
// shown on it at once (the upload is refused unless it is a JPEG or PNG of 512 KB or less).
import { errorBox, t } from "./common.js";

document.querySelectorAll("input[data-photo-upload]").forEach((input) => {
  input.addEventListener("change", async () => {
    const file = input.files[0];
    const out = input.nextElementSibling;
    if (!file) return;
    out.textContent = t("正在上传…", "Uploading…");
    const resp = await fetch(input.dataset.photoUpload, {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "Content-Type": "application/octet-stream", "Accept-Language": t("zh-CN", "en") },
    });
    if (!resp.ok) { out.innerHTML = errorBox(await resp.json().catch(() => null)); return; }
    out.innerHTML = `<span role="status" data-photo-saved="true">${t("照片已保存。", "Photo saved.")}</span>`;
    const box = input.closest("article").querySelector(".photo");
    box.innerHTML = `<img src="${input.dataset.photoUpload}?t=${Date.now()}" alt="${t("考生照片", "Photo")}">`;
  });
});
