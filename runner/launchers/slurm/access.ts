// Where the slurm launcher meets the cluster: on this machine (SLURM's client commands are here and the sweep dir
// is on the cluster's file system), or through an SSH login host (commands run there with strict quoting, the
// batch files are copied there with rsync, results and logs are read back in one SSH round trip per poll, and
// finished run directories are copied back).
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { shEnv, shJoin, shQuote } from '../../remote/quote.js';
import { rsyncPull, rsyncPush } from '../../remote/rsync.js';
import { sshRun, type SshTarget } from '../../remote/ssh.js';
import { RemoteError } from '../../remote/errors.js';
import { localRunner, type CommandRunner } from './cluster.js';

export interface TaskProbe {
  key: string;
  resultFile: string;
  logs: Array<{ path: string; offset: number }>;
}

export interface TaskReading {
  /** The exit code the task recorded, or null while it has none. */
  result: number | null;
  /** New bytes of each log, in the order of `logs`. */
  chunks: Buffer[];
}

export interface ClusterAccess {
  readonly run: CommandRunner;
  /** Makes the batch directory written at `localDir` visible to the cluster at `remoteDir`. */
  publish(localDir: string, remoteDir: string): Promise<void>;
  read(probes: TaskProbe[]): Promise<Map<string, TaskReading>>;
  /** Copies a finished job's run directory back; returns an error message, or null. */
  bringBack(remoteDir: string, localDir: string): Promise<string | null>;
}

const MAX_CHUNK = 1 << 20;

function readFrom(file: string, offset: number): Buffer {
  if (!existsSync(file)) return Buffer.alloc(0);
  const fd = openSync(file, 'r');
  try {
    const n = Math.min(fstatSync(fd).size - offset, MAX_CHUNK);
    if (n <= 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export const localAccess: ClusterAccess = {
  run: localRunner,
  async publish() { /* the batch dir is already where the cluster reads it */ },
  async read(probes) {
    const out = new Map<string, TaskReading>();
    for (const p of probes) {
      const result = existsSync(p.resultFile) ? Number(readFileSync(p.resultFile, 'utf8').trim()) : null;
      out.set(p.key, { result: Number.isFinite(result) ? result : null, chunks: p.logs.map((l) => readFrom(l.path, l.offset)) });
    }
    return out;
  },
  async bringBack() { return null; },
};

export function sshAccess(target: SshTarget, label: string): ClusterAccess {
  return {
    // Variables travel inside the script, which ssh writes to the remote shell's stdin: their values are on no
    // command line and in no file, on either side.
    run: (argv, timeoutS, env = {}) => sshRun(target, `${[...shEnv(env).map((a) => `export ${shQuote(a)}`), shJoin(['timeout', String(timeoutS), ...argv])].join('\n')}\n`,
      { timeoutMs: (timeoutS + 30) * 1000 }),
    async publish(localDir, remoteDir) {
      await rsyncPush(target, dirname(localDir), [basename(localDir)], dirname(remoteDir));
    },
    async read(probes) {
      const script = probes.flatMap((p) => [
        `printf '@@ %s\\n' ${shQuote(p.key)}`,
        `if [ -f ${shQuote(p.resultFile)} ]; then head -n 1 ${shQuote(p.resultFile)}; else echo none; fi`,
        ...p.logs.map((l) => `tail -c +${l.offset + 1} ${shQuote(l.path)} 2>/dev/null | head -c ${MAX_CHUNK} | base64 | tr -d '\\n'; echo`),
      ]).join('\n');
      const r = await sshRun(target, `${script}\n`, { timeoutMs: 60_000 });
      const out = new Map<string, TaskReading>();
      if (r.code !== 0) return out; // a network blip: the next poll tries again
      const lines = r.stdout.split('\n');
      for (const p of probes) {
        const at = lines.indexOf(`@@ ${p.key}`);
        if (at < 0) continue;
        const res = lines[at + 1]?.trim();
        out.set(p.key, {
          result: res && res !== 'none' && Number.isFinite(Number(res)) ? Number(res) : null,
          chunks: p.logs.map((_, i) => Buffer.from(lines[at + 2 + i]?.trim() ?? '', 'base64')),
        });
      }
      return out;
    },
    async bringBack(remoteDir, localDir) {
      try {
        await rsyncPull(target, remoteDir, localDir);
        return null;
      } catch (e) {
        return e instanceof RemoteError ? e.message : `bringing back ${remoteDir} from ${label}: ${String(e)}`;
      }
    },
  };
}
