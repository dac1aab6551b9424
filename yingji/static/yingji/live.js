// Live pages: an EventSource on a stream of yingji/core/live.py. `onChange` runs on every event, on every
// (re)connect (anything published while disconnected is then picked up by the refresh) and, only while the
// stream is down, every `fallbackSeconds` as a slow poll. The element gets data-live-state="open|connecting|down".
window.yingji = window.yingji || {};
(function (ns) {
  ns.live = function (element, url, onChange, options) {
    const fallbackMs = ((options && options.fallbackSeconds) || 30) * 1000;
    let source = null;
    const setState = (state) => { element.dataset.liveState = state; };
    const connect = () => {
      setState("connecting");
      source = new EventSource(url);
      source.onopen = () => { setState("open"); onChange({ connected: true }); };
      source.onmessage = (message) => { onChange(JSON.parse(message.data)); };
      source.onerror = () => {
        // CONNECTING: the browser retries by itself (the server's `retry`); CLOSED (an error status, a
        // login page): it gave up, so try again after the fallback period.
        if (source.readyState === EventSource.CLOSED) {
          setState("down");
          setTimeout(connect, fallbackMs);
        } else {
          setState("connecting");
        }
      };
    };
    connect();
    setInterval(() => {
      if (!source || source.readyState !== EventSource.OPEN) { onChange({ fallback: true }); }
    }, fallbackMs);
    window.addEventListener("pagehide", () => source && source.close());
  };
})(window.yingji);
