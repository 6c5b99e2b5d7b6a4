// The CPU burners of `BAIT_TEST_LOAD` (see scripts/test.mjs): n busy processes that keep the cores busy while the
// tests run, so a test that leans on timing fails in CI before a user's busy machine finds it. They are bounded
// three ways: `stop()` kills each by PID (the test script calls it on every way it ends: the tests' end, an
// error, SIGINT/SIGTERM/SIGHUP); each burner ends by itself when its parent is gone (the test script was
// SIGKILLed); and each ends after `maxSeconds` whatever happens.
import { spawn } from 'node:child_process';
import { availableParallelism, constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const burnerScript = join(fileURLToPath(new URL('.', import.meta.url)), 'cpu-burner.mjs');

/** How many burners a `BAIT_TEST_LOAD` value asks for: `1` one per core, a larger number that many, else none. */
export function burnerCount(setting) {
  if (!setting || setting === '0') return 0;
  if (setting === '1') return availableParallelism();
  const n = Number(setting);
  return Number.isFinite(n) && n > 0 ? Math.min(64, Math.floor(n)) : 0;
}

/** Starts `n` burners; returns their PIDs and `stop()`, which kills those still running (safe to call twice). */
export function startBurners(n, maxSeconds) {
  const burners = Array.from({ length: n }, () =>
    spawn(process.execPath, [burnerScript, String(maxSeconds), String(process.pid)], { stdio: 'ignore' }));
  // Unreferenced, so a script with nothing else to do exits (and stops them) instead of waiting for them.
  for (const b of burners) b.unref();
  const stop = () => {
    for (const b of burners) {
      if (b.exitCode !== null || b.signalCode !== null) continue;
      try {
        process.kill(b.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  return { pids: burners.map((b) => b.pid), stop };
}

/**
 * Runs `command args` (the test runner) beside `n` burners and exits this process with its exit code. The
 * burners are killed by PID however it ends: the command's end, its failure to start, an exception here, or
 * SIGINT/SIGTERM/SIGHUP to this process (passed on to the command; a second signal ends this process at once).
 */
export function runUnderLoad(command, args, { cwd, burners: n = 0, maxSeconds = 2400, log = console.log } = {}) {
  const load = n > 0 ? startBurners(n, maxSeconds) : { pids: [], stop: () => {} };
  if (n > 0) log(`BAIT_TEST_LOAD: ${n} CPU burner(s) keep the cores busy for up to ${maxSeconds} s (pids ${load.pids.join(' ')})`);
  process.on('exit', load.stop);
  const child = spawn(command, args, { stdio: 'inherit', cwd });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      load.stop();
      child.kill(sig);
      process.removeAllListeners(sig);
    });
  }
  child.on('error', (e) => {
    console.error(`\n${command} did not start: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    load.stop();
    if (code !== 0) console.error(`\n${command} ${args.slice(0, 3).join(' ')} ... failed (exit ${code ?? signal})`);
    process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
  });
  return { pids: load.pids, child };
}
