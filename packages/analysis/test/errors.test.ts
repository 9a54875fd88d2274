// Bad descriptions and bad CLI arguments: typed errors naming the layer index and field; the CLI
// prints one line and exits non-zero, never a stack trace.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidArgumentError,
  type ModelDescription,
  ShapeMismatchError,
} from '@octconv/core/shape';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  compareOctaveConv,
  describeMiniOctNet,
  describeOctaveConv,
  describeOctResNet,
  sweepAlpha,
} from '../src/index';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');

function broken(mutate: (description: ModelDescription) => void): ModelDescription {
  // A JSON copy: descriptions share shape arrays between a layer's output and the next input.
  const description = JSON.parse(
    JSON.stringify(describeMiniOctNet({ alpha: 0.5 }, { height: 16 })),
  ) as ModelDescription;
  mutate(description);
  return description;
}

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('analyze rejects invalid descriptions', () => {
  const cases: [
    string,
    () => unknown,
    typeof InvalidArgumentError | typeof ShapeMismatchError,
    string,
  ][] = [
    [
      'unknown kind',
      () => analyze(broken((d) => Object.assign(d.layers[2]!, { kind: 'dropout' }))),
      InvalidArgumentError,
      'analyze: layers[2].kind must be one of',
    ],
    [
      'negative channels',
      () => analyze(broken((d) => Object.assign(d.layers[0]!, { outChannels: -4 }))),
      InvalidArgumentError,
      'analyze: layers[0].outChannels must be an integer ≥ 1, got -4',
    ],
    [
      'α outside [0, 1]',
      () =>
        analyze(
          broken((d) => {
            (d.layers[4] as { spec: { alphaIn: number } }).spec.alphaIn = 1.5;
          }),
        ),
      InvalidArgumentError,
      'analyze: layers[4].spec.alphaIn must be a number in [0, 1], got 1.5',
    ],
    [
      'inconsistent shapes',
      () =>
        analyze(
          broken((d) => {
            d.layers[8]!.input.high = [1, 16, 16, 99];
          }),
        ),
      ShapeMismatchError,
      'analyze: layers[8] (b2.oct): input [1, 16, 16, 99] is not produced by any earlier layer',
    ],
    [
      'wrong output',
      () =>
        analyze(
          broken((d) => {
            d.layers[0]!.output.high = [1, 15, 16, 64];
          }),
        ),
      ShapeMismatchError,
      'analyze: layers[0] (stem.0): output [1, 15, 16, 64], the kernel, stride and padding give [1, 16, 16, 64]',
    ],
    [
      'groups that do not divide',
      () => analyze(broken((d) => Object.assign(d.layers[0]!, { groups: 2 }))),
      InvalidArgumentError,
      'analyze: layers[0].groups must divide inChannels 3 and outChannels 64, got 2',
    ],
    [
      'a ReLU that changes the shape',
      () =>
        analyze(
          broken((d) => {
            d.layers[2]!.output = { high: [1, 1000, 1000, 64], low: null };
          }),
        ),
      ShapeMismatchError,
      'analyze: layers[2] (stem.2): output',
    ],
    [
      'a linear layer with a bad output',
      () =>
        analyze(
          broken((d) => {
            d.layers[14]!.output = { high: [64, 10], low: null };
            d.output = d.layers[14]!.output;
          }),
        ),
      ShapeMismatchError,
      'analyze: layers[14] (fc): output',
    ],
    [
      'a description output that is not the last layer’s',
      () =>
        analyze(
          broken((d) => {
            d.output = { high: [1, 11], low: null };
          }),
        ),
      ShapeMismatchError,
      "the description's output",
    ],
    [
      'unsafe shapes',
      () =>
        analyze(
          broken((d) => {
            d.input.high = [1e300, 16, 16, 3];
          }),
        ),
      InvalidArgumentError,
      'analyze: description.input.high must be null or a list',
    ],
    [
      'not a description',
      () => analyze(null as unknown as ModelDescription),
      InvalidArgumentError,
      'analyze: description must be a model description',
    ],
    [
      'bad α list',
      () =>
        sweepAlpha(
          (alpha) =>
            describeOctaveConv({
              height: 8,
              width: 8,
              inChannels: 4,
              outChannels: 4,
              alphaIn: alpha,
              alphaOut: alpha,
            }),
          [0.5, 2],
        ),
      InvalidArgumentError,
      'sweepAlpha: alphas[1] must be a number in [0, 1], got 2',
    ],
  ];
  for (const [label, call, kind, message] of cases) {
    it(label, () => {
      const error = thrown(call);
      expect(kind.isInstance(error), String(error)).toBe(true);
      expect(error.message).toContain(message);
    });
  }
});

