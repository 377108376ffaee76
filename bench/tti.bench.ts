// Time to interactive of the page with an empty store and with 100,000 stored events
// (run with `bash scripts/bench-tti.sh`). Prints the figures; asserts nothing about speed.
import { test, expect, type Page } from '@playwright/test';

const STORED = 100_000;

/** Milliseconds from navigation start until the store is open and the table shows. */
async function timeToInteractive(page: Page, ready: string) {
  await page.goto('./');
  await expect(page.getByText(ready).first()).toBeVisible({ timeout: 600_000 });
  await expect(page.getByRole('button', { name: 'Create order' })).toBeEnabled();
  return page.evaluate(() => performance.now());
}

test('time to interactive, empty and with 100,000 events', async ({ page }) => {
  test.setTimeout(1_200_000);
  const empty = await timeToInteractive(page, 'No events yet. Create an order');
  // 100,000 events of 1,000 orders, written straight into the app's database.
  await page.evaluate(async (total) => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const r = indexedDB.open('cqrs-lab');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    for (let b = 0; b < total / 1000; b++) {
      const tx = db.transaction(['events'], 'readwrite');
      const store = tx.objectStore('events');
      for (let i = 1; i <= 1000; i++) {
        const position = b * 1000 + i;
        const order = `o-${position % 1000}`;
        const version = Math.floor((position - 1) / 1000) + 1;
        const data = version === 1
          ? { eventType: 'OrderCreated', data: { customerId: 'cust-1' } }
          : { eventType: 'ItemAdded', data: { productId: 'p1', productName: 'Thing', unitPrice: 100, quantity: 1 } };
        const envelope = {
          eventId: `cmd-fill-${position}.1`, streamId: order, streamVersion: version,
          globalPosition: position, schemaVersion: 1, recordedAt: position,
          correlationId: `corr-fill-${position}`, causationId: `cmd-fill-${position}`, ...data,
        };
        store.add({ globalPosition: position, streamId: order, streamVersion: version, envelope: JSON.stringify(envelope) });
      }
      await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    }
    db.close();
  }, STORED);
  const full = await timeToInteractive(page, `of ${STORED}`);
  console.log(`time to interactive: empty store ${empty.toFixed(0)} ms | ${STORED} events ${full.toFixed(0)} ms | difference ${(full - empty).toFixed(0)} ms (target ≤ 300 ms)`);
});
