// The pretrained page in Chromium: a d-li14 Oct-ResNet checkpoint chosen as a file loads in the
// page, runs on the playground photo on wasm and WebGPU, and gives the logits and top-5 classes
// that the same file gives in Node.
//
// The file is @octconv/models' committed Oct-ResNet-26 fixture (10 classes, written by PyTorch:
// fixtures/make_d_li14_fixtures.py), as safetensors and as the legacy-format training checkpoint
// `.pth` that d-li14's own Oct-ResNet-50 is. The `.pth` case needs the `.pth` reader of issue 14.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { BackendName } from '@octconv/bench';
import { compareArrays } from '@octconv/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, serve } from '../scripts/serve.mjs';
import { loadNetwork, photoTensor, topClasses } from '../src/pretrained';
import { HAS_CHROMIUM, launchChromium, onToolPage, openPage, REQUIRE_WEBGPU } from './chromium';

const FIXTURES = fileURLToPath(new URL('../../../packages/models/fixtures/', import.meta.url));
const fixture = (name: string) => new Uint8Array(gunzipSync(readFileSync(`${FIXTURES}${name}.gz`)));
// Files over 50 MB cannot be handed to the page from memory; every fixture goes through a path.
const DIRECTORY = mkdtempSync(join(tmpdir(), 'octconv-pretrained-'));
function fixturePath(name: string): string {
  const path = join(DIRECTORY, name);
  writeFileSync(path, fixture(name));
  return path;
}

const NETWORK = { depth: 26, numClasses: 10 } as const;
const PHOTO = { size: 224, seed: 1 } as const;
/** The page's compiled network against the module on tfjs's cpu backend in Node. */
const TOLERANCE: Record<'wasm' | 'webgpu', { atol: number; rtol: number }> = {
  wasm: { atol: 2e-3, rtol: 1e-3 },
  webgpu: { atol: 1e-2, rtol: 5e-3 },
};

describe.runIf(HAS_CHROMIUM)('the pretrained page in Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  let webgpu = false;
  let expected: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    // The same weights as the .pth fixtures, read through the safetensors path.
    const net = loadNetwork(fixture('d-li14-resnet26.safetensors'), NETWORK);
    const x = photoTensor(PHOTO);
    const y = net.apply(x);
    expected = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    net.dispose();
    server = await serve(DIST);
    browser = await launchChromium();
    const { page } = await openPage(browser);
    await page.goto(`${server.url}/`);
    webgpu = await page.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return (await gpu?.requestAdapter()) != null;
    });
    await page.close();
    if (!webgpu && REQUIRE_WEBGPU) throw new Error('Chromium offers no WebGPU adapter');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(DIRECTORY, { recursive: true, force: true });
  });

  const backends = (): ('wasm' | 'webgpu')[] => (webgpu ? ['wasm', 'webgpu'] : ['wasm']);

  async function runFile(name: string, file: string): Promise<void> {
    const path = fixturePath(file);
    for (const backend of backends()) {
      await onToolPage(
        browser,
        `${server.url}/pretrained`,
        ['idle'],
        `pretrained-${name}-${backend}`,
        async (page) => {
          await page.selectOption('select[name=depth]', String(NETWORK.depth));
          await page.fill('input[name=numClasses]', String(NETWORK.numClasses));
          await page.selectOption('select[name=backend]', backend);
          await page.setInputFiles('input[name=checkpoint]', path);
          const handle = await page.waitForFunction(
            (wanted: { backend: BackendName; depth: number; numClasses: number }) => {
              const root = document.querySelector<HTMLElement>('.oct-pretrained');
              if (root?.dataset.state === 'error')
                return { error: root.querySelector('[data-testid=error]')?.textContent ?? '' };
              if (root?.dataset.state !== 'done' || root.dataset.backend !== wanted.backend)
                return null;
              const shown = JSON.parse(root.dataset.params ?? '{}');
              if (shown.depth !== wanted.depth || shown.numClasses !== wanted.numClasses)
                return null;
              return {
                top5: JSON.parse(root.dataset.top5 ?? '[]') as number[],
                logits: JSON.parse(root.dataset.logits ?? '[]') as number[],
                forwardMs: root.querySelector('[data-testid=forward-ms]')?.textContent ?? '',
              };
            },
            { backend, ...NETWORK },
            { timeout: 150_000, polling: 200 },
          );
          const shown = (await handle.jsonValue()) as {
            error?: string;
            top5?: number[];
            logits?: number[];
            forwardMs?: string;
          };
          expect(shown.error, `${backend}: the page reported`).toBeUndefined();
          const comparison = compareArrays(shown.logits!, expected, TOLERANCE[backend]);
          expect(comparison.ok, `${backend} logits: ${JSON.stringify(comparison)}`).toBe(true);
          expect(shown.top5).toEqual(topClasses(expected, 5).map((entry) => entry.index));
          expect(shown.forwardMs).toMatch(/^\d+(\.\d)? ms$/);
          expect(await page.locator('[data-testid=top5] tbody tr').count()).toBe(5);
        },
      );
    }
  }

  it('loads a d-li14 safetensors file chosen from disk and gives Node’s logits and top-5', async () => {
    await runFile('safetensors', 'd-li14-resnet26.safetensors');
  });

  it('loads d-li14’s legacy-format training checkpoint (.pth) and gives the same top-5', async () => {
    await runFile('pth', 'd-li14-resnet26-train.pth');
  });

  it('refuses a checkpoint of another depth with a typed message, and stays usable', async () => {
    await onToolPage(
      browser,
      `${server.url}/pretrained`,
      ['idle'],
      'pretrained-wrong-depth',
      async (page) => {
        await page.selectOption('select[name=depth]', '50');
        await page.fill('input[name=numClasses]', String(NETWORK.numClasses));
        await page.setInputFiles(
          'input[name=checkpoint]',
          fixturePath('d-li14-resnet26.safetensors'),
        );
        await page.waitForSelector('.oct-pretrained[data-state=error]', { timeout: 60_000 });
        expect(await page.textContent('[data-testid=error]')).toMatch(/^loadTorchCheckpoint: /);
        await page.selectOption('select[name=depth]', String(NETWORK.depth));
        await page.waitForSelector('.oct-pretrained[data-state=done]', { timeout: 150_000 });
      },
    );
  });
});
