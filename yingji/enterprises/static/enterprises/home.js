// The enterprise block of the home page: its charts, from the figures embedded with json_script.
(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  yingji.pieChart("chart-category", read("data-category"));
  yingji.barChart("chart-region", read("data-region"));
})();
