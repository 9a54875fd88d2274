// The site as a visitor meets it, in Chromium on the built site: the playground on the visitor's
// own picture (file picker and drop), the seed notebook's cells run in the page, the Turkish
// pages and the language switch, the local search, the repository link, and phone widths.
import { existsSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, serve } from '../scripts/serve.mjs';
import type { OctaveChecksum } from '../src/checksum';
import type { PlaygroundParams } from '../src/playground';
import {
  CHROMIUM,
  HAS_CHROMIUM,
  launchChromium,
  onToolPage,
  openPage,
  screenshot,
  unservedAborts,
  waitForState,
} from './chromium';
import { expectChecksum, playgroundChecksum } from './reference';

/** An RGB image as a PNG file (8-bit, no filter, no colour profile: decoded exactly). */
function png(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 3 * width)] = 0;
    for (let x = 0; x < width; x++)
      pixel(x, y).forEach((value, c) => {
        raw[y * (1 + 3 * width) + 1 + 3 * x + c] = value;
      });
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SIZE = 64;
/** Red on the left half, blue on the top half, green a constant grey level. */
const pattern = (x: number, y: number) => [x < SIZE / 2 ? 255 : 0, 128, y < SIZE / 2 ? 255 : 0];
/** The same picture turned a quarter: red on the top half, blue on the left half. */
const turned = (x: number, y: number) => [y < SIZE / 2 ? 255 : 0, 128, x < SIZE / 2 ? 255 : 0];

/** The playground layer on `pixel`'s picture, computed here on tfjs's cpu backend. */
function expectedChecksum(
  params: PlaygroundParams,
  pixel: (x: number, y: number) => number[],
): Promise<OctaveChecksum> {
  const values = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      pixel(x, y).forEach((value, c) => {
        values[3 * (y * SIZE + x) + c] = value / 255;
      });
  return playgroundChecksum(params, tf.tensor4d(values, [1, SIZE, SIZE, 3]));
}

/** Waits until the playground has finished a run on `source`, and returns its checksum. */
async function playgroundDone(page: Page, source: string): Promise<OctaveChecksum> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const root = document.querySelector<HTMLElement>('.oct-playground');
      return root?.dataset.state === 'done' && root.dataset.source === wanted
        ? root.dataset.checksum
        : null;
    },
    source,
    { timeout: 90_000, polling: 100 },
  );
  return JSON.parse((await handle.jsonValue()) as string) as OctaveChecksum;
}

/** Grey levels of a canvas at the given canvas pixels. */
function canvasLevels(page: Page, selector: string, points: [number, number][]) {
  return page.$eval(
    selector,
    (canvas, at) => {
      const context = (canvas as HTMLCanvasElement).getContext('2d')!;
      return at.map(([x, y]) => context.getImageData(x, y, 1, 1).data[0]);
    },
    points,
  );
}

