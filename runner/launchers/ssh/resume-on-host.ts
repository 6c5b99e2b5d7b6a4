// `bait resume <run dir>` for a run that ran on an SSH host resumes it there: its checkpoints, the synced
// workspace and the runner bundle are on that host, and that is where the user chose to train. The run starts
// detached as the launcher starts jobs (it outlives the SSH session), its marker gets the new PID (so `bait stop`
// and `bait attach` reach it), and this process follows it like `bait attach`: log, metrics and run.json mirrored
// here while it runs, the run directory brought back at the end. Ctrl-C stops the remote run (it saves `last`).
import { LauncherError } from '../errors.js';
import { attachRun } from '../attach.js';
import { writeMarker, type RemoteMarker } from '../remote-marker.js';
import type { JobResult } from '../types.js';
import { sshCheck } from '../../remote/ssh.js';
import { shQuote } from '../../remote/quote.js';
import { stopRemote } from './remote-runs.js';
import { EXIT_FILE, startScript } from './scripts.js';

type SshMarker = Extract<RemoteMarker, { kind: 'ssh' }>;

export interface ResumeOnHostOptions {
  /** `--from`: last (default), best or a checkpoint name. */
  from?: string;
  /** Extra overrides for the resumed attempt. */
  extra?: string[];
  onLog?: (text: string) => void;
  /** Aborting stops the remote run; the result then comes when it has saved `last` and ended. */
  signal?: AbortSignal;
  pollMs?: number;
}

/** Whether a run directory's marker says enough to resume it on its host (runs started since the marker kept `runner`). */
export function resumableOnHost(m: RemoteMarker | null): m is SshMarker & { runner: NonNullable<SshMarker['runner']> } {
  return m?.kind === 'ssh' && !!m.runner;
}

export async function resumeOnHost(dir: string, m: SshMarker & { runner: NonNullable<SshMarker['runner']> },
  opts: ResumeOnHostOptions = {}): Promise<JobResult> {
  const state = await sshCheck(m.target, `if kill -0 ${Number(m.pid)} 2>/dev/null && [ ! -f ${shQuote(`${m.remote_dir}/${EXIT_FILE}`)} ]; then echo running; fi\n`,
    `checking ${m.host} before resuming`, { timeoutMs: 60_000 });
  if (state.stdout.includes('running')) throw new LauncherError(`${dir} is still running on ${m.host} (pid ${m.pid}); stop it first (bait stop ${dir})`);
  const argv = [m.runner.node, m.runner.script, 'resume', m.remote_dir, ...(opts.from ? ['--from', opts.from] : []), ...(opts.extra ?? [])];
  const started = await sshCheck(m.target, startScript(m.remote_dir, argv, {}, m.runner.cwd), `resuming on ${m.host}`, { timeoutMs: 120_000 });
  const pid = Number(/pid=(\d+)/.exec(started.stdout)?.[1]);
  if (!pid) throw new LauncherError(`resuming ${dir} on ${m.host}: no PID came back (${started.stderr.trim()})`);
  writeMarker(dir, { ...m, pid, started_at: new Date().toISOString() });
  opts.onLog?.(`[ssh] resuming on ${m.host} (pid ${pid})\n`);
  const onAbort = () => { stopRemote(m.target, pid, m.host).catch(() => { /* the final state says what happened */ }); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await attachRun(dir, { onLog: opts.onLog, ...(opts.pollMs ? { pollMs: opts.pollMs } : {}) });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
