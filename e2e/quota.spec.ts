// A full disk: with the origin's quota lowered to what it uses (Chromium's DevTools
// protocol, Storage.overrideQuotaForOrigin), commands and scripts are refused with the
// quota named and nothing is stored; after a reload the stored log stays visible and
// exportable, read-only; a reset makes room again.
import { test, expect, type Page, type BrowserContext } from './fixtures';
import { readFileSync } from 'node:fs';
import { exportFile, longLog, storedEvents } from './support';

const QUOTA = "the browser's storage quota is exhausted: nothing was stored";
const shots = 'e2e/screenshots';

/** Lowers the origin's quota to what it uses now plus `room` bytes. */
async function fillTo(page: Page, context: BrowserContext, baseURL: string | undefined, room: number) {
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL ?? '').origin, quotaSize: usage + room });
  return cdp;
}

// Now and then a run's writes go on past the lowered quota for every click (the
// browser's own bookkeeping: its estimate reports the override plus some 10 GiB in
// passing and failing runs alike): a retry starts a fresh browser.
test.describe.configure({ retries: 2 });

// The override is the browser's, not the test's context's: each test starts with the
// default quota.
test.afterEach(async ({ page, context, baseURL }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL ?? '').origin });
});

/** Clicks Add item until the store refuses it for lack of room. The browser's usage
 * figure lags behind its writes, so the quota is lowered again to the usage it reports
 * every 20 clicks until a write is refused. */
async function addUntilRefused(page: Page, context: BrowserContext, baseURL: string | undefined) {
  const add = page.getByRole('button', { name: 'Add item' });
  const status = page.getByRole('status');
  for (let i = 1; i <= 300; i += 1) {
    await add.click();
    await expect(status).toContainText(/AddItem on order-1 (was accepted|.*quota)/);
    if (/quota/.test(await status.innerText())) return;
    if (i % 20 === 0) await fillTo(page, context, baseURL, 4_096);
  }
  throw new Error('the quota was never reached');
}

test('with the quota used up, a command stores nothing and the message names the quota', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(page.locator('.storage-durability')).toContainText(/Using .+ of .+\./);
  await fillTo(page, context, baseURL, 16_384);
  await addUntilRefused(page, context, baseURL);
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

test('after a reload on a full disk the stored log is shown read-only, exported, then reset', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await fillTo(page, context, baseURL, 16_384);
  await addUntilRefused(page, context, baseURL);
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
