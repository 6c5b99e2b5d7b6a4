// A minimal LSP client for tests: JSON-RPC over a real stdio pipe (Content-Length framing, strictly parsed, so
// any stray byte the server writes to stdout fails the test) or over Node IPC. It answers the server's own
// requests with null, records notifications, and lets tests wait for one that matches.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
let bundle: string | undefined;

/** Builds language-server/main.ts exactly as scripts/build.mjs does, into a temp file (always current code). */
export async function serverBundle(): Promise<string> {
  if (bundle) return bundle;
  const out = join(mkdtempSync(join(tmpdir(), 'bait-lsp-')), 'server.js');
  await esbuild.build({ entryPoints: [join(repo, 'language-server/main.ts')], outfile: out, bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: repo,
    define: { 'import.meta.url': '__bundleUrl' }, banner: { js: 'var __bundleUrl = require("url").pathToFileURL(__filename).href;' } });
  // The Python parser's wasm files travel beside the bundle, as in dist/.
  for (const f of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
    copyFileSync(join(repo, 'node_modules', f), join(dirname(out), f.slice(f.indexOf('/') + 1)));
  }
  bundle = out;
  return out;
}

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  readonly notifications: Message[] = [];
  readonly stderr: string[] = [];
  /** Bytes on stdout that were not a well-formed message: must stay empty. */
  readonly garbage: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void }>();
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private buffer = Buffer.alloc(0);
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess, private readonly ipc: boolean) {
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr?.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    if (ipc) child.on('message', (m) => this.dispatch(m as Message));
    else child.stdout!.on('data', (d: Buffer) => this.read(d));
  }

  /**
   * `server`: the script to run (the benchmark runs the built dist/server.js); the current source by default.
   * `env`: variables added to this process's environment for the server.
   */
  static async stdio(cwd: string, server?: string, env?: Record<string, string>): Promise<LspClient> {
    const child = spawn(process.execPath, [server ?? await serverBundle(), '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'],
      ...(env ? { env: { ...process.env, ...env } } : {}) });
    return new LspClient(child, false);
  }

  static async ipc(cwd: string): Promise<LspClient> {
    const child = fork(await serverBundle(), ['--node-ipc'], { cwd, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout!.on('data', (d: Buffer) => client.garbage.push(d.toString()));
    const client = new LspClient(child, true);
    return client;
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /^Content-Length: (\d+)(\r\nContent-Type: [^\r\n]+)?$/i.exec(header);
      if (!m) {
        this.garbage.push(this.buffer.toString());
        this.buffer = Buffer.alloc(0);
        return;
      }
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      try {
        this.dispatch(JSON.parse(body) as Message);
      } catch {
        this.garbage.push(body);
      }
    }
  }

  private dispatch(m: Message): void {
    if (m.method && m.id !== undefined) {
      // A request from the server (registerCapability, workspace/configuration...): accept it.
      this.write({ jsonrpc: '2.0', id: m.id, result: null });
      return;
    }
    if (m.method) {
      this.notifications.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
      return;
    }
    const p = this.pending.get(Number(m.id));
    if (p) {
      this.pending.delete(Number(m.id));
      p.resolve(m);
    }
  }

  private write(m: Message): void {
    if (this.ipc) {
      this.child.send(m);
      return;
    }
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    // One write per message: on a loaded machine a client preempted between a header and its body would add
    // its own delay to what the benchmark measures as the server's.
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Sends a request and resolves with the whole response (result or error). */
  requestRaw(method: string, params: unknown, timeoutMs = 20000): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method} timed out; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.pending.set(id, { resolve: (m) => (clearTimeout(timer), resolve(m)) });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  async request<T = unknown>(method: string, params: unknown): Promise<T> {
    const m = await this.requestRaw(method, params);
    if (m.error) throw new Error(`${method}: ${m.error.message}`);
    return m.result as T;
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification (already received or future) that matches. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 20000, fromIndex = 0): Promise<Message> {
    const seen = this.notifications.slice(fromIndex).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching notification; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async initialize(rootUri: string, initializationOptions?: unknown, workspaceCapabilities?: Record<string, unknown>,
    textDocumentCapabilities: Record<string, unknown> = {}, windowCapabilities?: Record<string, unknown>): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.request<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true }, ...textDocumentCapabilities },
        ...(workspaceCapabilities ? { workspace: workspaceCapabilities } : {}), ...(windowCapabilities ? { window: windowCapabilities } : {}) },
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    this.notify('initialized', {});
    return result;
  }

  /** The completion capabilities VS Code's language client (9.0) declares: list defaults, lazy documentation. */
  static readonly VSCODE_COMPLETION = {
    completion: {
      completionItem: { resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] } },
      completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] },
    },
  };

  async shutdown(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    await this.request('shutdown', null);
    this.notify('exit', null);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
