import { CheckpointError } from '@octconv/core/shape';
import { dataView, readUint64 } from './bytes';

/**
 * A reader for the zip archives `torch.save` writes (PyTorch ≥ 1.6): stored (uncompressed)
 * entries, found through the central directory, with ZIP64 records for large archives. Entries
 * are views into the file, never copies. A compressed entry is refused with a clear message:
 * `torch.save` never compresses, and inflating synchronously is not available in browsers.
 */

/** One entry of the archive. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate, … */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header. */
  localOffset: number;
}

/** Upper bound on the entries of one archive (a state dict has one per storage). */
export const MAX_ZIP_ENTRIES = 1_000_000;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A parsed zip archive. */
export class ZipArchive {
  private constructor(
    private readonly functionName: string,
    private readonly bytes: Uint8Array,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  /**
   * Reads the central directory of `bytes`.
   *
   * @throws CheckpointError when the archive is truncated or malformed.
   */
  static open(functionName: string, bytes: Uint8Array): ZipArchive {
    const fail = (message: string): never => {
      throw new CheckpointError({
        functionName,
        message: `not a readable zip checkpoint: ${message}`,
        problems: [message],
      });
    };
    const view = dataView(bytes);
    const u16 = (at: number) => view.getUint16(at, true);
    const u32 = (at: number) => view.getUint32(at, true);
    const u64 = (at: number) => {
      const value = readUint64(view, at);
      if (!Number.isSafeInteger(value)) fail(`a 64-bit field at byte ${at} is beyond 2^53`);
      return value;
    };
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65,535.
    let eocd = -1;
    for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
      if (u32(at) === EOCD && at + 22 + u16(at + 20) === bytes.length) {
        eocd = at;
        break;
      }
    }
    if (eocd < 0) {
      fail(
        'no end-of-central-directory record at the end of the file: the file is truncated (an interrupted download or copy?)',
      );
    }
    let count = u16(eocd + 10);
    let directorySize = u32(eocd + 12);
    let directoryOffset = u32(eocd + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || u32(locator) !== ZIP64_LOCATOR) {
        fail('the end record points to ZIP64 records that are missing');
      }
      const record = u64(locator + 8);
      if (record + 56 > locator || u32(record) !== ZIP64_EOCD) {
        fail(`no ZIP64 end-of-central-directory record at byte ${record}`);
      }
      count = u64(record + 32);
      directorySize = u64(record + 40);
      directoryOffset = u64(record + 48);
    }
    if (count > MAX_ZIP_ENTRIES) fail(`${count} entries is more than ${MAX_ZIP_ENTRIES}`);
    if (directoryOffset + directorySize > eocd) {
      fail(
        `the central directory (bytes ${directoryOffset}–${directoryOffset + directorySize}) is beyond the file: it is truncated`,
      );
    }
    const entries = new Map<string, ZipEntry>();
    let at = directoryOffset;
    const end = directoryOffset + directorySize;
    for (let i = 0; i < count; i++) {
      if (at + 46 > end || u32(at) !== CENTRAL) fail(`central directory entry ${i} is malformed`);
      const method = u16(at + 10);
      let compressedSize = u32(at + 20);
      let size = u32(at + 24);
      const nameLength = u16(at + 28);
      const extraLength = u16(at + 30);
      const commentLength = u16(at + 32);
      let localOffset = u32(at + 42);
      const next = at + 46 + nameLength + extraLength + commentLength;
      if (next > end) fail(`central directory entry ${i} runs past the directory`);
      const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
      // ZIP64 extended information: the 64-bit values, in this order, for the fields at max.
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = u16(extra);
        const length = u16(extra + 2);
        if (extra + 4 + length > extraEnd) fail(`entry ${JSON.stringify(name)}: bad extra field`);
        if (id === 0x0001) {
          let field = extra + 4;
          const next64 = () => {
            if (field + 8 > extra + 4 + length) {
              fail(`entry ${JSON.stringify(name)}: ZIP64 field too short`);
            }
            const value = u64(field);
            field += 8;
            return value;
          };
          if (size === 0xffffffff) size = next64();
          if (compressedSize === 0xffffffff) compressedSize = next64();
          if (localOffset === 0xffffffff) localOffset = next64();
        }
        extra += 4 + length;
      }
      if (entries.has(name)) fail(`the archive holds ${JSON.stringify(name)} twice`);
      entries.set(name, { name, method, compressedSize, size, localOffset });
      at = next;
    }
    return new ZipArchive(functionName, bytes, entries);
  }

  /**
   * The bytes of entry `name` (a view into the file).
   *
   * @throws CheckpointError when the entry is compressed or runs past the file.
   */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    const fail = (message: string): never => {
      throw new CheckpointError({ functionName: this.functionName, message });
    };
    if (entry === undefined) return fail(`the archive has no entry ${JSON.stringify(name)}`);
    const view = dataView(this.bytes);
    const at = entry.localOffset;
    if (at + 30 > this.bytes.length || view.getUint32(at, true) !== LOCAL) {
      fail(`zip entry ${JSON.stringify(name)}: no local header at byte ${at}; the file is damaged`);
    }
    if (entry.method !== 0) {
      fail(
        `zip entry ${JSON.stringify(name)} is compressed (method ${entry.method === 8 ? 'deflate' : entry.method}); torch.save stores entries uncompressed, so this archive was re-packed: load the file torch.save wrote, or re-zip it without compression (zip -0)`,
      );
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (entry.size !== entry.compressedSize || start + entry.size > this.bytes.length) {
      fail(
        `zip entry ${JSON.stringify(name)} (${entry.size} bytes from byte ${start}) runs past the end of the file (${this.bytes.length} bytes): the file is truncated`,
      );
    }
    return this.bytes.subarray(start, start + entry.size);
  }
}
