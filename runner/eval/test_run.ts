// `bait test <run-dir> [--ckpt best|last|<name>] [--split test|val]`: scores a saved checkpoint on a held-out split
// with the model and data module the run was trained with (the resolved config stored in the checkpoint), and
// records the result in <run-dir>/test_results.json, keyed by checkpoint, beside the run's training metrics.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Plain } from '../config/nodes.js';
import { backendChoice, initBackend } from '../backend/index.js';
import { readCheckpoint, type Checkpoint } from '../checkpoint/store.js';
import { readIndex } from '../checkpoint/index_file.js';
import { checkpointDirOf } from '../run/run_record.js';
import type { Batch } from '../data/premise_pairs.js';
import { instantiate, prepareTargets } from '../instantiate/instantiate.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { provideContext } from '../data/context_features.js';
import { UserError } from '../run/errors.js';
import { runCheckpoint } from '../run/resume.js';
import { rankingMetrics, validationMetrics } from '../train/metrics.js';
import { scoreBatches } from '../train/evaluate.js';
import { withInitSeed } from '../train/rng.js';
import type { TrainableModel } from '../train/trainer.js';
import { isBoosted } from '../models/boosted_trees.js';

export type EvalSplit = 'val' | 'test';

/** What `bait test` needs of a data module besides training: batches of a named held-out split. */
interface EvaluableData {
  setup(): void;
  vocabSize: number;
  evalBatchCount(split: EvalSplit): number;
  evalBatch(split: EvalSplit, index: number): Batch;
  useContextFeatures?(): void;
}

export interface TestResult {
  run: string;
  checkpoint: string;
  split: EvalSplit;
  epoch: number;
  step: number;
  backend: string;
  time: string;
  /**
   * What the scored pairs may read of held-out labels (the model's label_history): `offline` (none), or
   * `chronological` (the proofs of their article's earlier conjectures, the scored split's own included), whose
   * scores answer another question and are not comparable with offline ones.
   */
  protocol: 'offline' | 'chronological';
  metrics: Record<string, number>;
}

function loadWeights(model: TrainableModel, ckpt: Checkpoint): void {
  const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
  for (const [name, v] of model.namedParameters()) {
    const t = byName.get(name);
    if (!t || t.shape.join(',') !== v.shape.join(',')) {
      throw new UserError(`the checkpoint does not match the model its config builds: parameter ${name} is ` +
        `${t ? `[${t.shape}] there, [${v.shape}] here` : 'missing there'}`);
    }
    v.assign(tf.tensor(t.values, t.shape, 'float32'));
  }
}

/** `best` when the run's ModelCheckpoint recorded one, else `last`. */
export function defaultCheckpoint(runDir: string): string {
  const record = runCheckpoint(runDir, 'last').record;
  return readIndex(checkpointDirOf(runDir, record)).best ? 'best' : 'last';
}

export async function testRun(runDir: string, opts: { ckpt?: string; split?: EvalSplit } = {}): Promise<TestResult> {
  const split = opts.split ?? 'test';
  const { dir, record, found } = runCheckpoint(runDir, opts.ckpt ?? defaultCheckpoint(runDir));
  const ckpt = readCheckpoint(found);
  const config = ckpt.manifest.config as Record<string, Plain> | undefined;
  if (!config || typeof config !== 'object' || !config.model || !config.data_module) {
    throw new UserError(`${found} does not hold the config it was trained with; it cannot be evaluated`);
  }
  const trainer = (config.trainer ?? {}) as Record<string, Plain>;
  const backend = await initBackend(backendChoice(trainer.accelerator), trainer.devices);
  const ctx = await prepareTargets(config, record.workspace_dir);
  const data = instantiate(config.data_module, ctx, 'data_module') as EvaluableData;
  if (typeof data?.evalBatch !== 'function') {
    throw new UserError('the data module of this run serves no held-out split (it has no evalBatch); bait test needs one', 'data_module._target_');
  }
  data.setup();
  const model = withInitSeed(ckpt.manifest.rng.seed, () => instantiate(config.model!, ctx, 'model')) as TrainableModel;
  try {
    provideContext(model, data);
    if (isBoosted(model)) model.loadBoostingState(ckpt.manifest.model_state);
    else loadWeights(model, ckpt);
    const scored = await scoreBatches(model, data.evalBatchCount(split), (i) => data.evalBatch(split, i), ckpt.manifest.rng.seed, ckpt.manifest.progress.global_step);
    const { val_loss: loss, ...rest } = validationMetrics(scored);
    const metrics = { loss: loss!, ...rest, ...rankingMetrics(scored, [1, 5], true) };
    const result: TestResult = {
      run: dir, checkpoint: relative(dir, found), split, epoch: ckpt.manifest.progress.epoch, step: ckpt.manifest.progress.global_step,
      backend: backend.name, time: new Date().toISOString(), protocol: protocolOf(config), metrics,
    };
    recordResult(dir, result);
    return result;
  } finally {
    model.dispose?.();
  }
}

function protocolOf(config: Record<string, Plain>): TestResult['protocol'] {
  const model = config.model as Record<string, Plain> | undefined;
  return model?.label_history === 'chronological' ? 'chronological' : 'offline';
}

/** test_results.json: the latest result of each (checkpoint, split), rewritten atomically. */
function recordResult(dir: string, r: TestResult): void {
  const file = join(dir, 'test_results.json');
  let all: Record<string, TestResult> = {};
  if (existsSync(file)) {
    try {
      all = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      all = {};
    }
  }
  all[`${r.checkpoint}:${r.split}`] = r;
  writeJsonAtomic(file, all);
}
