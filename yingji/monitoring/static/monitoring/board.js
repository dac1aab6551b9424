// The monitoring board. Alarms arrive over server-sent events: each change refreshes the scoped alarm list
// (a 30 s poll only while the stream is down).
(function () {
  const alarms = document.getElementById("board-alarms");
  const sources = document.getElementById("board-sources");
  yingji.live(alarms, alarms.dataset.stream, () => {
    htmx.trigger(alarms, "live-change");
    htmx.trigger(sources, "live-change");
  }, { fallbackSeconds: 30 });
  const el = document.getElementById("board-map");
  const map = yingji.createMap("board-map", yingji.tileUrl());
  yingji.loadRegions(map, el.dataset.regions, { drill: true });
  const layer = yingji.pointLayer(map, el.dataset.detail);
  const counter = document.getElementById("point-count");
  const reload = () => yingji.loadPoints(layer, el.dataset.points, counter);
  reload();
  setInterval(reload, 5000);
})();
