// Adam for backends whose tensors live outside this process (webgpu, tfjs-node): the same update as FusedAdam
// (adam.ts), written as tfjs ops so parameters and moments never leave the device. Only the running beta
// powers are kept here, in float32 as FusedAdam keeps them, so checkpoints of both have the same content.
// Clipping by norm never reads the norm back: min(1, max_norm / (norm + 1e-6)) is the same scale as "scale when
// below 1", computed on the device.
import * as tf from '@tensorflow/tfjs';
import type { AdamOptimizer, AdamState, GradClip } from './adam.js';

export class DeviceAdam implements AdamOptimizer {
  readonly beta1 = 0.9;
  readonly beta2 = 0.999;
  readonly epsilon = 1e-8;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private accBeta1 = Math.fround(this.beta1);
  private accBeta2 = Math.fround(this.beta2);
  iterations = 0;

  constructor(private readonly params: tf.Variable[], public learningRate: number) {
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  step(grads: tf.Tensor[], clip: GradClip): void {
    const c1 = 1 - this.accBeta1;
    const c2 = 1 - this.accBeta2;
    tf.tidy(() => {
      let scale: tf.Tensor | undefined;
      if (clip && clip.algorithm === 'norm') {
        // Pairwise adds, not addN: tfjs's webgpu AddN binds every input at once, past the adapter's
        // storage-buffer limit (8 on some) for models with many parameters.
        const norm = tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
        scale = tf.minimum(tf.scalar(1), tf.div(clip.value, tf.add(norm, 1e-6)));
      }
      grads.forEach((g0, k) => {
        let g = scale ? tf.mul(g0, scale) : g0;
        if (clip && clip.algorithm === 'value') g = tf.clipByValue(g, -clip.value, clip.value);
        const m = tf.add(tf.mul(this.m[k]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[k]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const update = tf.div(tf.mul(m, this.learningRate / c1), tf.add(tf.sqrt(tf.mul(v, 1 / c2)), this.epsilon));
        this.m[k]!.assign(m);
        this.v[k]!.assign(v);
        this.params[k]!.assign(tf.sub(this.params[k]!, update));
      });
    });
    this.accBeta1 = Math.fround(this.accBeta1 * this.beta1);
    this.accBeta2 = Math.fround(this.accBeta2 * this.beta2);
    this.iterations++;
  }

  async snapshot(): Promise<AdamState> {
    const read = (list: tf.Variable[]) => Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
    return { m: await read(this.m), v: await read(this.v), accBeta1: this.accBeta1, accBeta2: this.accBeta2, iterations: this.iterations };
  }

  load(s: AdamState): void {
    tf.tidy(() => this.params.forEach((p, i) => {
      this.m[i]!.assign(tf.tensor(s.m[i]!, p.shape, 'float32'));
      this.v[i]!.assign(tf.tensor(s.v[i]!, p.shape, 'float32'));
    }));
    this.accBeta1 = s.accBeta1;
    this.accBeta2 = s.accBeta2;
    this.iterations = s.iterations;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
