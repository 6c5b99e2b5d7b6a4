// Launcher settings read through `${oc.env:NAME}` are never written resolved (runner/launchers/env-settings.ts):
// a SLURM `setup` line refers to the variable ("${NAME}") and the value reaches the job through its environment
// (sbatch --export locally; over an SSH login host, inside the script ssh writes to the remote shell's stdin);
// connection and sbatch settings that would put the value on a command line are refused with a way out.
// Checked with a real bash, then on the real single-node SLURM cluster through the `bait` CLI and through the
// loopback sshd as a login host: the job sees the value (it writes the value's SHA-256 where the test reads it),
// and no file the launcher wrote (batch script, task files, logs, run dirs, the host's copy) holds the value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLauncher } from '../../runner/launchers/index.js';
import { shellWithEnvRefs, unmaskSetting } from '../../runner/launchers/env-settings.js';
import { sbatchOptions } from '../../runner/launchers/slurm/config.js';
import { SlurmLauncher } from '../../runner/launchers/slurm/launcher.js';
import { SshLauncher } from '../../runner/launchers/ssh/launcher.js';
import type { Job } from '../../runner/launchers/types.js';
import { runSweep } from '../../runner/sweep/run-sweep.js';
import { filesUnder } from '../infra/common.js';
import { skipUnlessSlurm, startSlurm, type SlurmCluster } from '../infra/slurm.js';
import { sshUnavailable, startSshd } from '../infra/sshd.js';
import { DATA, makeWorkspace, ROOT } from '../runner/helpers.js';
import { HOSTILE } from './hostile.js';

const CLI = join(ROOT, 'dist', 'runner.js');
const PAYLOAD = join(__dirname, 'fixtures', 'bundle', 'runner.js');
// Quotes, `$(...)`, spaces: the value must arrive byte for byte and never run.
const SECRET = `tok_5e1f'"$(id) a  b`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The files under `dir` whose bytes hold the secret, or its first 8 characters. */
const leaks = (dir: string) => filesUnder(dir).filter((f) => {
  const text = readFileSync(f, 'latin1');
  return text.includes(SECRET) || text.includes('tok_5e1f');
});

test('a setup line refers to the variable in every quoting context, and a real bash expands it to exactly the value', () => {
  for (const v of [SECRET, ...HOSTILE.filter((h) => h !== '')]) {
    // [setup line, what `printf %s` prints when the variables hold v and 'o']: the value as one word, as data.
    for (const [t, expected] of [
      ['printf %s <env:TOKEN>', v],
      ['printf %s "<env:TOKEN>"', v],
      ["printf %s '<env:TOKEN>'", v],
      [`printf %s "pre <env:TOKEN> 'x' post"`, `pre ${v} 'x' post`],
      [`printf %s 'pre <env:TOKEN> "x" post'`, `pre ${v} "x" post`],
      ['printf %s \\"<env:TOKEN>\\"', `"${v}"`],
      ['printf %s <env:TOKEN>-<env:OTHER_1>', `${v}-o`],
    ] as const) {
      const { line, names } = shellWithEnvRefs(t, 'hydra.launcher.setup.0');
      assert.ok(!line.includes('<env:') && (v.length < 4 || !line.includes(v)), line);
      assert.deepEqual(names, t.includes('OTHER_1') ? ['TOKEN', 'OTHER_1'] : ['TOKEN']);
      const got = spawnSync('bash', ['-c', line], { encoding: 'utf8', env: { TOKEN: v, OTHER_1: 'o' } });
      assert.equal(got.status, 0, got.stderr);
      assert.equal(got.stdout, expected, `${t} with ${JSON.stringify(v)} became ${line}`);
    }
  }
  assert.throws(() => shellWithEnvRefs('echo <env:MY-VAR>', 'hydra.launcher.setup.1'), /hydra\.launcher\.setup\.1 reads \$\{oc\.env:MY-VAR\}, which a shell cannot name/);
});

