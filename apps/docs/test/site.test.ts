// The built docs site in a real browser (Debian's Chromium through playwright-core), served with
// the production headers: every page loads cleanly, and each live tool computes what the
// packages compute in Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareOctaveConv } from '@octconv/analysis';
import { type BackendName, parseBenchmarkResult } from '@octconv/bench';
import { loadTorchCheckpoint, shapesAndTextures } from '@octconv/models';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, serve } from '../scripts/serve.mjs';
import type { OctaveChecksum } from '../src/checksum';
import { type PlaygroundParams, playgroundSpec } from '../src/playground';
import { accuracy, createNet, imagesTensor, TEST_SET } from '../src/training';
import {
  CHROMIUM,
  HAS_CHROMIUM,
  launchChromium,
  onToolPage,
  openPage,
  REQUIRE_BROWSER,
  REQUIRE_WEBGPU,
  screenshot,
  unservedAborts,
  waitForState,
} from './chromium';
import { expectChecksum, playgroundChecksum as nodeChecksum } from './reference';

// The downloaded checkpoint is also loaded by PyTorch (Debian's python3-torch) into the seed's
// MiniOctNet, with the script @octconv/models tests its checkpoints with.
const PYTHON = '/usr/bin/python3';
const CHECK_CHECKPOINT = fileURLToPath(
  new URL('../../../packages/models/fixtures/check_checkpoint.py', import.meta.url),
);
const HAS_TORCH = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
const REQUIRE_TORCH = process.env.OCTCONV_REQUIRE_TORCH === '1';

if (!HAS_CHROMIUM) {
  console.warn(
    `\n!!! @octconv/docs: SKIPPING the browser tests: no Chromium at ${CHROMIUM} ` +
      '(apt-get install -y chromium, or set OCTCONV_CHROMIUM; .ci/run requires it) !!!\n',
  );
}

describe('browser requirement', () => {
  it.runIf(REQUIRE_BROWSER)('has Chromium when OCTCONV_REQUIRE_BROWSER=1', () => {
    expect(HAS_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
  });
});

/**
 * Every page of the site, but of the generated API reference only the indexes and the first
 * page of each kind (class, interface, function, …) of each package: all of them would take
 * minutes, and they are all rendered by the same template (VitePress's build already fails on a
 * dead link).
 */
function sitePages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    const apiKind = /[/\\]api[/\\]@octconv[/\\][^/\\]+[/\\][^/\\]+$/.test(dir);
    let sampled = false;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.html') && entry.name !== '404.html' && !sampled) {
        pages.push(path);
        sampled = apiKind;
      }
    }
  };
  walk(DIST);
  return pages.map((path) => `/${relative(DIST, path).replace(/(index)?\.html$/, '')}`).sort();
}

