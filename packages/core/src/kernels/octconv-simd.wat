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
)
