// The alarm page: the point's trend around the alarm with its thresholds, the alarm's span shaded; and the
// enterprise on a small map (offline: region outlines, no tiles).
(function () {
  const names = { low_low: "低低报", low: "低报", high: "高报", high_high: "高高报" };
  const el = document.getElementById("alarm-trend");
  if (el) {
    const chart = echarts.init(el);
    window.addEventListener("resize", () => chart.resize());
    fetch(el.dataset.url, { credentials: "same-origin" }).then((r) => r.json()).then((d) => {
      const lines = Object.entries(d.thresholds).map(([k, v]) => ({ yAxis: v, name: names[k],
        label: { formatter: names[k] + " " + v + (d.unit ? " " + d.unit : ""), position: "insideEndTop" } }));
      const span = [{ xAxis: d.started_at, name: "报警" }, { xAxis: d.recovered_at || d.end }];
      chart.setOption({
        tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + (d.unit ? " " + d.unit : "")) },
        grid: { left: 56, right: 24, top: 36, bottom: 32 },
        xAxis: { type: "time", min: d.start, max: d.end },
        yAxis: { type: "value", name: d.unit, scale: true },
        series: [{ type: "line", name: d.name, showSymbol: false, data: d.series,
                   markLine: { symbol: "none", lineStyle: { color: "#d62728", type: "dashed" }, data: lines },
                   markArea: { itemStyle: { color: "rgba(214, 39, 40, 0.08)" }, label: { color: "#d62728" }, data: [span] } }],
        title: d.series.length ? undefined : { text: "该时段没有读数", left: "center", top: "middle",
                                               textStyle: { color: "#999", fontSize: 14 } },
      }, true);
      el.dataset.points = d.series.length;
      el.dataset.thresholds = lines.length;
    });
  }
  const placeData = document.getElementById("alarm-place");
  if (placeData) {
    const place = JSON.parse(placeData.textContent);
    const map = yingji.createMap("alarm-map", yingji.tileUrl());
    yingji.loadRegions(map, place.regions, { fit: false }).catch(() => {});
    L.circleMarker([place.lat, place.lon], { radius: 8, color: "#fff", weight: 2, fillColor: "#d62728", fillOpacity: 1 })
      .bindTooltip(yingji.escapeHtml(place.name))
      .bindPopup(yingji.card(place.name, place.url, [])).addTo(map);
    map.setView([place.lat, place.lon], 13);
    document.getElementById("alarm-map").dataset.ready = "1";
  }
})();
