// The resource map, filtered by layer; a click elsewhere on the map asks for the nearest resources there.
(function () {
  const el = document.getElementById("resource-map");
  const map = yingji.createMap("resource-map", yingji.tileUrl());
  yingji.loadRegions(map, el.dataset.regions, {});
  const layer = L.layerGroup().addTo(map);
  const detail = { team: "teams", warehouse: "warehouses", shelter: "shelters", expert: "experts", point: "points" };
  function reload() {
    const params = new URLSearchParams(new FormData(document.getElementById("layer-filter")));
    fetch(el.dataset.points + "?" + params.toString(), { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      layer.clearLayers();
      data.features.forEach((f) => {
        const [lon, lat] = f.geometry.coordinates, p = f.properties;
        L.circleMarker([lat, lon], { radius: 6, color: "#fff", weight: 1, fillColor: p.color, fillOpacity: 0.9 })
          .bindTooltip(yingji.escapeHtml(p.name))
          .bindPopup(yingji.card(p.name, `/resources/${detail[p.layer]}/${p.id}/`, [["类别", p.label]])).addTo(layer);
      });
      document.getElementById("point-count").textContent = "共 " + data.features.length + " 个资源点";
      el.dataset.pointFeatures = data.features.length;
    });
  }
  map.on("click", (e) => {
    window.location = el.dataset.nearest + "?latitude=" + e.latlng.lat.toFixed(6) + "&longitude=" + e.latlng.lng.toFixed(6) + "&radius_km=20";
  });
  document.getElementById("layer-filter").addEventListener("change", reload);
  reload();
})();
