// Bank pages: import with a dry run and upload progress, item actions, the item editor, the
// review queue and the blueprint's feasibility chart (the outline's editor is outline.js). Talks to the JSON API with the page's
// session cookie; every message shown comes from the server in the page's language.
import { $, api, errorBox, esc, t, zh } from "./common.js";

function showError(el, json) {
  el.innerHTML = errorBox(json);
}

// ---- import: upload with progress, then the per-item report ----
function upload(url, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept-Language", zh ? "zh-CN" : "en");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onload = () => {
      let json = null;
      try { json = JSON.parse(xhr.responseText); } catch (_) { json = null; }
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, json });
    };
    xhr.onerror = () => resolve({ ok: false, status: 0, json: { error: "network", message: t("网络中断，请重试。", "The network dropped; try again.") } });
    xhr.send(file);
  });
}

function renderReport(el, r) {
  const rows = r.skipped.map((s) => `<tr><td>${esc(s.item)}</td><td>${esc(s.reason)}</td></tr>`).join("");
  const head = r.dry_run
    ? t(`检查完成（${esc(r.format)}）：可导入 <strong id="report-imported">${r.imported}</strong> 题，跳过 <strong id="report-skipped">${r.skipped.length}</strong> 题。`,
        `Checked (${esc(r.format)}): <strong id="report-imported">${r.imported}</strong> to import, <strong id="report-skipped">${r.skipped.length}</strong> skipped.`)
    : t(`已导入 <strong id="report-imported">${r.imported}</strong> 题，均待审核。`, `Imported <strong id="report-imported">${r.imported}</strong> items, all awaiting review.`);
  const missing = (r.missing_images || []).map((m) => `<tr><td>${esc(m.item)}</td><td>${esc(m.path)}</td></tr>`).join("");
  el.innerHTML = `<p data-done="${r.dry_run ? "dry" : "committed"}">${head}</p>` +
    (rows ? `<table><thead><tr><th>${t("试题", "Item")}</th><th>${t("跳过原因", "Reason")}</th></tr></thead><tbody>${rows}</tbody></table>` : "") +
    (missing ? `<p class="error" role="alert" id="missing-images">${t(`有 ${r.missing_images.length} 张图片被试题引用但文件中没有，请把图片一并打包（QTI 包）后重新导入：`, `${r.missing_images.length} images are referenced by items but not in the file; package them with the items (a QTI package) and import again:`)}</p>` +
      `<table><thead><tr><th>${t("试题", "Item")}</th><th>${t("缺少的图片", "Missing image")}</th></tr></thead><tbody>${missing}</tbody></table>` : "");
}

const importForm = $("#import-form");
if (importForm) {
  const progress = $("#upload-progress");
  const report = $("#import-report");
  const commit = $("#import-commit");
  const url = (dry) => {
    const p = new URLSearchParams();
    if ($("#format").value) p.set("format", $("#format").value);
    const f = $("#file").files[0];
    if (f) p.set("file_name", f.name);
    if (dry) p.set("dry_run", "true");
    return `${importForm.dataset.target}?${p}`;
  };
  const run = async (dry) => {
    const file = $("#file").files[0];
    if (!file) return;
    progress.value = 0;
    report.innerHTML = `<p>${t("正在上传与解析……", "Uploading and reading…")}</p>`;
    const r = await upload(url(dry), file, (p) => { progress.value = p; });
    progress.value = 100;
    if (!r.ok) { showError(report, r.json); if (commit) commit.disabled = true; return; }
    renderReport(report, r.json);
    if (commit) commit.disabled = !(dry && r.json.imported > 0);
  };
  importForm.addEventListener("submit", (e) => { e.preventDefault(); run(true); });
  if (commit) commit.addEventListener("click", () => run(false));
}

// ---- item actions: submit, approve, reject, retire ----
const actions = $("#actions");
if (actions) {
  actions.addEventListener("click", async (e) => {
    const action = e.target.dataset && e.target.dataset.action;
    if (!action) return;
    const id = actions.dataset.item;
    const out = $("#action-result");
    let r;
    if (action === "approve" || action === "reject") {
      const comment = $("#comment").value.trim();
      r = await api("POST", `/api/v1/items/${id}/review`, { decision: action, comment: comment || null });
    } else {
      r = await api("POST", `/api/v1/items/${id}/${action}`);
    }
    if (!r.ok) { showError(out, r.json); return; }
    // From the queue, a decision opens the next item waiting.
    const next = $("#next-in-queue");
    if ((action === "approve" || action === "reject") && $("#back-to-queue")) window.location.href = next ? next.href : "/review";
    else window.location.reload();
  });
}

// Item types by name, for labels (feasibility shortfalls).
const TYPE_NAMES = {
  single_choice: t("单选题", "Single choice"), multiple_choice: t("多选题", "Multiple choice"), true_false: t("判断题", "True/false"),
  fill_in: t("填空题", "Fill-in"), short_answer: t("简答题", "Short answer"),
};

