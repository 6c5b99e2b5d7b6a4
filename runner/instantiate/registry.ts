// The built-in `_target_` registry: the catalogue of targets.ts (names, aliases, parameters) with the constructor
// of each. Parameters are checked before anything is built, so mistyped arguments fail with a clear error.
import { PremiseDataModule } from '../data/premise_datamodule.js';
import { ConvEncoder } from '../models/conv.js';
import { GradientBoostedTrees } from '../models/boosted_trees.js';
import { CrossAttentionSelection } from '../models/cross_attention.js';
import { MeanPoolEncoder } from '../models/mean_pool.js';
import { BinaryClassifier, PremiseSelection } from '../models/premise_selection.js';
import { TransformerEncoder } from '../models/transformer.js';
import { EarlyStopping } from '../train/callbacks/early_stopping.js';
import { LearningRateMonitor } from '../train/callbacks/lr_monitor.js';
import { ModelCheckpoint } from '../train/callbacks/model_checkpoint.js';

import { TARGET_DOCS, type ParamType, type TargetDoc } from './targets.js';

export type { ParamType };

export interface TargetContext {
  workspaceDir: string;
}

export interface TargetSpec extends TargetDoc {
  create(kwargs: Record<string, unknown>, ctx: TargetContext): unknown;
}

const CONSTRUCTORS: Record<string, TargetSpec['create']> = {
  'bait.models.PremiseSelection': (k) => new PremiseSelection(k),
  'bait.models.CrossAttentionSelection': (k) => new CrossAttentionSelection(k),
  'bait.models.MeanPoolEncoder': (k) => new MeanPoolEncoder(k),
  'bait.models.TransformerEncoder': (k) => new TransformerEncoder(k),
  'bait.models.ConvEncoder': (k) => new ConvEncoder(k),
  'bait.models.BinaryClassifier': (k) => new BinaryClassifier(k),
  'bait.models.GradientBoostedTrees': (k) => new GradientBoostedTrees(k),
  'bait.data.PremiseDataModule': (k, ctx) => new PremiseDataModule(k as never, ctx.workspaceDir),
  'bait.callbacks.ModelCheckpoint': (k) => new ModelCheckpoint(k),
  'bait.callbacks.EarlyStopping': (k) => new EarlyStopping(k),
  'bait.callbacks.LearningRateMonitor': (k) => new LearningRateMonitor(k),
};

export const TARGETS: TargetSpec[] = TARGET_DOCS.map((d) => {
  const create = CONSTRUCTORS[d.name];
  if (!create) throw new Error(`no constructor for the built-in target ${d.name}`);
  return { ...d, create };
});

const byName = new Map<string, TargetSpec>();
for (const t of TARGETS) for (const n of [t.name, ...t.aliases]) byName.set(n, t);

export function lookupTarget(name: string): TargetSpec | undefined {
  return byName.get(name);
}

export function targetNames(): string[] {
  return [...byName.keys()].sort();
}
