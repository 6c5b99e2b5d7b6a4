// `bait.pythonPath` -> the interpreter, one rule for the extension (which runs Hydra apps with it) and the
// language server (which reads its site-packages): the setting (relative to the workspace when it is a path),
// else the workspace's .venv (or venv), else `python3` from PATH.
import { isAbsolute, join } from 'node:path';

export function pythonFor(setting: string | undefined, workspaceRoot: string | undefined, exists: (p: string) => boolean): string {
  if (setting) return isAbsolute(setting) || !workspaceRoot || !setting.includes('/') ? setting : join(workspaceRoot, setting);
  for (const v of ['.venv', 'venv']) {
    const p = workspaceRoot && join(workspaceRoot, v, 'bin', 'python');
    if (p && exists(p)) return p;
  }
  return 'python3';
}

/** The interpreter whose files the server can read: only a path (a bare `python3` is not looked up on PATH). */
export function interpreterPath(setting: string | undefined, workspaceRoot: string | undefined, exists: (p: string) => boolean): string | undefined {
  const p = pythonFor(setting, workspaceRoot, exists);
  return isAbsolute(p) ? p : undefined;
}
