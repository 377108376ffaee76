// A full disk: commands and scripts are refused with the quota named and nothing is
// stored; after a reload the stored log stays visible and exportable, read-only; a reset
// makes room again.
//
// The disk is made full in the page: once the test says so, every write to IndexedDB
// fails as Chromium reports a full disk (the transaction aborts, its error a
// QuotaExceededError), until a transaction that clears a store commits. The browser's
// own quota cannot be lowered for this: Chromium 156.0.8078.129 keeps writing to
// IndexedDB past a quota lowered with DevTools' Storage.overrideQuotaForOrigin (110 KB
// written into 16 KB of room), though it still refuses the Cache API.
import { test, expect, type Page } from './fixtures';
import { readFileSync } from 'node:fs';
import { exportFile, longLog, storedEvents } from './support';

const QUOTA = "the browser's storage quota is exhausted: nothing was stored";
const shots = 'e2e/screenshots';
const FULL = 'cqrs-lab-test-disk-full';

/** Runs in the page before its scripts: writes fail while the disk is full. */
function fullDisk(key: string) {
  const full = () => sessionStorage.getItem(key) === '1';
  // A transaction that writes on a full disk ends with the quota's error, and so does
  // each of its requests, as the browser's do; it ends once the page has placed them.
  const failing = new WeakMap<IDBTransaction, DOMException>();
  for (const type of [IDBRequest, IDBTransaction]) {
    const own = Object.getOwnPropertyDescriptor(type.prototype, 'error');
    Object.defineProperty(type.prototype, 'error', {
      configurable: true,
      get(this: IDBRequest | IDBTransaction) {
        const tx = this instanceof IDBTransaction ? this : this.transaction;
        return (tx && failing.get(tx)) ?? own?.get?.call(this);
      },
    });
  }
  for (const name of ['add', 'put'] as const) {
    const write = IDBObjectStore.prototype[name];
    IDBObjectStore.prototype[name] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      const request = write.apply(this, args);
      const tx = this.transaction;
      if (full() && !failing.has(tx)) {
        failing.set(tx, new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
        queueMicrotask(() => {
          try { tx.abort(); } catch { /* finished already */ }
        });
      }
      return request;
    };
  }
  // Deleting makes room: once a transaction that cleared a store has committed.
  const clear = IDBObjectStore.prototype.clear;
  IDBObjectStore.prototype.clear = function (this: IDBObjectStore) {
    const request = clear.call(this);
    this.transaction.addEventListener('complete', () => sessionStorage.removeItem(key));
    return request;
  };
}

/** The page's disk is full from now on (and after a reload), until a reset. */
async function fill(page: Page) {
  await page.evaluate((key) => sessionStorage.setItem(key, '1'), FULL);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(fullDisk, FULL);
});

test('with the quota used up, a command stores nothing and the message names the quota', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(page.locator('.storage-durability')).toContainText(/Using .+ of .+\./);
  await fill(page);
  await page.getByRole('button', { name: 'Add item' }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText(QUOTA);
  await expect(page.locator('.storage')).toContainText('Storage is full');
  const before = await storedEvents(page);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(status).toContainText('storage quota is exhausted');
  expect(await storedEvents(page)).toBe(before);

  // A script on a full disk ends with the reason, not an endless "Sending".
  await page.getByRole('button', { name: 'Run script' }).click();
  await expect(status).not.toContainText('Sending', { timeout: 10_000 });
  await expect(status).toContainText(QUOTA);
  expect(await storedEvents(page)).toBe(before);

  // An import that does not fit is refused naming the quota; the stored log stays whole.
  await page.getByLabel('Import events').setInputFiles(exportFile('big.json', longLog(2_000)));
  await expect(page.locator('.data-status')).toContainText(`big.json was not imported: ${QUOTA}`, { timeout: 20_000 });
  await expect(page.locator('.data-status')).toContainText('Nothing stored changed.');
  expect(await storedEvents(page)).toBe(before);
});

test('after a reload on a full disk the stored log is shown read-only, exported, then reset', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await fill(page);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText(QUOTA);
  const stored = await storedEvents(page);
  expect(stored).toBeGreaterThan(1);

  await page.reload();
  const storage = page.locator('.storage');
  await expect(storage).toContainText('Storage is full');
  await expect(storage).toContainText('can be exported');
  await expect(page.getByRole('heading', { name: `Event store ${stored} events` })).toBeAttached();
  await expect(page.locator('table.events tbody tr').first()).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toBeVisible();
  for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${shots}/storage-full-${name}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 900 });

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export events' }).click();
  const file = await download;
  const json = JSON.parse(readFileSync(await file.path(), 'utf8'));
  expect(json.events).toHaveLength(stored);
  await expect(page.locator('.data-status')).toContainText(`Exported ${stored} events`);

  // A new command is refused with the reason; nothing is kept in memory instead.
  const status = page.getByRole('status');
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(status).toContainText(QUOTA);
  expect(await storedEvents(page)).toBe(stored);
  await page.reload();
  await expect(page.getByRole('heading', { name: `Event store ${stored} events` })).toBeAttached();

  // Reset deletes the log: there is room again, and the page says so.
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('button', { name: 'Delete every event' }).click();
  await expect(page.locator('.data-status')).toContainText('Every event was deleted');
  await expect(storage).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(status).toContainText('CreateOrder on order-1 was accepted');
  expect(await storedEvents(page)).toBe(1);
});
