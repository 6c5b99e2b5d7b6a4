// Direct access to a float32 tensor's storage on the embedded backends, so that hot loops written in JavaScript (the
// fused Adam update, the sparse mean-pool) read and write tensors without a copy. On the wasm backend this is a
// view into the WebAssembly heap (taken afresh each time: the heap can grow and detach older views); on the cpu
// backend it is the tensor's own Float32Array. Other backends get a copy, and writes go through `assign`.
import * as tf from '@tensorflow/tfjs';

type WasmBackend = { typedArrayFromHeap(t: { shape: number[]; dtype: string; dataId: object }): Float32Array };
type CpuBackend = { data: { get(id: object): { values?: Float32Array } } };

/**
 * Whether tensors live in this process's memory (cpu, wasm), so the hot loops above may read them synchronously.
 * On webgpu (and tfjs-node) they live elsewhere: models and the optimizer use tfjs ops there instead.
 */
export function hostBacked(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm';
}

/** The storage of `t` when it can be shared (wasm, cpu), else undefined. */
export function sharedView(t: tf.Tensor): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const name = tf.getBackend();
  if (name === 'wasm') return (tf.backend() as unknown as WasmBackend).typedArrayFromHeap(t);
  if (name === 'cpu') return (tf.backend() as unknown as CpuBackend).data.get(t.dataId)?.values;
  return undefined;
}

// Variables whose values never reach a wasm matMul (an embedding table read by the embedding-bag op), so the
// packed-weight cache below cannot hold stale copies of them.
const inPlaceOnWasm = new WeakSet<tf.Variable>();

/** Declares that `v` is never an operand of a matMul, so optimizers may write its storage in place on wasm too. */
export function allowInPlaceUpdates(v: tf.Variable): void {
  inPlaceOnWasm.add(v);
}

/**
 * Storage that may be written in place: on the cpu backend, and on wasm for variables declared with
 * allowInPlaceUpdates. The wasm backend caches packed matMul weights by tensor id (XNNPACK), so a tensor changed in
 * place keeps being multiplied with its old values there; other updates on wasm must go into a new tensor.
 */
export function writableView(t: tf.Tensor): Float32Array | undefined {
  const name = tf.getBackend();
  if (name === 'cpu' || (name === 'wasm' && t instanceof tf.Variable && inPlaceOnWasm.has(t))) return sharedView(t);
  return undefined;
}

/** The values of `t`, without a copy where possible. Treat the result as read-only. */
export function readValues(t: tf.Tensor): Float32Array {
  return sharedView(t) ?? (t.dataSync() as Float32Array);
}

/** Sets the values of `v`: in place where allowed (writableView), else as a new tensor (a new id) it alone holds. */
export function writeVariable(v: tf.Variable, values: Float32Array): void {
  const view = writableView(v);
  if (view) view.set(values);
  else {
    const next = tf.tensor(values.slice(), v.shape, 'float32');
    v.assign(next);
    next.dispose();
  }
}
