// The training loop: Lightning's fit() for our models and data modules, with exact resume.
//
// Loop state is (epoch, batch_in_epoch, global_step); the batch order of an epoch is a function of (seed, epoch)
// and dropout of (seed, step), so a checkpoint that stores the loop state, the weights, Adam's full state and the
// callbacks' state continues bit-identically to the uninterrupted run on the same backend (notes/tfjs.md).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import type { Checkpoint, TensorData } from '../checkpoint/store.js';
import { readIndex, writeIndex } from '../checkpoint/index_file.js';
import { removeCheckpoint, writeCheckpoint } from '../checkpoint/store.js';
import type { Batch } from '../data/premise_pairs.js';
import { forwardContext, type ForwardContext } from '../models/module.js';
import { UserError } from '../run/errors.js';
import type { MetricsLog } from '../run/metrics_log.js';
import type { BatchEvents, Callback, TrainerView } from './callbacks/callback.js';
import { validationMetrics } from './metrics.js';
import { type TrainerOptions, limitBatches } from './options.js';
import type { Progress } from './progress.js';

/** What the trainer needs of a model (PremiseSelection, or a workspace model with the same surface). */
export interface TrainableModel {
  lr: number;
  namedParameters(): Array<[string, tf.Variable]>;
  loss(b: Batch, ctx: ForwardContext): tf.Scalar;
  logits(b: Batch, ctx: ForwardContext): tf.Tensor1D;
  checkVocabulary?(vocabSize: number): void;
  dispose?(): void;
}

export interface TrainableData {
  setup(): void;
  vocabSize: number;
  trainBatchCount(): number;
  valBatchCount(): number;
  epochOrder(seed: number, epoch: number): Int32Array;
  trainBatch(order: Int32Array, index: number): Batch;
  valBatch(index: number): Batch;
}

export interface TrainerDeps {
  model: TrainableModel;
  data: TrainableData;
  callbacks: Callback[];
  seed: number;
  attempt: number;
  runDir: string;
  checkpointDir: string;
  metrics: MetricsLog;
  progress: Progress;
  print(line: string): void;
  backend: string;
  config: unknown;
  /** A file whose appearance asks the run to stop (written by `bait stop`). */
  stopFile: string;
}

export type FitResult = 'completed' | 'interrupted';

type AdamInternals = { accBeta1: tf.Variable; accBeta2: tf.Variable; iterations: number };

export class Trainer implements TrainerView {
  globalStep = 0;
  epoch = 0;
  batchInEpoch = 0;
  /** Where a checkpoint written now resumes: after the current batch (the next epoch after its last batch). */
  private next = { epoch: 0, batch: 0 };
  metrics: Record<string, number> = {};
  readonly optimizerName = 'Adam';
  private readonly optimizer: tf.AdamOptimizer;
  private readonly params: Array<[string, tf.Variable]>;
  private stopReason: string | undefined;
  private interruptRequested = false;
  private lastStopCheck = 0;
  readonly trainBatches: number;
  readonly valBatches: number;
  readonly valEvery: number;

  constructor(readonly opts: TrainerOptions, readonly deps: TrainerDeps) {
    this.params = deps.model.namedParameters();
    this.optimizer = tf.train.adam(deps.model.lr, 0.9, 0.999, 1e-8);
    this.trainBatches = limitBatches(deps.data.trainBatchCount(), opts.limit_train_batches, 'limit_train_batches');
    this.valBatches = limitBatches(deps.data.valBatchCount(), opts.limit_val_batches, 'limit_val_batches');
    if (this.trainBatches === 0) throw new UserError('limit_train_batches leaves no batch to train on', 'trainer.limit_train_batches');
    const v = opts.val_check_interval;
    if (v <= 1) this.valEvery = Math.max(1, Math.floor(this.trainBatches * v));
    else {
      if (v > this.trainBatches) deps.print(`note: val_check_interval ${v} is more than the ${this.trainBatches} batches of an epoch; validating at each epoch end`);
      this.valEvery = Math.min(v, this.trainBatches);
    }
  }

  get learningRate(): number {
    return this.deps.model.lr;
  }

  get runDir(): string {
    return this.deps.runDir;
  }

  get checkpointDir(): string {
    return this.deps.checkpointDir;
  }

  validationCount = 0;

  get validationEnabled(): boolean {
    return this.valBatches > 0;
  }

  /** Asks the loop to save `last` and return after the current batch (SIGINT, SIGTERM, `bait stop`). */
  interrupt(): void {
    this.interruptRequested = true;
  }

  requestStop(reason: string): void {
    this.stopReason = reason;
  }

  print(line: string): void {
    this.deps.progress.line(line);
  }

  private pending: Record<string, number> | undefined;

  log(values: Record<string, number>): void {
    Object.assign(this.metrics, values);
    this.pending = { ...(this.pending ?? {}), ...values };
  }

  private flushLog(epoch: number): void {
    if (!this.pending) return;
    this.deps.metrics.append({ step: this.globalStep, epoch, time: Date.now() / 1000, attempt: this.deps.attempt, ...this.pending });
    this.pending = undefined;
  }

