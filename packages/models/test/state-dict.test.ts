// stateDictShapes against PyTorch's own state_dict() (names, order, shapes, parameter or buffer)
// for every network this package builds, each variant (fixtures/make_state_dict_shapes.py, with
// torchvision's own ResNet for the 'torchvision' variant); loadStateDict and `rename` on the
// committed d-li14 fixture; and, with torch present, a d-li14 fork with α = 0.25 and renamed
// paths written by PyTorch, loaded with one `rename` and giving PyTorch's logits.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '@octconv/core';
import { assertClose, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildModule,
  loadStateDict,
  loadTorchCheckpoint,
  type Module,
  octResNet,
  readTorchStateDict,
  StateDictMismatchError,
  stateDictShapes,
} from '../src/index';
import {
  committedDescription,
  committedFile,
  dLi14Image,
  generateLive,
  torchMissing,
} from './d-li14';
import { FIXTURES } from './fixtures';

interface ShapesFixture {
  torch: string;
  torchvision: string;
  cases: {
    network: string;
    options: Record<string, unknown>;
    entries: { name: string; shape: number[]; kind: 'parameter' | 'buffer' }[];
  }[];
}

const shapes = JSON.parse(
  readFileSync(join(FIXTURES, 'state-dict-shapes.json'), 'utf8'),
) as ShapesFixture;

beforeAll(async () => {
  await setupBackend('cpu');
});

function build(network: string, options: Record<string, unknown>): Module {
  return buildModule({
    className: network,
    options: { ...options, random: 1 } as never,
    packageVersion: '',
  });
}

describe("stateDictShapes: PyTorch's state_dict() of every network", () => {
  it('covers every network and variant this package builds', () => {
    const seen = new Set(
      shapes.cases.map((c) => `${c.network}/${(c.options.variant as string) ?? 'default'}`),
    );
    expect([...seen].sort()).toEqual([
      'MiniOctNet/default',
      'OctMobileNetV1/default',
      'OctMobileNetV2/default',
      'OctResNet/d-li14',
      'OctResNet/default',
      'OctResNet/torchvision',
    ]);
  });

  for (const entry of shapes.cases) {
    it(`${entry.network} ${JSON.stringify(entry.options)}: names, order, shapes and kinds`, () => {
      const net = build(entry.network, entry.options);
      try {
        const ours = stateDictShapes(net);
        // Names and order first (a readable diff), then everything.
        expect(ours.map((e) => e.name)).toEqual(entry.entries.map((e) => e.name));
        expect(ours).toEqual(entry.entries);
        // The parameters are exactly namedParameters(), with its count.
        const parameters = ours.filter((e) => e.kind === 'parameter').map((e) => e.name);
        expect(new Set(parameters)).toEqual(new Set(net.namedParameters().keys()));
      } finally {
        net.dispose();
      }
    });
  }

  it('refuses a disposed module with a typed error', () => {
    const net = build('MiniOctNet', { alpha: 0.5 });
    net.dispose();
    expect(() => stateDictShapes(net)).toThrow(/disposed/);
  });
});

