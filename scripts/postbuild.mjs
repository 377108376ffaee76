// Finishes a built site: runs after every Trunk build on the staged folder (Trunk.toml
// [[hooks]], TRUNK_STAGING_DIR), or on the folder given as the first argument.
//
// 0. Scripts: the wasm-bindgen glue and rescue.js are minified (esbuild; Trunk's own JS
//    minifier cannot parse the glue), and each page's integrity attribute for the glue
//    is written again for the new bytes.
// 1. Content-Security-Policy: Trunk writes its loader as an inline module script and
//    the stylesheet as an inline <style>, so the policy allows exactly those by their
//    SHA-256 and nothing else inline. It
//    goes into each page (a <meta>: index.html, the workbench, and scenarios/index.html,
//    the scenario page) and into staticwebapp.config.json (a header, with the
//    directives a <meta> cannot carry).
// 2. Service worker (sw.js): precaches every file of the build under a cache named by a
//    hash of their contents, so a new build installs a new cache whole and the old one
//    is deleted when it takes over: never new JS with an old wasm.
// 3. Azure Static Web Apps: staticwebapp.config.json (headers, fallback, MIME types).
// 4. Precompressed copies (.gz, .br) beside each text and wasm file.
import { createHash } from 'node:crypto';
import { transformSync } from 'esbuild';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('postbuild: give the built folder as argument (or run from a Trunk hook)');
  process.exit(2);
}

const sha256 = (data, encoding) => createHash('sha256').update(data).digest(encoding);

// --- 1. Content-Security-Policy -------------------------------------------------------
const files = [];
const walk = (folder) => {
  for (const name of readdirSync(folder).sort()) {
    // Dot files, and the compressed copies this script writes (step 4).
    if (name.startsWith('.') || /\.(gz|br)$/.test(name)) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(relative(dir, path).split(sep).join('/'));
  }
};
walk(dir);
const pages = files.filter((f) => f.endsWith('.html'));

