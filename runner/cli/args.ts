// Command-line parsing for `bait`. Hydra's flags where Hydra has them; everything that is not a flag after the
// config name is an override, passed through untouched (overrides may start with `+`, `++` or `~`).

export class UsageError extends Error {}

export interface RunArgs {
  command: 'run';
  configName: string | null;
  overrides: string[];
  configDir?: string;
  multirun: boolean;
  cfg?: 'job' | 'hydra' | 'all';
  resolve: boolean;
  package?: string;
  json: boolean;
  dryRun: boolean;
  info?: 'defaults' | 'defaults-tree' | 'config' | 'searchpath';
  sweepFile?: string;
  /** Hydra's `version_base` of the project's entry point: '1.1' for projects written for Hydra 1.1; null is 1.3. */
  versionBase?: '1.1' | null;
  /** `--app '<command>'`: run the workspace's own Hydra app (e.g. `python src/train.py`) instead of our runner. */
  app?: string;
  /** `--app-resume '<overrides>'`: how the app resumes, with {ckpt}, {dir} and {id} placeholders. */
  appResume?: string;
  verbose: boolean;
}

export interface ResumeArgs {
  command: 'resume';
  runDir: string;
  from?: string;
  fork: boolean;
  verbose: boolean;
  extra: string[];
  /** Overrides the version_base the run recorded in `.hydra/hydra.yaml`. */
  versionBase?: '1.1' | null;
  /** Replaces the app command (and resume template) an app run recorded. */
  app?: string;
  appResume?: string;
}

export interface TestArgs {
  command: 'test';
  runDir: string;
  ckpt?: string;
  split: 'test' | 'val';
  json: boolean;
  verbose: boolean;
}

export interface SimpleArgs {
  command: 'runs' | 'attach' | 'stop';
  target?: string;
  json: boolean;
  verbose: boolean;
}

export type CliArgs = RunArgs | ResumeArgs | TestArgs | SimpleArgs | { command: 'help' } | { command: 'version' };

export const USAGE = `bait — compose, run and sweep Hydra-style experiments

Usage:
  bait run <config-name> [overrides...] [options]
      --config-dir DIR, -cd DIR    config dir (default: ./configs, then ./conf)
      -m, --multirun               sweep: one job per combination of the sweep overrides
      --sweep FILE                 run a W&B-style sweep file (configs/sweeps/*.yaml)
      --app '<command>'            run your own Hydra app (e.g. 'python src/train.py') with --config-name,
                                   --config-path and the overrides, instead of the bundled runner
      --app-resume '<overrides>'   with --app: how the app resumes ({ckpt}, {dir}, {id} are filled in)
      --cfg job|hydra|all, -c      print the composed config and exit
      --resolve                    with --cfg: resolve interpolations
      --package PKG, -p PKG        with --cfg: print only this package
      --json                       with --cfg: JSON instead of YAML; with -m --dry-run: one job per line
      --dry-run                    with -m: list the jobs and exit
      --info defaults|defaults-tree|config|searchpath
      --version-base 1.1|1.2|1.3   compose as @hydra.main(version_base=...) does (default 1.3)
      --verbose                    show stack traces of internal errors
  bait resume <run-dir> [--from last|best|<checkpoint>] [--fork] [--version-base V] [--app '<command>'] [overrides...]
  bait test <run-dir> [--ckpt best|last|<checkpoint>] [--split test|val] [--json]
                                   score a checkpoint on the held-out split (default: best, else last)
  bait runs [--json] [DIR]
  bait attach <run-dir>
  bait stop <run-dir>

Exit codes: 0 success, 1 bad config or override, 2 bad usage, 3 the experiment failed, 130 interrupted.
`;

function takeValue(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
  return v;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'.`);
  return value as T;
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === '--version' || command === 'version') return { command: 'version' };
  if (command === 'run') return parseRun(rest);
  if (command === 'resume') {
    const out: ResumeArgs = { command: 'resume', runDir: '', fork: false, verbose: false, extra: [] };
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--from') out.from = takeValue(rest, i++, a);
      else if (a.startsWith('--from=')) out.from = a.slice(7);
      else if (a === '--fork') out.fork = true;
      else if (a === '--version-base' || a.startsWith('--version-base=')) {
        const v = oneOf(a.includes('=') ? a.slice(a.indexOf('=') + 1) : takeValue(rest, i++, '--version-base'), ['1.1', '1.2', '1.3'] as const, '--version-base');
        out.versionBase = v === '1.1' ? '1.1' : null;
      }
      else if (a === '--app' || a === '--app-resume') out[a === '--app' ? 'app' : 'appResume'] = takeValue(rest, i++, a);
      else if (a.startsWith('--app=')) out.app = a.slice(6);
      else if (a.startsWith('--app-resume=')) out.appResume = a.slice(13);
      else if (a === '--verbose') out.verbose = true;
      else if (a.startsWith('--')) throw new UsageError(`Unknown option '${a}' for 'bait resume'.`);
      else if (!out.runDir) out.runDir = a;
      else out.extra.push(a);
    }
    if (!out.runDir) throw new UsageError('bait resume needs the run directory: bait resume <run-dir>.');
    return out;
  }
  if (command === 'test') return parseTest(rest);
  if (command === 'runs' || command === 'attach' || command === 'stop') {
    const out: SimpleArgs = { command, json: false, verbose: false };
    for (const a of rest) {
      if (a === '--json') out.json = true;
      else if (a === '--verbose') out.verbose = true;
      else if (a.startsWith('--')) throw new UsageError(`Unknown option '${a}' for 'bait ${command}'.`);
      else if (out.target === undefined) out.target = a;
      else throw new UsageError(`'bait ${command}' takes one directory; got '${a}' as well.`);
    }
    if (command !== 'runs' && !out.target) throw new UsageError(`bait ${command} needs the run directory: bait ${command} <run-dir>.`);
    return out;
  }
  throw new UsageError(`Unknown command '${command}'. Commands: run, resume, test, runs, attach, stop.`);
}

