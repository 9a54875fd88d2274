// The pretrained page's photo preprocessing against torchvision's own evaluation transform
// (Resize(256), CenterCrop(224), ToTensor on a PIL image), run by Debian's python3-torchvision on
// the same pixels: equal to within one 8-bit step (PIL rounds in fixed point).
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { className, evalTransform, IMAGENET_CLASS_NAMES, topClasses } from '../src/pretrained';
import { PYTHON, pythonMissing } from './python';

const MISSING = pythonMissing(
  'torchvision, PIL',
  'python3-torchvision',
  'the eval-transform parity test',
);

// Every image in one run (importing torchvision is the slow part): sizes in argv, pixels on stdin.
const SCRIPT = `
import sys
import numpy as np
from PIL import Image
import torchvision.transforms as T
data = sys.stdin.buffer.read()
transform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])
offset = 0
for size in sys.argv[1:]:
    w, h = map(int, size.split('x'))
    image = Image.frombytes('RGB', (w, h), data[offset:offset + w * h * 3])
    offset += w * h * 3
    x = transform(image)
    sys.stdout.buffer.write(x.permute(1, 2, 0).contiguous().numpy().astype(np.float32).tobytes())
`;

const SIZES = [
  [640, 480],
  [301, 517],
  [256, 256],
  [200, 150],
] as const;

/** A photo-like test image: smooth gradients, edges and a little noise, RGBA. */
function testImage(width: number, height: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31 - 0.5) * 24;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const stripe = (Math.floor(x / 9) + Math.floor(y / 13)) % 2 === 0 ? 60 : 0;
      rgba[i] = (255 * x) / width + noise();
      rgba[i + 1] = (255 * y) / height + stripe + noise();
      rgba[i + 2] = 128 + 100 * Math.sin((x * y) / 500) + noise();
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

describe('the pretrained page: ImageNet names and torchvision’s evaluation transform', () => {
  it('ships the 1,000 ImageNet class names in the classifier’s order', () => {
    expect(IMAGENET_CLASS_NAMES).toHaveLength(1000);
    expect(className(0, 1000)).toBe('tench');
    expect(className(207, 1000)).toBe('golden retriever');
    expect(className(999, 1000)).toBe('toilet tissue');
    expect(className(3, 10)).toBeNull();
    const logits = new Float32Array(1000);
    logits[281] = 5;
    expect(topClasses(logits, 1)[0]).toMatchObject({ index: 281, name: 'tabby' });
  });

  let torchvisionOutputs: Float32Array[] = [];
  beforeAll(() => {
    if (MISSING) return;
    const inputs = SIZES.map(([width, height]) => {
      const rgba = testImage(width, height);
      const rgb = Buffer.alloc(width * height * 3);
      for (let i = 0; i < width * height; i++) {
        rgb[3 * i] = rgba[4 * i]!;
        rgb[3 * i + 1] = rgba[4 * i + 1]!;
        rgb[3 * i + 2] = rgba[4 * i + 2]!;
      }
      return rgb;
    });
    const result = spawnSync(
      PYTHON,
      ['-c', SCRIPT, ...SIZES.map(([width, height]) => `${width}x${height}`)],
      { input: Buffer.concat(inputs), maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(String(result.stderr));
    const bytes = result.stdout as Buffer;
    const all = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    const each = 224 * 224 * 3;
    torchvisionOutputs = SIZES.map((_, index) => all.slice(index * each, (index + 1) * each));
  }, 180_000);

  SIZES.forEach(([width, height], index) => {
    it.skipIf(MISSING !== null)(`${width}×${height}: equals Resize(256) + CenterCrop(224)`, () => {
      const rgba = testImage(width, height);
      const expected = torchvisionOutputs[index]!;
      const ours = evalTransform(rgba, width, height);
      expect([ours.height, ours.width]).toEqual([224, 224]);
      expect(ours.data.length).toBe(expected.length);
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < expected.length; i++) {
        const difference = Math.abs(ours.data[i]! - expected[i]!);
        worst = Math.max(worst, difference);
        if (difference > 1e-6) differing += 1;
      }
      expect(worst).toBeLessThanOrEqual(1 / 255 + 1e-6);
      // Off by one step only where PIL's fixed-point rounding lands on the other side.
      expect(differing / expected.length).toBeLessThan(0.02);
    });
  });
});
