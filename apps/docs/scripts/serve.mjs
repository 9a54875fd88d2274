// Serves the built site (.vitepress/dist) with the production headers: cross-origin isolation,
// so the wasm backend gets threads. `pnpm preview` runs it; the browser tests import `serve`.

import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CROSS_ORIGIN_ISOLATION } from './headers.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const DIST = fileURLToPath(new URL('../.vitepress/dist', import.meta.url));

async function isFile(path) {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** The file a clean URL maps to, as VitePress's own server resolves it, or null. */
async function resolveFile(root, pathname) {
  const path = normalize(join(root, decodeURIComponent(pathname)));
  if (!path.startsWith(root)) return null;
  for (const candidate of [path, `${path}.html`, join(path, 'index.html')])
    if (await isFile(candidate)) return candidate;
  return null;
}

/**
 * Starts a static server for `root` on `port` (0: any free port) at 127.0.0.1.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serve(root = DIST, port = 0) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const file = await resolveFile(base, pathname);
    const headers = { ...CROSS_ORIGIN_ISOLATION, 'Cache-Control': 'no-cache' };
    if (!file) {
      const notFound = join(base, '404.html');
      response.writeHead(404, { ...headers, 'Content-Type': TYPES['.html'] });
      response.end((await isFile(notFound)) ? await readFile(notFound) : 'not found');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    });
    response.end(await readFile(file));
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.OCTCONV_DOCS_PORT ?? 4173);
  const { url } = await serve(DIST, port);
  console.log(`@octconv docs (built site, cross-origin isolated) at ${url}/`);
}
