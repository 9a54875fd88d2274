import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureError } from '@octconv/test-utils';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index';
import { roundHalfEven } from './round-half-even';
import { splitChannels } from './split-channels';

const table: { rows: [number, number, number][] } = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../fixtures/split-channels.json', import.meta.url)),
    'utf8',
  ),
);

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [2.4999999, 2],
    [2.5000001, 3],
    [7, 7],
  ])('%d → %d (Python 3 round)', (x, expected) => {
    expect(roundHalfEven(x) === expected || (expected === 0 && roundHalfEven(x) === 0)).toBe(true);
  });
});

describe('splitChannels', () => {
  it("matches Python's int(round(C · α)) for 4,096 (C, α) pairs, ties included", () => {
    const mismatches = table.rows.filter(([c, alpha, low]) => {
      const split = splitChannels(c, alpha);
      return split.low !== low || split.high !== c - low;
    });
    expect(mismatches).toEqual([]);
  });

  it('follows the seed: 64 channels at α = .5 → 32 / 32; ties round to even', () => {
    expect(splitChannels(64, 0.5)).toEqual({ high: 32, low: 32 });
    expect(splitChannels(10, 0.25)).toEqual({ high: 8, low: 2 });
    expect(splitChannels(6, 0.25)).toEqual({ high: 4, low: 2 });
    expect(splitChannels(3, 0.5)).toEqual({ high: 1, low: 2 });
    expect(splitChannels(5, 0.5)).toEqual({ high: 3, low: 2 });
    expect(splitChannels(3, 0)).toEqual({ high: 3, low: 0 });
    expect(splitChannels(3, 1)).toEqual({ high: 0, low: 3 });
  });

  it.each([
    [0, 0.5, 'channels', '0'],
    [-4, 0.5, 'channels', '-4'],
    [2.5, 0.5, 'channels', '2.5'],
    [Number.NaN, 0.5, 'channels', 'NaN'],
    ['8', 0.5, 'channels', '"8"'],
    [8, -0.1, 'alpha', '-0.1'],
    [8, 1.5, 'alpha', '1.5'],
    [8, Number.NaN, 'alpha', 'NaN'],
    [8, undefined, 'alpha', 'undefined'],
  ])('rejects splitChannels(%s, %s)', (channels, alpha, argument, shown) => {
    const error = captureError(() => splitChannels(channels as number, alpha as number));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    const e = error as InvalidArgumentError;
    expect(e.code).toBe('ERR_OCTCONV_INVALID_ARGUMENT');
    expect(e.argument).toBe(argument);
    expect(e.message).toMatch(/^splitChannels: /);
    expect(e.message).toContain(shown);
  });
});
