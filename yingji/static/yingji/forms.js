// Form widgets the shared form layer asks for with data- attributes (yingji/core/forms.py, docs/dev/forms.md):
// - searchable selects (Tom Select) for every long choice list and every multiple choice;
// - dependent selects: data-filter-by="<parent select id>" narrows the options to those whose data-parent is the
//   parent's value (data-filter-mode="exact") or starts with the chosen region's data-prefix ("prefix");
// - filling: data-fills='{"<input id>": "<name>"}' copies the chosen option's data-fill-<name> into the inputs;
// - the map picker ([data-map-picker]): click the map or drag the marker, or search a place; it writes the two
//   coordinate inputs, which stay ordinary form fields;
// - the timetable row editor ([data-timetable]).
window.yingji = window.yingji || {};
(function (ns) {
  const LONG_LIST = 15;
  const NO_RESULTS = "无匹配项";

  // -- searchable selects --------------------------------------------------------------------------------------

  // A child of an exact dependent pair (事件子类) is short once its parent is chosen: it stays a plain select.
  const wantsSearch = (select) => !select.hasAttribute("data-plain-select") && !select.tomselect
    && select.dataset.filterMode !== "exact"
    && select.type !== "hidden" && (select.multiple || select.options.length > LONG_LIST
      || select.hasAttribute("data-searchable"));

  ns.searchable = function (select) {
    if (!window.TomSelect || !wantsSearch(select)) return;
    const settings = {
      maxOptions: null,
      allowEmptyOption: !select.multiple,
      // A single choice closes the list once made, so the next field is not under it.
      closeAfterSelect: !select.multiple,
      create: false,
      plugins: select.multiple ? ["remove_button"] : [],
      placeholder: select.multiple ? "输入名称搜索，可多选" : "输入名称搜索",
      render: { no_results: () => `<div class="no-results">${NO_RESULTS}</div>` },
    };
    // The Tom Select control takes the visual place of the select; its size attribute would only add height.
    select.removeAttribute("size");
    const ts = new window.TomSelect(select, settings);
    // The select stays the labelled form field (what is submitted, what label-based tools and tests find);
    // clicking the label still opens the search box, which Tom Select wired to it.
    const label = document.querySelector(`label[for="${ts.control_input.id}"]`);
    if (label) {
      label.setAttribute("for", select.id);
      ts.control_input.removeAttribute("aria-labelledby");
      ts.control_input.title = label.textContent.trim();
    }
    // A value set on the select itself (by a script, or a test) shows in the search box too.
    select.addEventListener("change", () => {
      const wanted = select.multiple ? Array.from(select.selectedOptions).map((o) => o.value) : select.value;
      const shown = ts.getValue();
      if (JSON.stringify(wanted) !== JSON.stringify(shown)) ts.setValue(wanted, true);
    });
  };

  // The data of a select's option by value: its data- attributes as a dataset-like object.
  const optionData = (select, value) => {
    if (select.tomselect) return select.tomselect.options[value] || {};
    const option = Array.from(select.options).find((o) => o.value === value);
    return option ? option.dataset : {};
  };

  const setValue = (field, value) => {
    if (!field || value === undefined) return;
    if (field.tomselect) {
      if (field.tomselect.options[value] !== undefined) field.tomselect.setValue(value);
      return;
    }
    if (field.tagName === "SELECT" && !Array.from(field.options).some((o) => o.value === value)) return;
    if (field.value === value) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  };

  // -- dependent selects ---------------------------------------------------------------------------------------

  ns.dependent = function (child) {
    const parent = document.getElementById(child.dataset.filterBy);
    if (!parent) return;
    const mode = child.dataset.filterMode || "exact";
    // Every option as first rendered; filtering shows a subset of these.
    const all = Array.from(child.options).map((o) => o.cloneNode(true));
    const tomAll = child.tomselect ? Object.values(child.tomselect.options).map((o) => Object.assign({}, o)) : null;
    const allowed = (data) => {
      const chosen = parent.value;
      if (!chosen) return true;
      if (mode === "prefix") {
        const prefix = optionData(parent, chosen).prefix || chosen;
        return (data.parent || "").startsWith(prefix);
      }
      return data.parent === chosen;
    };
    const apply = () => {
      if (child.tomselect) {
        const ts = child.tomselect;
        const keep = tomAll.filter((o) => o.value === "" || allowed(o));
        if (!keep.some((o) => o.value === ts.getValue())) ts.clear(true);
        ts.clearOptions();
        ts.addOptions(keep);
        ts.refreshOptions(false);
        child.dataset.shownOptions = keep.filter((o) => o.value !== "").length;
        return;
      }
      const current = child.value;
      const keep = all.filter((o) => o.value === "" || allowed(o.dataset));
      child.replaceChildren(...keep.map((o) => o.cloneNode(true)));
      child.value = keep.some((o) => o.value === current) ? current : "";
      child.dataset.shownOptions = keep.filter((o) => o.value !== "").length;
    };
    parent.addEventListener("change", apply);
    apply();
  };

  // -- filling from a chosen record ----------------------------------------------------------------------------

  ns.fills = function (select) {
    let targets;
    try { targets = JSON.parse(select.dataset.fills); } catch (e) { return; }
    select.addEventListener("change", () => {
      if (!select.value) return;
      const data = optionData(select, select.value);
      Object.entries(targets).forEach(([id, name]) => {
        const value = data["fill" + name.charAt(0).toUpperCase() + name.slice(1)];
        if (value) setValue(document.getElementById(id), value);
      });
    });
  };

  // -- the map picker ------------------------------------------------------------------------------------------

  let leaflet = null;
  const loadScript = (src) => new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.body.appendChild(script);
  });
  const ensureLeaflet = (el) => {
    if (window.L && ns.createMap) return Promise.resolve();
    if (!leaflet) {
      if (!document.querySelector(`link[href="${el.dataset.leafletCss}"]`)) {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = el.dataset.leafletCss;
        document.head.appendChild(link);
      }
      leaflet = (window.L ? Promise.resolve() : loadScript(el.dataset.leafletJs))
        .then(() => (ns.createMap ? null : loadScript(el.dataset.mapJs)));
    }
    return leaflet;
  };

  const number = (input) => {
    const value = input && input.value.trim() !== "" ? Number(input.value) : NaN;
    return Number.isFinite(value) ? value : null;
  };

  ns.mapPicker = function (el) {
    if (el.dataset.ready) return;
    el.dataset.ready = "1";
    const lonInput = el.querySelector(".map-picker-input");
    const latInput = document.getElementById(el.dataset.latitudeInput);
    const mapEl = el.querySelector("[data-picker-map]");
    const hint = el.querySelector("[data-picker-hint]");
    mapEl.id = mapEl.id || (lonInput.id || "picker") + "_map";
    const writeInputs = (lat, lon, what) => {
      lonInput.value = lon.toFixed(6);
      if (latInput) latInput.value = lat.toFixed(6);
      [lonInput, latInput].forEach((i) => i && i.dispatchEvent(new Event("change", { bubbles: true })));
      if (hint) hint.textContent = `${what}：${lonInput.value}, ${latInput ? latInput.value : ""}`;
    };
    // The place search works before the map has loaded: it fills the inputs, and the map (now or once loaded)
    // puts its marker where the inputs say.
    placeSearch(el, (place) => {
      writeInputs(place.lat, place.lon, `已选“${place.name}”`);
      const region = el.closest("form") && el.closest("form").querySelector("select[name=region]");
      if (region && !region.value && place.region) setValue(region, place.region);
    });
    ensureLeaflet(el).then(() => {
      const map = ns.createMap(mapEl.id, ns.tileUrl());
      const pin = L.divIcon({ className: "map-picker-pin", iconSize: [18, 18], iconAnchor: [9, 9] });
      let marker = null;
      const show = (lat, lon, zoomIn) => {
        if (!marker) {
          marker = L.marker([lat, lon], { draggable: true, icon: pin, autoPan: true }).addTo(map);
          marker.on("dragend", () => write(marker.getLatLng(), "已拖动标记"));
        } else {
          marker.setLatLng([lat, lon]);
        }
        if (zoomIn) map.setView([lat, lon], Math.max(map.getZoom(), 13));
        mapEl.dataset.markerLon = lon.toFixed(6);
        mapEl.dataset.markerLat = lat.toFixed(6);
      };
      const write = (latlng, what) => writeInputs(latlng.lat, latlng.lng, what);
      const fromInputs = (zoomIn) => {
        const lon = number(lonInput);
        const lat = number(latInput);
        if (lon === null || lat === null) return false;
        show(lat, lon, zoomIn);
        return true;
      };
      map.on("click", (e) => {
        show(e.latlng.lat, e.latlng.lng, false);
        write(e.latlng, "已在地图上选点");
      });
      [lonInput, latInput].forEach((input) => input && input.addEventListener("change", () => fromInputs(true)));
      const had = fromInputs(true);
      ns.loadRegions(map, el.dataset.regions, { fit: !had }).then(() => {
        mapEl.dataset.ready = "1";
      });
      el.querySelector("[data-picker-clear]").addEventListener("click", () => {
        lonInput.value = "";
        if (latInput) latInput.value = "";
        if (marker) { map.removeLayer(marker); marker = null; }
        delete mapEl.dataset.markerLon;
        delete mapEl.dataset.markerLat;
        if (hint) hint.textContent = "已清除位置。";
      });
    });
  };

  const placeSearch = (el, choose) => {
    const input = el.querySelector("[data-place-search]");
    const list = el.querySelector("[data-place-results]");
    let timer = null;
    let results = [];
    const render = () => {
      list.replaceChildren();
      results.forEach((place) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action py-1";
        button.dataset.placeResult = place.name;
        button.append(place.name, " ");
        const kind = document.createElement("small");
        kind.className = "text-muted";
        kind.textContent = place.kind;
        button.append(kind);
        button.addEventListener("click", () => pick(place));
        list.append(button);
      });
      if (!results.length) {
        const empty = document.createElement("div");
        empty.className = "list-group-item text-muted py-1";
        empty.textContent = "没有找到匹配的地点";
        list.append(empty);
      }
      list.hidden = false;
    };
    const pick = (place) => {
      list.hidden = true;
      input.value = place.name;
      choose(place);
    };
    const search = () => {
      const term = input.value.trim();
      if (!term) { list.hidden = true; return; }
      fetch(`${el.dataset.search}?q=${encodeURIComponent(term)}`, { credentials: "same-origin" })
        .then((r) => r.json())
        .then((data) => { results = data.results || []; render(); });
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter here chooses a place, it does not submit the form
      if (results.length && !list.hidden) pick(results[0]);
      else search();
    });
    // Closed by a press outside the search, by Escape or by Tab, not by losing focus: a focus moved by a script
    // (or a window that lost focus) would otherwise hide the places before they can be chosen.
    document.addEventListener("pointerdown", (event) => {
      if (!el.contains(event.target)) list.hidden = true;
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" || event.key === "Tab") list.hidden = true;
    });
  };

  // -- timetable rows ------------------------------------------------------------------------------------------

  ns.timetable = function (root) {
    const body = root.querySelector("tbody");
    const clear = (row) => row.querySelectorAll("input, select").forEach((f) => { f.value = ""; });
    root.querySelector("[data-timetable-add]").addEventListener("click", () => {
      const row = body.querySelector("[data-timetable-row]").cloneNode(true);
      clear(row);
      body.append(row);
    });
    body.addEventListener("click", (event) => {
      const remove = event.target.closest("[data-timetable-remove]");
      if (!remove) return;
      const row = remove.closest("[data-timetable-row]");
      if (body.querySelectorAll("[data-timetable-row]").length > 1) row.remove();
      else clear(row);
    });
  };

  // -- wiring --------------------------------------------------------------------------------------------------

  const once = (el, key, fn) => {
    if (el.dataset[key]) return;
    el.dataset[key] = "1";
    fn(el);
  };

  ns.fitForms = function (root) {
    root.querySelectorAll("form select").forEach((s) => ns.searchable(s));
    root.querySelectorAll("select[data-filter-by]").forEach((s) => once(s, "dependentReady", ns.dependent));
    root.querySelectorAll("select[data-fills]").forEach((s) => once(s, "fillsReady", ns.fills));
    root.querySelectorAll("[data-map-picker]").forEach((el) => ns.mapPicker(el));
    root.querySelectorAll("[data-timetable]").forEach((el) => once(el, "timetableReady", ns.timetable));
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => ns.fitForms(document));
  } else {
    ns.fitForms(document);
  }
  document.addEventListener("htmx:load", (event) => ns.fitForms(event.detail.elt));
})(window.yingji);
