// Set-up for the launcher tier (issue 6): the real sshd, rsync and single-node SLURM (with munge) that
// test/infra starts on loopback. Idempotent: when every binary is already present it does nothing, so
// `npm test` pays only a few `existsSync` calls. Installing needs root and the Debian package sources;
// when that fails we say so and let the launcher tests skip (or fail under CI=true) with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = {
  '/usr/sbin/sshd': 'openssh-server',
  '/usr/bin/ssh': 'openssh-client',
  '/usr/bin/rsync': 'rsync',
  '/usr/sbin/slurmctld': 'slurm-wlm',
  '/usr/sbin/slurmd': 'slurm-wlm',
  '/usr/bin/sbatch': 'slurm-wlm',
  '/usr/sbin/munged': 'munge',
  // The unreachable-host test builds a network namespace; process checks and teardown use ps.
  '/usr/sbin/ip': 'iproute2',
  '/usr/bin/ps': 'procps',
};
const missing = [...new Set(Object.entries(needed).filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];

if (missing.length) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.warn(`[setup 20-services] not root: cannot install ${missing.join(', ')}; launcher tests will skip.`);
  } else {
    console.log(`[setup 20-services] installing ${missing.join(', ')} (Debian packages) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: 'inherit', env });
    let r = apt(['install', '-y', '--no-install-recommends', ...missing]);
    if (r.status !== 0) {
      // A fresh machine may have empty package lists; refresh once and retry.
      apt(['update']);
      r = apt(['install', '-y', '--no-install-recommends', ...missing]);
    }
    if (r.status !== 0) console.warn('[setup 20-services] apt-get install failed; launcher tests will skip (fail under CI=true).');
  }
}
// sshd refuses to start without its privilege-separation directory.
if (existsSync('/usr/sbin/sshd') && !existsSync('/run/sshd')) spawnSync('mkdir', ['-p', '/run/sshd']);

// The remote side of the SSH tests logs in as a dedicated unprivileged user (not root: root's shell start-up is
// slow here, and a real remote account is never root). Its home must be owned by it for sshd's StrictModes.
// The password field is '*' rather than the locked '!', which sshd refuses when PAM is off.
const TEST_USER = 'bait-test';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && spawnSync('id', ['-u', TEST_USER]).status !== 0) {
  const home = `/home/${TEST_USER}`;
  const steps = [
    ['useradd', '-M', '-d', home, '-s', '/bin/bash', TEST_USER],
    ['usermod', '-p', '*', TEST_USER],
    ['mkdir', '-p', `${home}/.ssh`],
    ['chown', '-R', `${TEST_USER}:${TEST_USER}`, home],
    ['chmod', '0700', home, `${home}/.ssh`],
  ];
  for (const [cmd, ...args] of steps) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) { console.warn(`[setup 20-services] ${cmd} ${args.join(' ')} failed`); break; }
  }
}

// The app tiers over SSH and SLURM start the venv's python (test/setup/15-python.mjs) on the loopback hosts, as
// the test user: it must be able to reach and run it. A checkout under a private folder (a CI runner's /root, a
// 0700 home) blocks that; then every folder above the venv gets execute-only permission for others (enter, not
// list) and the venv itself becomes world-readable. Nothing else changes, and nothing when it already works.
{
  const { dirname, join, resolve } = await import('node:path');
  const { chmodSync, existsSync: exists, realpathSync, statSync } = await import('node:fs');
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
  const venvPython = join(root, '.cache', 'venv', 'bin', 'python');
  const asTestUser = () => spawnSync('/usr/bin/setpriv', [`--reuid=${TEST_USER}`, `--regid=${TEST_USER}`, '--init-groups', venvPython, '-c', 'import hydra, lightning'],
    { stdio: 'ignore', timeout: 120_000 }).status === 0;
  if (isRoot && exists(venvPython) && spawnSync('id', ['-u', TEST_USER]).status === 0 && !asTestUser()) {
    const venv = realpathSync(join(root, '.cache', 'venv'));
    for (const start of [join(root, '.cache'), venv]) {
      for (let d = dirname(start); d !== dirname(d); d = dirname(d)) {
        const mode = statSync(d).mode & 0o7777;
        if (!(mode & 0o001)) chmodSync(d, mode | 0o001);
      }
    }
    spawnSync('chmod', ['-R', 'a+rX', venv], { stdio: 'inherit' });
    console.log(`[setup 20-services] ${TEST_USER} can ${asTestUser() ? 'now' : 'still not'} run ${venvPython}`);
  }
}
