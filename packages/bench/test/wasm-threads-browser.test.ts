// startBackend('wasm', { threads }) in a real browser (Debian's Chromium through playwright-core):
// a cross-origin-isolated page that asks for 2 threads runs 2 (tfjs's own getThreadsCount()),
// whether the machine reports 4 logical cores (Playwright's addInitScript: tfjs's halving alone
// gives 2) or its own; every default case computes on 2 threads what it computes on 1; a page
// that is not isolated runs one thread and the facts say why.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Set by .ci/run: a missing Chromium fails instead of skipping. */
const REQUIRE_BROWSER = process.env.OCTCONV_REQUIRE_BROWSER === '1';

if (!HAS_CHROMIUM)
  console.warn(
    `\n!!! @octconv/bench: SKIPPING the browser thread tests: no Chromium at ${CHROMIUM} ` +
      '(apt-get install -y chromium, or set OCTCONV_CHROMIUM; .ci/run requires it) !!!\n',
  );

describe('browser requirement', () => {
  it.runIf(REQUIRE_BROWSER)('has Chromium when OCTCONV_REQUIRE_BROWSER=1', () => {
    expect(HAS_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
  });
});

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

interface Started {
  facts: Record<string, unknown>;
  tfjsThreads: number | null;
  hardwareConcurrency: number;
  isolated: boolean;
}

type PageApi = {
  start(threads?: number): Promise<Started>;
  compare(threads: number): Promise<{
    facts: Record<string, unknown>;
    cases: number;
    leaked: number;
    problems: string[];
  }>;
};

describe.skipIf(!HAS_CHROMIUM)('wasm threads in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    const bundled = await build({
      entryPoints: [join(import.meta.dirname, 'browser', 'threads-page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundled.outputFiles[0]!.contents;
    const require = createRequire(import.meta.url);
    const wasmDir = join(
      dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
      'dist',
    );
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><title>threads</title></head>' +
      '<body><script type="module" src="/page.js"></script></body></html>';
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      // /plain/ serves the same page without cross-origin isolation.
      const isolated = !url.pathname.startsWith('/plain/');
      const path = url.pathname.replace(/^\/plain/, '');
      const headers: Record<string, string> = isolated ? { ...ISOLATION } : {};
      if (path === '/' || path === '/index.html') {
        response.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
        response.end(html);
      } else if (path === '/page.js') {
        response.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' });
        response.end(script);
      } else if (/^\/wasm\/[\w-]+\.wasm$/.test(path)) {
        response.writeHead(200, { ...headers, 'Content-Type': 'application/wasm' });
        response.end(readFileSync(join(wasmDir, path.slice('/wasm/'.length))));
      } else if (path === '/favicon.ico') {
        response.writeHead(204, headers);
        response.end();
      } else {
        response.writeHead(404, headers);
        response.end('not found');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  /** Opens the page (with `cores` logical cores presented, if given), failing on page errors. */
  async function open(path: string, cores?: number): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    if (cores !== undefined)
      await page.addInitScript((n) => {
        Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n });
      }, cores);
    await page.goto(`${origin}${path}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'yes');
    return { page, problems };
  }

  const call = <K extends keyof PageApi>(page: Page, method: K, arg?: number) =>
    page.evaluate(
      ([m, a]) => {
        const api = (window as unknown as { octconvThreads: PageApi }).octconvThreads;
        return (api[m as keyof PageApi] as (x?: number) => Promise<unknown>)(a);
      },
      [method, arg] as const,
    ) as ReturnType<PageApi[K]>;

  it('runs 2 threads when asked on a page that reports 4 logical cores, and computes what 1 thread does', async () => {
    const { page, problems } = await open('/', 4);
    const started = await call(page, 'start', 2);
    expect(started).toMatchObject({ isolated: true, hardwareConcurrency: 4, tfjsThreads: 2 });
    expect(started.facts).toMatchObject({
      name: 'wasm',
      available: true,
      simd: true,
      threads: true,
      threadCount: 2,
      threadsRequested: 2,
    });
    expect(started.facts.threadsCapped).toBeUndefined();
    const compared = await call(page, 'compare', 2);
    expect(compared.facts).toMatchObject({ threadCount: 2 });
    expect(compared.cases).toBeGreaterThanOrEqual(17);
    expect(compared.leaked).toBe(0);
    expect(compared.problems).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reports tfjs's own count when not asked, and lifts tfjs's halving when asked, on the machine's own cores", async () => {
    const { page, problems } = await open('/');
    const plain = await call(page, 'start');
    const cores = plain.hardwareConcurrency;
    const halved = Math.min(8, Math.max(1, Math.floor(cores / 2)));
    expect(plain.facts).toMatchObject({ threads: true, threadCount: halved });
    expect(plain.tfjsThreads).toBe(halved);
    expect(plain.facts.threadsRequested).toBeUndefined();
    const two = await call(page, 'start', 2);
    expect(two.facts).toMatchObject({ threadCount: Math.min(2, cores), threadsRequested: 2 });
    expect(two.tfjsThreads).toBe(Math.min(2, cores));
    // The presented cores were put back.
    expect(await page.evaluate(() => navigator.hardwareConcurrency)).toBe(cores);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs one thread on a page that is not cross-origin isolated, and says why', async () => {
    const { page, problems } = await open('/plain/', 4);
    const started = await call(page, 'start', 2);
    expect(started.isolated).toBe(false);
    expect(started.facts).toMatchObject({
      available: true,
      threads: false,
      threadCount: 1,
      threadsRequested: 2,
    });
    expect(started.facts.threadsCapped).toMatch(/not cross-origin isolated/);
    expect(problems).toEqual([]);
    await page.close();
  });
});
