// Plain data read from run directories (DESIGN.md section 5). These types are the extension's view of the
// runner's on-disk contract; they carry no vscode types so the run explorer, the webview hosts, the tests and the
// benchmark all share them.

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'unknown';

export interface AttemptInfo {
  /** 1-based, in the order of run.json's attempts[]. */
  index: number;
  started?: string;
  ended?: string;
  status: RunStatus;
  /** The checkpoint this attempt resumed from (absent for the first attempt). */
  resumedFrom?: string;
}

export interface CheckpointInfo {
  name: string;
  /** Absolute path of the checkpoint folder. */
  dir: string;
  /** The monitored score when the checkpoint is one of best_k. */
  score?: number;
  isBest: boolean;
  isLast: boolean;
  step?: number;
  epoch?: number;
  /** The attempt (1-based) that wrote it, from its manifest or else from its time. */
  attempt?: number;
  mtimeMs: number;
}

export interface RunRecord {
  /** Absolute path of the run directory; also the run's key everywhere in the extension. */
  dir: string;
  id: string;
  experiment: string;
  name: string;
  configName?: string;
  /** The config dir the run was composed from (run.json's config_dir). */
  configDir?: string;
  overrides: string[];
  status: RunStatus;
  host?: string;
  pid?: number;
  backend?: string;
  startedAt?: string;
  endedAt?: string;
  attempts: AttemptInfo[];
  /** For forks: the parent run (a directory or a run id, as run.json wrote it) and the checkpoint forked from. */
  parent?: { run: string; checkpoint: string };
  sweep?: { dir: string; jobNum: number };
  checkpoints: CheckpointInfo[];
  monitor?: string;
  mode?: 'min' | 'max';
  /** Readable reasons why parts of the directory could not be read (a torn run.json, a bad index.json ...). */
  problems: string[];
  /** The last value of each metric, written by the runner when the run completed. */
  finalMetrics?: Record<string, number>;
  /** The user's own labels and notes (edited in the runs table, kept in run.json). */
  tags: string[];
  notes?: string;
}

export interface SweepJob {
  num: number;
  overrides: string[];
  status: RunStatus | 'pending';
  /** Absolute path of the job's run directory. */
  dir?: string;
  /** Why the job failed or stopped, as the sweep recorded it (e.g. `exit 1 on gpu1; see .../launcher.log`). */
  error?: string;
}

export interface SweepRecord {
  dir: string;
  experiment: string;
  name: string;
  configName?: string;
  configDir?: string;
  jobs: SweepJob[];
  problems: string[];
}

/** One row of metrics.jsonl: the reserved keys plus any number of numeric metrics. */
export interface MetricRow {
  step?: number;
  epoch?: number;
  time?: number;
  attempt?: number;
  [metric: string]: number | undefined;
}
