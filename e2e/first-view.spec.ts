// Each page's first view is in its HTML (scripts/prerender.mjs): before any wasm arrives a
// visitor sees the page, laid out as the app lays it out; the copy cannot be used (it is
// inert) and its ids do not clash with the app's; when the app is ready it takes the
// copy's place, with nothing moving on screen. These tests use @playwright/test itself:
// the other tests drop the first view (fixtures.ts).
import { test, expect, type Page } from '@playwright/test';

const shots = 'e2e/screenshots';
const pages = [
  { name: 'workbench', url: './', heading: 'Commands' },
  { name: 'scenario page', url: './scenarios/', heading: /^1\. Happy path/ },
];

/** Every id in the document that more than one element has. */
const repeatedIds = (page: Page) => page.evaluate(() => {
  const seen = new Map<string, number>();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
});

/** The sum of layout shifts seen so far (the Cumulative Layout Shift of the load). */
const layoutShift = (page: Page) => page.evaluate(() => (window as unknown as { __shift: number }).__shift);

for (const { name, url, heading } of pages) {
  test(`the ${name} shows its first view before the wasm arrives`, async ({ page }) => {
    // No wasm at all: what shows is the HTML alone.
    await page.route('**/*.wasm', (route) => route.abort());
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url);
    const first = page.locator('#first-view');
    await expect(first).toHaveAttribute('inert', '');
    await expect(first.getByRole('heading', { level: 1, name: 'CQRS Lab' })).toBeVisible();
    await expect(first.locator('h2', { hasText: heading })).toHaveCount(1);
    // The app's root is not there (no wasm), so nothing but the copy is on the page.
    await expect(page.locator('#app > .page')).toHaveCount(0);
    expect(await repeatedIds(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    // Inert: a tap on a button of the copy does nothing, and the focus cannot enter it.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('#first-view') ?? null)).toBeNull();
    await page.screenshot({ path: `${shots}/first-view-${name.replace(' ', '-')}-phone.png` });
  });

  test(`the ${name}'s app takes the first view's place without moving it`, async ({ page }) => {
    await page.addInitScript(() => {
      const w = window as unknown as { __shift: number };
      w.__shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number })[]) w.__shift += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(url);
    await expect(page.locator('#first-view')).toHaveCount(0);
    await expect(page.locator('#app > .page')).toHaveCount(1);
    await expect(page.locator('#app > .page h2', { hasText: heading })).toBeVisible();
    expect(await repeatedIds(page)).toEqual([]);
    // The app's ids are its own, not the copy's.
    expect(await page.locator('[id^="fv-"]').count()).toBe(0);
    // Nothing on screen moved as the app took over (Lighthouse's bar for a good page).
    expect(await layoutShift(page)).toBeLessThan(0.1);
  });
}

test('the first view is the app\'s own markup: the same headings and controls', async ({ page }) => {
  // The scenario page draws nothing at random, so the copy and the app must agree on
  // every heading, button and field the first scenario's first step shows.
  const summary = () => page.evaluate(() => {
    const root = document.querySelector('#first-view .page') ?? document.querySelector('#app > .page');
    if (!root) return null;
    const names = (selector: string) => [...root.querySelectorAll(selector)].map((e) => (e.textContent ?? '').trim());
    return { headings: names('h1, h2, h3'), buttons: names('button'), labels: names('label') };
  });
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('./scenarios/');
  const copy = await summary();
  await page.unroute('**/*.wasm');
  await page.reload();
  await expect(page.locator('#first-view')).toHaveCount(0);
  // The address the app writes (#happy-path/step-0) is where the copy was taken.
  await expect(page).toHaveURL(/#happy-path\/step-0$/);
  expect(await summary()).toEqual(copy);
});

test.describe('phone 390×844', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the first view is laid out as the app lays it out, down to the store line', async ({ page, context }) => {
    // The copy alone (no wasm), then the app once it has taken the copy's place.
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto('./');
    const copy = (await page.locator('#first-view .storage').boundingBox())!.y;
    const app = await context.newPage();
    await app.goto('./');
    await expect(app.locator('#first-view')).toHaveCount(0);
    const real = (await app.locator('#app .storage').boundingBox())!.y;
    // Everything above the store's line (the controls, the Seed and what it means) has
    // the same size in the copy as in the app: no style may hang on an id.
    expect(Math.abs(copy - real)).toBeLessThanOrEqual(2);
  });
});
