// Binary cross-entropy on logits as one fused op: the loss and its gradient (sigmoid(x) - y) / n are computed in
// float64 in JavaScript from the batch's logits. tfjs's sigmoidCrossEntropy is about twenty small kernels forwards
// and backwards, whose dispatch costs more than the arithmetic at these batch sizes.
import * as tf from '@tensorflow/tfjs';
import { hostBacked, readValues } from '../backend/raw.js';

export function bceWithLogits(logits: tf.Tensor1D, labels: Float32Array): tf.Scalar {
  // On a GPU the same formula as ops (float32), so the logits are never read back within a step.
  if (!hostBacked()) {
    return tf.tidy(() => {
      const y = tf.tensor1d(labels);
      return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
    }) as tf.Scalar;
  }
  const f = tf.customGrad(((x: tf.Tensor) => {
    const xv = readValues(x);
    const n = xv.length;
    let total = 0;
    const grad = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = xv[i]!;
      const y = labels[i]!;
      total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      grad[i] = (1 / (1 + Math.exp(-z)) - y) / n;
    }
    return {
      value: tf.scalar(total / n),
      gradFunc: (dy: tf.Tensor) => {
        const s = readValues(dy)[0]!;
        if (s !== 1) for (let i = 0; i < n; i++) grad[i] = grad[i]! * s;
        return tf.tensor1d(grad);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(logits) as tf.Scalar;
}
