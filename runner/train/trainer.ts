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
import type { MetricsSink } from '../run/metrics_log.js';
import type { BatchEvents, Callback, TrainerView } from './callbacks/callback.js';
import { validationMetrics } from './metrics.js';
import { scoreBatches } from './evaluate.js';
import { type TrainerOptions, limitBatches } from './options.js';
import type { Progress } from './progress.js';
import { type AdamOptimizer, type AdamState, FusedAdam } from './adam.js';
import { DeviceAdam } from './adam_device.js';
import { fusedMeanPool } from './fused_meanpool.js';
import type { FusedStep } from './fused_step.js';
import { fusedTransformer } from './fused_transformer.js';
import { hostBacked } from '../backend/raw.js';
import { gpuFault, missingKernel } from '../backend/webgpu.js';
import { type BoostedModel, type TrainingMatrix, isBoosted } from '../models/boosted_trees.js';

/** What the trainer needs of a model (PremiseSelection, or a workspace model with the same surface). */
export interface TrainableModel {
  lr: number;
  namedParameters(): Array<[string, tf.Variable]>;
  loss(b: Batch, ctx: ForwardContext): tf.Scalar;
  logits(b: Batch, ctx: ForwardContext): tf.Tensor1D;
  checkVocabulary?(vocabSize: number): void;
  /** True when the model reads the data's context features (data/context_features.ts). */
  readonly usesContextFeatures?: boolean;
  dispose?(): void;
}

export interface TrainableData {
  setup(): void;
  /** Computes the context features a model asked for (after setup, before the first batch). */
  useContextFeatures?(): void;
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
  metrics: MetricsSink;
  progress: Progress;
  print(line: string): void;
  backend: string;
  /** The composed config as checkpoints keep it: resolved, with every `oc.env` value masked as `<env:NAME>`. */
  config: unknown;
  /** The unresolved config (the text of .hydra/config.yaml), kept beside it. */
  configUnresolved?: string;
  /** A file whose appearance asks the run to stop (written by `bait stop`). */
  stopFile: string;
  /**
   * Whether the mean-pool and transformer models may train through their fused steps on wasm (train/fused_step.ts;
   * default true).
   * False keeps every model on the tfjs ops (tests compare the two).
   */
  fused?: boolean;
}

export type FitResult = 'completed' | 'interrupted';

/** A non-finite training loss with `trainer.check_finite` on (the default): the run fails (exit 3), `last` saved. */
export class NonFiniteLoss extends Error {
  constructor(readonly value: number, readonly step: number, readonly epoch: number) {
    super(`the training loss is ${Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'} at step ${step} (epoch ${epoch}); ` +
      'training stopped before applying that step, and checkpoints/last holds the state before it. Lower model.lr or ' +
      'clip gradients (trainer.gradient_clip_val), then fork from last; trainer.check_finite=false trains on regardless');
    this.name = 'NonFiniteLoss';
  }
}

export class Trainer implements TrainerView {
  globalStep = 0;
  epoch = 0;
  batchInEpoch = 0;
  /** Where a checkpoint written now resumes: after the current batch (the next epoch after its last batch). */
  private next = { epoch: 0, batch: 0 };
  metrics: Record<string, number> = {};
  /** Adam for the neural models; none for a boosted model, which the trainer fits round by round. */
  private readonly optimizer: AdamOptimizer | undefined;
  private readonly booster: BoostedModel | undefined;
  /** The whole step in one pass for the plain mean-pool and transformer models on wasm (it is then the optimizer too). */
  private readonly fused: FusedStep | undefined;
  private readonly params: Array<[string, tf.Variable]>;
  private stopReason: string | undefined;
  private interruptRequested = false;
  // The first batch always looks: a stop requested before the run started (a stopped sweep's job, `bait stop`
  // racing the start) is honoured at once, not after the first half second of training.
  private lastStopCheck = -Infinity;
  readonly trainBatches: number;
  readonly valBatches: number;
  readonly valEvery: number;

