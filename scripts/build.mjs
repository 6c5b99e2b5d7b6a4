// One esbuild script, one entry per bundle (DESIGN.md section 2). Entries whose source does not exist yet are
// skipped, so the build works while the product grows.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, cpSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none', absWorkingDir: root };

const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };

/**
 * dist/server-main.js runs from V8's code cache through vm.Script, where a dynamic `import()` has no loader
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: the Python parser never loaded in the shipped server). web-tree-sitter
 * imports Node's `module` and `fs/promises` that way; they come from the bundle's require instead (not the name
 * `require`, which that same code redeclares with `var`).
 */
const webTreeSitterRequire = {
  name: 'web-tree-sitter-require',
  setup(build) {
    build.onLoad({ filter: /web-tree-sitter[\\/].*\.c?js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const dynamic = /await import\("((?:node:)?(?:module|fs\/promises|fs|path|url))"\)/g;
      if (!dynamic.test(text)) return undefined;
      return { contents: text.replace(dynamic, (_, m) => `__bundleRequire(${JSON.stringify(m)})`), loader: 'js' };
    });
  },
};
const bundles = [
  // The CLI: tfjs-node(-gpu) and webgpu are optional native packages, loaded dynamically when installed.
  // `bait` itself is a tiny loader that starts the CLI bundle through V8's code cache (runner/bin.ts).
  { ...node, entryPoints: ['runner/bin.ts'], outfile: 'dist/runner.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['runner/cli.ts'], outfile: 'dist/runner-cli.js' },
  // The heavy half of the CLI (training with tfjs, sweeps, launchers), loaded by dist/runner.js on demand.
  { ...node, entryPoints: ['runner/runner-main.ts'], outfile: 'dist/runner-main.js',
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'] },
  // The language server: dist/server.js loads dist/server-main.js through V8's code cache (language-server/bin.ts).
  { ...node, entryPoints: ['language-server/bin.ts'], outfile: 'dist/server.js' },
  // web-tree-sitter's module reads `import.meta.url` (to create a require): give the CommonJS bundle one. Its
  // `await import("module")` becomes the bundle's own require (see webTreeSitterRequire).
  { ...node, entryPoints: ['language-server/main.ts'], outfile: 'dist/server-main.js', plugins: [webTreeSitterRequire],
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'var __bundleUrl = require("url").pathToFileURL(__filename).href; var __bundleRequire = require;' } },
  // Training throughput on one backend, for bench/gpu.sh on a GPU host (it needs only dist/).
  { ...node, entryPoints: ['bench/gpu-train.ts'], outfile: 'dist/bench-gpu.js', external: ['webgpu'] },
  { ...node, entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
];
const webviews = existsSync(join(root, 'webview'))
  ? readdirSync(join(root, 'webview')).filter((f) => existsSync(join(root, 'webview', f, 'main.ts')))
  : [];
for (const name of webviews) {
  bundles.push({ ...common, platform: 'browser', target: 'chrome120', format: 'iife',
    entryPoints: [`webview/${name}/main.ts`], outfile: `dist/webview/${name}.js`,
    // The codicon font, imported by the webviews' CSS, lands beside the bundles as a local webview resource.
    loader: { '.ttf': 'file' }, assetNames: '[name]' });
}

const present = bundles.filter((b) => existsSync(join(root, b.entryPoints[0])));
mkdirSync(join(root, 'dist'), { recursive: true });

// The wasm backend's binaries travel beside the runner bundle (setWasmPaths points at dist/).
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
if (existsSync(wasmDir)) {
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(root, 'dist', f));
}

// Dawn's Node bindings (the webgpu backend's GPU access) travel beside the bundle too, for this platform only:
// the runner loads dist/dawn.node when it exists, so a bundle copied alone to a GPU host (or synced over SSH) has it.
const dawnDir = join(root, 'node_modules/webgpu/dist', `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`);
if (existsSync(join(dawnDir, 'dawn.node'))) copyFileSync(join(dawnDir, 'dawn.node'), join(root, 'dist', 'dawn.node'));

// bench/gpu.sh runs from dist/ alone: the shipped data (360 KB) and the PyTorch side of the comparison go with it.
cpSync(join(root, 'data/mizar40-m2k'), join(root, 'dist/data/mizar40-m2k'), { recursive: true });
copyFileSync(join(root, 'bench/torch_gpu.py'), join(root, 'dist/torch_gpu.py'));

// The language server's Python parser (web-tree-sitter's runtime and tree-sitter's Python grammar) beside it.
for (const f of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
  const from = join(root, 'node_modules', f);
  if (existsSync(from)) copyFileSync(from, join(root, 'dist', f.slice(f.indexOf('/') + 1)));
}

if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
} else {
  // Build every bundle even when one fails, so one broken part does not hide the state of the others.
  const results = await Promise.allSettled(present.map((b) => esbuild.build(b)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    console.error(`build: ${failed.length} bundle(s) failed`);
    process.exit(1);
  }
}
