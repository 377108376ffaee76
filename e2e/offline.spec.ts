// The lab as a static site: it works offline once loaded, picks up a new build cleanly,
// runs from a sub-path, is installable, keeps to its Content-Security-Policy, and never
// leaves a dead page.
import { test, expect, chromium, withoutFirstView, type Page, type BrowserContext } from './fixtures';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const shots = 'e2e/screenshots';

/** Serves `dir` on `port` with Python's static server until `stop` is called. */
async function serve(dir: string, port: number) {
  const server: ChildProcess = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).status < 500) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return () => server.kill();
}

/** A copy of dist/ under `sub` (a sub-path) in a fresh folder. */
function copyOfDist(sub = '') {
  const root = mkdtempSync(join(tmpdir(), 'cqrs-lab-site-'));
  cpSync('dist', join(root, sub), { recursive: true });
  return { root, site: join(root, sub) };
}

/** Opens the lab and waits until the service worker controls the page. */
async function openControlled(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await expect(page.locator('.storage')).toContainText('survive a reload');
  }
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
}

async function createOrder(page: Page) {
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('CreateOrder on order-1 was accepted');
}

/** Collects Content-Security-Policy violations from the moment the page loads. */
async function watchCsp(context: BrowserContext) {
  await context.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

test('offline after the first visit: the lab loads, its events are there, commands work', async ({ page, context }) => {
  await openControlled(page, './');
  await createOrder(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await page.screenshot({ path: `${shots}/offline.png` });
  // The scenario page too, with its library of scenarios.
  await page.getByRole('link', { name: 'Scenarios and study' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^1\. Happy path/ })).toBeVisible();
  await page.getByRole('button', { name: 'Step 2', exact: true }).click();
  await expect(page.locator('.step-card')).toContainText('The event is stored');
  await context.setOffline(false);
});

test('a new build is picked up on reload, and the old cache goes with the old build', async ({ page, context }) => {
  const { site } = copyOfDist();
  const stop = await serve(site, 4176);
  try {
    await openControlled(page, 'http://127.0.0.1:4176/');
    const before = await page.evaluate(() => caches.keys());
    expect(before).toHaveLength(1);
    // The next build: a changed stylesheet (inlined in the page), then the same
    // post-build step as `trunk build` (new policy for the new style, new precache list).
    const html = readFileSync(join(site, 'index.html'), 'utf8').replace('</style>', 'body{--build:next}</style>');
    expect(html).toContain('--build:next');
    writeFileSync(join(site, 'index.html'), html);
    execFileSync('node', ['scripts/postbuild.mjs', site]);
    // A deploy's files are newer than what was served. Python's server answers
    // If-Modified-Since to the second, so files rewritten within the second of the first
    // visit would be answered "not modified" and the old page kept (a flaky failure).
    const later = new Date(Date.now() + 5_000);
    for (const f of readdirSync(site)) utimesSync(join(site, f), later, later);

    await page.reload();
    await expect(page.locator('.storage')).toContainText('survive a reload');
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--build').trim())).toBe('next');
    // The new worker takes over and deletes the old build's cache.
    await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: 15_000 })
      .toEqual([expect.not.stringMatching(before[0])]);
    // Offline, the new build is what loads.
    await context.setOffline(true);
    await page.reload();
    await expect(page.locator('.storage')).toContainText('survive a reload');
    expect(await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--build').trim())).toBe('next');
    await context.setOffline(false);
  } finally {
    stop();
  }
});

test('served from a sub-path (/cqrs-lab/) it loads, works and goes offline', async ({ page, context }) => {
  const { root } = copyOfDist('cqrs-lab');
  const stop = await serve(root, 4177);
  try {
    await openControlled(page, 'http://127.0.0.1:4177/cqrs-lab/');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe('http://127.0.0.1:4177/cqrs-lab/');
    await createOrder(page);
    await context.setOffline(true);
    await page.reload();
    await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(1);
    await page.goto('http://127.0.0.1:4177/cqrs-lab/scenarios/');
    await expect(page.getByRole('heading', { level: 2, name: /^1\. Happy path/ })).toBeVisible();
    await context.setOffline(false);
  } finally {
    stop();
  }
});

test('installable: a manifest with a name, a start URL, standalone display and PNG icons', async ({ page, request }) => {
  await openControlled(page, './');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  const manifestUrl = new URL(href as string, page.url()).toString();
  const response = await request.get(manifestUrl);
  expect(response.ok()).toBe(true);
  const manifest = await response.json();
  expect(manifest).toMatchObject({ name: 'CQRS Lab', short_name: 'CQRS Lab', start_url: './', scope: './', display: 'standalone' });
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i: { sizes: string; type: string }) => i.sizes === size && i.type === 'image/png');
    expect(icon, size).toBeTruthy();
    const image = await request.get(new URL(icon.src, manifestUrl).toString());
    expect(image.headers()['content-type']).toBe('image/png');
  }
  expect(manifest.icons.some((i: { purpose: string }) => i.purpose === 'maskable')).toBe(true);
  await expect(page.locator('meta[name=theme-color]')).toHaveAttribute('content', '#1f3a5f');
});

