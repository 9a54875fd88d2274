import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  InvalidArgumentError,
  OctconvError,
  ShapeMismatchError,
  UnsupportedBackendError,
} from './index';

describe('OctconvError', () => {
  const errors = [
    new InvalidArgumentError({
      functionName: 'f',
      argument: 'alpha',
      value: 2,
      message: 'alpha is 2',
    }),
    new ShapeMismatchError({ functionName: 'g', message: 'bad shape' }),
    new CheckpointError({ functionName: 'load', message: '2 problems', problems: ['a', 'b'] }),
    new UnsupportedBackendError({ functionName: 'h', backend: 'webgl', message: 'no kernel' }),
  ];

  it('prefixes the function name and carries a stable code', () => {
    expect(errors.map((e) => e.message)).toEqual([
      'f: alpha is 2',
      'g: bad shape',
      'load: 2 problems',
      'h: no kernel',
    ]);
    expect(errors.map((e) => e.code)).toEqual([
      'ERR_OCTCONV_INVALID_ARGUMENT',
      'ERR_OCTCONV_SHAPE_MISMATCH',
      'ERR_OCTCONV_CHECKPOINT',
      'ERR_OCTCONV_UNSUPPORTED_BACKEND',
    ]);
    expect(errors.map((e) => e.name)).toEqual([
      'InvalidArgumentError',
      'ShapeMismatchError',
      'CheckpointError',
      'UnsupportedBackendError',
    ]);
    expect((errors[2] as CheckpointError).problems).toEqual(['a', 'b']);
  });

  it('isInstance tells the classes apart, also for errors from another copy of the package', () => {
    for (const error of errors) {
      expect(OctconvError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
    expect(InvalidArgumentError.isInstance(errors[0])).toBe(true);
    expect(InvalidArgumentError.isInstance(errors[1])).toBe(false);
    expect(ShapeMismatchError.isInstance(errors[1])).toBe(true);
    expect(CheckpointError.isInstance(errors[2])).toBe(true);
    expect(UnsupportedBackendError.isInstance(errors[3])).toBe(true);
    // A second copy of the package has other classes but the same Symbol.for markers.
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('octconv.error')]: true,
      [Symbol.for('octconv.error.ShapeMismatchError')]: true,
    });
    expect(OctconvError.isInstance(foreign)).toBe(true);
    expect(ShapeMismatchError.isInstance(foreign)).toBe(true);
    expect(InvalidArgumentError.isInstance(foreign)).toBe(false);
    expect(OctconvError.isInstance(new Error('plain'))).toBe(false);
    expect(OctconvError.isInstance(null)).toBe(false);
  });
});