test('settings that would put the value on a command line are refused, naming the key and where the value can go instead', () => {
  process.env.BAIT_T_USER = 'alice-secret';
  process.env.BAIT_T_DIR = '/scratch/alice-secret';
  try {
    const ssh = (host: Record<string, unknown>) => () => createLauncher({ _target_: 'bait.launchers.SSHLauncher', hosts: [{ host: 'h', work_dir: '/w', ...host }] });
    for (const [key, value] of [['user', '<env:BAIT_T_USER>'], ['host', '<env:BAIT_T_USER>'], ['ssh_options', ['ProxyJump=<env:BAIT_T_USER>']]] as const) {
      assert.throws(ssh({ [key]: value }), (e: Error) => e.name === 'UserError' && !e.message.includes('alice-secret')
        && e.message.startsWith(`hydra.launcher.hosts.0.${key} reads \${oc.env:BAIT_T_USER}`) && /~\/\.ssh\/config/.test(e.message));
    }
    // Paths are kept exact, as the run directory's own path is.
    const l = new SshLauncher({ hosts: [{ host: 'h', work_dir: '<env:BAIT_T_DIR>/bait' }] });
    assert.equal((l as unknown as { cfg: { hosts: Array<{ work_dir: string }> } }).cfg.hosts[0]!.work_dir, '/scratch/alice-secret/bait');
    assert.throws(() => new SshLauncher({ hosts: [{ host: 'h', work_dir: '<env:BAIT_T_UNSET>' }] }),
      /hydra\.launcher\.hosts\.0\.work_dir reads \$\{oc\.env:BAIT_T_UNSET\}, which is not set in this environment/);
    for (const cfg of [{ account: '<env:BAIT_T_USER>' }, { additional_parameters: { mail_user: '<env:BAIT_T_USER>' } }]) {
      assert.throws(() => createLauncher({ _target_: 'bait.launchers.SlurmLauncher', ...cfg }), (e: Error) => !e.message.includes('alice-secret')
        && /reads \$\{oc\.env:BAIT_T_USER\}: sbatch options .*SBATCH_ACCOUNT/.test(e.message));
    }
    assert.throws(() => new SlurmLauncher({ login_host: { host: 'h', user: '<env:BAIT_T_USER>', work_dir: '/w' } }), /hydra\.launcher\.login_host\.user reads/);
    // The local launcher keeps its settings in this process: used as they are.
    assert.equal(unmaskSetting({ gpus: '<env:BAIT_T_USER>' }, 'x').gpus, 'alice-secret');
  } finally {
    delete process.env.BAIT_T_USER;
    delete process.env.BAIT_T_DIR;
  }
});

test('sbatch --export: the variables the setup reads are added by name to a narrower export list, never with their values', () => {
  const opts = (cfg: object, env: NodeJS.ProcessEnv = {}) =>
    sbatchOptions(cfg, { name: 'n', tasks: 1, logDir: '/l', chdir: '/c', envNames: ['TOKEN'] }, env).filter((o) => o.startsWith('--export'));
  assert.deepEqual(opts({}), ['--export=ALL']);
  assert.deepEqual(opts({ additional_parameters: { export: 'NONE' } }), ['--export=TOKEN']);
  assert.deepEqual(opts({ additional_parameters: { export: 'PATH,HOME' } }), ['--export=PATH,HOME,TOKEN']);
  assert.deepEqual(opts({}, { SBATCH_EXPORT: 'PATH' }), ['--export=PATH,TOKEN']);
  assert.deepEqual(sbatchOptions({ additional_parameters: { export: 'NONE' } }, { name: 'n', tasks: 1, logDir: '/l', chdir: '/c' }, {}).filter((o) => o.startsWith('--export')),
    ['--export=NONE'], 'without setup variables the user\'s own export stands');
});

// ---- the real SLURM cluster, and the loopback sshd as its login host ----

const skip = skipUnlessSlurm();
let cluster: SlurmCluster;
let ws: string;
let check: string;

before(async () => {
  if (skip) return;
  cluster = await startSlurm();
  process.env.SLURM_CONF = cluster.conf;
  ws = makeWorkspace();
  // Where the jobs' setup lines write the value's hash: outside every directory the launcher writes, and writable
  // by the login host's unprivileged user.
  check = mkdtempSync(join(tmpdir(), 'bait-secret-check-'));
  chmodSync(check, 0o777);
});
after(async () => {
  if (skip) return;
  await cluster?.stop();
  for (const d of [ws, check]) if (d) rmSync(d, { recursive: true, force: true });
});

