// File transfer to and from SSH hosts with the system rsync over the same strict ssh options as ssh.ts.
// `--secluded-args` (alias of -s / --protect-args) sends file names through rsync's protocol instead of the
// remote shell's command line, so names with spaces or quotes are not reinterpreted there.
import { spawn } from 'node:child_process';
import { classifyRemoteFailure, RemoteError } from './errors.js';
import { shQuote } from './quote.js';
import { sshOptions, sshRun, targetLabel, type SshTarget } from './ssh.js';

/** rsync splits `-e` on spaces but honours quotes; we double-quote any option with unusual characters. */
function rsyncShell(t: SshTarget): string {
  return ['ssh', ...sshOptions(t)].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`)).join(' ');
}

/** Free kilobytes in a remote directory (or its nearest existing parent), or null if it cannot be read. */
async function remoteFreeKb(t: SshTarget, dir: string): Promise<number | null> {
  const script = `d=${shQuote(dir)}; while [ ! -d "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; df -Pk "$d" | awk 'NR==2 {print $4}'\n`;
  const r = await sshRun(t, script, { timeoutMs: 30_000 });
  const kb = Number(r.stdout.trim());
  return r.code === 0 && r.stdout.trim() !== '' && Number.isFinite(kb) ? kb : null;
}

/**
 * rsync sometimes ends with "file I/O error" (exit 11) and no message when the receiver runs out of space; a
 * push that fails that way checks the remote free space, so a full disk is still reported as one.
 */
async function rsync(t: SshTarget, args: string[], cwd: string | undefined, what: string, pushDir?: string): Promise<void> {
  try {
    await rsyncOnce(t, args, cwd, what);
  } catch (e) {
    if (pushDir && e instanceof RemoteError && e.code === 'command-failed') {
      const free = await remoteFreeKb(t, pushDir);
      if (free !== null && free < 1024) throw classifyRemoteFailure(targetLabel(t), what, 11, `No space left on device (${free} KB free in ${pushDir})`);
    }
    throw e;
  }
}

function rsyncOnce(t: SshTarget, args: string[], cwd: string | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('rsync', ['-a', '--secluded-args', '-e', rsyncShell(t), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (e) => reject(new Error(`${what}: cannot run rsync (${e.message}); install rsync on this machine`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      reject(classifyRemoteFailure(targetLabel(t), what, code ?? -1, stderr));
    });
  });
}

/** The `[user@]host:` prefix rsync wants; IPv6 addresses need brackets. */
function remoteSpec(t: SshTarget, path: string): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ''}${host}:${path}`;
}

/**
 * Copies `paths` (relative to `localRoot`, directories or files) to `remoteDir` on the host, keeping their
 * relative layout. Unchanged files are skipped, so re-syncing for each sweep is cheap.
 */
export function rsyncPush(t: SshTarget, localRoot: string, paths: string[], remoteDir: string, excludes: string[] = []): Promise<void> {
  const rel = paths.map((p) => `./${p.replace(/^\.\/+/, '')}`);
  return rsync(t, ['--relative', '--mkpath', ...excludes.flatMap((e) => ['--exclude', e]), ...rel, remoteSpec(t, `${remoteDir}/`)],
    localRoot, `syncing ${paths.join(', ')} to ${remoteDir}`, remoteDir);
}

/** Copies the remote directory's contents into `localDir` (created if needed); never deletes local files. */
export function rsyncPull(t: SshTarget, remoteDir: string, localDir: string): Promise<void> {
  return rsync(t, ['--mkpath', remoteSpec(t, `${remoteDir}/`), `${localDir}/`], undefined, `bringing back ${remoteDir}`);
}
