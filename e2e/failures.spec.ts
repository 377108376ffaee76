// Storage failures are shown, not fatal.
import { test, expect } from '@playwright/test';

const shots = 'e2e/screenshots';

test('without IndexedDB the lab runs in memory and says so', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('Events are kept in memory only and will be lost on reload');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await expect(page.locator('table.events tbody tr')).toHaveCount(2);
  await page.screenshot({ path: `${shots}/memory-only.png` });
  expect(errors).toEqual([]);
});
