// Phones and tablets, as students study on them (Chromium at 390×844 and 820×1180, touch):
// no sideways scrolling, every button and input at least 44 px tall and its text at least
// 16 px (so iOS does not zoom on focus), the diagram's text at least 12 px, the scenario
// first (chosen with a select) and a tapped scenario's step card on screen.
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

/** The smallest text of the diagram as drawn, in CSS px (its font size times the scale
 * of the drawing). */
async function diagramText(page: Page): Promise<number> {
  return page.evaluate(() => {
    const svg = document.querySelector<SVGSVGElement>('.diagram svg.flow');
    if (!svg) return 0;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('.node text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    return Math.min(...sizes);
  });
}

/** What sticks out of its panel on the right, where the panel would cut it off
 * (boxes that scroll sideways on purpose, and what is inside them, excepted). */
async function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const panel of document.querySelectorAll('#app .panel')) {
      const edge = panel.getBoundingClientRect().right;
      for (const el of panel.querySelectorAll<HTMLElement>('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= edge + 1) continue;
        let scroller = el.parentElement;
        while (scroller && scroller !== panel && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
        if (scroller && scroller !== panel) continue;
        found.push(`${el.tagName.toLowerCase()}.${el.className} “${(el.textContent ?? '').trim().slice(0, 30)}”`);
      }
    }
    return [...new Set(found)];
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
      // No pointer to hover the Seed's title: its meaning is written under the field.
      await expect(page.locator('#sim-seed-hint')).toBeVisible();
      expect((await page.locator('#sim-seed-hint').boundingBox())!.width).toBeGreaterThan(200);
      // The diagram is laid out for the screen (tall on a phone), its text 12 px or more.
      await expect(page.locator('.diagram svg.flow')).toBeVisible();
      await expect(page.locator('.diagram svg.flow')).toHaveClass(size.name === 'phone' ? /tall/ : /compact/);
      expect(await diagramText(page)).toBeGreaterThanOrEqual(12);
      expect(await cutOff(page)).toEqual([]);
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
      // The view the step points at is on screen with the card, and nothing in it is cut off.
      await expect(page.locator('#panel-heading')).toBeInViewport();
      expect(await cutOff(page)).toEqual([]);
      await page.reload();
      await expect(page.locator('.step-card')).toContainText('Step 1 of');
      await expect(page.getByRole('heading', { level: 2, name: /^9\. Outbox/ })).toBeInViewport();
      await page.screenshot({ path: `${shots}/${size.name}-scenario.png`, fullPage: false });
    });

    test('the scenario page opens with the scenario, chosen from a select; the list comes after it', async ({ page }) => {
      await page.goto('./scenarios/');
      const picker = page.getByLabel('Scenario', { exact: true });
      await expect(picker).toBeInViewport();
      await expect(page.locator('.step-card')).toBeInViewport();
      await picker.selectOption({ label: '9. Outbox vs dual write: a crash between append and publish' });
      await expect(page.getByRole('heading', { level: 2, name: /^9\. Outbox/ })).toBeInViewport();
      await expect(page).toHaveURL(/#outbox\/step-0$/);
      await expect(picker).toHaveValue('8');
      // The list is still there, below the scenario.
      const list = await page.getByRole('heading', { name: 'Scenarios', exact: true }).boundingBox();
      const card = await page.locator('.step-card').boundingBox();
      expect(list!.y).toBeGreaterThan(card!.y);
      await expect(page.locator('.diagram svg.flow')).toBeVisible();
      expect(await diagramText(page)).toBeGreaterThanOrEqual(12);
      expect(await sideways(page)).toBeLessThanOrEqual(0);
    });
  });
}

test.describe('phone 390×844, the controls at hand', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("Play, Pause, Step and the clock stay at the bottom; a command's answer shows above them", async ({ page }) => {
    await page.goto('./');
    await expect(page.locator('.storage')).toContainText('survive a reload');
    const bar = page.locator('.sim-controls .play-bar');
    // Far down the page, the controls are still on screen, along its bottom edge.
    await page.getByRole('heading', { name: 'Export and import' }).scrollIntoViewIfNeeded();
    await expect(page.getByRole('button', { name: 'Step' })).toBeInViewport();
    await expect(page.locator('.sim-controls .clock')).toBeInViewport();
    const barBox = (await bar.boundingBox())!;
    expect(Math.round(barBox.y + barBox.height)).toBe(844);
    // No answer yet: nothing floats over the page.
    await expect(page.locator('.feedback')).toBeHidden();
    // A command sent from the form: its answer is on screen, above the controls.
    const create = page.getByRole('button', { name: 'Create order' });
    await create.scrollIntoViewIfNeeded();
    await create.tap();
    const answer = page.locator('.feedback');
    await expect(answer).toContainText('Accepted');
    await expect(answer).toBeInViewport({ ratio: 1 });
    const box = (await answer.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(barBox.y);
    await page.screenshot({ path: `${shots}/phone-answer.png`, fullPage: false });
    // It closes, and the event it reports stays.
    await page.getByRole('button', { name: 'Close this message' }).tap();
    await expect(answer).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Event store 1 event' })).toBeAttached();
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    // An accepted answer steps aside by itself after a few seconds; a refusal stays.
    await page.getByRole('button', { name: 'Add item' }).tap();
    await expect(answer).toContainText('Accepted');
    await expect(answer).toBeHidden({ timeout: 8000 });
    await create.tap();
    await expect(answer).toContainText('Rejected');
    await page.waitForTimeout(6500);
    await expect(answer).toBeVisible();
  });
});
