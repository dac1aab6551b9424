// An enterprise's risk points on its map (四色图), from the GeoJSON embedded with json_script.
(function () {
  const el = document.getElementById("risk-map");
  const map = yingji.createMap("risk-map", yingji.tileUrl());
  const data = JSON.parse(document.getElementById("risk-points").textContent);
  const layer = L.layerGroup().addTo(map);
  const bounds = [];
  data.features.forEach((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    L.circleMarker([lat, lon], { radius: 9, color: "#333", weight: 1, fillColor: p.color, fillOpacity: 0.95 })
      .bindPopup(yingji.html`<a href="${p.url}">${p.name}</a><br>${p.level_label}<br>${p.place}`)
      .addTo(layer);
    bounds.push([lat, lon]);
  });
  el.dataset.pointFeatures = data.features.length;
  yingji.loadRegions(map, el.dataset.regions, { fit: !bounds.length }).then(() => {
    if (bounds.length) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 17 });
  });
  if (!bounds.length && el.dataset.lat) map.setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 15);
})();
