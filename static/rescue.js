// The lab's safety net, loaded with each page and kept small: the app's panic hook calls
// `cqrsRescue.show(message)`, which fetches the panel (rescue/panel.js: export the
// events, reload) only then. Should that fail (offline before it was ever cached), a
// text-only panel says what happened. Text only, never HTML; no inline handlers (CSP).
'use strict';

window.cqrsRescue = (() => {
  const panel = new URL('rescue/panel.js', document.currentScript.src);

  function fallback(message) {
    const box = document.createElement('div');
    box.className = 'panic-panel';
    box.setAttribute('role', 'alert');
    const heading = document.createElement('strong');
    heading.textContent = 'CQRS Lab hit an internal error. Your events are safe in this browser; reload the page to start again.';
    const detail = document.createElement('pre');
    detail.textContent = message;
    box.append(heading, detail);
    document.body.appendChild(box);
  }

  function show(message) {
    const script = document.createElement('script');
    script.src = panel.href;
    script.onload = () => window.cqrsRescuePanel.show(message);
    script.onerror = () => fallback(message);
    document.head.appendChild(script);
  }

  return { show };
})();
