// A browser killed mid-run (SIGKILL: no unload, no goodbye) comes back with a recovery
// summary: what the store kept, what the durable queue and the outbox sent again, and
// the scripted commands that died with their simulated clients.
import { test, expect, chromium, withoutFirstView, type BrowserContext } from './fixtures';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const shots = 'e2e/screenshots';

test('a killed browser comes back saying what was kept and what died with the clients', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const profile = mkdtempSync(join(tmpdir(), 'cqrs-lab-killed-'));
  const launch = async () => {
    const launched = await chromium.launchPersistentContext(profile, { ...test.info().project.use.launchOptions, baseURL });
    await withoutFirstView(launched);
    return launched;
  };
  let context: BrowserContext = await launch();
  try {
    let page = context.pages()[0] ?? await context.newPage();
    await page.goto('./');
    await expect(page.locator('.storage')).toContainText('survive a reload');
    await page.getByRole('button', { name: 'Create order' }).click();
    await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
    // Paused, a script's commands wait with their simulated clients.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Run script' }).click();
    await expect.poll(() => page.evaluate(() => {
      const found = /tab \S+\nopen\n(\d+)/.exec(localStorage.getItem('cqrs-lab.open') ?? '');
      return found ? Number(found[1]) : 0;
    })).toBeGreaterThan(0);
    // Chromium writes localStorage to disk a few seconds after a change.
    await page.waitForTimeout(7_000);
    execFileSync('pkill', ['-KILL', '-f', profile]);
    await context.close().catch(() => undefined);

    context = await launch();
    page = context.pages()[0] ?? await context.newPage();
    await page.goto('./');
    await expect(page.locator('.storage')).toContainText('survive a reload');
    const recovery = page.locator('.recovery');
    await expect(recovery.first()).toContainText('The lab was not closed normally last time');
    await expect(recovery.first()).toContainText('Kept: 1 event in IndexedDB.');
    await expect(recovery.nth(1)).toContainText(/^Lost: \d+ scripted commands? the simulated clients still held/);
    await page.screenshot({ path: `${shots}/recovery-after-kill.png` });

    // A normal reload with nothing under way says nothing more.
    await page.reload();
    await expect(page.locator('.storage')).toContainText('survive a reload');
    await expect(page.locator('.recovery')).toHaveCount(0);
  } finally {
    await context.close().catch(() => undefined);
  }
});
