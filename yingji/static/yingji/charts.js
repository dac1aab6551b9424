// ECharts helpers for figures from the server (rendered offline, no remote assets).
window.yingji = window.yingji || {};
(function (ns) {
  // rows: [{name, total, color, url?}]; a slice with a url opens it when clicked.
  ns.pieChart = function (elementId, rows) {
    const chart = echarts.init(document.getElementById(elementId));
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => ns.html`${p.name}：${p.value}（${p.percent}%）` },
      series: [{
        type: "pie", radius: ["35%", "68%"], center: ["50%", "55%"],
        data: rows.map((r) => ({ name: r.name, value: r.total, itemStyle: { color: r.color } })),
      }],
    });
    chart.on("click", (params) => { const url = rows[params.dataIndex].url; if (url) window.location = url; });
    window.addEventListener("resize", () => chart.resize());
    return chart;
  };
  // rows: [{name, total, url?}]; a bar with a url opens it when clicked.
  ns.barChart = function (elementId, rows) {
    const chart = echarts.init(document.getElementById(elementId));
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 20, bottom: 60 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map((r) => r.total), itemStyle: { color: "#1d4e89" }, cursor: "pointer" }],
    });
    chart.on("click", (params) => { const url = rows[params.dataIndex].url; if (url) window.location = url; });
    window.addEventListener("resize", () => chart.resize());
    return chart;
  };
})(window.yingji);
