// The warning form: the region tree of the area, and the polygon drawn on the map.
(function () {
  yingjiWarnings.regionTree(document.getElementById("id_area_regions"));
  const container = document.querySelector("[data-testid=polygon-map]");
  if (!container) return;
  const map = yingji.createMap("id_area_polygon_map", yingji.tileUrl());
  const drawer = yingjiWarnings.polygonDrawer(container, map);
  yingji.loadRegions(map, container.dataset.regions, { fit: !document.getElementById("id_area_polygon").value.trim() })
    .then(() => drawer.render());
})();
