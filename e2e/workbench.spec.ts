// The simulator's controls and its live architecture diagram.
import { test, expect, type Page } from '@playwright/test';

const shots = 'e2e/screenshots';

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toBeVisible();
}

const rows = (page: Page) => page.locator('table.events tbody tr[aria-rowindex]');

test('paused, a command waits; Step moves it hop by hop; Play finishes the rest', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder waits: the simulation is paused');
  await page.waitForTimeout(300);
  await expect(page.getByText('No events yet. Create an order')).toBeVisible();

  let steps = 0;
  while ((await rows(page).count()) === 0) {
    await page.getByRole('button', { name: 'Step' }).click();
    steps += 1;
    expect(steps).toBeLessThan(10);
  }
  expect(steps).toBeGreaterThan(1); // queued, loaded, appended: more than one hop
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  const diagram = page.getByRole('figure', { name: 'Architecture diagram' });
  await expect(diagram).toContainText('1 event');

  await page.getByRole('button', { name: 'Play' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(rows(page)).toHaveCount(2);
  // The projections catch up while it plays.
  await expect(diagram).toContainText('idempotent0 queued · 0 behind');
});

test('slow motion shows messages moving along the diagram', async ({ page }) => {
  await open(page);
  const speed = page.getByLabel('Speed');
  await speed.fill('0');
  await expect(speed).toHaveAttribute('aria-valuetext', '0.1× (slow motion)');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.locator('.pulses .pulse').first()).toBeVisible();
  await page.waitForTimeout(150);
  await page.getByRole('figure', { name: 'Architecture diagram' }).screenshot({ path: `${shots}/diagram-slow-motion.png` });
  await speed.fill('8');
  await expect(speed).toHaveAttribute('aria-valuetext', '200× faster than real time');
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
});

test('a seed that is not a number is named and refused', async ({ page }) => {
  await open(page);
  const seed = page.getByLabel('Seed');
  await seed.fill('12x');
  await expect(seed).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert')).toContainText('Seed must be a whole number');
  await seed.fill('2026');
  await expect(seed).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: `${shots}/workbench.png`, fullPage: false });
});

test('fault knobs: duplicates show on the diagram, a failing projection dead-letters, a crash reports its losses', async ({ page }) => {
  await open(page);
  await page.getByLabel('Duplicate rate').fill('100');
  await expect(page.getByLabel('Duplicate rate')).toHaveAttribute('aria-valuetext', '100 %');
  await page.getByLabel('Delivery lag').selectOption({ label: 'none (0 ms)' });
  await page.getByLabel('Reorder').check();
  await page.getByLabel('Fail projection').selectOption({ label: 'Revenue per day' });
  await page.getByLabel('Speed').fill('6'); // 10× faster: redeliveries run out quickly
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  const diagram = page.getByRole('figure', { name: 'Architecture diagram' });
  // Idempotent projections absorb the duplicates; the failing one dead-letters both copies.
  await expect(diagram.locator('.node.alarm')).toHaveCount(1, { timeout: 15_000 });
  await expect(diagram.locator('.node.alarm')).toContainText('2');
  await page.screenshot({ path: `${shots}/faults.png`, fullPage: false });

  await page.getByLabel('Fail projection').selectOption({ label: 'none' });
  await page.getByRole('checkbox', { name: 'Outbox' }).uncheck();
  await page.getByRole('button', { name: 'Crash' }).click();
  await expect(page.locator('.crash-report')).toContainText('Crashed and restarted:');
  await expect(page.locator('.crash-report')).toContainText('kept by the durable queue');
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
});

test('the Azure panel names each component\'s service and its defaults', async ({ page }) => {
  await open(page);
  const azure = page.getByRole('region', { name: 'On Azure' });
  const row = (name: string) => azure.getByRole('row', { name: new RegExp(`^${name}`) });
  await expect(row('Event store')).toContainText('Azure Cosmos DB');
  await expect(row('Event store')).toContainText('Default TTL -1');
  await expect(row('Event store')).toContainText('/orderId');
  await expect(row('Event bus')).toContainText('max delivery count 10');
  await expect(row('Outbox and relay')).toContainText('Outbox on.');
  await page.getByRole('checkbox', { name: 'Outbox' }).uncheck();
  await expect(row('Outbox and relay')).toContainText('Outbox off (dual write).');
  await azure.screenshot({ path: `${shots}/azure.png` });
});

test('a failing projection fills its dead-letter queue; fixed, Resubmit lets it catch up', async ({ page }) => {
  await open(page);
  await page.getByLabel('Speed').fill('7'); // 50×: ten deliveries 50 ms apart take a moment
  await page.getByLabel('Fail projection').selectOption({ label: 'Orders per customer' });
  await page.getByRole('button', { name: 'Create order' }).click();
  const lane = page.getByRole('group', { name: 'Orders per customer' });
  await expect(lane.getByRole('table')).toContainText('Dead-letter queue: 1 message', { timeout: 15_000 });
  await expect(lane.getByRole('table')).toContainText('OrderCreated');
  await expect(lane).toContainText('1 behind');
  await lane.screenshot({ path: `${shots}/dead-letters.png` });

  await page.getByLabel('Fail projection').selectOption({ label: 'none' });
  await lane.getByRole('button', { name: 'Resubmit' }).click();
  await expect(lane).toContainText('Dead-letter queue: empty.');
  await expect(lane).toContainText('0 behind');
  await expect(lane.getByRole('button', { name: 'Resubmit' })).toBeDisabled();

  const summary = page.getByRole('group', { name: 'Order summary' });
  await summary.getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toContainText('naive');
  await summary.getByRole('button', { name: 'Rebuild' }).click();
  await expect(summary).toContainText('1 row · checkpoint 1 · 0 behind');
});

