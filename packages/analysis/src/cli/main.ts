#!/usr/bin/env node
// octconv-analyze: parameters, multiply-adds and activation memory of OctConv networks.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ModelDescription, OctconvError } from '@octconv/core/shape';
import { analyze } from '../analyze/analyze';
import { sweepAlpha } from '../analyze/compare';
import { describeOctMobileNetV1, describeOctMobileNetV2 } from '../describe/mobilenets';
import { describeMiniOctNet, describeOctaveConv, describeOctResNet } from '../describe/networks';
import { formatLayers, formatSweep, type TableFormat } from '../render/table';

const HELP = `octconv-analyze — parameters, multiply-adds (MACs; FLOPs = 2 × MACs) and activation memory

Usage:
  octconv-analyze [--model oct-resnet50] [--alpha 0,0.125,0.25,0.5,0.75] [--input 224] [--batch 1]
  octconv-analyze --model oct-resnet50 --variant d-li14      (the public pretrained Oct-ResNet-50)
  octconv-analyze --model oct-mobilenet-v1 [--width 1] [--alpha 0,0.5] [--input 224]
  octconv-analyze --layer --in-channels 64 --out-channels 64 [--kernel 3] [--stride 1]
                  [--stride-mode pool] [--padding 1] [--alpha 0.5] [--input 56]
  octconv-analyze --description model.json     (a describe() result saved as JSON)

Options:
  --model         mini-oct-net, oct-resnet26, oct-resnet50, oct-resnet101, oct-resnet152,
                  oct-mobilenet-v1, oct-mobilenet-v2
  --variant       Oct-ResNet variant: default, or d-li14 (d-li14/octconv.pytorch: α = 0.5 only,
                  compared with the default ResNet at α = 0, as that project's README does)
  --width         width multiplier of the Oct-MobileNets (default 1; published: v1 0.75 and 1,
                  v2 1 and 1.125)
  --alpha         comma-separated α values; each row is compared with α = 0 (the vanilla twin)
  --input         input size: N or HxW
  --classes       classifier outputs (default 1000 for Oct-ResNet, 10 for MiniOctNet)
  --layers        also print every layer of the last α
  --markdown      Markdown tables instead of aligned text
  --json FILE     write the full result as JSON
  --help          this text

Conventions: "conv GMACs" counts the multiply-adds of convolutions and the classifier: this is
what the paper calls FLOPs (Oct-ResNet-50 α .5: 2.367). "GFLOPs" is 2 × all multiply-adds, batch
norm included (one per element), so it is a little more than 2 × conv GMACs. Pooling, upsampling,
additions and ReLU are counted apart ("other ops", --json); memory is float32 outputs.`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000)
    throw new UsageError(
      `--${name} must be an integer from 1 to 1,000,000, got ${JSON.stringify(value)}`,
    );
  return n;
}

function size(value: string | undefined, fallback: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  const parts = value.split('x');
  if (parts.length > 2)
    throw new UsageError(`--input must be N or HxW, got ${JSON.stringify(value)}`);
  const h = integer('input', parts[0], fallback);
  return [h, integer('input', parts[1] ?? parts[0], fallback)];
}

function alphas(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  return value.split(',').map((part) => {
    const alpha = Number(part);
    if (part.trim() === '' || !(alpha >= 0 && alpha <= 1))
      throw new UsageError(`--alpha values must be numbers in [0, 1], got ${JSON.stringify(part)}`);
    return alpha;
  });
}

