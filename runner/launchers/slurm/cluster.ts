// How the slurm launcher talks to the cluster: SLURM's client commands, each wrapped in `timeout` because every
// one of them can hang for minutes when the controller is down. Commands are argv arrays (no shell).
import { spawn } from 'node:child_process';
import type { RemoteResult } from '../../remote/ssh.js';

/** Runs a command with a time limit; never throws (a missing command gives code 127 and a message). */
export function runCommand(argv: string[], timeoutS = 60, env: NodeJS.ProcessEnv = process.env): Promise<RemoteResult> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(timeoutS), ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code) => {
      if (code === 124) stderr += `\n${argv[0]} did not answer within ${timeoutS} s (is slurmctld running?)`;
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Runs one SLURM client command (argv) with a time limit: locally, or on a login host over SSH. `env`: variables
 * the command must have (values read from this process's environment), passed as environment, never as arguments.
 */
export type CommandRunner = (argv: string[], timeoutS: number, env?: Record<string, string>) => Promise<RemoteResult>;

export const localRunner: CommandRunner = (argv, timeoutS, env) => runCommand(argv, timeoutS, env ? { ...process.env, ...env } : process.env);

/** Array task index -> SLURM state (PENDING, RUNNING, REQUEUED, COMPLETING ...) for the tasks squeue still lists. */
export async function squeueStates(run: CommandRunner, jobId: string): Promise<Map<number, string> | null> {
  const r = await run(['squeue', '-h', '-r', '-j', jobId, '-o', '%K %T'], 30);
  // squeue says "Invalid job id" once a finished job has been purged: then no task is listed.
  if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) return null;
  const out = new Map<number, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (m) out.set(Number(m[1]), m[2]);
  }
  return out;
}

/** `scontrol show job <id>_<task>`: its JobState and Reason, or null if SLURM has forgotten it. */
export async function scontrolState(run: CommandRunner, jobId: string, task: number): Promise<{ state: string; reason: string } | null> {
  const r = await run(['scontrol', 'show', 'job', `${jobId}_${task}`], 30);
  if (r.code !== 0) return null;
  return { state: /JobState=(\S+)/.exec(r.stdout)?.[1] ?? 'UNKNOWN', reason: /Reason=(\S+)/.exec(r.stdout)?.[1] ?? '' };
}
