// Getting an SSH host ready to run jobs (shared by the ssh launcher and the slurm launcher's login host): check
// Node and free space in one round trip, then sync the runner bundle, the config dir and the workspace with rsync.
// Returns where everything lives on the host, and the runner invocation with remote paths.
import { createHash } from 'node:crypto';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { RemoteError } from '../../remote/errors.js';
import { rsyncPush } from '../../remote/rsync.js';
import { sshCheck, type SshTarget } from '../../remote/ssh.js';
import type { LaunchContext, RunnerInvocation } from '../types.js';
import { DEFAULT_EXCLUDES, hostLabel, targetOf, type SshHostConfig, type SshLauncherConfig } from './config.js';
import { preflightScript } from './scripts.js';

const MIN_NODE_MAJOR = 20;

export interface PreparedSshHost {
  cfg: SshHostConfig;
  label: string;
  target: SshTarget;
  /** Absolute remote project dir: <work_dir>/<workspace name>-<hash>. */
  root: string;
  runner: RunnerInvocation;
  /** The sweep directory's counterpart on the host. */
  sweepDir: string;
}

/** Relative path of `p` under `root`, or null when it is outside. */
export function inside(root: string, p: string): string | null {
  const rel = relative(root, p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

export async function prepareSshHost(h: SshHostConfig, opts: Pick<SshLauncherConfig, 'sync' | 'exclude' | 'min_free_mb'>, ctx: LaunchContext, workspace: string): Promise<PreparedSshHost> {
  const label = hostLabel(h);
  const target = targetOf(h);
  const node = h.node ?? 'node';
  const project = `${basename(workspace) || 'workspace'}-${createHash('sha256').update(workspace).digest('hex').slice(0, 8)}`;
  const workDir = `${h.work_dir.replace(/\/+$/, '')}/${project}`;

  const pre = await sshCheck(target, preflightScript(workDir, node), `preparing ${workDir}`, { timeoutMs: 120_000 });
  const kv = Object.fromEntries(pre.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const root = kv.dir;
  if (!root) throw new RemoteError('command-failed', label, `preparing ${workDir} on ${label}: could not create or enter it (${pre.stderr.trim() || 'no output'})`);
  const major = /^v(\d+)\./.exec(kv.node ?? '')?.[1];
  if (!kv.node || !major) {
    throw new RemoteError('no-node', label, `host ${label} has no usable \`${node}\` for non-interactive SSH sessions (PATH=${kv.path ?? '?'}). `
      + `Install Node.js >= ${MIN_NODE_MAJOR} there, or set this host's \`node\` to the full path of its node executable.`);
  }
  if (Number(major) < MIN_NODE_MAJOR) {
    throw new RemoteError('no-node', label, `host ${label} has Node ${kv.node}; BAIT's runner needs Node >= ${MIN_NODE_MAJOR}. Install a newer Node there or set this host's \`node\` to one.`);
  }
  const freeKb = Number(kv.free_kb);
  const minMb = opts.min_free_mb ?? 50;
  if (Number.isFinite(freeKb) && freeKb < minMb * 1024) {
    throw new RemoteError('disk-full', label, `host ${label}: only ${Math.floor(freeKb / 1024)} MB free in ${root} (at least ${minMb} MB needed). `
      + 'Free space there or point the host\'s work_dir at a larger disk; nothing was copied and no local file was changed.');
  }

  // The runner bundle (dist/) goes to <root>/.bait/<bundle dir name>; the workspace keeps its layout under <root>.
  const bundleDir = dirname(resolve(ctx.runner.script));
  await rsyncPush(target, dirname(bundleDir), [basename(bundleDir)], `${root}/.bait`,
    ['extension.js*', 'server.js*', 'webview/', '*.vsix', '*.map']);
  const configDir = resolve(ctx.runner.configDir);
  const configRel = inside(workspace, configDir);
  const sync = opts.sync ?? true;
  if (sync === true) {
    await rsyncPush(target, workspace, ['.'], root, [...DEFAULT_EXCLUDES, ...(opts.exclude ?? [])]);
  } else {
    const paths = [...(configRel ? [configRel] : []), ...(sync === false ? [] : sync)];
    if (paths.length) await rsyncPush(target, workspace, paths, root, opts.exclude ?? []);
  }
  if (!configRel) await rsyncPush(target, dirname(configDir), [basename(configDir)], `${root}/.bait/configs`);

  const sweepRel = inside(workspace, resolve(ctx.sweepDir));
  return {
    cfg: h, label, target, root,
    runner: {
      ...ctx.runner, node,
      script: `${root}/.bait/${basename(bundleDir)}/${basename(ctx.runner.script)}`,
      configDir: configRel ? `${root}/${configRel}` : `${root}/.bait/configs/${basename(configDir)}`,
    },
    sweepDir: sweepRel ? `${root}/${sweepRel}` : `${root}/.bait/sweeps/${basename(ctx.sweepDir)}`,
  };
}
