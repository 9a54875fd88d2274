// The pretrained page in Chromium: a d-li14 Oct-ResNet checkpoint chosen as a file loads in the
// page, runs on the playground photo on wasm and WebGPU, and gives the logits and top-5 classes
// that the same file gives in Node; torchvision's ResNet-50 twin (a file of random weights
// written by Debian's torch and torchvision at test time, nothing downloaded) gives PyTorch's
// logits in the page; and a photo chosen with the file picker or dropped on the image gives
// top-5 classes with their ImageNet names.
//
// The d-li14 file is @octconv/models' committed Oct-ResNet-26 fixture (10 classes, written by
// PyTorch: fixtures/make_d_li14_fixtures.py), as safetensors and as the legacy-format training
// checkpoint `.pth` that d-li14's own Oct-ResNet-50 is.
import { spawnSync } from 'node:child_process';
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
import { IMAGENET_CLASS_NAMES, loadNetwork, photoTensor, topClasses } from '../src/pretrained';
import { HAS_CHROMIUM, launchChromium, onToolPage, openPage, REQUIRE_WEBGPU } from './chromium';
import { PYTHON, pythonMissing } from './python';

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

  /** wasm, then WebGPU (SwiftShader without a GPU): about 3 minutes on a busy 2-core machine. */
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
  }, 600_000);

  it('loads d-li14’s legacy-format training checkpoint (.pth) and gives the same top-5', async () => {
    await runFile('pth', 'd-li14-resnet26-train.pth');
  }, 600_000);

  it('refuses a MiniOctNet file as another network’s, not as an Oct-ResNet’s', async () => {
    await onToolPage(
      browser,
      `${server.url}/pretrained`,
      ['idle'],
      'pretrained-mini',
      async (page) => {
        await page.setInputFiles(
          'input[name=checkpoint]',
          join(FIXTURES, 'mini-oct-net.safetensors'),
        );
        await page.waitForSelector('.oct-pretrained[data-state=error]', { timeout: 60_000 });
        const message = (await page.textContent('[data-testid=error]')) ?? '';
        expect(message).toMatch(/MiniOctNet/);
        expect(message).not.toMatch(/own Oct-ResNet names/);
      },
    );
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
        expect(await page.textContent('[data-testid=error]')).toMatch(
          /^Oct-ResNet \(d-li14, α = 0\.5\): loadTorchCheckpoint: /,
        );
        await page.selectOption('select[name=depth]', String(NETWORK.depth));
        await page.waitForSelector('.oct-pretrained[data-state=done]', { timeout: 150_000 });
      },
    );
  });
});

const TORCH_MISSING = pythonMissing(
  'torch, torchvision',
  'python3-torch python3-torchvision',
  'the torchvision twin page test',
);

/** A photo made in the page: gradients and stripes, 320×240, as PNG bytes. */
const MAKE_PHOTO = async (): Promise<number[]> => {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, 320, 240);
  gradient.addColorStop(0, '#d33');
  gradient.addColorStop(0.5, '#3b3');
  gradient.addColorStop(1, '#33d');
  context.fillStyle = gradient;
  context.fillRect(0, 0, 320, 240);
  context.fillStyle = '#fff';
  for (let x = 0; x < 320; x += 24) context.fillRect(x, 0, 8, 240);
  const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
  return Array.from(new Uint8Array(await blob.arrayBuffer()));
};

