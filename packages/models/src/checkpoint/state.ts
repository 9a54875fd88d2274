import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm2d';
import type { Module } from '../module/module';
import { guessMismatch, mismatchMessage } from './mismatch';

/** @internal One entry of a module's state dict, with its PyTorch layout. */
export interface StateEntry {
  name: string;
  variable: tf.Variable;
  /** Integer buffers (`num_batches_tracked`) vs float parameters and statistics. */
  integer: boolean;
  /** Shape in a PyTorch checkpoint (OIHW convolutions, `[out, in]` linear weights). */
  torchShape: number[];
  /** Permutation from the PyTorch layout to ours, or null when they are the same. */
  fromTorch: number[] | null;
  /** Permutation from our layout to PyTorch's. */
  toTorch: number[] | null;
  /** The batch norm that owns a `num_batches_tracked` buffer. */
  batchNorm: BatchNorm2d | null;
}

/**
 * @internal The state dict of `module` (every parameter, then every buffer; the same keys as
 * `state_dict()`, which interleaves them per module), with layouts: rank-4 variables are convolution filters (HWIO ↔ OIHW),
 * rank-2 variables linear weights (`[in, out]` ↔ `[out, in]`).
 */
export function stateEntries(functionName: string, module: Module): Map<string, StateEntry> {
  if (
    module === null ||
    typeof module !== 'object' ||
    typeof module.namedParameters !== 'function'
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'module',
      value: module,
      message: `module must be an @octconv/models module, got ${String(module)}`,
    });
  }
  if (module.disposed) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'module',
      value: module.moduleName,
      message: 'the module has been disposed',
    });
  }
  const modules = module.namedModules();
  const entries = new Map<string, StateEntry>();
  const add = (name: string, variable: tf.Variable) => {
    const shape = variable.shape;
    let torchShape = shape;
    let fromTorch: number[] | null = null;
    let toTorch: number[] | null = null;
    if (shape.length === 4) {
      const [kh, kw, cin, cout] = shape as [number, number, number, number];
      torchShape = [cout, cin, kh, kw];
      fromTorch = [2, 3, 1, 0];
      toTorch = [3, 2, 0, 1];
    } else if (shape.length === 2) {
      torchShape = [shape[1]!, shape[0]!];
      fromTorch = [1, 0];
      toTorch = [1, 0];
    }
    const owner = modules.get(name.slice(0, Math.max(name.lastIndexOf('.'), 0)));
    entries.set(name, {
      name,
      variable,
      integer: variable.dtype === 'int32',
      torchShape,
      fromTorch,
      toTorch,
      batchNorm: owner instanceof BatchNorm2d ? owner : null,
    });
  };
  for (const [name, variable] of module.namedParameters()) add(name, variable);
  for (const [name, variable] of module.namedBuffers()) add(name, variable);
  return entries;
}

/** @internal A value to assign: checked metadata first, tensor made only after every check. */
export interface IncomingValue {
  /** Layout the shape is in. */
  shape: number[];
  integer: boolean;
  /** Human-readable dtype for messages. */
  dtype: string;
  /** Creates the tensor in the layout of `shape`. */
  make(): tf.Tensor;
  /** The value of an integer scalar (`num_batches_tracked`), known without a download. */
  scalar?: number;
}

/**
 * @internal Strict `load_state_dict`: every expected key present with its shape and kind, no
 * unexpected key; then every tensor is created, and only then assigned, so a failure leaves
 * the module as it was. `layout` says whether incoming shapes are PyTorch's or ours.
 */
export function assignState(
  functionName: string,
  module: Module,
  incoming: Map<string, IncomingValue>,
  layout: 'torch' | 'native',
  knownProblems: readonly string[] = [],
): void {
  const entries = stateEntries(functionName, module);
  const problems: string[] = [...knownProblems];
  for (const [name, entry] of entries) {
    const value = incoming.get(name);
    if (value === undefined) {
      problems.push(`missing key ${JSON.stringify(name)}`);
      continue;
    }
    const expected = layout === 'torch' ? entry.torchShape : entry.variable.shape;
    if (
      value.shape.length !== expected.length ||
      value.shape.some((size, i) => size !== expected[i])
    ) {
      problems.push(
        `${JSON.stringify(name)}: shape [${value.shape.join(', ')}] in the checkpoint, [${expected.join(', ')}] in the module`,
      );
    }
    if (value.integer !== entry.integer) {
      problems.push(
        `${JSON.stringify(name)}: dtype ${value.dtype} in the checkpoint, the module holds ${entry.integer ? 'an integer' : 'a float'} tensor`,
      );
    }
  }
  for (const name of incoming.keys()) {
    if (!entries.has(name)) problems.push(`unexpected key ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) {
    const expected = new Map<string, readonly number[]>();
    for (const [name, entry] of entries) {
      expected.set(name, layout === 'torch' ? entry.torchShape : entry.variable.shape);
    }
    const shapes = new Map<string, readonly number[]>();
    for (const [name, value] of incoming) shapes.set(name, value.shape);
    const guesses = layout === 'torch' ? guessMismatch(module, expected, shapes) : [];
    throw new CheckpointError({
      functionName,
      message: mismatchMessage(module.moduleName, expected, shapes, problems, guesses),
      problems,
    });
  }
  const made: tf.Tensor[] = [];
  try {
    for (const [name, entry] of entries) {
      const value = incoming.get(name)!;
      made.push(
        tf.tidy(() => {
          const tensor = value.make();
          const permutation = layout === 'torch' ? entry.fromTorch : null;
          const arranged = permutation ? tf.transpose(tensor, permutation) : tensor;
          return entry.integer ? tf.cast(arranged, 'int32') : tf.cast(arranged, 'float32');
        }),
      );
    }
  } catch (error) {
    tf.dispose(made);
    throw error;
  }
  let index = 0;
  for (const [name, entry] of entries) {
    const tensor = made[index++]!;
    entry.variable.assign(tensor);
    tensor.dispose();
    const count = incoming.get(name)!.scalar;
    if (entry.batchNorm && count !== undefined) entry.batchNorm.setNumBatchesTracked(count);
  }
}
