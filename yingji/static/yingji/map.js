// Leaflet helpers. No tiles unless the deployment configures a tile server:
// region boundaries drawn from our own GeoJSON are the base map.
window.yingji = window.yingji || {};
(function (ns) {
  // The MAP_TILE_URL setting, from base.html; empty when the deployment has no tile server.
  ns.tileUrl = function () {
    const meta = document.querySelector("meta[name=yingji-map-tile-url]");
    return meta ? meta.content : "";
  };

  ns.createMap = function (elementId, tileUrl) {
    const map = L.map(elementId, { preferCanvas: true, zoomSnap: 0.25, attributionControl: !!tileUrl });
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);
    }
    map.setView([36.4, 118.6], 9);
    return map;
  };

  ns.loadRegions = function (map, url, options) {
    options = options || {};
    return fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        const layer = L.geoJSON(data, {
          style: (f) => f.properties.role === "parent"
            ? { color: "#1d4e89", weight: 3, fill: false }
            : { color: "#4a7fb5", weight: 1.5, fillColor: "#dbe8f5", fillOpacity: 0.45 },
          onEachFeature: (f, l) => {
            l.bindTooltip(ns.escapeHtml(f.properties.name), { sticky: true });
            if (f.properties.role === "child" && options.onChildClick) {
              l.on("click", () => options.onChildClick(f.properties.code));
            }
          },
        }).addTo(map);
        layer.bringToBack();
        if (options.fit !== false && data.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        }
        map.getContainer().dataset.regionFeatures = data.features.length;
        return layer;
      });
  };

  ns.marker = function (map, lat, lon, color, title) {
    return L.circleMarker([lat, lon], { radius: 7, color: "#fff", weight: 1, fillColor: color, fillOpacity: 0.95 })
      .bindTooltip(ns.escapeHtml(title)).addTo(map);
  };

  ns.pointLayer = function (map, detailTemplate) {
    const layer = L.layerGroup().addTo(map);
    layer.detailTemplate = detailTemplate;
    return layer;
  };

  ns.loadPoints = function (layer, url, counter) {
    return fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        layer.clearLayers();
        data.features.forEach((f) => {
          const [lon, lat] = f.geometry.coordinates;
          const p = f.properties;
          const link = layer.detailTemplate.replace("{id}", p.id);
          L.circleMarker([lat, lon], { radius: 5, color: "#fff", weight: 1, fillColor: p.color, fillOpacity: 0.9 })
            .bindPopup(ns.html`<a href="${link}">${p.name}</a><br>${p.category_label}`)
            .addTo(layer);
        });
        if (counter) counter.textContent = "共 " + data.features.length + " 家企业";
        document.getElementById(layer._map.getContainer().id).dataset.pointFeatures = data.features.length;
      });
  };
})(window.yingji);
