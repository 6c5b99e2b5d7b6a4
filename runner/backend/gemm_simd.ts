// Matrix products as WebAssembly SIMD, built from the instruction lists below (backend/wasm_asm.ts encodes them):
// the fused training steps (train/fused_simd.ts) and the wasm backend's batched matMul (kernels.ts) use
// them. tfjs 4.22's wasm BatchMatMul runs a batch of small products (attention's [64, 64] x [64, 64] per head)
// at ~0.4 GFLOP/s, a tenth of its 2-D speed; these loops keep four rows of A and four lanes of C in registers.
import { setFlagsFromString } from 'node:v8';
import { I32, I32_ADD, I32_MUL, V128, type WasmFunc, f32x4, f32zero4, forLoop, func, get, i32c, load, loadSplat, moduleBytes, set,
  simd, uleb } from './wasm_asm.js';

/**
 * gemm(A, aRow, aCol, B, bRow, C, cRow, M, K, NB): C[m][n] = sum_k A[m*aRow + k*aCol] * B[k*bRow + n] for m < M and
 * the NB/4 floats n of a row, every stride in bytes; `rows` rows of A per pass (M a multiple of it), 4*`vecs` lanes of
 * n at a time (NB a multiple of 16*vecs bytes). A's strides are free, so A may be read transposed (X^T in the weight
 * gradient). Each output is summed in k order, in float32. Wider blocks (vecs 2) load each A value once per eight
 * outputs instead of four: the loop is bound by its loads, not its arithmetic. `accumulate` starts each sum from C
 * (C += A B), so a long k can run in blocks that stay in cache with the same sums, bit for bit.
 */