export function main(argv: string[]): { output: string; json?: unknown; jsonPath?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      variant: { type: 'string' },
      alpha: { type: 'string' },
      input: { type: 'string' },
      batch: { type: 'string' },
      classes: { type: 'string' },
      width: { type: 'string' },
      layer: { type: 'boolean' },
      'in-channels': { type: 'string' },
      'out-channels': { type: 'string' },
      kernel: { type: 'string' },
      stride: { type: 'string' },
      'stride-mode': { type: 'string' },
      padding: { type: 'string' },
      layers: { type: 'boolean' },
      description: { type: 'string' },
      markdown: { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return { output: HELP };
  const format: TableFormat = values.markdown ? 'markdown' : 'terminal';
  const batch = integer('batch', values.batch, 1);

  if (values.description !== undefined) {
    let description: ModelDescription;
    try {
      description = JSON.parse(readFileSync(values.description, 'utf8')) as ModelDescription;
    } catch (error) {
      throw new UsageError(`cannot read ${values.description}: ${(error as Error).message}`);
    }
    const analysis = analyze(description);
    return {
      output: `${analysis.module}\n\n${formatLayers(analysis, format)}`,
      json: analysis,
      ...(values.json !== undefined && { jsonPath: values.json }),
    };
  }

  let title: string;
  let build: (alpha: number) => ModelDescription;
  let alphaList: number[];
  if (values.layer) {
    const [height, width] = size(values.input, 56);
    const inChannels = integer('in-channels', values['in-channels'], 64);
    const outChannels = integer('out-channels', values['out-channels'], inChannels);
    const kernel = integer('kernel', values.kernel, 3);
    const stride = integer('stride', values.stride, 1);
    if (stride !== 1 && stride !== 2)
      throw new UsageError(`--stride must be 1 or 2, got ${stride}`);
    const strideMode = values['stride-mode'] ?? 'pool';
    if (strideMode !== 'pool' && strideMode !== 'conv')
      throw new UsageError(`--stride-mode must be pool or conv, got ${JSON.stringify(strideMode)}`);
    const padding =
      values.padding === undefined
        ? (kernel - 1) / 2
        : values.padding === 'same'
          ? 'same'
          : Number(values.padding);
    alphaList = alphas(values.alpha, [0, 0.125, 0.25, 0.5, 0.75]);
    title = `OctConv ${inChannels}→${outChannels}, ${kernel}×${kernel}, stride ${stride} (${strideMode}), input ${height}×${width}, batch ${batch}`;
    build = (alpha) =>
      describeOctaveConv({
        batch,
        height,
        width,
        inChannels,
        outChannels,
        kernelSize: kernel,
        stride,
        strideMode,
        padding,
        alphaIn: alpha,
        alphaOut: alpha,
      });
  } else {
    const model = values.model ?? 'oct-resnet50';
    const match = /^oct-resnet(26|50|101|152)$/.exec(model);
    const variant = values.variant ?? 'default';
    if (variant !== 'default' && variant !== 'd-li14')
      throw new UsageError(`--variant must be default or d-li14, got ${JSON.stringify(variant)}`);
    if (variant !== 'default' && !match)
      throw new UsageError(
        `--variant applies to the Oct-ResNet models, not ${JSON.stringify(model)}`,
      );
    alphaList = alphas(values.alpha, variant === 'd-li14' ? [0.5] : [0, 0.125, 0.25, 0.5, 0.75]);
    if (variant === 'd-li14' && alphaList.some((alpha) => alpha !== 0 && alpha !== 0.5))
      throw new UsageError(
        `--variant d-li14 has α = 0.5 only (its code fixes it; 0 is the plain ResNet it is compared with), got --alpha ${values.alpha}`,
      );
    if (match) {
      const depth = Number(match[1]) as 26 | 50 | 101 | 152;
      const [height, width] = size(values.input, 224);
      const numClasses = integer('classes', values.classes, 1000);
      title = `Oct-ResNet-${depth}${variant === 'd-li14' ? ' (d-li14)' : ''}, input ${height}×${width}, batch ${batch}, ${numClasses} classes`;
      // d-li14's network exists at α = 0.5 only; its vanilla twin is the plain ResNet.
      build = (alpha) =>
        describeOctResNet(
          { depth, alpha, numClasses, ...(alpha !== 0 && { variant }) },
          { batch, height, width },
        );
    } else if (model === 'oct-mobilenet-v1' || model === 'oct-mobilenet-v2') {
      const v2 = model === 'oct-mobilenet-v2';
      const [height, width] = size(values.input, 224);
      const numClasses = integer('classes', values.classes, 1000);
      const widthMultiplier = values.width === undefined ? 1 : Number(values.width);
      if (!(widthMultiplier > 0 && widthMultiplier <= 16))
        throw new UsageError(
          `--width must be a number in (0, 16], got ${JSON.stringify(values.width)}`,
        );
      alphaList = alphas(values.alpha, [0, 0.375, 0.5]);
      title = `Oct-MobileNet ${v2 ? 'v2' : 'v1'} ${widthMultiplier}, input ${height}×${width}, batch ${batch}, ${numClasses} classes`;
      const describe = v2 ? describeOctMobileNetV2 : describeOctMobileNetV1;
      build = (alpha) => describe({ widthMultiplier, alpha, numClasses }, { batch, height, width });
    } else if (model === 'mini-oct-net') {
      const [height, width] = size(values.input, 32);
      const numClasses = integer('classes', values.classes, 10);
      title = `MiniOctNet, input ${height}×${width}, batch ${batch}, ${numClasses} classes`;
      build = (alpha) => describeMiniOctNet({ alpha, numClasses }, { batch, height, width });
    } else {
      throw new UsageError(
        `--model must be mini-oct-net, oct-resnet26/50/101/152, oct-mobilenet-v1 or oct-mobilenet-v2, got ${JSON.stringify(model)}`,
      );
    }
  }
  const rows = sweepAlpha(build, alphaList);
  let output = `${title}\n\n${formatSweep(rows, format)}`;
  if (values.layers) {
    const last = rows[rows.length - 1]!;
    output += `\n\nLayers at α = ${last.alpha}\n\n${formatLayers(last.analysis, format)}`;
  }
  return {
    output,
    json: { title, rows },
    ...(values.json !== undefined && { jsonPath: values.json }),
  };
}

function run(): void {
  try {
    const { output, json, jsonPath } = main(process.argv.slice(2));
    process.stdout.write(`${output}\n`);
    if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  } catch (error) {
    const known =
      error instanceof UsageError ||
      OctconvError.isInstance(error) ||
      (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`octconv-analyze: ${(error as Error)?.message ?? String(error)}\n`);
    if (!known) process.stderr.write('(unexpected error; please report it)\n');
    process.exitCode = 1;
  }
}

if (process.argv[1] && /octconv-analyze|cli\.(c?js|ts)$/.test(process.argv[1])) run();
