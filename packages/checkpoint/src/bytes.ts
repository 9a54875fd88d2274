/**
 * Byte-level helpers shared by the readers: the little-endian 64-bit length fields of zip,
 * safetensors, legacy `torch.save` files and pickles, and the float16 / bfloat16 decoders.
 */

/**
 * The unsigned little-endian 64-bit integer at `at`, as a number. Values beyond 2^53 come back
 * rounded (and not safe integers): callers compare them with what the file can hold, which is
 * always smaller, so a hostile length is refused rather than trusted.
 */
export function readUint64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** A DataView over exactly `bytes`. */
export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

let halfTable: Float32Array | null = null;

/** float32 value of every float16 bit pattern (256 KB, built once on first use). */
function float16Table(): Float32Array {
  if (halfTable !== null) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = halfToFloat(bits);
  halfTable = table;
  return table;
}

/** IEEE half-precision bits to a number (exact: every float16 is a float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** float16 bit patterns to float32 values, as PyTorch's `.float()` converts them. */
export function decodeFloat16(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** bfloat16 bit patterns to float32 values: the 16 bits are the high half of a float32. */
export function decodeBFloat16(bits: Uint16Array): Float32Array {
  const widened = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) widened[i] = bits[i]! << 16;
  return new Float32Array(widened.buffer);
}

/** A fresh ArrayBuffer holding a copy of `bytes` (aligned for any element type). */
export function copyBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out.buffer;
}

/** `bytes` as 16-bit elements: a view when aligned, else an aligned copy. */
export function uint16Elements(bytes: Uint8Array): Uint16Array {
  return bytes.byteOffset % 2 === 0
    ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1)
    : new Uint16Array(copyBuffer(bytes));
}

/** The latin-1 bytes of `text` (how protocol 2 pickles Python 3 bytes: `_codecs.encode`). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
