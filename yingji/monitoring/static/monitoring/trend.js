// A monitoring point's trend chart with its alarm thresholds, for the chosen period.
(function () {
  const el = document.getElementById("trend-chart");
  const period = document.getElementById("trend-period");
  const chart = echarts.init(el);
  const names = { low_low: "低低报", low: "低报", high: "高报", high_high: "高高报" };
  function load() {
    fetch(el.dataset.url + "?period=" + encodeURIComponent(period.value), { credentials: "same-origin" })
      .then((r) => r.json()).then((d) => {
        const lines = Object.entries(d.thresholds).map(([k, v]) => ({ yAxis: v, name: names[k], label: { formatter: names[k] + " " + v } }));
        chart.setOption({
          tooltip: { trigger: "axis" },
          xAxis: { type: "time" },
          yAxis: { type: "value", name: d.unit, scale: true },
          series: [{ type: "line", name: d.name, showSymbol: false, data: d.series,
                     markLine: { symbol: "none", lineStyle: { color: "#d62728", type: "dashed" }, data: lines } }],
        }, true);
        el.dataset.points = d.series.length;
      });
  }
  period.addEventListener("change", load);
  load();
})();
