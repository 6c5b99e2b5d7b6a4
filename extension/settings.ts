// The extension's settings (contributes.configuration in package.json), read in one place. Relative paths are
// relative to each workspace folder.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pythonFor } from './apps/detect.js';

export interface SshHostSetting {
  name?: string;
  host: string;
  port?: number;
  user?: string;
  work_dir?: string;
  gpus?: number | (number | string)[];
  identity_file?: string;
  /** A known_hosts file for this host (host keys are always checked strictly). */
  known_hosts?: string;
}

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('bait');
}

function folders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

function absolute(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (isAbsolute(p)) out.push(p);
    else for (const f of folders()) out.push(join(f, p));
  }
  return [...new Set(out)];
}

export const settings = {
  configDirs: (): string[] => absolute(section().get<string[]>('configDirs') ?? ['configs', 'conf']),
  configDirNames: (): string[] => section().get<string[]>('configDirs') ?? ['configs', 'conf'],
  runsRoots: (): string[] => absolute(section().get<string[]>('runsRoots') ?? ['runs', 'outputs', 'multirun']),
  /** The Node executable for runs; the plain name `node` is looked up on PATH by the terminal. */
  nodePath: (): string => section().get<string>('nodePath') || 'node',
  sshHosts: (): SshHostSetting[] => (section().get<SshHostSetting[]>('sshHosts') ?? []).filter((h) => h && typeof h.host === 'string'),
  workspaceRoot: (): string | undefined => folders()[0],
  /**
   * The interpreter whose site-packages the language server reads: `bait.pythonPath` (as Hydra apps use it),
   * else the workspace's .venv; undefined when neither is a file path (a bare `python3` is not read).
   */
  pythonPath: (): string | undefined => {
    const p = pythonFor(section().get<string>('pythonPath') || undefined, folders()[0], existsSync);
    return isAbsolute(p) ? p : undefined;
  },
  versionBase: (): string => section().get<string>('versionBase') || '1.3',
  /** `bait.diagnostics.<code>` as `{ code: severity }`. */
  diagnostics: (): Record<string, string> => ({ ...(section().get<Record<string, string>>('diagnostics') ?? {}) }),
};
