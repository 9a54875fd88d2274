// Self-describing saves: saveModule records the architecture (class, options, variant, package
// version, training mode) and loadModule(source) rebuilds the module from it without the user's
// code; loading into an existing module keeps working. Every registered class round-trips with
// options away from their defaults, and the rebuilt module computes what the saved one did.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import { describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import packageJson from '../package.json';
import {
  BatchNorm2d,
  BUILDABLE_MODULES,
  buildModule,
  Conv2d,
  FirstOctaveConv,
  LastOctaveConv,
  Linear,
  loadModule,
  MiniOctNet,
  type Module,
  moduleArchitecture,
  OctaveBatchNorm2d,
  OctaveConv2d,
  OctaveConvBlock,
  octMobileNetV1,
  octMobileNetV2,
  octResNet,
  saveModule,
} from '../src/index';
import { fileHandler } from '../src/node/index';

/** Saves to memory and returns the artifacts. */
async function saveToMemory(module: Module): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await saveModule(
    module,
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

async function state(module: Module): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  for (const [name, variable] of [...module.namedParameters(), ...module.namedBuffers()]) {
    result.set(name, Array.from(await variable.data()));
  }
  return result;
}

const modules: [string, () => Module][] = [
  ['MiniOctNet', () => new MiniOctNet({ inChannels: 2, numClasses: 4, alpha: 0.25, random: 1 })],
  [
    'OctaveConvBlock',
    () =>
      new OctaveConvBlock({
        inChannels: 6,
        outChannels: 10,
        alphaIn: 0.25,
        alphaOut: 0.5,
        kernelSize: 1,
        stride: 2,
        padding: 0,
        strideMode: 'conv',
        random: 2,
      }),
  ],
  [
    'OctaveConv2d',
    () =>
      new OctaveConv2d({
        inChannels: 8,
        outChannels: 4,
        kernelSize: [3, 1],
        padding: 'same',
        alphaIn: 0.5,
        alphaOut: 0.25,
        bias: true,
        random: 3,
      }),
  ],
  [
    'FirstOctaveConv',
    () => new FirstOctaveConv({ inChannels: 3, outChannels: 8, alphaOut: 0.75, random: 4 }),
  ],
  [
    'LastOctaveConv',
    () =>
      new LastOctaveConv({
        inChannels: 8,
        outChannels: 5,
        alphaIn: 0.5,
        kernelSize: 1,
        padding: 0,
        random: 5,
      }),
  ],
  [
    'Conv2d',
    () =>
      new Conv2d({
        inChannels: 4,
        outChannels: 6,
        kernelSize: 3,
        stride: 2,
        padding: 1,
        groups: 2,
        bias: true,
        random: 6,
      }),
  ],
  ['Linear', () => new Linear({ inFeatures: 5, outFeatures: 3, bias: false, random: 7 })],
  ['BatchNorm2d', () => new BatchNorm2d({ numFeatures: 3, eps: 1e-3, momentum: 0.2 })],
  [
    'OctMobileNetV1',
    () => octMobileNetV1({ widthMultiplier: 0.25, alpha: 0.375, numClasses: 5, random: 8 }),
  ],
  [
    'OctMobileNetV2',
    () =>
      octMobileNetV2({
        widthMultiplier: 0.25,
        alpha: 0.5,
        numClasses: 4,
        inChannels: 1,
        random: 9,
      }),
  ],
];

