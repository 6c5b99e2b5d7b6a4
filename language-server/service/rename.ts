// Rename, across the config tree:
// - a key (at the key, or at a segment of a `${...}` naming it): every file that sets the same composed path
//   (where its package puts it), every interpolation that names it, absolute or relative, plain or as the key
//   of `${oc.select:key,default}`, the keys of `hydra.sweeper.params` (override keys: `model.lr`, `+model.x`),
//   and the keys of sweep files' parameters;
// - a config file or group option (at a defaults entry naming it): the file itself and every defaults entry
//   in every file that selects it (`- model: mnist`, `override /model: mnist`, `[a, mnist]`, `- /model/mnist`).
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { packagePath } from './composed.js';
import { configFile, folderOf, resolveGroup } from './defaults-paths.js';
import { interpolationSpans, referencePath, selectKey } from './interpolation-text.js';
import { targetAt } from './navigation.js';
import type { ConfigProject } from './project.js';
import { parseSweep } from './sweep-file.js';
import type { Range, TextEdit } from './types.js';
import { keyRangeAtPath, type FileSyntax, type PathSegment } from './yaml-syntax.js';

export interface RenamePlan {
  /** What is renamed, for the editor's prepare step: the range and its current text. */
  range: Range;
  placeholder: string;
  kind: 'key' | 'option';
  /** For a key: its composed path; for an option: the config path relative to the root (`model/mnist`). */
  subject: PathSegment[] | string;
}

export interface RenameResult {
  edits: TextEdit[];
  /** Files to rename (absolute paths). */
  files: { from: string; to: string }[];
}

export class RenameError extends Error {}

const KEY_NAME = /^[A-Za-z_][\w-]*$/;
const OPTION_NAME = /^[\w][\w.-]*$/;

export function prepareRename(project: ConfigProject, rel: string, offset: number): RenamePlan {
  const t = targetAt(project, rel, offset);
  const text = project.source.read(rel) ?? '';
  if (t?.kind === 'key' && t.keyRange && t.composedPath) {
    return { range: t.keyRange, placeholder: text.slice(t.keyRange[0], t.keyRange[1]), kind: 'key', subject: t.composedPath };
  }
  if (t?.kind === 'reference') {
    // The segment under the cursor names a prefix of the referenced path.
    const seg = segmentAt(text, t.span.innerStart, t.span.innerStart + t.span.inner.length, offset);
    if (seg) {
      const written = t.span.inner.slice(0, seg[1] - t.span.innerStart);
      const count = (s: string) => (s.replace(/^\s*\.*/, '').match(/[^.\s[\]]+/g) ?? []).length;
      const prefix = t.path.slice(0, t.path.length - (count(t.span.inner) - count(written)));
      if (prefix.length && typeof prefix[prefix.length - 1] === 'string') {
        return { range: seg, placeholder: text.slice(seg[0], seg[1]), kind: 'key', subject: prefix };
      }
    }
  }
  if (t?.kind === 'defaults' && t.file && t.item.name !== '_self_') {
    const config = t.file.replace(/\.ya?ml$/, '');
    const name = config.slice(config.lastIndexOf('/') + 1);
    if (t.item.isGroup) {
      const option = t.item.options.find((o) => o.range[0] <= offset && offset <= o.range[1]) ?? t.item.options[0];
      if (option?.text === name) return { range: option.range, placeholder: name, kind: 'option', subject: config };
    } else {
      const r = t.item.nameRange;
      const written = text.slice(r[0], r[1]);
      if (written.endsWith(name)) return { range: [r[1] - name.length, r[1]], placeholder: name, kind: 'option', subject: config };
    }
  }
  throw new RenameError('Rename works on a config key, a `${...}` reference, or a defaults-list entry that names a config file.');
}

export function rename(project: ConfigProject, rel: string, offset: number, newName: string): RenameResult {
  const plan = prepareRename(project, rel, offset);
  if (plan.kind === 'key') {
    if (!KEY_NAME.test(newName)) throw new RenameError(`\`${newName}\` is not a plain key name: use letters, digits, \`_\` and \`-\`.`);
    return renameKey(project, plan.subject as PathSegment[], newName);
  }
  if (!OPTION_NAME.test(newName)) throw new RenameError(`\`${newName}\` is not a config name: use letters, digits, \`_\`, \`-\` and \`.\`, no \`/\`.`);
  return renameOption(project, plan.subject as string, newName.replace(/\.ya?ml$/, ''));
}