  // ---- checkpoints -------------------------------------------------------------------------------------------

  private async tensorsForCheckpoint(): Promise<{ tensors: TensorData[]; iterations: number }> {
    const tensors: TensorData[] = [];
    for (const [name, v] of this.params) {
      tensors.push({ name, group: 'model', dtype: 'float32', shape: v.shape, values: Float32Array.from(v.dataSync() as Float32Array) });
    }
    const weights = await this.optimizer.getWeights();
    const iterations = weights.length ? (weights[0]!.tensor.dataSync()[0] ?? 0) : 0;
    const moments = weights.slice(1);
    const n = moments.length / 2;
    moments.forEach((w, i) => {
      const param = this.params[i % n]![0];
      tensors.push({ name: `${param}/${i < n ? 'm' : 'v'}`, group: 'optimizer', dtype: 'float32', shape: w.tensor.shape,
        values: Float32Array.from(w.tensor.dataSync() as Float32Array) });
    });
    weights[0]?.tensor.dispose();
    const adam = this.optimizer as unknown as AdamInternals;
    for (const k of ['accBeta1', 'accBeta2'] as const) {
      tensors.push({ name: k, group: 'optimizer_state', dtype: 'float32', shape: [], values: Float32Array.from(adam[k].dataSync() as Float32Array) });
    }
    return { tensors, iterations };
  }

  private callbackStates(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.deps.callbacks.forEach((c, i) => {
      if (c.stateDict) out[`${c.constructor.name}#${i}`] = c.stateDict();
    });
    return out;
  }

  async saveCheckpoint(dir: string, name: string): Promise<void> {
    const { tensors, iterations } = await this.tensorsForCheckpoint();
    const progress = { epoch: this.next.epoch, batch_in_epoch: this.next.batch, global_step: this.globalStep };
    writeCheckpoint(dir, name, {
      created: new Date().toISOString(),
      tfjs_version: tf.version.tfjs,
      backend: this.deps.backend,
      progress,
      rng: { seed: this.deps.seed, step: this.globalStep },
      optimizer: { class: 'Adam', config: { learningRate: this.deps.model.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, iterations },
      callbacks: this.callbackStates(),
      metrics: { ...this.metrics },
      validation_count: this.validationCount,
      config: this.deps.config,
    }, tensors);
    const index = readIndex(dir);
    index.checkpoints = index.checkpoints.filter((c) => c.name !== name);
    index.checkpoints.push({ name, epoch: this.epoch, step: this.globalStep, time: new Date().toISOString(), metrics: { ...this.metrics } });
    if (name === 'last') index.last = 'last';
    writeIndex(dir, index);
  }

  async removeCheckpoint(dir: string, name: string): Promise<void> {
    removeCheckpoint(dir, name);
    const index = readIndex(dir);
    index.checkpoints = index.checkpoints.filter((c) => c.name !== name);
    writeIndex(dir, index);
  }

  updateIndex(dir: string, r: { best_k: Record<string, number>; best: string | null; monitor: string | null; mode: 'min' | 'max' }): void {
    const index = readIndex(dir);
    writeIndex(dir, { ...index, ...r });
  }

  /** Restores weights, Adam's state (incl. its running beta powers), loop position and callback states. */
  async restore(ckpt: Checkpoint): Promise<void> {
    const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
    for (const [name, v] of this.params) {
      const t = byName.get(name);
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new UserError(`the checkpoint does not match the model: parameter ${name} is ${t ? `[${t.shape}] there, ` +
          `[${v.shape}] here` : 'missing there'}; resume with the config the run was started with`);
      }
      v.assign(tf.tensor(t.values, t.shape, 'float32'));
    }
    const m = this.params.map(([n]) => byName.get(`${n}/m`));
    const vv = this.params.map(([n]) => byName.get(`${n}/v`));
    if (m.every(Boolean) && vv.every(Boolean)) {
      await this.optimizer.setWeights([
        { name: 'iter', tensor: tf.scalar(ckpt.manifest.optimizer.iterations, 'int32') },
        ...m.map((t, i) => ({ name: `${this.params[i]![1].name}/m`, tensor: tf.tensor(t!.values, t!.shape, 'float32') })),
        ...vv.map((t, i) => ({ name: `${this.params[i]![1].name}/v`, tensor: tf.tensor(t!.values, t!.shape, 'float32') })),
      ]);
      // setWeights() recomputes the beta powers with pow(), which differs in the last bit from the running product
      // training used; put back the saved ones for a bit-identical continuation.
      const adam = this.optimizer as unknown as AdamInternals;
      for (const k of ['accBeta1', 'accBeta2'] as const) {
        const t = byName.get(k);
        if (t) adam[k].assign(tf.scalar(t.values[0]!, 'float32'));
      }
    }
    const p = ckpt.manifest.progress;
    this.epoch = p.epoch;
    this.batchInEpoch = p.batch_in_epoch;
    this.next = { epoch: p.epoch, batch: p.batch_in_epoch };
    this.globalStep = p.global_step;
    this.metrics = { ...ckpt.manifest.metrics };
    this.validationCount = ckpt.manifest.validation_count ?? 0;
    this.deps.callbacks.forEach((c, i) => {
      const s = ckpt.manifest.callbacks[`${c.constructor.name}#${i}`];
      if (s !== undefined && c.loadStateDict) c.loadStateDict(s);
    });
  }

