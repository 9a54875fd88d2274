// Helpers for the .pth tests: the committed torch.save fixtures (fixtures/make_pth_fixtures.py),
// a writer of stored zip archives (with ZIP64 records on request) and pickle byte builders, to make
// broken and hostile files by hand.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickleBytes } from '../../checkpoint/test/bytes';
import { FIXTURES } from './fixtures';

export const PTH = join(FIXTURES, 'pth');

export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  data: (number | string)[];
}

export interface PthExpected {
  torch: string;
  dtypes: { tensors: Record<string, ExpectedTensor>; nested: Record<string, unknown> };
  block_train: {
    config: { cin: number; cout: number; alpha_in: number; alpha_out: number };
    state: Record<string, ExpectedTensor>;
  };
}

export const expected = JSON.parse(
  readFileSync(join(FIXTURES, 'pth-expected.json'), 'utf8'),
) as PthExpected;

/** A committed fixture file's bytes. */
export function pth(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PTH, name)));
}

/**
 * A zip archive of stored entries, laid out as torch.save lays it out (local headers, data,
 * central directory, end record). CRCs are left 0 (the reader does not check them, as
 * torch.load does not). `zip64` adds the ZIP64 end records and puts 0xFFFFFFFF in the 32-bit
 * fields; `method` overrides the compression method of every entry.
 */
export function makeZip(
  entries: [string, Uint8Array][],
  options: { zip64?: boolean; method?: number } = {},
): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = encoder.encode(name);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint16(8, options.method ?? 0, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const extra = options.zip64 ? 28 : 0;
    const entry = new Uint8Array(46 + nameBytes.length + extra);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 45, true);
    cv.setUint16(10, options.method ?? 0, true);
    cv.setUint32(20, options.zip64 ? 0xffffffff : data.length, true);
    cv.setUint32(24, options.zip64 ? 0xffffffff : data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, extra, true);
    cv.setUint32(42, options.zip64 ? 0xffffffff : offset, true);
    entry.set(nameBytes, 46);
    if (options.zip64) {
      const at = 46 + nameBytes.length;
      cv.setUint16(at, 0x0001, true);
      cv.setUint16(at + 2, 24, true);
      cv.setBigUint64(at + 4, BigInt(data.length), true);
      cv.setBigUint64(at + 12, BigInt(data.length), true);
      cv.setBigUint64(at + 20, BigInt(offset), true);
    }
    chunks.push(local, data);
    central.push(entry);
    offset += local.length + data.length;
  }
  const directoryOffset = offset;
  const directorySize = central.reduce((sum, c) => sum + c.length, 0);
  const tail: Uint8Array[] = [];
  if (options.zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setBigUint64(24, BigInt(entries.length), true);
    rv.setBigUint64(32, BigInt(entries.length), true);
    rv.setBigUint64(40, BigInt(directorySize), true);
    rv.setBigUint64(48, BigInt(directoryOffset), true);
    const locator = new Uint8Array(20);
    const lv = new DataView(locator.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(directoryOffset + directorySize), true);
    lv.setUint32(16, 1, true);
    tail.push(record, locator);
  }
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, options.zip64 ? 0xffff : entries.length, true);
  ev.setUint16(10, options.zip64 ? 0xffff : entries.length, true);
  ev.setUint32(12, options.zip64 ? 0xffffffff : directorySize, true);
  ev.setUint32(16, options.zip64 ? 0xffffffff : directoryOffset, true);
  tail.push(end);
  const parts = [...chunks, ...central, ...tail];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Entries of a stored zip archive (for re-packing a real torch.save file). */
export function unzipStored(bytes: Uint8Array): [string, Uint8Array][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const out: [string, Uint8Array][] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(at + 28, true);
    const size = view.getUint32(at + 24, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    out.push([name, bytes.slice(start, start + size)]);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

// One home for the opcode-stream helper: the reader's own tests in @octconv/checkpoint.
export { pickleBytes };

/** The three small pickles that open a legacy file: magic number, protocol 1001, sys info. */
export const LEGACY_PREAMBLE = pickleBytes(
  [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e],
  [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e],
  [0x80, 0x02, 0x7d, 0x2e],
);

/** A legacy file whose object pickle is `object` and with no storages. */
export function legacyFile(object: Uint8Array): Uint8Array {
  return pickleBytes(LEGACY_PREAMBLE, object, [0x80, 0x02, 0x5d, 0x2e]);
}
