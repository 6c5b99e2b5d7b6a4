// Launcher settings read through `${oc.env:NAME}` reach the launchers masked, as `<env:NAME>` (the form the sweep's
// multirun.yaml records), so that no launcher can write or print the value by mistake. What each kind of setting
// does with a mask:
//   - a path (work_dir, node, identity_file, known_hosts, workspace, sync, submitit_folder): read back from the
//     environment and used as it is, by the rule that keeps the run directory's own path exact (files are named
//     by it; see "Secrets, precisely" in the README);
//   - a SLURM `setup` line (shell): the mask becomes a quoted reference to the variable, and the value travels in
//     the job's environment (shellWithEnvRefs here; slurm/launcher.ts exports it), so it is in no file;
//   - anything else (host names, users, ports, ssh and sbatch options): refused with a message saying where to put
//     the value instead, because it would sit on a command line that other users can read (ps, squeue).
import { LauncherError } from './errors.js';

const MASK = /<env:([^<>\s]+)>/g;
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variable names of the masks inside a setting (any depth), in order, without repeats. */
export function envNamesIn(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(MASK)) names.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...names];
}

/** `value` with every mask replaced by its variable's value; a variable that is not set is an error naming `where`. */
export function unmaskSetting<T>(value: T, where: string, env: NodeJS.ProcessEnv = process.env): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(MASK, (_, name: string) => {
        const got = env[name];
        if (got === undefined) throw new LauncherError(`${where} reads \${oc.env:${name}}, which is not set in this environment; set ${name} and run again`);
        return got;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Throws when `value` holds a mask: `why` says why this setting cannot carry a value from the environment and what to do. */
export function refuseEnvSetting(value: unknown, where: string, why: string): void {
  const names = envNamesIn(value);
  if (names.length) throw new LauncherError(`${where} reads \${oc.env:${names[0]}}: ${why}`);
}

/** Checks every key of a launcher node: `paths` are unmasked, `keep` pass as they are, the rest must hold no mask. */
export function settleEnvSettings<T extends object>(node: T, where: string, rules: { paths: readonly string[]; keep?: readonly string[]; why: string },
  env: NodeJS.ProcessEnv = process.env): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (rules.paths.includes(k)) out[k] = unmaskSetting(v, `${where}.${k}`, env);
    else {
      if (!rules.keep?.includes(k)) refuseEnvSetting(v, `${where}.${k}`, rules.why);
      out[k] = v;
    }
  }
  return out as T;
}

/**
 * A shell line with each mask replaced by a reference to the variable that the shell expands to exactly its value
 * where the mask stood: `"${NAME}"` outside quotes, `${NAME}` inside double quotes, `'"${NAME}"'` inside single
 * quotes (close, reference, reopen). The value itself is never in the line.
 */
export function shellWithEnvRefs(line: string, where: string): { line: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length;) {
    const m = /^<env:([^<>\s]+)>/.exec(line.slice(i, i + 300));
    if (m) {
      const name = m[1]!;
      if (!SHELL_NAME.test(name)) {
        throw new LauncherError(`${where} reads \${oc.env:${name}}, which a shell cannot name as a variable; export it under a name of letters, digits and _ and read that`);
      }
      if (!names.includes(name)) names.push(name);
      out += quote === '"' ? `\${${name}}` : quote === "'" ? `'"\${${name}}"'` : `"\${${name}}"`;
      i += m[0].length;
      continue;
    }
    const c = line[i]!;
    if (c === '\\' && quote !== "'") {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'" && quote !== '"') quote = quote ? '' : "'";
    else if (c === '"' && quote !== "'") quote = quote ? '' : '"';
    out += c;
    i += 1;
  }
  return { line: out, names };
}
