// Phones and tablets, as students study on them (Chromium at 390×844 and 820×1180, touch):
// no sideways scrolling, every button and input at least 44 px tall and its text at least
// 16 px (so iOS does not zoom on focus), and a tapped scenario's step card on screen.
import { test, expect, type Page } from './fixtures';

const shots = 'e2e/screenshots';
const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 820, height: 1180 },
];

/** Controls that are visible and too small to tap or to read without zooming. */
async function smallControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>('button, input, select, textarea, summary');
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      const type = el.getAttribute('type');
      const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${type ? '[' + type + ']' : ''} “${(el.textContent ?? '').trim().slice(0, 30)}”`;
      const tappable = type === 'checkbox' || type === 'radio' ? el.closest('label, .knob, .check') ?? el : el;
      const tapBox = tappable.getBoundingClientRect();
      if (tapBox.height < 44) found.push(`${name}: ${Math.round(tapBox.height)} px tall`);
      const text = ['input', 'select', 'textarea'].includes(el.tagName.toLowerCase()) && type !== 'checkbox' && type !== 'radio' && type !== 'range';
      if (text && parseFloat(style.fontSize) < 16) found.push(`${name}: text ${style.fontSize}`);
    }
    return found;
  });
}

async function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

for (const size of sizes) {
  test.describe(`${size.name} ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height }, hasTouch: true, isMobile: size.name === 'phone' });

    test('the workbench: nothing sideways, every control large enough to tap and read', async ({ page }) => {
      await page.goto('./');
      await expect(page.locator('.storage')).toContainText('survive a reload');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await smallControls(page)).toEqual([]);
      await page.screenshot({ path: `${shots}/${size.name}-workbench.png`, fullPage: false });
    });

    test('the scenario page: a tapped scenario shows its step card; nothing sideways, controls large enough', async ({ page }) => {
      await page.goto('./scenarios/');
      await expect(page.getByRole('heading', { name: 'Scenarios', exact: true })).toBeVisible();
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await smallControls(page)).toEqual([]);
      await page.getByRole('button', { name: /^9\. Outbox/ }).tap();
      await expect(page.getByRole('heading', { level: 2, name: /^9\. Outbox/ })).toBeInViewport();
      await page.getByRole('button', { name: 'Next step' }).tap();
      await expect(page.locator('.step-card')).toContainText('Step 1 of');
      await expect(page.locator('.step-card')).toBeInViewport();
      await page.reload();
      await expect(page.locator('.step-card')).toContainText('Step 1 of');
      await expect(page.getByRole('heading', { level: 2, name: /^9\. Outbox/ })).toBeInViewport();
      await page.screenshot({ path: `${shots}/${size.name}-scenario.png`, fullPage: false });
    });
  });
}
