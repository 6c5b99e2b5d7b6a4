// A minimal module tree in the spirit of torch.nn.Module: parameters are tf.Variables owned by a module and named
// by their path (`goal_embedding_module.embedding`), so checkpoints are keyed by stable names, not by tfjs's
// process-global variable ids. Initial values come from the run's seeded stream (runner/train/rng.ts).
import * as tf from '@tensorflow/tfjs';
import { Rng, hash32, initRng } from '../train/rng.js';

/** What a forward pass needs besides its inputs. Dropout draws from (seed, step, site), never Math.random. */
export interface ForwardContext {
  training: boolean;
  seed: number;
  step: number;
  /** Counts dropout sites within one forward pass; each gets its own derived seed. */
  site: number;
}

export function forwardContext(training: boolean, seed: number, step: number): ForwardContext {
  return { training, seed, step, site: 0 };
}

/**
 * Inverted dropout with a mask drawn from our PRNG at (seed, step, site): one multiply forwards and one backwards,
 * where tf.dropout costs a handful of kernels each way.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardContext): T {
  const mask = dropoutMask(x.size, rate, ctx);
  return mask ? tf.mul(x, tf.tensor(mask, x.shape, 'float32')) as T : x;
}

/** The inverted-dropout scales (0 or 1/(1-rate)) of the next dropout site, or undefined when dropout is off. */
export function dropoutMask(size: number, rate: number, ctx: ForwardContext): Float32Array | undefined {
  if (!ctx.training || rate <= 0) return undefined;
  const rng = new Rng(hash32(ctx.seed, 'dropout', ctx.step, ctx.site++));
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
  return mask;
}

export type Init = { kind: 'uniform'; bound: number } | { kind: 'normal'; std: number } | { kind: 'const'; value: number };

export abstract class Module {
  private readonly ownParams = new Map<string, tf.Variable>();
  private readonly childModules = new Map<string, Module>();

  protected param(name: string, shape: number[], init: Init): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const rng = initRng();
    for (let i = 0; i < size; i++) {
      values[i] = init.kind === 'uniform' ? (rng.next() * 2 - 1) * init.bound
        : init.kind === 'normal' ? rng.normal() * init.std : init.value;
    }
    const v = tf.variable(tf.tensor(values, shape, 'float32'), true);
    this.ownParams.set(name, v);
    return v;
  }

  protected child<T extends Module>(name: string, m: T): T {
    this.childModules.set(name, m);
    return m;
  }

  /** Every parameter with its path, in a fixed order (own first, then children in construction order). */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [n, v] of this.ownParams) out.push([prefix + n, v]);
    for (const [n, m] of this.childModules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameterCount(): number {
    return this.namedParameters().reduce((a, [, v]) => a + v.size, 0);
  }

  dispose(): void {
    for (const [, v] of this.namedParameters()) v.dispose();
  }
}

/** y = x W + b with torch's default init (uniform in +-1/sqrt(in)). */
export class Linear extends Module {
  readonly w: tf.Variable;
  readonly b: tf.Variable;

  constructor(readonly inFeatures: number, readonly outFeatures: number) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.w = this.param('weight', [inFeatures, outFeatures], { kind: 'uniform', bound });
    this.b = this.param('bias', [outFeatures], { kind: 'uniform', bound });
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.w as tf.Tensor2D), this.b) as tf.Tensor2D;
  }
}

export class LayerNorm extends Module {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(dim: number, readonly eps = 1e-5) {
    super();
    this.gamma = this.param('weight', [dim], { kind: 'const', value: 1 });
    this.beta = this.param('bias', [dim], { kind: 'const', value: 0 });
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const norm = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(norm, this.gamma), this.beta) as tf.Tensor2D;
  }
}
