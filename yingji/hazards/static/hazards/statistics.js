// Charts of the hazard statistics page, from the figures embedded with json_script.
(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const palette = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  const asRows = (rows) => rows.filter((r) => r.found > 0).map((r, i) => ({ name: r.name, total: r.found, color: palette[i % palette.length] }));
  yingji.pieChart("chart-source", asRows(read("data-source")));
  yingji.pieChart("chart-category", asRows(read("data-category")));
  yingji.barChart("chart-region", read("data-region").map((r) => ({ name: r.name, total: r.found })));
  const months = read("data-month");
  const chart = echarts.init(document.getElementById("chart-month"));
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["发现", "销号", "逾期"] },
    grid: { left: 40, right: 10, top: 30, bottom: 30 },
    xAxis: { type: "category", data: months.map((m) => m.name) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "发现", type: "line", data: months.map((m) => m.found), itemStyle: { color: "#1d4e89" } },
      { name: "销号", type: "line", data: months.map((m) => m.closed), itemStyle: { color: "#2ca02c" } },
      { name: "逾期", type: "bar", data: months.map((m) => m.overdue), itemStyle: { color: "#d62728" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
