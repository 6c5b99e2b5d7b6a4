// The custom requests as plain service calls: a config composed with overrides, the runnable configs, an
// override list checked against a config, and the job count of a sweep (a sweep file, or -m overrides).
import { compose, type ComposeResult } from './engine.js';
import type { ConfigNode } from '../../runner/config/nodes.js';
import type { Override, Sweep } from '../../runner/config/overrides/types.js';
import type { ConfigProject } from './project.js';
import { jobCount, parseSweep, sweepTarget, type JobCount } from './sweep-file.js';
import type { Workspace } from './workspace.js';

export interface ConfigRequest {
  configDir: string;
  configName: string;
  overrides?: string[];
}

function projectFor(ws: Workspace, configDir: string): ConfigProject {
  return ws.project(configDir.length > 1 ? configDir.replace(/\/+$/, '') : configDir);
}

export function composeWith(ws: Workspace, req: ConfigRequest, multirun = false): { project: ConfigProject; result: ComposeResult } {
  const project = projectFor(ws, req.configDir);
  const result = compose({
    source: project.source,
    configName: req.configName.replace(/\.ya?ml$/, ''),
    overrides: req.overrides ?? [],
    versionBase: project.repository.options.versionBase ?? null,
    repository: project.repository,
    multirun,
  });
  return { project, result };
}

export function runnable(ws: Workspace, configDir?: string): { project: ConfigProject; file: string; name: string; overrides: string[] }[] {
  const projects = configDir ? [projectFor(ws, configDir)] : ws.allProjects();
  return projects.flatMap((p) => p.runnableConfigs().map((c) => ({ project: p, file: c.file, name: c.name, overrides: c.overrides })));
}

/**
 * Validates overrides as `bait run` takes them: with `multirun` (-m) sweeps are allowed and every job's shape
 * is checked once; without it a sweep value is Hydra's "Ambiguous value" error, as a single run would get.
 */
export function validate(ws: Workspace, req: ConfigRequest, multirun: boolean): { project: ConfigProject; result: ComposeResult; jobs: number | null } {
  const { project, result } = composeWith(ws, req, multirun);
  const parsedOk = !result.errors.some((e) => e.code === 'override-syntax');
  let jobs: number | null = parsedOk ? 1 : null;
  for (const o of result.sweepOverrides) {
    const n = sweepSize(project, o);
    jobs = jobs === null || n === null ? null : jobs * n;
  }
  return { project, result, jobs };
}

/** Jobs one sweep override makes under Hydra's basic sweeper; null when unbounded (`interval`). */
export function sweepSize(project: ConfigProject, o: Override): number | null {
  const s = o.value as Sweep | null;
  if (!s || !('kind' in s)) return 1;
  switch (s.kind) {
    case 'choice':
      return s.items.length;
    case 'range': {
      const num = (n: ConfigNode) => (n.kind === 'scalar' && typeof n.value === 'number' ? n.value : NaN);
      const start = num(s.start);
      const stop = num(s.stop);
      const step = num(s.step);
      if (![start, stop, step].every(Number.isFinite) || step === 0) return null;
      return Math.max(0, Math.ceil((stop - start) / step));
    }
    case 'interval':
      return null;
    case 'glob': {
      const options = project.repository.groupOptions(o.key);
      const match = (pats: string[], name: string) => pats.some((p) => globRe(p).test(name));
      return options.filter((n) => match(s.include, n) && !match(s.exclude, n)).length;
    }
  }
}

function globRe(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The job count of a sweep file, and the config it runs when found. */
export function sweepFileJobs(ws: Workspace, path: string): (JobCount & { project?: ConfigProject; config?: string }) | undefined {
  const project = ws.projectOf(path);
  const rel = project?.relative(path);
  if (!project || rel === undefined) return undefined;
  const syntax = project.syntax(rel);
  const spec = syntax && parseSweep(syntax);
  if (!spec) return undefined;
  const config = sweepTarget(project, spec, rel);
  return { ...jobCount(spec), project, ...(config ? { config } : {}) };
}
