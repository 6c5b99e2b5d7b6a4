// Hydra's basic launcher: jobs run one after another on this machine, each as its own process.
import { runLocalJob } from './local-process.js';
import { runPool } from './pool.js';
import type { Job, JobResult, LaunchContext, Launcher } from './types.js';

export class BasicLauncher implements Launcher {
  readonly name = 'basic';
  launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    return runPool(jobs, { slots: [0], signal: ctx.signal }, (job) => runLocalJob(job, ctx));
  }
}
