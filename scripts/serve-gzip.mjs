// Serves a built site the way GitHub Pages and Azure Static Web Apps do: every text and
// wasm file gzip-encoded when the browser accepts it. A precompressed sibling (file.gz,
// written by scripts/postbuild.mjs) is sent as it is; any other compressible file is
// compressed on the fly. Brotli is never sent, so what is measured is the gzip a plain
// host serves.
//
//   node scripts/serve-gzip.mjs <folder> <port>
// or, from another script: `const server = await serveGzip(folder, port)` … `server.close()`.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.wasm', '.svg']);

/** The file under `root` a URL path names (a folder's index.html), or null outside it. */
function fileOf(root, urlPath) {
  let path = normalize(join(root, decodeURIComponent(urlPath)));
  if (!path.startsWith(root) && path + sep !== root) return null;
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
  return existsSync(path) && statSync(path).isFile() ? path : null;
}

/** Answers one request for a file under `root`. */
function answer(root, request, response) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = fileOf(root, url.pathname);
  if (!path) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const headers = { 'content-type': type, 'cache-control': 'no-cache' };
  let body = readFileSync(path);
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  if (gzip && COMPRESSIBLE.has(extname(path))) {
    body = existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`) : gzipSync(body, { level: 9 });
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
  }
  headers['content-length'] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Serves `folder` on 127.0.0.1:`port`; resolves once it listens. */
export function serveGzip(folder, port) {
  const root = normalize(folder) + sep;
  const server = createServer((request, response) => answer(root, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [folder = 'dist', port = '4176'] = process.argv.slice(2);
  await serveGzip(folder, port);
}
