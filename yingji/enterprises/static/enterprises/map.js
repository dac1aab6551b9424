// The enterprise distribution map, filtered by supervision category.
(function () {
  const el = document.getElementById("enterprise-map");
  const filter = document.getElementById("map-filter");
  const map = yingji.createMap("enterprise-map", yingji.tileUrl());
  yingji.loadRegions(map, el.dataset.regions, { drill: true });
  const layer = yingji.pointLayer(map, el.dataset.detail);
  const reload = () => {
    const params = new URLSearchParams(new FormData(filter));
    yingji.loadPoints(layer, el.dataset.points + "?" + params.toString(), document.getElementById("point-count"));
  };
  filter.addEventListener("change", reload);
  reload();
})();
