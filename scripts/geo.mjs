import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto('http://127.0.0.1:4190/scenarios/#outbox/step-2'); await page.waitForTimeout(3000);
console.log(await page.evaluate(() => {
  const r = (sel) => { const e = document.querySelector(sel); if (!e) return sel + ' none'; const b = e.getBoundingClientRect(); return `${sel}: y ${Math.round(b.top + scrollY)} h ${Math.round(b.height)}`; };
  return ['.panel.scenario', '.steps', '.scrub', '.step-card', '.compare-controls', '.flow-panel', '[aria-labelledby="panel-heading"]', '.quiz'].map(r).join('\n');
}));
await page.screenshot({ path: '/tmp/laptop-step.png' });
await browser.close();
