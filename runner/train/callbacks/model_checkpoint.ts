// ModelCheckpoint with Lightning's arguments and behaviour: when to save (every_n_train_steps, or every_n_epochs at
// validation end / epoch end), which to keep (save_top_k by monitor and mode; 0 = none, -1 = all), `last`, and the
// filename template (`{epoch}-{acc}` -> `epoch=3-acc=0.81`, `{acc:.3f}` format specs, `-v1` on a name clash).
import { UserError } from '../../run/errors.js';
import type { BatchEvents, Callback, TrainerView } from './callback.js';

export interface ModelCheckpointOptions {
  dirpath?: string | null;
  filename?: string | null;
  monitor?: string | null;
  verbose?: boolean;
  save_last?: boolean | null;
  save_top_k?: number;
  save_weights_only?: boolean;
  mode?: 'min' | 'max';
  auto_insert_metric_name?: boolean;
  every_n_train_steps?: number | null;
  every_n_epochs?: number | null;
  save_on_train_epoch_end?: boolean | null;
  enable_version_counter?: boolean;
}

interface State {
  best_k: Record<string, number>;
  best: string | null;
  last_saved_step: number;
}

/** Formats a metric like Python's `format(value, spec)` for the specs people use in filenames. */
export function formatMetric(value: number, spec: string | undefined): string {
  if (!spec) {
    if (Number.isInteger(value)) return String(value);
    // Metrics are float32; four significant digits is what a file name needs (Lightning prints the tensor).
    return String(Number(value.toPrecision(4)));
  }
  const m = /^\.(\d+)([fe%])$/.exec(spec) ?? /^0?(\d*)d$/.exec(spec);
  if (!m) return String(value);
  if (spec.endsWith('d')) return Math.round(value).toString().padStart(Number(m[1] || 0), '0');
  const digits = Number(m[1]);
  if (m[2] === 'f') return value.toFixed(digits);
  if (m[2] === 'e') return value.toExponential(digits);
  return (value * 100).toFixed(digits) + '%';
}

export class ModelCheckpoint implements Callback {
  readonly dirpath: string | null;
  readonly filename: string | null;
  readonly monitor: string | null;
  readonly mode: 'min' | 'max';
  readonly saveTopK: number;
  readonly saveLast: boolean;
  readonly everyNSteps: number;
  readonly everyNEpochs: number;
  readonly autoInsert: boolean;
  readonly verbose: boolean;
  private state: State = { best_k: {}, best: null, last_saved_step: -1 };
  private warned = false;

  constructor(opts: ModelCheckpointOptions = {}) {
    this.dirpath = opts.dirpath ?? null;
    this.filename = opts.filename ?? null;
    this.monitor = opts.monitor ?? null;
    if (opts.mode !== undefined && opts.mode !== 'min' && opts.mode !== 'max') {
      throw new UserError(`mode must be 'min' or 'max', got ${JSON.stringify(opts.mode)}`, 'mode');
    }
    this.mode = opts.mode ?? 'min';
    this.saveTopK = opts.save_top_k ?? 1;
    if (!Number.isInteger(this.saveTopK) || this.saveTopK < -1) {
      throw new UserError(`save_top_k must be an integer >= -1, got ${JSON.stringify(opts.save_top_k)}`, 'save_top_k');
    }
    this.saveLast = opts.save_last ?? false;
    this.everyNSteps = opts.every_n_train_steps ?? 0;
    const steps = opts.every_n_train_steps ?? 0;
    const epochs = opts.every_n_epochs ?? null;
    if (steps > 0 && epochs !== null && epochs > 0) {
      throw new UserError('every_n_train_steps and every_n_epochs are mutually exclusive; set one of them to null',
        'every_n_epochs');
    }
    if (!Number.isInteger(steps) || steps < 0) throw new UserError('every_n_train_steps must be an integer >= 0', 'every_n_train_steps');
    this.everyNEpochs = steps > 0 ? 0 : epochs ?? 1;
    this.autoInsert = opts.auto_insert_metric_name ?? true;
    this.verbose = opts.verbose ?? false;
  }

