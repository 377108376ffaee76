// Export, import and reset of the event log, as a user does them.
import { test, expect, type Page } from './fixtures';
import { readFileSync } from 'node:fs';

const shots = 'e2e/screenshots';

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
}

const types = (page: Page) => page.locator('table.events tbody .event-type').allTextContents();
const status = (page: Page) => page.locator('.data-status');

async function exported(page: Page, button: string) {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const file = await download;
  return { name: file.suggestedFilename(), json: JSON.parse(readFileSync(await file.path(), 'utf8')) };
}

async function importText(page: Page, name: string, text: string) {
  await page.getByLabel('Import events').setInputFiles({
    name, mimeType: 'application/json', buffer: Buffer.from(text),
  });
}

test('export, reset with confirmation, and import back', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');

  const envelopes = await exported(page, 'Export events');
  expect(envelopes.name).toBe('cqrs-lab-events.json');
  expect(envelopes.json.format).toBe('cqrs-lab.events');
  expect(envelopes.json.events.map((e: { eventType: string }) => e.eventType)).toEqual(['OrderCreated', 'ItemAdded']);
  await expect(status(page)).toContainText('Exported 2 events to cqrs-lab-events.json.');

  const cosmos = await exported(page, 'Export Cosmos DB documents');
  expect(cosmos.json[0]).toMatchObject({ aggregateId: 'order-1', aggregateType: 'Order', eventType: 'OrderCreated', version: 1 });

  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByRole('group', { name: 'Confirm the reset' })).toBeVisible();
  expect(await types(page)).toEqual(['OrderCreated', 'ItemAdded']); // not yet
  await page.screenshot({ path: `${shots}/reset-confirm.png`, fullPage: true });
  await page.getByRole('button', { name: 'Delete every event' }).click();
  await expect(status(page)).toContainText('Every event was deleted');
  await expect(page.getByText('No events yet. Create an order')).toBeVisible();
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.getByText('No events yet. Create an order')).toBeVisible();

  await importText(page, 'back.json', JSON.stringify(envelopes.json));
  await expect(status(page)).toContainText('Imported 2 events from back.json');
  expect(await types(page)).toEqual(['OrderCreated', 'ItemAdded']);
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(page.getByRole('status')).toContainText('SubmitOrder on order-1 was accepted');
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  expect(await types(page)).toEqual(['OrderCreated', 'ItemAdded', 'OrderSubmitted']);
});

test('a bad file is refused whole, naming the record and the field', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  const { json } = await exported(page, 'Export events');

  json.events[1].data.quantity = 'lots';
  await importText(page, 'tampered.json', JSON.stringify(json));
  await expect(status(page)).toContainText('tampered.json was not imported');
  await expect(status(page)).toContainText('event record 1');
  await expect(status(page)).toContainText('`data`');
  await expect(status(page)).toContainText('Nothing stored changed.');
  await page.screenshot({ path: `${shots}/import-refused.png`, fullPage: true });

  await importText(page, 'not-json.json', '{ this is not JSON');
  await expect(status(page)).toContainText('not-json.json was not imported: the file is not JSON');
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  expect(await types(page)).toEqual(['OrderCreated', 'ItemAdded']);
});

test('markup inside an imported file is shown as text and never runs', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  const { json } = await exported(page, 'Export events');
  const payload = '<img src=x onerror="window.__pwned=1">';
  json.events[1].data.productName = payload;
  await importText(page, 'payload.json', JSON.stringify(json));
  await expect(status(page)).toContainText('Imported 2 events');
  await page.getByRole('tab', { name: 'Streams' }).click();
  await expect(page.locator('table.lines').getByText(payload)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src=x]').count()).toBe(0);
});

