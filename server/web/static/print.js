// Pages meant for paper (admission tickets, the exam-room record): the print button.
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
