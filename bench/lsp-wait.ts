// Language-server waiting benchmark (issue 16): what a user waits for on a fresh start of a 2,030-file tree,
// as round trips to the shipped server (dist/server.js, after one start that fills its code cache) over stdio,
// each beside a baseline from the same run. The machine is shared: the load average before and after is
// reported, and the 5 MB file also gets the server's own CPU time (from /proc), which load barely changes.
// - hover on a just-opened file while the server is still composing the tree (p95; target <= 50 ms), against
//   a cold request that needs the whole tree composed (what every first request used to wait for). Beside the
//   wall clock: how many were answered before the server's indexing progress ended, the server's own stamps
//   (bait/serverTimings: the wait before the hover's handler ran, its CPU, the CPU of the didOpen before it),
//   and the server's main thread as the kernel saw it from send to answer (CPU, and time runnable but waiting
//   for a CPU: the machine's load, which is most of the tail on a loaded machine);
// - the first `_target_:` value completion after start (target <= 100 ms), against the same request warm (how
//   many first answers came before the tree was read, marked incomplete, and when the list was whole);
// - diagnostics of a 5 MB config from open to publish (target <= 2 s), against the engine alone composing it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compose, Repository } from '../runner/config/index.js';
import { DocumentStore } from '../language-server/service/documents.js';
import { nodeFileSystem } from '../language-server/service/file-system.js';
import { LineIndex } from '../language-server/service/text.js';
import { ServerTimingsMethod, type ServerTiming } from '../language-server/protocol.js';
import { LspClient } from '../test/lsp/lsp-client.js';
import { bigConfigText, writeLargeTree } from './lsp-tree.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const r1 = (x: number) => Math.round(x * 10) / 10;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

const SERVER = join(import.meta.dirname, '../dist/server.js');

async function start(configDir: string): Promise<LspClient> {
  if (!existsSync(SERVER)) throw new Error('dist/server.js is missing: run `npm run build` first');
  const client = await LspClient.stdio(dirname(configDir), SERVER);
  // The completion and progress capabilities VS Code declares: what the extension's users get.
  await client.initialize(pathToFileURL(dirname(configDir)).href, { configDirs: [configDir], versionBase: '1.1' }, undefined, LspClient.VSCODE_COMPLETION,
    { workDoneProgress: true });
  return client;
}

/** Milliseconds since the epoch, as the server stamps its handlers (bait/serverTimings): one clock for both. */
const epochMs = () => performance.timeOrigin + performance.now();

/**
 * The server's main thread as Linux's scheduler saw it (ms): time on a CPU, and time runnable but waiting for one
 * (the machine's other work). Undefined where there is no /proc.
 */
function mainThread(pid: number | undefined): { cpu: number; runqueue: number } | undefined {
  try {
    const [cpu, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'latin1').split(' ');
    return { cpu: Number(cpu) / 1e6, runqueue: Number(wait) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Whether the server's indexing progress has ended (its `$/progress` end notification arrived). */
const indexingEnded = (client: LspClient) =>
  client.notifications.some((n) => n.method === '$/progress' && (n.params as { value: { kind: string } }).value.kind === 'end');

function open(client: LspClient, path: string): string {
  const uri = pathToFileURL(path).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: readFileSync(path, 'utf8') } });
  return uri;
}

function positionOf(path: string, needle: string, delta: number) {
  const text = readFileSync(path, 'utf8');
  return new LineIndex(text).position(text.indexOf(needle) + delta);
}

/**
 * Hovers sent 20 ms after opening files, right after start-up; `runs` fresh servers, `probes` files each. Beside
 * the wall time the client sees, the server's own stamps (bait/serverTimings) split it: the wait before the
 * hover's handler ran (behind the open's work, background slices, and whatever else the machine runs), the
 * handler's CPU, and the CPU of the didOpen that prepared the file.
 */
