// Opening a long stored log: the page says it is opening the store, then shows the
// newest events and how many there are while the read models are restored; it never
// calls a full store empty.
import { test, expect } from './fixtures';
import { exportFile, longLog } from './support';

test('a long log never looks empty while the page opens it', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.getByLabel('Import events').setInputFiles(exportFile('long.json', longLog(20_000)));
  await expect(page.locator('.data-status')).toContainText('Imported 20000 events', { timeout: 60_000 });

  // Every text the empty-table line shows from the first paint on.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { emptySeen: string[] }).emptySeen = seen;
    new MutationObserver(() => {
      for (const line of document.querySelectorAll('p.empty')) {
        const text = line.textContent ?? '';
        if (!seen.includes(text)) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.reload();
  await expect(page.getByText('20000 events stored')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('table.events tbody tr[aria-rowindex="20001"]')).toBeVisible();
  const seen = await page.evaluate(() => (window as unknown as { emptySeen: string[] }).emptySeen);
  expect(seen.join(' | ')).not.toContain('No events yet');
});
