// Charts of the incident statistics page, from the figures embedded with json_script.
(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  yingji.pieChart("chart-grade", read("data-grade"));
  yingji.pieChart("chart-category", read("data-category"));
  yingji.barChart("chart-county", read("data-county"));
  yingji.barChart("chart-month", read("data-month"));
})();
