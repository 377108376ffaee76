// The simulator's controls and its live architecture diagram.
import { test, expect, type Page } from './fixtures';
import { readFileSync, writeFileSync } from 'node:fs';

const shots = 'e2e/screenshots';

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toBeVisible();
}

const rows = (page: Page) => page.locator('table.events tbody tr[aria-rowindex]');

/** Opens a view below the diagram and returns its panel. */
async function view(page: Page, name: string) {
  await page.getByRole('tab', { name, exact: true }).click();
  await expect(page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true');
  return page.getByRole('tabpanel', { name });
}

const deadLetters = (lane: ReturnType<Page['getByRole']>) =>
  lane.getByRole('table', { name: /^Dead-letter queue/ });

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
  // With every projection idempotent a duplicate changes nothing: the knob says so.
  await expect(page.locator('#fault-duplicates-hint')).toContainText('untick Idempotent on a projection');
  await page.getByLabel('Delivery lag').selectOption({ label: 'none (0 ms)' });
  await page.getByLabel('Reorder').check();
  await expect(page.getByRole('checkbox', { name: 'Reorder' })).toHaveAccessibleDescription(/set an early one aside/);
  await expect(page.getByLabel('Seed')).toHaveAccessibleDescription(/the same seed and knobs replay the same run/);
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
  const azure = await view(page, 'Azure');
  const row = (name: string) => azure.getByRole('row', { name: new RegExp(`^${name}`) });
  await expect(row('Event store')).toContainText('Azure Cosmos DB');
  await expect(row('Event store')).toContainText('TTL off');
  await expect(row('Event store')).toContainText('/orderId');
  await expect(row('Event bus')).toContainText('max delivery count 10');
  await expect(row('Event bus')).toContainText('Service Bus: FIFO only with sessions');
  await expect(row('Outbox and relay')).toContainText('Outbox on: each event');
  await page.getByRole('checkbox', { name: 'Outbox' }).uncheck();
  await expect(row('Outbox and relay')).toContainText('Outbox off (dual write).');
  await azure.screenshot({ path: `${shots}/azure.png` });
});

test('a failing projection fills its dead-letter queue; fixed, Resubmit lets it catch up', async ({ page }) => {
  await open(page);
  await page.getByLabel('Speed').fill('7'); // 50×: ten deliveries 50 ms apart take a moment
  await page.getByLabel('Fail projection').selectOption({ label: 'Orders per customer' });
  await page.getByRole('button', { name: 'Create order' }).click();
  await view(page, 'Read models');
  const lane = page.getByRole('group', { name: 'Orders per customer' });
  await expect(deadLetters(lane)).toContainText('Dead-letter queue: 1 message', { timeout: 15_000 });
  await expect(deadLetters(lane)).toContainText('OrderCreated');
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
  await view(page, 'Read models');
  const perCustomer = page.getByRole('group', { name: 'Orders per customer' });
  await perCustomer.getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  await page.getByLabel('Duplicate rate').fill('100');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  await expect(perCustomer).toContainText('1 wrong row');
  const row = perCustomer.getByRole('table', { name: 'Newest rows beside the truth' }).getByRole('row', { name: /cust-789/ });
  await expect(row.getByRole('cell').first()).toHaveText('2');
  await expect(row.getByRole('cell').nth(1)).toHaveText('1');
  await expect(row).toContainText('⚠ wrong');
  await expect(page.getByRole('tab', { name: 'Read models' })).toContainText('1'); // the badge
  await perCustomer.screenshot({ path: `${shots}/wrong-rows.png` });

  await perCustomer.getByRole('checkbox', { name: 'Idempotent' }).check();
  await expect(perCustomer).toContainText('1 wrong row'); // idempotent from now on repairs nothing
  await perCustomer.getByRole('button', { name: 'Rebuild' }).click();
  await expect(perCustomer).toContainText('No wrong rows');
  await expect(row).toContainText('✓ current');
  await expect(row.getByRole('cell').first()).toHaveText('1');
});