// ---- item editor ----
// A fill-in key in the XLSX template's syntax: blanks joined by ##, a blank's accepted
// answers by |, and \ before a \, | or # inside an answer.
function readBlanks(text) {
  const blanks = [[]];
  let cur = "";
  const finish = () => { const a = cur.trim(); if (a) blanks[blanks.length - 1].push(a); cur = ""; };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") { if (i + 1 < text.length) cur += text[++i]; }
    else if (c === "|") finish();
    else if (c === "#" && text[i + 1] === "#") { i++; finish(); blanks.push([]); }
    else cur += c;
  }
  finish();
  return blanks.filter((b) => b.length);
}

function editorContent() {
    const type = $("#item-type").value;
    const answer = type === "true_false" ? $("#tf-key").value : $("#answer").value.trim();
    const choices = [];
    document.querySelectorAll("[data-option]").forEach((el) => {
      if (el.value.trim() && (type === "single_choice" || type === "multiple_choice")) {
        choices.push({ id: el.dataset.option, content: esc(el.value.trim()), fixed: false });
      }
    });
    const letters = answer.toUpperCase().replace(/[^A-Z]/g, "").split("");
    let key;
    if (type === "single_choice") key = { kind: "single", choice: letters[0] || "" };
    else if (type === "multiple_choice") key = { kind: "multiple", choices: [...new Set(letters)].sort() };
    else if (type === "true_false") key = { kind: "true_false", value: ["对", "正确", "true", "t", "√"].includes(answer.toLowerCase()) };
    else if (type === "fill_in") key = { kind: "fill_in", blanks: readBlanks(answer) };
    else key = { kind: "short_answer", reference: answer || null };
    const difficulty = parseInt($("#difficulty").value, 10);
    const body = {
      item_type: type,
      stem: $("#stem").value,
      choices,
      key,
      points: Math.round(parseFloat($("#points").value || "1") * 1000),
      difficulty: Number.isInteger(difficulty) ? difficulty : null,
      outline_point: $("#outline-point").value.trim() || null,
      tags: $("#tags").value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
    };
    return body;
}

const editor = $("#item-editor");
// The form fits the type: options only for choice items, two fixed ones for true/false.
function fitForm() {
  const type = $("#item-type").value;
  $("#choice-options").hidden = !(type === "single_choice" || type === "multiple_choice");
  $("#tf-options").hidden = type !== "true_false";
  $("#answer-box").hidden = type === "true_false";
  const help = {
    single_choice: t("填写正确选项的字母，如 B。", "The right option's letter, e.g. B."),
    multiple_choice: t("填写全部正确选项的字母，如 ACD。", "Every right option's letter, e.g. ACD."),
    fill_in: t("多个空用 ## 分隔，一个空的多个可接受答案用 | 分隔（与 XLSX 模板相同），如：欧姆|Ω##安培", "Blanks separated by ## and a blank's accepted answers by | (as in the XLSX template), e.g. ohm|Ω##ampere"),
    short_answer: t("填写参考答案（供阅卷参考）。", "A reference answer for the markers."),
  };
  if (help[type]) $("#answer-help").textContent = help[type];
}
if (editor) {
  $("#item-type").addEventListener("change", fitForm);
  fitForm();
  // Images chosen in the editor: referenced in the stem as images/<name> at once, uploaded to
  // the saved draft with the item.
  const pending = [];
  $("#image-file").addEventListener("change", (e) => {
    for (const file of e.target.files) {
      const name = `${Date.now().toString(36)}-${file.name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "")}`.slice(0, 64);
      pending.push({ name, file });
      const stem = $("#stem");
      const tag = `<img src="images/${name}" alt="">`;
      const at = stem.selectionStart ?? stem.value.length;
      stem.value = stem.value.slice(0, at) + tag + stem.value.slice(at);
      $("#pending-images").insertAdjacentHTML("beforeend", `<li data-image="${esc(name)}">${esc(file.name)} → images/${esc(name)}</li>`);
    }
    e.target.value = "";
  });
  editor.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", editor.dataset.target, editorContent());
    if (!r.ok) { showError($("#editor-result"), r.json); return; }
    const id = r.json.item_id;
    for (const img of pending) {
      const resp = await fetch(`/api/v1/items/${id}/images?name=${encodeURIComponent(img.name)}`, {
        method: "POST", body: img.file, credentials: "same-origin", headers: { "Content-Type": "application/octet-stream", "Accept-Language": t("zh-CN", "en") },
      });
      if (!resp.ok) {
        showError($("#editor-result"), await resp.json().catch(() => null));
        $("#editor-result").insertAdjacentHTML("beforeend", `<p>${t("试题已保存，但这张图片没有上传：", "The item is saved, but this image was not uploaded: ")}${esc(img.name)} · <a href="/items/${id}">${t("查看试题", "Open the item")}</a></p>`);
        return;
      }
    }
    window.location.href = `/items/${id}`;
  });
  // The server renders the preview with the same sanitiser and renderer the exam page uses.
  $("#preview-button").addEventListener("click", async () => {
    const r = await api("POST", "/api/v1/items/preview", editorContent());
    if (!r.ok) { showError($("#live-preview"), r.json); return; }
    $("#live-preview").innerHTML = r.json.html;
  });
}

