// BAIT's W&B-style sweep files (configs/sweeps/*.yaml) read into plain data: method, metric, parameters with
// `values` / `value` / a distribution with `min` / `max` (or `mu` / `sigma`, `q`), run_cap, and the config name
// from `command: [..., --config-name=X, ...]`. Nested `parameters:` blocks flatten to dotted keys. Problems
// come back as data with the file range, never as exceptions. Values keep their YAML types (`0.` is a float),
// read with the config engine's YAML loader, so the override strings print exactly as Hydra would.
import { loadYaml } from '../config/yaml-load.js';
import type { ConfigNode, DictNode, Origin } from '../config/nodes.js';

export type SweepMethod = 'grid' | 'random' | 'bayes';

export type Distribution =
  | 'constant' | 'categorical' | 'int_uniform' | 'uniform' | 'q_uniform' | 'log_uniform' | 'log_uniform_values'
  | 'q_log_uniform_values' | 'inv_log_uniform_values' | 'normal' | 'q_normal' | 'log_normal';

export const DISTRIBUTIONS: readonly Distribution[] = ['constant', 'categorical', 'int_uniform', 'uniform', 'q_uniform', 'log_uniform',
  'log_uniform_values', 'q_log_uniform_values', 'inv_log_uniform_values', 'normal', 'q_normal', 'log_normal'];

export interface SweepParameter {
  /** Dotted config key, e.g. `model_config.model_attributes.num_layers`. */
  key: string;
  distribution: Distribution;
  /** For categorical / constant: the choices, typed as YAML read them. */
  values: ConfigNode[];
  min?: number;
  max?: number;
  mu?: number;
  sigma?: number;
  q?: number;
  /** Whether sampled numbers are ints (int_uniform, or min/max both ints with `q`). */
  integer: boolean;
  origin?: Origin;
}

export interface SweepSpec {
  file: string;
  method: SweepMethod;
  metric?: { name: string; goal: 'maximize' | 'minimize' };
  parameters: SweepParameter[];
  runCap?: number;
  name?: string;
  configName?: string;
}

export type SweepFileErrorCode = 'sweep-file-syntax' | 'sweep-file-method' | 'sweep-file-metric' | 'sweep-file-parameter';

export interface SweepFileError {
  code: SweepFileErrorCode;
  message: string;
  origin?: Origin;
}

function entry(d: DictNode, key: string): ConfigNode | undefined {
  return d.entries.get(key)?.node;
}

function str(n: ConfigNode | undefined): string | undefined {
  return n?.kind === 'scalar' && n.type === 'str' ? String(n.value) : undefined;
}

function num(n: ConfigNode | undefined): { value: number; int: boolean } | undefined {
  return n?.kind === 'scalar' && (n.type === 'int' || n.type === 'float') ? { value: Number(n.value), int: n.type === 'int' } : undefined;
}