describe.runIf(HAS_CHROMIUM)('the docs site in Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  let webgpu = false;

  beforeAll(async () => {
    expect(existsSync(join(DIST, 'index.html')), `no built site at ${DIST}: pnpm build`).toBe(true);
    await tf.setBackend('cpu');
    server = await serve(DIST);
    browser = await launchChromium();
    const { page } = await openPage(browser);
    await page.goto(`${server.url}/`);
    webgpu = await page.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return (await gpu?.requestAdapter()) != null;
    });
    await page.close();
    if (!webgpu) {
      const message = 'Chromium offers no WebGPU adapter (--enable-unsafe-webgpu, SwiftShader)';
      if (REQUIRE_WEBGPU) throw new Error(`${message}; OCTCONV_REQUIRE_WEBGPU=1`);
      console.warn(`\n!!! @octconv/docs: skipping the WebGPU checks: ${message} !!!\n`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const backends = (): BackendName[] => (webgpu ? ['wasm', 'webgpu'] : ['wasm']);

  it('loads every page without a console error, page error or failed request', async () => {
    const pages = sitePages();
    expect(pages).toEqual(
      expect.arrayContaining([
        '/',
        '/guide/',
        '/guide/four-paths',
        '/guide/semantics',
        '/guide/quick-start',
        '/guide/backends',
        '/guide/pretrained',
        '/guide/design',
        '/guide/notebook',
        '/tr/',
        '/tr/guide/',
        '/tr/guide/four-paths',
        '/tr/guide/notebook',
        '/tr/guide/quick-start',
        '/api/',
        '/playground',
        '/calculator',
        '/benchmark',
        '/training',
        '/pretrained',
      ]),
    );
    const { page, problems, aborted } = await openPage(browser);
    const report: string[] = [];
    for (const path of pages) {
      problems.length = 0;
      aborted.length = 0;
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      await page.waitForSelector('#VPContent');
      if (await page.$('.oct-tool')) await waitForState(page, ['idle', 'done'], 60_000);
      // Screenshots of every page but the API reference's symbol pages (one template).
      if (!/^\/api\/@octconv\/[^/]+\/[^/]+\//.test(path))
        await screenshot(page, `page${path.replace(/\/$/, '/index').replaceAll('/', '-')}`);
      report.push(...problems.map((problem) => `${path}: ${problem}`));
      report.push(...(await unservedAborts(aborted)).map((problem) => `${path}: ${problem}`));
    }
    await page.close();
    expect(report).toEqual([]);
    // About seventy pages, each loaded, waited on and photographed: more than the default limit.
  }, 600_000);

  it('runs the playground layer on wasm and webgpu exactly as @octconv/core does in Node', async () => {
    const params: PlaygroundParams = {
      alphaIn: 0.25,
      alphaOut: 0.5,
      outChannels: 8,
      kernel: 3,
      stride: 'pool',
      size: 64,
      seed: 3,
    };
    const expected = await nodeChecksum(params);
    const macs = compareOctaveConv(playgroundSpec(params)).octave.convMacs;
    for (const backend of backends()) {
      await onToolPage(
        browser,
        `${server.url}/playground`,
        ['done'],
        `playground-${backend}`,
        async (page) => {
          for (const name of [
            'alphaIn',
            'alphaOut',
            'outChannels',
            'kernel',
            'stride',
            'size',
          ] as const)
            await page.selectOption(`select[name=${name}]`, String(params[name]));
          await page.fill('input[name=seed]', String(params.seed));
          await page.selectOption('select[name=backend]', backend);
          const checksum = await page.waitForFunction(
            ({ params: wanted, backend: name }) => {
              const root = document.querySelector<HTMLElement>('.oct-playground');
              if (root?.dataset.state !== 'done' || root.dataset.backend !== name) return null;
              const shown = JSON.parse(root.dataset.params ?? '{}');
              const same = Object.entries(wanted).every(([key, value]) => shown[key] === value);
              return same ? root.dataset.checksum : null;
            },
            { params, backend },
            { timeout: 90_000, polling: 100 },
          );
          const actual = JSON.parse((await checksum.jsonValue()) as string) as OctaveChecksum;
          for (const band of ['high', 'low'] as const)
            expectChecksum(`${backend} ${band}`, actual[band], expected[band], backend);
          const global = await page.evaluate(
            () =>
              (window as unknown as { octconvPlayground: { checksum: OctaveChecksum } })
                .octconvPlayground,
          );
          expect(global.checksum).toEqual(actual);
          expect(await page.textContent('[data-testid=macs-octave]')).toBe(
            macs.toLocaleString('en-US'),
          );
          expect(await page.textContent('[data-testid=shape-out-low]')).toBe(
            `[${expected.low!.shape.join(', ')}]`,
          );
        },
      );
    }
  });

  it('runs a depthwise (MobileNet) layer in the playground as @octconv/core does in Node', async () => {
    const params: PlaygroundParams = {
      layer: 'depthwise',
      alphaIn: 0.5,
      alphaOut: 0.5,
      outChannels: 16,
      kernel: 3,
      stride: 'pool',
      size: 64,
      seed: 5,
    };
    const expected = await nodeChecksum(params);
    await onToolPage(
      browser,
      `${server.url}/playground`,
      ['done'],
      'playground-depthwise',
      async (page) => {
        for (const name of ['layer', 'alphaIn', 'kernel', 'stride', 'size'] as const)
          await page.selectOption(`select[name=${name}]`, String(params[name]));
        await page.fill('input[name=seed]', String(params.seed));
        await page.selectOption('select[name=backend]', 'wasm');
        const checksum = await page.waitForFunction(
          (wanted) => {
            const root = document.querySelector<HTMLElement>('.oct-playground');
            if (root?.dataset.state !== 'done' || root.dataset.backend !== 'wasm') return null;
            const shown = JSON.parse(root.dataset.params ?? '{}');
            const same = Object.entries(wanted).every(([key, value]) => shown[key] === value);
            return same ? root.dataset.checksum : null;
          },
          params,
          { timeout: 90_000, polling: 100 },
        );
        const actual = JSON.parse((await checksum.jsonValue()) as string) as OctaveChecksum;
        for (const band of ['high', 'low'] as const)
          expectChecksum(`depthwise ${band}`, actual[band], expected[band], 'wasm');
        // Three channels in, split 1 high / 2 low at α .5; depthwise keeps them, at half size (pool).
        expect(await page.textContent('[data-testid=shape-out-high]')).toBe('[1, 32, 32, 1]');
        expect(await page.textContent('[data-testid=shape-out-low]')).toBe('[1, 16, 16, 2]');
      },
    );
  });

  it("shows the paper's Oct-ResNet-50 numbers in the calculator", async () => {
    await onToolPage(browser, `${server.url}/calculator`, ['done'], 'calculator', async (page) => {
      const gmacs = { 0: '4.089', 0.125: '3.565', 0.25: '3.104', 0.5: '2.367', 0.75: '1.880' };
      for (const [alpha, value] of Object.entries(gmacs)) {
        expect(await page.textContent(`[data-testid="resnet50-a${alpha}-gmacs"]`)).toBe(value);
        expect((await page.textContent(`[data-testid="resnet50-a${alpha}-params"]`))?.trim()).toBe(
          '25,557,032',
        );
      }
      // Table 1 of the paper: a 3×3 layer at α = .5 costs 44% of the multiply-adds (43.75%).
      expect(await page.textContent('[data-testid=layer-macs-ratio]')).toBe('43.8%');
      await page.fill('input[name=alphaIn]', '0.25');
      await page.fill('input[name=alphaOut]', '0.25');
      await expect.poll(() => page.textContent('[data-testid=layer-macs-ratio]')).toBe('67.2%');
    });
  });

  it('shows the official Oct-MobileNets in the calculator', async () => {
    await onToolPage(
      browser,
      `${server.url}/calculator`,
      ['done'],
      'calculator-mobilenet',
      async (page) => {
        // 1.0 MobileNet v1 at α .5: 4.2 M parameters, 318 M multiply-adds (published: 321 M).
        expect(await page.textContent('[data-testid="mobilenet-v1-1-a0.5-gmacs"]')).toBe('0.318');
        expect(await page.textContent('[data-testid="mobilenet-v1-1-a0-gmacs"]')).toBe('0.569');
        expect(
          (await page.textContent('[data-testid="mobilenet-v2-1.125-a0.5-params"]'))?.trim(),
        ).toBe('4,243,006');
      },
    );
  });

  it('completes a tiny benchmark on wasm and webgpu and offers the JSON', async () => {
    await onToolPage(
      browser,
      `${server.url}/benchmark`,
      ['idle'],
      'benchmark-done',
      async (page) => {
        await page.fill('input[name=filter]', 'layer-c256-s14-a0.5');
        await page.fill('input[name=warmup]', '1');
        await page.fill('input[name=runs]', '2');
        // Two wasm threads, asked for in the page, are what runs (tfjs alone would run half the
        // logical cores: one on a 2-core machine).
        await page.fill('input[name=threads]', '2');
        const cores = await page.evaluate(() => navigator.hardwareConcurrency);
        for (const name of ['cpu', 'wasm', 'webgpu'] as const)
          await page.setChecked(`input[name=backend-${name}]`, backends().includes(name));
        await page.click('.oct-benchmark button[type=submit]');
        expect(await waitForState(page, ['done', 'error'], 150_000)).toBe('done');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.click('[data-testid=download-json]'),
        ]);
        expect(download.suggestedFilename()).toMatch(/^octconv-bench-.*\.json$/);
        const result = parseBenchmarkResult(
          JSON.parse(readFileSync(await download.path(), 'utf8')),
          'the downloaded JSON',
        );
        expect(result.failures).toEqual([]);
        expect(result.settings).toMatchObject({ warmup: 1, runs: 2 });
        expect(result.results.map((r) => `${r.caseId} ${r.backend}`)).toEqual(
          backends().map((b) => `layer-c256-s14-a0.5 ${b}`),
        );
        for (const r of result.results) {
          expect(r.leakedTensors).toBe(0);
          expect(r.octave.timing.runs).toBe(2);
          // The compiled layer's fused steps ran as @octconv/core's own kernels: WebAssembly SIMD
          // on the threaded build's shared heap, WGSL programs on webgpu (not the tfjs-ops
          // fallback).
          expect(r.octave.kernelNames, r.backend).toEqual(
            expect.arrayContaining(['OctconvPoolConcat', 'OctconvFusedUpsampleAdd']),
          );
        }
        // Served cross-origin isolated, the wasm backend has SIMD and runs the threads asked for.
        expect(result.backends.find((b) => b.name === 'wasm')).toMatchObject({
          available: true,
          simd: true,
          threads: true,
          threadCount: Math.min(2, cores),
          threadsRequested: 2,
        });
        expect(await page.locator('.oct-results tbody tr').count()).toBe(backends().length);
        // The CLI's self-contained HTML report of the same result.
        const [report] = await Promise.all([
          page.waitForEvent('download'),
          page.click('[data-testid=download-html]'),
        ]);
        const html = readFileSync(await report.path(), 'utf8');
        expect(html).toContain('<h1>octconv-bench</h1>');
        expect(html).toContain(result.startedAt);
      },
    );
  });

  it('trains MiniOctNet in the page and downloads a checkpoint that loads with its accuracy', async () => {
    const steps = 60;
    await onToolPage(browser, `${server.url}/training`, ['idle'], 'training-done', async (page) => {
      await page.fill('input[name=steps]', String(steps));
      await page.selectOption('select[name=backend]', 'wasm');
      await page.click('.oct-training button[type=submit]');
      expect(await waitForState(page, ['done', 'error'], 150_000)).toBe('done');
      const data = await page.$eval('.oct-training', (root) => ({
        ...(root as HTMLElement).dataset,
      }));
      expect(Number(data.step)).toBe(steps);
      const initial = Number(data.initialAccuracy);
      const final = Number(data.accuracy);
      // Four classes: the untrained network is at chance; 60 Adam steps must clearly beat it.
      expect(final - initial).toBeGreaterThanOrEqual(0.08);
      expect(final).toBeGreaterThan(0.33);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid=download-checkpoint]'),
      ]);
      expect(download.suggestedFilename()).toBe('mini-oct-net-a0.5.safetensors');
      const bytes = new Uint8Array(readFileSync(await download.path()));
      const test = shapesAndTextures(TEST_SET);
      // Strict load into a differently initialised network, then the page's accuracy in Node.
      const net = createNet({ alpha: 0.5, seed: 12345 });
      loadTorchCheckpoint(net, bytes);
      const images = imagesTensor(test);
      const loaded = await accuracy(net, images, test.labels);
      net.dispose();
      expect(Math.abs(loaded - final)).toBeLessThanOrEqual(3 / TEST_SET.count);
      if (HAS_TORCH) {
        const inPyTorch = await torchAccuracy(bytes, images, test.labels);
        expect(Math.abs(inPyTorch - final)).toBeLessThanOrEqual(3 / TEST_SET.count);
      } else {
        expect(REQUIRE_TORCH, `OCTCONV_REQUIRE_TORCH=1 but ${PYTHON} cannot import torch`).toBe(
          false,
        );
        console.warn(
          '\n!!! @octconv/docs: no PyTorch; the checkpoint was only loaded in Node !!!\n',
        );
      }
      images.dispose();
    });
  });
});

/** Accuracy of the checkpoint loaded by PyTorch into the seed's MiniOctNet (eval mode). */
async function torchAccuracy(
  checkpoint: Uint8Array,
  images: tf.Tensor4D,
  labels: ArrayLike<number>,
): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), 'octconv-docs-'));
  try {
    const nchw = tf.transpose(images, [0, 3, 1, 2]);
    const input = { shape: nchw.shape, data: Array.from(await nchw.data()) };
    nchw.dispose();
    writeFileSync(join(directory, 'model.safetensors'), checkpoint);
    writeFileSync(join(directory, 'x.json'), JSON.stringify(input));
    const run = spawnSync(
      PYTHON,
      [
        CHECK_CHECKPOINT,
        'mini',
        '--checkpoint',
        join(directory, 'model.safetensors'),
        '--input',
        join(directory, 'x.json'),
        '--alpha',
        '0.5',
        '--num-classes',
        '4',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(run.status, run.stderr).toBe(0);
    const { logits } = JSON.parse(run.stdout) as { logits: { shape: number[]; data: number[] } };
    const classes = logits.shape[1]!;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      const row = logits.data.slice(i * classes, (i + 1) * classes);
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    return correct / labels.length;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
