// The fire danger map: townships coloured by level, and the weather stations, from the data embedded with json_script.
(function () {
  const data = JSON.parse(document.getElementById("fire-map-data").textContent);
  const el = document.getElementById("fire-map");
  const html = yingji.html;
  const map = yingji.createMap("fire-map", yingji.tileUrl());
  const byCode = {};
  data.townships.forEach((t) => { byCode[t.code] = t; });
  yingji.loadRegions(map, el.dataset.regions, {}).then((layer) => {
    layer.eachLayer((l) => {
      const t = byCode[l.feature.properties.code];
      if (t && t.level) l.setStyle({ fillColor: data.colors[t.level], fillOpacity: 0.6 });
    });
  });
  let drawn = 0;
  data.townships.forEach((t) => {
    if (t.latitude == null || t.longitude == null) return;
    const color = t.level ? data.colors[t.level] : "#999";
    L.circleMarker([t.latitude, t.longitude], { radius: 8, color: "#333", weight: 1, fillColor: color, fillOpacity: 0.95 })
      .bindPopup(html`${t.name}<br>${t.level ? data.labels[t.level] + "，FWI " + t.fwi.toFixed(1) : "无数据"}`)
      .addTo(map);
    drawn += 1;
  });
  data.stations.forEach((s) => {
    L.marker([s.latitude, s.longitude], { icon: L.divIcon({ className: "station-icon", iconSize: [12, 12] }) })
      .bindTooltip(html`${s.name}${s.fwi != null ? "：FWI " + s.fwi : ""}`).addTo(map);
  });
  el.dataset.townships = drawn;
})();
