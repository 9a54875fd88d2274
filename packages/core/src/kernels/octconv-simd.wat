;; Fused element-wise steps of an octave convolution, in WebAssembly SIMD, run directly on
;; tfjs-backend-wasm's heap (the memory is imported from it). Every pointer is a byte offset of
;; float32 data laid out NHWC. Compiled by scripts/build-wasm-kernels.mjs into
;; src/kernels/octconv-simd-binary.ts; edit this file, never that one.
;;
;; `floor` is 0 for a fused ReLU and -inf for none: max(v, floor) keeps NaN (wasm's max
;; propagates it), as PyTorch's ReLU does.
(module
  (import "env" "memory" (memory 1))

  ;; out[p, k] = max(a[p, k] + b[up(p), k], floor) for c channels, rows = n * h rows of w pixels;
  ;; up(p) is the pixel (i >> 1, j >> 1) of the half-size band b (hb x wb).
  (func $up_add (export "up_add")
    (param $a i32) (param $b i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $hb i32) (param $wb i32) (param $floor f32)
    (local $bi i32) (local $i i32) (local $j i32) (local $k i32)
    (local $rowb i32) (local $pb i32) (local $vfloor v128) (local $c4 i32) (local $stride i32)
    (local.set $vfloor (f32x4.splat (local.get $floor)))
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $bi (i32.const 0))
    (block $done_n (loop $loop_n
      (br_if $done_n (i32.ge_u (local.get $bi) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $done_i (loop $loop_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $h)))
        ;; byte offset of b's row (bi, i >> 1)
        (local.set $rowb (i32.add (local.get $b)
          (i32.mul (i32.mul
            (i32.add (i32.mul (local.get $bi) (local.get $hb)) (i32.shr_u (local.get $i) (i32.const 1)))
            (local.get $wb)) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $done_j (loop $loop_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $w)))
          (local.set $pb (i32.add (local.get $rowb)
            (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (local.get $stride))))
          (local.set $k (i32.const 0))
          (block $done_v (loop $loop_v
            (br_if $done_v (i32.ge_u (local.get $k) (local.get $c4)))
            (v128.store (local.get $out)
              (f32x4.max
                (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $pb)))
                (local.get $vfloor)))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $loop_v)))
          (block $done_s (loop $loop_s
            (br_if $done_s (i32.ge_u (local.get $k) (local.get $c)))
            (f32.store (local.get $out)
              (f32.max
                (f32.add (f32.load (local.get $a)) (f32.load (local.get $pb)))
                (local.get $floor)))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $loop_s)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $loop_j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop_i)))
      (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
      (br $loop_n))))

  ;; up_add plus a residual r of a's shape: out[p, k] = max(a[p, k] + b[up(p), k] + r[p, k], floor)
  ;; (a ResNet shortcut added in the same pass).
  (func $up_add_res (export "up_add_res")
    (param $a i32) (param $b i32) (param $r i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $hb i32) (param $wb i32) (param $floor f32)
    (local $bi i32) (local $i i32) (local $j i32) (local $k i32)
    (local $rowb i32) (local $pb i32) (local $vfloor v128) (local $c4 i32) (local $stride i32)
    (local.set $vfloor (f32x4.splat (local.get $floor)))
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (local.set $stride (i32.shl (local.get $c) (i32.const 2)))
    (local.set $bi (i32.const 0))
    (block $done_n (loop $loop_n
      (br_if $done_n (i32.ge_u (local.get $bi) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $done_i (loop $loop_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $h)))
        ;; byte offset of b's row (bi, i >> 1)
        (local.set $rowb (i32.add (local.get $b)
          (i32.mul (i32.mul
            (i32.add (i32.mul (local.get $bi) (local.get $hb)) (i32.shr_u (local.get $i) (i32.const 1)))
            (local.get $wb)) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $done_j (loop $loop_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $w)))
          (local.set $pb (i32.add (local.get $rowb)
            (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (local.get $stride))))
          (local.set $k (i32.const 0))
          (block $done_v (loop $loop_v
            (br_if $done_v (i32.ge_u (local.get $k) (local.get $c4)))
            (v128.store (local.get $out)
              (f32x4.max
                (f32x4.add
                  (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $pb)))
                  (v128.load (local.get $r)))
                (local.get $vfloor)))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $r (i32.add (local.get $r) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $loop_v)))
          (block $done_s (loop $loop_s
            (br_if $done_s (i32.ge_u (local.get $k) (local.get $c)))
            (f32.store (local.get $out)
              (f32.max
                (f32.add
                  (f32.add (f32.load (local.get $a)) (f32.load (local.get $pb)))
                  (f32.load (local.get $r)))
                (local.get $floor)))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $loop_s)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $loop_j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop_i)))
      (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
      (br $loop_n))))

  ;; out[e] = max(a[e] + b[e], floor) for `count` elements.
  (func $add (export "add")
    (param $a i32) (param $b i32) (param $out i32) (param $count i32) (param $floor f32)
    (local $end4 i32) (local $end i32) (local $vfloor v128)
    (local.set $vfloor (f32x4.splat (local.get $floor)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $out)
      (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done_v (loop $loop_v
      (br_if $done_v (i32.ge_u (local.get $out) (local.get $end4)))
      (v128.store (local.get $out)
        (f32x4.max (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $b)))
          (local.get $vfloor)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $loop_v)))
    (block $done_s (loop $loop_s
      (br_if $done_s (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out)
        (f32.max (f32.add (f32.load (local.get $a)) (f32.load (local.get $b))) (local.get $floor)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $loop_s))))

  ;; out[n, i, j, 0:cx] = mean of x over the real pixels of the 2x2 window at (2i, 2j) (ceil mode:
  ;; the window's missing row/column on an odd edge repeats the last one, which averages the real
  ;; pixels exactly); out[n, i, j, cx:cx+cl] = l[n, i, j, :] (cl may be 0: a plain pool).
  ;; h x w is x's size, ceil(h/2) x ceil(w/2) the output's (and l's).
  (func $pool_concat (export "pool_concat")
    (param $x i32) (param $l i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $cx i32) (param $cl i32)
    (local $ho i32) (local $wo i32) (local $bi i32) (local $i i32) (local $j i32) (local $k i32)
    (local $r0 i32) (local $r1 i32) (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32)
    (local $sx i32) (local $cx4 i32) (local $cl4 i32) (local $half v128)
    (local.set $ho (i32.shr_u (i32.add (local.get $h) (i32.const 1)) (i32.const 1)))
    (local.set $wo (i32.shr_u (i32.add (local.get $w) (i32.const 1)) (i32.const 1)))
    (local.set $sx (i32.shl (local.get $cx) (i32.const 2)))
    (local.set $cx4 (i32.and (local.get $cx) (i32.const -4)))
    (local.set $cl4 (i32.and (local.get $cl) (i32.const -4)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $bi (i32.const 0))
    (block $done_n (loop $loop_n
      (br_if $done_n (i32.ge_u (local.get $bi) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $done_i (loop $loop_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $ho)))
        ;; byte offsets of x's rows 2i and min(2i + 1, h - 1)
        (local.set $r0 (i32.add (local.get $x) (i32.mul
          (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $h)) (i32.shl (local.get $i) (i32.const 1)))
            (local.get $w)) (local.get $sx))))
        (local.set $r1 (select
          (i32.add (local.get $r0) (i32.mul (local.get $w) (local.get $sx)))
          (local.get $r0)
          (i32.lt_u (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)) (local.get $h))))
        (local.set $j (i32.const 0))
        (block $done_j (loop $loop_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $wo)))
          (local.set $p00 (i32.add (local.get $r0)
            (i32.mul (i32.shl (local.get $j) (i32.const 1)) (local.get $sx))))
          (local.set $p10 (i32.add (local.get $r1)
            (i32.mul (i32.shl (local.get $j) (i32.const 1)) (local.get $sx))))
          (if (i32.lt_u (i32.add (i32.shl (local.get $j) (i32.const 1)) (i32.const 1)) (local.get $w))
            (then
              (local.set $p01 (i32.add (local.get $p00) (local.get $sx)))
              (local.set $p11 (i32.add (local.get $p10) (local.get $sx))))
            (else
              (local.set $p01 (local.get $p00))
              (local.set $p11 (local.get $p10))))
          (local.set $k (i32.const 0))
          (block $done_v (loop $loop_v
            (br_if $done_v (i32.ge_u (local.get $k) (local.get $cx4)))
            (v128.store (local.get $out)
              (f32x4.mul
                (f32x4.add
                  (f32x4.mul (f32x4.add (v128.load (local.get $p00)) (v128.load (local.get $p01)))
                    (local.get $half))
                  (f32x4.mul (f32x4.add (v128.load (local.get $p10)) (v128.load (local.get $p11)))
                    (local.get $half)))
                (local.get $half)))
            (local.set $p00 (i32.add (local.get $p00) (i32.const 16)))
            (local.set $p01 (i32.add (local.get $p01) (i32.const 16)))
            (local.set $p10 (i32.add (local.get $p10) (i32.const 16)))
            (local.set $p11 (i32.add (local.get $p11) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $loop_v)))
          (block $done_s (loop $loop_s
            (br_if $done_s (i32.ge_u (local.get $k) (local.get $cx)))
            (f32.store (local.get $out)
              (f32.mul
                (f32.add
                  (f32.mul (f32.add (f32.load (local.get $p00)) (f32.load (local.get $p01)))
                    (f32.const 0.5))
                  (f32.mul (f32.add (f32.load (local.get $p10)) (f32.load (local.get $p11)))
                    (f32.const 0.5)))
                (f32.const 0.5)))
            (local.set $p00 (i32.add (local.get $p00) (i32.const 4)))
            (local.set $p01 (i32.add (local.get $p01) (i32.const 4)))
            (local.set $p10 (i32.add (local.get $p10) (i32.const 4)))
            (local.set $p11 (i32.add (local.get $p11) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $loop_s)))
          ;; the low band's channels of this pixel
          (local.set $k (i32.const 0))
          (block $done_lv (loop $loop_lv
            (br_if $done_lv (i32.ge_u (local.get $k) (local.get $cl4)))
            (v128.store (local.get $out) (v128.load (local.get $l)))
            (local.set $l (i32.add (local.get $l) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $loop_lv)))
          (block $done_ls (loop $loop_ls
            (br_if $done_ls (i32.ge_u (local.get $k) (local.get $cl)))
            (f32.store (local.get $out) (f32.load (local.get $l)))
            (local.set $l (i32.add (local.get $l) (i32.const 4)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $loop_ls)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $loop_j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop_i)))
      (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
      (br $loop_n))))

  ;; The width taps of a convolution's input, laid out for its filter gradient. xt is the input
  ;; transposed to [c, h, w, n]; out[b, ci, r, j, m] = xt[ci, r - pt, j * stride + b * dilation - pl, m]
  ;; (0 outside), for b < kw, ci < c, r < hp (the padded rows), j < wout, m < n. With dy as a
  ;; [hout, 1, wout * n, co] kernel, one convolution over these rows gives dW with the width and
  ;; the batch in its reduction dimension (wout * n values per tap instead of n). At stride 1 each
  ;; output row is one copy of a stretch of an input row.
  (func $im2row (export "im2row")
    (param $xt i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $kw i32) (param $wout i32) (param $hp i32) (param $pt i32) (param $pl i32)
    (param $stride i32) (param $dilation i32)
    (local $b i32) (local $ci i32) (local $r i32) (local $j i32) (local $row i32) (local $col i32)
    (local $pixel i32) (local $rowbytes i32) (local $outrow i32) (local $src i32)
    (local $j0 i32) (local $j1 i32) (local $offset i32)
    (local.set $pixel (i32.shl (local.get $n) (i32.const 2)))
    (local.set $rowbytes (i32.mul (local.get $w) (local.get $pixel)))
    (local.set $outrow (i32.mul (local.get $wout) (local.get $pixel)))
    (local.set $b (i32.const 0))
    (block $done_b (loop $loop_b
      (br_if $done_b (i32.ge_u (local.get $b) (local.get $kw)))
      ;; column of output j = 0, and the range of j whose column is inside the row (stride 1)
      (local.set $offset (i32.sub (i32.mul (local.get $b) (local.get $dilation)) (local.get $pl)))
      (local.set $ci (i32.const 0))
      (block $done_c (loop $loop_c
        (br_if $done_c (i32.ge_u (local.get $ci) (local.get $c)))
        (local.set $r (i32.const 0))
        (block $done_r (loop $loop_r
          (br_if $done_r (i32.ge_u (local.get $r) (local.get $hp)))
          (local.set $row (i32.sub (local.get $r) (local.get $pt)))
          (if (i32.ge_u (local.get $row) (local.get $h))
            (then (memory.fill (local.get $out) (i32.const 0) (local.get $outrow)))
            (else
              ;; start of input row (ci, row)
              (local.set $src (i32.add (local.get $xt)
                (i32.mul (i32.add (i32.mul (local.get $ci) (local.get $h)) (local.get $row))
                  (local.get $rowbytes))))
              (if (i32.eq (local.get $stride) (i32.const 1))
                (then
                  ;; j in [j0, j1) reads column j + offset, inside [0, w)
                  (local.set $j0 (select (i32.sub (i32.const 0) (local.get $offset)) (i32.const 0)
                    (i32.lt_s (local.get $offset) (i32.const 0))))
                  (local.set $j1 (i32.sub (local.get $w) (local.get $offset)))
                  (if (i32.gt_s (local.get $j1) (local.get $wout)) (then (local.set $j1 (local.get $wout))))
                  (if (i32.lt_s (local.get $j1) (local.get $j0)) (then (local.set $j1 (local.get $j0))))
                  (if (i32.gt_s (local.get $j0) (local.get $wout)) (then (local.set $j0 (local.get $wout))))
                  (if (i32.gt_s (local.get $j1) (local.get $wout)) (then (local.set $j1 (local.get $wout))))
                  (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $j0) (local.get $pixel)))
                  (memory.copy
                    (i32.add (local.get $out) (i32.mul (local.get $j0) (local.get $pixel)))
                    (i32.add (local.get $src)
                      (i32.mul (i32.add (local.get $j0) (local.get $offset)) (local.get $pixel)))
                    (i32.mul (i32.sub (local.get $j1) (local.get $j0)) (local.get $pixel)))
                  (memory.fill
                    (i32.add (local.get $out) (i32.mul (local.get $j1) (local.get $pixel)))
                    (i32.const 0)
                    (i32.mul (i32.sub (local.get $wout) (local.get $j1)) (local.get $pixel))))
                (else
                  (local.set $j (i32.const 0))
                  (block $done_j (loop $loop_j
                    (br_if $done_j (i32.ge_u (local.get $j) (local.get $wout)))
                    (local.set $col (i32.add (i32.mul (local.get $j) (local.get $stride)) (local.get $offset)))
                    (if (i32.lt_u (local.get $col) (local.get $w))
                      (then
                        (memory.copy
                          (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $pixel)))
                          (i32.add (local.get $src) (i32.mul (local.get $col) (local.get $pixel)))
                          (local.get $pixel)))
                      (else
                        (memory.fill
                          (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $pixel)))
                          (i32.const 0) (local.get $pixel))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $loop_j)))))))
          (local.set $out (i32.add (local.get $out) (local.get $outrow)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $loop_r)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $loop_c)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $loop_b))))

  ;; ReLU's gradient: out[e] = x[e] > 0 ? dy[e] : 0 (PyTorch's threshold_backward: 0 at x = 0 and
  ;; where x is NaN, and a NaN dy stays NaN only where it flows).
  (func $relu_grad (export "relu_grad")
    (param $dy i32) (param $x i32) (param $out i32) (param $count i32)
    (local $end4 i32) (local $end i32) (local $zero v128)
    (local.set $zero (v128.const i32x4 0 0 0 0))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $out)
      (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done_v (loop $loop_v
      (br_if $done_v (i32.ge_u (local.get $out) (local.get $end4)))
      (v128.store (local.get $out)
        (v128.and (v128.load (local.get $dy)) (f32x4.gt (v128.load (local.get $x)) (local.get $zero))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $loop_v)))
    (block $done_s (loop $loop_s
      (br_if $done_s (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out)
        (select (f32.load (local.get $dy)) (f32.const 0)
          (f32.gt (f32.load (local.get $x)) (f32.const 0))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $loop_s))))

  ;; Per-channel statistics for batch norm, accumulated in float64. a and b are [pixels, c]
  ;; (b = 0: b is a). out has room for 2c float64 (it is [4, c] float32) and ends with 2c float32:
  ;;   mu = 0 (forward): out[0:c] = mean(a), out[c:2c] = mean(a·a) − mean(a)² (biased variance);
  ;;   mu ≠ 0 (backward): out[0:c] = Σa, out[c:2c] = Σ a·b − mu·Σa = Σ a·(b − mu).
  (func $channel_stats (export "channel_stats")
    (param $a i32) (param $b i32) (param $mu i32) (param $out i32)
    (param $pixels i32) (param $c i32)
    (local $p i32) (local $k i32) (local $c4 i32) (local $va v128) (local $vb v128)
    (local $acc i32) (local $s f64) (local $q f64) (local $n f64) (local $m f64)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    ;; zero the 2c float64 accumulators: sums at out, products at out + 8c
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $c) (i32.const 4)))
    (local.set $p (i32.const 0))
    (block $done_p (loop $loop_p
      (br_if $done_p (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $k (i32.const 0))
      (local.set $acc (local.get $out))
      (block $done_v (loop $loop_v
        (br_if $done_v (i32.ge_u (local.get $k) (local.get $c4)))
        (local.set $va (v128.load (local.get $a)))
        (local.set $vb (if (result v128) (local.get $b)
          (then (v128.load (local.get $b))) (else (local.get $va))))
        (call $accumulate (local.get $acc) (local.get $va))
        (local.set $vb (f32x4.mul (local.get $va) (local.get $vb)))
        (call $accumulate
          (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (local.get $vb))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (if (local.get $b) (then (local.set $b (i32.add (local.get $b) (i32.const 16)))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop_v)))
      (block $done_s (loop $loop_s
        (br_if $done_s (i32.ge_u (local.get $k) (local.get $c)))
        (f64.store (local.get $acc)
          (f64.add (f64.load (local.get $acc)) (f64.promote_f32 (f32.load (local.get $a)))))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
            (f64.promote_f32 (f32.mul (f32.load (local.get $a))
              (if (result f32) (local.get $b)
                (then (f32.load (local.get $b))) (else (f32.load (local.get $a))))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (if (local.get $b) (then (local.set $b (i32.add (local.get $b) (i32.const 4)))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $loop_s)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $loop_p)))
    ;; finish in float64, then narrow in place (float32 k is written at 4k, after float64 k at 8k
    ;; and before any later float64 is read)
    (local.set $n (f64.convert_i32_u (local.get $pixels)))
    (local.set $k (i32.const 0))
    (block $done_f (loop $loop_f
      (br_if $done_f (i32.ge_u (local.get $k) (local.get $c)))
      (local.set $s (f64.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3)))))
      (local.set $q (f64.load (i32.add (local.get $out)
        (i32.shl (i32.add (local.get $k) (local.get $c)) (i32.const 3)))))
      (if (local.get $mu)
        (then
          (local.set $m (f64.promote_f32 (f32.load (i32.add (local.get $mu) (i32.shl (local.get $k) (i32.const 2))))))
          (local.set $q (f64.sub (local.get $q) (f64.mul (local.get $m) (local.get $s)))))
        (else
          (local.set $s (f64.div (local.get $s) (local.get $n)))
          (local.set $q (f64.sub (f64.div (local.get $q) (local.get $n)) (f64.mul (local.get $s) (local.get $s))))))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (local.get $s))
      (f64.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $k) (local.get $c)) (i32.const 3))) (local.get $q))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $loop_f)))
    (local.set $k (i32.const 0))
    (block $done_n (loop $loop_n
      (br_if $done_n (i32.ge_u (local.get $k) (i32.shl (local.get $c) (i32.const 1))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $loop_n))))

  ;; acc[0:2] += promote(v[0:2]), acc[2:4] += promote(v[2:4]) (float64 accumulators)
  (func $accumulate (param $acc i32) (param $v v128)
    (v128.store (local.get $acc)
      (f64x2.add (v128.load (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $acc)
      (f64x2.add (v128.load offset=16 (local.get $acc))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          (local.get $v) (local.get $v))))))

  ;; out[p, k] = x[p, k]·a[k] + y[p, k]·b[k] + cc[k] for pixels × c (y = 0: no y term).
  (func $channel_affine (export "channel_affine")
    (param $x i32) (param $y i32) (param $a i32) (param $b i32) (param $cc i32) (param $out i32)
    (param $pixels i32) (param $c i32)
    (local $p i32) (local $k i32) (local $c4 i32) (local $v v128)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (local.set $p (i32.const 0))
    (block $done_p (loop $loop_p
      (br_if $done_p (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $k (i32.const 0))
      (block $done_v (loop $loop_v
        (br_if $done_v (i32.ge_u (local.get $k) (local.get $c4)))
        (local.set $v (f32x4.add
          (f32x4.mul (v128.load (local.get $x)) (v128.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2)))))
          (v128.load (i32.add (local.get $cc) (i32.shl (local.get $k) (i32.const 2))))))
        (if (local.get $y) (then
          (local.set $v (f32x4.add (local.get $v)
            (f32x4.mul (v128.load (local.get $y)) (v128.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 2)))))))
          (local.set $y (i32.add (local.get $y) (i32.const 16)))))
        (v128.store (local.get $out) (local.get $v))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop_v)))
      (block $done_s (loop $loop_s
        (br_if $done_s (i32.ge_u (local.get $k) (local.get $c)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add
              (f32.mul (f32.load (local.get $x)) (f32.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2)))))
              (f32.load (i32.add (local.get $cc) (i32.shl (local.get $k) (i32.const 2)))))
            (if (result f32) (local.get $y)
              (then (f32.mul (f32.load (local.get $y)) (f32.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 2))))))
              (else (f32.const 0)))))
        (if (local.get $y) (then (local.set $y (i32.add (local.get $y) (i32.const 4)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $loop_s)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $loop_p))))
)