const samePrefix = (path: readonly PathSegment[], prefix: readonly PathSegment[]) =>
  path.length >= prefix.length && prefix.every((p, i) => String(path[i]) === String(p));

function renameKey(project: ConfigProject, target: PathSegment[], newName: string): RenameResult {
  const edits: TextEdit[] = [];
  const last = target.length - 1;
  for (const file of project.configFiles()) {
    const path = project.absolute(file);
    const syntax = project.syntax(file);
    if (!syntax) continue;
    if (project.isSweepFile(file)) {
      for (const p of parseSweep(syntax)?.parameters ?? []) {
        const segs = p.key.split('.');
        if (!samePrefix(segs, target)) continue;
        const before = segs.slice(0, last).join('.');
        const at = p.keyRange[0] + (before ? before.length + 1 : 0);
        edits.push({ path, range: [at, at + String(target[last]).length], newText: newName });
      }
      continue;
    }
    const ctx = project.context(file);
    if (!ctx) continue;
    const pkg = packagePath(ctx.loaded.package);
    // The key where this file sets it.
    if (samePrefix(target, pkg) && target.length > pkg.length) {
      const range = keyRangeAtPath(syntax, target.slice(pkg.length));
      if (range) edits.push({ path, range, newText: newName });
    }
    // Interpolations naming it (or a key under it): `${a.b}`, `${.b}`, and the key of `${oc.select:a.b,x}`.
    eachValue(syntax, (valuePath, r) => {
      const source = syntax.text.slice(r[0], r[1]);
      if (!source.includes('${')) return;
      for (const span of interpolationSpans(source, r[0])) {
        if (!span.closed) continue;
        const ref = span.resolver === undefined ? { text: span.inner, start: span.innerStart } : selectKey(span);
        if (!ref) continue;
        const container = [...pkg, ...valuePath.slice(0, -1)];
        const range = referenceEdit(ref.text, container, target);
        if (range) edits.push({ path, range: [ref.start + range[0], ref.start + range[1]], newText: newName });
      }
    });
    // Override keys of Hydra's sweeper (`hydra.sweeper.params`: `model.lr: choice(0.1, 0.01)`).
    for (const k of sweeperParamKeys(syntax, pkg)) {
      const range = overrideKeyEdit(k.text, target);
      if (range) edits.push({ path, range: [k.start + range[0], k.start + range[1]], newText: newName });
    }
  }
  return { edits: dedupe(edits), files: [] };
}

/**
 * Where, in a reference's text (`a.b`, `..b`), the segment naming the renamed key's last part is; undefined
 * when the reference names another key. `container` is the path of the mapping holding the interpolated value.
 */
function referenceEdit(text: string, container: readonly PathSegment[], target: readonly PathSegment[]): Range | undefined {
  const ref = referencePath(text, container);
  if (!ref || !samePrefix(ref, target)) return undefined;
  const last = target.length - 1;
  const dots = /^\s*(\.*)/.exec(text)![1]!.length;
  const implicit = dots === 0 ? 0 : Math.max(0, container.length - (dots - 1));
  const index = last - implicit;
  if (index < 0) return undefined;
  const seg = nthSegment(text, index);
  return seg && text.slice(seg[0], seg[1]) === String(target[last]) ? seg : undefined;
}

/** The keys of a file's `hydra.sweeper.params` mapping (where its package puts it), as written. */
function sweeperParamKeys(syntax: FileSyntax, pkg: readonly PathSegment[]): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const goal = ['hydra', 'sweeper', 'params'];
  if (!samePrefix(goal, pkg)) return out;
  let node = syntax.doc.contents as Node | null;
  for (const seg of goal.slice(pkg.length)) {
    if (!isMap(node)) return out;
    const pair = (node.items as Pair<Node | null, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === seg);
    node = pair?.value ?? null;
  }
  if (!isMap(node)) return out;
  for (const p of node.items as Pair<Node | null, Node | null>[]) {
    if (!isScalar(p.key) || !p.key.range || typeof p.key.value !== 'string') continue;
    const written = syntax.text.slice(p.key.range[0], p.key.range[1]);
    // Quoted keys are left alone: their text is not the key's offsets one to one.
    if (written === p.key.value) out.push({ text: written, start: p.key.range[0] });
  }
  return out;
}

