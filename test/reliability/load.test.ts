// The load tier's CPU burners (scripts/load.mjs, used by scripts/test.mjs under BAIT_TEST_LOAD) are bounded: each
// way the test script can end kills them by PID (the tests' end, a failing exit code, SIGTERM/SIGINT to the
// script), a burner whose script was SIGKILLed ends by itself, and every burner ends after its maximum time.
// Each case runs one or two burners for a moment, in a driver process that stands for scripts/test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOAD = pathToFileURL(join(import.meta.dirname, '..', '..', 'scripts', 'load.mjs')).href;

/** Running, sleeping, ... but not gone and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/\) [ZX] /.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A driver that runs `command` under load as scripts/test.mjs does, printing the burner and command PIDs; resolves
 * once they are known, with the driver's exit to wait on.
 */
async function driver(burners: number, maxSeconds: number, command: string) {
  const code = `import { runUnderLoad } from ${JSON.stringify(LOAD)};
const r = runUnderLoad(process.execPath, ['-e', ${JSON.stringify(command)}], { burners: ${burners}, maxSeconds: ${maxSeconds}, log: () => {} });
console.log(JSON.stringify({ burners: r.pids, command: r.child.pid }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (c, s) => res({ code: c, signal: s })));
  await until(() => out.includes('\n') || child.exitCode !== null, 'the driver to start its burners');
  const pids = JSON.parse(out.split('\n')[0]!) as { burners: number[]; command: number };
  return { child, pids, exit };
}

test('the command ends: its exit code is the script\'s, and every burner is killed', async () => {
  const d = await driver(2, 600, 'setTimeout(() => process.exit(3), 200)');
  assert.equal(d.pids.burners.length, 2);
  assert.deepEqual(await d.exit, { code: 3, signal: null });
  await until(() => d.pids.burners.every((p) => !alive(p)), 'the burners to be gone');
});

test('SIGTERM to the script: the burners are killed by PID, the command gets the signal, the script exits 143', async () => {
  const d = await driver(1, 600, 'setTimeout(() => {}, 600000)');
  assert.ok(d.pids.burners.every(alive) && alive(d.pids.command), 'burner and command run');
  d.child.kill('SIGTERM');
  assert.deepEqual(await d.exit, { code: 143, signal: null });
  await until(() => !alive(d.pids.command) && d.pids.burners.every((p) => !alive(p)), 'burner and command to be gone');
});

test('the script SIGKILLed: a burner notices its parent is gone and ends by itself', async (t) => {
  const d = await driver(1, 600, 'setTimeout(() => {}, 600000)');
  t.after(() => {
    // The command has no one left to stop it; end it by its PID.
    if (alive(d.pids.command)) process.kill(d.pids.command, 'SIGKILL');
  });
  d.child.kill('SIGKILL');
  await d.exit;
  await until(() => d.pids.burners.every((p) => !alive(p)), 'the orphaned burner to end');
});

test('a burner ends after its maximum time even while its script is still running', async () => {
  const d = await driver(1, 1, 'setTimeout(() => {}, 600000)');
  await until(() => d.pids.burners.every((p) => !alive(p)), 'the burner to reach its 1 s limit');
  assert.ok(alive(d.pids.command), 'the command still runs');
  d.child.kill('SIGTERM');
  assert.deepEqual(await d.exit, { code: 143, signal: null });
});