async function hoverWhileIndexing(configDir: string, options: string[], runs: number, probes: number) {
  const hovers: number[] = [];
  const queued: number[] = [];
  const hoverCpu: number[] = [];
  const openCpu: number[] = [];
  const windowCpu: number[] = [];
  const windowRunqueue: number[] = [];
  let whileIndexing = 0;
  const wholeTree: number[] = [];
  for (let run = 0; run < runs; run++) {
    const client = await start(configDir);
    const sent = new Map<number, number>();
    for (let i = 0; i < probes; i++) {
      const rel = options[(run * 97 + i * 31) % options.length]!;
      const path = join(configDir, rel);
      const uri = open(client, path);
      await sleep(20);
      const position = positionOf(path, 'key_2:', 2);
      const before = mainThread(client.child.pid);
      const t0 = process.hrtime.bigint();
      sent.set(i, epochMs());
      await client.request('textDocument/hover', { textDocument: { uri }, position });
      hovers.push(ms(t0));
      const after = mainThread(client.child.pid);
      if (before && after) {
        windowCpu.push(after.cpu - before.cpu);
        windowRunqueue.push(after.runqueue - before.runqueue);
      }
      if (!indexingEnded(client)) whileIndexing++;
    }
    const timings = await client.request<ServerTiming[]>(ServerTimingsMethod, {});
    const hoverTimings = timings.filter((t) => t.method === 'textDocument/hover');
    hoverTimings.forEach((t, i) => {
      queued.push(t.start - sent.get(i)!);
      hoverCpu.push(t.cpuMs);
    });
    for (const t of timings) if (t.method === 'textDocument/didOpen') openCpu.push(t.cpuMs);
    await client.shutdown();
    // The baseline: a request that needs every final config composed, on a fresh server.
    const cold = await start(configDir);
    const t0 = process.hrtime.bigint();
    await cold.request('bait/runnableConfigs', {});
    wholeTree.push(ms(t0));
    await cold.shutdown();
  }
  return { hovers, queued, hoverCpu, openCpu, windowCpu, windowRunqueue, whileIndexing, wholeTree };
}

/** The first `_target_:` value completion on a fresh server, then the same request again. */
async function firstTargetCompletion(configDir: string, options: string[], runs: number) {
  const first: number[] = [];
  const warm: number[] = [];
  const whole: number[] = [];
  let incomplete = 0;
  for (let run = 0; run < runs; run++) {
    const client = await start(configDir);
    const path = join(configDir, options[(run * 13) % options.length]!);
    const uri = open(client, path);
    const position = positionOf(path, '_target_: ', 10);
    const t0 = process.hrtime.bigint();
    const list = await client.request<{ items: unknown[]; isIncomplete: boolean }>('textDocument/completion', { textDocument: { uri }, position });
    first.push(ms(t0));
    if (!list.items?.length) throw new Error('no _target_ completion');
    // Answered before the tree was read: the client asks again as the user types.
    if (list.isIncomplete) incomplete++;
    const t1 = process.hrtime.bigint();
    let again = await client.request<{ isIncomplete: boolean }>('textDocument/completion', { textDocument: { uri }, position });
    warm.push(ms(t1));
    // As a client does while the list is incomplete: ask again until it is whole (every 50 ms, as if typing).
    while (again.isIncomplete) {
      await sleep(50);
      again = await client.request<{ isIncomplete: boolean }>('textDocument/completion', { textDocument: { uri }, position });
    }
    whole.push(ms(t0));
    await client.shutdown();
  }
  return { first, warm, whole, incomplete };
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined where there is no /proc. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Open to publishDiagnostics for a 5 MB config; the engine composing it alone (cold) as the baseline. */
async function bigFileDiagnostics(runs: number) {
  const configDir = join(mkdtempSync(join(tmpdir(), 'bait-lsp-big-')), 'configs');
  mkdirSync(configDir, { recursive: true });
  const text = bigConfigText(5_000_000);
  writeFileSync(join(configDir, 'big.yaml'), text);
  writeFileSync(join(configDir, 'small.yaml'), 'a: 1\nb: ${a}\n');
  const server: number[] = [];
  const serverCpu: number[] = [];
  const edit: number[] = [];
  const engine: number[] = [];
  let note = '';
  for (let run = 0; run < runs; run++) {
    const client = await start(configDir);
    const cpu0 = cpuMs(client.child.pid);
    const t0 = process.hrtime.bigint();
    const uri = open(client, join(configDir, 'big.yaml'));
    const published = (from: number) => client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri, 120_000, from);
    const m = await published(0);
    server.push(ms(t0));
    const cpu1 = cpuMs(client.child.pid);
    if (cpu0 !== undefined && cpu1 !== undefined) serverCpu.push(cpu1 - cpu0);
    // An edit of the big file until the diagnostics show it: a defaults entry naming a config that is not there.
    const from = client.notifications.length;
    const t2 = process.hrtime.bigint();
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('  - _self_', '  - no_such_config\n  - _self_') }] });
    await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri &&
      (n.params as { diagnostics: { message: string }[] }).diagnostics.some((d) => d.message.includes('no_such_config')), 120_000, from);
    edit.push(ms(t2));
    note = ((m.params as { diagnostics: { code: string }[] }).diagnostics[0]?.code) ?? '';
    await client.shutdown();
    const source = new DocumentStore(nodeFileSystem).sourceFor(configDir);
    const t1 = process.hrtime.bigint();
    compose({ source, configName: 'big', versionBase: '1.1', repository: new Repository(source, { versionBase: '1.1' }) });
    engine.push(ms(t1));
  }
  return { server, serverCpu, edit, engine, bytes: text.length, note };
}

