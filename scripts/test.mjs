// `npm test`: builds, type-checks, runs every set-up step (each installs what its tier needs on a fresh
// machine and is a no-op when already done), then every test file under test/ with node's test runner.
//   node scripts/test.mjs [filter...]   runs only test files whose path contains one of the filters
//   BAIT_TEST_LOAD=1 (or a number of burners)   keeps the cores busy while the tests run (see startLoad below)
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const filters = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'conformance' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

run('node', ['scripts/build.mjs']);
if (!filters.length) run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);

for (const setup of readdirSync(join(root, 'test/setup')).filter((f) => f.endsWith('.mjs')).sort()) {
  run('node', [join('test/setup', setup)]);
}

const files = walk(join(root, 'test')).concat(
  ['runner', 'language-server', 'extension', 'webview'].flatMap((d) => walk(join(root, d))),
).filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
console.log(`Running ${files.length} test files`);
startLoad(process.env.BAIT_TEST_LOAD);
run('node', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);

/**
 * Under `BAIT_TEST_LOAD`, the tests run beside CPU burners (one per core for `1`, or the number given), so a test
 * that leans on timing fails here rather than for a user on a busy machine. Each burner is bounded: it stops
 * when this script exits (killed by PID, or it notices its parent is gone) and after BAIT_TEST_LOAD_MAX_S seconds.
 */
function startLoad(setting) {
  if (!setting || setting === '0') return;
  const n = setting === '1' ? availableParallelism() : Math.max(1, Math.min(64, Number(setting) || 1));
  const maxS = Number(process.env.BAIT_TEST_LOAD_MAX_S ?? 3600);
  const burners = Array.from({ length: n }, () =>
    spawn(process.execPath, [join(root, 'scripts', 'cpu-burner.mjs'), String(maxS)], { stdio: 'ignore' }));
  // Unreferenced, so this script exits when the tests end; its exit handler then kills them.
  for (const b of burners) b.unref();
  console.log(`BAIT_TEST_LOAD: ${n} CPU burner(s) keep the cores busy for up to ${maxS} s (pids ${burners.map((b) => b.pid).join(' ')})`);
  process.on('exit', () => {
    for (const b of burners) if (b.exitCode === null) b.kill('SIGKILL');
  });
}
