// The Python parser: tree-sitter's Python grammar run by web-tree-sitter (WebAssembly, no native build, the
// same parser editors use for highlighting; it keeps going past syntax errors). Loading is asynchronous and
// happens once; after that every parse is synchronous.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

let loading: Promise<Parser> | undefined;

/**
 * The wasm files travel beside the server bundle (scripts/build.mjs copies them into dist/); from the sources
 * (tests, tsx) they are read from node_modules.
 */
function wasmPath(file: string, pkg: string): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const beside = join(here, file);
  if (existsSync(beside)) return beside;
  const req = createRequire(join(here, 'noop.js'));
  return req.resolve(`${pkg}/${file}`);
}

/** The shared parser; the first call loads the runtime and the grammar (tens of milliseconds). */
export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    const runtime = wasmPath('tree-sitter.wasm', 'web-tree-sitter');
    await Parser.init({ locateFile: () => runtime });
    const language = await Language.load(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}
