// Completion items from the workspace's Python: `_target_` paths and the parameters of a node's target.
import type { CompletionItem, Range } from '../service/types.js';
import type { PythonTargets } from './targets.js';

/** `_target_` values: what can follow the typed prefix (modules, classes, functions). */
export function pythonTargetItems(python: PythonTargets, prefix: string, replace: Range): CompletionItem[] {
  const typed = prefix.replace(/^['"]/, '');
  return python.complete(typed).map((i) => ({
    label: i.label, kind: 'target' as const, detail: i.detail, replace,
    ...(i.documentation ? { documentation: i.documentation } : {}),
    // Modules continue with a dot; classes and functions come first.
    sortText: `${i.kind === 'module' ? '3' : '2'}${i.label}`,
    ...(i.kind === 'module' ? { insertText: i.label } : {}),
  }));
}

/** The parameters the target takes (required ones first), with annotation, default and docstring line. */
export function pythonParameterItems(python: PythonTargets, target: string, replace: Range): CompletionItem[] {
  const sig = python.signature(target);
  if (!sig) return [];
  const out: CompletionItem[] = [];
  for (const p of sig.params) {
    if (p.kind === 'var-positional' || p.kind === 'var-keyword' || p.kind === 'positional-only') continue;
    const { detail, documentation } = python.parameterItem(sig, p, target);
    out.push({ label: p.name, kind: 'key', detail, documentation, insertText: `${p.name}: `, replace,
      sortText: `${p.default === undefined ? '0' : '1'}${String(out.length).padStart(3, '0')}` });
  }
  return out;
}