test('Chromium itself finds nothing that stops it installing the lab', async ({ baseURL }) => {
  // Chromium's own verdict on the manifest, its icons and the service worker: the checks
  // Lighthouse's PWA category ran before Lighthouse 12 retired it. A test's usual
  // context is off the record, which alone forbids installing, so this one runs in a
  // profile on disk.
  const profile = mkdtempSync(join(tmpdir(), 'cqrs-lab-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...test.info().project.use.launchOptions, baseURL });
  await withoutFirstView(context);
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await openControlled(page, './');
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('the Content-Security-Policy holds: nothing inline but the loader, no violation in use', async ({ page, context }) => {
  await watchCsp(context);
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).toContain("style-src 'self'");
  // Markup typed into a free-text field and into an id field stays text.
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await page.getByLabel('Customer id').fill(payload);
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('status')).toContainText('Nothing was sent');
  await expect(page.getByLabel('Customer id')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Customer id').fill('cust-1');
  await createOrder(page);
  await page.getByLabel('Product name').fill(payload);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  await page.getByRole('button', { name: 'Run script' }).click();
  for (const name of ['Streams', 'Read models', 'Lag', 'Timeline', 'Command log', 'Time travel', 'Azure', 'Event store']) {
    await page.getByRole('tab', { name, exact: true }).click();
  }
  await page.getByRole('button', { name: 'JSON of event 2' }).click();
  await expect(page.locator('pre.envelope')).toContainText('onerror');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src=x]').count()).toBe(0);
  expect(await violations(page)).toEqual([]);
});

test('the scenario page keeps to the policy too, and a link carrying markup stays text', async ({ page, context }) => {
  await watchCsp(context);
  await page.goto('./scenarios/');
  await expect(page.getByRole('heading', { name: 'Scenarios', exact: true })).toBeVisible();
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(policy).not.toContain('unsafe-inline');
  for (const step of ['Step 1', 'Step 2', 'Step 5']) {
    await page.getByRole('button', { name: step, exact: true }).click();
  }
  await page.getByRole('button', { name: 'Copy link' }).click();
  // A lab whose order id is markup: refused by name, shown as text.
  const payload = '<img src=x onerror="window.__pwned=1">';
  const lab = { v: 1, scenario: 'happy-path', step: 1, lab: { script: [{ at: 0, order: payload, command: { commandType: 'SubmitOrder' } }] } };
  const data = Buffer.from(JSON.stringify(lab)).toString('base64url');
  await page.goto(`./scenarios/#lab=${data}`);
  await expect(page.getByRole('alert')).toContainText('script[0].order');
  await expect(page.getByRole('alert')).toContainText('The first scenario is open instead');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src=x]').count()).toBe(0);
  expect(await violations(page)).toEqual([]);
});

test('an internal error shows a panel that exports the events and reloads, with the store intact', async ({ page }) => {
  await page.goto('./');
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await createOrder(page);
  await page.getByRole('button', { name: 'Add item' }).click();
  await expect(page.getByRole('status')).toContainText('AddItem on order-1 was accepted');
  // What the panic hook calls (the panel must work with the WebAssembly stopped).
  await page.evaluate(() => (window as unknown as { cqrsRescue: { show(m: string): void } }).cqrsRescue.show('panicked at src/example.rs:1:1: simulated'));
  const panel = page.locator('.panic-panel');
  await expect(panel).toHaveAttribute('role', 'alert');
  await expect(panel).toContainText('Your events are safe in this browser');
  await page.screenshot({ path: `${shots}/internal-error.png` });
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export my events' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('cqrs-lab-events.json');
  const json = JSON.parse(readFileSync(await file.path(), 'utf8'));
  expect(json.format).toBe('cqrs-lab.events');
  expect(json.events.map((e: { eventType: string }) => e.eventType)).toEqual(['OrderCreated', 'ItemAdded']);
  await expect(panel).toContainText('Exported 2 events to cqrs-lab-events.json.');
  await panel.getByRole('button', { name: 'Reload' }).click();
  await expect(page.locator('.storage')).toContainText('survive a reload');
  await expect(page.locator('.panic-panel')).toHaveCount(0);
  await expect(page.locator('table.events tbody tr[aria-rowindex]')).toHaveCount(2);
});
