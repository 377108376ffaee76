// The first vertical slice, driven as a user would: by role and accessible name.
import { test, expect, type Page } from './fixtures';

const shots = 'e2e/screenshots';

async function open(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1, name: 'CQRS Lab' })).toBeVisible();
  return errors;
}

const eventRows = (page: Page) => page.locator('table.events tbody tr[aria-rowindex]');
const feedback = (page: Page) => page.getByRole('status');
const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true }).click();

test('the page is titled CQRS Lab and starts with an empty store', async ({ page }) => {
  const errors = await open(page);
  await expect(page).toHaveTitle('CQRS Lab');
  await expect(page.getByText('No events yet. Create an order to record the first one.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Event store 0 events' })).toBeVisible();
  await page.screenshot({ path: `${shots}/empty.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('create, add an item and submit record three events in order', async ({ page }) => {
  const errors = await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(feedback(page)).toContainText('CreateOrder on order-1 was accepted: 1 event recorded.');
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(feedback(page)).toContainText('SubmitOrder on order-1 was accepted');

  await expect(eventRows(page)).toHaveCount(3);
  const types = await page.locator('table.events tbody .event-type').allTextContents();
  expect(types).toEqual(['OrderCreated', 'ItemAdded', 'OrderSubmitted']);
  const third = eventRows(page).nth(2);
  await expect(third.locator('td').nth(0)).toHaveText('3');       // global position
  await expect(third.locator('td').nth(1)).toHaveText('order-1'); // stream
  await expect(third.locator('td').nth(2)).toHaveText('3');       // stream version

  // The JSON of an event is one click away and carries the whole envelope.
  const jsonButton = third.getByRole('button', { name: 'JSON of event 3' });
  await jsonButton.click();
  await expect(jsonButton).toHaveAttribute('aria-expanded', 'true');
  const json = JSON.parse(await page.locator('#event-detail pre.envelope').innerText());
  expect(json).toMatchObject({
    streamId: 'order-1', streamVersion: 3, globalPosition: 3,
    schemaVersion: 1, eventType: 'OrderSubmitted', data: { total: 2500 },
  });
  // Ids carry this tab's token, so two tabs never mint the same one.
  expect(json.causationId).toMatch(/^cmd-[0-9a-f]{8}-3$/);
  expect(json.eventId).toBe(`${json.causationId}.1`);
  expect(json.correlationId).toMatch(/^corr-[0-9a-f]{8}-3$/);
  // ...and beside it, the same event as a Cosmos DB document.
  const cosmos = JSON.parse(await page.locator('#event-detail pre.cosmos').innerText());
  expect(cosmos).toMatchObject({ aggregateId: 'order-1', aggregateType: 'Order', eventType: 'OrderSubmitted', version: 3 });
  await page.screenshot({ path: `${shots}/submitted.png`, fullPage: true });
  await tab(page, 'Streams');
  await expect(page.locator('.facts')).toContainText('Submitted');
  await expect(page.locator('.facts')).toContainText('$25.00');
  expect(errors).toEqual([]);
});

test('submitting an empty order is rejected with a visible explanation', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(feedback(page)).toContainText(
    'SubmitOrder on order-1 was rejected: an empty order cannot be submitted: add an item first. No event was recorded.');
  await expect(eventRows(page)).toHaveCount(1);
  await tab(page, 'Command log');
  await expect(page.locator('.journal li.rejected')).toHaveCount(1);
  await expect(page.locator('.journal li.rejected')).toContainText('Rejected');
  await page.screenshot({ path: `${shots}/rejected.png`, fullPage: true });
});

test('a bad field is named, marked invalid, and nothing is recorded', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  const price = page.getByLabel('Unit price');
  await price.fill('twelve');
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(feedback(page)).toContainText('Unit price must be an amount such as 12.50');
  await expect(price).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Unit price must be an amount such as 12.50').first()).toBeVisible();
  await expect(eventRows(page)).toHaveCount(1);
  await page.screenshot({ path: `${shots}/invalid-field.png`, fullPage: true });
  await price.fill('12.50');
  await expect(price).not.toHaveAttribute('aria-invalid', 'true');
});

test('the whole order life cycle through payment and shipping', async ({ page }) => {
  await open(page);
  for (const name of ['Create order', 'Add item', 'Submit order', 'Ship order']) {
    await page.getByRole('button', { name }).click();
  }
  await expect(feedback(page)).toContainText('only a paid order can be shipped (status: Submitted)');
  await page.getByLabel('Amount').fill('20.00');
  await page.getByRole('button', { name: 'Receive payment' }).click();
  await expect(feedback(page)).toContainText('payment must equal the order total of $25.00 exactly (got $20.00)');
  await page.getByLabel('Amount').fill('25');
  await page.getByRole('button', { name: 'Receive payment' }).click();
  await page.getByRole('button', { name: 'Ship order' }).click();
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await expect(feedback(page)).toContainText('a shipped order cannot be cancelled');
  const types = await page.locator('table.events tbody .event-type').allTextContents();
  expect(types).toEqual(['OrderCreated', 'ItemAdded', 'OrderSubmitted', 'PaymentReceived', 'OrderShipped']);
  await tab(page, 'Streams');
  await expect(page.locator('.facts')).toContainText('Shipped');
});

test('markup typed by a user is shown as text, never run as HTML', async ({ page }) => {
  await open(page);
  const payload = '<img src=x onerror="window.__pwned=1">';
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByLabel('Product name').fill(payload);
  await page.getByRole('button', { name: 'Add item' }).click();
  await tab(page, 'Streams');
  await expect(page.locator('table.lines')).toContainText(payload);
  await expect(page.locator('table.lines img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test('axe finds no accessibility violations, empty or with events and errors', async ({ page }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  await open(page);
  const audit = async () => (await new AxeBuilder({ page }).analyze()).violations
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(await audit()).toEqual([]);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await page.getByRole('button', { name: 'JSON of event 2' }).click();
  await page.getByLabel('Quantity').fill('none');
  await page.getByRole('button', { name: 'Add item' }).click();
  expect(await audit()).toEqual([]);
  // Every view below the diagram, with a naive projection gone wrong and a dead letter.
  await page.getByLabel('Duplicate rate').fill('100');
  await page.getByLabel('Fail projection').selectOption({ label: 'Revenue per day' });
  await page.getByLabel('Quantity').fill('1');
  await tab(page, 'Read models');
  await page.getByRole('group', { name: 'Orders per customer' }).getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  await page.getByLabel('Order id').fill('order-2');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await page.getByLabel('Amount').fill('25');
  await page.getByRole('button', { name: 'Receive payment' }).click();
  await expect(page.getByRole('group', { name: 'Orders per customer' })).toContainText('1 wrong row');
  for (const name of ['Event store', 'Streams', 'Read models', 'Lag', 'Timeline', 'Command log', 'Time travel', 'Azure']) {
    await tab(page, name);
    await expect(page.getByRole('tabpanel', { name })).toBeVisible();
    expect(await audit(), name).toEqual([]);
  }
});

test('with two orders, the stream list switches the targeted order', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByLabel('Order id').fill('order-2');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await tab(page, 'Streams');
  const orders = page.getByRole('navigation', { name: 'Orders' });
  await expect(orders.getByRole('button')).toHaveText(['order-1 v1', 'order-2 v2']);
  await orders.getByRole('button', { name: 'order-1 v1' }).click();
  await expect(page.getByLabel('Order id')).toHaveValue('order-1');
  await expect(page.locator('.facts')).toContainText('$0.00');
  await page.screenshot({ path: `${shots}/two-orders.png`, fullPage: true });
});

test('Enter in a field sends its group\'s command, once', async ({ page }) => {
  await open(page);
  await page.getByLabel('Customer id').press('Enter');
  await expect(eventRows(page)).toHaveCount(1);
  await page.getByLabel('Quantity').fill('3');
  await page.getByLabel('Quantity').press('Enter');
  await expect(feedback(page)).toContainText('AddItem on order-1 was accepted');
  await expect(eventRows(page)).toHaveCount(2);
  await tab(page, 'Streams');
  await expect(page.locator('table.lines')).toContainText('$37.50');
  await page.getByRole('button', { name: 'Submit order' }).click();
  await tab(page, 'Command log');
  await expect(page.locator('.journal li')).toHaveCount(3);
  await tab(page, 'Event store');
  await expect(eventRows(page)).toHaveCount(3);
});
