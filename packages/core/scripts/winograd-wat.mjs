// Writes the WebAssembly text of the Winograd transforms (src/kernels/winograd-f2.wat and
// winograd-f4.wat, one module per tile size so that each stays under the 4 KB a browser compiles
// synchronously on its main thread) from the
// transform matrices below, so that each 1-D transform is unrolled with its constants and the
// zeros skipped. scripts/build-wasm-kernels.mjs runs it and compiles the result; edit this file,
// never the .wat it writes.
//
// F(m×m, 3×3) computes an m×m output tile from an α×α input tile (α = m + 2):
// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A. The filter transform G g Gᵀ runs once, in JavaScript
// (src/kernels/winograd.ts holds the same G); the input and output transforms are here.

/** Bᵀ (α×α) and Aᵀ (m×α) of Lavin & Gray's F(2×2,3×3) and F(4×4,3×3) (points 0, ±1, ±2). */
export const TRANSFORMS = {
  2: {
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

const get = (name) => `(local.get $${name})`;

/** Σ row[i]·inputs[i] as one SIMD expression: zeros skipped, ±1 as add/sub, constants exact. */
function combination(row, inputs) {
  let expr = null;
  row.forEach((coefficient, i) => {
    if (coefficient === 0) return;
    const size = Math.abs(coefficient);
    const term =
      size === 1
        ? inputs[i]
        : `(f32x4.mul ${inputs[i]} (v128.const f32x4 ${size} ${size} ${size} ${size}))`;
    if (expr === null) expr = coefficient < 0 ? `(f32x4.neg ${term})` : term;
    else expr = `(${coefficient < 0 ? 'f32x4.sub' : 'f32x4.add'} ${expr} ${term})`;
  });
  return expr ?? '(v128.const i32x4 0 0 0 0)';
}

const vlocals = (prefix, count) =>
  Array.from({ length: count }, (_, i) => `(local $${prefix}${i} v128)`).join(' ');

/** A counted loop `for ($i = 0; $i < limit; $i++) body`. */
function loop(i, limit, body) {
  return `(local.set $${i} (i32.const 0))
    (block $${i}_done (loop $${i}_loop
      (br_if $${i}_done (i32.ge_u ${get(i)} ${limit}))
      ${body}
      (local.set $${i} (i32.add ${get(i)} (i32.const 1)))
      (br $${i}_loop)))`;
}

/** Every tile (b, ty, tx) of the n × th × tw grid. */
const tileLoops = (body) => loop('b', get('n'), loop('ty', get('th'), loop('tx', get('tw'), body)));

/**
 * win_in{m}: the input transform. For every tile (b, ty, tx) of the padded input x [n, h, w, c]
 * and every 4 channels, V = Bᵀ d B of the α×α patch at (ty·m − padTop, tx·m − padLeft); point
 * (i, j) goes to row `tile` of the [tiles, cp] matrix whose address is the i32 at
 * table + 4·(i·α + j). Patches that cross the border, or any patch when c is not a multiple of 4,
 * are first gathered into scratch with zeros (padding, and channels c..cp).
 */
function inputTransform(m) {
  const a = m + 2;
  const { BT } = TRANSFORMS[m];
  const d = Array.from({ length: a }, (_, s) => get(`d${s}`));
  const loads = Array.from(
    { length: a },
    (_, s) =>
      `(local.set $d${s} (v128.load ${get('q')})) (local.set $q (i32.add ${get('q')} ${get('cpb')}))`,
  ).join('\n          ');
  const rowStores = BT.map(
    (row, j) => `(v128.store offset=${j * 16} ${get('q')} ${combination(row, d)})`,
  ).join('\n          ');
  const columnLoads = Array.from(
    { length: a },
    (_, r) => `(local.set $d${r} (v128.load offset=${r * a * 16} ${get('q')}))`,
  ).join('\n          ');
  const columnStores = BT.map(
    (row, i) =>
      `(v128.store (i32.add (i32.load offset=${i * a * 4} ${get('p')}) ${get('o')}) ${combination(row, d)})`,
  ).join('\n          ');
  return `
  (func (export "win_in${m}")
    (param $x i32) (param $table i32) (param $scratch i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $cp i32)
    (param $pt i32) (param $pl i32) (param $th i32) (param $tw i32)
    (local $b i32) (local $ty i32) (local $tx i32) (local $y0 i32) (local $x0 i32)
    (local $yy i32) (local $xx i32) (local $base i32) (local $rs i32) (local $cpb i32)
    (local $off i32) (local $o i32) (local $kb i32) (local $r i32) (local $s i32) (local $e i32)
    (local $p i32) (local $q i32) (local $tmp i32) (local $c4 i32)
    ${vlocals('d', a)}
    (local.set $cpb (i32.shl ${get('cp')} (i32.const 2)))
    (local.set $c4 (i32.and ${get('c')} (i32.const -4)))
    (local.set $tmp (i32.add ${get('scratch')} (i32.mul (i32.const ${a * a}) ${get('cpb')})))
    (local.set $off (i32.const 0))
    ${tileLoops(`
      (local.set $y0 (i32.sub (i32.mul ${get('ty')} (i32.const ${m})) ${get('pt')}))
      (local.set $x0 (i32.sub (i32.mul ${get('tx')} (i32.const ${m})) ${get('pl')}))
      (if (i32.and
            (i32.and (i32.eq ${get('c')} ${get('cp')})
              (i32.and (i32.ge_s ${get('y0')} (i32.const 0)) (i32.ge_s ${get('x0')} (i32.const 0))))
            (i32.and (i32.le_s (i32.add ${get('y0')} (i32.const ${a})) ${get('h')})
              (i32.le_s (i32.add ${get('x0')} (i32.const ${a})) ${get('w')})))
        (then
          (local.set $rs (i32.mul ${get('w')} ${get('cpb')}))
          (local.set $base (i32.add ${get('x')} (i32.mul (i32.add (i32.mul
            (i32.add (i32.mul ${get('b')} ${get('h')}) ${get('y0')}) ${get('w')}) ${get('x0')}) ${get('cpb')}))))
        (else
          (local.set $q ${get('scratch')})
          ${loop(
            'r',
            `(i32.const ${a})`,
            loop(
              's',
              `(i32.const ${a})`,
              `
            (local.set $yy (i32.add ${get('y0')} ${get('r')}))
            (local.set $xx (i32.add ${get('x0')} ${get('s')}))
            (local.set $e (i32.const 0))
            (if (i32.and (i32.lt_u ${get('yy')} ${get('h')}) (i32.lt_u ${get('xx')} ${get('w')}))
              (then
                (local.set $p (i32.add ${get('x')} (i32.shl (i32.mul (i32.add (i32.mul
                  (i32.add (i32.mul ${get('b')} ${get('h')}) ${get('yy')}) ${get('w')}) ${get('xx')}) ${get('c')})
                  (i32.const 2))))
                (block $v_done (loop $v_loop
                  (br_if $v_done (i32.ge_u ${get('e')} ${get('c4')}))
                  (v128.store ${get('q')} (v128.load ${get('p')}))
                  (local.set $p (i32.add ${get('p')} (i32.const 16)))
                  (local.set $q (i32.add ${get('q')} (i32.const 16)))
                  (local.set $e (i32.add ${get('e')} (i32.const 4)))
                  (br $v_loop)))
                (block $s_done (loop $s_loop
                  (br_if $s_done (i32.ge_u ${get('e')} ${get('c')}))
                  (f32.store ${get('q')} (f32.load ${get('p')}))
                  (local.set $p (i32.add ${get('p')} (i32.const 4)))
                  (local.set $q (i32.add ${get('q')} (i32.const 4)))
                  (local.set $e (i32.add ${get('e')} (i32.const 1)))
                  (br $s_loop)))))
            (block $z_done (loop $z_loop
              (br_if $z_done (i32.ge_u ${get('e')} ${get('cp')}))
              (f32.store ${get('q')} (f32.const 0))
              (local.set $q (i32.add ${get('q')} (i32.const 4)))
              (local.set $e (i32.add ${get('e')} (i32.const 1)))
              (br $z_loop)))`,
            ),
          )}
          (local.set $rs (i32.mul (i32.const ${a}) ${get('cpb')}))
          (local.set $base ${get('scratch')})))
      (local.set $kb (i32.const 0))
      (block $k_done (loop $k_loop
        (br_if $k_done (i32.ge_u ${get('kb')} ${get('cpb')}))
        ;; rows: u[r] = Bᵀ d[r] into tmp
        ${loop(
          'r',
          `(i32.const ${a})`,
          `
          (local.set $q (i32.add (i32.add ${get('base')} (i32.mul ${get('r')} ${get('rs')})) ${get('kb')}))
          ${loads}
          (local.set $q (i32.add ${get('tmp')} (i32.mul ${get('r')} (i32.const ${a * 16}))))
          ${rowStores}`,
        )}
        ;; columns: V[:, s] = Bᵀ u[:, s], each point to its matrix
        (local.set $o (i32.add ${get('off')} ${get('kb')}))
        ${loop(
          's',
          `(i32.const ${a})`,
          `
          (local.set $q (i32.add ${get('tmp')} (i32.shl ${get('s')} (i32.const 4))))
          ${columnLoads}
          (local.set $p (i32.add ${get('table')} (i32.shl ${get('s')} (i32.const 2))))
          ${columnStores}`,
        )}
        (local.set $kb (i32.add ${get('kb')} (i32.const 16)))
        (br $k_loop)))
      (local.set $off (i32.add ${get('off')} ${get('cpb')}))`)})`;
}

/**
 * win_out{m}: the output transform with everything that follows the convolution fused. For every
 * tile and every 4 output channels, Y = Aᵀ M A of the α×α points (point (i, j) is row `tile` of
 * the [tiles, kp] matrix at the i32 table + 4·(i·α + j)), then per output pixel inside [h, w]:
 * y = min(max(Y + bias + res + up(half-size band), floor), ceil); bias, res and up are skipped
 * when their address is 0. floor is 0 for ReLU, −∞ for none; ceil 6 for ReLU6, +∞ for none
 * (max/min keep NaN, as PyTorch's ReLU). The last channels, when k is not a multiple of 4, are
 * read and written lane by lane.
 */
function outputTransform(m) {
  const a = m + 2;
  const { AT } = TRANSFORMS[m];
  const d = Array.from({ length: a }, (_, s) => get(`d${s}`));
  const rowLoads = Array.from(
    { length: a },
    (_, j) =>
      `(local.set $d${j} (v128.load (i32.add (i32.load offset=${j * 4} ${get('p')}) ${get('o')})))`,
  ).join('\n          ');
  const rowStores = AT.map(
    (row, x) => `(v128.store offset=${x * 16} ${get('q')} ${combination(row, d)})`,
  ).join('\n          ');
  const columnLoads = Array.from(
    { length: a },
    (_, i) => `(local.set $d${i} (v128.load offset=${i * m * 16} ${get('q')}))`,
  ).join('\n          ');
  const columnStores = AT.map(
    (row, i) => `(v128.store offset=${i * 16} ${get('tmp2')} ${combination(row, d)})`,
  ).join('\n          ');
  const addend = (address) => `
              (local.set $v (f32x4.add ${get('v')}
                (if (result v128) ${get('full')}
                  (then (v128.load ${address}))
                  (else (call $load_lanes ${address} ${get('rem')})))))`;
  return `
  (func (export "win_out${m}")
    (param $table i32) (param $bias i32) (param $res i32) (param $up i32) (param $y i32)
    (param $scratch i32) (param $n i32) (param $h i32) (param $w i32) (param $k i32)
    (param $kp i32) (param $th i32) (param $tw i32) (param $hb i32) (param $wb i32)
    (param $floor f32) (param $ceil f32)
    (local $b i32) (local $ty i32) (local $tx i32) (local $i i32) (local $x i32) (local $oy i32)
    (local $ox i32) (local $kb i32) (local $kpb i32) (local $kbytes i32) (local $off i32)
    (local $o i32) (local $p i32) (local $q i32) (local $tmp i32) (local $tmp2 i32) (local $ob i32)
    (local $full i32) (local $rem i32)
    (local $v v128) (local $vfloor v128) (local $vceil v128)
    ${vlocals('d', a)}
    (local.set $kpb (i32.shl ${get('kp')} (i32.const 2)))
    (local.set $kbytes (i32.shl ${get('k')} (i32.const 2)))
    (local.set $tmp ${get('scratch')})
    (local.set $tmp2 (i32.add ${get('scratch')} (i32.const ${a * m * 16})))
    (local.set $vfloor (f32x4.splat ${get('floor')}))
    (local.set $vceil (f32x4.splat ${get('ceil')}))
    (local.set $off (i32.const 0))
    ${tileLoops(`
      (local.set $kb (i32.const 0))
      (block $k_done (loop $k_loop
        (br_if $k_done (i32.ge_u ${get('kb')} ${get('kbytes')}))
        (local.set $full (i32.le_u (i32.add ${get('kb')} (i32.const 16)) ${get('kbytes')}))
        (local.set $rem (i32.shr_u (i32.sub ${get('kbytes')} ${get('kb')}) (i32.const 2)))
        (local.set $o (i32.add ${get('off')} ${get('kb')}))
        ;; rows: w[i] = Aᵀ M[i] into tmp
        ${loop(
          'i',
          `(i32.const ${a})`,
          `
          (local.set $p (i32.add ${get('table')} (i32.mul ${get('i')} (i32.const ${a * 4}))))
          ${rowLoads}
          (local.set $q (i32.add ${get('tmp')} (i32.mul ${get('i')} (i32.const ${m * 16}))))
          ${rowStores}`,
        )}
        ;; columns: Y[:, x] = Aᵀ w[:, x] into tmp2, then the fused epilogue per pixel
        ${loop(
          'x',
          `(i32.const ${m})`,
          `
          (local.set $ox (i32.add (i32.mul ${get('tx')} (i32.const ${m})) ${get('x')}))
          (if (i32.lt_u ${get('ox')} ${get('w')}) (then
          (local.set $q (i32.add ${get('tmp')} (i32.shl ${get('x')} (i32.const 4))))
          ${columnLoads}
          ${columnStores}
          ${loop(
            'i',
            `(i32.const ${m})`,
            `
            (local.set $oy (i32.add (i32.mul ${get('ty')} (i32.const ${m})) ${get('i')}))
            (if (i32.lt_u ${get('oy')} ${get('h')}) (then
              (local.set $v (v128.load (i32.add ${get('tmp2')} (i32.shl ${get('i')} (i32.const 4)))))
              (if ${get('bias')} (then ${addend(`(i32.add ${get('bias')} ${get('kb')})`)}))
              (local.set $ob (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul ${get('b')} ${get('h')})
                ${get('oy')}) ${get('w')}) ${get('ox')}) ${get('kbytes')}) ${get('kb')}))
              (if ${get('res')} (then ${addend(`(i32.add ${get('res')} ${get('ob')})`)}))
              (if ${get('up')} (then ${addend(`(i32.add ${get('up')} (i32.add (i32.mul (i32.add (i32.mul
                (i32.add (i32.mul ${get('b')} ${get('hb')}) (i32.shr_u ${get('oy')} (i32.const 1))) ${get('wb')})
                (i32.shr_u ${get('ox')} (i32.const 1))) ${get('kbytes')}) ${get('kb')}))`)}))
              (local.set $v (f32x4.min (f32x4.max ${get('v')} ${get('vfloor')}) ${get('vceil')}))
              (if ${get('full')}
                (then (v128.store (i32.add ${get('y')} ${get('ob')}) ${get('v')}))
                (else (call $store_lanes (i32.add ${get('y')} ${get('ob')}) ${get('v')} ${get('rem')})))))`,
          )}))`,
        )}
        (local.set $kb (i32.add ${get('kb')} (i32.const 16)))
        (br $k_loop)))
      (local.set $off (i32.add ${get('off')} ${get('kpb')}))`)})`;
}

