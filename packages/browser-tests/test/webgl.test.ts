// WebGL, the browser default of TensorFlow.js, in Debian's Chromium (software GL: ANGLE on
// SwiftShader, enough to prove correctness): the core PyTorch parity cases (forward and
// gradients), the band operations, modules (batch norm in training and evaluation, training
// steps, compileForInference) and a layers model.fit, each on cpu and on webgl in one page,
// equal within the tolerance (cases.ts). One bundle, one browser, one page.
// Without Chromium this suite is skipped loudly; OCTCONV_REQUIRE_BROWSER=1 makes that a failure.
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
import { CASES } from './webgl/cases';
import type { CaseReport, WebGlPage } from './webgl/page';

warnIfNoChromium('@octconv/browser-tests, the WebGL suite');

describe('browser requirement', () => {
  it.runIf(REQUIRE_BROWSER)('has Chromium when OCTCONV_REQUIRE_BROWSER=1', () => {
    expect(HAS_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
  });
});

describe.runIf(HAS_CHROMIUM)('WebGL in Chromium against cpu', () => {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const { page: script } = await bundle({
      page: new URL('./webgl/page.ts', import.meta.url).pathname,
    });
    server = await serve({ files: { '/page.js': script } });
    browser = await launchChromium({ webgl: 'swiftshader' });
    ({ page, problems } = await openPage(browser, `${server.origin}/`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const call = <K extends keyof WebGlPage>(method: K, ...args: Parameters<WebGlPage[K]>) =>
    page.evaluate(
      ([m, a]) => {
        const api = (window as unknown as { octconvWebgl: WebGlPage }).octconvWebgl;
        return (api[m] as (...x: unknown[]) => unknown)(...a);
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<WebGlPage[K]>>>;

  it("starts with startBackend('webgl'), which says the renderer is software", async () => {
    const facts = await call('start');
    expect(facts).toMatchObject({
      name: 'webgl',
      available: true,
      adapter: { software: true, webglVersion: 2, float32: true },
    });
    expect(facts.adapter?.description).toMatch(/swiftshader/i);
    expect(await call('names')).toEqual(CASES.map((c) => c.name));
  });

  it.each(CASES.map((c) => c.name))('%s', async (name) => {
    const report: CaseReport = await call('run', name);
    console.log(
      `${name}: cpu ${report.ms.cpu.toFixed(0)} ms, webgl ${report.ms.webgl.toFixed(0)} ms; closest to the tolerance: ${report.worst.toFixed(2)}× (${report.worstAt || 'exact'})`,
    );
    expect([...report.problems, ...problems]).toEqual([]);
    // Closeness seen: an empty worstAt means webgl and cpu agreed exactly.
    expect(report.worst).toBeLessThanOrEqual(1);
  });
});
