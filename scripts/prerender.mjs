// Puts each page's first view into its HTML, so a visitor sees the page before the wasm
// has arrived (scripts/site.sh runs this after Trunk's builds, before postbuild.mjs).
//
// Each built page is opened in Debian's Chromium, fresh (no stored events, no study
// progress). The app calls `window.cqrsFirstView` (src/web/first_view.rs) when its first
// view is drawn (the workbench as it opens the store, so the copy claims nothing about
// what a visitor's browser holds; the scenario page with its scenarios loaded): that
// moment's markup is copied, with each form control's state
// written into its attributes, its HTML ids left out and its drawings' ids prefixed (the
// live app, mounted beside the copy, keeps the real ids). The copy goes into the page as <div id="first-view" inert>;
// the stylesheet hides the app's root while it is there, and the app removes it when it
// is ready. The markup has one source: the app's own components.
//
//   node scripts/prerender.mjs <built folder>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveGzip } from './serve-gzip.mjs';

const dir = process.argv[2] ?? 'dist';
const PORT = Number(process.env.PRERENDER_PORT ?? 4178);
const PAGES = [
  { file: 'index.html', path: '/' },
  { file: 'scenarios/index.html', path: '/scenarios/' },
];
const FIRST_VIEW = /<div id="first-view"[^>]*>[\s\S]*?<!--\/first-view--><\/div>/;

// A page already holding a first view would hand it to its app instead of asking for a
// new one: start from the pages as Trunk wrote them.
for (const { file } of PAGES) {
  const path = join(dir, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(FIRST_VIEW, ''));
}

const server = await serveGzip(dir, PORT);

/** Runs in the page when its first view is drawn: the app's root as HTML, ready to be a copy. */
function capture() {
  const live = document.querySelector('#app > .page');
  const copy = live.cloneNode(true);
  // Form controls keep their state in properties, which HTML does not carry.
  const lives = live.querySelectorAll('input, select, textarea');
  copy.querySelectorAll('input, select, textarea').forEach((control, i) => {
    const source = lives[i];
    if (control instanceof HTMLInputElement) {
      if (control.type === 'checkbox' || control.type === 'radio') {
        control.toggleAttribute('checked', source.checked);
      } else if (control.type !== 'file') {
        control.setAttribute('value', source.value);
      }
    } else if (control instanceof HTMLSelectElement) {
      [...control.options].forEach((o, k) => o.toggleAttribute('selected', k === source.selectedIndex));
    } else {
      control.textContent = source.value;
    }
  });
  const ids = new Set([...copy.querySelectorAll('[id]')].map((e) => e.id));
  const renamed = (id) => (ids.has(id) ? `fv-${id}` : id);
  const REFERENCES = ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns',
    'aria-activedescendant', 'aria-errormessage', 'headers', 'list', 'form'];
  // The copy is inert, so assistive technology never reads it: what only names or
  // describes (and no style rule reads) is left out; the app's own markup has it all.
  // Nor what only ties a label to its field or helps typing into it (the copy takes no
  // input), nor an HTML element's id: nothing refers to one in the copy once those are
  // gone. An SVG element keeps its id: a drawing's url(#…) references need it.
  const UNREAD = ['title', 'aria-label', 'aria-labelledby', 'aria-describedby', 'aria-live',
    'aria-controls', 'aria-haspopup', 'aria-keyshortcuts', 'aria-valuetext', 'autofocus',
    'for', 'autocomplete', 'inputmode', 'enterkeyhint'];
  const SVG = 'http://www.w3.org/2000/svg';
  // A button's type and an option's value change nothing shown.
  copy.querySelectorAll('button').forEach((e) => e.removeAttribute('type'));
  copy.querySelectorAll('option').forEach((e) => e.removeAttribute('value'));
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    if (element.id && element.namespaceURI !== SVG) element.removeAttribute('id');
    if (element.id) element.id = renamed(element.id);
    for (const name of UNREAD) element.removeAttribute(name);
    for (const attribute of [...element.attributes]) {
      let value = attribute.value;
      if (REFERENCES.includes(attribute.name)) {
        value = value.split(/\s+/).map(renamed).join(' ');
      }
      value = value.replace(/url\(#([^)]+)\)/g, (_, id) => `url(#${renamed(id)})`);
      if (attribute.name === 'href' && value.startsWith('#')) value = `#${renamed(value.slice(1))}`;
      if (value !== attribute.value) element.setAttribute(attribute.name, value);
    }
  }
  window.firstViewMarkup = copy.outerHTML;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
for (const { file, path } of PAGES) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(`window.cqrsFirstView = ${capture.toString()};`);
  await page.goto(`http://127.0.0.1:${PORT}${path}`);
  await page.waitForFunction(() => typeof window.firstViewMarkup === 'string', null, { timeout: 60_000 });
  const markup = await page.evaluate(() => window.firstViewMarkup);
  await context.close();
  if (errors.length > 0) throw new Error(`prerender: ${file} failed: ${errors.join('; ')}`);
  if (/\sstyle=/.test(markup)) throw new Error(`prerender: ${file} has a style attribute, which the CSP blocks`);
  const target = join(dir, file);
  const html = readFileSync(target, 'utf8');
  if (!/<body>/.test(html)) throw new Error(`prerender: ${file} has no <body> to put the first view in`);
  // The browser paints nothing until the whole copy is parsed (rel=expect): a copy
  // painted half-parsed (its side column before its main one, which the stylesheet puts
  // first on a phone) moved under the reader's eyes as the rest arrived.
  const expect = '<link rel="expect" href="#first-view-end" blocking="render">';
  const head = html.includes(expect) ? html : html.replace('</head>', `${expect}</head>`);
  writeFileSync(target, head.replace('<body>',
    `<body><div id="first-view" inert>${markup}<span id="first-view-end"></span><!--/first-view--></div>`));
  console.log(`prerender: ${file}: first view of ${markup.length} characters`);
}
await browser.close();
server.close();
