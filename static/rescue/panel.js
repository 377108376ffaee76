// The lab's safety net, in plain JavaScript, fetched by `cqrsRescue.show` (rescue.js)
// when the WebAssembly app stops on an internal error: a panel that says so and offers
// the user's events as an export file (read straight from IndexedDB, so it works with
// the app dead) and a reload. Text only, never HTML; no inline handlers (CSP).
'use strict';

window.cqrsRescuePanel = (() => {
  const DATABASE = 'cqrs-lab';
  const EVENTS = 'events';

  /** Every stored event record, in position order; none if there is no database. */
  function readRecords() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DATABASE);
      // No database yet: do not create one (the app creates and migrates it).
      open.onupgradeneeded = () => open.transaction.abort();
      open.onerror = () => (open.error && open.error.name === 'AbortError' ? resolve([]) : reject(open.error));
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains(EVENTS)) {
          db.close();
          resolve([]);
          return;
        }
        const request = db.transaction(EVENTS, 'readonly').objectStore(EVENTS).getAll();
        request.onsuccess = () => { db.close(); resolve(request.result); };
        request.onerror = () => { db.close(); reject(request.error); };
      };
    });
  }

  /** Downloads the log in the app's export format (importable again). */
  async function exportEvents(status) {
    status.textContent = 'Reading the events…';
    try {
      const records = await readRecords();
      const events = [];
      let unreadable = 0;
      for (const record of records) {
        try {
          events.push(JSON.parse(record.envelope));
        } catch {
          unreadable += 1;
        }
      }
      const text = JSON.stringify({ format: 'cqrs-lab.events', formatVersion: 1, events }, null, 2);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'cqrs-lab-events.json';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = `Exported ${events.length} event${events.length === 1 ? '' : 's'} to cqrs-lab-events.json`
        + (unreadable ? ` (${unreadable} unreadable record${unreadable === 1 ? '' : 's'} left out).` : '.');
    } catch (error) {
      status.textContent = `The events could not be read: ${error && error.message ? error.message : error}. They are still stored; reload to try again.`;
    }
  }

  function button(text, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }

  /** Shows the panel (once; a second error adds its message). */
  function show(message) {
    const existing = document.querySelector('.panic-panel pre');
    if (existing) {
      existing.textContent += `\n${message}`;
      return;
    }
    const panel = document.createElement('div');
    panel.className = 'panic-panel';
    panel.setAttribute('role', 'alert');
    const heading = document.createElement('strong');
    heading.textContent = 'CQRS Lab hit an internal error and stopped. Your events are safe in this browser: export them, or reload to start again.';
    const detail = document.createElement('pre');
    detail.textContent = message;
    const status = document.createElement('p');
    status.className = 'rescue-status';
    status.setAttribute('aria-live', 'polite');
    const actions = document.createElement('div');
    actions.className = 'rescue-actions';
    actions.append(
      button('Export my events', () => exportEvents(status)),
      button('Reload', () => window.location.reload()),
    );
    panel.append(heading, detail, actions, status);
    document.body.appendChild(panel);
  }

  return { show };
})();
