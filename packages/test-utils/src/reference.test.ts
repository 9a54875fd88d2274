// The reference is what every numerical test trusts, so it is checked on its own: small cases
// worked out by hand, and the adjoint identity ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for every op, which ties
// each backward loop to its forward loop without sharing code with @octconv/core.
import { describe, expect, it } from 'vitest';
import { createRandom, randomValues } from './random';
import { RefGraph, type RefTensor, refConvOut, refPads } from './reference';

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe('reference by hand', () => {
  it('down averages the real pixels of each 2×2 window (ceil mode)', () => {
    const g = new RefGraph();
    const y = g.down(g.tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.data)).toEqual([3, 4.5, 7.5, 9]);
  });

  it('up repeats each pixel 2×2 and crops', () => {
    const g = new RefGraph();
    const y = g.up(g.tensor([1, 2, 2, 1], [1, 2, 3, 4]), 3, 3);
    expect(Array.from(y.data)).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
  });

  it('conv: 3×3 all-ones kernel with padding 1 sums each neighbourhood', () => {
    const g = new RefGraph();
    const x = g.tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = g.tensor([3, 3, 1, 1], new Array(9).fill(1));
    const y = g.conv(x, w, null, { stride: 1, dilation: 1, padding: 1, groups: 1 });
    expect(Array.from(y.data)).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it("padding 'same' follows TensorFlow; numbers are symmetric", () => {
    expect(refPads('same', 7, 3, 2, 1)).toEqual([1, 1]);
    expect(refPads('same', 8, 3, 2, 1)).toEqual([0, 1]);
    expect(refPads('same', 5, 2, 1, 1)).toEqual([0, 1]);
    expect(refPads(2, 5, 5, 1, 1)).toEqual([2, 2]);
    expect(refConvOut(7, 3, 2, 1, [1, 1])).toBe(4);
  });

  it('grouped conv reads only its group of input channels', () => {
    const g = new RefGraph();
    const x = g.tensor([1, 1, 1, 4], [1, 10, 100, 1000]);
    const w = g.tensor([1, 1, 2, 2], [1, 1, 1, 1]); // groups 2: out 0 ← in 0, 1; out 1 ← in 2, 3
    const y = g.conv(x, w, null, { stride: 1, dilation: 1, padding: 0, groups: 2 });
    expect(Array.from(y.data)).toEqual([11, 1100]);
  });
});

describe('reference adjoints: ⟨A x, y⟩ = ⟨x, Aᵀ y⟩', () => {
  const random = createRandom(7);
  const fill = (t: RefTensor) => {
    t.data.set(randomValues(random, t.data.length));
    return t;
  };
  const check = (x: RefTensor[], forward: (g: RefGraph) => RefTensor, g: RefGraph) => {
    const y = forward(g);
    const seed = randomValues(random, y.data.length);
    g.backward([[y, seed]]);
    // A is linear in each input separately: ⟨A x, y⟩ must equal ⟨x, dL/dx⟩ for each input.
    for (const input of x) expect(dot(input.data, input.grad)).toBeCloseTo(dot(y.data, seed), 9);
  };

  it.each([
    [1, 1, 0, 1, 3, 1],
    [2, 1, 1, 1, 3, 1],
    [1, 2, 2, 1, 5, 2],
    [2, 1, 'same', 2, 3, 1],
    [1, 1, 'same', 1, 2, 4],
  ] as const)(
    'conv stride %d dilation %d padding %s groups %d kernel %d multiplier %d',
    (stride, dilation, padding, groups, k, m) => {
      const g = new RefGraph();
      const x = fill(g.tensor([2, 7, 6, 4]));
      const w = fill(g.tensor([k, k, 4 / groups, 2 * m]));
      const check1 = () => g.conv(x, w, null, { stride, dilation, padding, groups });
      // Linear in x for fixed w (check x), and in w for fixed x (check w): run twice.
      check([x], check1, g);
      const h = new RefGraph();
      const x2 = fill(h.tensor([2, 7, 6, 4]));
      const w2 = fill(h.tensor([k, k, 4 / groups, 2 * m]));
      check([w2], () => h.conv(x2, w2, null, { stride, dilation, padding, groups }), h);
    },
  );

  it.each([
    [5, 7],
    [6, 6],
    [1, 3],
  ])('down and up at %d×%d', (h, w) => {
    const g = new RefGraph();
    const x = fill(g.tensor([2, h, w, 3]));
    check([x], () => g.down(x), g);
    const g2 = new RefGraph();
    const low = fill(g2.tensor([2, Math.ceil(h / 2), Math.ceil(w / 2), 3]));
    check([low], () => g2.up(low, h, w), g2);
  });
});
