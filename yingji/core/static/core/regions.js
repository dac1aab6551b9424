// The region pages' map; on the tree page (data-tree-url) a click on a child region opens its node.
(function () {
  const el = document.getElementById("region-map");
  const map = yingji.createMap("region-map", yingji.tileUrl());
  const treeUrl = el.dataset.treeUrl;
  yingji.loadRegions(map, el.dataset.geojson, treeUrl
    ? { onChildClick: (code) => { window.location = treeUrl + "tree/" + code + "/"; } } : {});
})();
