// An independent float64 reference for OctConv, written straight from the formulas with plain
// loops and no tfjs: Down (2×2 mean of the real pixels, ceil mode), Up (nearest ×2, cropped),
// grouped/dilated/strided/padded convolution, and their adjoints for gradients. Shapes are NHWC
// for feature maps and HWIO for filters, as in @octconv/core.

export interface RefTensor {
  shape: number[];
  data: Float64Array;
  /** Gradient accumulated by {@link RefGraph.backward}. */
  grad: Float64Array;
}

export type RefPadding = number | 'same';

export interface RefConvOptions {
  stride: number;
  dilation: number;
  padding: RefPadding;
  groups: number;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** TF 'same' or symmetric PyTorch padding for one dimension, computed independently of core. */
export function refPads(
  padding: RefPadding,
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] {
  if (padding !== 'same') return [padding, padding];
  const out = Math.ceil(input / stride);
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - input);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function refConvOut(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  pads: [number, number],
): number {
  return Math.floor((input + pads[0] + pads[1] - (kernel - 1) * dilation - 1) / stride) + 1;
}

/** A tape of float64 ops; `backward` runs their adjoints in reverse. */
export class RefGraph {
  private readonly tape: (() => void)[] = [];

  tensor(shape: number[], data?: ArrayLike<number>): RefTensor {
    const n = size(shape);
    const values = new Float64Array(n);
    if (data) {
      if (data.length !== n)
        throw new Error(`reference: ${data.length} values for shape [${shape}]`);
      values.set(data);
    }
    return { shape: [...shape], data: values, grad: new Float64Array(n) };
  }

  conv(x: RefTensor, w: RefTensor, bias: RefTensor | null, options: RefConvOptions): RefTensor {
    const [n, h, wd, cin] = x.shape as [number, number, number, number];
    const [kh, kw, cinG, cout] = w.shape as [number, number, number, number];
    const { stride: s, dilation: d, groups } = options;
    if (cinG * groups !== cin)
      throw new Error(`reference conv: filter [${w.shape}] vs ${cin} channels, groups ${groups}`);
    const coutG = cout / groups;
    const ph = refPads(options.padding, h, kh, s, d);
    const pw = refPads(options.padding, wd, kw, s, d);
    const oh = refConvOut(h, kh, s, d, ph);
    const ow = refConvOut(wd, kw, s, d, pw);
    const y = this.tensor([n, oh, ow, cout]);
    const visit = (fn: (yi: number, xi: number, wi: number) => void) => {
      for (let b = 0; b < n; b++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let co = 0; co < cout; co++) {
              const yi = ((b * oh + oy) * ow + ox) * cout + co;
              const g = Math.floor(co / coutG);
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * s - ph[0] + ky * d;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * s - pw[0] + kx * d;
                  if (ix < 0 || ix >= wd) continue;
                  for (let ci = 0; ci < cinG; ci++) {
                    const xi = ((b * h + iy) * wd + ix) * cin + g * cinG + ci;
                    const wi = ((ky * kw + kx) * cinG + ci) * cout + co;
                    fn(yi, xi, wi);
                  }
                }
              }
            }
    };
    visit((yi, xi, wi) => {
      y.data[yi]! += x.data[xi]! * w.data[wi]!;
    });
    if (bias) for (let i = 0; i < y.data.length; i++) y.data[i]! += bias.data[i % cout]!;
    this.tape.push(() => {
      visit((yi, xi, wi) => {
        x.grad[xi]! += y.grad[yi]! * w.data[wi]!;
        w.grad[wi]! += y.grad[yi]! * x.data[xi]!;
      });
      if (bias) for (let i = 0; i < y.grad.length; i++) bias.grad[i % cout]! += y.grad[i]!;
    });
    return y;
  }

  /** 2×2 mean over the real pixels of each window, ceil mode. */
  down(x: RefTensor): RefTensor {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const oh = Math.ceil(h / 2);
    const ow = Math.ceil(w / 2);
    const y = this.tensor([n, oh, ow, c]);
    const visit = (fn: (yi: number, xi: number, weight: number) => void) => {
      for (let b = 0; b < n; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const rows = [2 * i, 2 * i + 1].filter((r) => r < h);
            const cols = [2 * j, 2 * j + 1].filter((q) => q < w);
            const weight = 1 / (rows.length * cols.length);
            for (let ch = 0; ch < c; ch++)
              for (const r of rows)
                for (const q of cols)
                  fn(((b * oh + i) * ow + j) * c + ch, ((b * h + r) * w + q) * c + ch, weight);
          }
    };
    visit((yi, xi, weight) => {
      y.data[yi]! += x.data[xi]! * weight;
    });
    this.tape.push(() =>
      visit((yi, xi, weight) => {
        x.grad[xi]! += y.grad[yi]! * weight;
      }),
    );
    return y;
  }

  /** Nearest ×2, cropped to `height × width`. */
  up(x: RefTensor, height: number, width: number): RefTensor {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    if (Math.ceil(height / 2) !== h || Math.ceil(width / 2) !== w) {
      throw new Error(`reference up: ${h}×${w} cannot become ${height}×${width}`);
    }
    const y = this.tensor([n, height, width, c]);
    const visit = (fn: (yi: number, xi: number) => void) => {
      for (let b = 0; b < n; b++)
        for (let i = 0; i < height; i++)
          for (let j = 0; j < width; j++)
            for (let ch = 0; ch < c; ch++)
              fn(
                ((b * height + i) * width + j) * c + ch,
                ((b * h + (i >> 1)) * w + (j >> 1)) * c + ch,
              );
    };
    visit((yi, xi) => {
      y.data[yi] = x.data[xi]!;
    });
    this.tape.push(() =>
      visit((yi, xi) => {
        x.grad[xi]! += y.grad[yi]!;
      }),
    );
    return y;
  }

  add(a: RefTensor, b: RefTensor): RefTensor {
    if (a.shape.join() !== b.shape.join())
      throw new Error(`reference add: [${a.shape}] + [${b.shape}]`);
    const y = this.tensor(a.shape);
    for (let i = 0; i < y.data.length; i++) y.data[i] = a.data[i]! + b.data[i]!;
    this.tape.push(() => {
      for (let i = 0; i < y.grad.length; i++) {
        a.grad[i]! += y.grad[i]!;
        b.grad[i]! += y.grad[i]!;
      }
    });
    return y;
  }

  /** Channel slice `[begin, begin + count)`. */
  sliceChannels(x: RefTensor, begin: number, count: number): RefTensor {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const y = this.tensor([n, h, w, count]);
    const pixels = n * h * w;
    for (let p = 0; p < pixels; p++)
      for (let k = 0; k < count; k++) y.data[p * count + k] = x.data[p * c + begin + k]!;
    this.tape.push(() => {
      for (let p = 0; p < pixels; p++)
        for (let k = 0; k < count; k++) x.grad[p * c + begin + k]! += y.grad[p * count + k]!;
    });
    return y;
  }

  concatChannels(a: RefTensor, b: RefTensor): RefTensor {
    const [n, h, w, ca] = a.shape as [number, number, number, number];
    const cb = b.shape[3]!;
    const c = ca + cb;
    const y = this.tensor([n, h, w, c]);
    const pixels = n * h * w;
    for (let p = 0; p < pixels; p++) {
      for (let k = 0; k < ca; k++) y.data[p * c + k] = a.data[p * ca + k]!;
      for (let k = 0; k < cb; k++) y.data[p * c + ca + k] = b.data[p * cb + k]!;
    }
    this.tape.push(() => {
      for (let p = 0; p < pixels; p++) {
        for (let k = 0; k < ca; k++) a.grad[p * ca + k]! += y.grad[p * c + k]!;
        for (let k = 0; k < cb; k++) b.grad[p * cb + k]! += y.grad[p * c + ca + k]!;
      }
    });
    return y;
  }

  /** Seeds each output's gradient with `seed` (dL/dy) and runs the adjoints in reverse. */
  backward(seeds: [RefTensor, ArrayLike<number>][]): void {
    for (const [y, seed] of seeds) for (let i = 0; i < seed.length; i++) y.grad[i]! += seed[i]!;
    for (let i = this.tape.length - 1; i >= 0; i--) this.tape[i]!();
  }
}

