// BAIT's W&B-style sweep specifications (`sweeps/*.yaml`): which config they sweep, which keys, and how many
// jobs they make. Grid sweeps make one job per combination of `values`; random and bayes sweeps run until
// `run_cap` (W&B's name for the job budget), or over the grid when every parameter is a list of values.
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Range } from '../../runner/config/nodes.js';
import type { ConfigProject } from './project.js';
import type { FileSyntax } from './yaml-syntax.js';

export interface SweepParameter {
  key: string;
  keyRange: Range;
  /** Number of discrete values, or undefined for a distribution (min/max). */
  count?: number;
}

export interface SweepSpec {
  method: string;
  parameters: SweepParameter[];
  runCap?: number;
  /** `--config-name=X` from the `command` list, with the range of X. */
  configName?: { text: string; range: Range };
}

export interface JobCount {
  /** Jobs the sweep launches, or null when it is unbounded (a distribution without `run_cap`). */
  jobs: number | null;
  detail: string;
}

export function parseSweep(syntax: FileSyntax): SweepSpec | undefined {
  const root = syntax.doc.contents;
  if (!isMap(root)) return undefined;
  const get = (m: { items: unknown[] }, key: string) => (m.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key);
  const params = get(root, 'parameters');
  if (!params) return undefined;
  const method = get(root, 'method');
  const spec: SweepSpec = { method: isScalar(method?.value) ? String(method!.value.value) : 'grid', parameters: [] };
  if (isMap(params.value)) {
    for (const p of params.value.items as Pair<Node, Node | null>[]) {
      if (!isScalar(p.key) || !p.key.range) continue;
      const param: SweepParameter = { key: String(p.key.value), keyRange: [p.key.range[0], p.key.range[1]] };
      if (isMap(p.value)) {
        const values = get(p.value, 'values');
        const value = get(p.value, 'value');
        if (values && isSeq(values.value)) param.count = values.value.items.length;
        else if (value) param.count = 1;
      }
      spec.parameters.push(param);
    }
  }
  const cap = get(root, 'run_cap');
  if (isScalar(cap?.value) && Number.isInteger(Number(cap!.value.value))) spec.runCap = Number(cap!.value.value);
  const command = get(root, 'command');
  if (isSeq(command?.value)) {
    for (const item of command!.value.items as Node[]) {
      if (!isScalar(item) || typeof item.value !== 'string' || !item.range) continue;
      const m = /^--config-name[= ](.+)$/.exec(item.value);
      if (!m) continue;
      const raw = syntax.text.slice(item.range[0], item.range[1]);
      const at = raw.indexOf(m[1]!);
      const start = item.range[0] + Math.max(0, at);
      spec.configName = { text: m[1]!, range: [start, start + m[1]!.length] };
    }
  }
  return spec;
}

export function jobCount(spec: SweepSpec): JobCount {
  const counts = spec.parameters.map((p) => p.count);
  const grid = counts.every((c) => c !== undefined) ? counts.reduce<number>((a, c) => a * c!, 1) : undefined;
  if (spec.method === 'grid') {
    if (grid === undefined) return { jobs: null, detail: 'a grid sweep needs `values` for every parameter' };
    return { jobs: grid, detail: `grid of ${counts.join(' × ') || '1'}` };
  }
  if (spec.runCap !== undefined) return { jobs: spec.runCap, detail: `${spec.method}, run_cap ${spec.runCap}` };
  if (grid !== undefined) return { jobs: grid, detail: `${spec.method} over a grid of ${counts.join(' × ') || '1'}` };
  return { jobs: null, detail: `${spec.method} with a distribution and no run_cap` };
}

/**
 * The config a sweep runs: `--config-name` when it names a config, else the runnable config whose path ends
 * with the name's parts (`hol4_transformer` -> `premise_selection/hol4/transformer.yaml`).
 */
export function sweepTarget(project: ConfigProject, spec: SweepSpec, rel: string): string | undefined {
  const name = spec.configName?.text ?? rel.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  for (const ext of ['.yaml', '.yml']) if (project.source.read(name + ext) !== undefined && !project.isSweepFile(name + ext)) return name + ext;
  const flat = name.replace(/[\/_]/g, '_');
  const candidates = project.runnableConfigs().filter((c) => c.name.replace(/[\/_]/g, '_').endsWith(flat));
  return candidates.sort((a, b) => a.name.length - b.name.length)[0]?.file;
}
