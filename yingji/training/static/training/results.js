// The pass-rate chart of an exam's results page, from the figures embedded with json_script.
(function () {
  const rows = JSON.parse(document.getElementById("data-region").textContent);
  if (rows.length && document.getElementById("chart-region")) yingji.barChart("chart-region", rows);
})();
