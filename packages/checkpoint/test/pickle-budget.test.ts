// The unpickler's memory budget under an opcode fuzz: random streams of opcodes, each repeated a
// large random number of times (up to 200,000), read with a small budget. Every stream must end
// in a value or a CheckpointError (never another exception), and what was built is charged: a
// stream that returns stayed inside the budget.

import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../src/index';
import { PICKLE_LIMITS, pickleBudget, unpickle } from '../src/pickle';
import { pickleBytes } from './bytes';

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHUNKS = [
  '}',
  ']',
  ')',
  '(',
  'a',
  'e',
  's',
  'u',
  't',
  'l',
  'd',
  '\x85',
  '\x86',
  '\x87',
  'X\x01\x00\x00\x00z',
  'X\x08\x00\x00\x00abcdefgh',
  'C\x04abcd',
  'K\x07',
  'J\x01\x02\x03\x04',
  'G\x3f\xf0\x00\x00\x00\x00\x00\x00',
  '\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09',
  'q\x00',
  'h\x00',
  '\x94',
  '2',
  '0',
  'N',
  '\x88',
  'cargparse\nNamespace\n',
  'ccollections\nOrderedDict\n',
  ')\x81',
  ')R',
  'b',
];

const BUDGET = 4 * 2 ** 20;

describe('the unpickler under an opcode fuzz with large counts', () => {
  it('300 streams: a value or a CheckpointError, and a returned value stayed in the budget', () => {
    const next = random(21);
    let returned = 0;
    let budgetHits = 0;
    for (let c = 0; c < 300; c++) {
      const parts: Uint8Array[] = [pickleBytes([0x80, 0x02])];
      const segments = 1 + Math.floor(next() * 12);
      for (let s = 0; s < segments; s++) {
        const chunk = pickleBytes(CHUNKS[Math.floor(next() * CHUNKS.length)]!);
        const count = 1 + Math.floor(next() ** 3 * 200_000);
        const block = new Uint8Array(chunk.length * count);
        for (let i = 0; i < count; i++) block.set(chunk, i * chunk.length);
        parts.push(block);
      }
      parts.push(pickleBytes('.'));
      const bytes = pickleBytes(...parts);
      try {
        const { spent } = unpickle(bytes, 0, {
          functionName: 'fuzz',
          label: 'fuzz',
          budget: BUDGET,
          resolveGlobal: (module, name) =>
            module === 'collections' && name === 'OrderedDict'
              ? { pickleGlobal: 'collections.OrderedDict', call: () => ({}) }
              : undefined,
          persistentLoad: () => null,
        });
        expect(spent).toBeLessThanOrEqual(BUDGET);
        returned += 1;
      } catch (error) {
        if (!CheckpointError.isInstance(error)) throw error;
        if (/memory budget/.test(error.message)) budgetHits += 1;
      }
    }
    console.log(
      `[octconv] pickle fuzz: 300 streams, ${returned} returned, ${budgetHits} stopped by the budget`,
    );
    expect(budgetHits).toBeGreaterThan(10);
  }, 300_000);

  it('the budget grows with the file and stops at its ceiling', () => {
    expect(pickleBudget(0)).toBe(PICKLE_LIMITS.budgetBase);
    expect(pickleBudget(1000)).toBe(
      PICKLE_LIMITS.budgetBase + 1000 * PICKLE_LIMITS.bytesPerFileByte,
    );
    expect(pickleBudget(2 ** 40)).toBe(PICKLE_LIMITS.budgetCeiling);
  });
});
