// The transports on the workbench: each sets its service's documented defaults, the Azure
// view lists every setting with its Microsoft Learn page, and each shows its signature
// behaviour where a user looks (the diagram, the crash report).
import { test, expect, type Page } from './fixtures';

const shots = 'e2e/screenshots';

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toBeVisible();
}

const diagram = (page: Page) => page.getByRole('figure', { name: 'Architecture diagram' });

async function choose(page: Page, label: string) {
  await page.getByLabel('Events travel by').selectOption({ label });
}

test('a transport sets its documented defaults; the Azure view lists each setting with its Learn page', async ({ page }) => {
  await open(page);
  await page.getByLabel('Duplicate rate').fill('50');
  await choose(page, 'Service Bus topic with sessions');
  await expect(page.getByLabel('Duplicate rate')).toHaveAttribute('aria-valuetext', '0 %');
  await expect(page.getByLabel('Reorder')).toBeDisabled();
  await expect(page.getByLabel('Duplicate detection window (min)')).toHaveValue('0');
  await expect(diagram(page)).toContainText('Service Bus');
  await expect(diagram(page)).toContainText('sessions');
  await page.locator('.transport').screenshot({ path: `${shots}/transport-menu.png` });

  await page.getByRole('tab', { name: 'Azure', exact: true }).click();
  const table = page.getByRole('table', { name: 'Service Bus (sessions) settings in force' });
  const row = (name: string) => table.getByRole('row', { name: new RegExp(`^${name}`) });
  await expect(row('Sessions')).toContainText('on');
  await expect(row('Max delivery count')).toContainText('10');
  await expect(row('Duplicate detection')).toContainText('opt-in · off; when on, 10 min (20 s to 7 days)');
  await expect(row('Lock duration')).toContainText('60 s (at most 5 min)');
  const link = table.getByRole('link', { name: 'Max delivery count' });
  await expect(link).toHaveAttribute('href', /^https:\/\/learn\.microsoft\.com\/azure\/service-bus-messaging\//);
  await page.getByLabel('Duplicate detection window (min)').selectOption('10');
  await expect(row('Duplicate detection')).toContainText('on, 10 min');
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
  await table.screenshot({ path: `${shots}/transport-settings.png` });
});

test('a subscription can have its own settings: the processor for one projection, the Functions trigger for the others', async ({ page }) => {
  await open(page);
  await choose(page, 'Service Bus topic (Functions trigger)');
  await page.getByLabel('Settings of').selectOption({ label: 'Orders per customer' });
  // The topic's duplicate detection is not a subscription's to set.
  await expect(page.getByLabel('Duplicate detection window (min)')).toHaveCount(0);
  await expect(page.getByLabel('Sessions (FIFO per order)')).not.toBeChecked();

  await choose(page, 'Cosmos DB change feed + Functions trigger');
  await expect(page.locator('#transport-scope-hint')).toContainText('Every subscription has the bus');
  await page.getByLabel('Settings of').selectOption({ label: 'Order summary' });
  const functions = page.getByLabel('Functions trigger (not the processor)');
  await expect(functions).toBeChecked();
  await functions.uncheck();
  await expect(page.locator('#transport-scope-hint')).toContainText('With settings of their own: Order summary.');
  await expect(diagram(page)).toContainText('1 has its own');
  await page.locator('.transport').screenshot({ path: `${shots}/transport-own-settings.png` });

  // Order summary's processor sends its failed batch again until the fault is fixed...
  await page.getByLabel('Fail projection').selectOption({ label: 'Order summary' });
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await page.waitForTimeout(1500);
  await expect(diagram(page).locator('.node.busy')).not.toHaveCount(0);
  await expect(diagram(page)).not.toContainText('1 lost');
  // ...while Revenue per day's Functions trigger moves past its failed batch.
  await page.getByLabel('Fail projection').selectOption({ label: 'Revenue per day' });
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(diagram(page)).toContainText('1 lost');
  await expect(diagram(page).locator('.node.busy')).toHaveCount(0);
  await diagram(page).screenshot({ path: `${shots}/transport-own-settings-diagram.png` });

  await page.getByRole('tab', { name: 'Azure', exact: true }).click();
  const table = page.getByRole('table', { name: 'Change feed + Functions settings in force' });
  await expect(table.getByRole('columnheader', { name: 'Order summary' })).toBeVisible();
  const reader = table.getByRole('row', { name: /^Reader/ });
  await expect(reader).toContainText('Functions Cosmos DB trigger');
  await expect(reader).toContainText('change feed processor');
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
  await table.screenshot({ path: `${shots}/transport-own-settings-table.png` });
});

test('Event Grid without a dead-letter container drops what it cannot deliver, and says so', async ({ page }) => {
  await open(page);
  await choose(page, 'Event Grid (push)');
  await page.getByLabel('Max attempts').selectOption('1');
  await page.getByLabel('Fail projection').selectOption({ label: 'Revenue per day' });
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(diagram(page)).toContainText('1 lost');
  await expect(diagram(page).locator('.node.alarm')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Azure', exact: true }).click();
  const table = page.getByRole('table', { name: 'Event Grid settings in force' });
  await expect(table.getByRole('row', { name: /^Dead-letter container/ })).toContainText('opt-in · off');
  await expect(table.getByRole('row', { name: /^Retry schedule/ })).toContainText('10 s, 30 s, 1 min, 5 min');

  // With a container the same failure is dead-lettered instead.
  await page.getByLabel('Dead-letter container').check();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(diagram(page).locator('.node.alarm')).toHaveCount(1);
  await diagram(page).screenshot({ path: `${shots}/event-grid-drop.png` });
});

test('the change feed with the Functions trigger loses a failed batch; the processor retries it', async ({ page }) => {
  await open(page);
  await choose(page, 'Cosmos DB change feed + Functions trigger');
  await expect(page.getByRole('checkbox', { name: 'Outbox' })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'Outbox' })).toBeChecked();
  await page.getByLabel('Fail projection').selectOption({ label: 'Order summary' });
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(diagram(page)).toContainText('1 lost');
  await expect(diagram(page)).toContainText('Change feed');

  await choose(page, 'Cosmos DB change feed processor');
  await page.getByLabel('Fail projection').selectOption({ label: 'Order summary' });
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  // Retried every second, never lost: the lane stays busy until the fault is fixed.
  await expect(diagram(page).locator('.node.busy')).not.toHaveCount(0);
  await page.waitForTimeout(1500);
  await expect(diagram(page)).toContainText('1 lost');
  await page.getByLabel('Fail projection').selectOption({ label: 'none' });
  // The lost event never comes back: the order's later event waits behind it, until a
  // rebuild reads the store.
  await expect(diagram(page)).toContainText('1 deferred');
  await page.getByRole('tab', { name: 'Read models', exact: true }).click();
  await page.getByRole('group', { name: 'Order summary' }).getByRole('button', { name: 'Rebuild' }).click();
  await expect(diagram(page)).toContainText('idempotent0 queued · 0 behind');
});

