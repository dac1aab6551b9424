// Text from the server (names, labels, addresses, anything a user typed) is data, never markup. Leaflet
// tooltips and popups given a string, ECharts tooltip formatters and innerHTML all parse HTML: build those
// strings with `yingji.html` (a tagged template that escapes every interpolated value), or put single values
// through `yingji.escapeHtml`, or build nodes and set textContent.
window.yingji = window.yingji || {};
(function (ns) {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  ns.escapeHtml = (value) => String(value == null ? "" : value).replace(/[&<>"']/g, (c) => entities[c]);
  // yingji.html`<a href="${url}">${name}</a>`: the literal parts are trusted markup, each ${value} is text.
  // A value wrapped in yingji.trusted(...) (markup that yingji.html built) is inserted as it is.
  function Trusted(markup) { this.markup = markup; }
  ns.trusted = (markup) => new Trusted(markup);
  const piece = (v) => (v instanceof Trusted ? v.markup : ns.escapeHtml(v));
  ns.html = (strings, ...values) => strings.reduce((out, s, i) => out + piece(values[i - 1]) + s);
})(window.yingji);