export function parseSweepFile(text: string, file: string): { spec?: SweepSpec; errors: SweepFileError[] } {
  const loaded = loadYaml(text, file);
  const errors: SweepFileError[] = loaded.errors.map((e) => ({ code: 'sweep-file-syntax', message: e.message, origin: e.origin }));
  if (errors.length) return { errors };
  const root = loaded.node;
  if (!root || root.kind !== 'dict') return { errors: [{ code: 'sweep-file-syntax', message: 'A sweep file is a mapping with `method` and `parameters`.', origin: { kind: 'file', file, valueRange: [0, 0] } }] };

  const methodNode = entry(root, 'method');
  const method = str(methodNode) ?? 'grid';
  if (!['grid', 'random', 'bayes'].includes(method)) {
    errors.push({ code: 'sweep-file-method', message: `Unknown sweep method '${method}'. Use grid, random or bayes.`, origin: methodNode?.origin });
  }

  let metric: SweepSpec['metric'];
  const metricNode = entry(root, 'metric');
  if (metricNode?.kind === 'dict') {
    const name = str(entry(metricNode, 'name'));
    const goal = str(entry(metricNode, 'goal')) ?? 'minimize';
    if (!name) errors.push({ code: 'sweep-file-metric', message: 'metric needs a `name` (the metric logged by the runs, e.g. acc).', origin: metricNode.origin });
    else if (goal !== 'maximize' && goal !== 'minimize') errors.push({ code: 'sweep-file-metric', message: `metric.goal must be maximize or minimize, not '${goal}'.`, origin: entry(metricNode, 'goal')?.origin });
    else metric = { name, goal };
  }
  if (method === 'bayes' && !metric) {
    errors.push({ code: 'sweep-file-metric', message: 'A bayes sweep needs `metric: {name, goal}` to know what to optimise.', origin: methodNode?.origin });
  }

  const parameters: SweepParameter[] = [];
  const paramsNode = entry(root, 'parameters');
  if (!paramsNode || paramsNode.kind !== 'dict' || paramsNode.entries.size === 0) {
    errors.push({ code: 'sweep-file-parameter', message: 'The sweep has no `parameters`; list the config keys to sweep with their `values` or `min`/`max`.', origin: paramsNode?.origin ?? { kind: 'file', file, valueRange: [0, 0] } });
  } else {
    collectParameters(paramsNode, '', parameters, errors);
  }

  let configName: string | undefined;
  const command = entry(root, 'command');
  if (command?.kind === 'list') {
    for (const item of command.items) {
      const s = str(item);
      const m = s ? /^--config-name=(.+)$/.exec(s) : null;
      if (m) configName = m[1];
    }
  }
  const runCap = num(entry(root, 'run_cap'));
  if (errors.length) return { errors };
  return {
    spec: { file, method: method as SweepMethod, ...(metric ? { metric } : {}), parameters, ...(runCap ? { runCap: runCap.value } : {}),
      ...(str(entry(root, 'name')) ? { name: str(entry(root, 'name')) } : {}), ...(configName ? { configName } : {}) },
    errors,
  };
}

function collectParameters(node: DictNode, prefix: string, out: SweepParameter[], errors: SweepFileError[]): void {
  for (const e of node.entries.values()) {
    const key = prefix + String(e.key);
    const p = e.node;
    const where = e.keyOrigin ?? p.origin;
    if (p.kind !== 'dict') {
      errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}' must be a mapping with \`values\`, \`value\` or \`min\`/\`max\`.`, origin: where });
      continue;
    }
    const nested = entry(p, 'parameters');
    if (nested?.kind === 'dict') { collectParameters(nested, `${key}.`, out, errors); continue; }
    const values = entry(p, 'values');
    const value = entry(p, 'value');
    const dist = str(entry(p, 'distribution'));
    const [min, max, mu, sigma, q] = ['min', 'max', 'mu', 'sigma', 'q'].map((k) => num(entry(p, k)));
    if (dist && !DISTRIBUTIONS.includes(dist as Distribution)) {
      errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}': unknown distribution '${dist}'. Use one of ${DISTRIBUTIONS.join(', ')}.`, origin: entry(p, 'distribution')?.origin });
      continue;
    }
    if (values) {
      if (values.kind !== 'list' || values.items.length === 0) {
        errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}': \`values\` must be a non-empty list.`, origin: values.origin });
        continue;
      }
      out.push({ key, distribution: 'categorical', values: values.items, integer: false, origin: where });
    } else if (value) {
      out.push({ key, distribution: 'constant', values: [value], integer: false, origin: where });
    } else if (min && max) {
      if (min.value > max.value) {
        errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}': min (${min.value}) is greater than max (${max.value}).`, origin: where });
        continue;
      }
      const d = (dist as Distribution | undefined) ?? (min.int && max.int ? 'int_uniform' : 'uniform');
      if (/log/.test(d) && d !== 'log_uniform' && min.value <= 0) {
        errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}': ${d} needs min > 0.`, origin: where });
        continue;
      }
      out.push({ key, distribution: d, values: [], min: min.value, max: max.value, ...(q ? { q: q.value } : {}),
        integer: d === 'int_uniform' || (!!q && q.int && min.int && max.int), origin: where });
    } else if (mu || sigma || dist === 'normal' || dist === 'log_normal' || dist === 'q_normal') {
      out.push({ key, distribution: (dist as Distribution | undefined) ?? 'normal', values: [], mu: mu?.value ?? 0, sigma: sigma?.value ?? 1,
        ...(q ? { q: q.value } : {}), integer: false, origin: where });
    } else {
      errors.push({ code: 'sweep-file-parameter', message: `Parameter '${key}' needs \`values\`, \`value\`, or \`min\` and \`max\`.`, origin: where });
    }
  }
}