  constructor(readonly opts: TrainerOptions, readonly deps: TrainerDeps) {
    this.params = deps.model.namedParameters();
    this.booster = isBoosted(deps.model) ? deps.model : undefined;
    const asInt = opts.typed_as_int;
    const dataBatches = limitBatches(deps.data.trainBatchCount(), opts.limit_train_batches, 'limit_train_batches', asInt?.limit_train_batches);
    this.valBatches = limitBatches(deps.data.valBatchCount(), opts.limit_val_batches, 'limit_val_batches', asInt?.limit_val_batches);
    if (dataBatches === 0) throw new UserError('limit_train_batches leaves no batch to train on', 'trainer.limit_train_batches');
    if (this.booster) {
      // A boosted model's step is one round over every training pair (those limit_train_batches keeps).
      this.fused = undefined;
      this.optimizer = undefined;
      this.trainBatches = this.booster.roundsPerEpoch;
      this.booster.startBoosting(trainingMatrix(deps.data, deps.seed, dataBatches), deps.seed);
    } else {
      // The fused SIMD Adam works on tensors in this process's memory; on a GPU the update stays on the device.
      const vars = this.params.map(([, v]) => v);
      this.fused = deps.fused === false ? undefined
        : fusedMeanPool(deps.model, this.params, deps.model.lr) ?? fusedTransformer(deps.model, this.params, deps.model.lr);
      this.optimizer = this.fused ?? (hostBacked() ? new FusedAdam(vars, deps.model.lr) : new DeviceAdam(vars, deps.model.lr));
      this.trainBatches = dataBatches;
    }
    const v = opts.val_check_interval;
    // An int is a number of batches (Lightning's `val_check_interval: 1` validates after every batch).
    if (v <= 1 && asInt?.val_check_interval !== true) this.valEvery = Math.max(1, Math.floor(this.trainBatches * v));
    else {
      if (v > this.trainBatches) deps.print(`note: val_check_interval ${v} is more than the ${this.trainBatches} batches of an epoch; validating at each epoch end`);
      this.valEvery = Math.min(v, this.trainBatches);
    }
  }

  /** Kernels of the training step itself, for the run's first lines (a fused step, when taken). */
  get stepKernels(): string[] {
    return this.fused ? [this.fused.name] : [];
  }

  get learningRate(): number {
    return this.deps.model.lr;
  }

