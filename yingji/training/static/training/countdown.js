// Shows the time left; the server decides, this only informs the candidate.
(function () {
  const badge = document.getElementById("countdown");
  let left = parseInt(badge.dataset.seconds, 10);
  const show = () => { const m = Math.floor(left / 60), s = left % 60; badge.textContent = "剩余 " + m + " 分 " + String(s).padStart(2, "0") + " 秒"; };
  show();
  setInterval(() => { if (left > 0) { left -= 1; show(); } }, 1000);
})();
