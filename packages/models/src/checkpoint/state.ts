import { InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm2d';
import type { Module } from '../module/module';
import {
  guessMismatch,
  likelyRenames,
  mismatchMessage,
  otherProblem,
  StateDictMismatchError,
  type StateDictProblem,
} from './mismatch';

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
    const { torchShape, fromTorch, toTorch } = torchLayout(variable.shape);
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

/**
 * @internal PyTorch's shape of a variable of shape `shape` and the permutations between the
 * layouts: rank 4 is a convolution filter (HWIO here, OIHW there), rank 2 a linear weight
 * (`[in, out]` here, `[out, in]` there); anything else is the same in both.
 */
export function torchLayout(shape: readonly number[]): {
  torchShape: number[];
  fromTorch: number[] | null;
  toTorch: number[] | null;
} {
  if (shape.length === 4) {
    const [kh, kw, cin, cout] = shape as [number, number, number, number];
    return { torchShape: [cout, cin, kh, kw], fromTorch: [2, 3, 1, 0], toTorch: [3, 2, 0, 1] };
  }
  if (shape.length === 2) {
    return { torchShape: [shape[1]!, shape[0]!], fromTorch: [1, 0], toTorch: [1, 0] };
  }
  return { torchShape: [...shape], fromTorch: null, toTorch: null };
}

/** One entry of {@link stateDictShapes}. */
export interface StateDictShape {
  /** The state-dict key, e.g. `layer1.0.conv1.hh.weight`. */
  name: string;
  /** PyTorch's shape: OIHW for convolution filters, `[out, in]` for linear weights. */
  shape: number[];
  /** A trainable parameter, or a buffer (batch norm's running statistics and count). */
  kind: 'parameter' | 'buffer';
}

/**
 * Which names and shapes a module expects from a checkpoint: what `model.state_dict()` of the
 * equivalent PyTorch module lists, in its order (each module's parameters, then its buffers,
 * then its submodules), parameters and buffers together, with PyTorch's shapes. Compare it with
 * `{k: list(v.shape) for k, v in torch.load(path).items()}`, or with {@link readTorchStateDict}'s
 * keys, to see why a file does not load; `loadTorchCheckpoint`'s `rename` maps the file's names
 * onto these.
 *
 * @throws InvalidArgumentError when `module` is not a live module.
 */
export function stateDictShapes(module: Module): StateDictShape[] {
  stateEntries('stateDictShapes', module);
  return module.namedState().map(({ name, variable, kind }) => ({
    name,
    shape: torchLayout(variable.shape).torchShape,
    kind,
  }));
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
  knownProblems: readonly (string | StateDictProblem)[] = [],
): void {
  const entries = stateEntries(functionName, module);
  const problems: StateDictProblem[] = knownProblems.map((problem) =>
    typeof problem === 'string' ? otherProblem(problem) : problem,
  );
  const expectedShapes = new Map<string, readonly number[]>();
  for (const [name, entry] of entries) {
    expectedShapes.set(name, layout === 'torch' ? entry.torchShape : entry.variable.shape);
  }
  const shapes = new Map<string, readonly number[]>();
  for (const [name, value] of incoming) shapes.set(name, value.shape);
  const missing = new Map<string, StateDictProblem>();
  for (const [name, entry] of entries) {
    const expected = expectedShapes.get(name)!;
    const value = incoming.get(name);
    if (value === undefined) {
      missing.set(name, {
        kind: 'missing',
        key: name,
        expected,
        message: `missing key ${JSON.stringify(name)}`,
      });
      continue;
    }
    if (
      value.shape.length !== expected.length ||
      value.shape.some((size, i) => size !== expected[i])
    ) {
      problems.push({
        kind: 'shape',
        key: name,
        expected,
        got: value.shape,
        message: `${JSON.stringify(name)}: shape [${value.shape.join(', ')}] in the checkpoint, [${expected.join(', ')}] in the module`,
      });
    }
    if (value.integer !== entry.integer) {
      problems.push({
        kind: 'dtype',
        key: name,
        expected: entry.integer ? 'int64' : 'float32',
        got: value.dtype,
        message: `${JSON.stringify(name)}: dtype ${value.dtype} in the checkpoint, the module holds ${entry.integer ? 'an integer' : 'a float'} tensor`,
      });
    }
  }
  const unexpected = new Map<string, StateDictProblem>();
  for (const [name, value] of incoming) {
    if (!entries.has(name)) {
      unexpected.set(name, {
        kind: 'unexpected',
        key: name,
        got: value.shape,
        message: `unexpected key ${JSON.stringify(name)}`,
      });
    }
  }
  if (problems.length > 0 || missing.size > 0 || unexpected.size > 0) {
    // The pairs that look like renames come first, each missing key beside its likely source.
    const renames = likelyRenames(expectedShapes, shapes);
    // What the file itself says comes first, then the pairs, then the rest.
    const ordered: StateDictProblem[] = problems.filter((p) => p.kind === 'other');
    for (const pair of renames) {
      const problem = missing.get(pair.to)!;
      ordered.push({
        ...problem,
        message: `${problem.message} (the file's ${JSON.stringify(pair.from)} has that shape and a similar name)`,
      });
      ordered.push(unexpected.get(pair.from)!);
      missing.delete(pair.to);
      unexpected.delete(pair.from);
    }
    ordered.push(
      ...problems.filter((p) => p.kind !== 'other'),
      ...missing.values(),
      ...unexpected.values(),
    );
    const guesses = layout === 'torch' ? guessMismatch(module, expectedShapes, shapes) : [];
    throw new StateDictMismatchError({
      functionName,
      message: mismatchMessage(
        module.moduleName,
        expectedShapes,
        shapes,
        ordered.map((problem) => problem.message),
        guesses,
        renames,
      ),
      mismatches: ordered,
      renames,
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
