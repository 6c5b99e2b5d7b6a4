// LearningRateMonitor: logs the optimizer's learning rate as `lr-<Optimizer>` (Lightning's key), on the steps
// where metrics are logged (`logging_interval: step`) or at the end of each epoch (`epoch`), or both (null).
import { UserError } from '../../run/errors.js';
import type { Callback, TrainerView } from './callback.js';

export interface LearningRateMonitorOptions {
  logging_interval?: 'step' | 'epoch' | null;
  log_momentum?: boolean;
  log_weight_decay?: boolean;
}

export class LearningRateMonitor implements Callback {
  readonly interval: 'step' | 'epoch' | null;
  readonly logMomentum: boolean;

  constructor(opts: LearningRateMonitorOptions = {}) {
    const i = opts.logging_interval ?? null;
    if (i !== null && i !== 'step' && i !== 'epoch') {
      throw new UserError(`logging_interval must be step, epoch or null, got ${JSON.stringify(i)}`, 'logging_interval');
    }
    this.interval = i;
    this.logMomentum = opts.log_momentum ?? false;
  }

  private values(t: TrainerView): Record<string, number> {
    const out: Record<string, number> = { [`lr-${t.optimizerName}`]: t.learningRate };
    // Adam's "momentum" is beta1, as Lightning reports it.
    if (this.logMomentum) out[`lr-${t.optimizerName}-momentum`] = 0.9;
    return out;
  }

  onTrainBatchEnd(t: TrainerView, loggedThisStep: boolean): void {
    if (this.interval !== 'epoch' && loggedThisStep) t.log(this.values(t));
  }

  onTrainEpochEnd(t: TrainerView): void {
    if (this.interval !== 'step') t.log(this.values(t));
  }
}
