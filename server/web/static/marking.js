// The marker's page: fetch the next answer, send a mark, move on. Marks are blind: the page
// never shows who wrote the answer or what another marker gave.
import { $, api, errorBox, t } from "./common.js";

const form = $("#mark-form");
let task = null;

async function loadNext() {
  const r = await api("GET", "/api/v1/marking/next");
  if (!r.ok) { $("#mark-result").innerHTML = errorBox(r.json); return; }
  task = r.json;
  $("#task").hidden = !task;
  if (!task) {
    $("#waiting").textContent = t("目前没有待评的答案。", "Nothing is waiting to be marked.");
    return;
  }
  $("#waiting").textContent = t(`待评答案 ${task.waiting} 份`, `${task.waiting} answers waiting`);
  $("#task-where").textContent = `${task.session_name} · ${t("第", "Question ")}${task.question_no}${t(" 题", "")}`;
  // The stem is sanitised HTML from the bank; reference and response are plain text.
  $("#task-stem").innerHTML = task.stem;
  $("#task-reference").textContent = task.reference || t("（无参考答案）", "(no reference answer)");
  $("#task-response").textContent = task.response || t("（未作答）", "(no answer)");
  const max = task.max_points / 1000;
  $("#max-points").textContent = `${max}${t(" 分）", ")")}`;
  $("#points").max = String(max);
  $("#points").value = "";
  $("#comment").value = "";
  $("#points").focus();
}

if (form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!task) return;
    const points = Math.round(Number($("#points").value) * 1000);
    const r = await api("POST", `/api/v1/marking/${task.id}`, { points, comment: $("#comment").value });
    if (!r.ok) { $("#mark-result").innerHTML = errorBox(r.json); return; }
    const o = r.json;
    $("#mark-result").textContent = o.paper_score != null
      ? t(`已提交；该试卷评阅完成，成绩 ${o.paper_score / 1000} 分。`, `Saved; the paper is fully marked: ${o.paper_score / 1000}.`)
      : o.settled != null
        ? t(`已提交；本题得分 ${o.settled / 1000} 分。`, `Saved; the answer gets ${o.settled / 1000}.`)
        : t("已提交。", "Saved.");
    loadNext();
  });
  loadNext();
}