describe('loadStateDict and rename', () => {
  const description = committedDescription();
  const at64 = description.cases.find((c) => c.size === 64)!;
  const network = () =>
    octResNet({ depth: 26, alpha: 0.5, numClasses: 10, variant: 'd-li14', random: 3 }).eval();

  async function expectPyTorchLogits(net: Module): Promise<void> {
    const x = dLi14Image(1, 64);
    const y = (net as ReturnType<typeof octResNet>).apply(x);
    try {
      assertClose('logits', await read(y), at64.logits.data, { atol: 2e-4, rtol: 2e-4 });
    } finally {
      tf.dispose([x, y]);
    }
  }

  it("assigns readTorchStateDict's entries and gives PyTorch's logits", async () => {
    const entries = readTorchStateDict(committedFile('.pth'));
    const net = network();
    try {
      const before = tf.memory().numTensors;
      loadStateDict(net, entries);
      expect(tf.memory().numTensors).toBe(before);
      await expectPyTorchLogits(net);
    } finally {
      net.dispose();
    }
  });

  it('maps renamed keys with rename, drops keys renamed to null, and lists likely renames first', async () => {
    const fork = new Map(
      [...readTorchStateDict(committedFile('.pth'))].map(([name, entry]) => [
        name.replace('.conv_h2h.', '.h2h.'),
        entry,
      ]),
    );
    fork.set('extra.counter', { dtype: 'int64', shape: [], data: new BigInt64Array([5n]) });
    const net = network();
    try {
      const before = (await read(net.fc.weight)).slice();
      let error: unknown;
      try {
        loadStateDict(net, fork);
      } catch (caught) {
        error = caught;
      }
      expect(StateDictMismatchError.isInstance(error)).toBe(true);
      expect(CheckpointError.isInstance(error)).toBe(true);
      const mismatch = error as StateDictMismatchError;
      expect(mismatch).toBeInstanceOf(StateDictMismatchError);
      // Every renamed path pairs with its original, the first of them in the module's order.
      const renamed = [...fork.keys()].filter((k) => k.includes('.h2h.'));
      expect(mismatch.renames.length).toBe(renamed.length);
      for (const pair of mismatch.renames) {
        expect(pair.to).toBe(pair.from.replace('.h2h.', '.conv_h2h.'));
      }
      expect(mismatch.mismatches[0]).toMatchObject({
        kind: 'missing',
        key: mismatch.renames[0]!.to,
      });
      expect(mismatch.mismatches[1]).toMatchObject({
        kind: 'unexpected',
        key: mismatch.renames[0]!.from,
      });
      expect(mismatch.mismatches.at(-1)).toMatchObject({
        kind: 'unexpected',
        key: 'extra.counter',
        got: [],
      });
      expect(mismatch.problems).toEqual(mismatch.mismatches.map((p) => p.message));
      expect(mismatch.message).toContain(`look renamed (same shape, similar name; file → module)`);
      expect(mismatch.message).toContain(`rename: (key) => key.replace(".h2h.", ".conv_h2h.")`);
      expect(mismatch.message).toMatch(/the module expects 342 keys \("conv1\.weight"/);
      // Nothing changed.
      expect(await read(net.fc.weight)).toEqual(before);

      loadStateDict(net, fork, {
        rename: (key) => (key.startsWith('extra.') ? null : key.replace('.h2h.', '.conv_h2h.')),
      });
      await expectPyTorchLogits(net);
    } finally {
      net.dispose();
    }
  });

  it('names a MiniOctNet file as a MiniOctNet’s, not as an Oct-ResNet’s', () => {
    const net = network();
    try {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'mini-oct-net.safetensors')));
      let message = '';
      try {
        loadTorchCheckpoint(net, bytes);
      } catch (caught) {
        message = (caught as Error).message;
      }
      expect(message).toMatch(
        /a MiniOctNet \(stem\.0, b1, b2, fc\); load it into new MiniOctNet\(\)/,
      );
      expect(message).not.toMatch(/own Oct-ResNet names/);
    } finally {
      net.dispose();
    }
  });

  it('reports two keys renamed to one name, and a rename that returns a non-string', () => {
    const net = network();
    const entries = readTorchStateDict(committedFile('.pth'));
    try {
      let error: StateDictMismatchError | undefined;
      try {
        loadTorchCheckpoint(net, committedFile('.pth'), {
          rename: (key) => (key === 'fc.bias' ? 'fc.weight' : key),
        });
      } catch (caught) {
        error = caught as StateDictMismatchError;
      }
      expect(error?.mismatches.find((p) => p.kind === 'rename')).toMatchObject({
        kind: 'rename',
        key: 'fc.weight',
      });
      expect(() => loadStateDict(net, entries, { rename: () => 42 as unknown as string })).toThrow(
        /options\.rename\("conv1\.weight"\) returned 42/,
      );
      expect(() => loadStateDict(net, entries, { rename: 'x' as never })).toThrow(
        /options\.rename must be a function/,
      );
      expect(() =>
        loadStateDict(net, new Map([['fc.bias', { dtype: 'float32', shape: [10], data: [1] }]])),
      ).toThrow(/data must hold 10 values/);
      expect(() => loadStateDict(net, 42 as never)).toThrow(/entries must be a Map/);
    } finally {
      net.dispose();
    }
  });
});

const missing = torchMissing();

describe.skipIf(missing !== null)(
  "a d-li14 fork: α = 0.25, renamed paths, PyTorch's logits",
  () => {
    let directory: string;
    let description: ReturnType<typeof generateLive>;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'octconv-fork-'));
      description = generateLive(directory, {
        depth: 26,
        numClasses: 10,
        sizes: [64],
        extra: ['--alpha', '0.25', '--fork-names'],
      });
    }, 600_000);
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('the error names α 0.25 and the rename; with both the file gives PyTorch’s logits', async () => {
      const bytes = new Uint8Array(readFileSync(join(directory, 'd-li14-resnet26.pth')));
      const half = octResNet({
        depth: 26,
        alpha: 0.5,
        numClasses: 10,
        variant: 'd-li14',
        random: 1,
      });
      try {
        // The fork's own names (h2h, h2l, …) still tell its α.
        expect(() => loadTorchCheckpoint(half, bytes)).toThrow(
          /create it with alpha: 0\.25, variant: 'd-li14'/,
        );
        expect(() =>
          loadTorchCheckpoint(half, bytes, {
            rename: (key) => key.replace(/\.(h2h|h2l|l2h|l2l)\./, '.conv_$1.'),
          }),
        ).toThrow(/create it with alpha: 0\.25, variant: 'd-li14'/);
      } finally {
        half.dispose();
      }
      const quarter = octResNet({ depth: 26, alpha: 0.25, numClasses: 10, variant: 'd-li14' });
      try {
        // With the right α the renamed paths pair up, and the message writes the rename.
        expect(() => loadTorchCheckpoint(quarter, bytes)).toThrow(
          /look renamed .*options\.rename: \(key\) => key.*\.replace\("\.h2h\.", "\.conv_h2h\."\)/,
        );
      } finally {
        quarter.dispose();
      }
      const net = octResNet({
        depth: 26,
        alpha: 0.25,
        numClasses: 10,
        variant: 'd-li14',
        random: 1,
      });
      try {
        loadTorchCheckpoint(net, bytes, {
          rename: (key) => key.replace(/\.(h2h|h2l|l2h|l2l)\./, '.conv_$1.'),
        });
        net.eval();
        const x = dLi14Image(1, 64);
        const y = net.apply(x);
        try {
          assertClose('logits', await read(y), description.cases[0]!.logits.data, {
            atol: 2e-4,
            rtol: 2e-4,
          });
        } finally {
          tf.dispose([x, y]);
        }
      } finally {
        net.dispose();
      }
    }, 300_000);
  },
);
