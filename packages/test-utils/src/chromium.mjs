// Debian's Chromium through playwright-core, for every test and script that runs our code in a
// page: one esbuild bundle, one local server (cross-origin isolated, so wasm threads work), one
// browser, pages that collect their own errors. Plain JavaScript (types in chromium.d.mts), so
// that the benchmark scripts run it in Node without a build step.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Set by .ci/run: a missing Chromium fails instead of skipping. */
export const REQUIRE_BROWSER = process.env.OCTCONV_REQUIRE_BROWSER === '1';

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Prints the loud warning of a suite that skips because there is no Chromium; true if it does. */
export function warnIfNoChromium(what) {
  if (HAS_CHROMIUM) return false;
  console.warn(
    `\n!!! ${what}: SKIPPING: no Chromium at ${CHROMIUM} ` +
      '(apt-get install -y chromium, or set OCTCONV_CHROMIUM; .ci/run requires it) !!!\n',
  );
  return true;
}

/** Bundles `entries` (name → TypeScript or JavaScript file) for the browser, in memory. */
export async function bundle(entries, options = {}) {
  const result = await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: '/bundle',
    logLevel: 'silent',
    ...options,
  });
  const files = {};
  for (const file of result.outputFiles) files[`/${file.path.slice('/bundle/'.length)}`] = file;
  const out = {};
  for (const name of Object.keys(entries)) out[name] = files[`/${name}.js`].contents;
  return out;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
const typeOf = (path) => TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

/** A page that runs the module /page.js and nothing else. */
export const PAGE_HTML =
  '<!doctype html><html><head><meta charset="utf-8"><title>octconv</title></head>' +
  '<body><script type="module" src="/page.js"></script></body></html>';

/**
 * Serves on 127.0.0.1 (a free port): `files` (path → contents; `/` defaults to
 * {@link PAGE_HTML}) and, for each prefix of `folders` (such as `/wasm/`), the plain file names
 * of that folder. Every answer is cross-origin isolated, except under `/plain/`, which serves the
 * same paths without the isolation headers.
 */
export async function serve({ files = {}, folders = {} } = {}) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const isolated = !url.pathname.startsWith('/plain/');
    const path = url.pathname.replace(/^\/plain\//, '/');
    const headers = isolated ? { ...ISOLATION_HEADERS } : {};
    const answer = (body, type) => {
      response.writeHead(200, { ...headers, 'Content-Type': type });
      response.end(body);
    };
    if (path in files) return answer(files[path], typeOf(path === '/' ? '.html' : path));
    if (path === '/' || path === '/index.html') return answer(PAGE_HTML, TYPES['.html']);
    if (path === '/favicon.ico') {
      response.writeHead(204, headers);
      return response.end();
    }
    for (const [prefix, folder] of Object.entries(folders)) {
      const name = path.slice(prefix.length);
      if (path.startsWith(prefix) && /^[\w-][\w.-]*$/.test(name) && existsSync(join(folder, name)))
        return answer(readFileSync(join(folder, name)), typeOf(name));
    }
    response.writeHead(404, headers);
    response.end('not found');
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * Debian's Chromium, headless. `webgl: 'swiftshader'` renders WebGL in software (ANGLE on
 * SwiftShader: correct and slow, and there on a machine without a GPU); `webgpu` turns on
 * WebGPU (SwiftShader's Vulkan where there is no GPU).
 */
export function launchChromium({ webgl, webgpu = false } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
  if (webgl === 'swiftshader') args.push('--enable-unsafe-swiftshader', '--use-angle=swiftshader');
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/**
 * Opens `url` in a new page of `browser` and waits until it sets `document.body.dataset.ready`
 * to `'yes'`. `cores`: what `navigator.hardwareConcurrency` says on the page. Console errors and
 * page errors land in `problems`.
 */
export async function openPage(browser, url, { cores, timeout = 60_000 } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  if (cores !== undefined)
    await page.addInitScript((n) => {
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n });
    }, cores);
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, { timeout });
  return { page, problems };
}