  /** The checkpoint name for the current metrics, from the filename template. */
  formatName(t: Pick<TrainerView, 'epoch' | 'globalStep' | 'metrics'>, template = this.filename ?? '{epoch}-{step}'): string {
    const values: Record<string, number> = { ...t.metrics, epoch: t.epoch, step: t.globalStep };
    return template.replace(/\{([^{}:]+)(?::([^{}]+))?\}/g, (_, key: string, spec?: string) => {
      const v = values[key];
      const text = v === undefined ? 'nan' : formatMetric(v, spec);
      return this.autoInsert ? `${key}=${text}` : text;
    }).replace(/\//g, '_');
  }

  private better(a: number, b: number): boolean {
    if (Number.isNaN(b)) return !Number.isNaN(a);
    if (Number.isNaN(a)) return false;
    return this.mode === 'min' ? a < b : a > b;
  }

  private worst(): string | undefined {
    let worst: string | undefined;
    for (const [n, s] of Object.entries(this.state.best_k)) {
      if (worst === undefined || this.better(this.state.best_k[worst]!, s)) worst = n;
    }
    return worst;
  }

  private due(t: TrainerView, ev: BatchEvents): boolean {
    if (this.everyNSteps > 0) return t.globalStep % this.everyNSteps === 0;
    if ((t.epoch + 1) % this.everyNEpochs !== 0) return false;
    // With validation, save when it ends (Lightning's default); without, at the end of each training epoch.
    return t.validationEnabled ? ev.validated : ev.epochEnd;
  }

  async afterBatch(t: TrainerView, ev: BatchEvents): Promise<void> {
    if (!this.due(t, ev) || this.state.last_saved_step === t.globalStep) return;
    this.state.last_saved_step = t.globalStep;
    const dir = this.dirpath ?? t.checkpointDir;
    if (this.saveTopK !== 0) await this.saveTopKCheckpoint(t, dir);
    if (this.saveLast) await t.saveCheckpoint(dir, 'last');
  }

  private async saveTopKCheckpoint(t: TrainerView, dir: string): Promise<void> {
    let score = Number.NaN;
    if (this.monitor) {
      const v = t.metrics[this.monitor];
      if (v === undefined && t.validationCount === 0) {
        // Like Lightning: before the first validation a validation metric cannot exist yet; skip, do not fail.
        if (!this.warned) t.print(`note: ModelCheckpoint(monitor='${this.monitor}') has no value yet (no validation ` +
          'has run); top-k checkpoints start after the first validation');
        this.warned = true;
        return;
      }
      if (v === undefined) {
        throw new UserError(`ModelCheckpoint(monitor='${this.monitor}') could not find that metric; the logged ` +
          `metrics are: ${Object.keys(t.metrics).sort().join(', ') || 'none yet'}`, 'monitor');
      }
      score = v;
      const full = this.saveTopK !== -1 && Object.keys(this.state.best_k).length >= this.saveTopK;
      const worst = this.worst();
      if (full && worst !== undefined && !this.better(score, this.state.best_k[worst]!)) {
        if (this.verbose) t.print(`Epoch ${t.epoch}, global step ${t.globalStep}: '${this.monitor}' was not in top ${this.saveTopK}`);
        return;
      }
    }
    let name = this.formatName(t);
    for (let v = 1; name === 'last' || (name in this.state.best_k); v++) name = `${this.formatName(t)}-v${v}`;
    await t.saveCheckpoint(dir, name);
    this.state.best_k[name] = score;
    if (!this.monitor && this.saveTopK !== -1) {
      // Without a monitor, save_top_k keeps the most recent checkpoints.
      const names = Object.keys(this.state.best_k);
      while (names.length > this.saveTopK) {
        const old = names.shift()!;
        delete this.state.best_k[old];
        await t.removeCheckpoint(dir, old);
      }
    } else if (this.saveTopK !== -1 && Object.keys(this.state.best_k).length > this.saveTopK) {
      const worst = this.worst()!;
      delete this.state.best_k[worst];
      await t.removeCheckpoint(dir, worst);
    }
    let best: string | null = null;
    for (const [n, s] of Object.entries(this.state.best_k)) if (best === null || this.better(s, this.state.best_k[best]!)) best = n;
    this.state.best = this.monitor ? best : name;
    if (this.verbose) {
      t.print(this.monitor
        ? `Epoch ${t.epoch}, global step ${t.globalStep}: '${this.monitor}' reached ${formatMetric(score, '.5f')} (best ` +
          `${formatMetric(this.state.best_k[this.state.best!]!, '.5f')}), saving ${name}`
        : `Epoch ${t.epoch}, global step ${t.globalStep}: saving ${name}`);
    }
    t.updateIndex(dir, { best_k: this.state.best_k, best: this.state.best, monitor: this.monitor, mode: this.mode });
  }

  stateDict(): unknown {
    return structuredClone(this.state);
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<State>;
    this.state = { best_k: { ...(s.best_k ?? {}) }, best: s.best ?? null, last_saved_step: s.last_saved_step ?? -1 };
  }
}
