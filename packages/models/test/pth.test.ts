// PyTorch .pth files (torch.save, zip and legacy formats): every dtype, strided, offset and
// shared storages, nested containers, training checkpoints, a real MiniOctNet state dict that
// must give PyTorch's logits on every backend; then hostile and broken files, wrong file kinds
// and the mismatch summary. Fixtures: fixtures/make_pth_fixtures.py (Debian python3-torch).

import { PickleDict, readTorchFile, type TorchTensor } from '@octconv/checkpoint/internal';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import {
  assertClose,
  captureError,
  describeEachBackend,
  read,
  setupBackend,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { guessMismatch } from '../src/checkpoint/mismatch';
import { stateEntries } from '../src/checkpoint/state';
import {
  loadTorchCheckpoint,
  MiniOctNet,
  type Module,
  OctaveConvBlock,
  octResNet,
  readTorchStateDict,
  saveTorchCheckpoint,
} from '../src/index';
import { fixtures, nhwc } from './fixtures';
import { expected, legacyFile, makeZip, pickleBytes, pth, unzipStored } from './pth-files';

const FORMATS = ['zip', 'legacy'] as const;

/** Every variable's values, by name, to prove a failed load changed nothing. */
async function snapshot(module: Module): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  for (const [name, variable] of [...module.namedParameters(), ...module.namedBuffers()]) {
    result.set(name, Array.from(await variable.data()));
  }
  return result;
}

/** A failed load: CheckpointError with its code, fast, module unchanged, no tensor leaked. */
async function expectRejected(
  module: Module,
  bytes: Uint8Array,
  pattern: RegExp,
  options?: { key?: string },
): Promise<CheckpointError> {
  const before = await snapshot(module);
  const count = tf.memory().numTensors;
  const start = performance.now();
  const error = captureError(() => loadTorchCheckpoint(module, bytes, options)) as CheckpointError;
  const elapsed = performance.now() - start;
  expect(CheckpointError.isInstance(error), String(error)).toBe(true);
  expect(error.code).toBe('ERR_OCTCONV_CHECKPOINT');
  expect(error.message).toMatch(/^loadTorchCheckpoint: /);
  expect(error.message).toMatch(pattern);
  expect(elapsed).toBeLessThan(3000);
  expect(tf.memory().numTensors).toBe(count);
  expect(await snapshot(module)).toEqual(before);
  return error;
}

function tinyBlock(): OctaveConvBlock {
  return new OctaveConvBlock({
    inChannels: 8,
    outChannels: 8,
    alphaIn: 0.5,
    alphaOut: 0.5,
    random: 1,
  });
}

/** Expected values as numbers (int64 strings parsed exactly as bigint where needed). */
function expectedValues(tensor: { dtype: string; data: (number | string)[] }): unknown[] {
  return tensor.dtype === 'int64'
    ? tensor.data.map((v) => BigInt(v as string))
    : tensor.data.map((v) => Number(v));
}

/** A pickled value as plain JSON-like data, for comparison with expected.json. */
function plain(value: unknown): unknown {
  if (value instanceof PickleDict) {
    return [...value.entries].map(([k, v]) => [plain(k), plain(v)]);
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === 'bigint') return String(value);
  return value;
}

