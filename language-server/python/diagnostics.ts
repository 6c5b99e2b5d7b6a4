// Diagnostics on a composed `_target_` node whose target is Python, only where they are certain: a module or
// name that does not exist (its module is readable), a key the callable does not take (no `**kwargs`), a
// required parameter no config sets (unless `_partial_: true` or `_args_` fills it).
import type { DictNode } from '../../runner/config/nodes.js';
import type { Diagnostic, Range } from '../service/types.js';
import { INSTANTIATE_KEYS } from '../service/targets.js';
import type { Value } from './resolve.js';
import type { PythonTargets } from './targets.js';

type Add = (file: string, d: Diagnostic) => void;

/** What the Python side made of a target: found (checked), missing (reported), unknown (left alone). */
export type PythonVerdict = 'found' | 'missing' | 'unknown';

export function checkPythonTarget(py: PythonTargets, node: DictNode, name: string, add: Add, configName: string): PythonVerdict {
  const target = node.entries.get('_target_')!.node;
  const o = target.origin;
  if (o?.kind !== 'file') return 'unknown';
  const r = py.lookup(name);
  if (r.kind === 'unknown') return 'unknown';
  const valueRange: Range = [o.valueRange[0], o.valueRange[1]];
  if (r.kind === 'missing') {
    const parts = name.split('.');
    const missing = parts[r.at]!;
    const held = parts.slice(0, r.at).join('.');
    const options = py.complete(held + '.').map((i) => i.label.slice(held.length + 1));
    // The wrong segment's range in the written value (quotes and spacing aside).
    const written = parts.slice(0, r.at).join('.').length + (r.at > 0 ? 1 : 0);
    const text = valueText(o.valueRange, name);
    const start = o.valueRange[0] + text + written;
    add(o.file, {
      range: valueRange, severity: 'warning', code: 'unknown-target',
      message: `\`${name}\`: ${describeParent(r.parent, held)} has no \`${missing}\`${whereOf(py, r.parent)}. Check the name${options.length ? ', or pick one of its names' : ''}.`,
      ...(options.length ? { data: { options, replace: [start, start + missing.length] as Range } } : {}),
    });
    return 'missing';
  }
  const v = r.value;
  if (v.kind === 'module') {
    add(o.file, { range: valueRange, severity: 'warning', code: 'target-not-callable',
      message: `\`${name}\` is a module, not a class or function: Hydra cannot call it. Name a class or function in it.` });
    return 'found';
  }
  const sig = py.signature(name);
  if (!sig) return 'found';
  const keyword = new Set(sig.params.filter((p) => p.kind === 'positional' || p.kind === 'keyword-only').map((p) => p.name));
  for (const [k, e] of node.entries) {
    if (INSTANTIATE_KEYS.has(k) || keyword.has(k) || sig.varKeyword) continue;
    const ko = e.keyOrigin ?? e.node.origin;
    if (ko?.kind !== 'file') continue;
    const range: Range = ko.keyRange ? [ko.keyRange[0], ko.keyRange[1]] : [ko.valueRange[0], ko.valueRange[1]];
    const accepted = [...keyword];
    add(ko.file, {
      range, severity: 'warning', code: 'unknown-target-param',
      message: `\`${sig.owner}\` takes no parameter \`${k}\`${accepted.length ? `; it takes ${accepted.map((p) => `\`${p}\``).join(', ')}` : ' (it takes no keyword arguments)'}.`,
      ...(accepted.length ? { data: { options: accepted, replace: range } } : {}),
    });
  }
  if (isTrue(node, '_partial_')) return 'found';
  // A parameter the app's own code passes (`instantiate(cfg.model, net=net)`) is not the config's to set; until
  // the crawl has read the whole workspace that is not known, and `**extra` or extra positionals may pass any.
  const passed = py.index.callArgs();
  if (!passed || passed.has('*') || passed.has('**')) return 'found';
  const args = node.entries.get('_args_')?.node;
  const positional = args?.kind === 'list' ? args.items.length : 0;
  if (args && args.kind !== 'list') return 'found';
  let index = 0;
  const unset: string[] = [];
  for (const p of sig.params) {
    if (p.kind === 'var-positional' || p.kind === 'var-keyword') continue;
    const byPosition = p.kind !== 'keyword-only' && index++ < positional;
    if (p.default !== undefined || byPosition || node.entries.has(p.name) || passed.has(p.name)) continue;
    unset.push(p.name);
  }
  if (unset.length) {
    add(o.file, {
      range: valueRange, severity: 'warning', code: 'missing-target-param',
      message: `\`${sig.owner}\` requires ${unset.map((p) => `\`${p}\``).join(', ')}, which \`${configName}\` does not set: add ${unset.length === 1 ? 'it' : 'them'} under this node (or \`_partial_: true\` to pass ${unset.length === 1 ? 'it' : 'them'} later).`,
    });
  }
  return 'found';
}

function isTrue(node: DictNode, key: string): boolean {
  const v = node.entries.get(key)?.node;
  return v?.kind === 'scalar' && v.value === true;
}

/** Characters before the name inside the written value (an opening quote). */
function valueText(range: readonly [number, number], name: string): number {
  return range[1] - range[0] > name.length ? 1 : 0;
}

function describeParent(v: Value, held: string): string {
  if (v.kind === 'module') return `module \`${held}\``;
  if (v.kind === 'class') return `class \`${held}\``;
  return `\`${held}\``;
}

function whereOf(py: PythonTargets, v: Value): string {
  const loc = py.location(v);
  return loc ? ` (${py.display(loc.path)})` : '';
}