test('time travel to an earlier position shows the earlier state', async ({ page }) => {
  await open(page);
  for (const name of ['Create order', 'Add item', 'Submit order']) {
    await page.getByRole('button', { name }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
  }
  await expect(rows(page)).toHaveCount(3);
  const travel = await view(page, 'Time travel');
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
  await view(page, 'Read models');
  const summary = page.getByRole('group', { name: 'Order summary' });
  await expect(deadLetters(summary)).toContainText('Dead-letter queue: 1 message', { timeout: 15_000 });
  await expect(deadLetters(summary)).toContainText('schema');

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
  const log = await view(page, 'Command log');
  await expect(log.getByRole('listitem').filter({ hasText: 'was rejected' })).toHaveCount(1);
  await expect(log).toContainText('RemoveItem on burst1-b was rejected');
  await expect(log).toContainText('SubmitOrder on burst1-b was accepted');
  const timeline = await view(page, 'Timeline');
  await expect(timeline.getByRole('figure')).toHaveAttribute('aria-label', /^Timeline: the newest \d+ hops/);
  await expect(timeline.getByRole('table', { name: 'The newest hops' })).toContainText('applied');
  await expect(timeline.locator('svg .mark .pulse.rejected')).toHaveCount(1);
  await expect(timeline.locator('svg .mark .pulse.duplicate')).not.toHaveCount(0); // the retried command
  await timeline.screenshot({ path: `${shots}/timeline.png` });
  await view(page, 'Event store');
  await expect(rows(page)).toHaveCount(7);
  await expect(page.getByRole('figure', { name: 'Architecture diagram' })).toContainText('1 rejected');
});

test('the lag chart shows projections falling behind and catching up', async ({ page }) => {
  await open(page);
  await page.getByLabel('Delivery lag').selectOption({ label: '10–200 ms, uniform' });
  await page.getByLabel('Speed').fill('1'); // 0.25×: the lag lasts long enough to see
  await page.getByRole('button', { name: 'Run script' }).click();
  const lag = await view(page, 'Lag');
  const events = lag.getByRole('img', { name: /^Events behind the store over the last/ });
  const age = lag.getByRole('img', { name: /^Milliseconds behind \(age of the oldest event not applied\) over the last/ });
  await expect(events).toHaveAttribute('aria-label', /Order summary: [1-9]\d* behind/);
  // While it is behind, the oldest event it has not applied has an age, in virtual ms.
  await expect(age).toHaveAttribute('aria-label', /top: [1-9]\d* ms/);
  await expect(lag).toContainText('Order summary: 0 behind (0 ms)', { timeout: 15_000 });
  await expect(age.locator('polyline')).not.toHaveCount(0);
  await lag.screenshot({ path: `${shots}/lag-chart.png` });
});

test('each node of the diagram opens the view that details it', async ({ page }) => {
  await open(page);
  const diagram = page.getByRole('figure', { name: 'Architecture diagram' });
  await diagram.getByRole('link', { name: /^Order summary idempotent/ }).click();
  await expect(page.getByRole('tab', { name: 'Read models' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#projection-order-summary')).toBeFocused();
  await diagram.getByRole('link', { name: /^Dead letters/ }).nth(2).click();
  await expect(page.locator('#projection-revenue-per-day-dead-letters')).toBeFocused();
  await diagram.getByRole('link', { name: /^Event bus/ }).click();
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await diagram.getByRole('link', { name: /^Handler/ }).press('Enter');
  await expect(page.getByRole('tab', { name: 'Command log' })).toHaveAttribute('aria-selected', 'true');
  await diagram.getByRole('link', { name: /^Event store 0 events/ }).click();
  await expect(page.getByRole('tab', { name: 'Event store' })).toHaveAttribute('aria-selected', 'true');
  await expect(diagram.getByRole('link')).toHaveCount(13); // 6 components, 3 projections, 3 dead-letter queues, the query side
});

test('the tab list works by keyboard: arrows, Home and End open the tab they reach', async ({ page }) => {
  await open(page);
  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  await tab('Event store').focus();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Streams')).toBeFocused();
  await expect(tab('Streams')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Streams' })).toBeVisible();
  await page.keyboard.press('End');
  await expect(tab('Azure')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Event store')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tab('Azure')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { selected: true })).toHaveCount(1);
});

test('an order\'s whole life: the summary read model is stale after each command, then catches up', async ({ page }) => {
  await open(page);
  await page.getByLabel('Speed').fill('2'); // 0.5×: stale rows last long enough to see
  await page.getByLabel('Delivery lag').selectOption({ label: '10–200 ms, uniform' });
  await view(page, 'Read models');
  const summary = page.getByRole('group', { name: 'Order summary' });
  const row = summary.getByRole('row', { name: /^order-1/ });
  let staleSeen = 0;
  for (const [button, status] of [
    ['Create order', 'Draft, 0 items'], ['Add item', 'Draft, 2 items'], ['Submit order', 'Submitted'],
    ['Receive payment', 'Paid'], ['Ship order', 'Shipped'],
  ]) {
    await page.getByRole('button', { name: button, exact: true }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
    // The truth moves at once; the read model follows after the bus's lag.
    await expect(row.getByRole('cell').nth(1)).toContainText(status);
    if (await row.getByText('stale').isVisible()) staleSeen += 1;
    await expect(row).toContainText('✓ current', { timeout: 15_000 });
    await expect(row.getByRole('cell').first()).toContainText(status);
  }
  expect(staleSeen).toBeGreaterThan(0);
  await summary.screenshot({ path: `${shots}/read-model-caught-up.png` });
});

test('the Streams view shows the history with the snapshot a handler starts from', async ({ page }) => {
  await open(page);
  await page.getByLabel('Snapshot every').selectOption('5');
  await page.getByRole('button', { name: 'Create order' }).click();
  for (let i = 0; i < 6; i += 1) {
    await page.getByRole('button', { name: 'Add item' }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
  }
  const streams = await view(page, 'Streams');
  const history = streams.getByRole('region', { name: 'History of order-1' });
  await expect(history.getByRole('listitem')).toHaveCount(8); // 7 events and the snapshot
  await expect(history.locator('.snapshot-marker')).toContainText('Snapshot at v5');
  await expect(history).toContainText('a handler reads the snapshot at v5 and replays 2 events after it, instead of all 7');
  await streams.screenshot({ path: `${shots}/streams.png` });
});

test('presenter shortcuts: ? lists them, Space plays and pauses, → steps, ← goes back in time, P for large type', async ({ page }) => {
  await open(page);
  for (const name of ['Create order', 'Add item']) {
    await page.getByRole('button', { name, exact: true }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
  }
  await page.locator('body').click({ position: { x: 5, y: 400 } }); // the focus on the page, not a control
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeFocused();
  await expect(dialog.getByRole('row')).toHaveCount(7);
  await dialog.screenshot({ path: `${shots}/shortcuts.png` });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled(); // paused
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem waits: the simulation is paused');
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  for (let i = 0; i < 15 && (await rows(page).count()) !== 3; i += 1) {
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(150);
  }
  await expect(rows(page)).toHaveCount(3);
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled(); // playing again

  await page.keyboard.press('ArrowLeft');
  const travel = page.getByRole('tabpanel', { name: 'Time travel' });
  await expect(travel).toContainText('After event 2');
  await page.keyboard.press('ArrowLeft');
  await expect(travel).toContainText('After event 1');

  // In a field, the keys are the field's.
  await page.getByLabel('Product name').press('p');
  await expect(page.locator('.page.presenter')).toHaveCount(0);
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('p');
  await expect(page.locator('.page.presenter')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Presenter mode' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: `${shots}/presenter.png` });
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
});

test('the diagram and the lag chart save as SVG and PNG for slides', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Run script' }).click();
  await expect(page.getByRole('status')).toContainText('burst');
  const saved = async (button: string) => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: button }).click();
    const file = await download;
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
  };
  const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

  const svg = await saved('Diagram as SVG');
  expect(svg.name).toBe('cqrs-lab-diagram.svg');
  const text = svg.bytes.toString('utf8');
  expect(text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(text).toContain('<style');
  expect(text).toContain('.diagram .node rect');
  expect(text).toContain('Event store');
  expect(text).toContain('dead letter'); // the legend
  const png = await saved('Diagram as PNG');
  expect(png.name).toBe('cqrs-lab-diagram.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngSize(png.bytes)).toEqual([2190, 724]);
  writeFileSync(`${shots}/export-diagram.png`, png.bytes);

  await page.getByRole('tab', { name: 'Lag', exact: true }).click();
  const lagSvg = await saved('Lag chart as SVG');
  const lagText = lagSvg.bytes.toString('utf8');
  expect(lagText).toContain('Read-model lag');
  expect(lagText).toContain('Events behind the store');
  expect(lagText).toContain('Milliseconds behind (age of the oldest event not applied)');
  // A line per projection in each chart (more where an age was unknown for a while).
  expect(lagText.match(/<polyline/g)?.length).toBeGreaterThanOrEqual(6);
  const lagPng = await saved('Lag chart as PNG');
  expect(pngSize(lagPng.bytes)).toEqual([1920, 1120]);
  writeFileSync(`${shots}/export-lag.png`, lagPng.bytes);
});
