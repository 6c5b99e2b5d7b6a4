// The slurm launcher's configuration: the keys of Hydra's submitit launcher (hydra_plugins.hydra_submitit_launcher),
// with the same defaults, plus BAIT's `login_host` and `poll_interval_s`.
import { settleEnvSettings } from '../env-settings.js';
import { settleSshHost, type SshHostConfig } from '../ssh/config.js';

export interface SlurmLauncherConfig {
  timeout_min?: number; // 60
  cpus_per_task?: number | null;
  gpus_per_node?: number | null;
  tasks_per_node?: number; // 1
  mem_gb?: number | null;
  nodes?: number; // 1
  name?: string | null; // default: the config name
  partition?: string | null;
  qos?: string | null;
  comment?: string | null;
  constraint?: string | null;
  exclude?: string | null;
  gres?: string | null;
  cpus_per_gpu?: number | null;
  gpus_per_task?: number | null;
  mem_per_gpu?: string | null;
  mem_per_cpu?: string | null;
  account?: string | null;
  /** Seconds before the time limit at which SLURM sends USR2 (checkpoint, then requeue). */
  signal_delay_s?: number; // 120
  /** How many times a job may be requeued after a time-out or pre-emption. */
  max_num_timeout?: number; // 0
  /** Extra sbatch options, e.g. {mail_type: "END"} -> --mail-type=END. */
  additional_parameters?: Record<string, string | number | boolean>;
  /** At most this many tasks of one array run at once (`--array=0-N%P`). */
  array_parallelism?: number; // 256
  /** Shell lines run before the job (module loads, conda activate ...). */
  setup?: string[] | null;
  /** Where logs go (submitit's key); `%j` stands for the job id. Default `${hydra.sweep.dir}/.submitit/%j`. */
  submitit_folder?: string | null;
  /** Seconds between squeue polls. */
  poll_interval_s?: number; // 2
  /** Submit through this SSH login host instead of locally (the sweep dir must be on a file system the cluster sees). */
  login_host?: SshHostConfig | null;
  /** With login_host: the local workspace root to sync (default: current directory) and what to sync (as ssh's). */
  workspace?: string;
  sync?: boolean | string[];
}

const SIMPLE_KEYS = ['partition', 'qos', 'comment', 'constraint', 'exclude', 'gres', 'cpus_per_gpu', 'gpus_per_task',
  'mem_per_gpu', 'mem_per_cpu', 'account', 'cpus_per_task', 'gpus_per_node'] as const;

const SBATCH_WHY = 'sbatch options are on sbatch\'s command line and in SLURM\'s record of the job, which other users of '
  + 'the cluster can read (ps, squeue, scontrol show job), so a value from the environment cannot go there. Write the value '
  + 'in the config, or leave the key out and set sbatch\'s own input variable for it (SBATCH_ACCOUNT, SBATCH_PARTITION, '
  + 'SBATCH_QOS ..., see man sbatch) in the environment';

/**
 * The settings with values read through oc.env settled (see ../env-settings.ts): paths are read back from the
 * environment, `setup` keeps its masks (they become variable references in the batch script), the login host is
 * settled as an ssh host, and no sbatch option may hold one.
 */
export function settleSlurmConfig(cfg: SlurmLauncherConfig, where = 'hydra.launcher'): SlurmLauncherConfig {
  const out = settleEnvSettings(cfg, where, { paths: ['submitit_folder', 'workspace', 'sync'], keep: ['setup', 'login_host'], why: SBATCH_WHY });
  return cfg.login_host ? { ...out, login_host: settleSshHost(cfg.login_host, `${where}.login_host`) } : out;
}

/**
 * `--export` when the setup lines read variables: they must reach the job. sbatch's default (ALL) already passes
 * them; a narrower list (the `export` parameter, or SBATCH_EXPORT here) gets them added by name, so that sbatch
 * copies their values from its own environment: the values are never on its command line.
 */
function exportOption(cfg: SlurmLauncherConfig, names: readonly string[], env: NodeJS.ProcessEnv): string | null {
  if (!names.length) return null;
  const given = cfg.additional_parameters?.export;
  const base = typeof given === 'string' ? given : env.SBATCH_EXPORT;
  if (base === undefined || /^ALL(,|$)/i.test(base)) return `--export=${base ?? 'ALL'}`;
  const kept = /^(NONE|NIL)$/i.test(base) ? [] : base.split(',');
  return `--export=${[...kept, ...names.filter((n) => !kept.includes(n))].join(',')}`;
}

/**
 * The `#SBATCH` options of one array: values are data (names, sizes), quoted by the caller. `envNames`: the
 * variables the setup lines read, which the job's environment must carry.
 */
export function sbatchOptions(cfg: SlurmLauncherConfig, opts: { name: string; tasks: number; logDir: string; chdir: string; envNames?: readonly string[] },
  env: NodeJS.ProcessEnv = process.env): string[] {
  const parallel = Math.max(1, Math.min(opts.tasks, cfg.array_parallelism ?? 256));
  const out = [
    `--job-name=${cfg.name ?? opts.name}`,
    `--array=0-${opts.tasks - 1}%${parallel}`,
    `--output=${opts.logDir}/%A_%a_log.out`,
    `--error=${opts.logDir}/%A_%a_log.err`,
    `--time=${cfg.timeout_min ?? 60}`,
    `--nodes=${cfg.nodes ?? 1}`,
    `--ntasks-per-node=${cfg.tasks_per_node ?? 1}`,
    `--signal=B:USR2@${cfg.signal_delay_s ?? 120}`,
    '--open-mode=append',
    '--requeue',
    `--chdir=${opts.chdir}`,
  ];
  if (cfg.mem_gb) out.push(`--mem=${cfg.mem_gb}GB`);
  for (const k of SIMPLE_KEYS) {
    const v = cfg[k];
    if (v !== undefined && v !== null && v !== '') out.push(`--${k.replace(/_/g, '-')}=${v}`);
  }
  const exported = exportOption(cfg, opts.envNames ?? [], env);
  if (exported) out.push(exported);
  for (const [k, v] of Object.entries(cfg.additional_parameters ?? {})) {
    if (k === 'export' && exported) continue;
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(k)) throw new Error(`slurm launcher: additional_parameters key ${JSON.stringify(k)} is not an sbatch option name`);
    out.push(v === true ? `--${k.replace(/_/g, '-')}` : `--${k.replace(/_/g, '-')}=${v}`);
  }
  for (const o of out) {
    if (/[\n\r]/.test(o)) throw new Error(`slurm launcher: option ${JSON.stringify(o)} contains a line break`);
  }
  return out;
}
