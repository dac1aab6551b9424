// Behaviour that markup asks for with data- attributes, in place of inline event handlers (the CSP blocks
// onclick= and friends): data-confirm="question" on a button or link asks before it acts; data-autosubmit on
// a field submits its form when the value changes.
(function () {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
})();
