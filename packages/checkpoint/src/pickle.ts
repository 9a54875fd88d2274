import { CheckpointError } from '@octconv/core/shape';
import { dataView, readUint64 } from './bytes';

/**
 * A restricted unpickler: it parses the pickle opcodes `torch.save` writes (protocols 2–5) into
 * plain JavaScript values and never runs anything. Python globals are resolved through an
 * allow-list given by the caller (tensors, storages, containers, numpy values); a global on the
 * deny-list ({@link DENIED_GLOBALS}: what can only mean harm, such as `os.system`) fails the
 * whole load with a `CheckpointError` naming it, wherever it appears; any other global becomes
 * an inert {@link PickleObject} (module, name, arguments, state) that nothing ever calls.
 *
 * The machine is iterative (no recursion on the file's nesting) and bounded: value stack, mark
 * stack, memo size and integer widths are limited, every length is checked against the bytes
 * that are left, and every value it builds is charged, as it is created, to a memory budget
 * that grows with the file's size and has an absolute ceiling ({@link pickleBudget}), so a
 * hostile file can neither hang it nor exhaust memory.
 *
 * Values: `None` → `null`, bool → boolean, int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list and tuple → arrays (tuples are frozen), dict →
 * {@link PickleDict}; whatever the allow-list builds for a global (storages, tensors).
 */

/** A Python dict (or `collections.OrderedDict`): keys in insertion order. */
export class PickleDict {
  readonly entries = new Map<unknown, unknown>();
  private attributeMap: Map<string, unknown> | null = null;
  /** `'dict'` or the qualified class name (`collections.OrderedDict`). */
  constructor(readonly className: string = 'dict') {}
  /** Attributes set on the dict by BUILD (PyTorch's `_metadata` on a state dict). */
  get attributes(): Map<string, unknown> {
    this.attributeMap ??= new Map();
    return this.attributeMap;
  }
}

/** A Python global the allow-list accepted: called by REDUCE/NEWOBJ with its arguments. */
export interface PickleCallable {
  readonly pickleGlobal: string;
  /** Builds the value; `charge` takes the estimated bytes it allocates beyond a small object. */
  call(args: readonly unknown[], charge: (bytes: number) => void): unknown;
  /** BUILD on what `call` returned: set its state (numpy dtypes and arrays have one). */
  build?(target: unknown, state: unknown): boolean;
}

/**
 * A Python object of a class outside the allow-list (`argparse.Namespace`,
 * `collections.Counter`, a pickled `nn.Module`, …): kept as an inert record of what the pickle
 * said, never called, never turned into anything else. Also what a reference to such a global
 * is before it is applied (`args` null).
 */
