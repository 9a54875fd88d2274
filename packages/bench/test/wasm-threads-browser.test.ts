// startBackend('wasm', { threads }) in a real browser (Debian's Chromium through playwright-core):
// a cross-origin-isolated page that asks for 2 threads runs 2 (tfjs's own getThreadsCount()),
// whether the machine reports 4 logical cores (Playwright's addInitScript: tfjs's halving alone
// gives 2) or its own; every default case computes on 2 threads what it computes on 1; a page
// that is not isolated runs one thread and the facts say why.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  bundle,
  CHROMIUM,
  HAS_CHROMIUM,
  launchChromium,
  openPage,
  REQUIRE_BROWSER,
  serve,
  warnIfNoChromium,
} from '@octconv/test-utils/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

warnIfNoChromium('@octconv/bench, the browser thread tests');

describe('browser requirement', () => {
  it.runIf(REQUIRE_BROWSER)('has Chromium when OCTCONV_REQUIRE_BROWSER=1', () => {
    expect(HAS_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
  });
});

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
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;

  beforeAll(async () => {
    const { page } = await bundle({
      page: join(import.meta.dirname, 'browser', 'threads-page.ts'),
    });
    const require = createRequire(import.meta.url);
    const wasmDir = join(
      dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
      'dist',
    );
    // /plain/ serves the same page without cross-origin isolation.
    server = await serve({ files: { '/page.js': page }, folders: { '/wasm/': wasmDir } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the page (with `cores` logical cores presented, if given), failing on page errors. */
  const open = (path: string, cores?: number): Promise<{ page: Page; problems: string[] }> =>
    openPage(browser!, `${server!.origin}${path}`, cores === undefined ? {} : { cores });

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