function parseTest(argv: string[]): TestArgs {
  const out: TestArgs = { command: 'test', runDir: '', split: 'test', json: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--ckpt') out.ckpt = takeValue(argv, i++, a);
    else if (a.startsWith('--ckpt=')) out.ckpt = a.slice(7);
    else if (a === '--split') out.split = oneOf(takeValue(argv, i++, a), ['test', 'val'] as const, '--split');
    else if (a.startsWith('--split=')) out.split = oneOf(a.slice(8), ['test', 'val'] as const, '--split');
    else if (a === '--json') out.json = true;
    else if (a === '--verbose') out.verbose = true;
    else if (a.startsWith('--')) throw new UsageError(`Unknown option '${a}' for 'bait test'.`);
    else if (!out.runDir) out.runDir = a;
    else throw new UsageError(`'bait test' takes one run directory; got '${a}' as well.`);
  }
  if (!out.runDir) throw new UsageError('bait test needs the run directory: bait test <run-dir> [--ckpt best].');
  return out;
}

function parseRun(argv: string[]): RunArgs {
  const out: RunArgs = { command: 'run', configName: null, overrides: [], multirun: false, resolve: false, json: false, dryRun: false, versionBase: null, verbose: false };
  let sawName = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => (inline !== undefined ? inline : takeValue(argv, i++, flag));
    switch (flag) {
      case '--config-dir':
      case '-cd':
        out.configDir = value();
        break;
      case '--config-name':
      case '-cn':
        out.configName = value();
        sawName = true;
        break;
      case '-m':
      case '--multirun':
        out.multirun = true;
        break;
      case '--cfg':
      case '-c':
        out.cfg = oneOf(value(), ['job', 'hydra', 'all'] as const, '--cfg');
        break;
      case '--resolve':
        out.resolve = true;
        break;
      case '--package':
      case '-p':
        out.package = value();
        break;
      case '--json':
        out.json = true;
        break;
      case '--dry-run':
        out.dryRun = true;
        break;
      case '--info':
      case '-i':
        out.info = oneOf(value(), ['defaults', 'defaults-tree', 'config', 'searchpath'] as const, '--info');
        break;
      case '--sweep':
        out.sweepFile = value();
        break;
      case '--version-base': {
        // 1.2 and 1.3 compose alike; only 1.1 changes composition (`.yml` names, legacy `optional:`, ...).
        const v = oneOf(value(), ['1.1', '1.2', '1.3'] as const, '--version-base');
        out.versionBase = v === '1.1' ? '1.1' : null;
        break;
      }
      case '--app':
        out.app = value();
        break;
      case '--app-resume':
        out.appResume = value();
        break;
      case '--verbose':
        out.verbose = true;
        break;
      default:
        if (a.startsWith('--') || (a.startsWith('-') && a.length > 1 && !a.includes('='))) {
          throw new UsageError(`Unknown option '${a}'. Run 'bait help' for the options.`);
        }
        if (!sawName && !a.includes('=') && !a.startsWith('~') && !a.startsWith('+')) {
          out.configName = a;
          sawName = true;
        } else out.overrides.push(a);
    }
  }
  if (out.resolve && !out.cfg) throw new UsageError('--resolve only works with --cfg job|hydra|all.');
  if (out.package && !out.cfg) throw new UsageError('--package only works with --cfg job|hydra|all.');
  if (out.appResume !== undefined && out.app === undefined) throw new UsageError('--app-resume only works with --app.');
  if (out.app !== undefined && !out.app.trim()) throw new UsageError("--app needs the app's command, e.g. --app 'python src/train.py'.");
  if (out.dryRun && !out.multirun && !out.sweepFile) throw new UsageError('--dry-run only works with -m (or --sweep).');
  return out;
}