export function gemmFunc(rows: number, vecs = 1, accumulate = false, fma = false): number[] {
  const [A, AROW, ACOL, B, BROW, C, CROW, M, K, NB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [MI, AR, CR, N, PA, PB, KI] = [10, 11, 12, 13, 14, 15, 16];
  const ACC = 17;
  const BV = ACC + rows * vecs;
  const AV = BV + vecs;
  const plus = (base: number, stride: number, times: number) =>
    [...get(base), ...(times === 0 ? [] : [...get(stride), ...i32c(times), ...I32_MUL, ...I32_ADD])];
  const accs = Array.from({ length: rows }, (_, r) => r);
  const lanes = Array.from({ length: vecs }, (_, v) => v);
  const body = forLoop(MI, get(M), rows, [
    ...get(A), ...get(MI), ...get(AROW), ...I32_MUL, ...I32_ADD, ...set(AR),
    ...get(C), ...get(MI), ...get(CROW), ...I32_MUL, ...I32_ADD, ...set(CR),
    ...i32c(0), ...set(N),
    ...forLoop(N, get(NB), 16 * vecs, [
      ...accs.flatMap((r) => lanes.flatMap((v) => [
        ...(accumulate ? [...plus(CR, CROW, r), ...get(N), ...I32_ADD, ...load(16 * v)] : f32zero4), ...set(ACC + r * vecs + v)])),
      ...get(AR), ...set(PA),
      ...get(B), ...get(N), ...I32_ADD, ...set(PB),
      ...i32c(0), ...set(KI),
      ...forLoop(KI, get(K), 1, [
        ...lanes.flatMap((v) => [...get(PB), ...load(16 * v), ...set(BV + v)]),
        ...accs.flatMap((r) => [...plus(PA, AROW, r), ...loadSplat(), ...set(AV),
          ...lanes.flatMap((v) => [...(fma
            ? [...get(AV), ...get(BV + v), ...get(ACC + r * vecs + v), ...F32X4_RELAXED_MADD]
            : [...get(ACC + r * vecs + v), ...get(AV), ...get(BV + v), ...f32x4.mul, ...f32x4.add]), ...set(ACC + r * vecs + v)])]),
        ...get(PA), ...get(ACOL), ...I32_ADD, ...set(PA),
        ...get(PB), ...get(BROW), ...I32_ADD, ...set(PB),
      ]),
      ...accs.flatMap((r) => lanes.flatMap((v) => [...plus(CR, CROW, r), ...get(N), ...I32_ADD, ...get(ACC + r * vecs + v),
        ...simd(0x0b, 4, ...uleb(16 * v))])),
    ]),
  ]);
  return func([[7, I32], [rows * vecs + vecs + 1, V128]], body);
}

/** f32x4.relaxed_madd (a * b + c, fused where the CPU has FMA): WebAssembly's relaxed SIMD, behind a flag in Node 20. */
const F32X4_RELAXED_MADD = simd(0x105);

export type Gemm = (a: number, aRow: number, aCol: number, b: number, bRow: number, c: number, cRow: number, m: number,
  k: number, nb: number) => void;

export interface GemmKernels {
  gemm4: Gemm;
  gemm1: Gemm;
  /** Eight lanes per row (gemmFunc(_, 2)). */
  gemm4w: Gemm;
  gemm1w: Gemm;
  /** C += A B (gemmFunc(_, _, true)). */
  gemm4a: Gemm;
  gemm1a: Gemm;
  gemm4wa: Gemm;
  gemm1wa: Gemm;
}

/** The module functions GemmKernels names, for a module that exports them (multiply-adds fused when `fma`). */
export function gemmFuncs(fma = false): WasmFunc[] {
  return ([['gemm4', 4, 1, false], ['gemm1', 1, 1, false], ['gemm4w', 4, 2, false], ['gemm1w', 1, 2, false],
    ['gemm4a', 4, 1, true], ['gemm1a', 1, 1, true], ['gemm4wa', 4, 2, true], ['gemm1wa', 1, 2, true]] as const)
    .map(([name, rows, vecs, acc]) => ({ name, params: Array(10).fill(I32), results: [], code: gemmFunc(rows, vecs, acc, fma) }));
}

/**
 * Whether this process can run fused multiply-adds in WebAssembly (relaxed SIMD's f32x4.relaxed_madd). Node 20's
 * V8 has relaxed SIMD behind --experimental-wasm-relaxed-simd; the flag only lets modules that use those opcodes
 * validate (tfjs's own module uses none), so it is turned on here, and a V8 that refuses leaves the plain
 * multiply-then-add. On x86-64 V8 emits an FMA3 instruction where the CPU has one (every x86-64 CPU since 2013)
 * and a multiply and an add where it does not, so results are the same run to run on one machine.
 */
export function relaxedSimd(): boolean {
  if (relaxed === undefined) {
    const probe = moduleBytes([{ name: 'probe', params: [V128, V128, V128], results: [V128],
      code: func([], [...get(0), ...get(1), ...get(2), ...F32X4_RELAXED_MADD]) }], 1);
    const compiles = () => {
      try {
        new WebAssembly.Module(probe);
        return true;
      } catch {
        return false;
      }
    };
    relaxed = compiles();
    if (!relaxed && process.env.BAIT_WASM_FMA !== '0') {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxed = compiles();
    }
  }
  return relaxed && process.env.BAIT_WASM_FMA !== '0';
}
let relaxed: boolean | undefined;

export function gemmKernels(exports: WebAssembly.Exports): GemmKernels {
  const e = exports as unknown as GemmKernels;
  return { gemm4: e.gemm4, gemm1: e.gemm1, gemm4w: e.gemm4w, gemm1w: e.gemm1w, gemm4a: e.gemm4a, gemm1a: e.gemm1a, gemm4wa: e.gemm4wa,
    gemm1wa: e.gemm1wa };
}

/** Inner dimensions longer than this run in blocks of it (the weight gradients' sums over every token of a batch). */
const K_BLOCK = 256;

/**
 * C = A B (C += A B when `accumulate`) for `m` rows of A (any count): four rows per pass, the rest one at a time;
 * eight output lanes at a time, then the last four when NB is not a multiple of 32 bytes. Strides in bytes, as gemm;
 * every output is summed in k order, so the split does not change a bit.
 */
export function gemmRows(k: GemmKernels, a: number, aRow: number, aCol: number, b: number, bRow: number,
  c: number, cRow: number, m: number, inner: number, nb: number, accumulate = false): void {
  for (let k0 = 0; k0 < inner; k0 += K_BLOCK) {
    const kn = Math.min(K_BLOCK, inner - k0);
    gemmBlock(k, accumulate || k0 > 0, a + k0 * aCol, aRow, aCol, b + k0 * bRow, bRow, c, cRow, m, kn, nb);
  }
  if (inner === 0) gemmBlock(k, accumulate, a, aRow, aCol, b, bRow, c, cRow, m, 0, nb);
}

function gemmBlock(k: GemmKernels, acc: boolean, a: number, aRow: number, aCol: number, b: number, bRow: number,
  c: number, cRow: number, m: number, inner: number, nb: number): void {
  const [g4w, g1w, g4, g1] = acc ? [k.gemm4wa, k.gemm1wa, k.gemm4a, k.gemm1a] : [k.gemm4w, k.gemm1w, k.gemm4, k.gemm1];
  const m4 = m & ~3;
  const wide = nb & ~31;
  const rest = a + m4 * aRow;
  const restC = c + m4 * cRow;
  if (wide > 0) {
    if (m4 > 0) g4w(a, aRow, aCol, b, bRow, c, cRow, m4, inner, wide);
    if (m4 < m) g1w(rest, aRow, aCol, b, bRow, restC, cRow, m - m4, inner, wide);
  }
  if (wide < nb) {
    if (m4 > 0) g4(a, aRow, aCol, b + wide, bRow, c + wide, cRow, m4, inner, nb - wide);
    if (m4 < m) g1(rest, aRow, aCol, b + wide, bRow, restC + wide, cRow, m - m4, inner, nb - wide);
  }
}

// ---- a batch of products, for the wasm backend's BatchMatMul (kernels.ts) -----------------------------------------

let batched: ({ memory: WebAssembly.Memory } & GemmKernels) | undefined;

/** The module's memory as floats, at least `floats` long (grown on demand; views of it are valid until the next call). */
function heapOf(floats: number): Float32Array {
  if (!batched) {
    const e = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(gemmFuncs(), Math.max(1, Math.ceil((floats * 4) / 65536))))).exports;
    batched = { memory: e.mem as WebAssembly.Memory, ...gemmKernels(e) };
  }
  const have = batched.memory.buffer.byteLength;
  if (have < floats * 4) batched.memory.grow(Math.ceil((floats * 4 - have) / 65536));
  return new Float32Array(batched.memory.buffer);
}

