// The browser side of save/load, in Debian's Chromium (playwright-core): a LayersModel of octave
// layers round-trips through indexeddb:// with identical predictions, the two files it saves
// through downloads:// (octmodel.json, octmodel.weights.bin) load in Node with
// tf.loadLayersModel(fileHandler('…/octmodel.json')) and give the same predictions, and the
// tf.sequential of octaveBlock2D fits, saves and reloads in the page (test/shared).
// Without Chromium this suite is skipped loudly; OCTCONV_REQUIRE_BROWSER=1 makes that a failure.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileHandler } from '@octconv/models/node';
import { setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index';
import { problemsOf, type SequentialRoundTrip } from './shared/sequential-round-trip';

const CHROMIUM = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const REQUIRE_BROWSER = process.env.OCTCONV_REQUIRE_BROWSER === '1';

if (!HAS_CHROMIUM) {
  console.warn(
    `\n!!! @octconv/layers: SKIPPING the browser save/load tests: no Chromium at ${CHROMIUM} ` +
      '(apt-get install -y chromium, or set OCTCONV_CHROMIUM; .ci/run requires it) !!!\n',
  );
}

describe('browser requirement', () => {
  it.runIf(REQUIRE_BROWSER)('has Chromium when OCTCONV_REQUIRE_BROWSER=1', () => {
    expect(HAS_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
  });
});

describe.runIf(HAS_CHROMIUM)('@octconv/layers in Chromium [cpu]', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    await setupBackend('cpu');
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.contents;
    const html =
      '<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>';
    server = createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      } else if (request.url === '/favicon.ico') {
        response.writeHead(204).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('round-trips through indexeddb://, and its downloads:// files load in Node with the same predictions', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const directory = await mkdtemp(join(tmpdir(), 'octconv-downloads-'));
    try {
      const files = new Map<string, string>();
      page.on('download', async (download) => {
        const path = join(directory, download.suggestedFilename());
        await download.saveAs(path);
        files.set(download.suggestedFilename(), path);
      });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="yes"]', { state: 'attached', timeout: 60_000 });
      const result = await page.evaluate(async () =>
        (
          window as unknown as {
            octconvRun: () => Promise<{
              before: number[];
              after: number[];
              classes: string[];
              sequential: SequentialRoundTrip;
            }>;
          }
        ).octconvRun(),
      );
      expect(result.before).toHaveLength(6);
      expect(result.after).toEqual(result.before);
      expect(result.classes).toContain('OctaveConv2D');
      expect(result.classes).toContain('OctaveMerge');
      expect(result.sequential.backend).toBe('cpu');
      expect(problemsOf(result.sequential)).toEqual([]);

      // tfjs's downloads:// saves model.json and the weights as two downloads.
      await expect.poll(() => files.size, { timeout: 30_000 }).toBe(2);
      const jsonPath = files.get('octmodel.json');
      expect(jsonPath, [...files.keys()].join(', ')).toBeDefined();
      expect(files.has('octmodel.weights.bin'), [...files.keys()].join(', ')).toBe(true);
      // The manifest names the weights as the browser wrote them: ./octmodel.weights.bin.
      const manifest = JSON.parse(await readFile(jsonPath!, 'utf8')).weightsManifest;
      expect(manifest[0].paths).toEqual(['./octmodel.weights.bin']);
      const loaded = await tfl.loadLayersModel(fileHandler(jsonPath!));
      const x = tf.tensor4d(
        Float32Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i * 0.37)),
        [2, 7, 7, 3],
      );
      const inNode = Array.from(await (loaded.predict(x) as tf.Tensor).data());
      // Same cpu kernels in both: equal up to float32 rounding of the inputs' sines.
      for (let i = 0; i < inNode.length; i++) {
        expect(Math.abs(inNode[i]! - result.before[i]!)).toBeLessThanOrEqual(
          1e-5 * (1 + Math.abs(result.before[i]!)),
        );
      }
      tf.dispose(x);
      loaded.dispose();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
