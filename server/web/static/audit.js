// The audit trail page: times in the reader's locale, and the chain check run on request.
import { $, api, esc, errorBox, localTimes, t } from "./common.js";

localTimes();

const button = $("#verify");
if (button) {
  button.addEventListener("click", async () => {
    const out = $("#verify-result");
    out.innerHTML = `<p>${t("正在逐条重新计算哈希…", "Recomputing every hash…")}</p>`;
    button.disabled = true;
    const r = await api("GET", "/api/v1/audit/verify");
    button.disabled = false;
    if (!r.ok) { out.innerHTML = errorBox(r.json); return; }
    const v = r.json;
    out.innerHTML = v.ok
      ? `<p class="ok" data-ok="true">${esc(t(`审计链完整：已校验 ${v.events_checked} 条记录，未发现删改。`, `The chain holds: ${v.events_checked} events checked, none changed or missing.`))}</p>`
      : `<p class="error" role="alert" data-ok="false">${esc(t(`审计链断裂：第 ${v.first_broken_seq} 条记录起不一致（${v.reason || ""}）。`, `The chain is broken at event ${v.first_broken_seq} (${v.reason || ""}).`))}</p>`;
  });
}