describe('.pth readers [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));
  for (const format of FORMATS) {
    it(`${format}: every dtype, strided, offset and shared tensors come out as PyTorch sees them`, () => {
      const state = readTorchStateDict(pth(`dtypes.${format}.pth`), { key: 'tensors' });
      const want = expected.dtypes.tensors;
      expect([...state.keys()]).toEqual(Object.keys(want));
      for (const [name, tensor] of Object.entries(want)) {
        const got = state.get(name)!;
        expect(got.dtype, name).toBe(tensor.dtype);
        expect(got.shape, name).toEqual(tensor.shape);
        const values = Array.from(got.data as ArrayLike<number | bigint>);
        if (tensor.dtype === 'float64') {
          expect(values, name).toEqual(expectedValues(tensor));
        } else if (tensor.dtype.startsWith('float') || tensor.dtype === 'bfloat16') {
          expect(values.map(Number), name).toEqual(
            expectedValues(tensor).map((v) => Math.fround(v as number)),
          );
        } else {
          expect(values, name).toEqual(expectedValues(tensor));
        }
      }
      expect(state.get('f64')!.data).toBeInstanceOf(Float64Array);
      expect(state.get('i64')!.data).toBeInstanceOf(BigInt64Array);
      expect(state.get('bool')!.data).toBeInstanceOf(Uint8Array);
    });

    it(`${format}: tensors sharing a storage share it, nested containers are read exactly`, () => {
      const file = readTorchFile('test', pth(`dtypes.${format}.pth`));
      expect(file.format).toBe(format);
      const top = file.object as PickleDict;
      const tensors = top.entries.get('tensors') as PickleDict;
      const key = (name: string) => (tensors.entries.get(name) as TorchTensor).storageKey;
      expect(key('shared_a')).toBe(key('shared_b'));
      expect(key('shared_a')).toBe(key('offset_view'));
      expect(key('shared_a')).toBe(key('transposed'));
      expect(key('shared_a')).not.toBe(key('f32'));
      expect((tensors.entries.get('offset_view') as TorchTensor).offset).toBe(6);
      expect(tensors.className).toBe('collections.OrderedDict');
      const nested = top.entries.get('nested') as PickleDict;
      const got = Object.fromEntries([...nested.entries].map(([k, v]) => [k as string, plain(v)]));
      expect(got).toEqual(expected.dtypes.nested);
      expect(Object.isFrozen(plain(nested.entries.get('tuple')))).toBe(false);
      expect(Object.isFrozen(nested.entries.get('tuple'))).toBe(true);
    });

    it(`${format}: a training checkpoint (module. keys, optimizer state, epoch) loads its state_dict`, async () => {
      const want = expected.block_train.state;
      for (const options of [undefined, { key: 'state_dict' }]) {
        const block = tinyBlock();
        loadTorchCheckpoint(block, pth(`block-train.${format}.pth`), options);
        const entries = stateEntries('test', block);
        expect([...entries.keys()].sort()).toEqual(Object.keys(want).sort());
        for (const [name, entry] of entries) {
          const torchLayout = entry.toTorch
            ? tf.transpose(entry.variable, entry.toTorch)
            : tf.clone(entry.variable);
          const values = Array.from(await torchLayout.data());
          torchLayout.dispose();
          expect(values, name).toEqual(expectedValues(want[name]!).map((v) => Number(v)));
        }
        expect(block.bnH!.numBatchesTracked).toBe(2);
        block.dispose();
      }
    });

    it(`${format}: a Node Buffer that is a view into a larger buffer, at an odd offset`, async () => {
      const file = pth(`block-train.${format}.pth`);
      const view = Buffer.concat([
        Buffer.alloc(13, 7),
        Buffer.from(file),
        Buffer.alloc(5),
      ]).subarray(13, 13 + file.length);
      const a = tinyBlock();
      const b = tinyBlock();
      loadTorchCheckpoint(a, view);
      loadTorchCheckpoint(b, file);
      expect(await snapshot(a)).toEqual(await snapshot(b));
      a.dispose();
      b.dispose();
    });

    it(`${format}: options.key picks the entry; a wrong key says what the file holds`, async () => {
      const block = tinyBlock();
      const bytes = pth(`block-train.${format}.pth`);
      await expectRejected(
        block,
        bytes,
        /options\.key "weights" is not in the checkpoint \(its keys: "epoch", "arch", "state_dict"/,
        {
          key: 'weights',
        },
      );
      await expectRejected(block, bytes, /"state" holds a dict, not a tensor/, {
        key: 'optimizer',
      });
      await expectRejected(block, bytes, /options\.key "epoch" holds a int, not a state dict/, {
        key: 'epoch',
      });
      block.dispose();
    });
  }

  it('a state dict without num_batches_tracked loads as PyTorch loads it: 0 for metadata version 1, refused for 2', async () => {
    const old = tinyBlock();
    loadTorchCheckpoint(old, pth('block-bn-v1.zip.pth'));
    expect(old.bnH!.numBatchesTracked).toBe(0);
    expect(old.bnL!.numBatchesTracked).toBe(0);
    const current = tinyBlock();
    await expectRejected(
      current,
      pth('block-bn-v2.zip.pth'),
      /matched 12 of 14 keys; 2 problems: missing key "bn_h\.num_batches_tracked"; missing key "bn_l\.num_batches_tracked"/,
    );
    old.dispose();
    current.dispose();
  });

  it('options are validated', () => {
    const block = tinyBlock();
    const bytes = pth('block-train.zip.pth');
    for (const options of [{ key: 3 }, { key: '' }, { keys: 'state_dict' }, 'state_dict']) {
      const error = captureError(() =>
        loadTorchCheckpoint(block, bytes, options as unknown as { key: string }),
      );
      expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    }
    block.dispose();
  });

  it('a ZIP64 archive reads like a plain one; a compressed entry says to keep torch.save’s file', async () => {
    const entries = unzipStored(pth('block-train.zip.pth'));
    const block = tinyBlock();
    loadTorchCheckpoint(block, makeZip(entries, { zip64: true }));
    const reference = tinyBlock();
    loadTorchCheckpoint(reference, pth('block-train.zip.pth'));
    expect(await snapshot(block)).toEqual(await snapshot(reference));
    await expectRejected(
      block,
      makeZip(entries, { method: 8 }),
      /is compressed \(method deflate\).*zip -0/,
    );
    block.dispose();
    reference.dispose();
  });
});

