// Adam's update and the gradient's sum of squares as WebAssembly SIMD (four float32 lanes at a time), in a small
// module built from the instruction lists below (backend/wasm_asm.ts encodes them).
//
// The plain JavaScript loop was ~30% of a bag-of-words training step on 2 cores: every parameter is updated every
// step (Adam decays the moments of rows the batch did not touch too), ~180k values, with a square root and a
// division each. The SIMD loop does four at a time in float32, as tfjs's own Adam kernels and torch do; IEEE
// float32 arithmetic with a fixed order, so the results are the same on every machine and run.

import { F32, F64, I32, I32_ADD, I32_SHL, V128, type WasmFunc, f32x4, f64x2, func, get, i32c, load, load64zero,
  loopBytes, moduleBytes, set, store, tee, F32_NEG, F64_ADD, V128_ANDNOT } from '../backend/wasm_asm.js';

// The smallest normal float32. Moments below it are stored as zero: the moments of an embedding row that no batch
// touches decay by beta each step and reach the subnormal range after ~800 steps, where x86 arithmetic takes
// ~100 cycles an operation: the update measured 10x slower with subnormal moments. Their share of any parameter's
// update is below 1e-30 (the denominator is at least epsilon), so no weight changes by flushing them.
const FLT_MIN = [0x43, ...new Uint8Array(Float32Array.of(1.1754943508222875e-38).buffer)];

// adam(p, g, m, v, n, scale, limit, b1, b2, a1, a2, step, rc2, eps): n float32s (a multiple of 4, 16-byte aligned
// arrays), g clipped to [-limit, limit] after scaling, then m, v and p updated in place as in tfjs's Adam, with
// subnormal moments stored as zero.
export function adamFunc(): number[] {
  const [P, G, M, V, N] = [0, 1, 2, 3, 4];
  const [I, END] = [14, 15];
  const [vScale, vLim, vNegLim, vB1, vB2, vA1, vA2, vStep, vRc2, vEps, gi, mi, vi, vTiny] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
  const at = (base: number) => [...get(base), ...get(I), ...I32_ADD];
  // x (on the stack, also in local `x`) with the lanes whose magnitude is below FLT_MIN set to zero; NaN stays NaN.
  const flush = (x: number) => [...set(x), ...get(x), ...get(x), ...f32x4.abs, ...get(vTiny), ...f32x4.lt, ...V128_ANDNOT];
  const body = [
    ...get(5), ...f32x4.splat, ...set(vScale),
    ...get(6), ...f32x4.splat, ...set(vLim),
    ...get(6), ...F32_NEG, ...f32x4.splat, ...set(vNegLim),
    ...get(7), ...f32x4.splat, ...set(vB1),
    ...get(8), ...f32x4.splat, ...set(vB2),
    ...get(9), ...f32x4.splat, ...set(vA1),
    ...get(10), ...f32x4.splat, ...set(vA2),
    ...get(11), ...f32x4.splat, ...set(vStep),
    ...get(12), ...f32x4.splat, ...set(vRc2),
    ...get(13), ...f32x4.splat, ...set(vEps),
    ...FLT_MIN, ...f32x4.splat, ...set(vTiny),
    ...get(N), ...i32c(2), ...I32_SHL, ...set(END),
    ...loopBytes(I, END, [
      // gi = clamp(g * scale, -limit, limit)
      ...at(G), ...load(), ...get(vScale), ...f32x4.mul, ...get(vLim), ...f32x4.min, ...get(vNegLim), ...f32x4.max, ...set(gi),
      // m = b1 * m + (1 - b1) * gi
      ...at(M), ...get(vB1), ...at(M), ...load(), ...f32x4.mul, ...get(vA1), ...get(gi), ...f32x4.mul, ...f32x4.add,
      ...flush(mi), ...tee(mi), ...store,
      // v = b2 * v + (1 - b2) * gi * gi
      ...at(V), ...get(vB2), ...at(V), ...load(), ...f32x4.mul, ...get(vA2), ...get(gi), ...f32x4.mul, ...get(gi),
      ...f32x4.mul, ...f32x4.add, ...flush(vi), ...tee(vi), ...store,
      // p = p - (lr / (1 - beta1^t)) * m / (sqrt(v / (1 - beta2^t)) + eps)
      ...at(P), ...at(P), ...load(), ...get(vStep), ...get(mi), ...f32x4.mul, ...get(vi), ...get(vRc2), ...f32x4.mul,
      ...f32x4.sqrt, ...get(vEps), ...f32x4.add, ...f32x4.div, ...f32x4.sub, ...store,
    ]),
  ];
  return func([[2, I32], [14, V128]], body);
}

// sumsq(ptr, n): the sum of squares of n float32s (a multiple of 4), accumulated in float64 in two pairs of lanes.
export function sumsqFunc(): number[] {
  const [PTR, N, I, END, A, B, X] = [0, 1, 2, 3, 4, 5, 6];
  const square = (acc: number, offset: number) => [...get(PTR), ...get(I), ...I32_ADD, ...load64zero(offset),
    ...f64x2.promoteLow, ...tee(X), ...get(X), ...f64x2.mul, ...get(acc), ...f64x2.add, ...set(acc)];
  const body = [
    ...get(N), ...i32c(2), ...I32_SHL, ...set(END),
    ...loopBytes(I, END, [...square(A, 0), ...square(B, 8)]),
    ...get(A), ...get(B), ...f64x2.add, ...tee(A), ...f64x2.lane(0), ...get(A), ...f64x2.lane(1), ...F64_ADD,
  ];
  return func([[2, I32], [3, V128]], body);
}

const FUNCS: WasmFunc[] = [
  { name: 'adam', params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32], results: [], code: adamFunc() },
  { name: 'sumsq', params: [I32, I32], results: [F64], code: sumsqFunc() },
];

export interface SimdAdamKernels {
  /** The module's memory as float32s; arrays passed to the functions are views of it. */
  heap: Float32Array;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, limit: number, b1: number, b2: number,
    a1: number, a2: number, step: number, rc2: number, eps: number): void;
  sumsq(ptr: number, n: number): number;
}

/** Instantiates a module whose memory holds `floats` float32s (fixed size: views of it never detach). */
export function simdAdamKernels(floats: number): SimdAdamKernels {
  const pages = Math.max(1, Math.ceil((floats * 4) / 65536));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(FUNCS, pages)));
  const e = instance.exports as unknown as { mem: WebAssembly.Memory; adam: SimdAdamKernels['adam']; sumsq: SimdAdamKernels['sumsq'] };
  return { heap: new Float32Array(e.mem.buffer), adam: e.adam, sumsq: e.sumsq };
}
