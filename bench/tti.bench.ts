// Time to interactive of the page with an empty store and with 100,000 stored events,
// then, on that store, the event table's frame times while scrolling and the frame
// rate with the simulation at full speed (run with `bash scripts/bench-tti.sh`).
// Prints the figures; asserts nothing about speed.
import { test, expect, type Page } from '@playwright/test';

const STORED = 100_000;
const ORDERS = 1_000;

/** Milliseconds from navigation start until the store is open, the table shows and
 * the command buttons work. */
async function timeToInteractive(page: Page, ready: string) {
  await page.goto('./');
  await expect(page.getByText(ready).first()).toBeVisible({ timeout: 600_000 });
  await expect(page.getByRole('button', { name: 'Create order' })).toBeEnabled();
  return page.evaluate(() => performance.now());
}

/** An export file of `total` events over `ORDERS` orders: each order is created, then
 * gets items. */
function exportFile(total: number) {
  const events = Array.from({ length: total }, (_, i) => {
    const position = i + 1;
    const order = `o-${position % ORDERS}`;
    const version = Math.floor(i / ORDERS) + 1;
    const body = version === 1
      ? { eventType: 'OrderCreated', data: { customerId: `cust-${position % 97}` } }
      : { eventType: 'ItemAdded', data: { productId: `p${version % 7}`, productName: 'Thing', unitPrice: 100, quantity: 1 } };
    return {
      eventId: `cmd-fill-${position}.1`, streamId: order, streamVersion: version,
      globalPosition: position, schemaVersion: 1, recordedAt: position,
      correlationId: `corr-fill-${position}`, causationId: `cmd-fill-${position}`, ...body,
    };
  });
  return JSON.stringify({ format: 'cqrs-lab.events', formatVersion: 1, events });
}

test('time to interactive, empty and with 100,000 events', async ({ page }) => {
  test.setTimeout(1_200_000);
  const empty = Math.min(
    await timeToInteractive(page, 'No events yet. Create an order'),
    await timeToInteractive(page, 'No events yet. Create an order'),
  );

  // The app's own import writes the log, rebuilds every read model from it and saves
  // them, as a long session would have left the store.
  const started = Date.now();
  await page.getByLabel('Import events').setInputFiles({
    name: 'fill.json', mimeType: 'application/json', buffer: Buffer.from(exportFile(STORED)),
  });
  await expect(page.locator('.data-status')).toContainText(`Imported ${STORED} events`, { timeout: 600_000 });
  const imported = Date.now() - started;

  const full = await timeToInteractive(page, `${STORED} events stored`);
  const again = await timeToInteractive(page, `${STORED} events stored`);
  const best = Math.min(full, again); // each state measured twice, best of two
  console.log(`import of ${STORED} events with read-model rebuilds: ${imported} ms`);
  const scroll = await scrolling(page);
  console.log(`scrolling the event table over ${STORED} events (${scroll.frames} frames): work per frame (scroll handler, render, layout) p50 ${scroll.workP50.toFixed(2)} ms, p95 ${scroll.workP95.toFixed(2)} ms, max ${scroll.workMax.toFixed(2)} ms (target p95 ≤ 16 ms) | frame interval p95 ${scroll.intervalP95.toFixed(1)} ms, ${scroll.dropped} of ${scroll.frames} frames late (> 25 ms) | table rows in the DOM at most ${scroll.maxRows} (target < 200) | rows still reading after the last jump: ${scroll.loading}`);
  const speed = await fullSpeed(page);
  console.log(`simulation at full speed (200×, Run script every 250 ms, ${speed.seconds} s): ${speed.fps.toFixed(1)} frames/s (target ≥ 50), ${speed.events} events appended, frame interval p95 ${speed.intervalP95.toFixed(1)} ms`);
  console.log(`time to interactive (best of two): empty store ${empty.toFixed(0)} ms | ${STORED} events ${full.toFixed(0)} ms, again ${again.toFixed(0)} ms | difference ${(best - empty).toFixed(0)} ms (target ≤ 300 ms)`);
});

const p = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** Scrolls the event table as a person would (a steady wheel, then drags of the
 * scroll bar to far positions), one step per animation frame. Per frame it measures
 * the work the step causes: the scroll handler, the table's render and the layout. */
async function scrolling(page: Page) {
  await page.getByRole('tab', { name: 'Event store' }).click();
  const box = page.getByRole('region', { name: /^Events in position order/ });
  await expect(box).toBeVisible();
  const result = await box.evaluate(async (el) => {
    const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
    const work: number[] = [];
    const intervals: number[] = [];
    let maxRows = 0;
    let last = await frame();
    const max = el.scrollHeight - el.clientHeight;
    const steps: number[] = [];
    for (let i = 0; i < 240; i += 1) steps.push(max - i * 40);          // wheel upwards
    let seed = 7;
    for (let i = 0; i < 120; i += 1) {                                   // scroll-bar drags
      seed = (seed * 1103515245 + 12345) % 2147483648;
      steps.push(Math.floor((seed / 2147483648) * max));
    }
    for (const y of steps) {
      const t0 = performance.now();
      el.scrollTop = y;
      el.dispatchEvent(new Event('scroll'));
      await Promise.resolve();
      void (el.querySelector('tbody') as HTMLElement).offsetHeight; // layout now
      work.push(performance.now() - t0);
      maxRows = Math.max(maxRows, el.querySelectorAll('tbody tr').length);
      const now = await frame();
      intervals.push(now - last);
      last = now;
    }
    await new Promise((r) => setTimeout(r, 1500));
    return { work, intervals, maxRows, loading: el.querySelectorAll('tbody tr.loading').length };
  });
  return {
    frames: result.work.length,
    workP50: p(result.work, 0.5),
    workP95: p(result.work, 0.95),
    workMax: Math.max(...result.work),
    intervalP95: p(result.intervals, 0.95),
    dropped: result.intervals.filter((t) => t > 25).length,
    maxRows: result.maxRows,
    loading: result.loading,
  };
}

/** Frames per second while the simulation runs at its top speed with commands
 * streaming in (the diagram, the lag chart and the table all moving). */
async function fullSpeed(page: Page) {
  const speed = page.getByLabel('Speed');
  await speed.fill('8');
  await expect(speed).toHaveAttribute('aria-valuetext', '200× faster than real time');
  const before = await page.locator('.where').innerText();
  const seconds = 5;
  const sender = (async () => {
    for (let i = 0; i < seconds * 4; i += 1) {
      await page.getByRole('button', { name: 'Run script' }).click();
      await page.waitForTimeout(250);
    }
  })();
  const intervals: number[] = await page.evaluate(async (ms) => {
    const out: number[] = [];
    const end = performance.now() + ms;
    let last = await new Promise<number>((r) => requestAnimationFrame(r));
    while (last < end) {
      const now = await new Promise<number>((r) => requestAnimationFrame(r));
      out.push(now - last);
      last = now;
    }
    return out;
  }, seconds * 1000);
  await sender;
  const after = await page.locator('.where').innerText();
  const count = (text: string) => Number(text.split(' ')[0]);
  return {
    seconds,
    fps: intervals.length / (intervals.reduce((a, b) => a + b, 0) / 1000),
    intervalP95: p(intervals, 0.95),
    events: count(after) - count(before),
  };
}
