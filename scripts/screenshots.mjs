// Screenshots of both pages at the sizes people use them, into docs/screenshots/: a phone
// (390×844, touch), a tablet (820×1180, touch), a laptop (1366×768) and a projector in
// presenter mode (1280×720); plus each page's first view on the phone, as it shows
// before the wasm arrives. Run after a build: node scripts/screenshots.mjs
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveGzip } from './serve-gzip.mjs';

const root = new URL('..', import.meta.url).pathname;
const PORT = Number(process.env.SCREENSHOTS_PORT ?? 4179);
const out = join(root, 'docs/screenshots');
const server = await serveGzip(join(root, 'dist'), PORT);

const LAYOUTS = [
  { name: 'phone', viewport: { width: 390, height: 844 }, touch: true },
  { name: 'tablet', viewport: { width: 820, height: 1180 }, touch: true },
  { name: 'laptop', viewport: { width: 1366, height: 768 }, touch: false },
  { name: 'presenter', viewport: { width: 1280, height: 720 }, touch: false, presenter: true },
];
const PAGES = [
  { name: 'workbench', path: '/' },
  { name: 'scenarios', path: '/scenarios/#outbox/step-2' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
for (const layout of LAYOUTS) {
  for (const page of PAGES) {
    const context = await browser.newContext({
      viewport: layout.viewport, hasTouch: layout.touch, isMobile: layout.name === 'phone', serviceWorkers: 'block',
    });
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${PORT}${page.path}`);
    await tab.waitForSelector('#first-view', { state: 'detached' });
    if (layout.presenter) await tab.keyboard.press('p');
    // Let a step's motion finish before the picture.
    await tab.waitForTimeout(layout.presenter ? 5000 : 2500);
    await tab.screenshot({ path: join(out, `${page.name}-${layout.name}.png`) });
    await context.close();
  }
}
// The first views: the HTML alone, no wasm.
for (const page of PAGES) {
  const context = await browser.newContext({ viewport: LAYOUTS[0].viewport, hasTouch: true, isMobile: true });
  const tab = await context.newPage();
  await tab.route('**/*.wasm', (route) => route.abort());
  await tab.goto(`http://127.0.0.1:${PORT}${page.path.split('#')[0]}`);
  await tab.screenshot({ path: join(out, `${page.name}-first-view-phone.png`) });
  await context.close();
}
await browser.close();
server.close();
console.log(`screenshots: ${LAYOUTS.length * PAGES.length + PAGES.length} pictures in docs/screenshots/`);