function scaled(tolerance: Tolerance, factor: number): Tolerance {
  return { atol: tolerance.atol * factor, rtol: tolerance.rtol * factor };
}

await describeEachBackend('a real torch.save MiniOctNet', ({ tolerance }) => {
  for (const format of FORMATS) {
    it(`${format}: loads strictly and gives PyTorch's logits; the same state as its safetensors twin`, async () => {
      const { config, input, logits } = fixtures.mini_checkpoint;
      const net = new MiniOctNet({
        inChannels: config.in_channels,
        numClasses: config.num_classes,
        alpha: config.alpha,
        random: 3,
      });
      loadTorchCheckpoint(net, pth(`mini-oct-net.${format}.pth`));
      net.eval();
      const x = nhwc(input.x);
      const y = net.apply(x);
      assertClose('logits', await read(y), logits.data, scaled(tolerance, 10));
      // Bit-identical state: saving it gives the committed safetensors file.
      const twin = new MiniOctNet({ random: 4 });
      loadTorchCheckpoint(twin, await saveTorchCheckpoint(net));
      expect(await snapshot(twin)).toEqual(await snapshot(net));
      tf.dispose([x, y]);
      net.dispose();
      twin.dispose();
    });
  }
});

describe('hostile and broken .pth files [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));
  const system = pickleBytes([0x80, 0x02], 'cos\nsystem\n', [0x58, 2, 0, 0, 0], 'ls', [0x85], 'R.');

  it('a pickle asking for os.system is refused by name, in both formats, before anything runs', async () => {
    const block = tinyBlock();
    await expectRejected(
      block,
      legacyFile(system),
      /Python global os\.system, which is not allowed/,
    );
    await expectRejected(
      block,
      makeZip([['archive/data.pkl', system]]),
      /archive\/data\.pkl: the pickle asks for the Python global os\.system/,
    );
    // Also as a plain pickle and with STACK_GLOBAL (protocol 4).
    await expectRejected(block, system, /os\.system/);
    const stackGlobal = pickleBytes(
      [0x80, 0x04, 0x8c, 0x05],
      'posix',
      [0x8c, 0x06],
      'system',
      [0x93, 0x8c, 0x02],
      'ls',
      [0x85],
      'R.',
    );
    await expectRejected(block, legacyFile(stackGlobal), /posix\.system/);
    // TorchScript archives name their own classes.
    const script = pickleBytes([0x80, 0x02], 'c__torch__\nNet\n)\x81.');
    await expectRejected(
      block,
      makeZip([['archive/data.pkl', script]]),
      /__torch__\.Net.*TorchScript archive \(torch\.jit\.save\)/,
    );
    // A whole pickled nn.Module gets told to save the state dict.
    const model = pickleBytes([0x80, 0x02], 'ctorch.nn.modules.conv\nConv2d\n)\x81.');
    await expectRejected(
      block,
      legacyFile(model),
      /torch\.nn\.modules\.conv\.Conv2d.*save model\.state_dict\(\)/,
    );
    block.dispose();
  });

  it('truncated zip and legacy files say they are truncated', async () => {
    const block = tinyBlock();
    for (const format of FORMATS) {
      const whole = pth(`block-train.${format}.pth`);
      for (const fraction of [0.05, 0.3, 0.6, 0.9, 0.999]) {
        const cut = whole.subarray(0, Math.floor(whole.length * fraction));
        await expectRejected(block, cut, /truncated|cut short|damaged/);
      }
    }
    block.dispose();
  });

  it('a storage shorter than its tensor, a zip without data.pkl, a missing storage', async () => {
    const block = tinyBlock();
    const entries = unzipStored(pth('block-train.zip.pth'));
    const shortened = entries.map(([name, data]): [string, Uint8Array] =>
      name.endsWith('/data/0') ? [name, data.subarray(0, data.length - 4)] : [name, data],
    );
    await expectRejected(
      block,
      makeZip(shortened),
      /storage 0 holds \d+ bytes, shorter than the \d+/,
    );
    const withoutPickle = entries.filter(([name]) => !name.endsWith('data.pkl'));
    await expectRejected(block, makeZip(withoutPickle), /a zip archive without <name>\/data\.pkl/);
    const withoutStorage = entries.filter(([name]) => !name.endsWith('/data/1'));
    await expectRejected(block, makeZip(withoutStorage), /storage 1 is missing from the archive/);
    // Legacy: a storage whose declared element count is larger than the data that follows.
    const legacy = pth('block-train.legacy.pth').slice();
    await expectRejected(block, legacy.subarray(0, legacy.length - 1), /truncated/);
    block.dispose();
  });

  it('100,000 nested brackets, marks, stack values or a million memo entries hit a limit, quickly', async () => {
    const block = tinyBlock();
    // ']' × 100,000 is the pickle of a list nested 100,000 deep (less its memo puts).
    const deep = [
      pickleBytes([0x80, 0x02], ']'.repeat(100_000), 'a'.repeat(99_999), '.'),
      pickleBytes([0x80, 0x02], '('.repeat(100_000), 't'.repeat(100_000), '.'),
      pickleBytes([0x80, 0x02], '}q\x00', 'h\x00'.repeat(100_000), '.'),
    ];
    // 1,000,001 memo entries, all of the same dict (5 MB of LONG_BINPUT).
    const memo = new Uint8Array(2 + 1 + 5 * 1_000_001 + 1);
    memo.set([0x80, 0x02, 0x7d]);
    for (let i = 0; i < 1_000_001; i++) {
      memo[3 + 5 * i] = 0x72;
      new DataView(memo.buffer).setUint32(4 + 5 * i, i, true);
    }
    memo[memo.length - 1] = 0x2e;
    await expectRejected(block, legacyFile(memo), /more than 1000000 memoized objects/);
    for (const pickle of deep) {
      await expectRejected(
        block,
        legacyFile(pickle),
        /more than [\d,]+ (values on the pickle stack|nested MARKs)/,
      );
      await expectRejected(block, makeZip([['archive/data.pkl', pickle]]), /more than/);
    }
    block.dispose();
  });

  it('a plain pickle, random bytes and another architecture’s checkpoint are CheckpointErrors', async () => {
    const block = tinyBlock();
    const plainPickle = pickleBytes(
      [0x80, 0x02, 0x7d, 0x71, 0x00, 0x58, 1, 0, 0, 0],
      'a',
      'K\x01s.',
    );
    await expectRejected(
      block,
      plainPickle,
      /a plain pickle \(pickle\.dump\), not a torch\.save file/,
    );
    let seed = 7;
    const random = Uint8Array.from({ length: 4096 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >> 16;
    });
    await expectRejected(
      block,
      random,
      /not a checkpoint this package recognises \(4096 bytes; the first are/,
    );
    const mini = pth('mini-oct-net.zip.pth');
    const error = await expectRejected(
      block,
      mini,
      /matched 0 of 14 keys; \d+ problems, the first 10: .*Likely cause: no key of the OctaveConvBlock is in the checkpoint: it is another architecture's/,
    );
    expect(error.message.length).toBeLessThan(4000);
    block.dispose();
    const resnet = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 });
    const count = tf.memory().numTensors;
    const start = performance.now();
    const resnetError = captureError(() => loadTorchCheckpoint(resnet, mini)) as CheckpointError;
    expect(performance.now() - start).toBeLessThan(3000);
    expect(CheckpointError.isInstance(resnetError)).toBe(true);
    expect(resnetError.message).toMatch(
      /does not fit OctResNet: matched 1 of \d+ keys; \d+ problems, the first 10: .*Likely cause: only 1 of \d+ keys of the OctResNet is in the checkpoint: it is another architecture's/,
    );
    expect(resnetError.message.length).toBeLessThan(4000);
    expect(resnetError.problems.length).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(count);
    resnet.dispose();
  });
});

