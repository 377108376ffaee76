// "Find a failure": the counterexample hunter on the workbench, by role and name.
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

const hunter = (page: Page) => page.getByRole('region', { name: 'Counterexample hunter' });

async function naiveUnderDuplicates(page: Page) {
  await page.getByLabel('Duplicate rate').fill('30');
  await page.getByRole('tab', { name: 'Read models', exact: true }).click();
  for (const name of ['Order summary', 'Orders per customer', 'Revenue per day']) {
    await page.getByRole('group', { name }).getByRole('checkbox', { name: 'Idempotent' }).uncheck();
  }
}

test('Find a failure shrinks a naive projection under duplicates to a minimal case and loads it', async ({ page }) => {
  const errors = await open(page);
  // Something of the user's, which the hunt itself never touches.
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('heading', { name: 'Event store 1 event' })).toBeVisible();
  await naiveUnderDuplicates(page);
  await hunter(page).getByRole('button', { name: 'Find a failure' }).click();
  const load = hunter(page).getByRole('button', { name: 'Load the failing case' });
  await expect(load).toBeVisible({ timeout: 20_000 });
  await expect(hunter(page)).toContainText('Invariant broken:');
  await expect(hunter(page)).toContainText(/shrunk from \d+ commands to [1-5] in \d+ runs/);
  const commands = hunter(page).getByRole('list', { name: "The failing case's commands" }).getByRole('listitem');
  const n = await commands.count();
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThanOrEqual(5);
  const stored = async (count: string) => {
    await page.getByRole('tab', { name: 'Event store', exact: true }).click();
    await expect(page.getByRole('heading', { name: `Event store ${count}` })).toBeVisible();
  };
  await stored('1 event');
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  expect((await new AxeBuilder({ page }).include('.hunter').analyze()).violations.map((v) => v.id)).toEqual([]);
  await hunter(page).screenshot({ path: `${shots}/hunter-found.png` });

  // Loading asks first; keeping the events changes nothing.
  await load.click();
  await hunter(page).getByRole('button', { name: 'Keep my events' }).click();
  await stored('1 event');
  await load.click();
  await hunter(page).getByRole('button', { name: 'Delete and load' }).click();
  await expect(hunter(page)).toContainText(/Loaded the failing case: seed \d+, [1-5] command\(s\), paused/);
  await stored('0 events');
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await page.getByRole('tab', { name: 'Read models', exact: true }).click();
  // Stepped through, the workbench's own engine and IndexedDB store break the same way.
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByText(/\d+ wrong rows?: the read model no longer matches/).first()).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: `${shots}/hunter-loaded.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('a sound configuration passes, and a running hunt can be cancelled', async ({ page }) => {
  const errors = await open(page);
  await hunter(page).getByRole('button', { name: 'Find a failure' }).click();
  await expect(hunter(page).getByRole('progressbar', { name: 'Seeds tried' })).toBeVisible();
  await hunter(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(hunter(page)).toContainText(/Cancelled after \d+ of 500 seeds: no failure so far\./);
  await hunter(page).getByRole('button', { name: 'Find a failure' }).click();
  await expect(hunter(page)).toContainText('No failure in 500 seeds', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