export class PickleObject {
  /** Set by BUILD: the object's `__dict__` or `__setstate__` argument. */
  state: unknown = undefined;
  constructor(
    readonly module: string,
    readonly name: string,
    /** The arguments of REDUCE/NEWOBJ; null for the bare global. */
    readonly args: readonly unknown[] | null,
  ) {}
  /** `module.name`. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * Python globals that can only mean harm in a checkpoint: running commands or code, importing
 * modules, opening files or sockets, reaching attributes by name. Any of them anywhere in a
 * pickle refuses the whole file. A module listed alone covers all its names (and submodules).
 */
export const DENIED_GLOBALS: readonly string[] = [
  'os',
  'posix',
  'nt',
  'posixpath',
  'ntpath',
  'subprocess',
  'sys',
  'builtins.eval',
  'builtins.exec',
  'builtins.compile',
  'builtins.__import__',
  'builtins.getattr',
  'builtins.setattr',
  'builtins.delattr',
  'builtins.globals',
  'builtins.locals',
  'builtins.vars',
  'builtins.open',
  'builtins.input',
  'builtins.breakpoint',
  'builtins.help',
  'builtins.exit',
  'builtins.quit',
  '__builtin__',
  'importlib',
  'imp',
  'pickle',
  '_pickle',
  'marshal',
  'shelve',
  'dill',
  'cloudpickle',
  'joblib',
  'shutil',
  'tempfile',
  'pathlib',
  'io',
  '_io',
  'codecs.open',
  'socket',
  '_socket',
  'ssl',
  'http',
  'urllib',
  'ftplib',
  'smtplib',
  'telnetlib',
  'requests',
  'webbrowser',
  'ctypes',
  '_ctypes',
  'pty',
  'commands',
  'popen2',
  'multiprocessing',
  'threading',
  '_thread',
  'signal',
  'asyncio',
  'code',
  'codeop',
  'runpy',
  'pdb',
  'bdb',
  'timeit',
  'trace',
  'profile',
  'cProfile',
  'types.FunctionType',
  'types.LambdaType',
  'types.CodeType',
  'types.MethodType',
  'types.ModuleType',
  'operator.attrgetter',
  'operator.methodcaller',
  'functools.partial',
  'torch.hub',
  'torch.load',
  'torch.jit',
  'torch.package',
  'numpy.load',
  'numpy.fromfile',
  'numpy.testing',
  'numpy.f2py',
  'numpy.distutils',
  'numpy.lib.npyio',
];

/** Whether `module.name` is on {@link DENIED_GLOBALS} (exactly, or through its module). */
export function isDeniedGlobal(module: string, name: string): boolean {
  const qualified = `${module}.${name}`;
  const moduleBuiltins = module === 'builtins' || module === '__builtin__';
  for (const denied of DENIED_GLOBALS) {
    if (qualified === denied || module === denied || module.startsWith(`${denied}.`)) return true;
  }
  // `__builtin__` (Python 2) and `builtins` share the names denied for builtins.
  return moduleBuiltins && DENIED_GLOBALS.includes(`builtins.${name}`);
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** The public function the user called, for error messages. */
  functionName: string;
  /** What the pickle is, for messages: `data.pkl`, `the pickled object`. */
  label: string;
  /**
   * Resolves `module.name` to an allowed callable; undefined makes it an inert
   * {@link PickleObject}, unless `refuseGlobal` refuses it. Denied globals never get here.
   */
  resolveGlobal(module: string, name: string): PickleCallable | undefined;
  /** Globals to refuse though not denied (TorchScript classes): true refuses the file. */
  refuseGlobal?(qualified: string): boolean;
  /** Resolves a persistent id (`BINPERSID`); torch uses it for storages. */
  persistentLoad(pid: unknown): unknown;
  /** Explains a refused global (e.g. a whole `nn.Module` was pickled). */
  explainGlobal?(qualified: string): string | undefined;
  /**
   * Size of the whole file the pickle is part of (a zip's `data.pkl` is a part), for the memory
   * budget; `bytes.length` by default.
   */
  fileBytes?: number;
  /** The memory budget in estimated bytes; {@link pickleBudget} of the file's size by default. */
  budget?: number;
}

/** Bounds on what one pickle may make the reader hold. */
export const PICKLE_LIMITS = {
  /**
   * Values on the stack at once: Python batches dict items and list elements by 1,000, so a
   * state dict never needs more than a few thousand.
   */
  stack: 50_000,
  /** Open MARKs (nesting of tuples/lists/dicts being built). */
  marks: 1_000,
  /** Memoized objects (a state dict memoizes a few per tensor: ResNet-152 needs ~10,000). */
  memo: 1_000_000,
  /** Bytes of one LONG1/LONG4 integer. */
  longBytes: 64,
  /**
   * Memory budget of one pickle, in estimated bytes of what the reader builds: this base, plus
   * {@link PICKLE_LIMITS.bytesPerFileByte} per byte of the file, up to
   * {@link PICKLE_LIMITS.budgetCeiling}.
   */
  budgetBase: 16 * 2 ** 20,
  /** Growth of the budget with the file's size. */
  bytesPerFileByte: 8,
  /** Absolute ceiling of the budget, whatever the file's size. */
  budgetCeiling: 64 * 2 ** 20,
} as const;

/** The memory budget (estimated bytes) of a pickle read from a file of `fileBytes` bytes. */
export function pickleBudget(fileBytes: number): number {
  return Math.min(
    PICKLE_LIMITS.budgetCeiling,
    PICKLE_LIMITS.budgetBase + PICKLE_LIMITS.bytesPerFileByte * fileBytes,
  );
}

/**
 * Estimated heap bytes of what the reader builds (measured on V8, rounded up): charged as each
 * value is created or stored, so the budget bounds the real memory a pickle can take.
 */
export const PICKLE_COSTS = {
  dict: 256,
  dictEntry: 48,
  list: 48,
  listSlot: 16,
  number: 16,
  string: 32,
  bytes: 224,
  object: 256,
  memoEntry: 48,
} as const;

const MARK = Symbol('mark');

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Result of {@link unpickle}: the value and the offset just after STOP. */
export interface Unpickled {
  value: unknown;
  end: number;
  /** Estimated bytes of what was built (charged to the budget). */
  spent: number;
}

function opcodeName(op: number): string {
  const printable = op >= 0x20 && op < 0x7f ? ` ${JSON.stringify(String.fromCharCode(op))}` : '';
  return `0x${op.toString(16).padStart(2, '0')}${printable}`;
}

/**
 * Unpickles one object starting at `start` of `bytes`.
 *
 * @throws CheckpointError for a truncated or malformed pickle, a refused global, or a limit hit.
 */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): Unpickled {
  const { functionName, label } = options;
  const view = dataView(bytes);
  let at = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  // An array, not a Map: torch.save's memo indices are dense, and arrays insert several times
  // faster. Sparse indices (LONG_BINPUT of any u32) make it a dictionary, still correct.
  const memo: unknown[] = [];
  let memoSize = 0;
  const fileBytes = options.fileBytes ?? bytes.length;
  const budget = options.budget ?? pickleBudget(fileBytes);
  let spent = 0;

  const fail = (message: string, position = at): never => {
    throw new CheckpointError({
      functionName,
      message: `${label}: ${message} (at byte ${position})`,
      problems: [`${label}: ${message} (at byte ${position})`],
    });
  };
  const need = (count: number) => {
    if (count < 0 || at + count > bytes.length) {
      fail(
        `the pickle is cut short: ${count} more bytes needed, ${bytes.length - at} left; the file is truncated`,
      );
    }
  };
  const u8 = () => {
    need(1);
    return bytes[at++]!;
  };
  const u16 = () => {
    need(2);
    const value = view.getUint16(at, true);
    at += 2;
    return value;
  };
  const u32 = () => {
    need(4);
    const value = view.getUint32(at, true);
    at += 4;
    return value;
  };
  const take = (count: number) => {
    need(count);
    const out = bytes.subarray(at, at + count);
    at += count;
    return out;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail('the pickle is cut short inside a text line; the file is truncated');
    const text = latin1.decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  /** Charges `cost` estimated bytes to the budget; past it, the load fails naming the limit. */
  const charge = (cost: number) => {
    spent += cost;
    if (spent > budget) {
      fail(
        `the pickle builds more than ${budget} bytes of Python objects, the reader's memory budget for a file of ${fileBytes} bytes (${PICKLE_LIMITS.budgetBase} bytes plus ${PICKLE_LIMITS.bytesPerFileByte} per byte of the file, at most ${PICKLE_LIMITS.budgetCeiling}); a checkpoint's pickle needs far less: the file is hostile or not a checkpoint`,
      );
    }
  };
  /** Pushes a newly created value, charging its cost. */
  const make = (value: unknown, cost: number) => {
    charge(cost);
    push(value);
  };
  const push = (value: unknown) => {
    if (stack.length >= PICKLE_LIMITS.stack) {
      fail(`more than ${PICKLE_LIMITS.stack} values on the pickle stack (a hostile file?)`);
    }
    stack.push(value);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('the pickle pops from an empty stack');
    const value = stack.pop();
    if (value === MARK) fail('the pickle pops a MARK as a value');
    return value;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('the pickle reads an empty stack');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) fail('the pickle closes a MARK it never opened');
    stack = previous!;
    return items;
  };
  const remember = (index: number) => {
    if (memo[index] === undefined) {
      if (memoSize >= PICKLE_LIMITS.memo) {
        fail(`more than ${PICKLE_LIMITS.memo} memoized objects (a hostile file?)`);
      }
      charge(PICKLE_COSTS.memoEntry);
      memoSize += 1;
    }
    memo[index] = top();
  };
  const recall = (index: number) => {
    const value = memo[index];
    if (value === undefined)
      fail(`the pickle refers to memo entry ${index}, which was never stored`);
    push(value);
  };
  const decodeUtf8 = (raw: Uint8Array): string => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('a string in the pickle is not valid UTF-8');
    }
  };
  const littleEndianInteger = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[raw.length - 1]! & 0x80) value -= 1n << BigInt(raw.length * 8);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  };
  const resolve = (module: string, name: string): PickleCallable | PickleObject => {
    const qualified = `${module}.${name}`;
    const refused = () => {
      const extra = options.explainGlobal?.(qualified);
      return fail(
        `the pickle asks for the Python global ${qualified}, which is not allowed: only tensors, storages and plain containers are read, nothing is ever executed${extra ? `; ${extra}` : ''}`,
      );
    };
    if (isDeniedGlobal(module, name)) refused();
    const callable = options.resolveGlobal(module, name);
    if (callable !== undefined) return callable;
    if (options.refuseGlobal?.(qualified)) refused();
    charge(PICKLE_COSTS.object + 2 * (module.length + name.length));
    return new PickleObject(module, name, null);
  };
  const call = (target: unknown, args: unknown, opcode: string): unknown => {
    if (!Array.isArray(args)) fail(`${opcode} arguments are not a tuple`);
    if (target instanceof PickleObject && target.args === null) {
      charge(PICKLE_COSTS.object);
      return new PickleObject(target.module, target.name, args as unknown[]);
    }
    if (
      typeof target !== 'object' ||
      target === null ||
      typeof (target as PickleCallable).call !== 'function' ||
      !('pickleGlobal' in target)
    ) {
      fail(`${opcode} applies something that is not a Python global`);
    }
    charge(PICKLE_COSTS.object);
    return (target as PickleCallable).call(args as unknown[], charge);
  };
  /** Which allowed callable built each object, for BUILD on numpy values. */
  const builtBy = new WeakMap<object, PickleCallable>();
  const pushString = (text: string) => make(text, PICKLE_COSTS.string + 2 * text.length);
  const pushBytes = (raw: Uint8Array) => {
    charge(PICKLE_COSTS.bytes + raw.length);
    push(raw.slice());
  };
  const pushTuple = (items: unknown[]) =>
    make(Object.freeze(items), PICKLE_COSTS.list + items.length * PICKLE_COSTS.listSlot);
  const setItems = (dict: unknown, items: unknown[], opcode: string) => {
    if (!(dict instanceof PickleDict)) fail(`${opcode} on something that is not a dict`);
    if (items.length % 2 !== 0) fail(`${opcode} with an odd number of keys and values`);
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      // Python cannot have written a list or a dict as a key (they are unhashable).
      if ((Array.isArray(key) && !Object.isFrozen(key)) || key instanceof PickleDict) {
        fail(`${opcode}: a list or dict as a dict key, which Python cannot write`);
      }
      charge(PICKLE_COSTS.dictEntry);
      (dict as PickleDict).entries.set(key, items[i + 1]);
    }
  };
  const append = (list: unknown, items: unknown[], opcode: string) => {
    if (!Array.isArray(list) || Object.isFrozen(list)) fail(`${opcode} on something not a list`);
    charge(items.length * PICKLE_COSTS.listSlot);
    for (const item of items) (list as unknown[]).push(item);
  };

  for (;;) {
    const position = at;
    const op = u8();
    switch (op) {
      case 0x80: {
        // PROTO
        const protocol = u8();
        if (protocol > 5) fail(`pickle protocol ${protocol} is newer than 5`, position);
        break;
      }
      case 0x95: // FRAME: an 8-byte length; the frame's contents follow inline.
        take(8);
        break;
      case 0x2e: // STOP
        if (marks.length > 0) fail('the pickle stops inside an open MARK', position);
        return { value: pop(), end: at, spent };
      case 0x28: // MARK
        if (marks.length >= PICKLE_LIMITS.marks) {
          fail(`more than ${PICKLE_LIMITS.marks} nested MARKs (a hostile file?)`, position);
        }
        marks.push(stack);
        stack = [];
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
        make(u8(), PICKLE_COSTS.number);
        break;
      case 0x4d: // BININT2
        make(u16(), PICKLE_COSTS.number);
        break;
      case 0x4a: {
        // BININT
        need(4);
        make(view.getInt32(at, true), PICKLE_COSTS.number);
        at += 4;
        break;
      }
      case 0x8a: {
        // LONG1
        const length = u8();
        if (length > PICKLE_LIMITS.longBytes) fail(`an integer of ${length} bytes`, position);
        make(littleEndianInteger(take(length)), PICKLE_COSTS.number + length);
        break;
      }
      case 0x8b: {
        // LONG4
        const length = u32();
        if (length > PICKLE_LIMITS.longBytes) fail(`an integer of ${length} bytes`, position);
        make(littleEndianInteger(take(length)), PICKLE_COSTS.number + length);
        break;
      }
      case 0x49: {
        // INT (text): also True/False as I01 / I00
        const text = line().trim();
        if (text === '01') push(true);
        else if (text === '00') push(false);
        else if (/^[-+]?\d{1,18}$/.test(text)) make(Number(text), PICKLE_COSTS.number);
        else fail(`INT ${JSON.stringify(text.slice(0, 40))} is not an integer`, position);
        break;
      }
      case 0x4c: {
        // LONG (text)
        const text = line().trim().replace(/L$/, '');
        if (!/^[-+]?\d{1,150}$/.test(text)) fail('LONG is not an integer', position);
        const value = BigInt(text);
        charge(PICKLE_COSTS.number + text.length);
        push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : value,
        );
        break;
      }
      case 0x47: {
        // BINFLOAT (big-endian)
        need(8);
        make(view.getFloat64(at, false), PICKLE_COSTS.number);
        at += 8;
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const value = Number(line().trim());
        if (Number.isNaN(value)) fail('FLOAT is not a number', position);
        make(value, PICKLE_COSTS.number);
        break;
      }
      case 0x58: // BINUNICODE
        pushString(decodeUtf8(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        pushString(decodeUtf8(take(u8())));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const length = readUint64(view, at);
        at += 8;
        pushString(decodeUtf8(take(length)));
        break;
      }
      case 0x54: {
        // BINSTRING (Python 2 str): latin-1, as torch.load's default encoding
        const length = u32();
        if (length > 0x7fffffff) fail('BINSTRING with a negative length', position);
        pushString(latin1.decode(take(length)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        pushString(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        pushBytes(take(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        pushBytes(take(u8()));
        break;
      case 0x8e: {
        // BINBYTES8
        need(8);
        const length = readUint64(view, at);
        at += 8;
        pushBytes(take(length));
        break;
      }
      case 0x5d: // EMPTY_LIST
        make([], PICKLE_COSTS.list);
        break;
      case 0x29: // EMPTY_TUPLE
        make(Object.freeze([]), PICKLE_COSTS.list);
        break;
      case 0x7d: // EMPTY_DICT
        make(new PickleDict(), PICKLE_COSTS.dict);
        break;
      case 0x8f: // EMPTY_SET: read as a list
        make([], PICKLE_COSTS.list);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        make(items, PICKLE_COSTS.list + items.length * PICKLE_COSTS.listSlot);
        break;
      }
      case 0x74: {
        // TUPLE
        const items = popMark();
        make(Object.freeze(items), PICKLE_COSTS.list + items.length * PICKLE_COSTS.listSlot);
        break;
      }
      case 0x85: // TUPLE1
        pushTuple([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        pushTuple([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        pushTuple([a, b, c]);
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark();
        charge(PICKLE_COSTS.dict);
        const dict = new PickleDict();
        setItems(dict, items, 'DICT');
        push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value], 'SETITEM');
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items, 'SETITEMS');
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item], 'APPEND');
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items, 'APPENDS');
        break;
      }
      case 0x90: {
        // ADDITEMS (to a set read as a list)
        const items = popMark();
        append(top(), items, 'ADDITEMS');
        break;
      }
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        charge(PICKLE_COSTS.listSlot);
        push(top());
        break;
      case 0x70: {
        // PUT (text index)
        const text = line();
        if (!/^\d{1,10}$/.test(text)) fail('PUT index is not a number', position);
        remember(Number(text));
        break;
      }
      case 0x71: // BINPUT
        remember(u8());
        break;
      case 0x72: // LONG_BINPUT
        remember(u32());
        break;
      case 0x94: // MEMOIZE
        remember(memoSize);
        break;
      case 0x67: {
        // GET (text index)
        const text = line();
        if (!/^\d{1,10}$/.test(text)) fail('GET index is not a number', position);
        recall(Number(text));
        break;
      }
      case 0x68: // BINGET
        recall(u8());
        break;
      case 0x6a: // LONG_BINGET
        recall(u32());
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        const name = line();
        push(resolve(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          fail('STACK_GLOBAL needs two strings', position);
        }
        push(resolve(module as string, name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const target = pop();
        const made = call(target, args, op === 0x52 ? 'REDUCE' : 'NEWOBJ');
        if (typeof made === 'object' && made !== null && !(target instanceof PickleObject)) {
          builtBy.set(made, target as PickleCallable);
        }
        push(made);
        break;
      }
      case 0x62: {
        // BUILD: state of the object below. Kept on inert records and as a dict's attributes;
        // numpy values take theirs; tensors and storages have none in torch.save's output.
        const state = pop();
        const target = top();
        if (target instanceof PickleObject && target.args !== null) {
          if (target.state !== undefined) fail('BUILD sets the state of an object twice', position);
          target.state = state;
        } else if (target instanceof PickleDict && state instanceof PickleDict) {
          for (const [key, value] of state.entries) {
            if (typeof key === 'string') target.attributes.set(key, value);
          }
        } else if (target instanceof PickleDict && state === null) {
          // Nothing to set.
        } else {
          const builder =
            typeof target === 'object' && target !== null ? builtBy.get(target) : undefined;
          if (builder?.build === undefined || !builder.build(target, state)) {
            fail('BUILD sets the state of an object that has none', position);
          }
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        charge(PICKLE_COSTS.object);
        push(options.persistentLoad(pop()));
        break;
      }
      case 0x50: // PERSID (text): torch never writes it
        fail('PERSID (a text persistent id) is not something torch.save writes', position);
        break;
      default:
        fail(
          `unknown or unsupported pickle opcode ${opcodeName(op)}; this is not a pickle torch.save wrote`,
          position,
        );
    }
  }
}
