// Baselines for the IndexedDB benchmark (tests/idb_bench.rs): the same records and
// the same durability as our store, written by hand-written raw IndexedDB and by Dexie.

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const committed = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error);
});

async function deleteDb(name) {
  await done(indexedDB.deleteDatabase(name));
}

/** Opens `name` with the event store's schema (events + unique index, outbox, processed). */
async function openRaw(name) {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    const events = db.createObjectStore('events', { keyPath: 'globalPosition' });
    events.createIndex('byStreamVersion', ['streamId', 'streamVersion'], { unique: true });
    db.createObjectStore('outbox', { keyPath: 'globalPosition' });
    db.createObjectStore('processed', { keyPath: 'commandId' });
  };
  return done(request);
}

/** The records of batch `b` (one command appending `size` events to stream o-b). */
function batchRecords(template, b, size) {
  const events = [];
  const outbox = [];
  for (let v = 1; v <= size; v++) {
    const position = b * size + v;
    const streamId = `o-${b}`;
    events.push({
      globalPosition: position,
      streamId,
      streamVersion: v,
      envelope: template
        .replace('"__POSITION__"', String(position))
        .replace('__STREAM__', streamId)
        .replace('"__VERSION__"', String(v))
        .replace('__EVENT__', `e-${position}`),
    });
    outbox.push({ globalPosition: position });
  }
  const processed = { commandId: `cmd-${b}`, firstPosition: b * size + 1, count: size };
  return { events, outbox, processed };
}

/** Appends `total` events in batches of `size`, one strict transaction per batch. */
export async function rawAppend(name, template, total, size) {
  await deleteDb(name);
  const db = await openRaw(name);
  const start = performance.now();
  for (let b = 0; b < total / size; b++) {
    const { events, outbox, processed } = batchRecords(template, b, size);
    const tx = db.transaction(['events', 'outbox', 'processed'], 'readwrite', { durability: 'strict' });
    const [e, o, p] = [tx.objectStore('events'), tx.objectStore('outbox'), tx.objectStore('processed')];
    for (const record of events) e.add(record);
    for (const row of outbox) o.add(row);
    p.add(processed);
    await committed(tx);
  }
  const ms = performance.now() - start;
  db.close();
  return ms;
}

/** The same through Dexie's bulkAdd, strict durability. */
export async function dexieAppend(Dexie, name, template, total, size) {
  await Dexie.delete(name);
  const db = new Dexie(name, { chromeTransactionDurability: 'strict' });
  db.version(1).stores({
    events: 'globalPosition, &[streamId+streamVersion]',
    outbox: 'globalPosition',
    processed: 'commandId',
  });
  await db.open();
  const start = performance.now();
  for (let b = 0; b < total / size; b++) {
    const { events, outbox, processed } = batchRecords(template, b, size);
    await db.transaction('rw', db.events, db.outbox, db.processed, async () => {
      await db.events.bulkAdd(events);
      await db.outbox.bulkAdd(outbox);
      await db.processed.add(processed);
    });
  }
  const ms = performance.now() - start;
  db.close();
  return ms;
}

/** Fills an open-able database of ours (already created by the store) with `total`
 * events, 1000 per transaction, without outbox rows: the scan's fixture. */
export async function rawFill(name, template, total) {
  const db = await done(indexedDB.open(name));
  for (let b = 0; b < total / 1000; b++) {
    const { events } = batchRecords(template, b, 1000);
    const tx = db.transaction(['events'], 'readwrite');
    const store = tx.objectStore('events');
    for (const record of events) store.add(record);
    await committed(tx);
  }
  db.close();
}

/** A raw full scan: one getAll of the events store. Returns [ms, count]. */
export async function rawScan(name) {
  const db = await done(indexedDB.open(name));
  const start = performance.now();
  const tx = db.transaction(['events'], 'readonly');
  const all = await done(tx.objectStore('events').getAll());
  const ms = performance.now() - start;
  db.close();
  return [ms, all.length];
}

export function now() {
  return performance.now();
}
