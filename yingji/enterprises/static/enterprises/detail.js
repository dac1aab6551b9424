// The enterprise page's map: the regions around its village and the enterprise itself.
(function () {
  const el = document.getElementById("enterprise-map");
  const lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  const map = yingji.createMap("enterprise-map", yingji.tileUrl());
  yingji.loadRegions(map, el.dataset.geojson, { fit: false });
  yingji.marker(map, lat, lon, el.dataset.color, el.dataset.name);
  map.setView([lat, lon], 13);
})();
