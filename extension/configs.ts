// Which config a command is about: the CodeLens argument, a file URI (the active editor), or the user's pick from
// the runnable configs the server knows (falling back to the YAML files under the config dirs).
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ConfigCommandArgs, ConfigRef } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import { settings } from './settings.js';

/** The config dir that holds a file and the file's Hydra config name, e.g. `premise_selection/mizar40/gnn`. */
export function configRefOfFile(file: string, configDirs: string[]): ConfigRef | undefined {
  for (const dir of configDirs) {
    const rel = relative(dir, file);
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep) && /\.ya?ml$/.test(rel)) {
      return { configDir: dir, configName: rel.split(sep).join('/').replace(/\.ya?ml$/, '') };
    }
  }
  return undefined;
}

function listYaml(dir: string, base = dir, out: ConfigRef[] = []): ConfigRef[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'hydra' && e.name !== 'sweeps') listYaml(p, base, out);
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push({ configDir: base, configName: relative(base, p).split(sep).join('/').replace(/\.ya?ml$/, '') });
  }
  return out;
}

export async function resolveConfig(arg: unknown, client: BaitClient): Promise<ConfigRef | undefined> {
  if (arg && typeof arg === 'object' && 'configName' in arg && 'configDir' in arg) {
    const a = arg as ConfigCommandArgs;
    return { configDir: a.configDir, configName: a.configName };
  }
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (uri?.scheme === 'file') {
    const ref = configRefOfFile(uri.fsPath, settings.configDirs());
    if (ref && arg instanceof vscode.Uri) return ref;
  }
  return pickConfig(client);
}

export async function pickConfig(client: BaitClient): Promise<ConfigRef | undefined> {
  let configs: ConfigRef[] | undefined;
  try {
    configs = await client.runnableConfigs();
  } catch {
    configs = undefined;
  }
  if (!configs || configs.length === 0) configs = settings.configDirs().filter(existsSync).flatMap((d) => listYaml(d));
  if (configs.length === 0) {
    void vscode.window.showErrorMessage('BAIT: no configs found. Add YAML configs under a folder named in the setting bait.configDirs (default: configs/).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(configs.map((c) => ({ label: c.configName, description: c.configDir, ref: c })),
    { title: 'Pick a config', placeHolder: 'config name', matchOnDescription: true });
  return pick?.ref;
}
