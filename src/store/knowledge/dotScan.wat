;; scan(values, rows, blocks, query, out): out[i] = Σ values[i][j] × query[j] (f32) for each of `rows` rows of
;; blocks × 8 int16 values (at `values`, row after row), the query as blocks × 8 f32 (at `query`).
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $v i32) (param $rows i32) (param $blocks i32) (param $q i32) (param $out i32)
    (local $i i32) (local $j i32) (local $qp i32) (local $x v128) (local $a v128) (local $b v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (local.set $qp (local.get $q))
        (block $rowDone
          (loop $block
            (br_if $rowDone (i32.ge_u (local.get $j) (local.get $blocks)))
            (local.set $x (v128.load (local.get $v)))
            (local.set $a (f32x4.add (local.get $a) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $x))) (v128.load (local.get $qp)))))
            (local.set $b (f32x4.add (local.get $b) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $x))) (v128.load offset=16 (local.get $qp)))))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $block)))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))))
