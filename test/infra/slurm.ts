// Starts a real single-node SLURM cluster (Debian slurm-wlm 22.05 + munge) for the launcher tests, following the
// measured recipe in ../shared/notes/services.md: munged as the munge user, slurmctld and slurmd in the
// foreground as root, all state in a temp folder, two fake GPUs (character devices) so `--gpus-per-node` works.
// Clients find the cluster through SLURM_CONF (see `env`). `stop()` cancels our jobs and stops each daemon we
// started by its PID: TERM, then KILL after 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, missingComponent, run, stopProcess, waitFor } from './common.js';

export interface SlurmCluster {
  base: string;
  conf: string;
  /** Environment for slurm client commands (SLURM_CONF), merged over process.env. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function slurmUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot run slurmctld/slurmd/munged';
  for (const bin of ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/bin/sbatch', '/usr/bin/setpriv', '/usr/bin/timeout']) {
    if (!existsSync(bin)) return `${bin} missing (test/setup/20-services.mjs installs it)`;
  }
  return null;
}

export function skipUnlessSlurm(): string | false {
  const why = slurmUnavailable();
  return why ? missingComponent(why) : false;
}

export async function startSlurm(): Promise<SlurmCluster> {
  const base = mkdtempSync(join(tmpdir(), 'bait-slurm-'));
  chmodSync(base, 0o755);
  const children: ChildProcess[] = [];
  const logs: Record<string, string> = {};
  const start = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    logs[name] = '';
    c.stdout!.on('data', (d) => { logs[name] += String(d); });
    c.stderr!.on('data', (d) => { logs[name] += String(d); });
    children.push(c);
    return c;
  };

  try {
    // munge: the key dir must be private, the socket dir world-executable so any job user can authenticate.
    const mungeKeyDir = join(base, 'munge-key');
    const mungeSockDir = join(base, 'munge-sock');
    const mungeStateDir = join(base, 'munge-state');
    for (const d of [mungeKeyDir, mungeSockDir, mungeStateDir]) mkdirSync(d);
    const key = join(mungeKeyDir, 'munge.key');
    writeFileSync(key, randomBytes(1024), { mode: 0o400 });
    run('chown', ['-R', 'munge:munge', mungeKeyDir, mungeSockDir, mungeStateDir]);
    chmodSync(mungeKeyDir, 0o700);
    chmodSync(mungeSockDir, 0o755);
    const sock = join(mungeSockDir, 'munge.socket');
    start('munged', '/usr/bin/setpriv', ['--reuid=munge', '--regid=munge', '--clear-groups', '/usr/sbin/munged', '--foreground',
      `--key-file=${key}`, `--socket=${sock}`, `--pid-file=${join(mungeStateDir, 'munged.pid')}`,
      `--seed-file=${join(mungeStateDir, 'munge.seed')}`, `--log-file=${join(mungeStateDir, 'munged.log')}`, '--force']);
    await waitFor('munged socket', () => existsSync(sock), 10_000, 50);

    // Two fake GPUs: gres.conf needs character devices; /dev/null's numbers are harmless.
    const gpus = [0, 1].map((i) => join(base, `fake-gpu${i}`));
    for (const g of gpus) run('mknod', [g, 'c', '1', '3']);
    const host = hostname();
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    for (const d of ['state', 'spool', 'log']) mkdirSync(join(base, d));
    const conf = join(base, 'slurm.conf');
    writeFileSync(join(base, 'gres.conf'), `NodeName=${host} Name=gpu File=${gpus[0]}\nNodeName=${host} Name=gpu File=${gpus[1]}\n`);
    writeFileSync(conf, [
      'ClusterName=bait-test', `SlurmctldHost=${host}(127.0.0.1)`, 'SlurmUser=root', 'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`, `AuthType=auth/munge`, `CredType=cred/munge`,
      `AuthInfo=socket=${sock},cred_expire=10`,
      'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core_Memory',
      'DefMemPerCPU=1000', 'SchedulerParameters=sched_interval=2,bf_interval=1', 'MailProg=/bin/true', 'GresTypes=gpu',
      'ReturnToService=2', 'MinJobAge=300', 'KillWait=5', 'InactiveLimit=0', 'SlurmdTimeout=60', 'MpiDefault=none',
      `StateSaveLocation=${join(base, 'state')}`, `SlurmdSpoolDir=${join(base, 'spool')}`,
      `SlurmctldPidFile=${join(base, 'slurmctld.pid')}`, `SlurmdPidFile=${join(base, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(base, 'log', 'slurmctld.log')}`, `SlurmdLogFile=${join(base, 'log', 'slurmd.log')}`,
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 Gres=gpu:2 State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`, '',
    ].join('\n'));
    const env = { ...process.env, SLURM_CONF: conf };
    start('slurmctld', '/usr/sbin/slurmctld', ['-D', '-c', '-f', conf], env);
    start('slurmd', '/usr/sbin/slurmd', ['-D', '-f', conf], env);
    await waitFor('the SLURM node to be idle', () => {
      if (children.some((c) => c.exitCode !== null)) throw new Error(`a SLURM daemon exited: ${JSON.stringify(logs).slice(-3000)}`);
      return /idle/.test(run('timeout', ['5', 'sinfo', '-h', '-o', '%t'], { env }).stdout);
    }, 60_000, 250);
    return {
      base, conf, env,
      async stop() {
        run('timeout', ['10', 'scancel', '--full', '-u', 'root'], { env });
        for (const c of [...children].reverse()) await stopProcess(c, 10_000);
        rmSync(base, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const c of [...children].reverse()) await stopProcess(c, 5_000);
    const slurmLog = existsSync(join(base, 'log', 'slurmctld.log')) ? readFileSync(join(base, 'log', 'slurmctld.log'), 'utf8').slice(-2000) : '';
    rmSync(base, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${slurmLog}`);
  }
}
