import { CheckpointError } from '@octconv/core';

/**
 * A restricted unpickler: it parses the pickle opcodes `torch.save` writes (protocols 2–5) into
 * plain JavaScript values and never runs anything. Python globals are resolved through an
 * allow-list given by the caller; any other global fails the load with a `CheckpointError`
 * naming it. The machine is iterative (no recursion on the file's nesting) and bounded: value
 * stack, mark stack, memo size and integer widths are limited, and every length is checked
 * against the bytes that are left, so a hostile file can neither hang it nor make it allocate
 * more than the file's own size.
 *
 * Values: `None` → `null`, bool → boolean, int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list and tuple → arrays (tuples are frozen), dict →
 * {@link PickleDict}; whatever the allow-list builds for a global (storages, tensors).
 *
 * @internal
 */

/** A Python dict (or `collections.OrderedDict`): keys in insertion order. */
export class PickleDict {
  readonly entries = new Map<unknown, unknown>();
  /** Attributes set on the dict by BUILD (PyTorch's `_metadata` on a state dict). */
  readonly attributes = new Map<string, unknown>();
  /** `'dict'` or the qualified class name (`collections.OrderedDict`). */
  constructor(readonly className: string = 'dict') {}
}

/** A Python global the allow-list accepted: called by REDUCE/NEWOBJ with its arguments. */
export interface PickleCallable {
  readonly pickleGlobal: string;
  call(args: readonly unknown[]): unknown;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** The public function the user called, for error messages. */
  functionName: string;
  /** What the pickle is, for messages: `data.pkl`, `the pickled object`. */
  label: string;
  /** Resolves `module.name` to an allowed callable, or undefined to refuse it. */
  resolveGlobal(module: string, name: string): PickleCallable | undefined;
  /** Resolves a persistent id (`BINPERSID`); torch uses it for storages. */
  persistentLoad(pid: unknown): unknown;
  /** Explains a refused global (e.g. a whole `nn.Module` was pickled). */
  explainGlobal?(qualified: string): string | undefined;
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
} as const;

const MARK = Symbol('mark');

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Result of {@link unpickle}: the value and the offset just after STOP. */
export interface Unpickled {
  value: unknown;
  end: number;
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

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
    if (!memo.has(index) && memo.size >= PICKLE_LIMITS.memo) {
      fail(`more than ${PICKLE_LIMITS.memo} memoized objects (a hostile file?)`);
    }
    memo.set(index, top());
  };
  const recall = (index: number) => {
    if (!memo.has(index)) fail(`the pickle refers to memo entry ${index}, which was never stored`);
    push(memo.get(index));
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
  const resolve = (module: string, name: string): PickleCallable => {
    const qualified = `${module}.${name}`;
    const callable = options.resolveGlobal(module, name);
    if (callable === undefined) {
      const extra = options.explainGlobal?.(qualified);
      fail(
        `the pickle asks for the Python global ${qualified}, which is not allowed: only tensors, storages and plain containers are read, nothing is ever executed${extra ? `; ${extra}` : ''}`,
      );
    }
    return callable!;
  };
  const call = (target: unknown, args: unknown, opcode: string): unknown => {
    if (
      typeof target !== 'object' ||
      target === null ||
      typeof (target as PickleCallable).call !== 'function' ||
      !('pickleGlobal' in target)
    ) {
      fail(`${opcode} applies something that is not an allowed global`);
    }
    if (!Array.isArray(args)) fail(`${opcode} arguments are not a tuple`);
    return (target as PickleCallable).call(args as unknown[]);
  };
  const setItems = (dict: unknown, items: unknown[], opcode: string) => {
    if (!(dict instanceof PickleDict)) fail(`${opcode} on something that is not a dict`);
    if (items.length % 2 !== 0) fail(`${opcode} with an odd number of keys and values`);
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      // Python cannot have written a list or a dict as a key (they are unhashable).
      if ((Array.isArray(key) && !Object.isFrozen(key)) || key instanceof PickleDict) {
        fail(`${opcode}: a list or dict as a dict key, which Python cannot write`);
      }
      (dict as PickleDict).entries.set(key, items[i + 1]);
    }
  };
  const append = (list: unknown, items: unknown[], opcode: string) => {
    if (!Array.isArray(list) || Object.isFrozen(list)) fail(`${opcode} on something not a list`);
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
        return { value: pop(), end: at };
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
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x4a: {
        // BININT
        need(4);
        push(view.getInt32(at, true));
        at += 4;
        break;
      }
      case 0x8a: {
        // LONG1
        const length = u8();
        if (length > PICKLE_LIMITS.longBytes) fail(`an integer of ${length} bytes`, position);
        push(littleEndianInteger(take(length)));
        break;
      }
      case 0x8b: {
        // LONG4
        const length = u32();
        if (length > PICKLE_LIMITS.longBytes) fail(`an integer of ${length} bytes`, position);
        push(littleEndianInteger(take(length)));
        break;
      }
      case 0x49: {
        // INT (text): also True/False as I01 / I00
        const text = line().trim();
        if (text === '01') push(true);
        else if (text === '00') push(false);
        else if (/^[-+]?\d{1,18}$/.test(text)) push(Number(text));
        else fail(`INT ${JSON.stringify(text.slice(0, 40))} is not an integer`, position);
        break;
      }
      case 0x4c: {
        // LONG (text)
        const text = line().trim().replace(/L$/, '');
        if (!/^[-+]?\d{1,150}$/.test(text)) fail('LONG is not an integer', position);
        const value = BigInt(text);
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
        push(view.getFloat64(at, false));
        at += 8;
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const value = Number(line().trim());
        if (Number.isNaN(value)) fail('FLOAT is not a number', position);
        push(value);
        break;
      }
      case 0x58: // BINUNICODE
        push(decodeUtf8(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(decodeUtf8(take(u8())));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
        at += 8;
        push(decodeUtf8(take(length)));
        break;
      }
      case 0x54: {
        // BINSTRING (Python 2 str): latin-1, as torch.load's default encoding
        const length = u32();
        if (length > 0x7fffffff) fail('BINSTRING with a negative length', position);
        push(latin1.decode(take(length)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(u8()).slice());
        break;
      case 0x8e: {
        // BINBYTES8
        need(8);
        const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
        at += 8;
        push(take(length).slice());
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        push(Object.freeze([]));
        break;
      case 0x7d: // EMPTY_DICT
        push(new PickleDict());
        break;
      case 0x8f: // EMPTY_SET: read as a list
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x74: // TUPLE
        push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        push(Object.freeze([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        push(Object.freeze([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push(Object.freeze([a, b, c]));
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark();
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
        remember(memo.size);
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
      case 0x52: {
        // REDUCE
        const args = pop();
        const target = pop();
        push(call(target, args, 'REDUCE'));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const target = pop();
        push(call(target, args, 'NEWOBJ'));
        break;
      }
      case 0x62: {
        // BUILD: state of the object below; only dict attributes on a dict are kept.
        const state = pop();
        const target = top();
        if (target instanceof PickleDict && state instanceof PickleDict) {
          for (const [key, value] of state.entries) {
            if (typeof key === 'string') target.attributes.set(key, value);
          }
        } else if (!(target instanceof PickleDict) || state !== null) {
          // Tensors and storages have no pickled state in torch.save's output.
          fail('BUILD sets the state of an object that has none', position);
        }
        break;
      }
      case 0x51: {
        // BINPERSID
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
