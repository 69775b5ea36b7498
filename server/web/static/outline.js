// The outline (鉴定要素细目表) edited as a tree: scopes with their code, name and a weight per
// level, nested scopes, and assessment points with their importance (X/Y/Z); added, removed
// and renamed in place, then saved as a new version. The JSON stays available for experts.
import { $, api, esc, t } from "./common.js";

const form = $("#outline-editor");
if (form) {
  const levels = JSON.parse(form.dataset.levels || "[]");
  const source = $("#outline-json");
  let doc = JSON.parse(source.value || '{"scopes":[]}');
  const tree = $("#outline-tree");

  const scopeHtml = (s, path) => `<li class="scope" data-path="${path}">
    <div class="toolbar"><label>${t("代码", "Code")} <input data-f="code" value="${esc(s.code)}" size="8"></label>
    <label>${t("鉴定范围", "Scope")} <input data-f="name" value="${esc(s.name)}"></label>
    ${levels.map((l) => `<label>${t(`等级 ${l} 比重 %`, `Level ${l} weight %`)} <input data-w="${l}" type="number" min="0" max="100" value="${s.weights && s.weights[l] != null ? s.weights[l] : ""}" style="width:5rem"></label>`).join("")}
    <button type="button" class="secondary" data-do="child">${t("添加下级范围", "Add a sub-scope")}</button>
    <button type="button" class="secondary" data-do="point">${t("添加鉴定点", "Add a point")}</button>
    <button type="button" class="secondary" data-do="remove">${t("删除", "Remove")}</button></div>
    <ul class="points">${(s.points || []).map((p, i) => `<li class="point" data-point="${i}"><div class="toolbar">
      <label>${t("鉴定点代码", "Point code")} <input data-p="code" value="${esc(p.code)}" size="10"></label>
      <label>${t("名称", "Name")} <input data-p="name" value="${esc(p.name)}"></label>
      <label>${t("重要程度", "Importance")} <select data-p="importance">${["X", "Y", "Z"].map((k) => `<option value="${k}"${p.importance === k ? " selected" : ""}>${k}</option>`).join("")}</select></label>
      <button type="button" class="secondary" data-do="remove-point">${t("删除", "Remove")}</button></div></li>`).join("")}</ul>
    <ul class="children">${(s.children || []).map((c, i) => scopeHtml(c, `${path}.${i}`)).join("")}</ul></li>`;

  const at = (path) => {
    const idx = path.split(".").map(Number);
    let list = doc.scopes, node = null;
    for (const i of idx) { node = list[i]; list = node.children = node.children || []; }
    return node;
  };
  const parentList = (path) => {
    const idx = path.split(".").map(Number);
    const last = idx.pop();
    let list = doc.scopes;
    for (const i of idx) list = list[i].children;
    return [list, last];
  };
  const draw = () => {
    tree.innerHTML = `<ul class="outline-tree">${doc.scopes.map((s, i) => scopeHtml(s, String(i))).join("")}</ul>`;
  };

  tree.addEventListener("input", (e) => {
    const li = e.target.closest("li.scope");
    if (!li) return;
    const s = at(li.dataset.path);
    if (e.target.dataset.f) s[e.target.dataset.f] = e.target.value;
    if (e.target.dataset.w) {
      s.weights = s.weights || {};
      if (e.target.value === "") delete s.weights[e.target.dataset.w]; else s.weights[e.target.dataset.w] = Number(e.target.value);
    }
    if (e.target.dataset.p) {
      const p = s.points[Number(e.target.closest("li.point").dataset.point)];
      p[e.target.dataset.p] = e.target.value;
    }
  });
  tree.addEventListener("click", (e) => {
    const what = e.target.dataset && e.target.dataset.do;
    if (!what) return;
    const li = e.target.closest("li.scope");
    const s = at(li.dataset.path);
    if (what === "child") (s.children = s.children || []).push({ code: "", name: "", weights: {}, children: [], points: [] });
    if (what === "point") (s.points = s.points || []).push({ code: "", name: "", importance: "Y" });
    if (what === "remove") { const [list, i] = parentList(li.dataset.path); list.splice(i, 1); }
    if (what === "remove-point") s.points.splice(Number(e.target.closest("li.point").dataset.point), 1);
    draw();
  });
  $("#add-scope").addEventListener("click", () => { doc.scopes.push({ code: "", name: "", weights: {}, children: [], points: [] }); draw(); });
  // The JSON box, for experts: what is typed there replaces the tree.
  source.addEventListener("change", () => {
    try { doc = JSON.parse(source.value); draw(); } catch (err) { $("#outline-result").innerHTML = `<p class="error" role="alert">${t("不是有效的 JSON：", "Not valid JSON: ")}${esc(err.message)}</p>`; }
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("#outline-result");
    source.value = JSON.stringify(doc, null, 2);
    const r = await api("PUT", form.dataset.target, doc);
    if (!r.ok) {
      out.innerHTML = `<p class="error" role="alert" data-error="${esc(r.json && r.json.error)}">${esc(r.json ? r.json.message : t("保存失败。", "Not saved."))}</p>` +
        (r.json && r.json.problems ? `<ul id="outline-problems">${r.json.problems.map((p) => `<li><strong>${esc(p.at)}</strong>${t("：", ": ")}${esc(p.problem)}</li>`).join("")}</ul>` : "");
      return;
    }
    window.location.reload();
  });
  draw();
}
