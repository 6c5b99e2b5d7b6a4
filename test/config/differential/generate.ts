// Random Hydra cases for the live differential test: a config tree (groups with options, nested groups,
// `# @package` headers, defaults lists with `_self_` anywhere, `null`/`optional`/`@pkg` entries, values of every
// YAML type, node and string interpolations, `???`) and a list of command-line overrides drawn from the grammar.
// A case is plain data, so the shrinker can take parts away and render it again.

import { seededRandom } from '../../../runner/config/overrides/sweep.js';

export interface CaseFile {
  header?: string;
  /** Defaults-list entries as YAML flow text (`db: a`, `_self_`, `optional db@x: b`, `/db: a`). */
  defaults?: string[];
  /** Top-level keys and their values as YAML text (one line each; flow style for lists and dicts). */
  body: [string, string][];
}

export interface DiffCase {
  files: Record<string, CaseFile>;
  overrides: string[];
}

/** A seeded PRNG (the engine's own mulberry32), so a seed reproduces a case exactly. */
export const rng = seededRandom;

const KEYS = ['x', 'y', 'lr', 'name', 'port', 'size'];
const GROUPS = ['db', 'model', 'opt'];
const OPTIONS = ['a', 'b', 'c'];

export class CaseGenerator {
  constructor(private readonly r: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  private chance(p: number): boolean {
    return this.r() < p;
  }

  /** Every key path a value may refer to (top level, and one level into the groups' packages). */
  private refs(groups: string[]): string[] {
    return [...KEYS, ...groups.flatMap((g) => KEYS.slice(0, 3).map((k) => `${g}.${k}`)), 'sub.x', 'sub.y'];
  }

  scalar(groups: string[]): string {
    const refs = this.refs(groups);
    switch (Math.floor(this.r() * 14)) {
      case 0:
        return String(Math.floor(this.r() * 100));
      case 1:
        return this.pick(['0.5', '1e-3', '1.0e-4', '-2.5', '.inf']);
      case 2:
        return this.pick(['true', 'false', 'yes', 'off']);
      case 3:
        return 'null';
      case 4:
        return '???';
      case 5:
        return this.pick(['hello', "'quoted str'", '"010"', 'a b', "'1'"]);
      case 6:
      case 7:
        return `\${${this.pick(refs)}}`;
      case 8:
        return `pre_\${${this.pick(refs)}}`;
      case 9:
        return `\${.${this.pick(KEYS)}}`;
      case 10:
        return `[${Math.floor(this.r() * 5)}, \${${this.pick(KEYS)}}]`;
      case 11:
        return `{a: ${Math.floor(this.r() * 5)}, b: \${${this.pick(KEYS)}}}`;
      case 12:
        return `\${oc.select:${this.pick(refs)},${this.pick(['1', 'dflt', 'null'])}}`;
      default:
        return this.pick(['[]', '{}', "''"]);
    }
  }

  body(groups: string[], n: number): [string, string][] {
    const out: [string, string][] = [];
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) {
      const k = this.pick(KEYS);
      if (keys.has(k)) continue;
      keys.add(k);
      out.push([k, this.scalar(groups)]);
    }
    if (this.chance(0.3)) out.push(['sub', `{x: ${this.scalar(groups)}, y: ${Math.floor(this.r() * 9)}}`]);
    return out;
  }

  generate(): DiffCase {
    const groups = GROUPS.filter(() => this.chance(0.6));
    if (groups.length === 0) groups.push('db');
    const nested = this.chance(0.3) ? `${groups[0]}/sub` : undefined;
    const files: Record<string, CaseFile> = {};
    const optionsOf = new Map<string, string[]>();
    for (const g of [...groups, ...(nested ? [nested] : [])]) {
      const opts = OPTIONS.filter((_, i) => i === 0 || this.chance(0.6));
      optionsOf.set(g, opts);
      for (const o of opts) {
        const f: CaseFile = { body: this.body(groups, 1 + Math.floor(this.r() * 3)) };
        const h = this.r();
        if (h < 0.12) f.header = '_global_';
        else if (h < 0.2) f.header = '_group_';
        else if (h < 0.28) f.header = `pkg.${g.replace('/', '_')}`;
        if (nested && g === groups[0] && this.chance(0.6)) {
          f.defaults = this.selfPlaced([`sub: ${this.pick(optionsOf.get(nested) ?? OPTIONS.slice(0, 1))}`]);
        } else if (this.chance(0.15)) {
          const other = this.pick(groups);
          if (other !== g) f.defaults = this.selfPlaced([`/${other}@${g.replace('/', '_')}_${other}: ${this.pick(OPTIONS.slice(0, 1))}`]);
        }
        files[`${g}/${o}.yaml`] = f;
      }
    }
    // Options of the nested group exist before the parent's defaults pick one.
    if (nested) {
      for (const [path, f] of Object.entries(files)) {
        if (!path.startsWith(`${groups[0]}/`) || path.startsWith(`${nested}/`) || !f.defaults) continue;
        f.defaults = f.defaults.map((d) => (d.startsWith('sub: ') ? `sub: ${this.pick(optionsOf.get(nested)!)}` : d));
      }
    }
    const entries = groups.map((g) => {
      const v = this.r();
      const opts = optionsOf.get(g)!;
      if (v < 0.08) return `${g}: null`;
      if (v < 0.12) return `${g}: ???`;
      if (v < 0.2) return `optional ${g}: ${this.pick(['a', 'zz'])}`;
      if (v < 0.28) return `${g}@alias_${g}: ${this.pick(opts)}`;
      return `${g}: ${this.pick(opts)}`;
    });
    files['config.yaml'] = { defaults: this.selfPlaced(entries, 0.15), body: this.body(groups, 1 + Math.floor(this.r() * 4)) };
    return { files, overrides: this.overrides(groups, optionsOf, nested) };
  }