describe.runIf(HAS_CHROMIUM && TORCH_MISSING === null)(
  'the pretrained page: torchvision’s ResNet-50 twin and your own photo',
  () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serve>>;
    let directory: string;
    let pytorch: number[];

    beforeAll(async () => {
      // The input the page feeds the network for the procedural photo, from the page's own code.
      directory = mkdtempSync(join(tmpdir(), 'octconv-twin-'));
      const x = photoTensor(PHOTO);
      writeFileSync(join(directory, 'input.f32'), Buffer.from((await x.data()).buffer));
      x.dispose();
      const result = spawnSync(
        PYTHON,
        [
          fileURLToPath(new URL('../scripts/torchvision-resnet.py', import.meta.url)),
          directory,
          join(directory, 'input.f32'),
        ],
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`torchvision-resnet.py failed: ${result.stderr}`);
      pytorch = JSON.parse(readFileSync(join(directory, 'resnet50.json'), 'utf8')).logits;
      server = await serve(DIST);
      browser = await launchChromium();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    });

    it('loads the ResNet-50 .pth into the torchvision variant, gives PyTorch’s logits, then names the top-5 of a chosen and a dropped photo', async () => {
      await onToolPage(
        browser,
        `${server.url}/pretrained`,
        ['idle'],
        'pretrained-twin',
        async (page) => {
          const settled = async (photo: 'scene' | 'file') => {
            const handle = await page.waitForFunction(
              (wanted: string) => {
                const root = document.querySelector<HTMLElement>('.oct-pretrained');
                if (root?.dataset.state === 'error')
                  return { error: root.querySelector('[data-testid=error]')?.textContent ?? '' };
                if (root?.dataset.state !== 'done' || root.dataset.photo !== wanted) return null;
                if (!root.dataset.twinLogits) return null;
                return {
                  logits: JSON.parse(root.dataset.twinLogits) as number[],
                  top5: JSON.parse(root.dataset.twinTop5 ?? '[]') as number[],
                  names: JSON.parse(root.dataset.twinTop5Names ?? '[]') as string[],
                  forwardMs: root.querySelector('[data-testid=twin-forward-ms]')?.textContent ?? '',
                  rows: Array.from(root.querySelectorAll('[data-testid=twin-top5] tbody tr')).map(
                    (row) =>
                      Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent ?? ''),
                  ),
                };
              },
              photo,
              { timeout: 300_000, polling: 250 },
            );
            return (await handle.jsonValue()) as {
              error?: string;
              logits: number[];
              top5: number[];
              names: string[];
              forwardMs: string;
              rows: string[][];
            };
          };
          const expectNamed = (shown: Awaited<ReturnType<typeof settled>>) => {
            expect(shown.top5).toHaveLength(5);
            expect(shown.names).toEqual(shown.top5.map((index) => IMAGENET_CLASS_NAMES[index]));
            expect(shown.rows.map((row) => [row[1], row[2]])).toEqual(
              shown.top5.map((index) => [IMAGENET_CLASS_NAMES[index], String(index)]),
            );
            expect(shown.forwardMs).toMatch(/^\d+(\.\d)? ms$/);
          };

          await page.selectOption('select[name=depth]', '50');
          await page.fill('input[name=numClasses]', '1000');
          await page.selectOption('select[name=backend]', 'wasm');
          await page.setInputFiles('input[name=twin]', join(directory, 'resnet50.pth'));
          const scene = await settled('scene');
          expect(scene.error, 'the page reported').toBeUndefined();
          const scale = Math.max(...pytorch.map(Math.abs));
          const comparison = compareArrays(scene.logits, pytorch, {
            atol: 2e-3 * scale,
            rtol: 2e-3,
          });
          expect(comparison.ok, `ResNet-50 logits: ${JSON.stringify(comparison)}`).toBe(true);
          expect(scene.top5).toEqual(topClasses(pytorch, 5).map((entry) => entry.index));
          expectNamed(scene);

          // The visitor's photo through the file picker.
          const png = Buffer.from(await page.evaluate(MAKE_PHOTO));
          await page.setInputFiles('input[name=photo]', {
            name: 'photo.png',
            mimeType: 'image/png',
            buffer: png,
          });
          const chosen = await settled('file');
          expect(chosen.error, 'the page reported').toBeUndefined();
          expectNamed(chosen);
          expect(chosen.logits).not.toEqual(scene.logits);

          // Back to the procedural photo, then the same photo dropped on the image.
          await page.click('button[name=scene]');
          await settled('scene');
          await page.evaluate(async (bytes: number[]) => {
            const file = new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' });
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const target = document.querySelector('[data-testid=photo-drop]')!;
            target.dispatchEvent(
              new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
            );
          }, Array.from(png));
          const dropped = await settled('file');
          expectNamed(dropped);
          expect(dropped.logits).toEqual(chosen.logits);
        },
      );
    }, 600_000);
  },
);