test('Event Hubs: after a crash each consumer group reads again from its checkpoint', async ({ page }) => {
  await open(page);
  await choose(page, 'Event Hubs (consumer groups)');
  await expect(page.getByLabel('Checkpoint every (events)')).toHaveValue('10');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(diagram(page)).toContainText('4 partitions');
  await expect(diagram(page)).toContainText('idempotent0 queued · 0 behind');
  await page.getByRole('button', { name: 'Crash' }).click();
  // Two events, no checkpoint yet (every 10): three consumer groups read both again.
  await expect(page.locator('.crash-report')).toContainText(
    'Event Hubs kept them: each consumer group resumes from its checkpoints and reads 6 events again',
  );
  await page.getByLabel('Checkpoint every (events)').selectOption('1');
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(diagram(page)).toContainText('idempotent0 queued · 0 behind');
  await page.getByRole('button', { name: 'Crash' }).click();
  await expect(page.locator('.crash-report')).toContainText('reads 0 events again');

  // A replay from the hub: everything is within the 1 h retention, so nothing is missing.
  await page.getByRole('tab', { name: 'Read models', exact: true }).click();
  const summary = page.getByRole('group', { name: 'Order summary' });
  await summary.getByRole('button', { name: 'Replay from the hub' }).click();
  await expect(summary).toContainText('checkpoint 3 · 0 behind');
  await choose(page, 'Lab bus (every fault a knob; not an Azure service)');
  await expect(summary.getByRole('button', { name: 'Replay from the hub' })).toHaveCount(0);
});
