// ECharts helpers for figures from the server (rendered offline, no remote assets).
window.yingji = window.yingji || {};
(function (ns) {
  ns.pieChart = function (elementId, rows) {
    const chart = echarts.init(document.getElementById(elementId));
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: 10 },
      series: [{
        type: "pie", radius: ["35%", "70%"], center: ["38%", "55%"],
        data: rows.map((r) => ({ name: r.name, value: r.total, itemStyle: { color: r.color } })),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
    return chart;
  };
  ns.barChart = function (elementId, rows) {
    const chart = echarts.init(document.getElementById(elementId));
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 20, bottom: 60 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map((r) => r.total), itemStyle: { color: "#1d4e89" } }],
    });
    window.addEventListener("resize", () => chart.resize());
    return chart;
  };
})(window.yingji);
