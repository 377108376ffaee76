// Lighthouse audits of the built site (dist/) in Debian's Chromium, served gzipped as GitHub
// Pages and Azure Static Web Apps serve it (scripts/serve-gzip.mjs). Both pages, twice each:
//
// - desktop (the lab is a workbench for laptops and projectors): performance,
//   accessibility and best practices must each score at least 95;
// - mobile (Lighthouse's phone: slow 4G, 4× slower CPU), where students study: the largest
//   paint within 1.2 s, no layout shift above 0.1, and the blocking time within the bar
//   below.
//
// The blocking time's bar catches a page that blocks for long (a render that is not split
// into tasks, work moved back into the first render); it is not the 100 ms the lab aims
// for. With the CPU slowed 4× in the browser, every hiccup of the host is slowed 4× too:
// on a shared virtual machine one build measured 140–700 ms from run to run, while the
// host's CPU benchmark (Lighthouse's benchmarkIndex) swung between 1,000 and 2,300. Each
// run prints that benchmark and the performance score, so the figures can be read
// against the host.
//
// The mobile audit applies the throttling in the browser (--throttling-method=devtools).
// Lighthouse's default instead loads the page at full speed and simulates a phone from
// that trace; on a local server the wasm then arrives before the first paint, so the
// simulation charges the largest paint to the wasm even though, throttled, the page's
// HTML paints it first.
//
// Timing is noisy on a shared machine: each audit gets up to three runs and the best
// counts; every run is printed. Exits non-zero when an audit stays below a bar.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = Number(process.env.LIGHTHOUSE_PORT ?? 4175);
const root = new URL('..', import.meta.url).pathname;
const PAGES = ['', 'scenarios/'];
const AUDITS = [
  {
    name: 'desktop',
    flags: ['--preset=desktop'],
    categories: ['performance', 'accessibility', 'best-practices'],
    bars: { performance: 0.95, accessibility: 0.95, 'best-practices': 0.95 },
    metrics: {},
  },
  {
    name: 'mobile',
    flags: ['--form-factor=mobile', '--throttling-method=devtools'],
    categories: ['performance'],
    bars: {},
    // Upper bounds, in the audit's units (ms, or none for the layout shift).
    metrics: { 'largest-contentful-paint': 1200, 'cumulative-layout-shift': 0.1, 'total-blocking-time': 600 },
  },
];

const server = spawn('node', [join(root, 'scripts/serve-gzip.mjs'), join(root, 'dist'), String(PORT)], { stdio: 'inherit' });
const stop = () => server.kill();
process.on('exit', stop);

async function waitForServer() {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no server on port ${PORT}`);
}

/** One Lighthouse run: the scores and the bounded metrics' values. */
function run(url, audit, n) {
  const out = join(mkdtempSync(join(tmpdir(), 'lighthouse-')), 'report.json');
  const result = spawnSync(join(root, 'node_modules/.bin/lighthouse'), [
    url,
    ...audit.flags,
    `--only-categories=${audit.categories.join(',')}`,
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
    '--output=json', `--output-path=${out}`, '--quiet',
  ], { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`lighthouse ${audit.name} run ${n} of ${url} failed (exit ${result.status})`);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const scores = Object.fromEntries(audit.categories.map((c) => [c, report.categories[c].score]));
  const values = Object.fromEntries(Object.keys(audit.metrics).map((m) => [m, report.audits[m].numericValue]));
  const shown = (id) => report.audits[id]?.displayValue ?? '?';
  console.log(`${audit.name} ${url} run ${n} (CPU benchmark ${Math.round(report.environment.benchmarkIndex)}): ${audit.categories.map((c) => `${c} ${Math.round(scores[c] * 100)}`).join(', ')}`
    + ` | FCP ${shown('first-contentful-paint')}, LCP ${shown('largest-contentful-paint')}, TBT ${shown('total-blocking-time')}, CLS ${shown('cumulative-layout-shift')}`);
  for (const c of audit.categories) {
    for (const ref of report.categories[c].auditRefs) {
      const a = report.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`  ${c}: ${ref.id} ${a.score} ${a.displayValue ?? ''}`);
    }
  }
  return { scores, values };
}

/** The failures of a run against the audit's bars (none: it passes). */
const failures = (audit, { scores, values }) => [
  ...Object.entries(audit.bars).filter(([c, bar]) => scores[c] < bar).map(([c, bar]) => `${c} ${Math.round(scores[c] * 100)} < ${bar * 100}`),
  ...Object.entries(audit.metrics).filter(([m, most]) => values[m] > most).map(([m, most]) => `${m} ${Math.round(values[m] * 1000) / 1000} > ${most}`),
];

await waitForServer();
const failed = [];
for (const audit of AUDITS) {
  for (const page of PAGES) {
    const url = `http://127.0.0.1:${PORT}/${page}`;
    let last = [];
    for (let n = 1; n <= 3; n += 1) {
      last = failures(audit, run(url, audit, n));
      if (last.length === 0) break;
    }
    if (last.length > 0) failed.push(`${audit.name} ${url}: ${last.join(', ')}`);
  }
}
stop();
if (failed.length > 0) {
  console.log(`lighthouse: below the bar in every run:\n  ${failed.join('\n  ')}`);
  process.exit(1);
}
console.log('lighthouse: every audit within its bars');
