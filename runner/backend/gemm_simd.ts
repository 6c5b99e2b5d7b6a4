// Matrix products as WebAssembly SIMD, built from the instruction lists below (backend/wasm_asm.ts encodes them):
// the fused mean-pool step (train/fused_meanpool_simd.ts) and the wasm backend's batched matMul (kernels.ts) use
// them. tfjs 4.22's wasm BatchMatMul runs a batch of small products (attention's [64, 64] x [64, 64] per head)
// at ~0.4 GFLOP/s, a tenth of its 2-D speed; these loops keep four rows of A and four lanes of C in registers.
import { I32, I32_ADD, I32_MUL, V128, type WasmFunc, f32x4, f32zero4, forLoop, func, get, i32c, load, loadSplat, moduleBytes, set,
  store } from './wasm_asm.js';

/**
 * gemm(A, aRow, aCol, B, bRow, C, cRow, M, K, NB): C[m][n] = sum_k A[m*aRow + k*aCol] * B[k*bRow + n] for m < M and
 * the NB/4 floats n of a row, every stride in bytes; `rows` rows of A per pass (M a multiple of it), four lanes of n
 * at a time (NB a multiple of 16 bytes). A's strides are free, so A may be read transposed (X^T in the weight gradient).
 * Each output is summed in k order, in float32.
 */
export function gemmFunc(rows: number): number[] {
  const [A, AROW, ACOL, B, BROW, C, CROW, M, K, NB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [MI, AR, CR, N, PA, PB, KI] = [10, 11, 12, 13, 14, 15, 16];
  const ACC = 17;
  const BV = ACC + rows;
  const plus = (base: number, stride: number, times: number) =>
    [...get(base), ...(times === 0 ? [] : [...get(stride), ...i32c(times), ...I32_MUL, ...I32_ADD])];
  const accs = Array.from({ length: rows }, (_, r) => r);
  const body = forLoop(MI, get(M), rows, [
    ...get(A), ...get(MI), ...get(AROW), ...I32_MUL, ...I32_ADD, ...set(AR),
    ...get(C), ...get(MI), ...get(CROW), ...I32_MUL, ...I32_ADD, ...set(CR),
    ...i32c(0), ...set(N),
    ...forLoop(N, get(NB), 16, [
      ...accs.flatMap((r) => [...f32zero4, ...set(ACC + r)]),
      ...get(AR), ...set(PA),
      ...get(B), ...get(N), ...I32_ADD, ...set(PB),
      ...i32c(0), ...set(KI),
      ...forLoop(KI, get(K), 1, [
        ...get(PB), ...load(), ...set(BV),
        ...accs.flatMap((r) => [...get(ACC + r), ...plus(PA, AROW, r), ...loadSplat(), ...get(BV), ...f32x4.mul, ...f32x4.add,
          ...set(ACC + r)]),
        ...get(PA), ...get(ACOL), ...I32_ADD, ...set(PA),
        ...get(PB), ...get(BROW), ...I32_ADD, ...set(PB),
      ]),
      ...accs.flatMap((r) => [...plus(CR, CROW, r), ...get(N), ...I32_ADD, ...get(ACC + r), ...store]),
    ]),
  ]);
  return func([[7, I32], [rows + 1, V128]], body);
}

export type Gemm = (a: number, aRow: number, aCol: number, b: number, bRow: number, c: number, cRow: number, m: number,
  k: number, nb: number) => void;

/** C = A B for `m` rows of A (any count): four rows per pass, the rest one at a time. Strides in bytes, as gemm. */
export function gemmRows(k: { gemm4: Gemm; gemm1: Gemm }, a: number, aRow: number, aCol: number, b: number, bRow: number,
  c: number, cRow: number, m: number, inner: number, nb: number): void {
  const m4 = m & ~3;
  if (m4 > 0) k.gemm4(a, aRow, aCol, b, bRow, c, cRow, m4, inner, nb);
  if (m4 < m) k.gemm1(a + m4 * aRow, aRow, aCol, b, bRow, c + m4 * cRow, cRow, m - m4, inner, nb);
}

// ---- a batch of products, for the wasm backend's BatchMatMul (kernels.ts) -----------------------------------------

const FUNCS: WasmFunc[] = [
  { name: 'gemm4', params: Array(10).fill(I32), results: [], code: gemmFunc(4) },
  { name: 'gemm1', params: Array(10).fill(I32), results: [], code: gemmFunc(1) },
];

let batched: { memory: WebAssembly.Memory; gemm4: Gemm; gemm1: Gemm } | undefined;

/** The module's memory as floats, at least `floats` long (grown on demand; views of it are valid until the next call). */
function heapOf(floats: number): Float32Array {
  if (!batched) {
    const e = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(FUNCS, Math.max(1, Math.ceil((floats * 4) / 65536))))).exports;
    batched = { memory: e.mem as WebAssembly.Memory, gemm4: e.gemm4 as Gemm, gemm1: e.gemm1 as Gemm };
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
