// The run's loggers behind one MetricsSink: every row goes to metrics.jsonl (the run store the editor reads) and,
// from the same call, to TensorBoard and W&B, so all of them hold exactly the rows metrics.jsonl holds for this
// attempt. W&B wants one history row per step, so rows of the same step (training loss, then validation) are
// merged (for TensorBoard too, so a tag has one point per step) and committed when the trainer says the step is over, before any checkpoint of that step is written.
import type { MetricsLog, MetricsRow, MetricsSink } from '../run/metrics_log.js';
import type { TensorBoardWriter } from './tfevents.js';
import type { WandbRunFile } from './wandb-run-file.js';

/** A W&B run that streams online (runner/logging/wandb-online.ts); it never blocks and never throws. */
export interface OnlineStream {
  history(step: number, timeSec: number, metrics: Record<string, number>): void;
  summary(values: Record<string, unknown>): void;
  finish(exitCode: number): Promise<void>;
  /** Streaming stopped (network, refused key): the local W&B folder is what `wandb sync` must upload. */
  readonly offline: boolean;
}

const ROW_KEYS = new Set(['step', 'epoch', 'time', 'attempt']);

export function rowMetrics(row: MetricsRow): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(row)) if (!ROW_KEYS.has(k) && typeof v === 'number') out[k] = v;
  return out;
}

export class RunLoggers implements MetricsSink {
  private pending: { step: number; time: number; values: Record<string, number> } | undefined;

  constructor(
    private readonly store: MetricsLog,
    readonly wandb: WandbRunFile | null,
    readonly tensorboard: TensorBoardWriter | null,
    public online: OnlineStream | null = null,
  ) {}

  append(row: MetricsRow): void {
    this.store.append(row);
    // Lightning's loggers log the epoch with every row; so do we (W&B and TensorBoard both plot it).
    const values = { ...rowMetrics(row), epoch: row.epoch };
    if (this.pending && this.pending.step !== row.step) this.endStep();
    this.pending = { step: row.step, time: row.time, values: { ...(this.pending?.values ?? {}), ...values } };
  }

  endStep(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.tensorboard?.scalars(p.step, p.time, p.values);
    const values = { ...p.values, 'trainer/global_step': p.step };
    this.wandb?.history(p.step, p.time, values);
    this.online?.history(p.step, p.time, values);
  }

  /** Ends the attempt: the last step, the final summary and W&B's exit record (code as the CLI exits). */
  async finish(exitCode: number, summary: Record<string, number> | undefined): Promise<void> {
    this.endStep();
    if (summary) {
      this.wandb?.summary(summary);
      this.online?.summary(summary);
    }
    this.wandb?.exit(exitCode, Date.now());
    this.wandb?.close();
    this.tensorboard?.close();
    await this.online?.finish(exitCode);
  }
}
