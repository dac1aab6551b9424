// The warning area: a region tree of check boxes and a polygon drawn on a Leaflet map with plain Leaflet
// events (click adds a vertex, double-click finishes), written into the GeoJSON text field of the form.
window.yingjiWarnings = window.yingjiWarnings || {};
(function (ns) {
  ns.regionTree = function (root) {
    if (!root) return;
    const boxes = Array.from(root.querySelectorAll("input[type=checkbox]"));
    const sync = () => {
      boxes.forEach((box) => {
        const covered = !!box.closest("ul").closest("li.region-node")
          && ancestorsOf(box).some((a) => a.checked);
        box.disabled = covered;
        box.closest("label").classList.toggle("text-muted", covered);
        box.title = covered ? "已含在上级区划内" : "";
      });
    };
    const ancestorsOf = (box) => {
      const result = [];
      let node = box.closest("li.region-node").parentElement.closest("li.region-node");
      while (node) {
        result.push(node.querySelector(":scope > label > input"));
        node = node.parentElement.closest("li.region-node");
      }
      return result;
    };
    boxes.forEach((box) => box.addEventListener("change", sync));
    sync();
    const filter = root.querySelector("[data-region-filter]");
    if (filter) {
      filter.addEventListener("input", () => {
        const term = filter.value.trim();
        root.querySelectorAll("li.region-node").forEach((li) => {
          const hit = !term || li.dataset.name.includes(term)
            || Array.from(li.querySelectorAll("li.region-node")).some((c) => c.dataset.name.includes(term));
          li.style.display = hit ? "" : "none";
        });
      });
    }
  };

  const STYLE = { color: "#d62728", weight: 2, fillOpacity: 0.15 };

  // [[lon, lat], ...] closed ring <-> Leaflet [lat, lon] vertices.
  const toLatLngs = (ring) => ring.slice(0, -1).map(([lon, lat]) => [lat, lon]);
  const toRing = (latlngs) => {
    const ring = latlngs.map((p) => [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]);
    ring.push(ring[0]);
    return ring;
  };

  ns.showArea = function (map, geojson, style) {
    if (!geojson) return null;
    const layer = L.geoJSON(geojson, { style: style || STYLE }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    return layer;
  };

  ns.polygonDrawer = function (container, map) {
    const input = container.querySelector("[data-polygon-input]");
    const hint = container.querySelector("[data-draw-hint]");
    let shown = null;
    let drawing = false;
    let vertices = [];
    let sketch = null;

    const render = () => {
      if (shown) { map.removeLayer(shown); shown = null; }
      let value = null;
      try { value = input.value.trim() ? JSON.parse(input.value) : null; } catch (e) { value = null; }
      if (value && (value.type === "Polygon" || value.type === "MultiPolygon")) {
        shown = L.geoJSON(value, { style: STYLE }).addTo(map);
      }
      map.getContainer().dataset.polygonVertices = value && value.type === "Polygon"
        ? value.coordinates[0].length - 1 : 0;
    };
    const stop = () => {
      drawing = false;
      map.doubleClickZoom.enable();
      map.getContainer().style.cursor = "";
      if (sketch) { map.removeLayer(sketch); sketch = null; }
    };
    const finish = () => {
      // A double-click also fires two clicks: drop the repeated vertex they added.
      const unique = vertices.filter((p, i) => i === 0 || !p.equals(vertices[i - 1]));
      stop();
      if (unique.length < 3) {
        hint.textContent = "范围至少需要 3 个顶点，请重新划定。";
        return;
      }
      input.value = JSON.stringify({ type: "Polygon", coordinates: [toRing(unique)] });
      hint.textContent = "已划定 " + unique.length + " 个顶点的范围。";
      render();
    };

    container.querySelector("[data-draw-start]").addEventListener("click", () => {
      vertices = [];
      drawing = true;
      map.doubleClickZoom.disable();
      map.getContainer().style.cursor = "crosshair";
      hint.textContent = "单击地图添加顶点，双击完成。";
      if (sketch) map.removeLayer(sketch);
      sketch = L.polyline([], { color: "#d62728", dashArray: "4 4" }).addTo(map);
    });
    container.querySelector("[data-draw-clear]").addEventListener("click", () => {
      stop();
      input.value = "";
      hint.textContent = "已清除划定的范围。";
      render();
    });
    map.on("click", (e) => {
      if (!drawing) return;
      vertices.push(e.latlng);
      sketch.setLatLngs(vertices);
    });
    map.on("dblclick", (e) => {
      if (!drawing) return;
      L.DomEvent.stop(e);
      finish();
    });
    input.addEventListener("change", render);
    render();
    if (shown && shown.getBounds().isValid()) map.fitBounds(shown.getBounds(), { padding: [20, 20] });
    return { render: render, toLatLngs: toLatLngs };
  };
})(window.yingjiWarnings);