describe('wrong file kinds say what they are [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));
  const text = (s: string) => new TextEncoder().encode(s);
  const kinds: [string, Uint8Array, RegExp][] = [
    [
      'ONNX',
      pickleBytes(
        [0x08, 0x07, 0x12, 0x07],
        'pytorch',
        [0x1a, 0x03],
        '1.13',
        [0x3a, 0x10],
        'x'.repeat(16),
      ),
      /this is an ONNX model, not a PyTorch checkpoint/,
    ],
    [
      'HDF5 / Keras .h5',
      pickleBytes([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 0, 0, 8, 8, 0]),
      /this is an HDF5 file \(a Keras \.h5 model or weights\)/,
    ],
    [
      'tfjs model.json',
      text('{"format":"layers-model","modelTopology":{},"weightsManifest":[]}'),
      /this is a TensorFlow\.js model\.json/,
    ],
    [
      'our own model.json',
      text('{"modelTopology":{"format":"octconv-module","module":"MiniOctNet"}}'),
      /written by saveModule.*loadModule/,
    ],
    ['JSON', text('{"a": [1, 2, 3]}'), /this is a JSON text file/],
    ['text', text('hello, this is not a model\n'), /this is a text file \(it starts with "hello/],
    ['HTML', text('<!DOCTYPE html><html><body>404</body></html>'), /this is an HTML page/],
    [
      'gzip',
      pickleBytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]),
      /gzip-compressed: decompress it first/,
    ],
    ['empty', new Uint8Array(0), /the file is empty/],
    [
      'a Keras 3 .keras zip',
      makeZip([
        ['metadata.json', text('{}')],
        ['config.json', text('{}')],
        ['model.weights.h5', new Uint8Array(8)],
      ]),
      /this is a Keras 3 \.keras archive: a zip archive without <name>\/data\.pkl, so not a torch\.save file \(it holds "metadata\.json"/,
    ],
  ];
  for (const [label, bytes, pattern] of kinds) {
    it(label, async () => {
      const block = tinyBlock();
      await expectRejected(block, bytes, pattern);
      block.dispose();
    });
  }
});

