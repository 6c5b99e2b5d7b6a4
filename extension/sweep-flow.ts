// Launch Sweep from the command palette: pick a config, then keys (offered from the composed config) and values
// in Hydra's override grammar, each validated by the language server as it is typed, with the job count; then a
// launcher or host; then confirm. The sweep runs in a terminal as `bait run <config> -m <overrides...>`.
import * as vscode from 'vscode';
import type { ComposedNode, ConfigRef } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import type { HostRegistry } from './hosts.js';

/** Dotted key paths of a composed config with their values as short text, for the key picker. */
export function flattenKeys(node: ComposedNode | null, prefix = '', out: { key: string; value: string }[] = []):
    { key: string; value: string }[] {
  if (!node) return out;
  if (node.kind === 'dict') {
    for (const e of node.entries) flattenKeys(e.node, prefix ? `${prefix}.${e.key}` : e.key, out);
  } else if (prefix) {
    const value = node.kind === 'scalar' ? (node.type === 'missing' ? '???' : String(node.value))
      : `[${node.items.length} items]`;
    out.push({ key: prefix, value });
  }
  return out;
}

export interface SweepPlan {
  config: ConfigRef;
  overrides: string[];
  jobs: number | null;
  launcher: string;
  host?: string;
}

/** The override list with `key=value` replaced when the key is already there. */
export function setOverride(list: string[], key: string, values: string): string[] {
  const out = list.filter((o) => o.split('=')[0].replace(/^\+{1,2}/, '') !== key);
  out.push(`${key}=${values}`);
  return out;
}

export async function validateOverrideList(client: BaitClient, config: ConfigRef, overrides: string[]):
    Promise<{ error?: string; jobs: number | null }> {
  try {
    const r = await client.validateOverrides({ ...config, overrides, multirun: true });
    if (!r) return { jobs: null };
    if (!r.valid) return { error: r.errors.map((e) => e.message).join(' · ') || 'invalid override', jobs: r.jobs };
    return { jobs: r.jobs };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), jobs: null };
  }
}

export async function sweepFlow(client: BaitClient, hosts: HostRegistry, config: ConfigRef): Promise<SweepPlan | undefined> {
  let keys: { key: string; value: string }[] = [];
  try {
    keys = flattenKeys((await client.composedConfig(config))?.config ?? null);
  } catch { /* no server: the user types keys by hand */ }
  let overrides: string[] = [];
  let jobs: number | null = 1;
  for (;;) {
    const DONE = '$(check) Done';
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { key?: string }>();
    qp.title = `Sweep ${config.configName}: pick a key to sweep (${jobs ?? '?'} jobs so far)`;
    qp.placeholder = 'a key of the composed config, or type one (e.g. +trainer.seed)';
    qp.items = [
      ...(overrides.length ? [{ label: DONE, description: `${overrides.join(' ')} → ${jobs ?? '?'} jobs` }] : []),
      ...keys.map((k) => ({ label: k.key, description: k.value, key: k.key })),
    ];
    const key = await new Promise<string | undefined>((resolveP) => {
      qp.onDidAccept(() => {
        const sel = qp.selectedItems[0];
        resolveP(sel ? (sel.label === DONE ? DONE : sel.key ?? sel.label) : qp.value.trim() || undefined);
        qp.hide();
      });
      qp.onDidHide(() => resolveP(undefined));
      qp.show();
    });
    qp.dispose();
    if (key === undefined) return undefined;
    if (key === DONE) break;
    let lastJobs: number | null = jobs;
    const values = await vscode.window.showInputBox({
      title: `Values for ${key}`,
      prompt: 'Hydra sweep syntax: a,b,c · range(1,5) · choice(x,y) · interval(0,1)',
      placeHolder: '0.1,0.01',
      validateInput: async (v) => {
        if (!v.trim()) return 'Enter at least one value.';
        const r = await validateOverrideList(client, config, setOverride(overrides, key, v.trim()));
        lastJobs = r.jobs;
        if (r.error) return r.error;
        return { message: `${r.jobs ?? '?'} jobs`, severity: vscode.InputBoxValidationSeverity.Info };
      },
    });
    if (values === undefined) continue;
    overrides = setOverride(overrides, key, values.trim());
    const r = await validateOverrideList(client, config, overrides);
    jobs = r.jobs ?? lastJobs;
  }
  const current = hosts.current();
  const launchers = [
    { label: 'local', description: 'parallel processes on this machine', launcher: 'local' },
    { label: 'basic', description: 'one job after the other on this machine', launcher: 'basic' },
    ...hosts.all().filter((h) => h.ssh).map((h) => ({ label: h.name, description: h.detail, launcher: 'ssh', host: h.name })),
  ];
  launchers.sort((a, b) => Number(('host' in b && b.host === current.name)) - Number(('host' in a && a.host === current.name)));
  const launcher = await vscode.window.showQuickPick(launchers, { title: 'Where should the jobs run?' });
  if (!launcher) return undefined;
  const confirm = await vscode.window.showQuickPick(
    [{ label: `Launch ${jobs ?? '?'} jobs`, go: true }, { label: 'Cancel', go: false }],
    { title: `bait run ${config.configName} -m ${overrides.join(' ')}` });
  if (!confirm?.go) return undefined;
  return { config, overrides, jobs, launcher: launcher.launcher, host: 'host' in launcher ? launcher.host : undefined };
}

/** The runner's argv for a sweep plan; an SSH host adds its settings as the ssh launcher's hosts. */
export function sweepArgs(p: SweepPlan, hostOverride?: string): string[] {
  return ['run', p.config.configName, '-m', ...p.overrides, `hydra/launcher=${p.launcher}`,
    ...(p.launcher === 'ssh' && hostOverride ? [`hydra.launcher.hosts=${hostOverride}`] : []),
    '--config-dir', p.config.configDir];
}
