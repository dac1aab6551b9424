// The alarm list's batch acknowledgement: the row boxes belong to the batch form (form="..."), which counts them
// and is sent only with at least one. Listens on the document, as htmx replaces the table on each filter change.
(function () {
  function form() { return document.querySelector("form.batch-bar"); }
  function boxes(f) { return Array.from(document.querySelectorAll(`input[name=selected][form="${f.id}"]`)); }
  function refresh() {
    const f = form();
    if (!f) return;
    const chosen = boxes(f).filter((b) => b.checked).length;
    f.querySelector("[data-selected-count]").textContent = chosen;
    f.querySelector("[data-batch-submit]").disabled = chosen === 0;
  }
  document.addEventListener("change", (e) => {
    const f = form();
    if (!f) return;
    if (e.target.matches("[data-select-all]")) boxes(f).forEach((b) => { b.checked = e.target.checked; });
    if (e.target.matches("[data-select-all], input[name=selected]")) refresh();
  });
  document.addEventListener("htmx:afterSwap", refresh);
  refresh();
})();