describe('mismatch summary and guesses [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));
  it('another α, number of classes or channels: bounded message, a guess that says what to pass', async () => {
    const bytes = pth('mini-oct-net.zip.pth');
    const quarter = new MiniOctNet({ alpha: 0.25, random: 1 });
    await expectRejected(
      quarter,
      bytes,
      /the checkpoint was saved with α ≈ 0\.5 .* create it with alpha: 0\.5/,
    );
    quarter.dispose();
    const plainNet = new MiniOctNet({ alpha: 0, random: 1 });
    await expectRejected(plainNet, bytes, /low-band weights and the module none/);
    plainNet.dispose();
    const classes = new MiniOctNet({ numClasses: 5, random: 1 });
    await expectRejected(
      classes,
      bytes,
      /matched 34 of 36 keys; 2 problems: .*classifies 10 classes \(fc\.weight is \[10, 128\]\), the module 5: create it with numClasses: 10/,
    );
    classes.dispose();
    const gray = new MiniOctNet({ inChannels: 1, random: 1 });
    await expectRejected(
      gray,
      bytes,
      /takes 3 image channels, the module's 1: create it with inChannels: 3/,
    );
    gray.dispose();
  });

  it('depth, d-li14 names, prefixes (from key and shape lists alone)', () => {
    const shapes = (keys: string[]) => new Map(keys.map((k) => [k, [4, 4, 1, 1]]));
    const resnetKeys = (blocks: number[], leaf: string) =>
      blocks.flatMap((n, s) => Array.from({ length: n }, (_, b) => `layer${s + 1}.${b}.${leaf}`));
    const module = { moduleName: 'OctResNet', depth: 26, alpha: 0.5 };
    const ours26 = shapes(resnetKeys([2, 2, 2, 2], 'conv1.hh.weight'));
    const ours50 = shapes(resnetKeys([3, 4, 6, 3], 'conv1.hh.weight'));
    expect(guessMismatch(module, ours26, ours50).join('\n')).toMatch(
      /\[3, 4, 6, 3\] blocks per stage \(depth 50\), the module \[2, 2, 2, 2\] \(depth 26\): create the module with depth: 50/,
    );
    const theirs = shapes(resnetKeys([3, 4, 6, 3], 'conv1.conv.conv_h2h.weight'));
    expect(guessMismatch(module, ours26, theirs).join('\n')).toMatch(
      /d-li14\/octconv\.pytorch's names .*octResNet\(\{ depth: 50, alpha: 0\.5, variant: 'd-li14' \}\)/,
    );
    expect(guessMismatch({ moduleName: 'OctResNet' }, theirs, ours50).join('\n')).toMatch(
      /own Oct-ResNet names/,
    );
    const wrapped = shapes([...ours26.keys()].map((k) => `model.${k}`));
    expect(guessMismatch(module, ours26, wrapped).join('\n')).toMatch(
      /every key of the checkpoint starts with "model\." .* 8 of 8 keys match/,
    );
    const half = shapes([...ours26.keys()].map((k, i) => (i % 2 ? `module.${k}` : k)));
    expect(guessMismatch(module, ours26, half).join('\n')).toMatch(
      /4 of 8 keys start with "module\."/,
    );
  });

  it('a safetensors file with module. keys loads too (the prefix is removed for every format)', async () => {
    const block = tinyBlock();
    loadTorchCheckpoint(block, pth('block-train.zip.pth'));
    const saved = await saveTorchCheckpoint(block);
    const length = new DataView(saved.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(saved.subarray(8, 8 + length))) as Record<
      string,
      unknown
    >;
    const renamed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(header))
      renamed[k === '__metadata__' ? k : `module.${k}`] = v;
    const json = new TextEncoder().encode(JSON.stringify(renamed));
    const file = new Uint8Array(8 + json.length + saved.length - 8 - length);
    new DataView(file.buffer).setUint32(0, json.length, true);
    file.set(json, 8);
    file.set(saved.subarray(8 + length), 8 + json.length);
    const other = tinyBlock();
    loadTorchCheckpoint(other, file);
    expect(await snapshot(other)).toEqual(await snapshot(block));
    block.dispose();
    other.dispose();
  });
});
