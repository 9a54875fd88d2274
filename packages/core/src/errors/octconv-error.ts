const BASE_MARKER = 'octconv.error';
const baseSymbol = Symbol.for(BASE_MARKER);

/** Stable machine-readable codes; one per error class. */
export type OctconvErrorCode =
  | 'ERR_OCTCONV_INVALID_ARGUMENT'
  | 'ERR_OCTCONV_SHAPE_MISMATCH'
  | 'ERR_OCTCONV_CHECKPOINT'
  | 'ERR_OCTCONV_UNSUPPORTED_BACKEND';

export interface OctconvErrorOptions {
  /** The public function that rejected its input, e.g. `octaveConv2d`. */
  functionName: string;
  /** What was wrong, with the offending values. The function name is prefixed for you. */
  message: string;
  cause?: unknown;
}

function hasMarker(error: unknown, marker: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[Symbol.for(marker)] === true
  );
}

/**
 * Base class of every error thrown by `@octconv/*`. The message always starts with the name of
 * the function that threw (`octaveConv2d: …`) and names the offending values.
 *
 * Use `OctconvError.isInstance(error)` (or a subclass's) rather than `instanceof`: it also works
 * when two copies of the package are loaded (a bundled and a shared one, ESM and CJS).
 */
export class OctconvError extends Error {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the marker isInstance looks for
  private readonly [baseSymbol] = true;
  /** Stable code of the error's kind, safe to switch on. */
  readonly code: OctconvErrorCode;
  /** The public function that threw. */
  readonly functionName: string;

  protected constructor(code: OctconvErrorCode, options: OctconvErrorOptions) {
    super(`${options.functionName}: ${options.message}`, { cause: options.cause });
    this.name = 'OctconvError';
    this.code = code;
    this.functionName = options.functionName;
  }

  /** True for any `@octconv` error, from any copy of the package. */
  static isInstance(error: unknown): error is OctconvError {
    return hasMarker(error, BASE_MARKER);
  }
}

const INVALID_ARGUMENT_MARKER = `${BASE_MARKER}.InvalidArgumentError`;
const invalidArgumentSymbol = Symbol.for(INVALID_ARGUMENT_MARKER);

/** An argument is out of its domain: α outside [0, 1], a stride of 3, a non-integer count, … */
export class InvalidArgumentError extends OctconvError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the marker isInstance looks for
  private readonly [invalidArgumentSymbol] = true;
  /** Name of the offending argument or option, e.g. `alpha` or `options.stride`. */
  readonly argument: string;
  /** The offending value, as given. */
  readonly value: unknown;

  constructor(options: OctconvErrorOptions & { argument: string; value: unknown }) {
    super('ERR_OCTCONV_INVALID_ARGUMENT', options);
    this.name = 'InvalidArgumentError';
    this.argument = options.argument;
    this.value = options.value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, INVALID_ARGUMENT_MARKER);
  }
}

const SHAPE_MISMATCH_MARKER = `${BASE_MARKER}.ShapeMismatchError`;
const shapeMismatchSymbol = Symbol.for(SHAPE_MISMATCH_MARKER);

/** Tensors whose shapes, ranks or dtypes do not fit together (bands, filters, biases). */
export class ShapeMismatchError extends OctconvError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the marker isInstance looks for
  private readonly [shapeMismatchSymbol] = true;

  constructor(options: OctconvErrorOptions) {
    super('ERR_OCTCONV_SHAPE_MISMATCH', options);
    this.name = 'ShapeMismatchError';
  }

  static override isInstance(error: unknown): error is ShapeMismatchError {
    return hasMarker(error, SHAPE_MISMATCH_MARKER);
  }
}

const CHECKPOINT_MARKER = `${BASE_MARKER}.CheckpointError`;
const checkpointSymbol = Symbol.for(CHECKPOINT_MARKER);

/** A checkpoint that cannot be loaded; `problems` lists every problem found, not just the first. */
export class CheckpointError extends OctconvError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the marker isInstance looks for
  private readonly [checkpointSymbol] = true;
  readonly problems: readonly string[];

  constructor(options: OctconvErrorOptions & { problems?: readonly string[] }) {
    super('ERR_OCTCONV_CHECKPOINT', options);
    this.name = 'CheckpointError';
    this.problems = options.problems ?? [options.message];
  }

  static override isInstance(error: unknown): error is CheckpointError {
    return hasMarker(error, CHECKPOINT_MARKER);
  }
}

const UNSUPPORTED_BACKEND_MARKER = `${BASE_MARKER}.UnsupportedBackendError`;
const unsupportedBackendSymbol = Symbol.for(UNSUPPORTED_BACKEND_MARKER);

/** The active tfjs backend lacks a kernel we need, or could not start. */
export class UnsupportedBackendError extends OctconvError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the marker isInstance looks for
  private readonly [unsupportedBackendSymbol] = true;
  readonly backend: string;

  constructor(options: OctconvErrorOptions & { backend: string }) {
    super('ERR_OCTCONV_UNSUPPORTED_BACKEND', options);
    this.name = 'UnsupportedBackendError';
    this.backend = options.backend;
  }

  static override isInstance(error: unknown): error is UnsupportedBackendError {
    return hasMarker(error, UNSUPPORTED_BACKEND_MARKER);
  }
}
