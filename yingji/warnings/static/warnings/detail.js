// A warning's area on the map: the drawn polygon and the chosen regions, from the GeoJSON embedded with json_script.
(function () {
  const area = JSON.parse(document.getElementById("warning-area").textContent);
  const map = yingji.createMap("warning-area-map", yingji.tileUrl());
  yingjiWarnings.showArea(map, area, (f) => f.properties.role === "polygon"
    ? { color: "#d62728", weight: 2, fillOpacity: 0.2 } : { color: "#1d4e89", weight: 1.5, fillOpacity: 0.1 });
  map.getContainer().dataset.areaFeatures = area.features.length;
})();