/** The module of F(m×m, 3×3), m = 2 or 4. */
export function winogradWat(m) {
  return `;; Generated by scripts/winograd-wat.mjs: do not edit. Winograd F(${m}×${m},3×3)
;; input and output transforms in WebAssembly SIMD, run directly on tfjs-backend-wasm's heap (the
;; memory is imported from it). Pointers are byte offsets of float32 data; images are NHWC.
(module
  (import "env" "memory" (memory 1))

  ;; The first n (1..3) floats at p in lanes 0..n-1, zeros after: a partial vector that never
  ;; reads past the last channel.
  (func $load_lanes (param $p i32) (param $n i32) (result v128)
    (local $v v128)
    (local.set $v (f32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (f32.load ${get('p')})))
    (if (i32.gt_u ${get('n')} (i32.const 1)) (then
      (local.set $v (f32x4.replace_lane 1 ${get('v')} (f32.load offset=4 ${get('p')})))))
    (if (i32.gt_u ${get('n')} (i32.const 2)) (then
      (local.set $v (f32x4.replace_lane 2 ${get('v')} (f32.load offset=8 ${get('p')})))))
    ${get('v')})

  ;; Lanes 0..n-1 (n in 1..3) of v to the n floats at p.
  (func $store_lanes (param $p i32) (param $v v128) (param $n i32)
    (f32.store ${get('p')} (f32x4.extract_lane 0 ${get('v')}))
    (if (i32.gt_u ${get('n')} (i32.const 1)) (then
      (f32.store offset=4 ${get('p')} (f32x4.extract_lane 1 ${get('v')}))))
    (if (i32.gt_u ${get('n')} (i32.const 2)) (then
      (f32.store offset=8 ${get('p')} (f32x4.extract_lane 2 ${get('v')})))))
${inputTransform(m)}
${outputTransform(m)}
)
`;
}
