// Python `_target_` benchmark (issue 11) on a generated research-style tree of 20,000 Python files (200
// packages of 100 modules, re-exports in every `__init__.py`, classes with `__init__`, dataclasses, inheritance)
// and 200 configs naming its targets:
// - time to index the whole tree (the background crawl: walk, read, parse with tree-sitter, summarize), against
//   CPython's own `ast.parse` of the same files measured in the same run (the fair baseline: Python's parser);
// - p50/p95 of completion (target paths and parameters), hover and definition on `_target_`s after indexing,
//   each probe on a different target (target: p95 <= 10 ms);
// - the memory the index holds (RSS and JS heap growth over the crawl).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../language-server/service/file-system.js';
import { LanguageService } from '../language-server/service/service.js';

const PACKAGES = 200;
const MODULES = 100;
const CONFIGS = 200;

function moduleText(p: number, m: number): string {
  return `"""Module ${m} of package ${p}."""
from dataclasses import dataclass, field
from typing import List, Optional

from .base import Base${p}


class Encoder${m}(Base${p}):
    """An encoder.

    Args:
        width (int): Hidden width.
        depth: Number of layers.
        dropout: Dropout rate.
    """

    def __init__(self, width: int = 64, depth: int = 2, dropout: float = 0.1, name: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.layers = [self.block(i) for i in range(depth)]

    def block(self, i):
        return {"i": i, "width": self.width}


@dataclass
class Config${m}:
    """Sizes."""

    in_features: int
    hidden: List[int] = field(default_factory=list)
    activation: str = "relu"


def build${m}(config: Config${m}, *, seed: int = 0):
    """Factory.

    :param config: The sizes.
    :param seed: Random seed.
    """
    return Encoder${m}(width=config.in_features)
`;
}

function writeTree(root: string): { targets: string[] } {
  const targets: string[] = [];
  for (let p = 0; p < PACKAGES; p++) {
    const dir = join(root, 'src', `pkg${p}`);
    mkdirSync(dir, { recursive: true });
    const exports: string[] = [];
    for (let m = 0; m < MODULES - 2; m++) {
      writeFileSync(join(dir, `mod${m}.py`), moduleText(p, m));
      if (m % 10 === 0) exports.push(`from .mod${m} import Encoder${m}, Config${m}`);
      targets.push(`pkg${p}.mod${m}.Encoder${m}`);
    }
    writeFileSync(join(dir, 'base.py'), `class Base${p}:\n    def __init__(self, seed: int = 0):\n        self.seed = seed\n`);
    writeFileSync(join(dir, '__init__.py'), exports.join('\n') + '\n');
  }
  mkdirSync(join(root, 'configs', 'model'), { recursive: true });
  mkdirSync(join(root, 'configs', 'typing'), { recursive: true });
  for (let c = 0; c < CONFIGS; c++) {
    const t = targets[(c * 97) % targets.length]!;
    writeFileSync(join(root, 'configs', 'model', `m${c}.yaml`), `_target_: ${t}\nwidth: 128\ndepth: 4\n\n`);
    // A target path typed up to its package (`pkg12.`), for path completion.
    writeFileSync(join(root, 'configs', 'typing', `t${c}.yaml`), `_target_: pkg${(c * 89) % PACKAGES}.\n`);
  }
  return { targets };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mb = (b: number) => Math.round(b / 1e5) / 10;

/** CPython's ast.parse over every .py file of the tree, timed inside Python (interpreter start excluded). */
function cpythonParseSeconds(root: string): number | undefined {
  const code = `import ast, os, sys, time
t = time.perf_counter()
n = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith('.py'):
            with open(os.path.join(d, f), encoding='utf-8') as h:
                ast.parse(h.read())
            n += 1
print(n, time.perf_counter() - t)`;
  const r = spawnSync('python3', ['-c', code, root], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return undefined;
  return Number(r.stdout.trim().split(' ')[1]);
}

export async function benchPythonTargets(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'bait-pybench-'));
  try {
    const { targets } = writeTree(root);
    const s = new LanguageService({ fs: nodeFileSystem, workspaceFolders: [root] });
    let t0 = process.hrtime.bigint();
    await s.python!.index.ready();
    const parserLoadMs = ms(t0);
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    t0 = process.hrtime.bigint();
    await s.python!.index.crawl();
    const indexS = ms(t0) / 1000;
    (globalThis as { gc?: () => void }).gc?.();
    const after = process.memoryUsage();
    const files = s.python!.index.files.size;
    const cpythonS = cpythonParseSeconds(join(root, 'src'));

    // Latencies after indexing, as an editor meets them: the config files were composed when the server published
    // their diagnostics (done here first, unmeasured); each probe then asks about a target not looked up before.
    for (const f of s.allFiles()) s.diagnostics(f);
    const completionPath: number[] = [];
    const completionParams: number[] = [];
    const hover: number[] = [];
    const definition: number[] = [];
    for (let c = 0; c < CONFIGS; c++) {
      const file = join(root, 'configs', 'model', `m${c}.yaml`);
      const text = s.text(file)!;
      const inTarget = text.indexOf('Encoder');
      t0 = process.hrtime.bigint();
      const h = s.hover(file, inTarget);
      hover.push(ms(t0));
      t0 = process.hrtime.bigint();
      const d = s.definition(file, inTarget);
      definition.push(ms(t0));
      t0 = process.hrtime.bigint();
      const params = s.completions(file, text.length - 1);
      completionParams.push(ms(t0));
      if (!h?.contents.includes('width: int = 64') || d.length !== 1 || !params.some((i) => i.label === 'dropout')) {
        throw new Error(`wrong answer on ${file}: ${JSON.stringify({ h, d, params: params.map((i) => i.label) })}`);
      }
      const typing = join(root, 'configs', 'typing', `t${c}.yaml`);
      const typed = s.text(typing)!.trimEnd();
      t0 = process.hrtime.bigint();
      const paths = s.completions(typing, typed.length);
      completionPath.push(ms(t0));
      if (paths.length < MODULES) throw new Error(`only ${paths.length} paths for ${typed}`);
    }
    const lat = (xs: number[]) => ({ p50_ms: r2(quantile(xs, 0.5)), p95_ms: r2(quantile(xs, 0.95)) });
    const all = [...completionPath, ...completionParams, ...hover, ...definition];
    return {
      files,
      parser_load_ms: r2(parserLoadMs),
      index_s: r2(indexS),
      index_files_per_s: Math.round(files / indexS),
      cpython_ast_parse_s: cpythonS === undefined ? null : r2(cpythonS),
      index_vs_cpython_ast: cpythonS ? r2(indexS / cpythonS) : null,
      memory_rss_growth_mb: mb(after.rss - before.rss),
      memory_heap_growth_mb: mb(after.heapUsed - before.heapUsed),
      memory_rss_mb: mb(after.rss),
      completion_target_path: lat(completionPath),
      completion_parameters: lat(completionParams),
      hover: lat(hover),
      definition: lat(definition),
      p95_all_ms: r2(quantile(all, 0.95)),
      target_p95_ms: 10,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
