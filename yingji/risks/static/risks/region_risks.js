// Risk points by region: the stacked chart (a bar opens the list of that region and level) and the map of
// enterprises with major or larger risks.
(function () {
  const data = JSON.parse(document.getElementById("risk-chart-data").textContent);
  const chart = echarts.init(document.getElementById("risk-chart"));
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 40, bottom: 70 },
    xAxis: { type: "category", data: data.regions, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "total", data: s.data,
                                       itemStyle: { color: s.color }, cursor: "pointer" })),
  });
  chart.on("click", (params) => {
    const url = data.urls[params.dataIndex];
    if (url) window.location = url + "&level=" + data.series[params.seriesIndex].level;
  });
  window.addEventListener("resize", () => chart.resize());

  const el = document.getElementById("risk-region-map");
  const map = yingji.createMap("risk-region-map", yingji.tileUrl());
  yingji.loadRegions(map, el.dataset.regions, { drill: true });
  const template = el.dataset.detail;
  fetch(el.dataset.points, { credentials: "same-origin" }).then((r) => r.json()).then((points) => {
    const layer = L.layerGroup().addTo(map);
    points.rows.forEach(([id, name, lon, lat, level, major, larger]) => {
      L.circleMarker([lat, lon], { radius: 6, color: "#333", weight: 1, fillColor: points.colors[level], fillOpacity: 0.95 })
        .bindTooltip(yingji.escapeHtml(name))
        .bindPopup(yingji.card(name, template.replace("{id}", id), [["重大风险", major + " 个"], ["较大风险", larger + " 个"]]))
        .addTo(layer);
    });
    el.dataset.pointFeatures = points.rows.length;
    document.getElementById("risk-place-count").textContent = "，共 " + points.rows.length + " 家";
  });
})();
