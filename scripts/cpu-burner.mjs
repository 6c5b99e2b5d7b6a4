// A bounded CPU burner for `BAIT_TEST_LOAD` (see scripts/load.mjs): one busy loop that keeps one core busy, so the
// test suite runs the way it does on a loaded machine.
//   node scripts/cpu-burner.mjs <maxSeconds> <parentPid>
// It ends by itself after `maxSeconds`, or as soon as its parent is no longer `parentPid` (the script that started
// it was killed): the parent's PID comes as an argument because on a busy machine the parent can be gone before
// this process has started.
import { readFileSync } from 'node:fs';

const maxSeconds = Number(process.argv[2] ?? 3600);
const parent = Number(process.argv[3] ?? process.ppid);
const end = Date.now() + maxSeconds * 1000;

/** The parent PID as the kernel has it now (/proc), else as Node reports it. */
function parentNow() {
  try {
    return Number(/\) \S+ (\d+)/.exec(readFileSync('/proc/self/stat', 'utf8'))?.[1] ?? process.ppid);
  } catch {
    return process.ppid;
  }
}

let sink = 0;
for (;;) {
  // About 10 ms of arithmetic between checks.
  for (let i = 0; i < 2e6; i++) sink += Math.sqrt(i) * 1e-9;
  if (Date.now() > end || parentNow() !== parent) break;
}
if (sink < 0) console.log(sink);