export async function benchLspWait(): Promise<Record<string, unknown>> {
  const loadBefore = loadavg().map((x) => Math.round(x * 10) / 10);
  const tree = writeLargeTree(30);
  const configDir = tree.configDir;
  const files = tree.experiments.length + tree.options.length + 10 + 30;
  // One start and stop first: it writes the server's code cache, as any earlier editor session would have.
  await (await start(configDir)).shutdown();
  const { hovers, queued, hoverCpu, openCpu, windowCpu, windowRunqueue, whileIndexing, wholeTree } = await hoverWhileIndexing(configDir, tree.options, 8, 10);
  const { first, warm, whole, incomplete } = await firstTargetCompletion(configDir, tree.options, 12);
  const big = await bigFileDiagnostics(5);
  const hoverP95 = quantile(hovers, 0.95);
  const wholeP50 = quantile(wholeTree, 0.5);
  const spread = (xs: number[]) => ({ p50: r1(quantile(xs, 0.5)), p95: r1(quantile(xs, 0.95)), min: r1(Math.min(...xs)), max: r1(Math.max(...xs)), n: xs.length });
  return {
    wait_load_average_before: loadBefore,
    wait_load_average_after: loadavg().map((x) => Math.round(x * 10) / 10),
    wait_tree_files: files,
    wait_hover_while_indexing_ms: spread(hovers),
    wait_hover_target_p95_ms: 50,
    wait_hover_answered_while_indexing: `${whileIndexing} of ${hovers.length}`,
    wait_hover_server_queued_ms: spread(queued),
    wait_hover_server_cpu_ms: spread(hoverCpu),
    wait_open_server_cpu_ms: spread(openCpu),
    // From the hover's send to its answer: what the server's main thread ran (background slices, the rest of the
    // open's work, GC, the hover) and how long it was runnable but not running (the machine's load).
    wait_hover_window_main_thread_cpu_ms: windowCpu.length ? spread(windowCpu) : 'no /proc',
    wait_hover_window_runqueue_ms: windowRunqueue.length ? spread(windowRunqueue) : 'no /proc',
    wait_compose_whole_tree_cold_ms: spread(wholeTree),
    wait_hover_p95_over_whole_tree: Math.round((hoverP95 / wholeP50) * 1000) / 1000,
    wait_first_target_completion_ms: spread(first),
    wait_first_target_completion_incomplete: `${incomplete} of ${first.length}`,
    wait_target_completion_whole_after_ms: spread(whole),
    wait_target_completion_warm_ms: spread(warm),
    wait_first_target_completion_target_ms: 100,
    wait_big_file_bytes: big.bytes,
    wait_big_file_diagnostics_ms: spread(big.server),
    wait_big_file_server_cpu_ms: big.serverCpu.length ? spread(big.serverCpu) : 'no /proc',
    wait_big_file_after_edit_ms: spread(big.edit),
    wait_big_file_engine_compose_ms: spread(big.engine),
    wait_big_file_over_engine: Math.round((quantile(big.server, 0.5) / quantile(big.engine, 0.5)) * 100) / 100,
    wait_big_file_first_diagnostic: big.note,
    wait_big_file_target_ms: 2000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void benchLspWait().then((r) => console.log(JSON.stringify(r, null, 2)));
}
