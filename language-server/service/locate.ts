// Turning the engine's origins into file locations and short descriptions (`base/exp_config.yaml:3`).
import type { Origin, Range } from '../../runner/config/nodes.js';
import type { ConfigProject } from './project.js';
import type { FileRange } from './types.js';

export function originLocation(project: ConfigProject, origin: Origin | undefined, preferKey = true): FileRange | undefined {
  if (!origin || origin.kind !== 'file') return undefined;
  const range: Range = (preferKey ? origin.keyRange : undefined) ?? origin.valueRange;
  return { path: project.absolute(origin.file), range };
}

/** 1-based line of an offset in a project file, for human-readable descriptions. */
export function lineOf(project: ConfigProject, file: string, offset: number): number {
  const text = project.source.read(file);
  if (text === undefined) return 1;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function describeOrigin(project: ConfigProject, origin: Origin | undefined): string {
  if (!origin) return 'unknown';
  if (origin.kind === 'builtin') return `Hydra default (${origin.what})`;
  if (origin.kind === 'override') return `override #${origin.index} \`${origin.text}\``;
  const at = origin.keyRange?.[0] ?? origin.valueRange[0];
  return `${origin.file}:${lineOf(project, origin.file, at)}`;
}

/** The source text a file origin's value range covers (what the user wrote there). */
export function originText(project: ConfigProject, origin: Origin | undefined): string | undefined {
  if (!origin || origin.kind !== 'file') return origin?.kind === 'override' ? origin.text : undefined;
  return project.source.read(origin.file)?.slice(origin.valueRange[0], origin.valueRange[1]);
}