test('bait run -m and bait resume on SLURM: the setup line reads the token, the job sees it, no file of the sweep holds it', { skip }, () => {
  writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'secret_slurm.yaml'), `# @package _global_
defaults:
  - tiny
  - override /hydra/launcher: slurm
  - _self_

exp_config:
  name: \${oc.env:MY_TOKEN}

hydra:
  launcher:
    timeout_min: 5
    poll_interval_s: 0.5
    setup:
      - 'printf %s \${oc.env:MY_TOKEN} | sha256sum | cut -c1-64 > ${check}/bare-$SLURM_ARRAY_TASK_ID'
      - 'printf %s ''[\${oc.env:MY_TOKEN}]'' | sha256sum | cut -c1-64 > ${check}/single-$SLURM_ARRAY_TASK_ID'
      - 'printf %s "[\${oc.env:MY_TOKEN}]" | sha256sum | cut -c1-64 > ${check}/double-$SLURM_ARRAY_TASK_ID'
`);
  const sweep = join(ws, 'multirun', 'secret-slurm');
  const bait = (args: string[], env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 300_000, env: { ...process.env, FORCE_COLOR: '0', SLURM_CONF: cluster.conf, ...env } });
    return { code: r.status, all: r.stdout + r.stderr };
  };
  const seen = (i: number) => ['bare', 'single', 'double'].map((f) => readFileSync(join(check, `${f}-${i}`), 'utf8').trim());
  // Job 1 reads a data folder that appears only later: it fails now and runs again on `bait resume <sweep>`.
  const later = join(ws, 'data-later');
  const r = bait(['run', 'premise_selection/mizar40/secret_slurm', '-m', `hydra.sweep.dir=${sweep}`, 'trainer.max_steps=2',
    `data_config.data_options.dir=${DATA},${later}`], { MY_TOKEN: SECRET });
  assert.equal(r.code, 3, r.all);
  assert.ok(!r.all.includes('tok_5e1f'), r.all);
  for (const i of [0, 1]) assert.deepEqual(seen(i), [sha(SECRET), sha(`[${SECRET}]`), sha(`[${SECRET}]`)], 'each task saw the value, unsplit');
  const run0 = JSON.parse(readFileSync(join(sweep, '0', 'run.json'), 'utf8'));
  assert.equal(run0.status, 'completed');
  assert.equal(run0.name, '<env:MY_TOKEN>', 'the job read the token from the environment SLURM gave it');

  // multirun.yaml keeps the mask; resuming reads the variable from the environment again, or says it is missing.
  cpSync(DATA, later, { recursive: true });
  rmSync(join(check, 'bare-0'));
  const unset = bait(['resume', sweep], { MY_TOKEN: undefined });
  assert.equal(unset.code, 1, unset.all);
  assert.match(unset.all, /hydra\.launcher\.setup\.0 reads \$\{oc\.env:MY_TOKEN\}, which is not set in this environment; set MY_TOKEN and run again/);
  const resumed = bait(['resume', sweep], { MY_TOKEN: SECRET });
  assert.equal(resumed.code, 0, resumed.all);
  assert.ok(!resumed.all.includes('tok_5e1f'), resumed.all);
  assert.deepEqual(seen(0), [sha(SECRET), sha(`[${SECRET}]`), sha(`[${SECRET}]`)], 'the resumed task (index 0 of a new array) saw it');
  assert.equal(JSON.parse(readFileSync(join(sweep, '1', 'run.json'), 'utf8')).status, 'completed');

  const files = filesUnder(sweep).map((f) => f.slice(sweep.length + 1));
  const scripts = files.filter((f) => /^\.submitit\/batch-[^/]+\/sbatch\.sh$/.test(f));
  assert.equal(scripts.length, 2, files.join(', '));
  assert.ok(files.some((f) => /_log\.out$/.test(f)) && files.some((f) => /^\.submitit\/batch-[^/]+\/tasks\/0\.env$/.test(f)) && files.includes('multirun.yaml'), files.join(', '));
  for (const s of scripts) assert.match(readFileSync(join(sweep, s), 'utf8'), /printf %s "\$\{MY_TOKEN\}" \| sha256sum/, 'the script refers to the variable');
  assert.match(readFileSync(join(sweep, 'multirun.yaml'), 'utf8'), /<env:MY_TOKEN>/);
  assert.deepEqual(leaks(sweep), []);
});

test('SLURM through an SSH login host: the value reaches the remote sbatch on ssh\'s stdin; no file on either side holds it', { skip: skip || (sshUnavailable() ?? false) }, async (t) => {
  const sshd = await startSshd({ addresses: ['127.0.0.1'], env: { SLURM_CONF: cluster.conf } });
  t.after(() => sshd.stop());
  const h = sshd.hosts[0]!;
  const local = join(ws, 'login-ws');
  mkdirSync(join(local, 'configs'), { recursive: true });
  writeFileSync(join(local, 'configs', 'exp.yaml'), 'lr: 0.1\n');
  const js: Job[] = [0, 1].map((num) => ({ num, overrides: ['payload.steps=2'], dir: join(local, 'multirun', String(num)) }));
  process.env.LOGIN_TOKEN = SECRET;
  try {
    const summary = await runSweep({
      sweepDir: join(local, 'multirun'), jobs: js,
      runner: { script: PAYLOAD, configName: 'exp', configDir: join(local, 'configs') },
      launcher: new SlurmLauncher({ poll_interval_s: 0.5, workspace: local,
        setup: [`printf %s <env:LOGIN_TOKEN> | sha256sum | cut -c1-64 > ${check}/login-$SLURM_ARRAY_TASK_ID`],
        login_host: { name: 'login', host: h.address, port: h.port, user: h.user, identity_file: h.identityFile, known_hosts: h.knownHostsFile, work_dir: h.workDir } }),
    });
    assert.deepEqual(summary.completed.sort(), [0, 1], JSON.stringify(summary.results));
  } finally {
    delete process.env.LOGIN_TOKEN;
  }
  for (const i of [0, 1]) assert.equal(readFileSync(join(check, `login-${i}`), 'utf8').trim(), sha(SECRET), 'the remote job saw the value');
  assert.ok(filesUnder(h.workDir).some((f) => f.endsWith('sbatch.sh')), 'the batch files are on the login host');
  assert.deepEqual(leaks(local), []);
  assert.deepEqual(leaks(h.workDir), []);
});
