import { CheckpointError } from '@octconv/core/shape';
import { dataView, decodeBFloat16, decodeFloat16, latin1Bytes, readUint64 } from './bytes';
import { NumpyArray, numpyGlobal } from './numpy';
import { type PickleCallable, PickleDict, PickleObject, unpickle } from './pickle';
import { ZipArchive } from './zip';

/** Element types of tensors in a `torch.save` file that this package reads. */
export type TorchDtype =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

const STORAGE_TYPES: Record<string, TorchDtype> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const ITEM_SIZE: Record<TorchDtype, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Whether `dtype` is a float type (a float parameter may be cast from it). */
export function isTorchFloat(dtype: TorchDtype): boolean {
  return dtype === 'float64' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16';
}

/** The `MAGIC_NUMBER` that opens a legacy (PyTorch < 1.6) `torch.save` file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** @internal The bytes behind one or more tensors (`torch.FloatStorage`, …). */
interface StorageRoot {
  key: string;
  dtype: TorchDtype;
  /** Elements the file declares. */
  numel: number;
  /** Filled in once the storage's data is located. */
  bytes: Uint8Array | null;
  /** Why the data could not be located (missing, short): reported with the tensor's key. */
  problem?: string;
}

/** @internal A storage as a tensor sees it: a root and an element offset (legacy views). */
class StorageRef {
  constructor(
    readonly root: StorageRoot,
    readonly elementOffset: number,
    readonly numel: number,
  ) {}
}

/**
 * One tensor of a `torch.save` file: dtype, shape, strides and offset into its storage, as
 * PyTorch rebuilds it. The values are read only when asked for ({@link TorchTensor.toFloat32},
 * {@link TorchTensor.values}), contiguously in row-major order whatever the strides.
 */
export class TorchTensor {
  /** @internal */
  constructor(
    readonly dtype: TorchDtype,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    /** Offset in elements into the storage. */
    readonly offset: number,
    /** @internal */
    readonly storage: StorageRef,
  ) {}