// --- 0. Scripts -----------------------------------------------------------------------
const integrity = (data) => `sha384-${createHash('sha384').update(data).digest('base64')}`;
for (const script of files.filter((f) => f.endsWith('.js') && basename(f) !== 'sw.js')) {
  const path = join(dir, script);
  const before = readFileSync(path);
  const after = Buffer.from(transformSync(before.toString('utf8'), { loader: 'js', minify: true }).code);
  if (after.length >= before.length) continue; // minified already (a second run)
  writeFileSync(path, after);
  for (const page of pages) {
    const html = readFileSync(join(dir, page), 'utf8');
    if (html.includes(integrity(before))) {
      writeFileSync(join(dir, page), html.replaceAll(integrity(before), integrity(after)));
    }
  }
}
// Every integrity attribute must be some file's: a missed rewrite fails the build here,
// not the page in a browser.
const digests = new Set(files.map((f) => integrity(readFileSync(join(dir, f)))));
for (const page of pages) {
  const html = readFileSync(join(dir, page), 'utf8');
  for (const [, value] of html.matchAll(/integrity="?(sha384-[A-Za-z0-9+/=]+)/g)) {
    if (!digests.has(value)) {
      console.error(`postbuild: ${page} names ${value}, which no file of the build has`);
      process.exit(1);
    }
  }
}
const policy = ({ scripts, styles }) => [
  "default-src 'self'",
  // wasm-unsafe-eval: compiling the WebAssembly module; nothing else is evaluated.
  `script-src 'self' 'wasm-unsafe-eval' ${scripts.join(' ')}`.trim(),
  // The stylesheet is inlined in each page (one round trip less before the first
  // view shows): exactly that <style>, by its hash; never a style attribute.
  `style-src 'self' ${styles.join(' ')}`.trim(),
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];
/** The SHA-256 sources of what a page has inline in `tag` (script, style) elements. */
const inlineHashes = (html, tag) =>
  [...html.matchAll(new RegExp(`<${tag}(?![^>]*\\ssrc=)[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))]
    .map((m) => m[1])
    .filter((code) => code.trim() !== '')
    .map((code) => `'sha256-${sha256(code, 'base64')}'`);
const all = { scripts: [], styles: [] };
for (const page of pages) {
  const path = join(dir, page);
  let html = readFileSync(path, 'utf8').replace(
    /\s*<meta http-equiv="Content-Security-Policy"[^>]*>/,
    '',
  );
  const hashes = { scripts: inlineHashes(html, 'script'), styles: inlineHashes(html, 'style') };
  for (const kind of ['scripts', 'styles']) {
    all[kind].push(...hashes[kind].filter((h) => !all[kind].includes(h)));
  }
  html = html.replace(
    // Trunk's minified page writes it as <meta charset=utf-8>.
    /(<meta charset="?utf-8"?\s*\/?>)/i,
    `$1\n    <meta http-equiv="Content-Security-Policy" content="${policy(hashes).join('; ')}" />`,
  );
  if (!html.includes('http-equiv="Content-Security-Policy"')) {
    console.error(`postbuild: ${page} has no <meta charset="utf-8"> to put the policy after`);
    process.exit(1);
  }
  writeFileSync(path, html);
}
const allHashes = [...all.scripts, ...all.styles];
const directives = policy(all);

// Trunk runs this after building the scenario page on its own (into dist/scenarios/):
// the service worker and the headers are written for the whole site afterwards, by
// scripts/site.sh running this on dist/.
if (basename(process.env.TRUNK_HTML_FILE ?? '') === 'guide.html' && !process.argv[2]) {
  console.log(`postbuild: CSP for the scenario page (${allHashes.length} inline script and style hash(es))`);
  process.exit(0);
}

// --- 2. Service worker ----------------------------------------------------------------
const precached = files.filter(
  (f) => f !== 'sw.js' && f !== 'staticwebapp.config.json' && !f.startsWith('.'),
);
// Each page is also asked for by its folder's URL (./, scenarios/).
const folders = precached
  .filter((f) => f.endsWith('/index.html'))
  .map((f) => f.slice(0, -'index.html'.length));
const version = sha256(
  precached.map((f) => `${f}\n${sha256(readFileSync(join(dir, f)), 'hex')}`).join('\n'),
  'hex',
).slice(0, 16);

const worker = `// Generated by scripts/postbuild.mjs for one build: do not edit.
// Precaches this build's files under one cache; pages are fetched from the network
// first (a new build is picked up on the next load) and from the cache when offline.
const CACHE = 'cqrs-lab-${version}';
const FILES = ${JSON.stringify(['./', ...folders, ...precached], null, 2)};

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith('cqrs-lab-') && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) =>
        cache.match(request, { ignoreSearch: true })
          .then((hit) => hit || cache.match('./'))
          .then((hit) => hit || Response.error()))),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request))),
  );
});
`;
writeFileSync(join(dir, 'sw.js'), worker);

// --- 3. Azure Static Web Apps ---------------------------------------------------------
const config = {
  navigationFallback: { rewrite: '/index.html', exclude: ['/*.{wasm,js,css,png,svg,webmanifest}'] },
  mimeTypes: { '.wasm': 'application/wasm', '.webmanifest': 'application/manifest+json' },
  globalHeaders: {
    'Content-Security-Policy': [...directives, "frame-ancestors 'none'"].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  },
  routes: [{ route: '/sw.js', headers: { 'Cache-Control': 'no-cache' } }],
};
writeFileSync(join(dir, 'staticwebapp.config.json'), `${JSON.stringify(config, null, 2)}\n`);

// --- 4. Precompressed copies -----------------------------------------------------------
// Beside each text or wasm file, its gzip (.gz) and Brotli (.br) forms, at the highest
// levels, for hosts that serve a precompressed file when the browser accepts it. Only
// on the whole site (the folder given as argument), after everything above is written.
let compressed = 0;
if (process.argv[2]) {
  const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.wasm', '.svg', '.webmanifest']);
  for (const file of [...precached, 'sw.js'].filter((f) => COMPRESSIBLE.has(extname(f)))) {
    const data = readFileSync(join(dir, file));
    writeFileSync(join(dir, `${file}.gz`), gzipSync(data, { level: 9 }));
    writeFileSync(join(dir, `${file}.br`), brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }));
    compressed += 1;
  }
}

console.log(`postbuild: CSP for ${pages.length} page(s) with ${allHashes.length} inline script and style hash(es); sw.js precaches ${precached.length} files (cache ${version}); ${compressed} files precompressed`);
