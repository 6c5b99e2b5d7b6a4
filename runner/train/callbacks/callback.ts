// The hooks the trainer calls, in the order it calls them for each training batch:
//   onTrainBatchEnd (metrics logged) -> [validation -> onValidationEnd] -> afterBatch (checkpoints) -> stop checks.
// Everything a callback logs for a batch happens before any checkpoint of that batch is written, so a checkpoint
// always marks a point where the batch's work is complete, and a resumed run repeats nothing and skips nothing.

export interface BatchEvents {
  /** The batch was the last of its epoch. */
  epochEnd: boolean;
  /** Validation ran after this batch. */
  validated: boolean;
}

/** What callbacks can see of, and ask of, the trainer. */
export interface TrainerView {
  readonly globalStep: number;
  /** The epoch the batch belonged to (0-based). */
  readonly epoch: number;
  /** The latest value of every logged metric (Lightning's callback_metrics). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly learningRate: number;
  readonly optimizerName: string;
  readonly runDir: string;
  readonly checkpointDir: string;
  /** Whether validation runs at all (limit_val_batches > 0). */
  readonly validationEnabled: boolean;
  /** How many validation runs have completed in this run (including earlier attempts). */
  readonly validationCount: number;
  log(values: Record<string, number>): void;
  print(line: string): void;
  saveCheckpoint(dir: string, name: string): Promise<void>;
  removeCheckpoint(dir: string, name: string): Promise<void>;
  /** Records the ranking of a ModelCheckpoint in `<dir>/index.json`. */
  updateIndex(dir: string, ranking: { best_k: Record<string, number>; best: string | null; monitor: string | null;
    mode: 'min' | 'max' }): void;
  /** Ends training after the current batch (EarlyStopping). */
  requestStop(reason: string): void;
}

export interface Callback {
  onTrainStart?(t: TrainerView): void;
  onTrainBatchEnd?(t: TrainerView, loggedThisStep: boolean): void;
  onTrainEpochEnd?(t: TrainerView): void;
  onValidationEnd?(t: TrainerView, metrics: Record<string, number>): void;
  afterBatch?(t: TrainerView, ev: BatchEvents): Promise<void>;
  onTrainEnd?(t: TrainerView): Promise<void> | void;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}
