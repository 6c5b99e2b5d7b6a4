// `bait resume <run dir>` for an app job that ran on an SSH host or in SLURM (its directory has .bait-remote.json):
// the job runs again through its sweep's launcher, on the same host (SSH: only the host it ran on), in its own
// remote directory, where the app finds its stopped attempt and continues from its checkpoint with its own resume
// keys (runApp's job continuation: `ckpt_path=` or BAIT's seed keys). The run directory comes back here after.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createLauncher } from '../launchers/index.js';
import { hostLabel, type SshHostConfig } from '../launchers/ssh/config.js';
import type { RemoteMarker } from '../launchers/remote-marker.js';
import { UserError } from '../run/errors.js';
import type { RunRecord } from '../run/run_record.js';
import { absoluteJobDir, readManifest } from '../sweep/manifest.js';
import { describeEvent, runSweep } from '../sweep/run-sweep.js';
import { appExtraArgs } from './sweep.js';
import type { Io } from './supervise.js';

/** The launcher a sweep was started with: the resolved `hydra.launcher` node its multirun.yaml records. */
export function readSweepLauncher(dir: string): Record<string, unknown> | null {
  try {
    const m = parseYaml(readFileSync(join(dir, 'multirun.yaml'), 'utf8')) as { hydra?: { launcher?: Record<string, unknown> } };
    // Values the launcher read through oc.env were written masked; the launcher reads them from the environment
    // again where it may use them (launchers/env-settings.ts).
    return m.hydra?.launcher ?? null;
  } catch {
    return null;
  }
}

/** The sweep launcher node narrowed to where the job ran: the SSH host of its marker. */
function sameHost(node: Record<string, unknown> | null, marker: RemoteMarker): Record<string, unknown> | null {
  if (marker.kind !== 'ssh' || !node || !Array.isArray(node.hosts)) return node;
  const hosts = (node.hosts as SshHostConfig[]).filter((h) => hostLabel(h) === marker.host);
  if (!hosts.length) throw new UserError(`the job ran on host ${marker.host}, which the sweep's launcher no longer lists; resume the sweep instead`);
  return { ...node, hosts };
}

/** The config dir and workspace of a remote job on this machine (its run.json names the host's): from its sweep. */
export function localPathsOfRemoteJob(dir: string, record: RunRecord): { configDir: string; workspaceDir: string } {
  if (!record.sweep) throw new UserError(`${dir} ran elsewhere but its run.json names no sweep, so its config dir here is unknown`);
  const manifest = readManifest(resolve(dir, record.sweep.dir));
  return { configDir: manifest.config_dir, workspaceDir: manifest.workspace ?? process.cwd() };
}

export async function resumeRemoteAppJob(dir: string, record: RunRecord, marker: RemoteMarker,
    opts: { from?: string; extra: string[]; runnerScript: string }, io: Io): Promise<number> {
  if (!record.sweep) throw new UserError(`${dir} ran on ${marker.kind === 'ssh' ? marker.host : 'SLURM'} but its run.json names no sweep; resume it with \`bait resume <sweep dir>\``);
  const sweepDir = resolve(dir, record.sweep.dir);
  const manifest = readManifest(sweepDir);
  const job = manifest.jobs.find((j) => j.num === record.sweep!.job_num && resolve(absoluteJobDir(sweepDir, j)) === resolve(dir));
  if (!job) throw new UserError(`${sweepDir}/sweep.json has no job #${record.sweep.job_num} in ${dir}`);
  const launcher = createLauncher(sameHost(readSweepLauncher(sweepDir), marker), { ...(manifest.workspace ? { workspace: manifest.workspace } : {}), sweepDir });
  const where = marker.kind === 'ssh' ? marker.host : 'SLURM';
  io.err.write(`bait: resuming ${dir} on ${where} from ${opts.from ?? 'last'}\n`);
  const summary = await runSweep({
    sweepDir, launcher,
    jobs: [{ num: job.num, overrides: [...job.overrides, ...opts.extra], dir }],
    runner: { script: opts.runnerScript, configName: manifest.config_name, configDir: manifest.config_dir, ...appExtraArgs(manifest.app) },
    ...(opts.from ? { env: { BAIT_RESUME_FROM: opts.from } } : {}),
    onEvent: (e) => {
      if (e.type === 'log') io.out.write(e.text);
      const line = describeEvent(e);
      if (line) io.err.write(line + '\n');
    },
  }, manifest);
  return summary.completed.length ? 0 : summary.stopped.length ? 130 : 3;
}
