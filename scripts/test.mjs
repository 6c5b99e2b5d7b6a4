// `npm test`: builds, type-checks, runs every set-up step (each installs what its tier needs on a fresh
// machine and is a no-op when already done), then every test file under test/ with node's test runner.
//   node scripts/test.mjs [filter...]   runs only test files whose path contains one of the filters
//   BAIT_TEST_LOAD=1 (or a number of burners)   keeps the cores busy while the tests run (scripts/load.mjs)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { burnerCount, runUnderLoad } from './load.mjs';

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
if (!files.length) {
  // node --test with no files would look for tests everywhere.
  console.error(`no test file matches ${filters.join(' ')}`);
  process.exit(1);
}
console.log(`Running ${files.length} test files`);
// Under `BAIT_TEST_LOAD` (`1`: one burner per core, or a number), the tests run beside bounded CPU burners, so a
// test that leans on timing fails here rather than for a user on a busy machine; see scripts/load.mjs. The
// burners stop after BAIT_TEST_LOAD_MAX_S seconds at the latest (default 2400: a hung run cannot keep a CI
// machine busy past its limit).
runUnderLoad('node', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: root, burners: burnerCount(process.env.BAIT_TEST_LOAD), maxSeconds: Number(process.env.BAIT_TEST_LOAD_MAX_S ?? 2400),
});
