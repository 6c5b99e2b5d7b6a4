// `npm run bench`: runs every benchmark module present and prints one JSON object per benchmark (machine
// readable). Performance claims are ratios measured within the same run.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

const benches: [string, string, string][] = [
  ['compose', './compose.ts', 'benchCompose'],
  ['overrides', './overrides.ts', 'benchOverrides'],
  ['training', './training.ts', 'benchTraining'],
  ['quality', './quality.ts', 'benchQuality'],
  ['lsp', './lsp.ts', 'benchLsp'],
  ['lsp-wait', './lsp-wait.ts', 'benchLspWait'],
  ['python-targets', './python-targets.ts', 'benchPythonTargets'],
  ['sweeps', './sweeps.ts', 'benchSweeps'],
  ['webview', './webview.ts', 'benchWebview'],
  ['runs-table', './runs-table.ts', 'benchRunsTable'],
];

async function main(): Promise<void> {
const only = process.argv.slice(2);
let failed = false;
for (const [name, file, fn] of benches) {
  if (only.length && !only.includes(name)) continue;
  if (!existsSync(join(import.meta.dirname, file))) continue;
  try {
    const mod = await import(file);
    const result = await mod[fn]();
    console.log(JSON.stringify({ bench: name, ...result }));
  } catch (e) {
    failed = true;
    console.log(JSON.stringify({ bench: name, error: e instanceof Error ? e.message : String(e) }));
  }
}
process.exitCode = failed ? 1 : 0;
}

void main();