  /** The dtype as the file names it (the same as `dtype` for a `.pth`). */
  get fileDtype(): string {
    return this.dtype;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Key of the storage in the file; tensors that share one have the same key. */
  get storageKey(): string {
    return this.storage.root.key;
  }

  /** The elements in row-major order, as a typed array of the storage's element type. */
  private gather(): ArrayLike<number | bigint> & { length: number } {
    const { root, elementOffset } = this.storage;
    const bytes = root.bytes!;
    const item = ITEM_SIZE[this.dtype];
    const base = elementOffset + this.offset;
    const count = this.size;
    // The span the tensor reads, copied once to an aligned array of the storage's type.
    let span = 0;
    if (count > 0) {
      span = 1;
      for (let d = 0; d < this.shape.length; d++) span += (this.shape[d]! - 1) * this.stride[d]!;
    }
    const raw = new Uint8Array(span * item);
    raw.set(bytes.subarray(base * item, (base + span) * item));
    const source = typedView(this.dtype, raw.buffer);
    let contiguous = true;
    for (let d = this.shape.length - 1, expected = 1; d >= 0; d--) {
      if (this.shape[d]! !== 1 && this.stride[d]! !== expected) contiguous = false;
      expected *= this.shape[d]!;
    }
    if (contiguous) return source;
    const out = typedView(this.dtype, new ArrayBuffer(count * item));
    const rank = this.shape.length;
    const index = new Array<number>(rank).fill(0);
    let from = 0;
    for (let i = 0; i < count; i++) {
      (out as unknown as unknown[])[i] = (source as unknown as unknown[])[from];
      for (let d = rank - 1; d >= 0; d--) {
        index[d]! += 1;
        from += this.stride[d]!;
        if (index[d]! < this.shape[d]!) break;
        from -= index[d]! * this.stride[d]!;
        index[d] = 0;
      }
    }
    return out;
  }

  /**
   * The values as float32, row-major (float64, float16 and bfloat16 are converted as PyTorch's
   * `copy_` converts them; integers and booleans become their values).
   */
  toFloat32(): Float32Array {
    const values = this.gather();
    if (values instanceof Float32Array) return values;
    if (this.dtype === 'float16') return decodeFloat16(values as Uint16Array);
    if (this.dtype === 'bfloat16') return decodeBFloat16(values as Uint16Array);
    if (values instanceof BigInt64Array) return Float32Array.from(values, (v) => Number(v));
    return new Float32Array(values as ArrayLike<number>);
  }

  /**
   * The values in row-major order, in the tensor's own type: `Float64Array`, `Float32Array`
   * (float16 and bfloat16 widened to float32), `BigInt64Array` (int64), `Int32Array`,
   * `Int16Array`, `Int8Array`, `Uint8Array` (uint8 and bool).
   */
  values(): TorchTypedArray {
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') return this.toFloat32();
    return this.gather() as TorchTypedArray;
  }

  /** Integer values as numbers (int64 beyond 2^53 is not exact). */
  toNumbers(): number[] {
    const values = this.gather();
    return Array.from(values as ArrayLike<number | bigint>, (v) => Number(v));
  }
}

/** `buffer` as an array of `dtype`'s element type (float16 / bfloat16 as their 16-bit patterns). */
export function typedView(dtype: TorchDtype, buffer: ArrayBuffer) {
  switch (dtype) {
    case 'float64':
      return new Float64Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

/** What {@link readTorchFile} found. */
export interface TorchFile {
  format: 'zip' | 'legacy';
  /** The unpickled object: {@link PickleDict} for dicts, arrays for lists and tuples. */
  object: unknown;
  /** Every tensor the pickle rebuilt, in order. */
  tensors: TorchTensor[];
}

function isSafeIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Reads the whole object of a `torch.save` file (zip or legacy format). */
export function readTorchFile(functionName: string, bytes: Uint8Array): TorchFile {
  const problem = (message: string): never => {
    throw new CheckpointError({ functionName, message });
  };
  const roots = new Map<string, StorageRoot>();
  const tensors: TorchTensor[] = [];

  const toIntegers = (value: unknown, what: string): number[] => {
    if (!Array.isArray(value) || value.length > 64 || !value.every(isSafeIndex)) {
      problem(`${what} must be a tuple of at most 64 non-negative integers`);
    }
    return [...(value as number[])];
  };
  const rebuildTensor = (args: readonly unknown[]): TorchTensor => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef))
      problem('a tensor is rebuilt from something not a storage');
    if (!isSafeIndex(offset)) problem('a tensor has an invalid storage offset');
    const shape = toIntegers(size, 'a tensor shape');
    const strides = toIntegers(stride, 'a tensor stride');
    if (shape.length !== strides.length) problem('a tensor has as many strides as dimensions');
    const ref = storage as StorageRef;
    const tensor = new TorchTensor(ref.root.dtype, shape, strides, offset as number, ref);
    tensors.push(tensor);
    return tensor;
  };
  const callable = (
    name: string,
    call: (args: readonly unknown[], charge: (bytes: number) => void) => unknown,
  ): PickleCallable => ({
    pickleGlobal: name,
    call,
  });
  const storageClass = (name: string, dtype: TorchDtype) => ({
    pickleGlobal: `torch.${name}`,
    storageDtype: dtype,
    call: () => problem(`torch.${name} is constructed directly, not through a persistent id`),
  });
  const resolveGlobal = (module: string, name: string): PickleCallable | undefined => {
    if (module === 'collections' && name === 'OrderedDict') {
      return callable('collections.OrderedDict', (args) => {
        if (args.length !== 0) problem('collections.OrderedDict is rebuilt with arguments');
        return new PickleDict('collections.OrderedDict');
      });
    }
    if (module === 'torch._utils') {
      if (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor') {
        return callable(`torch._utils.${name}`, (args) => {
          if (args.length < 4) problem(`${name} with ${args.length} arguments`);
          return rebuildTensor(args);
        });
      }
      if (name === '_rebuild_parameter' || name === '_rebuild_parameter_with_state') {
        return callable(`torch._utils.${name}`, (args) => {
          if (!(args[0] instanceof TorchTensor)) problem(`${name} of something not a tensor`);
          return args[0];
        });
      }
    }
    if (module === '_codecs' && name === 'encode') {
      // How protocol 2 pickles Python 3 bytes: _codecs.encode(text, 'latin1'). Pure, allowed.
      return callable('_codecs.encode', (args, charge) => {
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          problem('_codecs.encode is only read as the latin-1 encoding of bytes');
        }
        charge((text as string).length);
        return latin1Bytes(text as string);
      });
    }
    if (module === 'torch' && Object.hasOwn(STORAGE_TYPES, name)) {
      return storageClass(name, STORAGE_TYPES[name]!);
    }
    if (module === 'numpy' || module.startsWith('numpy.'))
      return numpyGlobal(module, name, problem);
    return undefined;
  };
  // TorchScript archives pickle their own classes: refused with a pointer to what to do.
  const refuseGlobal = (qualified: string) => qualified.startsWith('__torch__.');
  const explainGlobal = (qualified: string): string | undefined => {
    if (qualified.startsWith('__torch__.')) {
      return 'this is a TorchScript archive (torch.jit.save); in Python, save torch.jit.load(path).state_dict() with torch.save and load that';
    }
    if (
      /^torch\.nn\.modules\.|^__main__\./.test(qualified) ||
      /^[a-z_]+\.models?\./.test(qualified)
    ) {
      return 'the file pickles a whole model object (torch.save(model)); in Python, save model.state_dict() instead and load that';
    }
    return 'save only the state dict (torch.save(model.state_dict(), path)) or pass a file written that way';
  };
  const persistentLoad = (
    declare: (pid: readonly unknown[]) => StorageRef,
  ): ((pid: unknown) => unknown) => {
    return (pid) => {
      if (!Array.isArray(pid) || pid[0] !== 'storage') {
        problem(
          `the pickle refers to a persistent object ${Array.isArray(pid) ? JSON.stringify(String(pid[0])) : ''} that is not a storage`,
        );
      }
      return declare(pid as unknown[]);
    };
  };
  const storageRoot = (type: unknown, key: unknown, numel: unknown): StorageRoot => {
    const dtype = (type as { storageDtype?: TorchDtype } | null)?.storageDtype;
    if (dtype === undefined) problem('a storage has no known storage type');
    if (typeof key !== 'string' && typeof key !== 'number')
      problem('a storage key is not a string');
    if (!isSafeIndex(numel)) problem(`storage ${String(key)} declares an invalid size`);
    const name = String(key);
    const existing = roots.get(name);
    if (existing) {
      if (existing.dtype !== dtype) {
        problem(`storage ${name} is read as both ${existing.dtype} and ${dtype}; not supported`);
      }
      return existing;
    }
    const root: StorageRoot = { key: name, dtype: dtype!, numel: numel as number, bytes: null };
    roots.set(name, root);
    return root;
  };
  /**
   * Every tensor's data must be in the file and its highest index inside its storage: a view
   * (stride 0 for expanded tensors, transposes, slices) may read fewer or the same elements
   * many times. The error names the tensor's key in the checkpoint.
   */
  const checkTensors = (object: unknown) => {
    const problems = new Map<TorchTensor, string>();
    for (const tensor of tensors) {
      const { storage } = tensor;
      const { root } = storage;
      if (root.bytes === null) {
        problems.set(tensor, root.problem ?? `storage ${root.key} has no data in the file`);
        continue;
      }
      if (tensor.size === 0) continue;
      let last = tensor.offset;
      for (let d = 0; d < tensor.shape.length; d++) {
        last += (tensor.shape[d]! - 1) * tensor.stride[d]!;
      }
      if (last >= storage.numel) {
        problems.set(
          tensor,
          `a ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}] (stride [${tensor.stride.join(', ')}], offset ${tensor.offset}) reads element ${last} of its storage ${root.key}, which holds ${storage.numel}: the file is damaged`,
        );
      }
    }
    if (problems.size === 0) return;
    const named: string[] = [];
    walk(object, (path, value) => {
      const message = value instanceof TorchTensor ? problems.get(value) : undefined;
      if (message !== undefined) {
        named.push(`${JSON.stringify(path)}: ${message}`);
        problems.delete(value as TorchTensor);
      }
      return true;
    });
    for (const message of problems.values()) named.push(message);
    throw new CheckpointError({
      functionName,
      message: `${named.slice(0, 5).join('; ')}${named.length > 5 ? `; and ${named.length - 5} more` : ''}`,
      problems: named,
    });
  };

  // Zip format: PK\3\4 at the start.
  if (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 3 &&
    bytes[3] === 4
  ) {
    const archive = ZipArchive.open(functionName, bytes);
    const pickles = [...archive.entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
    if (pickles.length !== 1) {
      const names = [...archive.entries.keys()];
      const kind = names.includes('model.weights.h5')
        ? 'this is a Keras 3 .keras archive: '
        : names.length > 0 && names.every((name) => name.endsWith('.npy'))
          ? 'this is a NumPy .npz archive: '
          : '';
      problem(
        pickles.length === 0
          ? `${kind}a zip archive without <name>/data.pkl, so not a torch.save file (it holds ${describeNames(names)}); loadTorchCheckpoint reads PyTorch .pth/.pt files and safetensors files`
          : `a zip archive with ${pickles.length} data.pkl files; expected one`,
      );
    }
    const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
    if (archive.entries.has(`${prefix}byteorder`)) {
      const order = new TextDecoder().decode(archive.read(`${prefix}byteorder`)).trim();
      if (order !== 'little') {
        problem(
          `the checkpoint was written on a ${order}-endian machine; only little-endian files are read`,
        );
      }
    }
    const declare = (pid: readonly unknown[]): StorageRef => {
      const [, type, key, , numel] = pid;
      const root = storageRoot(type, key, numel);
      if (root.bytes === null) {
        const name = `${prefix}data/${root.key}`;
        if (!archive.entries.has(name)) {
          root.problem = `storage ${root.key} is missing from the archive (${name})`;
        } else {
          const data = archive.read(name);
          const needed = root.numel * ITEM_SIZE[root.dtype];
          if (data.length < needed) {
            root.problem = `storage ${root.key} holds ${data.length} bytes, shorter than the ${needed} its ${root.numel} ${root.dtype} elements need: the file is damaged`;
          } else {
            root.bytes = data;
          }
        }
      }
      return new StorageRef(root, 0, root.numel);
    };
    const pickle = archive.read(pickles[0]!);
    const { value } = unpickle(pickle, 0, {
      functionName,
      fileBytes: bytes.length,
      label: pickles[0]!,
      resolveGlobal,
      refuseGlobal,
      explainGlobal,
      persistentLoad: persistentLoad(declare),
    });
    checkTensors(value);
    return { format: 'zip', object: value, tensors };
  }

  // Legacy format: pickled magic number, protocol version, sys info, the object, storage keys,
  // then per storage an 8-byte element count and the raw data.
  const plain = {
    functionName,
    resolveGlobal,
    refuseGlobal,
    explainGlobal,
    persistentLoad: () => problem('a persistent id before the object'),
  };
  const magic = unpickle(bytes, 0, { ...plain, label: 'the magic number' });
  if (magic.value !== LEGACY_MAGIC) {
    problem(
      "a pickle that does not start with torch.save's magic number: a plain pickle (pickle.dump), not a torch.save file; in Python, save with torch.save(model.state_dict(), path)",
    );
  }
  const protocol = unpickle(bytes, magic.end, { ...plain, label: 'the protocol version' });
  if (protocol.value !== LEGACY_PROTOCOL) {
    problem(
      `legacy torch.save protocol ${String(protocol.value)}; only ${LEGACY_PROTOCOL} is read`,
    );
  }
  const info = unpickle(bytes, protocol.end, { ...plain, label: 'the system information' });
  if (info.value instanceof PickleDict && info.value.entries.get('little_endian') === false) {
    problem(
      'the checkpoint was written on a big-endian machine; only little-endian files are read',
    );
  }
  const views = new Map<string, StorageRef>();
  const declare = (pid: readonly unknown[]): StorageRef => {
    const [, type, key, , numel, view] = pid;
    const root = storageRoot(type, key, numel);
    if (view === null || view === undefined) return new StorageRef(root, 0, root.numel);
    if (!Array.isArray(view) || view.length !== 3) problem('a storage view is malformed');
    const [viewKey, offset, size] = view as unknown[];
    if (!isSafeIndex(offset) || !isSafeIndex(size) || offset + size > root.numel) {
      problem(`storage view ${String(viewKey)} lies outside storage ${root.key}`);
    }
    const name = String(viewKey);
    let ref = views.get(name);
    if (!ref) {
      ref = new StorageRef(root, offset as number, size as number);
      views.set(name, ref);
    }
    return ref;
  };
  const object = unpickle(bytes, info.end, {
    functionName,
    label: 'the pickled object',
    resolveGlobal,
    refuseGlobal,
    explainGlobal,
    persistentLoad: persistentLoad(declare),
  });
  const keys = unpickle(bytes, object.end, { ...plain, label: 'the list of storage keys' });
  if (!Array.isArray(keys.value)) problem('the list of storage keys is not a list');
  const view = dataView(bytes);
  let at = keys.end;
  for (const key of keys.value as unknown[]) {
    const root = roots.get(String(key));
    if (root === undefined) problem(`the storage list names ${String(key)}, which no tensor uses`);
    if (root!.bytes !== null) problem(`the storage list names ${String(key)} twice`);
    if (at + 8 > bytes.length) {
      problem(`the file ends before storage ${root!.key}: it is truncated`);
    }
    const count = readUint64(view, at);
    at += 8;
    if (count !== root!.numel) {
      problem(`storage ${root!.key} holds ${count} elements, the pickle declared ${root!.numel}`);
    }
    const length = count * ITEM_SIZE[root!.dtype];
    if (at + length > bytes.length) {
      problem(
        `storage ${root!.key} needs ${length} bytes, only ${bytes.length - at} are left: the file is truncated`,
      );
    }
    root!.bytes = bytes.subarray(at, at + length);
    at += length;
  }
  checkTensors(object.value);
  return { format: 'legacy', object: object.value, tensors };
}

