// Compose benchmark (issue 2): median microseconds per warm in-process compose of every BAIT final config, and
// the whole-process time of `bait run <cfg> --cfg job`, beside a bare `node -e 0` start measured in the same
// run (the floor any Node CLI pays), so the numbers read as ratios on whatever machine runs them.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compose, Repository } from '../runner/config/index.js';
import { DiskSource } from '../runner/disk-source.js';

const ROOT = join(import.meta.dirname, '..');
const BAIT = join(ROOT, 'test', 'conformance', 'bait', 'configs');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** BAIT's final (runnable) configs: the files with a `# @package _global_` header, sweeps excluded. */
export function baitFinalConfigs(dir = BAIT): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.yaml') && /^# @package _global_/m.test(readFileSync(p, 'utf8').split('\n').slice(0, 3).join('\n'))) {
        const rel = relative(dir, p).replace(/\.yaml$/, '');
        if (!rel.startsWith('sweeps/')) out.push(rel);
      }
    }
  };
  walk(dir);
  return out.sort();
}

export async function benchCompose(): Promise<Record<string, number>> {
  const names = baitFinalConfigs();
  const source = new DiskSource(BAIT);
  const repository = new Repository(source);
  for (const n of names) compose({ source, configName: n, repository }); // warm the parse cache and the JIT
  const per: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const n of names) {
      const t0 = process.hrtime.bigint();
      const r = compose({ source, configName: n, repository });
      per.push(Number(process.hrtime.bigint() - t0) / 1000);
      if (r.errors.length) throw new Error(`${n}: ${r.errors[0]!.message}`);
    }
  }
  const cli = join(ROOT, 'dist', 'runner.js');
  const proc = (args: string[]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const cliMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    nodeMs.push(proc(['-e', '0']));
    cliMs.push(proc([cli, 'run', 'premise_selection/hol4/gnn', '--config-dir', BAIT, '--cfg', 'job']));
  }
  const composeUs = median(per);
  const cliCall = median(cliMs);
  const nodeStart = median(nodeMs);
  return {
    compose_configs: names.length,
    compose_warm_median_us: Math.round(composeUs),
    compose_target_us: 200,
    compose_vs_target: +(composeUs / 200).toFixed(3),
    // Hydra 1.3.2 measured on this machine kind: 46 ms per warm compose, 192 ms per `--cfg job` process.
    compose_speedup_vs_hydra_46ms: +(46000 / composeUs).toFixed(1),
    cli_cfg_job_median_ms: +cliCall.toFixed(1),
    node_bare_start_median_ms: +nodeStart.toFixed(1),
    cli_over_bare_node: +(cliCall / nodeStart).toFixed(2),
    cli_target_ms: 80,
  };
}
