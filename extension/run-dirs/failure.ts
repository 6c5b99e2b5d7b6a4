// Why a run or sweep job failed, read from what it left on disk: the run's own log.txt (the runner's `error:` line)
// or the launcher's launcher.log (a job that failed before its run directory had a log, or on a remote host), else
// the reason sweep.json recorded. Reads only the tail of each log, so a long run costs no more than a short one.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { firstErrorLine } from '../run-outcome.js';

const TAIL = 64 * 1024;

function tail(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL);
    const buf = Buffer.alloc(size - start);
    const n = readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The log a user wants to read for a run or job directory: log.txt, else launcher.log. */
export function logFileOf(dir: string): string | undefined {
  return ['log.txt', 'launcher.log'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** A one-line reason, or undefined when nothing on disk says. */
export function failureReason(dir: string | undefined, recorded?: string): string | undefined {
  if (dir) {
    for (const f of ['log.txt', 'launcher.log']) {
      const text = tail(join(dir, f));
      if (!text) continue;
      const line = firstErrorLine(text);
      if (line && /error|fail|exception|traceback|killed|denied|not found/i.test(line)) return line;
    }
  }
  return recorded;
}
