// Two tabs of one browser on one stored log: each converges on what IndexedDB holds,
// hears what became of its in-flight script when the other replaces the log, and a
// script after a reload records new orders.
import { test, expect, type Page } from './fixtures';
import { exportFile, longLog, storedEvents } from './support';

/** The count the page shows in its event store's heading. */
async function shown(page: Page): Promise<number> {
  const heading = page.getByRole('heading', { name: /^Event store \d+ events?$/ });
  return Number((await heading.textContent())?.match(/\d+/)?.[0] ?? NaN);
}

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
}

const status = (page: Page) => page.getByRole('status');


/**
 * Appends one event straight to IndexedDB, as another tab's command would (the newest
 * stored event again, at the next position and version), and announces it on the
 * lab's channel.
 */
const appendAndAnnounce = (page: Page) => page.evaluate(() => new Promise<number>((resolve, reject) => {
  const open = indexedDB.open('cqrs-lab');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('events', 'readwrite');
    const events = tx.objectStore('events');
    const last = events.openCursor(null, 'prev');
    last.onsuccess = () => {
      // The newest event is its order's newest too: the next version is free.
      const record = { ...last.result!.value };
      record.globalPosition += 1;
      record.streamVersion += 1;
      const envelope = JSON.parse(record.envelope);
      envelope.globalPosition = record.globalPosition;
      envelope.streamVersion = record.streamVersion;
      envelope.causationId = `cmd-other-${record.globalPosition}`;
      envelope.eventId = `${envelope.causationId}.1`;
      record.envelope = JSON.stringify(envelope);
      events.add(record);
      tx.oncomplete = () => {
        open.result.close();
        new BroadcastChannel('cqrs-lab-changes').postMessage('appended');
        resolve(record.globalPosition);
      };
    };
    tx.onerror = () => reject(tx.error);
  };
}));

test('a tab that imports converges with an append another tab made while it started on the new log', async ({ context }) => {
  test.setTimeout(120_000);
  const [a, b] = [await context.newPage(), await context.newPage()];
  await open(a);
  await open(b);
  await a.getByLabel('Speed').fill('8'); // 200×
  await a.getByRole('button', { name: 'Run script' }).click();
  await expect(status(a)).toContainText('RemoveItem on burst1-b was rejected'); // the script's last
  // B imports a log it takes a while to start on (20,000 events to fold); once the
  // import is stored, and before B shows it, another tab appends.
  await b.getByLabel('Import events').setInputFiles(exportFile('big.json', longLog(20_000)));
  await expect.poll(() => storedEvents(a), { timeout: 30_000, intervals: [20] }).toBe(20_000);
  expect(await b.locator('.data-status').textContent()).not.toContain('Imported');
  const position = await appendAndAnnounce(a);
  await expect(b.locator('.data-status')).toContainText('Imported 20000 events', { timeout: 60_000 });
  await expect.poll(() => shown(b), { timeout: 10_000 }).toBe(position);
  await expect.poll(() => shown(a), { timeout: 10_000 }).toBe(position);
  expect(await storedEvents(a)).toBe(position);
  // Every row of the newest page is read: none is left "reading…".
  await expect(b.getByText('reading…')).toHaveCount(0, { timeout: 10_000 });
});

test('a script under way when another tab resets the log is reported, not dropped silently', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  await open(a);
  await open(b);
  // Paused, the script's commands wait in the engine: the reset comes first.
  await a.getByRole('button', { name: 'Pause' }).click();
  await a.getByRole('button', { name: 'Run script' }).click();
  await expect(status(a)).toContainText('A script waits: the simulation is paused');
  await b.getByRole('button', { name: 'Reset' }).click();
  await b.getByRole('button', { name: 'Delete every event' }).click();
  await expect(status(a)).toContainText('the log was replaced (an import or a reset, here or in another tab) before it was handled');
  await expect(status(a)).not.toContainText('waits');
});

test('Run script after a reload records new orders instead of reusing stored ids', async ({ page }) => {
  await open(page);
  await page.getByLabel('Speed').fill('8');
  await page.getByRole('button', { name: 'Run script' }).click();
  // The script's last command is its deliberate rejection.
  await expect(status(page)).toContainText('RemoveItem on burst1-b was rejected: items can only be added or removed while the order is a draft');
  const before = await storedEvents(page);
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByLabel('Speed').fill('8');
  await page.getByRole('button', { name: 'Run script' }).click();
  await expect(status(page)).toContainText('RemoveItem on burst2-b was rejected: items can only be added or removed while the order is a draft');
  expect(await storedEvents(page)).toBe(before * 2);
  await page.getByRole('tab', { name: 'Command log' }).click();
  await expect(page.getByText(/already exists/)).toHaveCount(0);
});
