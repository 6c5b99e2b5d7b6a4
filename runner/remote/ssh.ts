// Runs commands on a remote host with the system `ssh`, so that users' ~/.ssh/config (aliases, jump hosts,
// agents) keeps working. Host keys are always checked (BatchMode, StrictHostKeyChecking=yes; a pinned
// known_hosts file when the host config names one), so BAIT never trusts a host it has not seen before.
//
// The remote login shell only ever sees `/bin/sh -s`; the script itself travels on stdin and is built with
// shQuote, so user values are never parsed by the login shell, whatever kind of shell it is.
import { spawn } from 'node:child_process';
import { classifyRemoteFailure } from './errors.js';
import { LauncherError } from '../launchers/errors.js';

/** How to reach one host. `host` may be an alias from ~/.ssh/config. */
export interface SshTarget {
  host: string;
  port?: number;
  user?: string;
  identityFile?: string;
  /** A known_hosts file to use instead of the user's (host keys are still checked strictly). */
  knownHostsFile?: string;
  /** Seconds before giving up on connecting (default 10). */
  connectTimeoutS?: number;
  /** Extra `-o Key=Value` options, e.g. ProxyJump. StrictHostKeyChecking cannot be weakened here. */
  options?: string[];
}

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A short label for messages: `user@host:port`. */
export function targetLabel(t: SshTarget): string {
  return `${t.user ? `${t.user}@` : ''}${t.host}${t.port ? `:${t.port}` : ''}`;
}

/** ssh's options for a target, without the destination; shared with rsync's `-e`. */
export function sshOptions(t: SshTarget): string[] {
  // A host or user that starts with '-' would be read as an option by ssh or rsync; control characters have no
  // place in either.
  for (const [what, v] of [['host', t.host], ['user', t.user ?? '']] as const) {
    if (v.startsWith('-') || /[\s\0-\x1f\x7f]/.test(v)) throw new LauncherError(`ssh ${what} ${JSON.stringify(v)} is not a valid ${what} name`);
  }
  const extra = t.options ?? [];
  if (extra.some((o) => /^StrictHostKeyChecking\s*=?\s*(no|off|accept-new)/i.test(o))) {
    throw new LauncherError(`host ${t.host}: StrictHostKeyChecking cannot be turned off; add the host key to known_hosts instead`);
  }
  const args = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `ConnectTimeout=${t.connectTimeoutS ?? 10}`,
    '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4', '-o', 'LogLevel=ERROR'];
  if (t.knownHostsFile) args.push('-o', `UserKnownHostsFile=${t.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null');
  if (t.identityFile) args.push('-i', t.identityFile, '-o', 'IdentitiesOnly=yes');
  if (t.port) args.push('-p', String(t.port));
  if (t.user) args.push('-l', t.user);
  for (const o of extra) args.push('-o', o);
  return args;
}

export interface SshRunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each chunk of stdout as it arrives (log streaming). */
  onStdout?: (chunk: string) => void;
}

/** Runs a POSIX sh script on the host and collects its output; never throws for a non-zero exit. */
export function sshRun(t: SshTarget, script: string, opts: SshRunOptions = {}): Promise<RemoteResult> {
  return new Promise((resolve) => {
    const child = spawn('ssh', [...sshOptions(t), '--', t.host, '/bin/sh -s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; opts.onStdout?.(d); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdin.on('error', () => { /* the connection failed before reading the script; stderr says why */ });
    child.stdin.end(script);
    const timer = opts.timeoutMs ? setTimeout(() => { stderr += '\nConnection timed out (BAIT timeout)'; child.kill('SIGKILL'); }, opts.timeoutMs) : null;
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code: code ?? (sig ? 255 : -1), stdout, stderr });
    });
  });
}

/** Like sshRun, but an ssh failure or a non-zero exit becomes a RemoteError saying what to fix. */
export async function sshCheck(t: SshTarget, script: string, what: string, opts: SshRunOptions = {}): Promise<RemoteResult> {
  const r = await sshRun(t, script, opts);
  if (r.code !== 0) throw classifyRemoteFailure(targetLabel(t), what, r.code, r.stderr);
  return r;
}
