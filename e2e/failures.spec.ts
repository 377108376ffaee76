// Storage failures are shown, not fatal.
import { test, expect } from './fixtures';

const shots = 'e2e/screenshots';

test('without IndexedDB the lab runs in memory and says so', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('Events are kept in memory only and will be lost on reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(2);
  await page.screenshot({ path: `${shots}/memory-only.png` });
  expect(errors).toEqual([]);
});

test('a full disk refuses the write with a clear reason; nothing is half stored', async ({ page }) => {
  // Chromium reports an exhausted quota as a QuotaExceededError from IndexedDB; the
  // flag makes every `add` fail that way (DevTools' quota override does not reach the
  // headless browser's storage).
  await page.addInitScript(() => {
    const add = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (...args: Parameters<typeof add>) {
      if ((window as unknown as { diskFull?: boolean }).diskFull) {
        throw new DOMException('The current transaction exceeded its quota limitations.', 'QuotaExceededError');
      }
      return add.apply(this, args);
    };
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');

  await page.evaluate(() => { (window as unknown as { diskFull?: boolean }).diskFull = true; });
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was not applied');
  await expect(page.getByRole('status')).toContainText('storage quota is exhausted: nothing was stored');
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(1);
  await page.screenshot({ path: `${shots}/quota-exceeded.png` });

  // Space again (the flag is gone after a reload): the log is intact and writable.
  await page.reload();
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(2);
  expect(errors).toEqual([]);
});
