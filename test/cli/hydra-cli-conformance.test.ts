// What `bait run --cfg job|hydra|all [--resolve] [--package]` prints, against what real Hydra 1.3.2 printed for
// the same command line (test/conformance/hydra-cli, made by its generate.py): runtime values
// (`${hydra:runtime.cwd}`, `config_sources`), the order of `hydra.runtime.choices`, `???` under `--resolve`,
// `group=null` and `~group` on a null default. The bundle runs in a child process from a temporary cwd, as a user
// runs it; absolute paths are compared as <CWD> and <CONFIG_DIR>.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFORMANCE } from '../config/conformance-cases.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const DIR = join(CONFORMANCE, 'hydra-cli');

interface CliCase {
  config_name: string;
  args: string[];
  fixed_now: string;
  expected_stdout?: string;
  expected_error?: string;
}

/** Hydra's `hydra.job.name` is the script's name; the generator named each script after its config, as we do. */
function cases(): [string, CliCase][] {
  return readdirSync(DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => [d.name, JSON.parse(readFileSync(join(DIR, d.name, 'case.json'), 'utf8')) as CliCase]);
}

const all = cases();
test('the hydra-cli corpus is there', () => assert.ok(all.length >= 15, `${all.length} cases`));

for (const [name, c] of all) {
  test(`hydra-cli/${name}: ${c.args.join(' ')}`, () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'bait-hydra-cli-')));
    try {
      const configDir = join(DIR, name, 'configs');
      const r = spawnSync(process.execPath, [CLI, 'run', c.config_name, '--config-dir', configDir, ...c.args], {
        encoding: 'utf8',
        cwd,
        env: { ...process.env, BAIT_NOW: c.fixed_now },
      });
      const scrub = (s: string) => s.split(configDir).join('<CONFIG_DIR>').split(cwd).join('<CWD>');
      if (c.expected_stdout !== undefined) {
        assert.equal(r.status, 0, r.stderr);
        assert.equal(scrub(r.stdout), c.expected_stdout);
      } else {
        assert.equal(r.status, 1, `Hydra failed with: ${c.expected_error}\nwe printed:\n${r.stdout}`);
        // Hydra's message, without its exception class and without its repr of the override object.
        const message = c.expected_error!.replace(/^[\w.]+(Error|Exception): /, '').replace(/ : Override\(.*$/, '');
        assert.ok(r.stderr.replace(/: '[^']*'\./, '.').includes(message.slice(0, 50)), `Hydra: ${message}\nours: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
}

test('--version-base 1.1 composes as a Hydra 1.1 entry point does (a .yml primary config); the default is 1.3', () => {
  const configDir = join(CONFORMANCE, 'hydra', 'yml_extension_v11_explicit', 'configs');
  const expected = JSON.parse(readFileSync(join(configDir, '..', 'case.json'), 'utf8')) as { expected_yaml: string };
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', 'config.yml', '--config-dir', configDir, ...args], { encoding: 'utf8', cwd: ROOT });
  const v11 = run('--cfg', 'job', '--version-base', '1.1');
  assert.equal(v11.status, 0, v11.stderr);
  assert.equal(v11.stdout, expected.expected_yaml);
  assert.match(run('--cfg', 'hydra', '--version-base=1.1', '--package', 'hydra.runtime.version_base').stdout, /^1\.1\n$/);
  const v13 = run('--cfg', 'job');
  assert.equal(v13.status, 1, 'Hydra 1.3 does not load .yml configs');
  assert.match(v13.stderr, /config\.yml/);
  const bad = run('--cfg', 'job', '--version-base', '2.0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--version-base must be one of 1\.1, 1\.2, 1\.3/);
});

test('-m: a resolver only the app registers warns and the sweep runs; any other unresolvable job still stops it', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'bait-sweep-resolver-')));
  try {
    mkdirSync(join(dir, 'configs'));
    writeFileSync(join(dir, 'configs', 'app.yaml'), 'lr: 0.1\nsteps: ${app.steps:10}\nwhere: ${hydra:runtime.cwd}\n');
    writeFileSync(join(dir, 'configs', 'broken.yaml'), 'lr: 0.1\nsteps: ${nope}\n');
    const run = (cfg: string) =>
      spawnSync(process.execPath, [CLI, 'run', cfg, '-m', 'lr=0.1,0.2', '--dry-run', '--json'], { encoding: 'utf8', cwd: dir, env: { ...process.env, BAIT_NOW: '2024-01-02T03:04:05' } });
    const ok = run('app');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim().split('\n').length, 2);
    assert.match(ok.stderr, /warning: 2 of 2 jobs use resolvers bait does not know \(\$\{app\.steps:\.\.\.\}\)/);
    const broken = run('broken');
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /nope/);
    assert.match(broken.stderr, /2 of 2 jobs are invalid; nothing was started/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
