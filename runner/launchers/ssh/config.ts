// The ssh launcher's configuration (`hydra/launcher: ssh`, or hosts from the editor's settings). Keys use
// Hydra's snake_case like the other launcher configs.
import type { SshTarget } from '../../remote/ssh.js';
import { settleEnvSettings } from '../env-settings.js';

export interface SshHostConfig {
  /** A label for messages and run.json; defaults to `host`. */
  name?: string;
  /** Host name, address, or an alias from ~/.ssh/config. */
  host: string;
  port?: number;
  user?: string;
  identity_file?: string;
  /** A known_hosts file to check the host key against (else the user's own). */
  known_hosts?: string;
  /** Where BAIT keeps its copy of the runner, configs and data, and the run directories (`~/...` allowed). */
  work_dir: string;
  /** GPU ids on the host, one job per GPU (CUDA_VISIBLE_DEVICES); a number n means 0..n-1. */
  gpus?: number | Array<number | string>;
  /** Parallel jobs on a host without listed GPUs (default 1). */
  slots?: number;
  /** The node executable on the host (default `node`, found on the non-interactive PATH). */
  node?: string;
  /** Extra ssh `-o` options such as `ProxyJump=gateway`. */
  ssh_options?: string[];
  connect_timeout_s?: number;
}

export interface SshLauncherConfig {
  hosts: SshHostConfig[];
  /** Local workspace root: configs, modules and data are synced relative to it (default: current directory). */
  workspace?: string;
  /**
   * What to sync besides the runner and the config dir: true (default) = the whole workspace except
   * node_modules, .git and run outputs; a list = those workspace paths (the user's modules and data); false = none.
   */
  sync?: boolean | string[];
  /** rsync exclude patterns (added to the defaults when sync is true). */
  exclude?: string[];
  /** Seconds between status polls of each host. */
  poll_interval_s?: number;
  /** Seconds a host may stay unreachable before its running jobs are reported as out of contact (default 300). */
  give_up_after_s?: number;
  /** Seconds between two job starts. */
  stagger_s?: number;
  /** Refuse a host with less free space than this in its work dir (MB). */
  min_free_mb?: number;
}

/** What `sync: true` leaves out: dependencies, VCS data, build output and run directories. */
export const DEFAULT_EXCLUDES = ['node_modules/', '.git/', '.hg/', 'dist/', '*.vsix', '/outputs/', '/multirun/', '/runs/', '.bait/', '.cache/'];

export function targetOf(h: SshHostConfig): SshTarget {
  return {
    host: h.host, port: h.port, user: h.user, identityFile: h.identity_file, knownHostsFile: h.known_hosts,
    options: h.ssh_options, connectTimeoutS: h.connect_timeout_s,
  };
}

export function hostLabel(h: SshHostConfig): string {
  return h.name ?? h.host;
}

/** The GPU ids of a host, or `slots` anonymous slots (null) when it lists none. */
export function hostSlots(h: SshHostConfig): Array<string | null> {
  if (typeof h.gpus === 'number') return Array.from({ length: h.gpus }, (_, i) => String(i));
  if (Array.isArray(h.gpus) && h.gpus.length) return h.gpus.map(String);
  return Array.from({ length: Math.max(1, h.slots ?? 1) }, () => null);
}

const HOST_WHY = 'this setting goes on ssh\'s command line (which every user of this machine can read with ps) or into the '
  + 'job\'s .bait-remote.json, so a value from the environment would be shown in the clear. Put it in ~/.ssh/config '
  + 'instead (a Host entry with HostName, User, Port, ProxyJump ...; bait runs the system ssh, which reads it) and name '
  + 'that entry in `host`, or write the value in the config';

/**
 * A host's settings with values read through oc.env settled (see ../env-settings.ts): paths are read back from the
 * environment; connection settings may not hold one.
 */
export function settleSshHost(h: SshHostConfig, where: string): SshHostConfig {
  return settleEnvSettings(h, where, { paths: ['work_dir', 'node', 'identity_file', 'known_hosts'], why: HOST_WHY });
}

/** The launcher's settings with values read through oc.env settled: paths read back, hosts settled one by one. */
export function settleSshLauncher(cfg: SshLauncherConfig, where = 'hydra.launcher'): SshLauncherConfig {
  const out = settleEnvSettings(cfg, where, { paths: ['workspace', 'sync', 'exclude'], keep: ['hosts'],
    why: 'it is a setting of the launcher itself, which bait does not read from the environment; write the value in the config' });
  return { ...out, hosts: (cfg.hosts ?? []).map((h, i) => settleSshHost(h, `${where}.hosts.${i}`)) };
}
