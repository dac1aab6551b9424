// The public tip-off form's location picker: a click on the map fills the longitude and latitude fields.
(function () {
  const el = document.getElementById("picker-map");
  const map = yingji.createMap("picker-map", yingji.tileUrl());
  window.tipoffPicker = map;
  const lon = document.getElementById("id_longitude"), lat = document.getElementById("id_latitude");
  let marker = null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    lon.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    document.getElementById("picked").textContent = "已选位置：" + lon.value + ", " + lat.value;
    el.dataset.picked = "1";
  }
  yingji.loadRegions(map, el.dataset.geojson).then(function (layer) {
    layer.eachLayer(function (l) { l.on("click", function (e) { place(e.latlng); }); });
  });
  map.on("click", function (e) { place(e.latlng); });
  if (lon.value && lat.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
})();