  get optimizerName(): string {
    return this.booster ? 'GradientBoosting' : 'Adam';
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
    this.fused?.syncVariables();
    const tensors: TensorData[] = [];
    for (const [name, v] of this.params) {
      tensors.push({ name, group: 'model', dtype: 'float32', shape: v.shape, values: Float32Array.from(await v.data() as Float32Array) });
    }
    if (!this.optimizer) return { tensors, iterations: this.booster?.rounds ?? 0 };
    const st = await this.optimizer.snapshot();
    // Adam's moments in tfjs's getWeights() order (all m, then all v), named after their parameter.
    for (const [which, list] of [['m', st.m], ['v', st.v]] as const) {
      this.params.forEach(([name, v], i) => {
        tensors.push({ name: `${name}/${which}`, group: 'optimizer', dtype: 'float32', shape: v.shape, values: list[i]!.slice() });
      });
    }
    tensors.push({ name: 'accBeta1', group: 'optimizer_state', dtype: 'float32', shape: [], values: Float32Array.of(st.accBeta1) });
    tensors.push({ name: 'accBeta2', group: 'optimizer_state', dtype: 'float32', shape: [], values: Float32Array.of(st.accBeta2) });
    return { tensors, iterations: st.iterations };
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
      optimizer: this.booster
        ? { class: 'GradientBoosting', config: { learningRate: this.deps.model.lr }, iterations }
        : { class: 'Adam', config: { learningRate: this.deps.model.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, iterations },
      ...(this.booster ? { model_state: this.booster.boostingState() } : {}),
      callbacks: this.callbackStates(),
      metrics: { ...this.metrics },
      validation_count: this.validationCount,
      config: this.deps.config,
      ...(this.deps.configUnresolved !== undefined ? { config_unresolved: this.deps.configUnresolved } : {}),
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

  /** Restores the model's state (weights and Adam's, or the trees), loop position and callback states. */
  async restore(ckpt: Checkpoint): Promise<void> {
    if (this.booster) this.booster.loadBoostingState(ckpt.manifest.model_state);
    else this.restoreWeights(ckpt);
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

  /** Weights and Adam's state (incl. its running beta powers). */
  private restoreWeights(ckpt: Checkpoint): void {
    const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
    for (const [name, v] of this.params) {
      const t = byName.get(name);
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new UserError(`the checkpoint does not match the model: parameter ${name} is ${t ? `[${t.shape}] there, ` +
          `[${v.shape}] here` : 'missing there'}; resume with the config the run was started with`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.values, t.shape, 'float32')));
    }
    const st: AdamState = { m: [], v: [], accBeta1: 0, accBeta2: 0, iterations: ckpt.manifest.optimizer.iterations };
    this.params.forEach(([name, v]) => {
      for (const [which, list] of [['m', st.m], ['v', st.v]] as const) {
        const t = byName.get(`${name}/${which}`);
        if (!t || t.values.length !== v.size) throw new UserError(`the checkpoint has no optimizer state ${name}/${which}; it cannot be resumed exactly`);
        list.push(Float32Array.from(t.values));
      }
    });
    // The running beta products exactly as training left them (recomputing them with pow() differs in the last bit).
    st.accBeta1 = byName.get('accBeta1')?.values[0] ?? Math.fround(Math.pow(0.9, st.iterations + 1));
    st.accBeta2 = byName.get('accBeta2')?.values[0] ?? Math.fround(Math.pow(0.999, st.iterations + 1));
    this.optimizer!.load(st);
  }

  // ---- the loop ----------------------------------------------------------------------------------------------

  /** A GPU fault (out of memory, device lost) or a kernel the backend lacks, as the UserError it is. */
  private deviceError(e?: unknown): UserError | undefined {
    return gpuFault() ?? (e === undefined ? undefined : missingKernel(e));
  }

  private async trainStep(b: Batch): Promise<number> {
    const ctx = forwardContext(true, this.deps.seed, this.globalStep);
    if (this.fused) return this.fusedStep(b, ctx);
    const vars = this.params.map(([, v]) => v);
    let loss: tf.Tensor | undefined;
    let grads: tf.Tensor[] = [];
    try {
      [loss, ...grads] = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => this.deps.model.loss(b, ctx), vars);
        return [value, ...vars.map((v) => grads[v.name]!)];
      });
      const clip = this.opts.gradient_clip_val;
      if (this.opts.check_finite) {
        // Checked before the step is applied, so `last` (saved on the way out) holds finite weights to fork from.
        const value = (await loss!.data())[0]!;
        if (!Number.isFinite(value)) throw new NonFiniteLoss(value, this.globalStep + 1, this.epoch);
      }
      this.optimizer!.learningRate = this.deps.model.lr;
      this.optimizer!.step(grads, clip === null ? null : { value: clip, algorithm: this.opts.gradient_clip_algorithm });
      // Reading the loss waits for the step on a GPU; a fault it raised is reported before its value is trusted.
      const v = (await loss!.data())[0]!;
      const fault = this.deviceError();
      if (fault) throw fault;
      return v;
    } catch (e) {
      throw this.deviceError(e) ?? e;
    } finally {
      tf.dispose([...(loss ? [loss] : []), ...grads]);
    }
  }

  /** The tfjs path's step (below) in one pass: same draws, same checks, same result to float32 rounding. */
  private fusedStep(b: Batch, ctx: ForwardContext): number {
    const fused = this.fused!;
    const loss = fused.forward(b, ctx);
    if (this.opts.check_finite && !Number.isFinite(loss)) throw new NonFiniteLoss(loss, this.globalStep + 1, this.epoch);
    const clip = this.opts.gradient_clip_val;
    fused.learningRate = this.deps.model.lr;
    fused.backwardAndUpdate(clip === null ? null : { value: clip, algorithm: this.opts.gradient_clip_algorithm });
    return loss;
  }

  /** One boosting round: a tree on every training pair. */
  private boostStep(): number {
    const loss = this.booster!.boostRound();
    if (this.opts.check_finite && !Number.isFinite(loss)) throw new NonFiniteLoss(loss, this.globalStep + 1, this.epoch);
    return loss;
  }

  private async validate(): Promise<Record<string, number>> {
    this.fused?.syncVariables();
    const { data, model, seed } = this.deps;
    try {
      return validationMetrics(await scoreBatches(model, this.valBatches, (i) => data.valBatch(i), seed, this.globalStep));
    } catch (e) {
      throw this.deviceError(e) ?? e;
    }
  }

  private lastYield = 0;

  /**
   * A training step never waits on I/O, so without this the event loop would not run until training ends, and
   * SIGINT/SIGTERM (save `last`, exit 130) would never be handled. Yielding a macrotask every 50 ms costs nothing
   * measurable and changes no computation.
   */
  private async yieldToEventLoop(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < 50) return;
    this.lastYield = now;
    await new Promise<void>((resolve) => setImmediate(resolve));
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
      const order = this.booster ? undefined : data.epochOrder(this.deps.seed, e);
      progress.startEpoch(e);
      for (let i = this.batchInEpoch; i < this.trainBatches; i++) {
        let loss: number;
        try {
          loss = this.booster ? this.boostStep() : await this.trainStep(data.trainBatch(order!, i));
        } catch (err) {
          if (err instanceof NonFiniteLoss) {
            await this.saveCheckpoint(this.deps.checkpointDir, 'last');
            progress.end();
          }
          throw err;
        }
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
          const m = await this.validate();
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
        // Loggers that merge the rows of a step (W&B) commit it before any checkpoint of this step exists.
        this.deps.metrics.endStep?.();
        const ev: BatchEvents = { epochEnd, validated };
        for (const c of callbacks) await c.afterBatch?.(this, ev);
        await this.yieldToEventLoop();
        if (this.stopRequested()) {
          await this.saveCheckpoint(this.deps.checkpointDir, 'last');
          progress.end();
          this.fused?.syncVariables();
          return 'interrupted';
        }
        if (this.stopReason || (this.opts.max_steps >= 0 && this.globalStep >= this.opts.max_steps)) break;
      }
      if (this.batchInEpoch === 0) this.epoch = e + 1;
      else break;
    }
    progress.end();
    // The model is read after fit (testing, evaluation): its variables hold the trained values from here on.
    this.fused?.syncVariables();
    if (this.stopReason) this.print(this.stopReason);
    for (const c of callbacks) await c.onTrainEnd?.(this);
    return 'completed';
  }

  dispose(): void {
    this.optimizer?.dispose();
  }
}

/**
 * The first `batches` training batches, in epoch 0's order, as one matrix of context features: what a boosted model
 * is fitted on.
 */
function trainingMatrix(data: TrainableData, seed: number, batches: number): TrainingMatrix {
  const order = data.epochOrder(seed, 0);
  const parts: Batch[] = [];
  for (let i = 0; i < batches; i++) parts.push(data.trainBatch(order, i));
  const d = parts[0]!.contextWidth;
  if (!d || parts.some((b) => !b.context || b.contextWidth !== d)) {
    throw new UserError('a boosted model is fitted on the context features, but the training batches have none; use ' +
      'bait.data.PremiseDataModule as the data module', 'data_module._target_');
  }
  const n = parts.reduce((a, b) => a + b.size, 0);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const conj: string[] = [];
  let at = 0;
  for (const b of parts) {
    x.set(b.context!, at * d);
    y.set(b.labels, at);
    conj.push(...b.conj);
    at += b.size;
  }
  return { x, y, n, d, conj };
}