/**
 * Visits every value reachable from `object` once (cycles and shared values included), depth
 * first, iteratively, with its path: `optimizer.state[0].momentum_buffer`. `visit` returns
 * whether to look inside the value. Inert objects are entered through their arguments and state.
 */
function walk(object: unknown, visit: (path: string, value: unknown) => boolean): void {
  const seen = new Set<unknown>();
  const pending: [string, unknown][] = [['', object]];
  const child = (path: string, key: unknown) =>
    typeof key === 'string'
      ? path === ''
        ? key
        : `${path}.${key}`
      : `${path}[${typeof key === 'number' || typeof key === 'bigint' ? key : typeName(key)}]`;
  while (pending.length > 0) {
    const [path, value] = pending.pop()!;
    if (typeof value !== 'object' || value === null) {
      visit(path, value);
      continue;
    }
    if (seen.has(value)) continue;
    seen.add(value);
    if (!visit(path, value)) continue;
    const children: [string, unknown][] = [];
    if (value instanceof PickleDict) {
      for (const [key, item] of value.entries) children.push([child(path, key), item]);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) children.push([child(path, i), value[i]]);
    } else if (value instanceof PickleObject) {
      const args = value.args ?? [];
      for (let i = 0; i < args.length; i++) children.push([`${path}(${i})`, args[i]]);
      if (value.state !== undefined) children.push([`${path}.__dict__`, value.state]);
    }
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
}