await describeEachBackend('self-describing saves', () => {
  for (const [name, make] of modules) {
    it(`${name}: loadModule(source) rebuilds it with its options and state`, async () => {
      const original = make();
      original.eval();
      const architecture = moduleArchitecture(original)!;
      expect(architecture.className).toBe(name);
      expect(architecture.packageVersion).toBe(packageJson.version);
      const artifacts = await saveToMemory(original);
      const topology = artifacts.modelTopology as unknown as Record<string, unknown>;
      expect(topology.version).toBe(2);
      expect(topology.architecture).toEqual(JSON.parse(JSON.stringify(architecture)));
      const count = tf.memory().numTensors;
      const rebuilt = await loadModule(tf.io.fromMemory(artifacts));
      expect(rebuilt.moduleName).toBe(name);
      expect(Object.getPrototypeOf(rebuilt)).toBe(Object.getPrototypeOf(original));
      expect(moduleArchitecture(rebuilt)).toEqual(architecture);
      expect(rebuilt.training).toBe(false);
      expect(await state(rebuilt)).toEqual(await state(original));
      rebuilt.dispose();
      expect(tf.memory().numTensors).toBe(count);
      original.dispose();
    });
  }

  it('OctResNet records depth, alpha, classes and channels; the rebuilt network gives the same logits', async () => {
    const net = octResNet({
      depth: 26,
      alpha: 0.25,
      numClasses: 7,
      inChannels: 1,
      random: 9,
    }).eval();
    const architecture = moduleArchitecture(net)!;
    expect(architecture).toEqual({
      className: 'OctResNet',
      options: { depth: 26, alpha: 0.25, numClasses: 7, inChannels: 1, variant: 'default' },
      packageVersion: packageJson.version,
      variant: 'default',
    });
    const rebuilt = await loadModule(tf.io.fromMemory(await saveToMemory(net)));
    const x = tf.randomUniform([1, 33, 33, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const a = net.apply(x);
    const b = (rebuilt as typeof net).apply(x);
    expect(Array.from(await read(b))).toEqual(Array.from(await read(a)));
    tf.dispose([x, a, b]);
    net.dispose();
    rebuilt.dispose();
  });

  it("OctResNet's d-li14 variant is recorded and rebuilt under its own names", async () => {
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 5, variant: 'd-li14', random: 3 });
    net.eval();
    expect(moduleArchitecture(net)).toMatchObject({ className: 'OctResNet', variant: 'd-li14' });
    const rebuilt = (await loadModule(tf.io.fromMemory(await saveToMemory(net)))) as typeof net;
    expect(rebuilt.variant).toBe('d-li14');
    expect([...rebuilt.namedParameters().keys()]).toEqual([...net.namedParameters().keys()]);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
    const a = net.apply(x);
    const b = rebuilt.apply(x);
    expect(Array.from(await read(b))).toEqual(Array.from(await read(a)));
    tf.dispose([x, a, b]);
    net.dispose();
    rebuilt.dispose();
  });

  it('through files in Node, and into an existing module as before', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'octconv-'));
    try {
      const net = new MiniOctNet({ alpha: 0.5, numClasses: 3, random: 11 });
      await saveModule(net, fileHandler(directory));
      const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8'));
      expect(json.modelTopology.architecture.options).toEqual({
        inChannels: 3,
        numClasses: 3,
        alpha: 0.5,
      });
      expect(json.modelTopology.training).toBe(true);
      const rebuilt = await loadModule(fileHandler(directory));
      expect(rebuilt).toBeInstanceOf(MiniOctNet);
      expect(rebuilt.training).toBe(true);
      expect(await state(rebuilt)).toEqual(await state(net));
      const existing = new MiniOctNet({ alpha: 0.5, numClasses: 3, random: 12 });
      await loadModule(existing, fileHandler(directory));
      expect(await state(existing)).toEqual(await state(net));
      for (const m of [net, rebuilt, existing]) m.dispose();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('saves it cannot rebuild fail typed, say what to do, and leak nothing', async () => {
    const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4, random: 1 });
    const artifacts = await saveToMemory(block);
    const topology = artifacts.modelTopology as unknown as Record<string, unknown>;
    const withTopology = (changes: Record<string, unknown>) =>
      tf.io.fromMemory({ ...artifacts, modelTopology: { ...topology, ...changes } });
    const cases: [string, tf.io.IOHandler, RegExp][] = [
      [
        'a version 1 save',
        withTopology({ version: 1, architecture: undefined }),
        /records no architecture .* loadModule\(module, source\)/,
      ],
      [
        'an unknown class',
        withTopology({
          architecture: { ...(topology.architecture as object), className: 'Resnet9000' },
        }),
        /cannot rebuild a "Resnet9000" .* the modules rebuilt without your code are MiniOctNet, OctResNet/,
      ],
      [
        'options the constructor refuses (a newer variant, an edited file)',
        withTopology({
          architecture: {
            ...(topology.architecture as object),
            options: { inChannels: 4, outChannels: 4, alphaIn: 3 },
          },
        }),
        /cannot rebuild the OctaveConvBlock .* from its recorded options/,
      ],
      [
        'weights that do not fit the recorded architecture',
        withTopology({
          architecture: {
            ...(topology.architecture as object),
            options: { inChannels: 4, outChannels: 8 },
          },
        }),
        /the checkpoint does not fit OctaveConvBlock/,
      ],
      [
        'a tfjs layers model',
        tf.io.fromMemory({ modelTopology: { class_name: 'Sequential' } }),
        /not an @octconv\/models module .* tf\.loadLayersModel/,
      ],
      [
        '__proto__ as class',
        withTopology({ architecture: { className: '__proto__', options: {} } }),
        /cannot rebuild a "__proto__"/,
      ],
    ];
    for (const [label, handler, pattern] of cases) {
      const count = tf.memory().numTensors;
      const error = await loadModule(handler).catch((e: unknown) => e);
      expect(CheckpointError.isInstance(error), `${label}: ${String(error)}`).toBe(true);
      expect(String(error), label).toMatch(pattern);
      expect(tf.memory().numTensors, `${label} leaked`).toBe(count);
    }
    expect(
      InvalidArgumentError.isInstance(
        captureBuild(() => buildModule(null as unknown as Parameters<typeof buildModule>[0])),
      ),
    ).toBe(true);
    block.dispose();
  });

  it('modules outside the registry save without an architecture and load into a module', async () => {
    class Custom extends MiniOctNet {}
    const custom = new Custom({ random: 1 });
    expect(moduleArchitecture(custom)).toBeNull();
    const bn = new OctaveBatchNorm2d({ channels: 8, alpha: 0.5 });
    expect(moduleArchitecture(bn)).toBeNull();
    const artifacts = await saveToMemory(custom);
    expect((artifacts.modelTopology as Record<string, unknown>).architecture).toBeUndefined();
    const error = await loadModule(tf.io.fromMemory(artifacts)).catch((e: unknown) => e);
    expect(String(error)).toMatch(/records no architecture/);
    const into = new MiniOctNet({ random: 2 });
    await loadModule(into, tf.io.fromMemory(artifacts));
    expect(await state(into)).toEqual(await state(custom));
    expect(BUILDABLE_MODULES).toContain('OctResNet');
    for (const m of [custom, bn, into]) m.dispose();
  });
});

function captureBuild(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