test('a long log scrolls, drawing only the rows in view and reading the rest on demand', async ({ page }) => {
  await open(page);
  const events = Array.from({ length: 150 }, (_, i) => {
    const position = i + 1;
    const order = `o-${position % 40}`;
    const version = Math.floor(i / 40) + 1;
    const body = version === 1
      ? { eventType: 'OrderCreated', data: { customerId: 'cust-1' } }
      : { eventType: 'ItemAdded', data: { productId: 'p1', productName: 'Thing', unitPrice: 100, quantity: 1 } };
    return {
      eventId: `cmd-x-${position}.1`, streamId: order, streamVersion: version, globalPosition: position,
      schemaVersion: 1, recordedAt: position, correlationId: `corr-x-${position}`, causationId: `cmd-x-${position}`, ...body,
    };
  });
  await importText(page, 'long.json', JSON.stringify({ format: 'cqrs-lab.events', formatVersion: 1, events }));
  await expect(status(page)).toContainText('Imported 150 events');
  const drawn = page.locator('table.events tbody tr[aria-rowindex]');
  const box = page.getByRole('region', { name: /^Events in position order/ });
  // Following the newest: only the rows in view and a few more are drawn.
  await expect(page.getByText('150 events stored · positions 135–150 in view · following the newest')).toBeVisible();
  await expect(drawn.last()).toHaveAttribute('aria-rowindex', '151');
  expect(await drawn.count()).toBeLessThanOrEqual(64);
  await page.screenshot({ path: `${shots}/paged.png`, fullPage: false });
  // Scrolled to the top: the oldest events are read from the store (not held).
  await box.evaluate((el) => { el.scrollTop = 0; });
  await expect(page.getByText('150 events stored · positions 1–16 in view')).toBeVisible();
  await expect(drawn.first()).toHaveAttribute('aria-rowindex', '2');
  await expect(drawn.first()).toContainText('o-1');
  await expect(drawn.first().getByRole('button', { name: 'JSON of event 1' })).toBeVisible();
  expect(await drawn.count()).toBeLessThanOrEqual(64);
  // An event opened up there stays open while the table scrolls back down.
  await drawn.first().getByRole('button', { name: 'JSON of event 1' }).click();
  await expect(page.locator('pre.envelope')).toContainText('"globalPosition": 1');
  await box.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.getByText('following the newest')).toBeVisible();
  await expect(page.locator('pre.envelope')).toContainText('"globalPosition": 1');
  await page.getByRole('tab', { name: 'Streams' }).click();
  await expect(page.getByRole('navigation', { name: 'Orders' }).getByRole('button')).toHaveCount(30);
  await expect(page.getByRole('navigation', { name: 'Orders' })).toContainText('type any other order id');
  // A reload reads the newest events, not the whole log, and the others on scrolling;
  // it opens the view the address names (Streams) again.
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Streams' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Event store' }).click();
  await expect(page.getByText('150 events stored · positions 135–150 in view')).toBeVisible();
  await box.evaluate((el) => { el.scrollTop = 28 * 40; });
  await expect(page.getByText('150 events stored · positions 41–56 in view')).toBeVisible();
  await expect(drawn.filter({ hasText: 'cmd-x-41' }).first()).toBeVisible();
});

test('your own Cosmos DB documents import, to explore their streams; a bad one is named', async ({ page }) => {
  await open(page);
  const documents = [
    { id: 'evt_abc123', aggregateId: 'order_456', aggregateType: 'Order', eventType: 'OrderCreated', version: 1,
      occurredAt: '2025-09-10T10:30:00Z', data: { orderId: 'order_456', customerId: 'cust_789', createdAt: '2025-09-10T10:30:00Z' }, _ts: 1 },
    { id: 'evt_2', aggregateId: 'order_456', aggregateType: 'Order', eventType: 'ItemAdded', version: 2,
      occurredAt: '2025-09-10T10:31:00Z', data: { productId: 'sku-1', productName: 'Beans', unitPrice: 1250, quantity: 2 } },
  ];
  const bad = structuredClone(documents);
  bad[1].occurredAt = 'last Tuesday';
  await importText(page, 'bad-cosmos.json', JSON.stringify(bad));
  await expect(status(page)).toContainText('bad-cosmos.json was not imported');
  await expect(status(page)).toContainText('Cosmos DB document 1 (counting from 0): field `occurredAt`');
  await importText(page, 'cosmos.json', JSON.stringify(documents));
  await expect(status(page)).toContainText('Imported 2 events from cosmos.json');
  expect(await types(page)).toEqual(['OrderCreated', 'ItemAdded']);
  await page.getByLabel('Order id').fill('order_456');
  await page.getByRole('tab', { name: 'Streams' }).click();
  await expect(page.locator('.facts')).toContainText('cust_789');
  await expect(page.locator('table.lines')).toContainText('Beans');
  await page.getByRole('tab', { name: 'Read models' }).click();
  await expect(page.getByRole('group', { name: 'Order summary' })).toContainText('Draft, 2 items, $25.00');
});