  // ---- the loop ----------------------------------------------------------------------------------------------

  private trainStep(b: Batch): number {
    const vars = this.params.map(([, v]) => v);
    const ctx = forwardContext(true, this.deps.seed, this.globalStep);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.deps.model.loss(b, ctx), vars);
      let list = vars.map((v) => grads[v.name]!);
      const clip = this.opts.gradient_clip_val;
      if (clip !== null) {
        if (this.opts.gradient_clip_algorithm === 'value') list = list.map((g) => tf.clipByValue(g, -clip, clip));
        else {
          // torch.nn.utils.clip_grad_norm_: scale by max_norm / (total_norm + 1e-6) when that is below 1.
          const total = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
          const scale = tf.minimum(tf.div(clip, tf.add(total, 1e-6)), 1);
          list = list.map((g) => tf.mul(g, scale));
        }
      }
      this.optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: list[i]! })));
      return value;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  private validate(): Record<string, number> {
    const logits: number[] = [];
    const labels: number[] = [];
    const conj: string[] = [];
    for (let i = 0; i < this.valBatches; i++) {
      const b = this.deps.data.valBatch(i);
      const out = tf.tidy(() => this.deps.model.logits(b, forwardContext(false, this.deps.seed, this.globalStep)));
      const values = out.dataSync();
      out.dispose();
      for (let j = 0; j < b.size; j++) {
        logits.push(values[j]!);
        labels.push(b.labels[j]!);
        conj.push(b.conj[j]!);
      }
    }
    return validationMetrics({ logits: Float64Array.from(logits), labels: Float64Array.from(labels), conj });
  }

  private stopRequested(): boolean {
    if (this.interruptRequested) return true;
    const now = performance.now();
    if (now - this.lastStopCheck > 500) {
      this.lastStopCheck = now;
      if (existsSync(this.deps.stopFile)) this.interruptRequested = true;
    }
    return this.interruptRequested;
  }

  private done(): boolean {
    return (this.opts.max_steps >= 0 && this.globalStep >= this.opts.max_steps) || this.epoch >= this.opts.max_epochs;
  }

  async fit(): Promise<FitResult> {
    const { callbacks, data, progress } = this.deps;
    for (const c of callbacks) c.onTrainStart?.(this);
    while (!this.done() && !this.stopReason) {
      const e = this.epoch;
      const order = data.epochOrder(this.deps.seed, e);
      progress.startEpoch(e);
      for (let i = this.batchInEpoch; i < this.trainBatches; i++) {
        const loss = this.trainStep(data.trainBatch(order, i));
        this.globalStep++;
        this.metrics.loss = loss;
        const logged = this.globalStep % this.opts.log_every_n_steps === 0;
        if (logged) this.log({ loss });
        for (const c of callbacks) c.onTrainBatchEnd?.(this, logged);
        this.flushLog(e);
        const epochEnd = i + 1 === this.trainBatches;
        const validated = this.validationEnabled && (e + 1) % this.opts.check_val_every_n_epoch === 0 &&
          ((i + 1) % this.valEvery === 0 || (epochEnd && this.valEvery >= this.trainBatches));
        progress.update(e, i + 1, this.trainBatches, this.globalStep, this.metrics, logged);
        if (validated) {
          const m = this.validate();
          this.validationCount++;
          this.log(m);
          this.flushLog(e);
          progress.line(`epoch ${e} step ${this.globalStep} validation: ` +
            Object.entries(m).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' '));
          for (const c of callbacks) c.onValidationEnd?.(this, m);
        }
        if (epochEnd) {
          for (const c of callbacks) c.onTrainEpochEnd?.(this);
          this.flushLog(e);
        }
        // The batch is complete: checkpoints written from here on resume after it.
        this.batchInEpoch = epochEnd ? 0 : i + 1;
        this.next = epochEnd ? { epoch: e + 1, batch: 0 } : { epoch: e, batch: i + 1 };
        const ev: BatchEvents = { epochEnd, validated };
        for (const c of callbacks) await c.afterBatch?.(this, ev);
        if (this.stopRequested()) {
          await this.saveCheckpoint(this.deps.checkpointDir, 'last');
          progress.end();
          return 'interrupted';
        }
        if (this.stopReason || (this.opts.max_steps >= 0 && this.globalStep >= this.opts.max_steps)) break;
      }
      if (this.batchInEpoch === 0) this.epoch = e + 1;
      else break;
    }
    progress.end();
    if (this.stopReason) this.print(this.stopReason);
    for (const c of callbacks) await c.onTrainEnd?.(this);
    return 'completed';
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