describe.runIf(HAS_CHROMIUM)('the docs site as a visitor meets it', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    expect(existsSync(`${DIST}/index.html`), `no built site at ${DIST}: pnpm build`).toBe(true);
    await tf.setBackend('cpu');
    server = await serve(DIST);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the playground on a chosen image file and a dropped one, and shows their bands', async () => {
    const params: PlaygroundParams = {
      alphaIn: 0.5,
      alphaOut: 0.5,
      outChannels: 16,
      kernel: 3,
      stride: 'stride-1',
      size: SIZE,
      seed: 1,
    };
    await onToolPage(
      browser,
      `${server.url}/playground`,
      ['done'],
      'playground-photo',
      async (page) => {
        await page.selectOption('select[name=size]', String(SIZE));
        await page.selectOption('select[name=backend]', 'wasm');
        await page.setInputFiles('input[name=photo]', {
          name: 'pattern.png',
          mimeType: 'image/png',
          buffer: png(SIZE, SIZE, pattern),
        });
        const chosen = await playgroundDone(page, 'pattern.png');
        const expected = await expectedChecksum(params, pattern);
        for (const band of ['high', 'low'] as const)
          expectChecksum(`file ${band}`, chosen[band], expected[band], 'wasm');
        // α_in = 0.5 of 3 channels: red stays high (1 channel), green and blue go low (2).
        expect(await page.textContent('[data-testid=shape-in-high]')).toBe(
          `[1, ${SIZE}, ${SIZE}, 1]`,
        );
        expect(await page.textContent('[data-testid=shape-in-low]')).toBe(
          `[1, ${SIZE / 2}, ${SIZE / 2}, 2]`,
        );
        // The high band is the photo's red channel: bright on the left, dark on the right.
        const figures = page.locator('.oct-bands canvas');
        expect(
          await canvasLevels(page, '.oct-bands figure:nth-child(2) canvas', [
            [8, 32],
            [56, 32],
          ]),
        ).toEqual([255, 0]);
        // The low band's second tile is the blue channel at half size: bright on top.
        const lowTileTop = await figures.nth(2).evaluate((canvas, size) => {
          const c = canvas as HTMLCanvasElement;
          // Two tiles side by side, each SIZE / 2 wide, one pixel apart.
          const context = c.getContext('2d')!;
          const left = size / 2 + 1 + 8;
          return [
            context.getImageData(left, 4, 1, 1).data[0],
            context.getImageData(left, 28, 1, 1).data[0],
          ];
        }, SIZE);
        expect(lowTileTop).toEqual([255, 0]);
        // The twin is timed beside the layer, and the rounding of the 3-channel split is explained.
        expect(await page.textContent('[data-testid=twin-ms]')).toMatch(/\d ms$/);
        const speedup = (await page.textContent('[data-testid=measured-speedup]'))
          ?.replace(/\s+/g, ' ')
          .trim();
        expect(speedup).toMatch(/^×\d+\.\d\d (faster|slower) \(measured\)$/);
        const note = await page.textContent('[data-testid=rounding-note]');
        expect(note).toContain('37.5%');
        expect(note).toContain('43.8%');

        // A dropped file replaces it.
        const bytes = png(SIZE, SIZE, turned).toString('base64');
        await page.evaluate((data) => {
          const file = new File(
            [Uint8Array.from(atob(data), (c) => c.charCodeAt(0))],
            'turned.png',
            {
              type: 'image/png',
            },
          );
          const transfer = new DataTransfer();
          transfer.items.add(file);
          document
            .querySelector('[data-testid=photo-drop]')!
            .dispatchEvent(
              new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
            );
        }, bytes);
        const dropped = await playgroundDone(page, 'turned.png');
        const expectedDropped = await expectedChecksum(params, turned);
        expectChecksum('dropped high', dropped.high, expectedDropped.high, 'wasm');
        expect(
          await canvasLevels(page, '.oct-bands figure:nth-child(2) canvas', [
            [32, 8],
            [32, 56],
          ]),
        ).toEqual([255, 0]);

        // A file that is not an image is refused with a message; the last picture stays.
        await page.setInputFiles('input[name=photo]', {
          name: 'notes.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('not a picture'),
        });
        await page.waitForSelector('.oct-photo .oct-error');
        expect(await page.textContent('.oct-photo .oct-error')).toContain('not an image');
        expect(await page.getAttribute('.oct-playground', 'data-source')).toBe('turned.png');
      },
    );
  });

  it('clears the last results when a backend fails', async () => {
    const { page, problems } = await openPage(browser);
    // A browser without WebGPU: choosing it must fail the run and leave no earlier numbers.
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    try {
      await page.goto(`${server.url}/playground`);
      await waitForState(page, ['done'], 90_000);
      expect(await page.$('[data-testid=median-ms]')).not.toBeNull();
      await page.selectOption('select[name=backend]', 'webgpu');
      await waitForState(page, ['error'], 60_000);
      expect(await page.$('[data-testid=median-ms]')).toBeNull();
      expect(await page.$('[data-testid=macs-octave]')).toBeNull();
      expect(await page.getAttribute('.oct-playground', 'data-checksum')).toBeNull();
      const width = await page.$eval(
        '.oct-bands canvas',
        (canvas) => (canvas as HTMLCanvasElement).width,
      );
      expect(width).toBe(0);
      await screenshot(page, 'playground-backend-failed');
    } finally {
      await page.close();
    }
    // The page reports the failure in its status line, not as an error of its own.
    expect(problems.filter((problem) => !/webgpu/i.test(problem))).toEqual([]);
  });

  it("runs the seed notebook's cells in the page, in English and in Turkish", async () => {
    const expected: Record<string, string[]> = {
      layer: [
        'x.high: [2, 32, 32, 32] x.low: [2, 16, 16, 32]',
        'y.high: [2, 32, 32, 64] y.low: [2, 16, 16, 64]',
      ],
      block: ['block y.high: [2, 32, 32, 64]', 'block y.low: [2, 16, 16, 64]'],
      network: ['out: [4, 10]'],
      params: ['Conv params: 73728', 'OctConv params: 73728'],
    };
    for (const path of ['/guide/notebook', '/tr/guide/notebook']) {
      const { page, problems, aborted } = await openPage(browser);
      try {
        await page.goto(`${server.url}${path}`);
        for (const [cell, lines] of Object.entries(expected)) {
          const root = page.locator(`.oct-notebook-cell[data-cell=${cell}]`);
          await root.locator('button').click();
          await page.waitForFunction(
            (name) =>
              ['done', 'error'].includes(
                document.querySelector<HTMLElement>(`.oct-notebook-cell[data-cell=${name}]`)
                  ?.dataset.state ?? '',
              ),
            cell,
            { timeout: 60_000, polling: 100 },
          );
          const output = (await root.locator('[data-testid=cell-output]').textContent()) ?? '';
          expect(await root.getAttribute('data-state'), output).toBe('done');
          for (const line of lines) expect(output, `${path} ${cell}`).toContain(line);
        }
        await screenshot(page, `notebook${path.replaceAll('/', '-')}`);
      } finally {
        await page.close();
      }
      problems.push(...(await unservedAborts(aborted)));
      expect(problems, path).toEqual([]);
    }
  });

  it('serves the Turkish pages with lang="tr" and switches language on the same page', async () => {
    const { page, problems, aborted } = await openPage(browser);
    try {
      for (const path of [
        '/tr/',
        '/tr/guide/',
        '/tr/guide/four-paths',
        '/tr/guide/notebook',
        '/tr/guide/quick-start',
      ]) {
        await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
        expect(await page.getAttribute('html', 'lang'), path).toBe('tr');
        expect(await page.textContent('#VPContent'), path).toMatch(/[çğıöşü]/);
      }
      // English → Turkish from the language menu, onto the same page.
      await page.goto(`${server.url}/guide/four-paths`, { waitUntil: 'networkidle' });
      expect(await page.getAttribute('html', 'lang')).toBe('en-US');
      await page.hover('.VPNavBarTranslations');
      await page.click('.VPNavBarTranslations a:has-text("Türkçe")');
      await page.waitForURL(/\/tr\/guide\/four-paths/);
      await page.waitForFunction(() =>
        document.querySelector('h1')?.textContent?.includes('Dört yol'),
      );
      expect(await page.getAttribute('html', 'lang')).toBe('tr');
      // …and back.
      await page.hover('.VPNavBarTranslations');
      await page.click('.VPNavBarTranslations a:has-text("English")');
      await page.waitForURL((url) => url.pathname.startsWith('/guide/four-paths'));
      await page.waitForFunction(() =>
        document.querySelector('h1')?.textContent?.includes('The four paths'),
      );
      expect(await page.getAttribute('html', 'lang')).toBe('en-US');
    } finally {
      await page.close();
    }
    problems.push(...(await unservedAborts(aborted)));
    expect(problems).toEqual([]);
  });

  it('finds loadTorchCheckpoint with the site search, and links the source repository', async () => {
    const { page, problems, aborted } = await openPage(browser);
    try {
      await page.goto(`${server.url}/guide/`, { waitUntil: 'networkidle' });
      await page.click('.VPNavBarSearch button');
      await page.fill('.VPLocalSearchBox input', 'loadTorchCheckpoint');
      const result = page
        .locator('.VPLocalSearchBox .results a[href*="loadTorchCheckpoint"]')
        .first();
      await result.waitFor({ timeout: 30_000 });
      await result.click();
      await page.waitForURL(/functions\/loadTorchCheckpoint/);
      // The router changes the address before it renders the new page.
      await page.waitForFunction(() =>
        document.querySelector('h1')?.textContent?.includes('loadTorchCheckpoint'),
      );
      // The API page carries its example.
      expect(await page.textContent('#VPContent')).toContain("variant: 'd-li14'");
      const repository = await page.getAttribute('.VPNavBar .VPSocialLinks a', 'href');
      expect(repository).toBe('https://github.com/octconv/octconv');
    } finally {
      await page.close();
    }
    problems.push(...(await unservedAborts(aborted)));
    expect(problems).toEqual([]);
  });

  it('publishes no development notes: the README media copies stay out of the site', async () => {
    const response = await fetch(`${server.url}/api/_media/README`);
    await response.arrayBuffer();
    expect(response.status).toBe(404);
    const bench = await (await fetch(`${server.url}/api/@octconv/bench/`)).text();
    // A link or page entry of TypeDoc's media folder (`_media/…`, `api__media_…`); not `_median`.
    expect(bench).not.toMatch(/_media(?![a-z])/i);
    expect(bench).toContain(
      'https://github.com/octconv/octconv/blob/main/packages/bench/results/README.md',
    );
  });

  it("takes a photo with the browser's camera (Chromium's fake camera) and runs on it", async () => {
    // The fake device streams a generated test pattern and grants the permission by itself.
    const camera = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    });
    try {
      const page = await camera.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${server.url}/playground`);
      await waitForState(page, ['done'], 90_000);
      await page.click('button:has-text("Use the camera")');
      await page.waitForFunction(
        () =>
          (document.querySelector('.oct-camera video') as HTMLVideoElement | null)?.readyState ===
          4,
        null,
        { timeout: 30_000 },
      );
      await page.click('button:has-text("Take the photo")');
      await playgroundDone(page, 'camera');
      // The stream is stopped once the photo is taken.
      expect(await page.$('.oct-camera video')).toBeNull();
      expect(await page.textContent('.oct-bands figcaption')).toContain('camera');
      expect(problems).toEqual([]);
    } finally {
      await camera.close();
    }
  });

  describe('at phone width (390 px)', () => {
    async function phonePage(path: string): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      return page;
    }

    it('keeps every column of a results table on screen and a case id on one line', async () => {
      const page = await phonePage('/benchmark');
      try {
        // The benchmark page's table, as its component renders it, with the longest case id.
        const layout = await page.evaluate(() => {
          const table = document.createElement('table');
          table.className = 'oct-table oct-results';
          const headers = [
            'case',
            'backend',
            'octave median',
            'vanilla median',
            'speed-up',
            'theoretical',
            'efficiency',
            'first run (oct / van)',
          ];
          const cells = [
            'oct-mobilenet-v2-1.125-a0.5',
            'webgpu',
            '12.3 ms',
            '45.6 ms',
            '×3.71',
            '×2.38',
            '156%',
            '321 ms / 98.7 ms',
          ];
          table.innerHTML = `<thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody><tr>${cells
            .map((c, i) => (i === 0 ? `<td><code>${c}</code></td>` : `<td>${c}</td>`))
            .join('')}</tr></tbody>`;
          document.querySelector('.vp-doc')!.append(table);
          const box = (element: Element) => element.getBoundingClientRect();
          const th = Array.from(table.querySelectorAll('th'));
          const caseCell = table.querySelector('td')!;
          const lineHeight =
            Number.parseFloat(getComputedStyle(caseCell.querySelector('code')!).lineHeight) || 20;
          return {
            viewport: window.innerWidth,
            rights: Object.fromEntries(th.map((cell) => [cell.textContent, box(cell).right])),
            caseLines: box(caseCell.querySelector('code')!).height / lineHeight,
            tableScrolls: table.scrollWidth > table.clientWidth + 1,
          };
        });
        for (const name of ['speed-up', 'theoretical', 'efficiency'])
          expect(layout.rights[name], `${name} column`).toBeLessThanOrEqual(layout.viewport);
        expect(layout.caseLines).toBeLessThan(1.6);
        expect(layout.tableScrolls).toBe(false);
      } finally {
        await page.close();
      }
    });

    it('fits the learner pages and the playground to the screen, without sideways scrolling', async () => {
      for (const path of ['/', '/tr/', '/guide/notebook', '/tr/guide/quick-start', '/playground']) {
        const page = await phonePage(path);
        try {
          if (path === '/playground') await waitForState(page, ['done'], 90_000);
          const width = await page.evaluate(() => ({
            page: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
          }));
          expect(width.page, path).toBeLessThanOrEqual(width.viewport);
        } finally {
          await page.close();
        }
      }
    });

    it('shows the four-paths figure at a readable size', async () => {
      for (const path of ['/guide/four-paths', '/tr/guide/four-paths']) {
        const page = await phonePage(path);
        try {
          const figure = await page.$eval('.oct-figure-scroll', (box) => {
            const image = box.querySelector('img')!;
            return {
              width: image.getBoundingClientRect().width,
              scrolls: box.scrollWidth > box.clientWidth,
              page: document.documentElement.scrollWidth,
              viewport: window.innerWidth,
            };
          });
          // The SVG is 800 px wide with 9 px text at its smallest: at least 8 px on screen.
          expect((figure.width / 800) * 9, path).toBeGreaterThanOrEqual(8);
          expect(figure.scrolls, path).toBe(true);
          // The figure scrolls in its own box; the page itself does not.
          expect(figure.page, path).toBeLessThanOrEqual(figure.viewport);
        } finally {
          await page.close();
        }
      }
    });
  });
});