export type RefPathName = 'hh' | 'hl' | 'lh' | 'll';

export interface RefOctaveOptions {
  stride: 1 | 2;
  strideMode: 'pool' | 'conv';
  padding: RefPadding;
  dilation: number;
  groups: number;
}

/**
 * OctConv from the paper's formulas and the stride modes of the design (apps/docs/guide/design.md):
 * - stride 1: Y_H = HH(X_H) + Up(LH(X_L)), Y_L = LL(X_L) + HL(Down X_H);
 * - stride 2 'pool': Y_H = HH(Down X_H) + LH(X_L), Y_L = LL(Down X_L) + HL(Down Down X_H);
 * - stride 2 'conv': as stride 1 with every conv at stride 2.
 * Depthwise (groups = all input channels): each path's groups are its input channels.
 */
export function refOctaveConv(
  graph: RefGraph,
  x: { high: RefTensor | null; low: RefTensor | null },
  weights: Partial<Record<RefPathName, { filter: RefTensor; bias: RefTensor | null }>>,
  options: RefOctaveOptions,
): { high: RefTensor | null; low: RefTensor | null } {
  const totalIn = (x.high?.shape[3] ?? 0) + (x.low?.shape[3] ?? 0);
  const depthwise = options.groups > 1 && options.groups === totalIn;
  const conv = (input: RefTensor, name: RefPathName, stride: number) => {
    const w = weights[name]!;
    return graph.conv(input, w.filter, w.bias, {
      stride,
      dilation: options.dilation,
      padding: options.padding,
      groups: depthwise ? input.shape[3]! : options.groups,
    });
  };
  const pool = options.stride === 2 && options.strideMode === 'pool';
  const s = options.stride === 2 && options.strideMode === 'conv' ? 2 : 1;
  let high: RefTensor | null = null;
  let low: RefTensor | null = null;
  const highSize = x.high
    ? [x.high.shape[1]!, x.high.shape[2]!]
    : [2 * x.low!.shape[1]!, 2 * x.low!.shape[2]!];
  if (weights.hh && x.high) high = conv(pool ? graph.down(x.high) : x.high, 'hh', s);
  if (weights.hl && x.high) {
    const down = graph.down(x.high);
    low = conv(pool ? graph.down(down) : down, 'hl', s);
  }
  if (weights.lh && x.low) {
    let y = conv(x.low, 'lh', s);
    if (!pool) {
      // Y_H's size is what H→H gives on the nominal high size.
      const k = weights.lh.filter.shape;
      const ph = refPads(options.padding, highSize[0]!, k[0]!, s, options.dilation);
      const pw = refPads(options.padding, highSize[1]!, k[1]!, s, options.dilation);
      y = graph.up(
        y,
        refConvOut(highSize[0]!, k[0]!, s, options.dilation, ph),
        refConvOut(highSize[1]!, k[1]!, s, options.dilation, pw),
      );
    }
    high = high ? graph.add(high, y) : y;
  }
  if (weights.ll && x.low) {
    const y = conv(pool ? graph.down(x.low) : x.low, 'll', s);
    low = low ? graph.add(y, low) : y;
  }
  return { high, low };
}
