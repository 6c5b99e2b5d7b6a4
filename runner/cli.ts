// The `bait` CLI entry point (bundled to dist/runner.js). Composition-only commands (`--cfg`, `--info`) never
// load TensorFlow.js: training code lives in a separate bundle loaded on demand.

import { existsSync } from 'node:fs';
import { resolve as resolvePath, join } from 'node:path';
import { parseArgs, UsageError, USAGE, type RunArgs } from './cli/args.js';
import { formatConfigError } from './cli/format-error.js';
import { printComposed, printInfo, printSearchPath } from './cli/print.js';
import { compose } from './config/compose.js';
import type { ConfigError } from './config/errors.js';
import { DiskSource } from './disk-source.js';
import { selectNode } from './config/apply-override.js';
import type { DictNode } from './config/nodes.js';
import { loadRunnerModule } from './cli/load-runner.js';

export const EXIT = { ok: 0, user: 1, usage: 2, failed: 3, interrupted: 130 } as const;

/** A user-facing error: printed as one message, exit code 1, no stack trace. */
export class CliUserError extends Error {}

function defaultConfigDir(cwd: string): string {
  for (const d of ['configs', 'conf']) if (existsSync(join(cwd, d))) return join(cwd, d);
  return join(cwd, 'configs');
}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`bait: ${e.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw e;
  }
  if (args.command === 'help') {
    out.write(USAGE);
    return EXIT.ok;
  }
  if (args.command === 'version') {
    out.write('bait 0.1.0\n');
    return EXIT.ok;
  }
  if (args.command === 'run') return runCommand(args, out, err);
  const mod = await loadRunnerModule();
  return mod.dispatch(args, { out, err });
}

async function runCommand(args: RunArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const configDir = resolvePath(args.configDir ?? defaultConfigDir(process.cwd()));
  if (!existsSync(configDir)) {
    err.write(`bait: the config dir '${configDir}' does not exist. Pass --config-dir DIR or run from a folder with ./configs.\n`);
    return EXIT.user;
  }
  const source = new DiskSource(configDir);
  const display = (file: string) => join(args.configDir ?? 'configs', file);
  const report = (errors: ConfigError[]) => {
    err.write(formatConfigError(errors[0]!, { source, displayPath: display }) + '\n');
    return EXIT.user;
  };

  if (args.sweepFile || args.multirun) {
    const mod = await loadRunnerModule();
    return mod.runSweepCommand(args, { configDir, out, err });
  }

  if (args.configName === null && !args.cfg && !args.info) {
    err.write('bait: name the config to run: bait run <config-name> [overrides...]\n');
    return EXIT.usage;
  }
  if (args.info === 'searchpath') {
    out.write(printSearchPath(configDir));
    return EXIT.ok;
  }
  const result = compose({ source, configName: args.configName, overrides: args.overrides, versionBase: args.versionBase, runtime: { cwd: process.cwd(), configDir, provider: args.configDir ? 'command-line' : 'main' } });
  if (result.errors.length) return report(result.errors);
  const cfg = result.config!;

  if (args.info) {
    out.write(printInfo(args.info, result, configDir));
    return EXIT.ok;
  }
  if (args.cfg) {
    const printed = printComposed(cfg, { which: args.cfg, resolve: args.resolve, json: args.json, ...(args.package ? { package: args.package } : {}) });
    if ('errors' in printed) return report(printed.errors);
    out.write(printed.text);
    return EXIT.ok;
  }

  // Training lives in the heavy half; it composes again there (cheap) so sweep jobs can move their run dir.
  const mod = await loadRunnerModule();
  // A config that sets hydra.mode: MULTIRUN (lightning-hydra-template's hparams_search) sweeps without -m, as in
  // Hydra; a job of that sweep (its launcher sets BAIT_JOB_DIR) is one run.
  if (isMultirunMode(cfg) && !process.env.BAIT_JOB_DIR) return mod.runSweepCommand({ ...args, multirun: true }, { configDir, out, err });
  if (args.app !== undefined) {
    return mod.runApp({ app: args.app, ...(args.appResume ? { appResume: args.appResume } : {}), configName: args.configName!, configDir,
      overrides: args.overrides, workspaceDir: process.cwd(), versionBase: args.versionBase }, { out, err });
  }
  return mod.composeAndRun({ configName: args.configName!, configDir, overrides: args.overrides, workspaceDir: process.cwd(), versionBase: args.versionBase }, { out, err });
}

function isMultirunMode(cfg: DictNode): boolean {
  const mode = selectNode(cfg, 'hydra.mode');
  return mode?.kind === 'scalar' && mode.value === 'MULTIRUN';
}

/** Runs the CLI and sets the exit code; internal errors print one line (the stack only with --verbose). */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof CliUserError || (e instanceof Error && e.name === 'UserError')) {
        process.stderr.write(`bait: ${e.message}\n`);
        process.exitCode = EXIT.user;
        return;
      }
      process.stderr.write(`bait: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (argv.includes('--verbose') && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      else process.stderr.write('Run again with --verbose for the stack trace, and please report it.\n');
      process.exitCode = EXIT.failed;
    },
  );
}

// From source (`tsx runner/cli.ts ...`) this file is the entry point; the bundle is started by runner/bin.ts.
if (process.argv[1]?.endsWith('cli.ts')) runCli(process.argv.slice(2));