describe('the description builders name themselves in errors', () => {
  const rows: [string, () => unknown, string][] = [
    [
      'describeOctaveConv',
      () => describeOctaveConv({ height: 8, width: 8, inChannels: 4, outChannels: 4, alphaIn: 2 }),
      '2',
    ],
    [
      'compareOctaveConv',
      () => compareOctaveConv({ height: 8, width: 8, inChannels: 4, outChannels: 0 }),
      '0',
    ],
    ['describeMiniOctNet', () => describeMiniOctNet({ alpha: -1 }, { height: 16 }), '-1'],
    [
      'describeOctResNet',
      () => describeOctResNet({ depth: 18 as 50, alpha: 0.5 }, { height: 224 }),
      '18',
    ],
    [
      'describeOctResNet',
      () => describeOctResNet({ depth: 50, alpha: 0.5 }, { height: 1.5 }),
      '1.5',
    ],
    [
      'describeOctResNet',
      () => describeOctResNet({ depth: 50, alpha: 0.25, variant: 'd-li14' }, { height: 224 }),
      "0.5 with variant 'd-li14'",
    ],
    [
      'describeOctResNet',
      () =>
        describeOctResNet({ depth: 50, alpha: 0.5, variant: 'li14' as 'd-li14' }, { height: 224 }),
      '"li14"',
    ],
  ];
  for (const [fn, call, shows] of rows) {
    it(`${fn}: InvalidArgumentError with the value`, () => {
      const error = thrown(call);
      expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidArgumentError).code).toBe('ERR_OCTCONV_INVALID_ARGUMENT');
      expect(error.message.startsWith(`${fn}: `), error.message).toBe(true);
      expect(error.message).toContain(shows);
    });
  }
});

describe('octconv-analyze CLI', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  it('prints the Oct-ResNet-50 table with the paper’s multiply-adds', () => {
    const result = run('--model', 'oct-resnet50', '--alpha', '0,0.5', '--markdown');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('| 0.5 | 2.367 |');
    expect(result.stdout).toContain('| 0 | 4.089 |');
  });

  it('prints d-li14’s Oct-ResNet-50: 2.367 GMACs, 25,557,032 parameters, against plain ResNet-50', () => {
    const result = run(
      '--model',
      'oct-resnet50',
      '--variant',
      'd-li14',
      '--alpha',
      '0,0.5',
      '--markdown',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Oct-ResNet-50 (d-li14)');
    expect(result.stdout).toContain('| 0.5 | 2.367 |');
    expect(result.stdout).toContain('| 0 | 4.089 |');
    expect(result.stdout).toContain('25,557,032');
  });

  it('analyses a saved describe() result and one layer', () => {
    const directory = mkdtempSync(join(tmpdir(), 'octconv-analyze-'));
    try {
      const file = join(directory, 'mini.json');
      writeFileSync(file, JSON.stringify(describeMiniOctNet({ alpha: 0.5 }, { height: 32 })));
      const saved = run('--description', file);
      expect(saved.status).toBe(0);
      expect(saved.stdout).toMatch(/total\s+224,842/);
      const layer = run('--layer', '--in-channels', '64', '--alpha', '0.5', '--input', '56');
      expect(layer.stdout).toContain('43.8%');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  for (const [args, message] of [
    [
      ['--model', 'vgg16'],
      '--model must be mini-oct-net, oct-resnet26/50/101/152, oct-mobilenet-v1 or oct-mobilenet-v2',
    ],
    [['--alpha', '0.5,x'], '--alpha values must be numbers in [0, 1], got "x"'],
    [['--input', '0'], '--input must be an integer from 1 to 1,000,000'],
    [['--batch', '1e300'], '--batch must be an integer from 1 to 1,000,000'],
    [['--nope'], "Unknown option '--nope'"],
    [['--variant', 'd-li14', '--alpha', '0.25'], '--variant d-li14 has α = 0.5 only'],
    [['--variant', 'gluon'], '--variant must be default or d-li14, got "gluon"'],
    [
      ['--model', 'mini-oct-net', '--variant', 'd-li14'],
      '--variant applies to the Oct-ResNet models',
    ],
    [['--description', '/nonexistent.json'], 'cannot read /nonexistent.json'],
  ] as const) {
    it(`exits 1 with one line for ${args.join(' ')}`, () => {
      const result = run(...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`octconv-analyze: ${message}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
