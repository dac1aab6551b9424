// The page shell. The sidebar menu (core/includes/menu.html): one area open at a time, and a search box that filters
// the pages by their label (or their area's) as you type, on the page itself; Enter opens the first page found.
// The pager (core/includes/pager.html): choosing a page size shows the first page at that size.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-pager-form] select[name=page_size]")) return;
    var jump = select.form.querySelector("input[name=page]");
    if (jump) jump.value = "1";
    select.form.submit();
  });
})();

(function () {
  "use strict";
  var nav = document.getElementById("sidebar");
  if (!nav) return;
  var areas = Array.prototype.slice.call(nav.querySelectorAll(".nav-area"));
  var search = nav.querySelector(".nav-search");
  var none = nav.querySelector(".nav-none");

  function setOpen(area, open) {
    area.classList.toggle("open", open);
    area.querySelector(".nav-area-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  }

  areas.forEach(function (area) {
    area.querySelector(".nav-area-toggle").addEventListener("click", function () {
      var opening = !area.classList.contains("open");
      areas.forEach(function (other) { setOpen(other, other === area && opening); });
    });
  });

  function filter() {
    var query = search.value.trim().toLowerCase();
    nav.classList.toggle("searching", query !== "");
    var found = 0;
    areas.forEach(function (area) {
      var areaLabel = area.querySelector(".nav-area-toggle").firstChild.textContent.toLowerCase();
      var shown = 0;
      area.querySelectorAll(".nav-link").forEach(function (link) {
        var match = !query || areaLabel.indexOf(query) >= 0 || link.textContent.toLowerCase().indexOf(query) >= 0;
        link.hidden = !match;
        if (match) shown += 1;
      });
      area.hidden = query !== "" && shown === 0;
      found += shown;
    });
    none.hidden = query === "" || found > 0;
  }

  if (search) {
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { search.value = ""; filter(); }
      if (event.key !== "Enter") return;
      var first = nav.querySelector(".nav-area:not([hidden]) .nav-link:not([hidden])");
      if (first && search.value.trim()) { event.preventDefault(); window.location.href = first.href; }
    });
  }
})();