  /** Puts `_self_` at a random place in a defaults list, or (with `pAbsent`) leaves it out. */
  private selfPlaced(entries: string[], pAbsent = 0.3): string[] {
    if (this.chance(pAbsent)) return entries;
    const out = [...entries];
    out.splice(Math.floor(this.r() * (out.length + 1)), 0, '_self_');
    return out;
  }

  private overrideValue(groups: string[]): string {
    switch (Math.floor(this.r() * 10)) {
      case 0:
        return String(Math.floor(this.r() * 100));
      case 1:
        return this.pick(['0.1', '1e-5', 'true', 'null', 'nan']);
      case 2:
        return this.pick(["'a,b'", '"q r"', 'hello', '010', "'???'"]);
      case 3:
        return `[${Math.floor(this.r() * 3)},${this.pick(['x', "'y'", '2.5'])}]`;
      case 4:
        return `{k: ${Math.floor(this.r() * 3)}}`;
      case 5:
        return `\${${this.pick(this.refs(groups))}}`;
      case 6:
        return 'int(3.0)';
      default:
        return this.pick(['v', '7', 'abc']);
    }
  }

  private overrides(groups: string[], optionsOf: Map<string, string[]>, nested: string | undefined): string[] {
    const out: string[] = [];
    const n = Math.floor(this.r() * 5);
    const keyPaths = [...KEYS, ...groups.flatMap((g) => KEYS.slice(0, 3).map((k) => `${g}.${k}`)), 'sub.x', 'sub'];
    for (let i = 0; i < n; i++) {
      const g = this.pick(groups);
      const opts = optionsOf.get(g)!;
      switch (Math.floor(this.r() * 12)) {
        case 0:
        case 1:
        case 2:
          out.push(`${this.pick(keyPaths)}=${this.overrideValue(groups)}`);
          break;
        case 3:
          out.push(`+${this.pick(['new', 'x', 'sub.z', 'extra.k'])}=${this.overrideValue(groups)}`);
          break;
        case 4:
          out.push(`++${this.pick(keyPaths)}=${this.overrideValue(groups)}`);
          break;
        case 5:
          out.push(`~${this.pick(keyPaths)}`);
          break;
        case 6:
        case 7:
          out.push(`${g}=${this.pick([...opts, 'zz'])}`);
          break;
        case 8:
          out.push(`~${g}${this.chance(0.3) ? `=${this.pick(opts)}` : ''}`);
          break;
        case 9:
          out.push(`+${g}=${this.pick(opts)}`);
          break;
        case 10:
          out.push(nested ? `${nested}=${this.pick(optionsOf.get(nested)!)}` : `${g}@alias_${g}=${this.pick(opts)}`);
          break;
        default:
          out.push(`${g}=${this.pick(['null', `[${opts.join(',')}]`])}`);
      }
    }
    return out;
  }
}

/** The YAML text of a case file. */
export function renderFile(f: CaseFile): string {
  let s = f.header !== undefined ? `# @package ${f.header}\n` : '';
  if (f.defaults) s += 'defaults:\n' + f.defaults.map((d) => `  - ${d}\n`).join('');
  for (const [k, v] of f.body) s += `${k}: ${v}\n`;
  return s;
}

/** Smaller variants of a case: one override, defaults entry, key or file fewer. The shrinker keeps any that still differs. */
export function* shrinkCandidates(c: DiffCase): Generator<DiffCase> {
  for (let i = 0; i < c.overrides.length; i++) yield { files: c.files, overrides: c.overrides.filter((_, j) => j !== i) };
  for (const path of Object.keys(c.files)) {
    if (path !== 'config.yaml') {
      const files = { ...c.files };
      delete files[path];
      yield { files, overrides: c.overrides };
    }
    const f = c.files[path]!;
    for (let i = 0; i < (f.defaults?.length ?? 0); i++) {
      yield { files: { ...c.files, [path]: { ...f, defaults: f.defaults!.filter((_, j) => j !== i) } }, overrides: c.overrides };
    }
    if (f.defaults) {
      const { defaults: _drop, ...rest } = f;
      yield { files: { ...c.files, [path]: rest }, overrides: c.overrides };
    }
    if (f.header !== undefined) {
      const { header: _h, ...rest } = f;
      yield { files: { ...c.files, [path]: rest }, overrides: c.overrides };
    }
    for (let i = 0; i < f.body.length; i++) {
      yield { files: { ...c.files, [path]: { ...f, body: f.body.filter((_, j) => j !== i) } }, overrides: c.overrides };
    }
  }
}
