// A tour of the workbench's main views in a lived-in state, at a laptop's 1280×720 and a
// projector's 1920×1080: nothing overflows the page sideways, and each view is
// photographed (e2e/screenshots/views/, copied to docs/screenshots/ for the README).
import { test, expect, type Page } from './fixtures';

const shots = 'e2e/screenshots/views';

/** A session with something in every view: two scripted bursts, a naive projection
 * under duplicates, a failing one, a snapshot policy that shows, a crash. */
async function liveIn(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByLabel('Snapshot every').selectOption('5');
  await page.getByLabel('Delivery lag').selectOption({ label: '10–200 ms, uniform' });
  await page.getByRole('button', { name: 'Create order' }).click();
  for (let i = 0; i < 5; i += 1) {
    await page.getByRole('button', { name: 'Add item' }).click();
    await expect(page.getByRole('status')).toContainText('was accepted');
  }
  await page.getByRole('button', { name: 'Submit order' }).click();
  await page.getByRole('tab', { name: 'Read models' }).click();
  await page.getByRole('group', { name: 'Orders per customer' }).getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  await page.getByLabel('Duplicate rate').fill('50');
  await page.getByLabel('Fail projection').selectOption({ label: 'Revenue per day' });
  await page.getByRole('button', { name: 'Run script' }).click();
  await expect(page.getByRole('status')).toContainText('burst');
  await page.getByLabel('Amount').fill('125');
  await page.getByRole('button', { name: 'Receive payment' }).click();
  await expect(page.getByRole('status')).toContainText('ReceivePayment on order-1 was accepted');
  await page.waitForTimeout(1500);
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

const VIEWS = ['Event store', 'Streams', 'Read models', 'Lag', 'Timeline', 'Command log', 'Time travel', 'Azure'];

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  test(`every view at ${width}×${height}`, async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width, height });
    await liveIn(page);
    await page.getByRole('tab', { name: 'Event store' }).click();
    await noSidewaysScroll(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/workbench-${width}.png` });
    // The diagram and the tab list are both in reach without scrolling the page far.
    const tabs = await page.getByRole('tablist', { name: 'Views' }).boundingBox();
    expect(tabs?.y ?? Infinity).toBeLessThan(height * 1.2);
    for (const name of VIEWS) {
      await page.getByRole('tab', { name, exact: true }).click();
      const panel = page.getByRole('tabpanel', { name });
      await expect(panel).toBeVisible();
      if (name === 'Time travel') {
        await panel.getByLabel('Time travel').fill('6');
        await expect(panel).toContainText('After event 6');
      }
      await noSidewaysScroll(page);
      if (width === 1280) {
        const key = name.toLowerCase().replace(/ /g, '-');
        await page.locator('.views').screenshot({ path: `${shots}/${key}.png` });
      }
    }
  });
}

for (const [width, height] of [[1280, 720], [1920, 1080]]) {
  test(`the scenario page at ${width}×${height}, in every panel a step points at`, async ({ page }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width, height });
    await page.goto('./scenarios/');
    await expect(page.getByRole('heading', { name: 'Scenarios', exact: true })).toBeVisible();
    // Scenario, step: read models, lag, timeline, dead letters, stream, log, modes, costs.
    const tour: [RegExp, number][] = [
      [/^3\. Duplicate/, 2], [/^2\. Eventual/, 2], [/^4\. Out-of-order/, 1], [/^5\. Schema/, 3],
      [/^10\. Rebuilding/, 2], [/^8\. Backpressure/, 2], [/^11\. CRUD/, 2], [/^12\. When not/, 2],
    ];
    for (const [scenario, step] of tour) {
      await page.getByRole('button', { name: scenario }).click();
      await page.getByRole('button', { name: `Step ${step}`, exact: true }).click();
      await expect(page.locator('.step-card')).toContainText(`Step ${step} of`);
      await expect(page.getByRole('heading', { name: /^The lab at \d+ ms$/ })).toBeVisible();
      await noSidewaysScroll(page);
      if (width === 1280) {
        const key = scenario.source.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
        await page.screenshot({ path: `${shots}/scenario-${key}.png`, fullPage: true });
      }
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/scenarios-${width}.png` });
  });
}

