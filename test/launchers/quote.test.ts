// The quoting that keeps user values from ever running as shell: every hostile value must reach a real
// /bin/sh (and bash's `mapfile -d ''`) byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shJoin, shQuote } from '../../runner/remote/quote.js';
import { nulJoin, taskFiles } from '../../runner/launchers/slurm/batch-script.js';
import { sbatchOptions } from '../../runner/launchers/slurm/config.js';
import { parsePoll, pathWord, pollScript, startScript } from '../../runner/launchers/ssh/scripts.js';
import { HOSTILE } from './hostile.js';


/** What /bin/sh makes of a command line: the argv it would pass to a program, as NUL-separated strings. */
function shellArgv(commandLine: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${commandLine}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

test('shQuote: every hostile value reaches /bin/sh unchanged, alone and joined', () => {
  for (const v of HOSTILE) assert.deepEqual(shellArgv(shQuote(v)), [v], JSON.stringify(v));
  assert.deepEqual(shellArgv(shJoin(HOSTILE)), HOSTILE);
});

test('shQuote: random strings over shell metacharacters round-trip', () => {
  const alphabet = ["'", '"', '\\', '$', '`', ' ', '\n', ';', '(', ')', '{', '}', '*', '?', '~', '#', '!', '&', '|', '<', '>', 'a', 'é'];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const words = Array.from({ length: 200 }, () => Array.from({ length: Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
  assert.deepEqual(shellArgv(shJoin(words)), words);
});

test('shQuote refuses NUL, which no argument can carry', () => {
  assert.throws(() => shQuote('a\0b'), /NUL/);
  assert.throws(() => nulJoin(['a\0b']), /NUL/);
});

test('pathWord: ~/ expands to the remote home, everything else stays literal', () => {
  const r = spawnSync('/bin/sh', ['-c', `printf '%s' ${pathWord('~/dir with $(id)')}`], { encoding: 'utf8', env: { ...process.env, HOME: '/h' } });
  assert.equal(r.stdout, '/h/dir with $(id)');
});

test('startScript runs the job argv through the detached wrapper unchanged (real sh, no ssh)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-quote-'));
  try {
    const jobDir = join(dir, "job '1' $(id)");
    const out = join(dir, 'argv.json');
    const argv = [process.execPath, '-e', 'require("fs").writeFileSync(process.argv[1], JSON.stringify({argv: process.argv.slice(2), v: process.env.HOSTILE}))', out, ...HOSTILE];
    const r = spawnSync('/bin/sh', ['-s'], { input: startScript(jobDir, argv, { HOSTILE: HOSTILE[0] + HOSTILE[9] }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /pid=\d+/);
    // The detached job ends on its own time: wait for its exit file (generously: the machine may be busy).
    for (let i = 0; i < 1200 && spawnSync('test', ['-f', join(jobDir, '.bait-exit')]).status !== 0; i++) await new Promise((res) => setTimeout(res, 50));
    const got = JSON.parse(spawnSync('cat', [out], { encoding: 'utf8' }).stdout);
    assert.deepEqual(got.argv, HOSTILE);
    assert.equal(got.v, HOSTILE[0] + HOSTILE[9]);
    // The poll script reports the exit code and the log of the same job.
    const poll = spawnSync('/bin/sh', ['-s'], { input: pollScript([{ key: '7', dir: jobDir, pid: 1, offset: 0 }]), encoding: 'utf8' });
    const [reply] = parsePoll(poll.stdout);
    assert.equal(reply!.key, '7');
    assert.equal(reply!.state, 'exited');
    assert.equal(reply!.exitCode, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SLURM task files: bash mapfile reads the argv and env back exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-task-'));
  try {
    const files = taskFiles(0, { argv: HOSTILE, resumeArgv: ['resume', 'x'], env: { BAIT_JOB_DIR: HOSTILE[9] }, jobDir: HOSTILE[0] });
    spawnSync('mkdir', ['-p', join(dir, 'tasks')]);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const r = spawnSync('/bin/bash', ['-c', 'mapfile -d "" -t A < "$1/tasks/0.argv"; IFS= read -r -d "" D < "$1/tasks/0.dir"; printf "%s\\0" "${A[@]}" "$D"', 'bash', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), [...HOSTILE, HOSTILE[0]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sbatch options follow submitit: array with parallelism, USR2 delay, memory, extra parameters', () => {
  const o = sbatchOptions({ array_parallelism: 2, signal_delay_s: 30, mem_gb: 4, gpus_per_node: 1, partition: 'gpu', additional_parameters: { mail_type: 'END' } },
    { name: 'exp', tasks: 4, logDir: '/s/.submitit', chdir: '/w' });
  for (const want of ['--array=0-3%2', '--signal=B:USR2@30', '--mem=4GB', '--gpus-per-node=1', '--partition=gpu', '--mail-type=END', '--time=60', '--output=/s/.submitit/%A_%a_log.out']) {
    assert.ok(o.includes(want), `${want} missing from ${o.join(' ')}`);
  }
  assert.ok(sbatchOptions({}, { name: 'e', tasks: 3, logDir: '/l', chdir: '/w' }).includes('--array=0-2%3'));
  assert.throws(() => sbatchOptions({ additional_parameters: { 'x; rm': 1 } }, { name: 'e', tasks: 1, logDir: '/l', chdir: '/w' }), /not an sbatch option/);
});
