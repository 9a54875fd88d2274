// Memory attacks on the .pth reader: pickles of a few bytes per object that would build
// gigabytes (ten million empty dicts, lists, tuples; strings; bytes made again and again from one
// memoized string; memo references; ten million nested tuples), in the zip and the legacy format.
// Each file is read by the built package in a child `node --max-old-space-size=512`, which must
// answer each with a CheckpointError naming the memory budget, quickly, and stay alive. A real
// checkpoint read by the same child shows the budget leaves room for what torch.save writes.
//
// The child loads ../dist (turbo builds before it tests): run `pnpm --filter @octconv/models build`
// first when running this file alone.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEGACY_PREAMBLE, makeZip, PTH, pickleBytes } from './pth-files';

const ENTRY = join(__dirname, '..', 'dist', 'index.js');
const CHILD = join(__dirname, 'memory', 'read-files.mjs');
/** An idle machine answers each attack in well under a second; 10× that and more, for CI load. */
const GUARD_MS = 10_000;

/** `chunk` repeated `count` times, built by doubling. */
function repeat(chunk: Uint8Array | string, count: number): Uint8Array {
  const unit = typeof chunk === 'string' ? pickleBytes(chunk) : chunk;
  const out = new Uint8Array(unit.length * count);
  out.set(unit);
  let filled = unit.length;
  while (filled < out.length) {
    const size = Math.min(filled, out.length - filled);
    out.copyWithin(filled, 0, size);
    filled += size;
  }
  return out;
}

const OPEN = pickleBytes([0x80, 0x02], '}', [0x58, 9, 0, 0, 0], 'optimizer', ']');
const CLOSE = pickleBytes('s.');
const ATTACKS: Record<string, Uint8Array> = {
  // The issue's file: ten million empty dicts appended to one list (20 MB).
  dicts: pickleBytes(OPEN, repeat('}a', 10_000_000), CLOSE),
  lists: pickleBytes(OPEN, repeat(']a', 10_000_000), CLOSE),
  tuples: pickleBytes(OPEN, repeat(')a', 10_000_000), CLOSE),
  strings: pickleBytes(OPEN, repeat(pickleBytes([0x58, 1, 0, 0, 0], 'za'), 3_000_000), CLOSE),
  // One 1 MB string, memoized, turned into bytes by _codecs.encode again and again (9 bytes each).
  bytes: pickleBytes(
    OPEN,
    'c_codecs\nencode\nq\x01',
    [0x58, 0, 0, 16, 0],
    repeat('x', 1 << 20),
    'q\x02',
    [0x58, 6, 0, 0, 0],
    'latin1q\x03000',
    repeat('h\x01h\x02h\x03\x86Ra', 100_000),
    CLOSE,
  ),
  // The list memoized and appended to itself ten million times.
  memo: pickleBytes(OPEN, 'q\x00', repeat('h\x00a', 10_000_000), CLOSE),
  // Ten million tuples, each holding the one before.
  nesting: pickleBytes(OPEN, ')', repeat('\x85', 10_000_000), 'a', CLOSE),
};

function legacy(object: Uint8Array): Uint8Array {
  return pickleBytes(LEGACY_PREAMBLE, object, [0x80, 0x02, 0x5d, 0x2e]);
}

interface Outcome {
  file: string;
  ms: number;
  heapMB: number;
  name?: string;
  code?: string;
  message?: string;
  loaded?: number;
}

describe('memory attacks under node --max-old-space-size=512', () => {
  const directory = mkdtempSync(join(tmpdir(), 'octconv-pickle-memory-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('every container kind, memo references and nesting give a CheckpointError naming the budget', () => {
    const files: string[] = [];
    for (const [name, pickle] of Object.entries(ATTACKS)) {
      const zip = join(directory, `${name}.zip.pth`);
      writeFileSync(zip, makeZip([['archive/data.pkl', pickle]]));
      const old = join(directory, `${name}.legacy.pth`);
      writeFileSync(old, legacy(pickle));
      files.push(zip, old);
    }
    const control = join(PTH, 'block-train.zip.pth');
    const result = spawnSync(
      process.execPath,
      ['--max-old-space-size=512', CHILD, ENTRY, ...files, control],
      { encoding: 'utf8', timeout: 20 * GUARD_MS * (files.length + 1) },
    );
    expect(result.stderr).not.toMatch(/heap out of memory|FATAL/);
    expect(result.status).toBe(0);
    const outcomes = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Outcome);
    expect(outcomes.map((o) => o.file)).toEqual([...files, control]);
    for (const o of outcomes) {
      console.log(
        `[octconv] ${o.file.split('/').at(-1)}: ${o.ms.toFixed(0)} ms, heap ${o.heapMB.toFixed(0)} MB`,
      );
    }
    for (const outcome of outcomes.slice(0, -1)) {
      const what = `${outcome.file}: ${outcome.message ?? 'loaded'}`;
      expect(outcome.name, what).toBe('CheckpointError');
      expect(outcome.code, what).toBe('ERR_OCTCONV_CHECKPOINT');
      expect(outcome.message, what).toMatch(
        /the pickle builds more than \d+ bytes of Python objects, the reader's memory budget/,
      );
      expect(outcome.ms, what).toBeLessThan(GUARD_MS);
    }
    // The same child reads a real training checkpoint.
    expect(outcomes.at(-1)!.loaded).toBeGreaterThan(0);
    console.log(
      `[octconv] memory attacks: slowest ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms, highest heap ${Math.max(...outcomes.map((o) => o.heapMB)).toFixed(0)} MB`,
    );
  }, 600_000);
});