test('duplicates into a naive projection flag wrong rows; idempotent and a rebuild clear them', async ({ page }) => {
  await open(page);
  const perCustomer = page.getByRole('group', { name: 'Orders per customer' });
  await perCustomer.getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  await page.getByLabel('Duplicate rate').fill('100');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  const wrong = perCustomer.getByRole('table');
  await expect(wrong).toContainText('1 wrong row');
  await expect(wrong.getByRole('row', { name: /cust-789/ })).toContainText('2');
  await perCustomer.screenshot({ path: `${shots}/wrong-rows.png` });

  await perCustomer.getByRole('checkbox', { name: 'Idempotent' }).check();
  await expect(wrong).toContainText('1 wrong row'); // idempotent from now on repairs nothing
  await perCustomer.getByRole('button', { name: 'Rebuild' }).click();
  await expect(perCustomer).toContainText('Every row matches an exact replay');
  await expect(perCustomer.getByRole('table')).toHaveCount(0);
});

test('time travel to an earlier position shows the earlier state', async ({ page }) => {
  await open(page);
  for (const name of ['Create order', 'Add item', 'Submit order']) {
    await page.getByRole('button', { name }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
  }
  await expect(rows(page)).toHaveCount(3);
  const travel = page.getByRole('region', { name: 'Time travel' });
  const slider = travel.getByLabel('Time travel');
  await slider.fill('1');
  await expect(slider).toHaveAttribute('aria-valuetext', 'position 1 of 3');
  await expect(travel).toContainText('After event 1');
  await expect(travel).toContainText('order-1 was Draft with 0 lines, total $0.00.');
  await expect(travel).toContainText('order-1: Draft, 0 items, $0.00');
  await travel.screenshot({ path: `${shots}/time-travel.png` });
  await slider.fill('3');
  await expect(travel).toContainText('order-1 was Submitted with 1 line, total $25.00.');
  await travel.getByRole('button', { name: 'Back to now' }).click();
  await expect(travel).not.toContainText('After event');
});

test('schema v2 with the upcaster off dead-letters; on, resubmitted, it heals', async ({ page }) => {
  await open(page);
  await page.getByLabel('Speed').fill('7');
  await page.getByRole('button', { name: 'Deploy schema v2' }).click();
  await expect(page.getByRole('button', { name: 'Deploy schema v2' })).toBeDisabled();
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  const summary = page.getByRole('group', { name: 'Order summary' });
  await expect(summary.getByRole('table')).toContainText('Dead-letter queue: 1 message', { timeout: 15_000 });
  await expect(summary.getByRole('table')).toContainText('schema');

  await page.getByLabel('Upcaster').check();
  for (const name of ['Order summary', 'Orders per customer', 'Revenue per day']) {
    const lane = page.getByRole('group', { name });
    if (await lane.getByRole('button', { name: 'Resubmit' }).isEnabled()) {
      await lane.getByRole('button', { name: 'Resubmit' }).click();
    }
  }
  await expect(summary).toContainText('Dead-letter queue: empty.');
  await expect(summary).toContainText('1 row · checkpoint 1 · 0 behind');
});

test('Run script sends a burst from three clients: interleaved, one rejected, one retried', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Run script' }).click();
  const log = page.getByRole('region', { name: 'Command log' });
  await expect(log.getByRole('listitem').filter({ hasText: 'was rejected' })).toHaveCount(1);
  await expect(log).toContainText('RemoveItem on burst1-b was rejected');
  await expect(log).toContainText('SubmitOrder on burst1-b was accepted');
  await expect(rows(page)).toHaveCount(7);
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toContainText('1 rejected');
});

test('the lag chart shows projections falling behind and catching up', async ({ page }) => {
  await open(page);
  await page.getByLabel('Delivery lag').selectOption({ label: '10–200 ms, uniform' });
  await page.getByLabel('Speed').fill('1'); // 0.25×: the lag lasts long enough to see
  await page.getByRole('button', { name: 'Run script' }).click();
  const lag = page.getByRole('region', { name: 'Lag' });
  await expect(lag.getByRole('img')).toHaveAttribute('aria-label', /Order summary: [1-9]\d* behind/);
  await expect(lag).toContainText('Order summary: 0 behind (0 ms)', { timeout: 15_000 });
  await lag.screenshot({ path: `${shots}/lag-chart.png` });
});

test('each node of the diagram links to its details', async ({ page }) => {
  await open(page);
  const diagram = page.getByRole('figure', { name: 'Architecture diagram' });
  await diagram.getByRole('link', { name: /^Order summary idempotent/ }).click();
  await expect(page).toHaveURL(/#projection-order-summary$/);
  await diagram.getByRole('link', { name: /^Event store 0 events/ }).click();
  await expect(page).toHaveURL(/#events-heading$/);
  await expect(diagram.getByRole('link')).toHaveCount(13); // 6 components, 3 projections, 3 dead-letter queues, the query side
});
