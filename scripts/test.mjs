// `npm test`: builds, type-checks, runs every set-up step (each installs what its tier needs on a fresh
// machine and is a no-op when already done), then every test file under test/ with node's test runner.
//   node scripts/test.mjs [filter...]   runs only test files whose path contains one of the filters
import { spawnSync } from 'node:child_process';
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
run('node', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
