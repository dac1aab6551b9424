// The one map component (Leaflet). No tiles unless the deployment configures a tile server: region boundaries
// drawn from our own GeoJSON are the base map, each region named at a point inside it; a click on a region opens
// its part of the map (or what the page asks for), a click on a marker opens its card.
window.yingji = window.yingji || {};
(function (ns) {
  // More child regions than this and their names wait until the map is zoomed in one step past the whole view.
  const CROWDED = 25;

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
    // Markers are drawn on a canvas, so a page script or a browser test finds a point's pixel through the map.
    map.getContainer().leafletMap = map;
    return map;
  };

  function withParent(url, code) {
    const next = new URL(url, window.location.href);
    next.searchParams.set("parent", code);
    return next.pathname + next.search;
  }

  // A "返回上级" button while the map shows a region the user drilled into in place.
  const BackControl = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      const button = L.DomUtil.create("button", "map-back btn btn-sm btn-light border");
      button.type = "button";
      button.hidden = true;
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", () => this.onBack && this.onBack());
      this.button = button;
      return button;
    },
  });

  // Region outlines from a GeoJSON URL (core's /regions/geojson/), with their names as labels.
  // options.onChildClick(code, properties): what a click on a child region does. options.drill = true: a click
  //   drills into it in place (its own children are drawn, a 返回上级 button goes back) and the container fires a
  //   `yingji:region` event with {code, name}. Neither (a map whose own clicks pick a point): a click does nothing.
  // options.labels = false: no names. options.fit = false: keep the view.
  // Resolves to the layer of the outlines shown first (callers style it).
  ns.loadRegions = function (map, url, options) {
    options = options || {};
    const container = map.getContainer();
    const state = { layer: null, labels: L.layerGroup().addTo(map), trail: [] };
    let back = null;

    function draw(data, fit) {
      if (state.layer) map.removeLayer(state.layer);
      state.labels.clearLayers();
      const children = data.features.filter((f) => f.properties.role === "child");
      const clickable = (p) => p.role === "child" && (options.onChildClick || (options.drill && p.has_children));
      state.layer = L.geoJSON(data, {
        style: (f) => f.properties.role === "parent"
          ? { color: "#1d4e89", weight: 3, fill: false, interactive: false }
          : { color: "#4a7fb5", weight: 1.5, fillColor: "#dbe8f5", fillOpacity: 0.45 },
        onEachFeature: (f, l) => {
          const p = f.properties;
          if (p.role !== "child") return;
          if (options.labels === false) l.bindTooltip(ns.escapeHtml(p.name), { sticky: true });
          if (clickable(p)) {
            l.on("click", (e) => { L.DomEvent.stopPropagation(e); open(p); });
            l.on("mouseover", () => l.setStyle({ fillOpacity: 0.7 }));
            l.on("mouseout", () => l.setStyle({ fillOpacity: 0.45 }));
          }
        },
      }).addTo(map);
      state.layer.bringToBack();
      if (options.labels !== false) {
        const labelled = children.length ? children : data.features;
        labelled.forEach((f) => {
          const p = f.properties;
          if (!p.label_point) return;
          const label = L.tooltip({ permanent: true, direction: "center", interactive: false,
                                    className: "region-label" + (clickable(p) ? " region-label-link" : "") })
            .setLatLng([p.label_point[1], p.label_point[0]]).setContent(ns.escapeHtml(p.name));
          label.regionCode = p.code;
          state.labels.addLayer(label);
        });
      }
      if (fit && data.features.length) map.fitBounds(state.layer.getBounds(), { padding: [10, 10] });
      state.fullZoom = map.getZoom();
      state.crowded = children.length > CROWDED;
      showLabels();
      container.dataset.regionFeatures = data.features.length;
      container.dataset.regionLabels = state.labels.getLayers().length;
      container.dataset.regionParent = data.parent ? data.parent.code : "";
      return state.layer;
    }

    function showLabels() {
      const visible = !state.crowded || map.getZoom() > state.fullZoom;
      container.classList.toggle("region-labels-hidden", !visible);
    }
    map.on("zoomend", showLabels);

    function fetchRegions(address) {
      return fetch(address, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
    }

    function open(p) {
      if (options.onChildClick) { options.onChildClick(p.code, p); return; }
      state.trail.push(state.url);
      go(withParent(url, p.code), p);
    }

    function go(address, p) {
      state.url = address;
      return fetchRegions(address).then((data) => {
        draw(data, true);
        if (!back) { back = new BackControl(); back.onBack = up; back.addTo(map); }
        back.button.hidden = !state.trail.length;
        back.button.textContent = "返回上级";
        const parent = data.parent || (p ? { code: p.code, name: p.name } : null);
        if (parent) container.dispatchEvent(new CustomEvent("yingji:region", { detail: parent }));
      });
    }

    function up() {
      if (state.trail.length) go(state.trail.pop());
    }

    state.url = url;
    return fetchRegions(url).then((data) => draw(data, options.fit !== false));
  };

  // The card a marker opens: its name (a link to its page), a few key figures and a 查看详情 link.
  // rows: [[label, value], ...]; empty values are left out.
  ns.card = function (title, url, rows) {
    const lines = (rows || []).filter(([, value]) => value !== undefined && value !== null && value !== "")
      .map(([label, value]) => ns.html`<tr><th>${label}</th><td>${value}</td></tr>`).join("");
    const heading = url ? ns.html`<a href="${url}">${title}</a>` : ns.html`${title}`;
    return ns.html`<div class="map-card"><div class="map-card-title">${ns.trusted(heading)}</div>${
      ns.trusted(lines ? "<table>" + lines + "</table>" : "")}${
      ns.trusted(url ? ns.html`<a class="map-card-more" href="${url}">查看详情 ›</a>` : "")}</div>`;
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

  // Points from a GeoJSON URL: properties id, name, color, category_label and optionally `figures`
  // ([[label, value], ...]) for the card.
  ns.loadPoints = function (layer, url, counter) {
    return fetch(url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        layer.clearLayers();
        data.features.forEach((f) => {
          const [lon, lat] = f.geometry.coordinates;
          const p = f.properties;
          const link = layer.detailTemplate.replace("{id}", p.id);
          L.circleMarker([lat, lon], { radius: 6, color: "#fff", weight: 1, fillColor: p.color || "#2f7d32", fillOpacity: 0.9 })
            .bindTooltip(ns.escapeHtml(p.name))
            .bindPopup(ns.card(p.name, link, [["类别", p.category_label], ...(p.figures || [])]))
            .addTo(layer);
        });
        if (counter) counter.textContent = "共 " + data.features.length + " 家企业";
        layer._map.getContainer().dataset.pointFeatures = data.features.length;
      });
  };
})(window.yingji);
