// The typed messages between the extension host and the webviews, both ways, as discriminated unions. A webview
// posts INITIALIZED once its script has loaded and its listener is in place; the host posts data only after that
// (a message posted before the listener exists would be lost). Webviews import no Node built-ins; this file is
// plain types shared by both sides.

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'unknown';

/**
 * One run's metrics in columns: index i of every array is one row of metrics.jsonl; NaN where a row has no value.
 * Typed arrays, because VS Code and the browser copy them as raw bytes: 100 runs x 10k rows as plain number
 * arrays cost hundreds of milliseconds of (de)serialisation and garbage collection.
 */
export interface MetricColumns {
  step: Float64Array;
  epoch: Float64Array;
  /** Seconds (as the runner wrote them); charts show the time since the run's first row. */
  time: Float64Array;
  attempt: Float64Array;
  metrics: Record<string, Float64Array>;
}

export interface MetricsRun {
  /** The run directory; the run's key in every message. */
  key: string;
  label: string;
  status: RunStatus;
  overrides: string[];
  /** The metric the checkpoints monitor and its mode, so "best" means the same as for checkpoints. */
  monitor?: string;
  mode?: 'min' | 'max';
  /** The step of the best checkpoint (the monitor's best), for its marker. */
  bestStep?: number;
  columns: MetricColumns;
}

export type XAxis = 'step' | 'epoch' | 'time';

export type MetricsHostMessage =
  | { type: 'init'; title: string; runs: MetricsRun[]; configDiff?: ConfigDiff }
  /** Rows appended to one run's metrics.jsonl since the last message. */
  | { type: 'append'; key: string; columns: MetricColumns }
  | { type: 'status'; key: string; status: RunStatus }
  /** A run added to an open dashboard (a sweep's job that just started). */
  | { type: 'addRun'; run: MetricsRun };

export type MetricsWebviewMessage =
  | { type: 'initialized' }
  | { type: 'openRun'; key: string }
  /** Two compared runs' saved configs side by side in VS Code's diff editor. */
  | { type: 'openDiff'; keys: string[] }
  /** Sent after each drawn frame; tests and the benchmark wait on it. */
  | { type: 'rendered'; charts: number; points: number; ms: number };

export interface GraphAttempt {
  index: number;
  status: RunStatus;
  started?: string;
  ended?: string;
  resumedFrom?: string;
  /** The steps the attempt logged (metrics.jsonl), for its lane on the step axis. */
  fromStep?: number;
  toStep?: number;
}

export interface GraphCheckpoint {
  name: string;
  isBest: boolean;
  isLast: boolean;
  score?: number;
  step?: number;
  attempt?: number;
}

export interface GraphRun {
  key: string;
  id: string;
  label: string;
  status: RunStatus;
  attempts: GraphAttempt[];
  checkpoints: GraphCheckpoint[];
  /** The parent run's key and checkpoint name, for forks. */
  parent?: { key?: string; checkpoint: string };
}

export type ResumeTreeHostMessage =
  | { type: 'init'; title: string; runs: GraphRun[]; focus?: string }
  | { type: 'update'; runs: GraphRun[] };

export type ResumeTreeWebviewMessage =
  | { type: 'initialized' }
  /** Resume the run in place, from `from` (a checkpoint name) or else from `last`. */
  | { type: 'resume'; key: string; from?: string }
  | { type: 'fork'; key: string; checkpoint: string }
  | { type: 'openConfig'; key: string }
  | { type: 'openMetrics'; key: string }
  | { type: 'rendered'; runs: number; attempts: number; checkpoints: number };

/** One row of the runs table: a run, or a sweep job that never got a run directory (it failed before). */
export interface TableRun {
  /** The run directory (for a job without one: `<sweep dir>#<num>`); the row's key in every message. */
  key: string;
  id: string;
  /** Short and readable: the run's date/time folder, or `#<num>` for a sweep's job. */
  label: string;
  experiment: string;
  name: string;
  sweep?: { key: string; label: string; jobNum: number };
  status: RunStatus | 'pending';
  startedAt?: string;
  /** Seconds spent in attempts (a running attempt counts up to when the row was made). */
  durationS?: number;
  host?: string;
  tags: string[];
  notes: string;
  overrides: string[];
  /** Final value of each metric (run.json's final_metrics). */
  metrics: Record<string, number>;
  /** The best checkpoint's monitored score. */
  best?: { metric: string; value: number; mode?: 'min' | 'max' };
  /** Why it failed, from its logs. */
  reason?: string;
  /** A job with no run directory: it cannot be annotated or compared. */
  jobOnly?: boolean;
}

export type RunsTableHostMessage =
  | { type: 'init'; runs: TableRun[] }
  | { type: 'update'; runs: TableRun[] };

export type RunsTableWebviewMessage =
  | { type: 'initialized' }
  | { type: 'open'; key: string }
  | { type: 'setTags'; key: string; tags: string[] }
  | { type: 'setNotes'; key: string; notes: string }
  | { type: 'compare'; keys: string[] }
  | { type: 'rendered'; rows: number; ms: number };

/** Composed-config differences between compared runs: one row per key whose values differ. */
export interface ConfigDiff {
  runs: string[];
  rows: { key: string; values: string[] }[];
}

/** The subset of the webview API the scripts use; tests provide a fake with the same shape. */
export interface HostApi<Out> {
  postMessage(message: Out): void;
}
