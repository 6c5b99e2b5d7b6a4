// Hydra's version_base for a config dir, read from the workspace's entry points the way Hydra takes it:
// `@hydra.main(config_path=..., version_base=...)` and `initialize(...)`/`initialize_config_dir(...)` name the
// config dir they compose from. No `version_base` argument means Hydra 1.1 behaviour (Hydra warns about it);
// `None` means the installed Hydra's own (1.3 here); "1.2" and later behave as 1.3 for composition.
import type { HydraEntryPoint, PyModuleSummary } from './model.js';

/** What the config engine takes: '1.1' or null (1.3). */
export type EngineVersionBase = '1.1' | null;

export interface VersionBaseSource {
  versionBase: EngineVersionBase;
  /** `train.py:6` (the entry point) or `setting`. */
  from: string;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part && part !== '.') out.push(part);
  }
  return '/' + out.join('/');
}

/** The config dir an entry point composes from, when it names one on disk. */
function configDirOf(file: string, e: HydraEntryPoint): string | undefined {
  if (e.configPath === undefined || e.call === 'initialize_config_module' || e.call === 'compose') return undefined;
  if (e.configPath.startsWith('pkg://')) return undefined;
  const dir = file.slice(0, file.lastIndexOf('/'));
  return normalize(e.configPath.startsWith('/') ? e.configPath : `${dir}/${e.configPath}`);
}

function fromArg(e: HydraEntryPoint): EngineVersionBase | undefined {
  if (e.versionBase.kind === 'absent') return '1.1';
  if (e.versionBase.kind === 'dynamic') return undefined;
  const v = e.versionBase.value;
  if (v === null) return null;
  const [major, minor] = v.split('.').map(Number);
  return major === 1 && (minor ?? 0) <= 1 ? '1.1' : null;
}

/**
 * The version_base for `configDir`: the first entry point (by file path) that composes from it and states a
 * readable one, else the setting.
 */
export function versionBaseFor(configDir: string, entries: { file: string; summary: PyModuleSummary }[], setting: EngineVersionBase): VersionBaseSource {
  const want = normalize(configDir);
  for (const { file, summary } of entries) {
    for (const e of summary.entryPoints) {
      if (configDirOf(file, e) !== want) continue;
      const v = fromArg(e);
      if (v !== undefined) return { versionBase: v, from: `${file}` };
    }
  }
  return { versionBase: setting, from: 'setting' };
}
