// Starts real OpenSSH servers on loopback addresses for the launcher tests (see ../shared/notes/services.md):
// one sshd per address, each with its own host key, accepting only the unprivileged test user with a fresh
// client key. The client side uses a pinned known_hosts file, BatchMode and StrictHostKeyChecking=yes, exactly
// as the ssh launcher does for users. `stop()` kills only the sshd PIDs started here and removes our files.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, missingComponent, run, stopProcess, waitFor } from './common.js';

export const TEST_USER = 'bait-test';
export const TEST_HOME = `/home/${TEST_USER}`;

export interface SshTestHost {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  /** A fresh, empty work directory for this host inside the test user's home. */
  workDir: string;
}

export interface SshdOptions {
  /** Loopback addresses, one sshd each (default 127.0.0.1 and 127.0.0.2). */
  addresses?: string[];
  /** Addresses whose sessions get a PATH without `node` (the "host without Node" case). */
  withoutNode?: string[];
  /** Environment for every session (e.g. SLURM_CONF for a login host of the test cluster). */
  env?: Record<string, string>;
}

export interface SshdCluster {
  hosts: SshTestHost[];
  base: string;
  /** Stops only the sshd daemons (a host "goes away"); sessions already open and remote jobs go on. */
  stopDaemons(): Promise<void>;
  stop(): Promise<void>;
}

/** Why the tier cannot run here, or null when sshd, rsync and the test user are present. */
export function sshUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot run sshd for the test user';
  for (const bin of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/rsync', '/usr/bin/ssh-keygen']) {
    if (!existsSync(bin)) return `${bin} missing (test/setup/20-services.mjs installs it)`;
  }
  if (run('id', ['-u', TEST_USER]).code !== 0) return `test user ${TEST_USER} missing (test/setup/20-services.mjs creates it)`;
  return null;
}

export function skipUnlessSsh(): string | false {
  const why = sshUnavailable();
  return why ? missingComponent(why) : false;
}

/** A directory of links to the usual tools but not `node`, used as PATH on a "host without Node". */
function pathWithoutNode(base: string): string {
  const dir = join(base, 'bin-without-node');
  mkdirSync(dir, { recursive: true });
  for (const tool of ['sh', 'bash', 'mkdir', 'rm', 'cat', 'df', 'tail', 'kill', 'ps', 'setsid', 'nohup', 'env', 'rsync', 'echo', 'test', 'ls', 'sleep', 'mv', 'touch', 'wc', 'head', 'dd', 'printf', 'stat']) {
    const found = run('sh', ['-c', `command -v ${tool}`]).stdout.trim();
    if (found.startsWith('/')) symlinkSync(found, join(dir, tool));
  }
  chmodSync(base, 0o755);
  return dir;
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdCluster> {
  const addresses = opts.addresses ?? ['127.0.0.1', '127.0.0.2'];
  const base = mkdtempSync(join(tmpdir(), 'bait-sshd-'));
  chmodSync(base, 0o755);
  const id = base.slice(-6);
  mkdirSync('/run/sshd', { recursive: true });

  const clientKey = join(base, 'client_ed25519');
  const keygen = run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bait-test-client', '-f', clientKey]);
  if (keygen.code !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr}`);

  // Each sshd reads its own authorized-keys file so that parallel test files do not disturb each other.
  const sshDir = join(TEST_HOME, '.ssh');
  mkdirSync(sshDir, { recursive: true });
  const authName = `authorized_keys.bait-${id}`;
  writeFileSync(join(sshDir, authName), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  run('chown', ['-R', `${TEST_USER}:${TEST_USER}`, TEST_HOME]);
  chmodSync(TEST_HOME, 0o700);
  chmodSync(sshDir, 0o700);

  const port = await freePort(addresses[0]);
  const knownHostsFile = join(base, 'known_hosts');
  const children: ChildProcess[] = [];
  const hosts: SshTestHost[] = [];
  const noNodePath = opts.withoutNode?.length ? pathWithoutNode(base) : null;
  let known = '';
  // sshd takes the first SetEnv it reads for a name, so all of a host's variables go on one line.
  const sessionEnv = (address: string): string[] => {
    const vars = { ...opts.env, ...(noNodePath && opts.withoutNode!.includes(address) ? { PATH: noNodePath } : {}) };
    return Object.keys(vars).length ? [`SetEnv ${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')}`] : [];
  };

  for (const [i, address] of addresses.entries()) {
    const hostKey = join(base, `host${i}_ed25519`);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    known += `[${address}]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    const cfg = join(base, `sshd${i}.conf`);
    writeFileSync(cfg, [
      `Port ${port}`, `ListenAddress ${address}`, `HostKey ${hostKey}`, `PidFile ${join(base, `sshd${i}.pid`)}`,
      `AuthorizedKeysFile .ssh/${authName}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
      'PermitRootLogin no', `AllowUsers ${TEST_USER}`, 'UsePAM no', 'MaxStartups 50:30:100', 'MaxSessions 50',
      ...sessionEnv(address),
      '',
    ].join('\n'));
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d) => { log += String(d); });
    children.push(child);
    await waitFor(`sshd on ${address}:${port} (${log.trim()})`, () => log.includes('Server listening') || child.exitCode !== null, 10_000, 50);
    if (child.exitCode !== null) throw new Error(`sshd on ${address} exited: ${log}`);
    const workDir = join(TEST_HOME, `work-${id}-${i}`);
    hosts.push({ name: `host${i + 1}`, address, port, user: TEST_USER, identityFile: clientKey, knownHostsFile, workDir });
  }
  writeFileSync(knownHostsFile, known);

  const stopDaemons = async () => { await Promise.all(children.map((c) => stopProcess(c, 5_000))); };
  return {
    hosts,
    base,
    stopDaemons,
    async stop() {
      await stopDaemons();
      // Detached jobs the tests left on the "remote" hosts belong to the test user; end them by their PIDs.
      const ps = run('ps', ['-u', TEST_USER, '-o', 'pid=,args=']).stdout;
      for (const line of ps.split('\n')) {
        const m = /^\s*(\d+)\s+(.*)$/.exec(line);
        if (m && hosts.some((h) => m[2].includes(h.workDir))) await stopProcess(Number(m[1]), 2_000);
      }
      for (const h of hosts) rmSync(h.workDir, { recursive: true, force: true });
      rmSync(join(sshDir, authName), { force: true });
      rmSync(base, { recursive: true, force: true });
    },
  };
}