// ---- blueprint: save, and the feasibility chart ----
function renderFeasibility(el, f) {
  if (f.feasible) {
    el.innerHTML = `<p data-feasible="true">${t(`可行：已通过的 ${f.approved_items} 道试题能满足方案的每一格。`, `Feasible: the ${f.approved_items} approved items fill every cell.`)}</p>`;
    return;
  }
  const max = Math.max(1, ...f.shortfalls.map((s) => s.needed));
  const bars = f.shortfalls.map((s) => {
    const have = Math.round((s.available / max) * 240);
    const need = Math.round(((s.needed - s.available) / max) * 240);
    return `<tr><td>${esc(TYPE_NAMES[s.item_type] || s.item_type)}</td><td>${esc(s.cell)}</td><td><div class="bar" role="img" aria-label="${t("需要", "needed")} ${s.needed}, ${t("现有", "available")} ${s.available}">` +
      `<span class="fill" style="width:${have}px"></span><span class="need" style="width:${need}px"></span> ${s.available} / ${s.needed}</div></td></tr>`;
  }).join("");
  const problems = f.problems.map((p) => `<li>${esc(p)}</li>`).join("");
  el.innerHTML = `<p data-feasible="false">${t("不可行：以下各格已通过的试题不足（蓝色为现有，红色为缺口）。", "Not feasible: these cells lack approved items (blue: available, red: missing).")}</p>` +
    `<table><thead><tr><th>${t("题型", "Type")}</th><th>${t("格", "Cell")}</th><th>${t("现有 / 需要", "Available / needed")}</th></tr></thead><tbody>${bars}</tbody></table>` +
    (problems ? `<ul>${problems}</ul>` : "");
}

const bp = $("#blueprint-editor");
if (bp) {
  const out = $("#feasibility");
  const check = async () => {
    const r = await api("GET", `${bp.dataset.target}/feasibility`);
    if (!r.ok) { showError(out, r.json); return; }
    renderFeasibility(out, r.json);
  };
  bp.addEventListener("submit", async (e) => {
    e.preventDefault();
    const types = [];
    bp.querySelectorAll("tr[data-type]").forEach((row) => {
      const count = parseInt(row.querySelector('[data-field="count"]').value || "0", 10);
      const points = parseFloat(row.querySelector('[data-field="points"]').value || "1");
      if (count > 0) types.push({ item_type: row.dataset.type, count, points_each: Math.round(points * 1000) });
    });
    const shares = (field) => {
      const out = {};
      bp.querySelectorAll(`[data-share="${field}"]`).forEach((el) => {
        const v = parseInt(el.value || "0", 10);
        if (v > 0) out[el.dataset.key] = v;
      });
      return out;
    };
    const body = { level: parseInt(bp.dataset.level, 10), types, difficulty: shares("difficulty"), importance: shares("importance") };
    const r = await api("PUT", bp.dataset.target, body);
    if (!r.ok) { showError(out, r.json); return; }
    renderFeasibility(out, r.json);
  });
  $("#check-feasibility").addEventListener("click", check);
  check();
}

// ---- the review queue: approve several at once ----
const queue = $("#queue");
if (queue) {
  const picks = () => [...queue.querySelectorAll("input[name=pick]:checked")].map((i) => i.value);
  const update = () => { $("#approve-selected").disabled = picks().length === 0; };
  queue.addEventListener("change", update);
  $("#select-all").addEventListener("change", (e) => {
    queue.querySelectorAll("input[name=pick]").forEach((i) => { i.checked = e.target.checked; });
    update();
  });
  $("#approve-selected").addEventListener("click", async () => {
    const ids = picks();
    const out = $("#batch-result");
    const comment = $("#batch-comment").value.trim() || null;
    let done = 0;
    const failed = [];
    for (const id of ids) {
      out.innerHTML = `<p role="status"><progress max="${ids.length}" value="${done}"></progress> ${t(`正在审核 ${done}/${ids.length}`, `Approving ${done}/${ids.length}`)}</p>`;
      const r = await api("POST", `/api/v1/items/${id}/review`, { decision: "approve", comment });
      if (r.ok) done++; else failed.push(`${id}: ${r.json ? r.json.message : r.status}`);
    }
    out.innerHTML = `<p role="status" data-approved="${done}">${esc(t(`已通过 ${done} 题。`, `${done} approved.`))}</p>` +
      (failed.length ? `<div class="error" role="alert">${failed.map(esc).join("<br>")}</div>` : "");
    setTimeout(() => window.location.reload(), failed.length ? 3000 : 800);
  });
}
