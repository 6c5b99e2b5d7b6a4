// The built-in data module for premise selection (the analogue of BAIT's `PremiseDataModule`): it takes the
// experiment's `data_config` and serves train and validation batches of the shipped Mizar40 M2k pairs.
import { isAbsolute, join, resolve } from 'node:path';
import { shownValue, UserError } from '../run/errors.js';
import { rngFor, permutation } from '../train/rng.js';
import { type Batch, type PairSet, loadPairs, loadVocab, makeBatch } from './premise_pairs.js';
import { type ContextOptions, TrainingContext, withContext } from './context_features.js';

export interface PremiseDataOptions {
  /** BAIT's data_config node: type, batch_size, shuffle, attributes.max_len, data_options.dir. */
  config: {
    type?: string;
    batch_size?: number;
    shuffle?: boolean;
    vocab_size?: number;
    attributes?: { max_len?: number };
    data_options?: { dir?: string };
  };
}

export class PremiseDataModule {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly maxLen: number;
  readonly dir: string;
  vocab!: Map<string, number>;
  train!: PairSet;
  val!: PairSet;

  constructor(opts: PremiseDataOptions, workspaceDir = process.cwd()) {
    const c = opts.config ?? {};
    // Keys are relative to this target's arguments (`config.batch_size`): instantiation prefixes the target's
    // path, and the CLI follows `config: ${data_config}` to where the value was set (the file line or override).
    if (c.type !== undefined && c.type !== 'sequence') {
      throw new UserError(
        `data type ${JSON.stringify(c.type)} is not served by the built-in premise data module; use ` +
          `data_type/sequence (data_config.type: sequence)`,
        'config.type',
      );
    }
    this.batchSize = positiveInt(c.batch_size ?? 32, 'config.batch_size');
    this.shuffle = c.shuffle ?? true;
    this.maxLen = positiveInt(c.attributes?.max_len ?? 128, 'config.attributes.max_len');
    const dir = c.data_options?.dir ?? 'data/mizar40-m2k';
    if (typeof dir !== 'string') throw new UserError('must be a folder path', 'config.data_options.dir');
    this.dir = isAbsolute(dir) ? dir : resolve(workspaceDir, dir);
    if (c.vocab_size !== undefined) positiveInt(c.vocab_size, 'config.vocab_size');
  }

  /** Reads the vocabulary and both splits; called once by the trainer before the model is built. */
  setup(): void {
    const key = 'data_config.data_options.dir';
    this.vocab = loadVocab(join(this.dir, 'vocab.json'), key);
    this.train = loadPairs(join(this.dir, 'train.jsonl.gz'), this.vocab, this.maxLen, key);
    this.val = loadPairs(join(this.dir, 'val.jsonl.gz'), this.vocab, this.maxLen, key);
  }

  private context: TrainingContext | undefined;

  /**
   * Gives every split the context features of data/context_features.ts (read against the training split), for a
   * model that asks for them; computed once, after setup, and for the test split when it is first read. Every
   * split loaded is handed over in library order (train, val, test) with its labels: a chronological label
   * history (labelHistory) reads the earlier conjectures of a pair's own article, in whichever split they are.
   */
  useContextFeatures(opts: ContextOptions = {}): void {
    if (this.context) return;
    this.context = new TrainingContext(this.train, opts, [this.val, ...(this.testSet ? [this.testSet] : [])]);
    withContext(this.train, this.context);
    withContext(this.val, this.context);
    if (this.testSet) withContext(this.testSet, this.context);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  trainBatchCount(): number {
    return Math.ceil(this.train.labels.length / this.batchSize);
  }

  valBatchCount(): number {
    return Math.ceil(this.val.labels.length / this.batchSize);
  }

  /** The order of training pairs in `epoch`: a pure function of (seed, epoch), so a resumed run sees the same. */
  epochOrder(seed: number, epoch: number): Int32Array {
    const n = this.train.labels.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return permutation(n, rngFor(seed, 'epoch-order', epoch));
  }

  trainBatch(order: Int32Array, index: number): Batch {
    return makeBatch(this.train, order.subarray(index * this.batchSize, (index + 1) * this.batchSize));
  }

  valBatch(index: number): Batch {
    return this.evalBatch('val', index);
  }

  private testSet: PairSet | undefined;

  /** A held-out split for `bait test`; the test split is read only when first asked for. */
  evalSet(split: 'val' | 'test'): PairSet {
    if (split === 'val') return this.val;
    if (!this.testSet) {
      this.testSet = loadPairs(join(this.dir, 'test.jsonl.gz'), this.vocab, this.maxLen, 'data_config.data_options.dir');
      if (this.context) {
        this.context.extendHistory(this.testSet);
        withContext(this.testSet, this.context);
      }
    }
    return this.testSet;
  }

  evalBatchCount(split: 'val' | 'test'): number {
    return Math.ceil(this.evalSet(split).labels.length / this.batchSize);
  }

  evalBatch(split: 'val' | 'test', index: number): Batch {
    const set = this.evalSet(split);
    const n = set.labels.length;
    const idx = Int32Array.from({ length: Math.min(this.batchSize, n - index * this.batchSize) }, (_, i) => index * this.batchSize + i);
    return makeBatch(set, idx);
  }
}

function positiveInt(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UserError(`must be a positive integer, got ${shownValue(v)}`, key);
  }
  return v;
}