/**
 * In an override key (`model.lr`, `+model.x`, `++a.b`, `~a`), the segment naming the renamed key's last part;
 * group selections (`db`, `model/net`, `db@pkg`) are config choices, not keys, unless the key path matches.
 */
function overrideKeyEdit(key: string, target: readonly PathSegment[]): Range | undefined {
  const prefix = /^(\+\+|\+|~)?/.exec(key)![0].length;
  const path = key.slice(prefix);
  if (!/^[\w-]+(\.[\w-]+)*$/.test(path)) return undefined;
  const segs = path.split('.');
  if (!samePrefix(segs, target)) return undefined;
  const before = segs.slice(0, target.length - 1).join('.');
  const at = prefix + (before ? before.length + 1 : 0);
  return [at, at + String(target[target.length - 1]).length];
}

function renameOption(project: ConfigProject, config: string, newName: string): RenameResult {
  const group = folderOf(config);
  const oldName = config.slice(group ? group.length + 1 : 0);
  const from = configFile(project, config);
  if (!from) throw new RenameError(`No config file for \`${config}\`.`);
  const ext = from.slice(from.lastIndexOf('.'));
  const to = `${group ? group + '/' : ''}${newName}${ext}`;
  if (configFile(project, `${group ? group + '/' : ''}${newName}`)) throw new RenameError(`\`${to}\` exists already: pick another name.`);
  const edits: TextEdit[] = [];
  for (const file of project.configFiles()) {
    if (project.isSweepFile(file)) continue;
    const syntax = project.syntax(file);
    if (!syntax) continue;
    const path = project.absolute(file);
    for (const item of syntax.defaults) {
      if (item.isGroup) {
        if (resolveGroup(file, item.name) !== group) continue;
        for (const o of item.options) if (o.text === oldName) edits.push({ path, range: o.range, newText: newName });
      } else if (item.name !== '_self_' && resolveGroup(file, item.name) === config) {
        const r = item.nameRange;
        edits.push({ path, range: [r[1] - oldName.length, r[1]], newText: newName });
      }
    }
  }
  return { edits: dedupe(edits), files: [{ from: project.absolute(from), to: project.absolute(to) }] };
}

/** Every scalar value in a file with its path (defaults list excluded). */
function eachValue(syntax: FileSyntax, fn: (path: PathSegment[], range: Range) => void): void {
  const walk = (node: Node | null, path: PathSegment[], depth: number) => {
    if (!node || depth > 200) return;
    if (isMap(node)) {
      for (const p of node.items as Pair<Node | null, Node | null>[]) {
        if (!isScalar(p.key)) continue;
        const k = String(p.key.value);
        if (depth === 0 && k === 'defaults') continue;
        walk(p.value, [...path, k], depth + 1);
      }
    } else if (isSeq(node)) {
      (node.items as (Node | null)[]).forEach((item, i) => walk(item, [...path, i], depth + 1));
    } else if (isScalar(node) && node.range && typeof node.value === 'string') {
      fn(path, [node.range[0], node.range[1]]);
    }
  };
  walk(syntax.doc.contents as Node | null, [], 0);
}

/** The offsets (in `inner`) of the n-th dotted segment of a plain reference, after its leading dots. */
function nthSegment(inner: string, n: number): [number, number] | undefined {
  const re = /[^.\s[\]]+/g;
  re.lastIndex = /^\s*\.*/.exec(inner)![0].length;
  let i = 0;
  for (let m = re.exec(inner); m; m = re.exec(inner)) {
    if (i === n) return [m.index, m.index + m[0].length];
    i++;
  }
  return undefined;
}

/** The dotted segment of a reference around an offset. */
function segmentAt(text: string, start: number, end: number, offset: number): Range | undefined {
  if (offset < start || offset > end) return undefined;
  let s = offset;
  let e = offset;
  while (s > start && /[\w-]/.test(text[s - 1]!)) s--;
  while (e < end && /[\w-]/.test(text[e]!)) e++;
  return e > s ? [s, e] : undefined;
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.path}|${e.range[0]}|${e.range[1]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.range[0] - b.range[0]));
}
