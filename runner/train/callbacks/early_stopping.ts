// EarlyStopping with Lightning's arguments: stop when `monitor` has not improved by `min_delta` for `patience`
// validation checks, or crossed `stopping_threshold` / `divergence_threshold`, or is not finite.
import { UserError } from '../../run/errors.js';
import type { Callback, TrainerView } from './callback.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  min_delta?: number;
  patience?: number;
  verbose?: boolean;
  mode?: 'min' | 'max';
  strict?: boolean;
  check_finite?: boolean;
  stopping_threshold?: number | null;
  divergence_threshold?: number | null;
  check_on_train_epoch_end?: boolean | null;
}

interface State { wait_count: number; best_score: number | null; stopped_epoch: number }

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly strict: boolean;
  readonly checkFinite: boolean;
  readonly stoppingThreshold: number | null;
  readonly divergenceThreshold: number | null;
  readonly verbose: boolean;
  private state: State = { wait_count: 0, best_score: null, stopped_epoch: 0 };

  constructor(opts: EarlyStoppingOptions = {}) {
    if (typeof opts.monitor !== 'string' || !opts.monitor) {
      throw new UserError('EarlyStopping needs monitor: the name of a logged metric (e.g. val_loss or acc)', 'monitor');
    }
    this.monitor = opts.monitor;
    if (opts.mode !== undefined && opts.mode !== 'min' && opts.mode !== 'max') {
      throw new UserError(`mode must be 'min' or 'max', got ${JSON.stringify(opts.mode)}`, 'mode');
    }
    this.mode = opts.mode ?? 'min';
    this.minDelta = Math.abs(opts.min_delta ?? 0);
    this.patience = opts.patience ?? 3;
    this.strict = opts.strict ?? true;
    this.checkFinite = opts.check_finite ?? true;
    this.stoppingThreshold = opts.stopping_threshold ?? null;
    this.divergenceThreshold = opts.divergence_threshold ?? null;
    this.verbose = opts.verbose ?? false;
  }

  private improved(current: number, best: number): boolean {
    return this.mode === 'min' ? current < best - this.minDelta : current > best + this.minDelta;
  }

  onValidationEnd(t: TrainerView, metrics: Record<string, number>): void {
    const current = metrics[this.monitor] ?? t.metrics[this.monitor];
    if (current === undefined) {
      if (this.strict) {
        throw new UserError(`EarlyStopping could not find the metric '${this.monitor}'; the logged metrics are: ` +
          `${Object.keys(t.metrics).sort().join(', ')}`, 'monitor');
      }
      return;
    }
    let reason: string | undefined;
    const pastThreshold = (x: number | null, below: boolean) => x !== null && (below === (this.mode === 'min') ? current < x : current > x);
    if (this.checkFinite && !Number.isFinite(current)) {
      reason = `${this.monitor} = ${current} is not finite`;
    } else if (pastThreshold(this.stoppingThreshold, true)) {
      reason = `${this.monitor} = ${current} reached the stopping threshold ${this.stoppingThreshold}`;
    } else if (pastThreshold(this.divergenceThreshold, false)) {
      reason = `${this.monitor} = ${current} diverged past ${this.divergenceThreshold}`;
    } else if (this.state.best_score === null || this.improved(current, this.state.best_score)) {
      this.state.best_score = current;
      this.state.wait_count = 0;
    } else {
      this.state.wait_count++;
      if (this.state.wait_count >= this.patience) {
        reason = `${this.monitor} did not improve in the last ${this.state.wait_count} checks (best ${this.state.best_score})`;
      }
    }
    if (reason) {
      this.state.stopped_epoch = t.epoch;
      t.requestStop(`EarlyStopping: ${reason}`);
    }
  }

  stateDict(): unknown {
    return { ...this.state };
  }

  loadStateDict(state: unknown): void {
    this.state = { ...this.state, ...(state as Partial<State>) };
  }
}
