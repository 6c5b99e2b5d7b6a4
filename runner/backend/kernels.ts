// Kernels that tfjs 4.22 lacks or runs slowly on the embedded backends (measured in notes/tfjs.md).
//
// `UnsortedSegmentSum` is the gradient of `tf.gather`, so every embedding lookup needs it in the backward pass:
// the wasm backend does not have it at all and the cpu backend's version is O(segments * N * D). Ours reads the
// inputs once and accumulates into one buffer, O(N * D), and gives the same bits as the stock kernel because it
// adds in the same order (row by row, in index order) with the same float64 accumulator.
//
// The wasm backend's matMul with a transposed operand (used by every backward pass) is an order of magnitude
// slower than the untransposed one, so we transpose first with the wasm Transpose kernel and then multiply.
import * as tf from '@tensorflow/tfjs';

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

function registerWasmTransposedMatMul(): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!stock || !transpose || (stock as { baitPatched?: boolean }).baitPatched) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  const config: tf.KernelConfig & { baitPatched: boolean } = {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    baitPatched: true,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
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
    },
  };
  tf.registerKernel(config);
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
    applied.push('BatchMatMul(transposed)');
  }
  return applied;
}
