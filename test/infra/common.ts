// Helpers shared by the service starters in test/infra: finding free loopback ports, waiting for a condition,
// and stopping only the processes we started (TERM, then KILL after a grace period), by PID.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Whether a tier's real component may be skipped (elsewhere) or must fail (CI=true), with the reason. */
export function missingComponent(reason: string): string {
  if (process.env.CI === 'true') throw new Error(`launcher tier: ${reason} (CI=true: this tier must not skip)`);
  console.warn(`\n*** SKIPPED launcher tier: ${reason} ***\n`);
  return reason;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True while the PID exists and is not a zombie (a killed child can linger as `Z` until it is reaped). */
export function pidAlive(pid: number): boolean {
  const r = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const stat = r.stdout.trim();
  return r.status === 0 && stat !== '' && !stat.startsWith('Z');
}

/** Stops a process we started: TERM, then KILL if it is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess | number, graceMs = 10_000): Promise<void> {
  const pid = typeof child === 'number' ? child : child.pid;
  if (!pid || !pidAlive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const until = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
}

export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Every file under `dir`, at any depth (leak checks read them all). */
export function filesUnder(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}
