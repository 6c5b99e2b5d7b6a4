// The launcher registry: turns the composed `hydra.launcher` node (plain data) into a Launcher. Hydra's own
// target names are accepted too, so configs written for Hydra's basic, joblib and submitit launchers run as-is.
import { BasicLauncher } from './basic.js';
import { LocalLauncher, type LocalLauncherConfig } from './local.js';
import { SlurmLauncher } from './slurm/launcher.js';
import type { SlurmLauncherConfig } from './slurm/config.js';
import { SshLauncher } from './ssh/launcher.js';
import type { SshHostConfig, SshLauncherConfig } from './ssh/config.js';
import type { Launcher } from './types.js';
import { LauncherError } from './errors.js';
import { unmaskSetting } from './env-settings.js';

export type { Job, JobResult, JobStatus, LaunchContext, LaunchEvent, Launcher, RunnerInvocation } from './types.js';
export { BasicLauncher, LocalLauncher, SlurmLauncher, SshLauncher };
export type { LocalLauncherConfig, SlurmLauncherConfig, SshHostConfig, SshLauncherConfig };
export { attachRun, stopRun } from './attach.js';

const TARGETS: Record<string, 'basic' | 'local' | 'ssh' | 'slurm'> = {
  'hydra._internal.core_plugins.basic_launcher.BasicLauncher': 'basic',
  'hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher': 'local',
  'hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher': 'local',
  'hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher': 'slurm',
  'bait.launchers.BasicLauncher': 'basic',
  'bait.launchers.LocalLauncher': 'local',
  'bait.launchers.SSHLauncher': 'ssh',
  'bait.launchers.SshLauncher': 'ssh',
  'bait.launchers.SlurmLauncher': 'slurm',
};

export interface LauncherEnvironment {
  /** SSH hosts from the editor's settings, used when the config lists none. */
  hosts?: SshHostConfig[];
  /** The workspace root the ssh launcher syncs from. */
  workspace?: string;
  /** The sweep directory, for `${hydra.sweep.dir}` in submitit_folder when the node was not resolved. */
  sweepDir?: string;
}

/**
 * The launcher for a resolved `hydra.launcher` node; a missing node means Hydra's default, the basic launcher.
 * Values the node read through oc.env come masked (`<env:NAME>`, as multirun.yaml records them): each launcher
 * settles them by the rules of env-settings.ts.
 */
export function createLauncher(node: Record<string, unknown> | null | undefined, env: LauncherEnvironment = {}): Launcher {
  const launcher = makeLauncher(node, env);
  // Any launcher may say `fail_fast: true`; the sweep then stops at the first failed job.
  if (node && node.fail_fast === true) return Object.assign(launcher, { failFast: true });
  return launcher;
}

function makeLauncher(node: Record<string, unknown> | null | undefined, env: LauncherEnvironment): Launcher {
  if (!node) return new BasicLauncher();
  const target = typeof node._target_ === 'string' ? node._target_ : typeof node.name === 'string' ? node.name : 'basic';
  const kind = TARGETS[target] ?? (['basic', 'local', 'ssh', 'slurm'].includes(target) ? (target as 'basic') : undefined);
  const { _target_: _t, fail_fast: _f, ...cfg } = node;
  switch (kind) {
    case 'basic':
      return new BasicLauncher();
    case 'local':
      // Its settings stay in this process (nothing of them is written or run by a shell): values read through
      // oc.env are used as they are.
      return new LocalLauncher(unmaskSetting(cfg, 'hydra.launcher') as LocalLauncherConfig);
    case 'ssh': {
      const hosts = Array.isArray(cfg.hosts) && cfg.hosts.length ? cfg.hosts as SshHostConfig[] : env.hosts ?? [];
      return new SshLauncher({ ...(cfg as Partial<SshLauncherConfig>), hosts, workspace: (cfg.workspace as string | undefined) ?? env.workspace });
    }
    case 'slurm':
      return new SlurmLauncher({ ...(cfg as SlurmLauncherConfig), workspace: (cfg.workspace as string | undefined) ?? env.workspace });
    default:
      throw new LauncherError(`hydra.launcher: unknown launcher '${target}'. Use hydra/launcher=basic, local, ssh or slurm `
        + `(or one of the targets ${Object.keys(TARGETS).join(', ')}).`);
  }
}
