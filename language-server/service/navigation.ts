// What the cursor points at, resolved against the composition: a defaults item's target file, a key's
// composed path, an interpolation's referenced path. Definition and hover both start here.
import type { Range } from '../../runner/config/nodes.js';
import { packagePath } from './composed.js';
import { configFile, resolveGroup } from './defaults-paths.js';
import { interpolationSpans, referencePath, selectKey, spanAt, type InterpolationSpan } from './interpolation-text.js';
import type { ConfigProject, FileContext } from './project.js';
import { nodeAt, type DefaultsItem, type PathSegment } from './yaml-syntax.js';

export type Target =
  | { kind: 'defaults'; item: DefaultsItem; range: Range; file?: string; group?: string; option?: string | null }
  | { kind: 'key'; path: PathSegment[]; composedPath?: PathSegment[]; range: Range; keyRange?: Range; context?: FileContext }
  | { kind: 'reference'; span: InterpolationSpan; path: PathSegment[]; composedPath?: PathSegment[]; context?: FileContext }
  | { kind: 'target'; name: string; range: Range }
  | { kind: 'header'; value: string; range: Range };

const within = (r: Range | undefined, offset: number) => !!r && offset >= r[0] && offset <= r[1];

export function targetAt(project: ConfigProject, rel: string, offset: number): Target | undefined {
  const syntax = project.syntax(rel);
  if (!syntax) return undefined;
  if (syntax.header && within(syntax.header.range, offset)) return { kind: 'header', value: syntax.header.value, range: syntax.header.range };
  for (const item of syntax.defaults) {
    if (!within(item.range, offset)) continue;
    return defaultsTarget(project, rel, item, offset);
  }
  const at = nodeAt(syntax, offset);
  if (!at || at.path[0] === 'defaults') return undefined;
  const context = project.context(rel);
  const pkg = context ? packagePath(context.loaded.package) : undefined;
  const composedPath = pkg ? [...pkg, ...at.path] : undefined;
  if (at.part === 'value' && at.valueRange) {
    const source = syntax.text.slice(at.valueRange[0], at.valueRange[1]);
    const span = spanAt(interpolationSpans(source, at.valueRange[0]), offset);
    if (span) {
      const container = [...(pkg ?? []), ...at.path.slice(0, -1)];
      // `${oc.select:a.b,default}` names the key `a.b` as `${a.b}` would: hover, definition and rename see it so.
      const key = selectKey(span);
      const ref: InterpolationSpan = key ? { range: span.range, inner: key.text, innerStart: key.start, closed: true } : span;
      const path = referencePath(ref.inner, container);
      if (path) return { kind: 'reference', span: ref, path, ...(context ? { composedPath: path, context } : {}) };
    }
    if (at.path[at.path.length - 1] === '_target_') {
      const name = source.replace(/^['"]|['"]$/g, '').trim();
      return { kind: 'target', name, range: at.valueRange };
    }
  }
  const keyRange = at.part === 'key' ? at.range : undefined;
  return {
    kind: 'key', path: at.path, range: at.range,
    ...(keyRange ? { keyRange } : {}),
    ...(composedPath && context ? { composedPath, context } : {}),
  };
}

function defaultsTarget(project: ConfigProject, rel: string, item: DefaultsItem, offset: number): Target {
  if (!item.isGroup) {
    if (item.name === '_self_') return { kind: 'defaults', item, range: item.nameRange };
    const file = configFile(project, resolveGroup(rel, item.name)) ?? fromEngine(project, rel, item, offset);
    return { kind: 'defaults', item, range: item.nameRange, ...(file ? { file } : {}) };
  }
  const group = resolveGroup(rel, item.name);
  const option = item.options.find((o) => within(o.range, offset)) ?? (item.options.length === 1 ? item.options[0] : undefined);
  const onOption = !!option && within(option.range, offset);
  const range = onOption ? option!.range : item.nameRange;
  let file: string | undefined;
  if (option?.text && option.text !== '???') {
    // What is written wins; the engine's choice covers what text cannot say (interpolated choices).
    if (!option.text.includes('${')) file = configFile(project, `${group}/${option.text}`);
    file ??= fromEngine(project, rel, item, offset, option.text);
  }
  return { kind: 'defaults', item, range, group, option: option?.text ?? null, ...(file ? { file } : {}) };
}

/** The file the engine loaded for a defaults item (it knows interpolated choices and overrides). */
function fromEngine(project: ConfigProject, rel: string, item: DefaultsItem, offset: number, option?: string): string | undefined {
  const ctx = project.context(rel);
  if (!ctx) return undefined;
  for (const d of ctx.composition.result.defaults) {
    const o = d.entryOrigin;
    const file = project.fileOf(d);
    if (!o || o.kind !== 'file' || o.file !== rel || !file) continue;
    const r = o.keyRange ?? o.valueRange;
    const whole: Range = [Math.min(r[0], o.valueRange[0]), Math.max(r[1], o.valueRange[1])];
    if (!within(whole, offset) && !within(item.range, whole[0])) continue;
    if (option === undefined || file.replace(/\.ya?ml$/, '').endsWith(`/${option}`)) return file;
  }
  return undefined;
}
