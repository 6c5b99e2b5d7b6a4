// Kernels that tfjs 4.22 lacks or runs slowly on the embedded backends (measured in notes/tfjs.md).
//
// `UnsortedSegmentSum` is the gradient of `tf.gather`, so every embedding lookup needs it in the backward pass:
// the wasm backend does not have it at all and the cpu backend's version is O(segments * N * D). Ours reads the
// inputs once and accumulates into one buffer, O(N * D), and gives the same bits as the stock kernel because it
// adds in the same order (row by row, in index order) with the same float64 accumulator.
//
// The wasm backend's matMul with a transposed operand (used by every backward pass) is an order of magnitude
// slower than the untransposed one, so we transpose first with the wasm Transpose kernel and then multiply. A batch
// of products (the transformer's attention: one [64, 64] x [64, 64] per sequence and head) runs at ~0.4 GFLOP/s in
// the stock kernel, a tenth of its speed on one large product: those go to our SIMD loops (gemm_simd.ts) instead.
// The stock wasm Sum over the rows of a matrix (every bias and layer-norm gradient: [2048, 128] -> [128] in the
// transformer) transposes first, at ~12x the cost of a sum along the rows; ours is a product with a row of ones.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul } from './gemm_simd.js';

interface SegmentInputs { x: tf.TensorInfo; segmentIds: tf.TensorInfo }

type ReadBackend = { readSync(dataId: object): ArrayLike<number> };

function segmentSum(x: tf.TensorInfo, ids: tf.TensorInfo, numSegments: number, backend: ReadBackend): {
  shape: number[]; values: Float32Array;
} {
  const values = backend.readSync(x.dataId) as Float32Array;
  const segs = backend.readSync(ids.dataId) as Int32Array;
  const n = x.shape[0] ?? 0;
  const rowSize = n === 0 ? 0 : values.length / n;
  // Accumulate in float64 and round once, as the stock cpu kernel's Sum does: the same bits as tfjs's own result.
  const acc = new Float64Array(numSegments * rowSize);
  for (let i = 0; i < n; i++) {
    const s = segs[i]!;
    // TensorFlow drops ids outside [0, numSegments); gather never produces them, but keep the same contract.
    if (s < 0 || s >= numSegments) continue;
    const src = i * rowSize;
    const dst = s * rowSize;
    for (let j = 0; j < rowSize; j++) acc[dst + j]! += values[src + j]!;
  }
  return { shape: [numSegments, ...x.shape.slice(1)], values: Float32Array.from(acc) };
}

function registerSegmentSum(backendName: 'cpu' | 'wasm'): void {
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as SegmentInputs;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum: only float32 is supported, got ${x.dtype}`);
      const { shape, values } = segmentSum(x, segmentIds, numSegments, backend as unknown as ReadBackend);
      if (backendName === 'wasm') {
        const wasm = backend as unknown as { makeOutput(s: number[], d: string, o?: number, v?: Float32Array): tf.TensorInfo };
        return wasm.makeOutput(shape, 'float32', undefined, values);
      }
      const cpu = backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo };
      return cpu.makeTensorInfo(shape, 'float32', values);
    },
  });
}

type WasmHeap = {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: string, offset?: number, values?: Float32Array): tf.TensorInfo;
};

/** A batch (more than one) of float32 products of rank-3 operands through gemm_simd.ts, else undefined. */
function batchedProduct(a: tf.TensorInfo, b: tf.TensorInfo, attrs: { transposeA: boolean; transposeB: boolean },
  backend: WasmHeap): tf.TensorInfo | undefined {
  if (a.shape.length !== 3 || b.shape.length !== 3 || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [ba, bb] = [a.shape[0]!, b.shape[0]!];
  const n = attrs.transposeB ? b.shape[1]! : b.shape[2]!;
  // One product is the stock kernel's fast case; our loops need whole groups of four output columns.
  if ((ba === 1 && bb === 1) || (ba !== bb && ba !== 1 && bb !== 1) || n % 4 !== 0) return undefined;
  const operand = (t: tf.TensorInfo, transposed: boolean) =>
    ({ values: backend.typedArrayFromHeap(t), shape: t.shape as [number, number, number], transposed });
  const r = batchMatMul(operand(a, attrs.transposeA), operand(b, attrs.transposeB));
  return backend.makeOutput(r.shape, 'float32', undefined, r.values);
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Puts `f` in place of the wasm kernel `name` (once per process); `f` may hand a call on to the stock kernel. */
function patchWasmKernel(name: string, f: (args: KernelArgs, stock: tf.KernelConfig) => ReturnType<tf.KernelFunc>): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || (stock as { baitPatched?: boolean }).baitPatched) return;
  tf.unregisterKernel(name, 'wasm');
  const config: tf.KernelConfig & { baitPatched: boolean } = {
    kernelName: name, backendName: 'wasm', baitPatched: true, kernelFunc: (args) => f(args, stock),
  };
  tf.registerKernel(config);
}

function registerWasmTransposedMatMul(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  patchWasmKernel('BatchMatMul', (args, stock) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const batched = batchedProduct(a, b, attrs, args.backend as unknown as WasmHeap);
    if (batched) return batched;
    if (!attrs.transposeA && !attrs.transposeB) return stock.kernelFunc(args);
    const backend = args.backend as unknown as { disposeData(id: object): void };
    const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
      return transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const at = attrs.transposeA ? swapLast(a) : a;
    const bt = attrs.transposeB ? swapLast(b) : b;
    const out = stock.kernelFunc({
      inputs: { a: at, b: bt }, backend: args.backend,
      attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
    });
    if (at !== a) backend.disposeData(at.dataId);
    if (bt !== b) backend.disposeData(bt.dataId);
    return out;
  });
}

/** Column sums of a [rows, cols] float32 matrix (the sum over axis 0): ones[1, rows] x matrix, in float32. */
function columnSums(values: Float32Array, rows: number, cols: number): Float32Array {
  const ones = { values: new Float32Array(rows).fill(1), shape: [1, 1, rows] as [number, number, number], transposed: false };
  return batchMatMul(ones, { values, shape: [1, rows, cols], transposed: false }).values;
}

function registerWasmRowSum(): void {
  patchWasmKernel('Sum', (args, stock) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.shape.length : a));
    if (x.shape.length !== 2 || x.dtype !== 'float32' || axes.length !== 1 || axes[0] !== 0 || x.shape[1]! % 4 !== 0) {
      return stock.kernelFunc(args);
    }
    const [rows, cols] = x.shape as [number, number];
    const backend = args.backend as unknown as WasmHeap;
    return backend.makeOutput(keepDims ? [1, cols] : [cols], 'float32', undefined, columnSums(backend.typedArrayFromHeap(x), rows, cols));
  });
}

/** Registers our kernels for the backend that is now active; call after `tf.setBackend()` has resolved. */
export function registerKernelFixes(backendName: string): string[] {
  const applied: string[] = [];
  if (backendName === 'cpu' || backendName === 'wasm') {
    registerSegmentSum(backendName);
    applied.push('UnsortedSegmentSum');
  }
  if (backendName === 'wasm') {
    registerWasmTransposedMatMul();
    registerWasmRowSum();
    applied.push('BatchMatMul(transposed, batched)', 'Sum(rows)');
  }
  return applied;
}
