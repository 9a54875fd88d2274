import { dataView, readUint64 } from './bytes';

/**
 * Recognises what a file is from its first bytes, so that a wrong file gets a message that says
 * what it is and what to do instead of a parser's complaint.
 */

/** What {@link sniffFormat} recognised. */
export type FileKind =
  | 'safetensors'
  | 'torch-zip'
  | 'torch-legacy'
  | 'pickle'
  | 'empty'
  | 'hdf5'
  | 'onnx'
  | 'tfjs-model-json'
  | 'octconv-model-json'
  | 'json'
  | 'html'
  | 'text'
  | 'gzip'
  | 'tar'
  | 'numpy'
  | 'unknown';

const LEGACY_HEADER = [
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
];
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

/** Reads a protobuf varint at `at`; returns [value, next] or null. */
function varint(bytes: Uint8Array, at: number): [number, number] | null {
  let value = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 35; shift += 7, i++) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    if ((bytes[i]! & 0x80) === 0) return [value, i + 1];
  }
  return null;
}

/**
 * An ONNX `ModelProto` opens with field 1 (`ir_version`, a small varint) and goes on with the
 * producer name/version, domain or opset import, or a graph (fields 2–8, length-delimited).
 */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x08) return false;
  const version = varint(bytes, 1);
  if (version === null || version[0] < 1 || version[0] > 20) return false;
  const next = bytes[version[1]];
  return next !== undefined && [0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42].includes(next);
}

function textOf(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return null; // text has no NUL bytes; binary headers do
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // A multi-byte character cut at 4096 bytes is still text.
    if (bytes.length <= 4096) return null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 4090));
    } catch {
      return null;
    }
  }
  let printable = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code >= 0x20 || c === '\n' || c === '\r' || c === '\t') printable += 1;
  }
  return text.length > 0 && printable / text.length > 0.97 ? text : null;
}

/** The kind of file `bytes` holds. */
export function sniffFormat(bytes: Uint8Array): FileKind {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return 'torch-zip';
  }
  if (startsWith(bytes, LEGACY_HEADER)) return 'torch-legacy';
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1]! >= 2 && bytes[1]! <= 5) return 'pickle';
  if (startsWith(bytes, HDF5)) return 'hdf5';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'numpy';
  if (startsWith(bytes, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
  if (bytes.length >= 9) {
    const length = readUint64(dataView(bytes), 0);
    if (length <= bytes.length - 8 && bytes[8] === 0x7b) return 'safetensors';
  }
  const text = textOf(bytes);
  if (text !== null) {
    const trimmed = text.replace(/^\uFEFF/, '').trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      if (/"format"\s*:\s*"octconv-module"/.test(text)) return 'octconv-model-json';
      if (/"(modelTopology|weightsManifest)"/.test(text)) return 'tfjs-model-json';
      return 'json';
    }
    if (/^<(!doctype html|html|\?xml|head|body)/i.test(trimmed)) return 'html';
    return 'text';
  }
  if (looksLikeOnnx(bytes)) return 'onnx';
  // A damaged safetensors file: a header length that fits the file, or '{' after it; its own
  // parser says what is wrong.
  if (bytes.length >= 9) {
    const length = readUint64(dataView(bytes), 0);
    if (bytes[8] === 0x7b || (length > 0 && length <= bytes.length - 8)) return 'safetensors';
  }
  return 'unknown';
}

function hex(bytes: Uint8Array, count = 8): string {
  return Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * What to tell the user about a file of kind `kind` that `loadTorchCheckpoint` does not read.
 * Returns null for the kinds it reads.
 */
export function wrongFileMessage(kind: FileKind, bytes: Uint8Array): string | null {
  const hint =
    'loadTorchCheckpoint reads PyTorch .pth/.pt files (torch.save, zip or legacy format) and safetensors files';
  switch (kind) {
    case 'empty':
      return 'the file is empty (0 bytes): check the path, or that the download finished';
    case 'hdf5':
      return `this is an HDF5 file (a Keras .h5 model or weights), not a PyTorch checkpoint; ${hint}: convert the weights in Python, or load a Keras model with tf.loadLayersModel after tensorflowjs_converter`;
    case 'onnx':
      return `this is an ONNX model, not a PyTorch checkpoint; ${hint}: save the PyTorch weights with torch.save(model.state_dict(), path), or run ONNX files with onnxruntime-web`;
    case 'octconv-model-json':
      return 'this is a model.json written by saveModule, not a PyTorch checkpoint: load it with loadModule(source) (fileHandler(dir) from @octconv/models/node in Node)';
    case 'tfjs-model-json':
      return `this is a TensorFlow.js model.json (tf.io format), not a PyTorch checkpoint; load it with tf.loadLayersModel / tf.loadGraphModel; ${hint}`;
    case 'json':
      return `this is a JSON text file, not a checkpoint; ${hint}`;
    case 'html':
      return `this is an HTML page, not a checkpoint (a download that returned an error or login page?); ${hint}`;
    case 'text':
      return `this is a text file (it starts with ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 24)))}), not a checkpoint; ${hint}`;
    case 'gzip':
      return `this file is gzip-compressed: decompress it first (gunzip, or DecompressionStream('gzip') in a browser); ${hint}`;
    case 'tar':
      return 'this is a tar archive: torch.save wrote that format before PyTorch 0.4 and it is not read here; load it in PyTorch and save it again with torch.save(model.state_dict(), path)';
    case 'numpy':
      return `this is a NumPy .npy array, not a checkpoint; ${hint}`;
    case 'unknown': {
      let asSafetensors = '';
      if (bytes.length >= 8) {
        const length = readUint64(dataView(bytes), 0);
        asSafetensors = `; read as safetensors, its header length ${length} is ${length > bytes.length - 8 ? 'beyond the file' : 'not followed by a JSON object'}`;
      }
      return `this is not a checkpoint this package recognises (${bytes.length} bytes; the first are ${hex(bytes)}${asSafetensors}); ${hint}`;
    }
    default:
      return null;
  }
}
