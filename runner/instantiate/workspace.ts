// `_target_` names that are not in the registry resolve, like Python's dotted paths, to exports of the workspace's
// own TypeScript/JavaScript modules: `models.premise.MyModel` -> `<workspace>/models/premise.ts`, export `MyModel`.
// Each module is bundled on the fly with esbuild; `@tensorflow/tfjs` inside it is our own instance, so the user's
// tensors and ours live in one engine. Nothing else can be named: not Node built-ins, not packages, not paths.
import { existsSync, realpathSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../run/errors.js';
import { TARGETS } from './registry.js';

const IDENT = /^[A-Za-z_$][\w$]*$/;
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];
const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]!));

export interface WorkspaceTarget {
  file: string;
  exportPath: string[];
}

/** The built-in names, with the ones that end like `target` first (a likely typo of a module path). */
function builtinHint(target: string): string {
  const last = target.split('.').pop() ?? '';
  const names = TARGETS.map((t) => t.name);
  const close = TARGETS.filter((t) => [t.name, ...t.aliases].some((n) => n.endsWith(`.${last}`))).map((t) => t.name);
  return `built-in targets: ${(close.length ? close : names).join(', ')}`;
}

function refuse(target: string, key: string, why: string): never {
  throw new UserError(`_target_ '${target}' is refused: ${why}. A _target_ names a built-in target or an export of ` +
    `a module in the workspace by dotted path, like models.premise.MyModel for models/premise.ts (${builtinHint(target)})`, key);
}

/** Finds the module file and export path a dotted name refers to, or explains why it cannot be named. */
export function resolveWorkspaceTarget(target: string, workspaceDir: string, key: string): WorkspaceTarget {
  if (target.startsWith('node:') || target.includes('/') || target.includes('\\')) {
    refuse(target, key, 'paths and node: modules cannot be named');
  }
  const parts = target.split('.');
  if (parts.some((p) => !IDENT.test(p))) refuse(target, key, 'each dotted part must be an identifier (no .., no paths)');
  if (BUILTINS.has(parts[0]!)) refuse(target, key, `'${parts[0]}' is a Node.js built-in module`);
  if (parts.includes('node_modules')) refuse(target, key, 'installed packages cannot be named');
  if (parts.length < 2) refuse(target, key, 'it is not in the registry and names no module.export');
  const root = realpathSync(workspaceDir);
  for (let i = parts.length - 1; i >= 1; i--) {
    const base = join(root, ...parts.slice(0, i));
    for (const ext of EXTENSIONS) {
      const file = base + ext;
      if (!existsSync(file)) continue;
      const real = realpathSync(file);
      const rel = relative(root, real);
      if (rel.startsWith('..') || rel.split(sep).includes('node_modules')) {
        refuse(target, key, `${file} resolves outside the workspace`);
      }
      return { file: real, exportPath: parts.slice(i) };
    }
  }
  throw new UserError(`unknown _target_ '${target}': it is not a built-in target and no module ` +
    `${parts.slice(0, -1).join('/')}.ts (or .js) exists in ${workspaceDir}. Check the spelling (${builtinHint(target)})`, key);
}

const cache = new Map<string, Record<string, unknown>>();

/** Bundles and evaluates a workspace module (once per process) and returns its exports. */
export async function loadWorkspaceModule(file: string, key: string): Promise<Record<string, unknown>> {
  const hit = cache.get(file);
  if (hit) return hit;
  // esbuild is a native tool: it is found beside the runner (this repository) or in the workspace that owns the
  // module (an installed extension ships no node_modules); a computed require keeps it out of the bundle.
  let esbuild: typeof import('esbuild') | undefined;
  for (const from of [__filename, join(dirname(file), 'package.json'), join(process.cwd(), 'package.json')]) {
    try {
      esbuild = createRequire(from)('esbuild') as typeof import('esbuild');
      break;
    } catch {
      // Try the next place.
    }
  }
  if (!esbuild) {
    throw new UserError(`loading ${file} needs esbuild, which is found neither beside the runner nor in your workspace; run 'npm install --save-dev esbuild' in the workspace`, key);
  }
  let code: string;
  try {
    const out = await esbuild.build({
      entryPoints: [file], bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20',
      external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'], logLevel: 'silent', sourcemap: 'inline',
    });
    code = out.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new UserError(`${where}${first?.text ?? (e as Error).message} (while compiling ${file})`, key);
  }
  const nodeRequire = createRequire(file);
  const moduleRequire = (id: string): unknown =>
    id === '@tensorflow/tfjs' || id === '@tensorflow/tfjs-core' ? tf : nodeRequire(id);
  const mod = { exports: {} as Record<string, unknown> };
  try {
    new Function('require', 'module', 'exports', '__filename', '__dirname', code)(moduleRequire, mod, mod.exports, file, dirname(file));
  } catch (e) {
    throw new UserError(`${file} failed while loading: ${(e as Error).message}`, key);
  }
  cache.set(file, mod.exports);
  return mod.exports;
}

/** The exported value a workspace target names. */
export async function workspaceExport(target: string, workspaceDir: string, key: string): Promise<unknown> {
  const { file, exportPath } = resolveWorkspaceTarget(target, workspaceDir, key);
  let value: unknown = await loadWorkspaceModule(file, key);
  for (const p of exportPath) {
    value = value !== null && typeof value === 'object' || typeof value === 'function'
      ? (value as Record<string, unknown>)[p] : undefined;
    if (value === undefined) {
      throw new UserError(`unknown _target_ '${target}': ${file} has no export '${exportPath.join('.')}'`, key);
    }
  }
  if (typeof value !== 'function') {
    throw new UserError(`_target_ '${target}' is not a class or function (it is a ${typeof value})`, key);
  }
  return value;
}