function describeNames(names: string[]): string {
  const shown = names.slice(0, 5).map((name) => JSON.stringify(name));
  return names.length === 0
    ? 'no entries'
    : `${shown.join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}

/** Options of {@link readTorchStateDict} and `loadTorchCheckpoint` for `.pth` files. */
export interface TorchStateDictOptions {
  /**
   * Key of the top-level dict that holds the state dict, for a training checkpoint that keeps it
   * under a name outside {@link STATE_DICT_KEYS}. By default the top level is used when it maps
   * names to tensors, else the first of {@link STATE_DICT_KEYS} that holds a dict.
   */
  key?: string;
}

/**
 * Keys tried, in this order, when the top level of a checkpoint is not itself a state dict:
 * torchvision's reference scripts save `model` (and `model_ema`), timm and many scripts
 * `state_dict`, others `model_state_dict`, `ema`, `net` or `network`.
 */
export const STATE_DICT_KEYS = [
  'model',
  'state_dict',
  'model_state_dict',
  'model_ema',
  'ema',
  'net',
  'network',
] as const;

function typeName(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof TorchTensor) return 'tensor';
  if (value instanceof PickleDict) return value.className === 'dict' ? 'dict' : value.className;
  if (value instanceof PickleObject) return `Python object ${value.qualifiedName}`;
  if (value instanceof NumpyArray) return `numpy ${value.dtype} array`;
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))
    return 'int';
  if (typeof value === 'number') return 'float';
  return typeof value;
}

function listKeys(dict: PickleDict): string {
  const keys = [...dict.entries.keys()].map((k) => JSON.stringify(k));
  return `${keys.slice(0, 8).join(', ')}${keys.length > 8 ? `, … (${keys.length} keys)` : ''}`;
}

const WHOLE_MODEL =
  'the file pickles a whole model object (torch.save(model)); in Python, save model.state_dict() instead and load that';

/** What {@link extractStateDict} found. */
export interface ExtractedStateDict {
  tensors: Map<string, TorchTensor>;
  /** Where the state dict was: `null` for the top level, else its key. */
  source: string | null;
  /** Python objects of the file that were not read, as `path: module.Class`. */
  ignored: string[];
  /**
   * `state_dict()._metadata` version of a submodule (by its name, prefix stripped): undefined
   * when the file has no metadata at all, null when it has none for that submodule.
   */
  metadataVersion(module: string): number | null | undefined;
}

/**
 * The state dict inside a checkpoint's top-level object: the object itself when it
 * maps strings to tensors, else `options.key` or the first of {@link STATE_DICT_KEYS} that holds
 * a dict; a common `module.` prefix (DataParallel, torchvision's EMA model) is removed. Python
 * objects elsewhere in the file (`args`, a scheduler's `Counter`) are listed in `ignored`.
 */
export function extractStateDict(
  functionName: string,
  object: unknown,
  options: TorchStateDictOptions = {},
): ExtractedStateDict {
  const problem = (message: string): never => {
    throw new CheckpointError({ functionName, message });
  };
  if (!(object instanceof PickleDict)) {
    problem(
      object instanceof PickleObject
        ? `the file holds a ${typeName(object)}, not a dict of tensors: ${WHOLE_MODEL}`
        : `the file holds a ${typeName(object)}, not a dict of tensors (a state dict); in Python, save with torch.save(model.state_dict(), path)`,
    );
  }
  const top = object as PickleDict;
  let dict = top;
  let source: string | null = null;
  const allTensors = (d: PickleDict) =>
    d.entries.size > 0 && [...d.entries.values()].every((v) => v instanceof TorchTensor);
  if (options.key !== undefined) {
    const chosen = top.entries.get(options.key);
    if (!(chosen instanceof PickleDict)) {
      problem(
        chosen === undefined
          ? `options.key ${JSON.stringify(options.key)} is not in the checkpoint (its keys: ${listKeys(top)})`
          : `options.key ${JSON.stringify(options.key)} holds a ${typeName(chosen)}, not a state dict${chosen instanceof PickleObject ? `: ${WHOLE_MODEL}` : ''}`,
      );
    }
    dict = chosen as PickleDict;
    source = options.key;
  } else if (!allTensors(top)) {
    const key = STATE_DICT_KEYS.find((k) => top.entries.get(k) instanceof PickleDict);
    if (key === undefined) {
      const pickled = STATE_DICT_KEYS.find((k) => top.entries.get(k) instanceof PickleObject);
      if (pickled !== undefined) {
        problem(
          `${JSON.stringify(pickled)} holds a ${typeName(top.entries.get(pickled))}, not a state dict: ${WHOLE_MODEL}`,
        );
      }
      if (top.entries.size > 0 && [...top.entries.values()].some((v) => v instanceof TorchTensor)) {
        // A state dict with some non-tensor values: reported per key below.
      } else {
        problem(
          `the checkpoint is a dict without tensors at its top level and without ${STATE_DICT_KEYS.join(', ')} (its keys: ${listKeys(top)}); pass { key } naming the entry that holds the state dict`,
        );
      }
    } else {
      dict = top.entries.get(key) as PickleDict;
      source = key;
    }
  }
  const label = source === null ? 'the top level' : JSON.stringify(source);
  // Python objects outside the state dict are not read; each is reported once, by path.
  const ignored: string[] = [];
  walk(top, (path, value) => {
    if (value === dict) return false;
    if (value instanceof PickleObject) {
      ignored.push(`${path}: ${value.qualifiedName}`);
      return false;
    }
    return true;
  });
  // torchvision's ExponentialMovingAverage (an AveragedModel) saves a step count beside its
  // module's `module.`-prefixed state.
  const averaged = dict.entries.get('n_averaged');
  if (
    averaged instanceof TorchTensor &&
    dict.entries.size > 1 &&
    [...dict.entries.keys()].every((key) => key === 'n_averaged' || `${key}`.startsWith('module.'))
  ) {
    const copy = new PickleDict(dict.className);
    for (const [key, value] of dict.entries) if (key !== 'n_averaged') copy.entries.set(key, value);
    const metadata = dict.attributes.get('_metadata');
    if (metadata !== undefined) copy.attributes.set('_metadata', metadata);
    ignored.push(
      `${source === null ? '' : `${source}.`}n_averaged: the step count of an averaged (EMA) model`,
    );
    dict = copy;
  }
  const problems: string[] = [];
  const tensors = new Map<string, TorchTensor>();
  for (const [key, value] of dict.entries) {
    if (typeof key !== 'string') {
      problems.push(
        `the state dict has a ${typeName(key)} key ${String(key)}; keys must be strings`,
      );
    } else if (!(value instanceof TorchTensor)) {
      problems.push(`${JSON.stringify(key)} holds a ${typeName(value)}, not a tensor`);
    } else {
      tensors.set(key, value);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError({
      functionName,
      message: `the state dict in ${label} is not a dict of tensors: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems,
    });
  }
  let strippedPrefix: string | null = null;
  const prefix = 'module.';
  const metadata = dict.attributes.get('_metadata');
  const metadataVersion = (module: string): number | null | undefined => {
    if (!(metadata instanceof PickleDict)) return undefined;
    const entry = metadata.entries.get(strippedPrefix ? `${strippedPrefix}${module}` : module);
    const version = entry instanceof PickleDict ? entry.entries.get('version') : undefined;
    return typeof version === 'number' ? version : null;
  };
  if (tensors.size > 0 && [...tensors.keys()].every((key) => key.startsWith(prefix))) {
    strippedPrefix = prefix;
    const renamed = new Map<string, TorchTensor>();
    for (const [key, value] of tensors) renamed.set(key.slice(prefix.length), value);
    return { tensors: renamed, source, ignored, metadataVersion };
  }
  return { tensors, source, ignored, metadataVersion };
}

/**
 * The values of a tensor read from a `.pth`, by dtype: `Float64Array` (float64), `Float32Array`
 * (float32, and float16 / bfloat16 widened), `BigInt64Array` (int64), `Int32Array`,
 * `Int16Array`, `Int8Array`, `Uint8Array` (uint8 and bool, as 0 / 1).
 */
export type TorchTypedArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;
