// Which app runs a config dir's configs: the `bait.apps` setting (config dir -> command, resume template), else a
// Python file of the workspace whose `@hydra.main(config_path=..., config_name=...)` points at that config dir.
// The interpreter is `bait.pythonPath`, else the workspace's .venv, else `python3` on PATH. Plain functions (no
// vscode), so they are tested on their own; extension/apps/registry.ts feeds them the workspace.
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

export interface AppSetting {
  /** The config dir, relative to the workspace folder or absolute. */
  configDir: string;
  /** The app command, e.g. `python src/train.py`; a leading `python`/`python3` becomes the chosen interpreter. */
  command: string;
  /** Resume overrides with {ckpt}, {dir} and {id}, for apps without `ckpt_path` or BAIT's keys. */
  resume?: string;
}

export interface HydraMain {
  /** The Python file (absolute). */
  file: string;
  /** The config dir its config_path names (absolute). */
  configDir: string;
  configName?: string;
  versionBase?: string;
}

export interface AppChoice {
  command: string;
  resume?: string;
  versionBase?: '1.1';
  /** Where it came from, for messages: the setting, or the Python file that was found. */
  source: string;
}

/** A word for the app command line (split later like shell words, never run by a shell). */
export function commandWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** Every `@hydra.main(...)` of a Python file's text, with the config dir it names resolved from the file's folder. */
export function parseHydraMains(file: string, text: string): HydraMain[] {
  const out: HydraMain[] = [];
  for (const m of text.matchAll(/@hydra\.main\(([^)]*)\)/g)) {
    const args = m[1]!;
    const arg = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*(?:r?"([^"]*)"|r?'([^']*)')`).exec(args)?.slice(1).find((x) => x !== undefined);
    const configPath = arg('config_path');
    if (configPath === undefined) continue; // Hydra then has no primary config dir to match
    out.push({ file, configDir: resolve(dirname(file), configPath), configName: arg('config_name'), versionBase: arg('version_base') });
  }
  return out;
}

/** The interpreter (shared with the language server, which reads its site-packages). */
export { pythonFor } from '../../language-server/python/interpreter.js';

/** The app for a config dir, or undefined when its configs are ours to run. */
export function appFor(configDir: string, opts: { settings: AppSetting[]; mains: HydraMain[]; python: string; workspaceRoot: string }): AppChoice | undefined {
  const dir = resolve(configDir);
  const set = opts.settings.find((s) => resolve(opts.workspaceRoot, s.configDir) === dir);
  if (set) {
    const command = set.command.replace(/^(python3?)(?=\s|$)/, () => commandWord(opts.python));
    return { command, ...(set.resume ? { resume: set.resume } : {}), source: 'the setting bait.apps' };
  }
  const main = opts.mains.find((m) => m.configDir === dir);
  if (!main) return undefined;
  const script = relative(opts.workspaceRoot, main.file);
  return {
    command: `${commandWord(opts.python)} ${commandWord(script.startsWith('..') ? main.file : script)}`,
    ...(main.versionBase === '1.1' ? { versionBase: '1.1' as const } : {}),
    source: script,
  };
}

/** `bait` arguments that run a config with its app: appended to a `run` command that names its config dir. */
export function withAppArgs(args: string[], lookup: (configDir: string) => AppChoice | undefined): string[] {
  if (args[0] !== 'run' || args.includes('--app')) return args;
  const i = args.indexOf('--config-dir');
  const configDir = i >= 0 ? args[i + 1] : undefined;
  const app = configDir ? lookup(configDir) : undefined;
  if (!app) return args;
  return [...args, '--app', app.command, ...(app.resume ? ['--app-resume', app.resume] : []),
    ...(app.versionBase && !args.includes('--version-base') ? ['--version-base', app.versionBase] : [])];
}
