// CodeLenses: "Run Experiment", "Run with Overrides…", "Sweep…" and "Show Composed Config" on runnable configs; "Launch Sweep (N jobs)"
// on sweep files. Titles and arguments are plain data; the extension registers the commands.
import { Commands } from '../protocol.js';
import type { ConfigProject } from './project.js';
import { jobCount, parseSweep, sweepTarget } from './sweep-file.js';
import type { CodeLens, Range } from './types.js';

export function codeLenses(project: ConfigProject, rel: string): CodeLens[] {
  const syntax = project.syntax(rel);
  if (!syntax) return [];
  const range: Range = syntax.header?.range ?? [0, 0];
  const uri = project.absolute(rel);
  if (project.isSweepFile(rel)) {
    const spec = parseSweep(syntax);
    if (!spec) return [];
    const count = jobCount(spec);
    const target = sweepTarget(project, spec, rel);
    const title = count.jobs === null ? `Launch Sweep (${count.detail})` : `Launch Sweep (${count.jobs} job${count.jobs === 1 ? '' : 's'})`;
    const arg = { configDir: project.root, file: uri, jobs: count.jobs,
      ...(target ? { config: { configDir: project.root, configName: target.replace(/\.ya?ml$/, '') } } : {}) };
    return [{ range, title, command: Commands.launchSweepFile, arguments: [arg] }];
  }
  const c = project.composition(rel);
  if (!c.runnable) return [];
  const arg = { configDir: project.root, configName: c.name, file: uri, ...(c.overrides.length ? { overrides: c.overrides } : {}) };
  return [
    { range, title: 'Run Experiment', command: Commands.runExperiment, arguments: [arg] },
    { range, title: 'Run with Overrides…', command: Commands.runWithOverrides, arguments: [arg] },
    { range, title: 'Sweep…', command: Commands.launchSweep, arguments: [arg] },
    { range, title: 'Show Composed Config', command: Commands.showComposedConfig, arguments: [arg] },
  ];
}
