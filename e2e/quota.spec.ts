// A full disk: with the origin's quota lowered to what it uses (Chromium's DevTools
// protocol, Storage.overrideQuotaForOrigin), a command is refused with the quota named,
// and nothing is stored.
import { test, expect, type Page } from '@playwright/test';

/** Events in IndexedDB, counted straight from the database. */
const storedEvents = (page: Page) => page.evaluate(() => new Promise<number>((resolve, reject) => {
  const open = indexedDB.open('cqrs-lab');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction('events').objectStore('events').count();
    count.onsuccess = () => { resolve(count.result); open.result.close(); };
    count.onerror = () => reject(count.error);
  };
}));

test('with the quota used up, a command stores nothing and the message names the quota', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(page.locator('.storage-durability')).toContainText(/Using .+ of .+\./);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL ?? '').origin, quotaSize: usage + 32_768 });
  const add = page.getByRole('button', { name: 'Add item' });
  const status = page.getByRole('status');
  let refused = false;
  for (let i = 0; i < 300 && !refused; i += 1) {
    await add.click();
    await expect(status).toContainText(/AddItem on order-1 (was accepted|.*quota)/);
    refused = /quota/.test(await status.innerText());
  }
  expect(refused).toBe(true);
  await expect(status).toContainText("the browser's storage quota is exhausted: nothing was stored");
  const before = await storedEvents(page);
  await add.click();
  await expect(status).toContainText('storage quota is exhausted');
  expect(await storedEvents(page)).toBe(before);
});
