// The leaders' cockpit: figures, charts and the map, refreshed from the JSON endpoint without reloading.
(function () {
  const config = { dataUrl: document.body.dataset.dataUrl, pollSeconds: parseInt(document.body.dataset.pollSeconds, 10) };
  let data = JSON.parse(document.getElementById("cockpit-data").textContent);
  const dark = { textStyle: { color: "#d6e4ff" } };
  const fireColors = ["#2ca02c", "#1f77b4", "#e6c200", "#ff7f0e", "#d62728"];

  const childChart = echarts.init(document.getElementById("chart-children"));
  const fireChart = echarts.init(document.getElementById("chart-fire"));
  childChart.on("click", (p) => { const row = data.children[p.dataIndex]; if (row) window.location = row.url; });
  window.addEventListener("resize", () => { childChart.resize(); fireChart.resize(); });

  const map = window.yingji.createMap("cockpit-map", null);
  const points = L.layerGroup().addTo(map);
  const mapElement = document.getElementById("cockpit-map");
  // A click on a child region opens that region's cockpit; the map shows only regions the user may see.
  window.yingji.loadRegions(map, mapElement.dataset.geojson, {
    onChildClick: (code) => {
      const row = data.children.find((c) => c.code === code);
      window.location = row ? row.url : "?region=" + encodeURIComponent(code);
    },
  });

  function drawFigures() {
    Object.entries(data.figures).forEach(([key, figure]) => {
      document.querySelectorAll(`[data-key="${key}"]`).forEach((el) => {
        el.querySelector(".value").textContent = figure.value;
        const unit = el.querySelector(".unit"); if (unit) unit.textContent = figure.unit;
        const detail = el.querySelector(".detail"); if (detail) detail.textContent = figure.detail || "";
        if (figure.url) el.setAttribute("href", figure.url);
        el.classList.toggle("missing", !!figure.missing);
      });
    });
    document.getElementById("updated-at").textContent = data.updated_at;
    const rows = document.getElementById("duty-rows");
    rows.innerHTML = "";
    if (!data.duty.length) {
      rows.innerHTML = '<tr><td colspan="3" class="muted">今日暂无值班安排</td></tr>';
    }
    data.duty.forEach((d) => {
      const tr = document.createElement("tr");
      [d.position, d.person, d.phone].forEach((text) => {
        const td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
  }

  function drawCharts() {
    const names = data.children.map((c) => c.name);
    const series = [["open_incidents", "在办事件"], ["open_alarms", "未消警报警"], ["major_hazards", "重大隐患"],
                    ["overdue_hazards", "逾期隐患"]].map(([key, label]) => ({
      name: label, type: "bar", data: data.children.map((c) => c[key]), cursor: "pointer" }));
    childChart.setOption({ ...dark, tooltip: { trigger: "axis" }, legend: { textStyle: { color: "#d6e4ff" } },
      grid: { left: 40, right: 10, top: 30, bottom: 40 },
      xAxis: { type: "category", data: names, axisLabel: { color: "#d6e4ff" } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#8fb3e8" }, splitLine: { lineStyle: { color: "#1f4b8f" } } },
      series }, true);
    const levels = (data.figures.fire_danger && data.figures.fire_danger.levels) || {};
    const slices = [1, 2, 3, 4, 5].filter((lv) => levels[lv])
      .map((lv) => ({ name: lv + "级", value: levels[lv], itemStyle: { color: fireColors[lv - 1] } }));
    fireChart.setOption({ ...dark, tooltip: { trigger: "item", formatter: (p) => yingji.html`${p.name}：${p.value} 个乡镇` },
      title: slices.length ? undefined : { text: "暂无火险等级数据", left: "center", top: "middle",
        textStyle: { color: "#6d7f9f", fontSize: 14 } },
      series: [{ type: "pie", radius: ["40%", "70%"], label: { color: "#d6e4ff" }, data: slices }] }, true);
  }

  function drawMap() {
    points.clearLayers();
    data.incidents.forEach((p) => {
      if (p.lat == null || p.lon == null) return;
      L.circleMarker([p.lat, p.lon], { radius: 7, color: "#fff", weight: 1, fillColor: p.color, fillOpacity: 0.95 })
        .bindTooltip(yingji.escapeHtml(p.name))
        .bindPopup(yingji.card(p.name, p.url, [["事件级别", p.grade_label], ["发生时间", p.occurred_at], ["所在区域", p.region]]))
        .addTo(points);
    });
    mapElement.dataset.incidents = data.incidents.length;
  }

  function refresh() {
    fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((fresh) => { data = fresh; drawFigures(); drawCharts(); drawMap(); })
      .catch(() => { document.getElementById("updated-at").textContent += "（刷新失败，稍后重试）"; });
  }

  drawCharts();
  drawMap();
  setInterval(refresh, config.pollSeconds * 1000);
})();
