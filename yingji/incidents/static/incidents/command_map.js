// The command map ("一张图"): incidents, resources, enterprises and the apps' layers; a click on an incident
// lists the teams on standby nearby, to dispatch them. URLs come from the map element's data- attributes.
(function () {
  const el = document.getElementById("command-map");
  const urls = el.dataset;
  const html = yingji.html;
  const RESOURCE_PAGES = { team: "teams", warehouse: "warehouses", shelter: "shelters", expert: "experts", point: "points" };
  const map = yingji.createMap("command-map", yingji.tileUrl());
  yingji.loadRegions(map, urls.regions, { drill: true });
  const layers = { incidents: L.layerGroup().addTo(map), resources: L.layerGroup().addTo(map), enterprises: L.layerGroup().addTo(map) };
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const canDispatch = urls.canDispatch === "true";
  let selected = null;
  const checked = (n) => document.querySelector(`#layers [name=${n}]`).checked;
  function drawIncidents(features) {
    layers.incidents.clearLayers();
    if (!checked("incidents")) return;
    features.forEach((f) => {
      const [lon, lat] = f.geometry.coordinates, p = f.properties;
      L.circleMarker([lat, lon], { radius: 10, color: p.overdue ? "#000" : "#fff", weight: 2, fillColor: p.color, fillOpacity: 1 })
        .bindTooltip(html`${p.code} ${p.name}`)
        .bindPopup(yingji.card(p.name, `/incidents/${p.id}/`, [["事件编号", p.code], ["事件级别", p.grade]]))
        .on("click", () => select(p, lat, lon)).addTo(layers.incidents);
    });
    el.dataset.incidents = features.length;
  }
  function loadResources() {
    const kinds = ["team", "warehouse"].filter(checked);
    layers.resources.clearLayers();
    if (!kinds.length) return;
    fetch(urls.resources + "?" + kinds.map((k) => "layer=" + k).join("&"), { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      data.features.forEach((f) => {
        const [lon, lat] = f.geometry.coordinates, p = f.properties;
        L.circleMarker([lat, lon], { radius: 5, color: "#fff", weight: 1, fillColor: p.color, fillOpacity: 0.9 })
          .bindTooltip(html`${p.name} · ${p.label}`)
          .bindPopup(yingji.card(p.name, `/resources/${RESOURCE_PAGES[p.layer]}/${p.id}/`, [["类别", p.label]]))
          .addTo(layers.resources);
      });
    });
  }
  function loadEnterprises() {
    layers.enterprises.clearLayers();
    if (!checked("enterprises")) return;
    fetch(urls.enterprises, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : { features: [] })).then((data) => {
      data.features.forEach((f) => {
        const [lon, lat] = f.geometry.coordinates;
        L.circleMarker([lat, lon], { radius: 3, color: "#555", weight: 0, fillColor: "#555", fillOpacity: 0.6 })
          .bindTooltip(html`${f.properties.name}`)
          .bindPopup(yingji.card(f.properties.name, "/enterprises/" + f.properties.id + "/",
                                 [["类别", f.properties.category_label]])).addTo(layers.enterprises);
      });
    });
  }
  const appLayers = {};
  function loadAppLayer(box) {
    const key = box.name;
    if (!appLayers[key]) appLayers[key] = L.layerGroup().addTo(map);
    appLayers[key].clearLayers();
    if (!box.checked) { el.dataset["layer_" + key] = 0; return; }
    fetch(box.dataset.url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : { features: [] })).then((data) => {
      L.geoJSON(data, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: f.properties.color || "#555", fillOpacity: 0.9 }),
        style: (f) => ({ color: f.properties.color || "#555", weight: 2, fillOpacity: 0.12 }),
        onEachFeature: (f, layer) => {
          const p = f.properties;
          layer.bindTooltip(html`${p.name}${p.label ? " · " + p.label : ""}`);
          layer.bindPopup(yingji.card(p.name, p.url, [["类别", p.label], ["失效时间", p.expires], ...(p.figures || [])]));
        },
      }).addTo(appLayers[key]);
      el.dataset["layer_" + key] = data.features.length;
    });
  }
  document.querySelectorAll("#layers .app-layer").forEach((box) => {
    loadAppLayer(box);
    box.addEventListener("change", (e) => { e.stopPropagation(); loadAppLayer(box); });
  });
  function select(p, lat, lon) {
    selected = { p, lat, lon };
    const radius = parseFloat(document.getElementById("radius").value) || 20;
    document.getElementById("selected").innerHTML = html`<strong><a href="/incidents/${p.id}/">${p.code}</a></strong> ${p.name}（${p.grade}）<br>半径 ${radius} km 内待命队伍：`;
    fetch(`/api/nearest-resources/?kind=team&latitude=${lat}&longitude=${lon}&radius_km=${radius}&limit=20`, { credentials: "same-origin" })
      .then((r) => r.json()).then((data) => {
        const rows = (data.results || []).map((n) => html`<tr><td>${n.name}</td><td>${n.distance_km} km</td><td>${
          yingji.trusted(canDispatch ? html`<button class="btn btn-sm btn-outline-primary dispatch" data-team="${n.id}">调派</button>` : "")}</td></tr>`);
        document.getElementById("nearby").innerHTML = rows.join("") || "<tr><td class='text-muted'>范围内无待命队伍</td></tr>";
      });
  }
  document.getElementById("nearby").addEventListener("click", (e) => {
    const button = e.target.closest(".dispatch");
    if (!button || !selected) return;
    const body = new URLSearchParams({ team: button.dataset.team, instruction: "赶赴现场开展救援：" + selected.p.name });
    fetch(`/incidents/${selected.p.id}/dispatch/`, { method: "POST", credentials: "same-origin", body,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" } }).then((r) => r.json().then((data) => {
      button.replaceWith(document.createTextNode(r.ok ? "已下达" : data.detail));
      poll(); loadResources();
    }));
  });
  function poll() {
    fetch(urls.feed, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      drawIncidents(data.incidents);
      document.getElementById("task-feed").innerHTML = data.tasks.map((t) => html`<li>${t.incident} · ${t.assignee}：<span class="task-status">${t.status_label}</span></li>`).join("");
    });
  }
  document.getElementById("layers").addEventListener("change", () => { poll(); loadResources(); loadEnterprises(); });
  poll(); loadResources();
  setInterval(poll, 10000);
  const wanted = new URLSearchParams(location.search).get("incident");
  if (wanted) {
    fetch(urls.incidentsGeojson, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      const f = data.features.find((x) => String(x.properties.id) === wanted);
      if (f) { const [lon, lat] = f.geometry.coordinates; map.setView([lat, lon], 11); select(f.properties, lat, lon); }
    });
  }
})();