export interface BatchOperand {
  values: Float32Array;
  /** [batch, rows, cols] as stored; a batch of 1 is broadcast over the other operand's batch. */
  shape: [number, number, number];
  transposed: boolean;
}

/**
 * C[i] = op(A[i]) op(B[i]) for every i of the batch, op transposing when asked: [batch, M, N] row-major, a view of
 * the module's memory valid until the next call (copy it out). N must be a multiple of 4.
 */
export function batchMatMul(a: BatchOperand, b: BatchOperand): { values: Float32Array; shape: [number, number, number] } {
  const [ba, ra, ca] = a.shape;
  const [bb, rb, cb] = b.shape;
  const [M, K] = a.transposed ? [ca, ra] : [ra, ca];
  const N = b.transposed ? rb : cb;
  const batch = Math.max(ba, bb);
  const aAt = 0;
  const bAt = aAt + Math.ceil((ba * M * K) / 4) * 4;
  const cAt = bAt + Math.ceil((bb * K * N) / 4) * 4;
  const heap = heapOf(cAt + batch * M * N);
  heap.set(a.values, aAt);
  if (!b.transposed) heap.set(b.values, bAt);
  else {
    // B stored [N, K] per batch: laid out as [K, N], so the product reads it along its rows.
    const src = b.values;
    for (let i = 0; i < bb; i++) {
      const s = i * N * K;
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) heap[bAt + s + k * N + n] = src[s + n * K + k]!;
    }
  }
  // A is read through its strides: [M, K] rows, or [K, M] stored for a transposed A.
  const [aRow, aCol] = a.transposed ? [4, 4 * M] : [4 * K, 4];
  for (let i = 0; i < batch; i++) {
    const ao = aAt + (ba === 1 ? 0 : i) * M * K;
    const bo = bAt + (bb === 1 ? 0 : i) * K * N;
    gemmRows(batched!, 4 * ao, aRow, aCol, 4 * bo, 4 * N, 4 * (cAt + i * M * N), 4 * N, M, K, 4 * N);
  }
  return { values: heap.subarray(cAt, cAt + batch * M * N), shape: [batch, M, N] };
}
