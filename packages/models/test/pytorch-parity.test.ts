// Parity with the seed's PyTorch modules (fixtures/make_fixtures.py, Debian python3-torch):
// OctaveConvBlock and MiniOctNet in eval and train mode — outputs, running statistics after the
// forward, gradients of every parameter and of the input — on every backend. The state goes in
// through loadTorchCheckpoint and comes out through saveTorchCheckpoint, so both conversions
// (OIHW ↔ HWIO, [out, in] ↔ [in, out], int64 counters) are part of every case.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseSafetensors,
  readFloat32,
  readIntegers,
  type SafetensorsInput,
  serializeSafetensors,
} from '@octconv/checkpoint/internal';
import { add, softmaxCrossEntropy } from '@octconv/core';
import { assertClose, describeEachBackend, read, type Tolerance } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { stateEntries } from '../src/checkpoint/state';
import {
  loadTorchCheckpoint,
  MiniOctNet,
  type Module,
  OctaveConvBlock,
  saveTorchCheckpoint,
} from '../src/index';
import {
  FIXTURES,
  type FixtureCase,
  type FixtureTensor,
  fixtures,
  nhwc,
  nhwcValues,
  values,
} from './fixtures';

const weightedSum = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [y, r, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([y, r]);
  return {
    value: tf.sum(tf.mul(y, r)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[1]!), tf.mul(dy, saved[0]!)],
  };
});

function stateBytes(state: Record<string, FixtureTensor>, file?: string): Uint8Array {
  const tensors = new Map<string, SafetensorsInput>();
  for (const [name, tensor] of Object.entries(state)) {
    const { shape, data } = values(tensor, file);
    const integer = name.endsWith('num_batches_tracked');
    tensors.set(
      name,
      integer
        ? { dtype: 'I64', shape, values: BigInt64Array.from(Array.from(data, (v) => BigInt(v))) }
        : { dtype: 'F32', shape, values: Float32Array.from(data) },
    );
  }
  return serializeSafetensors(tensors);
}

function build(c: FixtureCase): Module {
  const k = c.config;
  if (c.module === 'block') {
    return new OctaveConvBlock({
      inChannels: k.cin!,
      outChannels: k.cout!,
      alphaIn: k.alpha_in!,
      alphaOut: k.alpha_out!,
      kernelSize: k.kernel_size!,
      stride: k.stride as 1 | 2,
      padding: k.padding!,
      // The seed passes its stride to all four convolutions.
      strideMode: 'conv',
      random: 1,
    });
  }
  return new MiniOctNet({
    inChannels: k.in_channels!,
    numClasses: k.num_classes!,
    alpha: k.alpha!,
    random: 1,
  });
}

function scaled(tolerance: Tolerance, factor: number): Tolerance {
  return { atol: tolerance.atol * factor, rtol: tolerance.rtol * factor };
}

await describeEachBackend('PyTorch parity of the seed modules', ({ tolerance }) => {
  // float32 through batch norm (a division by a batch std) against a float64 reference.
  const loose = scaled(tolerance, 10);
  for (const c of fixtures.cases) {
    it(c.name, async () => {
      const module = build(c);
      loadTorchCheckpoint(module, stateBytes(c.state, c.tensors_file));
      module.train(c.mode === 'train');
      const before = tf.memory().numTensors;
      const inputs: Record<string, tf.Variable> = {};
      for (const [name, tensor] of Object.entries(c.input)) {
        if (!tensor) continue;
        const initial = nhwc(tensor, c.tensors_file);
        inputs[name] = tf.variable(initial);
        initial.dispose();
      }
      const outputs: Record<string, tf.Tensor | null> = {};
      const { value: loss, grads } = tf.variableGrads(() => {
        if (c.module === 'block') {
          const y = (module as OctaveConvBlock).apply({
            high: (inputs.x_h as tf.Tensor4D | undefined) ?? null,
            low: (inputs.x_l as tf.Tensor4D | undefined) ?? null,
          });
          outputs.y_h = y.high && tf.keep(y.high);
          outputs.y_l = y.low && tf.keep(y.low);
          let total: tf.Scalar | null = null;
          for (const band of ['y_h', 'y_l'] as const) {
            const weights = c.loss_weights![band];
            const out = outputs[band];
            expect(out === null, `${band} presence`).toBe(weights === null);
            if (!out || !weights) continue;
            const term = weightedSum(out, nhwc(weights)) as tf.Scalar;
            total = total ? add(total, term) : term;
          }
          return total!;
        }
        const logits = (module as MiniOctNet).apply(inputs.x as tf.Tensor4D);
        outputs.logits = tf.keep(logits);
        return softmaxCrossEntropy(logits, c.labels!);
      }, [...module.parameters(), ...Object.values(inputs)]);

      assertClose(`${c.name} loss`, await read(loss), [c.loss], loose);
      for (const [name, expected] of Object.entries(c.output)) {
        const actual = outputs[name] ?? null;
        expect(actual === null, `${name} presence`).toBe(expected === null);
        if (!actual || !expected) continue;
        const want = actual.rank === 4 ? nhwcValues(expected) : values(expected).data;
        assertClose(`${c.name} ${name}`, await read(actual), want, loose);
      }

      const entries = stateEntries('test', module);
      for (const [name, expected] of Object.entries(c.grads)) {
        if (expected === null) {
          expect(inputs[name], `${name} has no band`).toBeUndefined();
          continue;
        }
        if (name in inputs) {
          assertClose(
            `${c.name} d/d${name}`,
            await read(grads[inputs[name]!.name]!),
            nhwcValues(expected, c.tensors_file),
            loose,
          );
          continue;
        }
        const entry = entries.get(name)!;
        const grad = grads[entry.variable.name]!;
        const torchLayout = entry.toTorch ? tf.transpose(grad, entry.toTorch) : grad.clone();
        assertClose(
          `${c.name} d/d${name}`,
          await read(torchLayout),
          values(expected, c.tensors_file).data,
          loose,
        );
        torchLayout.dispose();
      }

      const saved = parseSafetensors('test', await saveTorchCheckpoint(module));
      expect([...saved.tensors.keys()].sort()).toEqual(Object.keys(c.state_after).sort());
      for (const [name, expected] of Object.entries(c.state_after)) {
        const entry = saved.tensors.get(name)!;
        const actual = entry.dtype === 'I64' ? readIntegers(entry) : readFloat32(entry);
        assertClose(
          `${c.name} state_after ${name}`,
          actual,
          values(expected, c.tensors_file).data,
          loose,
        );
      }

      tf.dispose([
        loss,
        ...Object.values(grads),
        ...Object.values(outputs).filter((t) => t !== null),
      ]);
      tf.dispose(Object.values(inputs));
      expect(tf.memory().numTensors).toBe(before);
      module.dispose();
    });
  }

  it('the seed checkpoint (PyTorch-trained MiniOctNet) loads strictly, gives its logits and saves back byte for byte', async () => {
    const { file, config, parameter_count: count, input, logits } = fixtures.mini_checkpoint;
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, file)));
    const net = new MiniOctNet({
      inChannels: config.in_channels,
      numClasses: config.num_classes,
      alpha: config.alpha,
      random: 3,
    });
    expect(net.parameterCount()).toBe(count);
    loadTorchCheckpoint(net, bytes);
    net.eval();
    const x = nhwc(input.x);
    const y = net.apply(x);
    assertClose('logits', await read(y), logits.data, scaled(tolerance, 10));
    expect(Buffer.from(await saveTorchCheckpoint(net)).equals(Buffer.from(bytes))).toBe(true);
    tf.dispose([x, y]);
    net.dispose();
  });
});
