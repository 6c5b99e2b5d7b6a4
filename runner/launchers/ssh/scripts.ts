// The POSIX sh scripts the ssh launcher runs on a host. Every value from the user (paths, overrides, names) is
// inserted with shQuote; the scripts reach the host on stdin of `/bin/sh -s` (see remote/ssh.ts).
import { shJoin, shQuote } from '../../remote/quote.js';
import { STOP_FILE } from '../../run/signals.js';

/** A path as a shell word: `~/x` expands to the remote $HOME, everything else is quoted literally. */
export function pathWord(p: string): string {
  if (p === '~') return '"$HOME"';
  if (p.startsWith('~/')) return `"$HOME"/${shQuote(p.slice(2))}`;
  return shQuote(p);
}

/** Creates the work dir and reports its absolute path, the node version, PATH and free space, one `key=value` a line. */
export function preflightScript(workDir: string, node: string): string {
  const w = pathWord(workDir);
  return [
    `mkdir -p ${w} || exit 1`,
    `cd ${w} || exit 1`,
    'echo "dir=$(pwd -P)"',
    `if command -v ${shQuote(node)} >/dev/null 2>&1; then echo "node=$(${shQuote(node)} --version 2>&1 | head -n 1)"; else echo "node="; fi`,
    'echo "path=$PATH"',
    `echo "free_kb=$(df -Pk . | awk 'NR==2 {print $4}')"`,
    '',
  ].join('\n');
}

/**
 * The detached wrapper (run as `sh -c WRAPPER sh <exit file> <argv...>`): runs the job, and on TERM/INT/HUP asks
 * it to save `last` and stop, both through the runner's stop-request file in the run directory (which the
 * training loop polls) and with SIGTERM; then records the exit code atomically. The job's argv arrives as
 * positional parameters, never as shell text.
 */
export const WRAPPER = [
  'exitfile=$1; shift',
  '"$@" &',
  'child=$!',
  `trap ': > "$(dirname "$exitfile")/${STOP_FILE}"; kill -TERM "$child" 2>/dev/null' TERM INT HUP`,
  'while :; do wait "$child"; rc=$?; kill -0 "$child" 2>/dev/null || break; done',
  'echo "$rc" > "$exitfile.tmp" && mv "$exitfile.tmp" "$exitfile"',
].join('\n');

export const EXIT_FILE = '.bait-exit';
export const LOG_FILE = 'launcher.log';

/**
 * Starts a job detached from the SSH session (setsid + nohup, stdin from /dev/null) and prints its PID. The job
 * runs in `cwd` (the host's copy of the workspace, so relative data paths mean what they mean locally); its log
 * and exit code go to its run directory. `cd DIR || exit` comes first on its own, because `cd DIR && cmd &`
 * would put the whole list in the background and ssh would wait for the job (see notes/services.md).
 */
export function startScript(jobDir: string, argv: string[], env: Record<string, string>, cwd: string = jobDir): string {
  const d = shQuote(jobDir);
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return [
    `mkdir -p ${d} || exit 1`,
    `cd ${shQuote(cwd)} || exit 1`,
    `rm -f ${shQuote(`${jobDir}/${EXIT_FILE}`)}`,
    `setsid nohup /bin/sh -c ${shQuote(WRAPPER)} sh ${shQuote(`${jobDir}/${EXIT_FILE}`)} ${shJoin(['env', ...envArgs, ...argv])} >> ${shQuote(`${jobDir}/${LOG_FILE}`)} 2>&1 < /dev/null &`,
    'echo "pid=$!"',
    '',
  ].join('\n');
}

export interface PollRequest {
  key: string;
  dir: string;
  pid: number;
  /** Bytes of the log already seen. */
  offset: number;
  /** Bytes of metrics.jsonl already mirrored here. */
  metricsOffset?: number;
  /** The cksum of run.json last mirrored ('' for none): an unchanged run.json is not sent again. */
  runJsonSig?: string;
}

export interface PollReply {
  key: string;
  state: 'running' | 'exited' | 'lost';
  exitCode: number | null;
  log: Buffer;
  /** New metrics.jsonl bytes; `reset` when the file shrank (a resume rewrote it) and these bytes start at 0. */
  metrics: { reset: boolean; bytes: Buffer };
  /** run.json when it changed since `runJsonSig`. */
  runJson?: { sig: string; text: Buffer };
}

const MAX_LOG_CHUNK = 256 * 1024;
export const METRICS_FILE = 'metrics.jsonl';
const RUN_JSON = 'run.json';

/**
 * One script that reports every job of a host: state, exit code, new log bytes, new metrics.jsonl bytes and a
 * changed run.json (each base64 on its own line). The last two mirror a running job's metrics and status here
 * while it runs, so the editor's explorer and charts follow a remote run as they follow a local one.
 */
export function pollScript(reqs: PollRequest[]): string {
  const out: string[] = [];
  for (const r of reqs) {
    const d = shQuote(r.dir);
    const m = shQuote(`${r.dir}/${METRICS_FILE}`);
    const j = shQuote(`${r.dir}/${RUN_JSON}`);
    const moff = Math.max(0, Math.floor(r.metricsOffset ?? 0));
    out.push(
      `printf '@@ %s\\n' ${shQuote(r.key)}`,
      `if [ -f ${d}/${EXIT_FILE} ]; then echo "exit $(cat ${d}/${EXIT_FILE})"; elif kill -0 ${Number(r.pid)} 2>/dev/null; then echo running; else echo lost; fi`,
      `tail -c +${r.offset + 1} ${d}/${LOG_FILE} 2>/dev/null | head -c ${MAX_LOG_CHUNK} | base64 | tr -d '\\n'; echo`,
      `sz=$(wc -c 2>/dev/null < ${m} | tr -d ' '); sz=\${sz:-0}; if [ "$sz" -lt ${moff} ]; then printf 'M 1 '; from=1; else printf 'M 0 '; from=${moff + 1}; fi`,
      `tail -c +$from ${m} 2>/dev/null | head -c ${MAX_LOG_CHUNK} | base64 | tr -d '\\n'; echo`,
      `s=$(cksum 2>/dev/null < ${j} | tr ' ' _); if [ -n "$s" ] && [ "$s" != ${shQuote(r.runJsonSig ?? '')} ]; then printf 'J %s ' "$s"; base64 < ${j} | tr -d '\\n'; echo; else echo J; fi`,
    );
  }
  return `${out.join('\n')}\n`;
}

export function parsePoll(stdout: string): PollReply[] {
  const replies: PollReply[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('@@ ')) continue;
    const key = lines[i].slice(3);
    const st = lines[i + 1] ?? '';
    const log = Buffer.from((lines[i + 2] ?? '').trim(), 'base64');
    const mm = /^M ([01]) ?(.*)$/.exec(lines[i + 3] ?? '');
    const jm = /^J (\S+) (.*)$/.exec(lines[i + 4] ?? '');
    const m = /^exit (-?\d+)/.exec(st);
    replies.push({ key, state: m ? 'exited' : st === 'running' ? 'running' : 'lost', exitCode: m ? Number(m[1]) : null, log,
      metrics: { reset: mm?.[1] === '1', bytes: Buffer.from((mm?.[2] ?? '').trim(), 'base64') },
      ...(jm ? { runJson: { sig: jm[1], text: Buffer.from(jm[2].trim(), 'base64') } } : {}) });
    i += 4;
  }
  return replies;
}

/** Stops a detached job: TERM to the wrapper, which forwards it to the runner (it saves `last`). */
export function stopScript(pid: number): string {
  return `kill -TERM ${Number(pid)} 2>/dev/null || true\n`;
}
