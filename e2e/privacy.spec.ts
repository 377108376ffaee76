// GDPR erasure on the workbench: a name and address sealed with the customer's own key,
// then "Forget customer" deletes the key (crypto-shredding) and every view reads [erased].
import { test, expect, type Page } from './fixtures';
import { readFileSync } from 'node:fs';

const shots = 'e2e/screenshots';
const NAME = 'Ana Ruiz';
const ADDRESS = '12 Calle Mayor, Madrid';

async function open(page: Page) {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
}

async function tab(page: Page, name: string) {
  await page.getByRole('tab', { name, exact: true }).click();
  return page.getByRole('tabpanel', { name });
}

async function exportedText(page: Page) {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export events' }).click();
  return readFileSync(await (await download).path(), 'utf8');
}

/** Every place the workbench shows the customer: read model, write model, event detail, time travel. */
async function views(page: Page) {
  const perCustomer = (await tab(page, 'Read models')).getByRole('group', { name: 'Orders per customer' });
  const readModel = await perCustomer.innerText();
  const writeModel = await (await tab(page, 'Streams')).innerText();
  const events = await tab(page, 'Event store');
  await events.getByRole('button', { name: 'JSON of event 1' }).click();
  const detail = page.locator('#event-detail');
  await expect(detail).toBeVisible();
  const stored = await detail.locator('pre.envelope').innerText();
  const opened = await detail.locator('.personal-line').innerText();
  const travel = await tab(page, 'Time travel');
  await travel.getByLabel('Time travel').fill('1');
  await expect(travel.locator('.past')).toContainText('After event 1');
  const past = await travel.locator('.past').innerText();
  return { readModel, writeModel, stored, opened, past };
}

test('Forget customer removes the name from every view, and the events stay', async ({ page }) => {
  await open(page);
  await page.getByLabel('Customer id').fill('cust-ana');
  await page.getByLabel('Customer name').fill(NAME);
  await page.getByLabel('Address').fill(ADDRESS);
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');

  // Readable while the key exists, everywhere it is shown; never stored in plaintext.
  await expect((await tab(page, 'Read models')).getByRole('group', { name: 'Orders per customer' }))
    .toContainText(NAME);
  let seen = await views(page);
  expect(seen.readModel).toContain(NAME);
  expect(seen.writeModel).toContain(`${NAME}, ${ADDRESS}`);
  expect(seen.opened).toContain(`${NAME}, ${ADDRESS}`);
  expect(seen.past).toContain(NAME);
  expect(seen.stored).toContain('"personal": "cust-ana:');
  expect(seen.stored).not.toContain(NAME);
  expect(await exportedText(page)).not.toContain(NAME);

  // The key vault lives apart from the events and survives a reload.
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect((await tab(page, 'Read models')).getByRole('group', { name: 'Orders per customer' }))
    .toContainText(NAME);

  // Forget (the customer in Customer id): asked first; cancelling keeps the key.
  await page.getByLabel('Customer id').fill('cust-ana');
  await page.getByRole('button', { name: 'Forget customer' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm forgetting the customer' });
  await expect(confirm).toContainText("Delete cust-ana's key for good?");
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByRole('group', { name: 'Orders per customer' })).toContainText(NAME);
  await page.getByRole('button', { name: 'Forget customer' }).click();
  await confirm.getByRole('button', { name: 'Delete the key' }).click();
  await expect(page.locator('.privacy-note')).toContainText('Forgot cust-ana: their key is deleted');

  seen = await views(page);
  for (const [where, text] of Object.entries(seen)) {
    expect(text, where).not.toContain(NAME);
    expect(text, where).not.toContain('Calle Mayor');
  }
  expect(seen.readModel).toContain('[erased]');
  expect(seen.writeModel).toContain("[erased]: cust-ana's key was deleted");
  expect(seen.opened).toContain("[erased]: cust-ana's key was deleted");
  expect(seen.past).toContain('[erased]');
  // The audit trail is intact: the event and its sealed data stay as they were.
  expect(seen.stored).toContain('"eventType": "OrderCreated"');
  expect(seen.stored).toContain('"personal": "cust-ana:');
  await tab(page, 'Event store');
  await expect(page.locator('table.events tbody .event-type')).toHaveText(['OrderCreated']);
  await page.locator('.forget').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/workbench-forgotten.png`, fullPage: true });

  // A reload and a rebuild cannot bring it back; no new personal data is taken.
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  const lane = (await tab(page, 'Read models')).getByRole('group', { name: 'Orders per customer' });
  await lane.getByRole('button', { name: 'Rebuild' }).click();
  await expect(lane).toContainText('[erased]');
  await expect(page.locator('body')).not.toContainText(NAME);
  await page.getByLabel('Order id').fill('order-2');
  await page.getByLabel('Customer id').fill('cust-ana');
  await page.getByLabel('Customer name').fill(NAME);
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.locator('.feedback')).toContainText('cust-ana was forgotten');
});

test('a second tab opens the name with the shared vault and erases it when the first tab forgets', async ({ context }) => {
  const a = await context.newPage();
  await open(a);
  await a.getByLabel('Customer id').fill('cust-ana');
  await a.getByLabel('Customer name').fill(NAME);
  await a.getByRole('button', { name: 'Create order' }).click();
  await expect(a.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');

  const b = await context.newPage();
  await open(b);
  const lane = (await tab(b, 'Read models')).getByRole('group', { name: 'Orders per customer' });
  await expect(lane).toContainText(NAME);

  await a.getByRole('button', { name: 'Forget customer' }).click();
  await a.getByRole('group', { name: 'Confirm forgetting the customer' })
    .getByRole('button', { name: 'Delete the key' }).click();
  // The other tab hears of it through the stored vault, without a reload.
  await expect(lane).toContainText('[erased]');
  await expect(lane).not.toContainText(NAME);
});

test('a customer name or address carrying markup is shown as text in every view, never run', async ({ page }) => {
  await open(page);
  const name = '<img src=x onerror="window.__pwned=1">';
  const address = '<script>window.__pwned=2</script> 1 Main St';
  await page.getByLabel('Customer id').fill('cust-eve');
  await page.getByLabel('Customer name').fill(name);
  await page.getByLabel('Address').fill(address);
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
  const seen = await views(page);
  expect(seen.readModel).toContain(name);
  expect(seen.writeModel).toContain(`${name}, ${address}`);
  expect(seen.opened).toContain(`${name}, ${address}`);
  expect(seen.past).toContain(name);
  // Nothing of it became an element, and nothing of it ran.
  // (The page has no images of its own, and no script inside the workbench.)
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
