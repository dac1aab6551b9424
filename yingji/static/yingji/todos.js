// The header's to-do count: reloaded (htmx event "todo-changed" on the body) whenever the live stream of
// yingji/core/live.py says a record of the user's jurisdiction moved, at most once every two seconds.
(function () {
  const badge = document.querySelector("[data-todo-stream]");
  if (!badge || !window.yingji || !window.yingji.live || !window.htmx) { return; }
  let timer = null;
  window.yingji.live(badge, badge.dataset.todoStream, () => {
    if (timer) { return; }
    timer = setTimeout(() => { timer = null; window.htmx.trigger(document.body, "todo-changed"); }, 2000);
  }, { fallbackSeconds: 60 });
})();