test('the address names the open view: reload, Back and a bookmark open it again', async ({ page }) => {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page).toHaveURL(/\/#events$/);
  await page.getByRole('tab', { name: 'Read models' }).click();
  await page.getByRole('tab', { name: 'Azure', exact: true }).click();
  await expect(page).toHaveURL(/#azure$/);
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Azure', exact: true })).toHaveAttribute('aria-selected', 'true');
  await page.goBack();
  await expect(page).toHaveURL(/#read-models$/);
  await expect(page.getByRole('tab', { name: 'Read models' })).toHaveAttribute('aria-selected', 'true');
  await page.goto('about:blank');
  await page.goto('./#lag');
  await expect(page.getByRole('tab', { name: 'Lag' })).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/#lag$/);
});

test('at 1366×768 the diagram\'s text is 12 px and more on both pages', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.locator('.diagram svg.flow')).toHaveClass(/wide/);
  expect(await diagramText(page, '.diagram')).toBeGreaterThanOrEqual(12);
  await page.goto('./scenarios/#outbox/step-1');
  await expect(page.locator('.step-card')).toContainText('Step 1 of');
  await expect(page.locator('.diagram svg.flow')).toBeVisible();
  expect(await diagramText(page, '.diagram')).toBeGreaterThanOrEqual(12);
});

test('presenter mode at 1280×720: the diagram takes the width, its text is 24 px and more, messages 20 px and more, type names are whole', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByRole('button', { name: 'Presenter mode' }).click();
  const svg = page.locator('.diagram svg.flow');
  expect((await svg.boundingBox())!.width).toBeGreaterThan(1280 * 0.85);
  // The denser layout: its text reads from the back of a room.
  await expect(svg).toHaveClass(/compact/);
  expect(await diagramText(page, '.diagram')).toBeGreaterThanOrEqual(24);
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  const pulse = page.locator('.diagram svg.flow .pulse').first();
  await expect(pulse).toBeVisible();
  expect((await pulse.boundingBox())!.width).toBeGreaterThanOrEqual(20);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${shots}/presenter-1280x720.png`, fullPage: false });
  const cut = await page.locator('table.events td.type').evaluateAll((cells) =>
    cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent));
  expect(cut).toEqual([]);
});

/** The smallest text of the diagram as drawn, in CSS px. */
async function diagramText(page: Page, within: string): Promise<number> {
  return page.evaluate((within) => {
    const svg = document.querySelector<SVGSVGElement>(`${within} svg.flow`);
    if (!svg) return 0;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...[...svg.querySelectorAll('.node text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
  }, within);
}

test('Enlarge fills the screen with one view, and Restore size brings it back', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  const before = await diagramText(page, '.flow-panel');
  await page.getByRole('button', { name: 'Enlarge the diagram to fill the screen' }).click();
  const restore = page.getByRole('button', { name: 'Restore size to put the diagram back in its place' });
  await expect(restore).toBeVisible();
  expect(await page.evaluate(() => document.fullscreenElement?.classList.contains('flow-panel'))).toBe(true);
  expect((await page.locator('.flow-panel svg.flow').boundingBox())!.width).toBeGreaterThan(1920 * 0.9);
  const enlarged = await diagramText(page, '.flow-panel');
  expect(enlarged).toBeGreaterThan(before * 1.2);
  await page.screenshot({ path: `${shots}/enlarged-diagram-1920.png`, fullPage: false });
  await restore.click();
  await expect(page.getByRole('button', { name: 'Enlarge the diagram to fill the screen' })).toBeVisible();
  expect(await page.evaluate(() => document.fullscreenElement)).toBeNull();
  // The open view enlarges the same way.
  await page.getByRole('button', { name: 'Enlarge the open view to fill the screen' }).click();
  expect(await page.evaluate(() => document.fullscreenElement?.classList.contains('views'))).toBe(true);
  await page.getByRole('button', { name: 'Restore size to put the open view back in its place' }).click();
  await expect(page.getByRole('button', { name: 'Enlarge the open view to fill the screen' })).toBeVisible();
  // On the scenario page, the lab and the view a step points at.
  await page.goto('./scenarios/');
  await page.getByRole('button', { name: 'Enlarge the lab to fill the screen' }).click();
  expect(await page.evaluate(() => document.fullscreenElement?.getAttribute('aria-labelledby'))).toBe('lab-heading');
  await page.getByRole('button', { name: 'Restore size to put the lab back in its place' }).click();
  await page.getByRole('button', { name: 'Enlarge this view to fill the screen' }).click();
  expect(await page.evaluate(() => document.fullscreenElement?.getAttribute('aria-labelledby'))).toBe('panel-heading');
});
