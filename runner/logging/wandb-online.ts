// Online W&B through the official `@wandb/sdk` (npm): its InternalApi creates or updates the run (GraphQL
// upsertBucket, resolving the default entity through the viewer query when none is configured) and its FileStream
// streams history rows, the summary and the exit code to the run's file_stream endpoint.
//
// We drive those two classes ourselves instead of `wandb.init()`, because init() (SDK 0.5.1) installs SIGINT and
// SIGTERM handlers that call process.exit() (training would stop without saving `last`) and rethrows a failed
// upsert as an uncaught exception, which would crash the run. The SDK is loaded only when a run goes online.
//
// Training never waits on the network: rows queue in memory until the run exists, the SDK sends them in the
// background, and the first failure (unreachable host, refused key, a request that fails) stops streaming with one
// warning. The run's local transaction log (run-<id>.wandb, written in every mode) still holds every row, so
// `wandb sync` uploads the rest later.
import type { OnlineStream } from './run-loggers.js';
import { type LoggingSettings, runUrl } from './settings.js';

export interface OnlineRun {
  id: string;
  host: string;
  /** W&B's config as its Python client sends it: {key: {value, desc}}. */
  config: Record<string, unknown>;
  /** Rows the run already has (a resumed run streams after them). */
  startOffset: number;
}

interface FileStreamView {
  start(run: { name: string; project: string; entity: string }): Promise<void>;
  logHistory(data: Record<string, unknown>, step?: number, commit?: boolean): void;
  stop(code?: number): Promise<void>;
  send(data: unknown): Promise<unknown>;
  lastChunks: Record<string, { offset: number; data: Record<string, unknown> }>;
}

/** How long one request to W&B may take before the run stops streaming (env: tests shorten it). */
const REQUEST_WAIT_MS = Number(process.env.BAIT_WANDB_REQUEST_WAIT_MS) || 30_000;
/** How long finish() waits for the last rows to be sent before leaving them to `wandb sync`. */
const FINISH_WAIT_MS = Number(process.env.BAIT_WANDB_FINISH_WAIT_MS) || 20_000;

/** The promise's value, or a rejection saying what did not answer within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} got no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class WandbOnline implements OnlineStream {
  private state: 'starting' | 'streaming' | 'offline' = 'starting';
  private queue: Array<{ step: number; data: Record<string, unknown> }> = [];
  private summaryValues: Record<string, unknown> = {};
  private fs: FileStreamView | undefined;
  private ready: Promise<void>;
  /** The run's page, once the server has answered. */
  url: string | null = null;

  private readonly console = new ConsoleRoute();

  constructor(private readonly s: LoggingSettings, private readonly run: OnlineRun, private readonly warn: (line: string) => void,
    private readonly onUrl: (url: string) => void, log: (line: string) => void) {
    this.console.install(log);
    this.ready = this.start().catch((e: unknown) => this.goOffline(e));
  }

  private async start(): Promise<void> {
    const [{ InternalApi }, { FileStream }] = await Promise.all([
      // The package's exports map hides these modules; the relative path lets esbuild bundle them.
      import('../../node_modules/@wandb/sdk/dist/internal/api.js'),
      import('../../node_modules/@wandb/sdk/dist/internal/filestream.js'),
    ]);
    const api = new InternalApi(this.s.baseUrl, this.s.apiKey!, this.s.entity ?? undefined);
    await within(api.ensureDefaultEntity(), REQUEST_WAIT_MS, 'the viewer query');
    const res = await within(api.upsertRun({
      name: this.run.id, project: this.s.project, entity: this.s.entity ?? '',
      ...(this.s.name ? { displayName: this.s.name } : {}),
      ...(this.s.group ? { groupName: this.s.group } : {}),
      ...(this.s.notes ? { notes: this.s.notes } : {}),
      ...(this.s.jobType ? { jobType: this.s.jobType } : {}),
      tags: this.s.tags, host: this.run.host, config: JSON.stringify(this.run.config),
    }), REQUEST_WAIT_MS, 'upsertBucket');
    const bucket = res?.upsertBucket?.bucket;
    if (!bucket) throw new Error('the server did not create the run (upsertBucket failed)');
    if (this.state === 'offline') return;
    const entity = bucket.project?.entity?.name ?? api.defaultEntity;
    const project = bucket.project?.name ?? this.s.project;
    const fs = new FileStream({ apiKey: this.s.apiKey!, baseUrl: this.s.baseUrl, offline: false }) as unknown as FileStreamView;
    // A resumed run appends history lines after the ones it already has.
    fs.lastChunks['wandb-history.jsonl']!.offset = this.run.startOffset;
    const send = fs.send.bind(fs);
    // The SDK answers a failed request with null (after printing it): that is our signal to stop streaming.
    fs.send = async (data) => {
      if (this.state === 'offline') return null;
      const r = await within(send(data), REQUEST_WAIT_MS, 'a file_stream request').catch((e: unknown) => {
        this.goOffline(e);
        return undefined;
      });
      if (r === undefined) return null;
      if (r === null || (r as { ok?: boolean }).ok === false) this.goOffline(new Error(`a file_stream request failed${r ? ` (HTTP ${(r as { status: number }).status})` : ''}`));
      return r;
    };
    this.fs = fs;
    this.url = runUrl(this.s, entity, this.run.id);
    this.onUrl(this.url);
    this.state = 'streaming';
    void fs.start({ name: this.run.id, project, entity }).catch((e: unknown) => this.goOffline(e));
    for (const q of this.queue.splice(0)) this.send(q.step, q.data);
  }

  private goOffline(e: unknown): void {
    if (this.state === 'offline') return;
    this.state = 'offline';
    this.queue = [];
    // Ends the SDK's send loop (its sends now return at once), so nothing keeps retrying in the background.
    void this.fs?.stop().catch(() => undefined);
    const why = (e as Error)?.message ?? String(e);
    const cause = this.console.lastError && !why.includes(this.console.lastError) ? `: ${this.console.lastError}` : '';
    this.warn(`W&B: cannot stream to ${this.s.baseUrl} (${why}${cause}); the run goes on offline: ` +
      'every row stays in its local W&B folder for `wandb sync`');
  }

  get offline(): boolean {
    return this.state === 'offline';
  }

  private send(step: number, data: Record<string, unknown>): void {
    this.fs!.logHistory({ ...data, _step: step }, step, true);
  }

  history(step: number, _timeSec: number, metrics: Record<string, number>): void {
    if (this.state === 'streaming') this.send(step, metrics);
    else if (this.state === 'starting') this.queue.push({ step, data: metrics });
  }

  summary(values: Record<string, unknown>): void {
    Object.assign(this.summaryValues, values);
  }

  /** Sends what is left and the exit code, waiting at most FINISH_WAIT_MS; never throws. */
  async finish(exitCode: number): Promise<void> {
    const done = (async () => {
      await this.ready;
      if (this.state !== 'streaming' || !this.fs) return;
      Object.assign(this.fs.lastChunks['wandb-summary.json']!.data, this.summaryValues);
      await this.fs.stop(exitCode);
    })().catch((e: unknown) => this.goOffline(e));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), FINISH_WAIT_MS); });
    const r = await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.console.restore();
    if (r === 'timeout') this.goOffline(new Error(`the upload did not finish within ${FINISH_WAIT_MS / 1000} s`));
    if (this.state === 'offline') {
      // A request the SDK still waits on must not keep the finished process alive.
      setTimeout(() => process.exit(), 2000).unref();
    }
  }
}

/**
 * The SDK reports failures with console.log/console.error (whole error objects, retry chatter). While a run
 * streams, console output goes to the run's log file as single lines (the runner itself prints through its own
 * writer, never through console); finish() puts console back.
 */
class ConsoleRoute {
  private saved: Pick<Console, 'log' | 'error' | 'warn'> | undefined;
  /** The SDK's last error line: the real cause behind its generic failures ("Unable to determine default entity"). */
  lastError: string | undefined;

  install(to: (line: string) => void): void {
    if (this.saved) return;
    this.saved = { log: console.log, error: console.error, warn: console.warn };
    const route = (isError: boolean) => (...args: unknown[]) => {
      const line = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ').replace(/\s+/g, ' ').trim();
      if (isError) this.lastError = line;
      to(`wandb-sdk: ${line}`);
    };
    console.log = console.warn = route(false);
    console.error = route(true);
  }

  restore(): void {
    if (this.saved) Object.assign(console, this.saved);
    this.saved = undefined;
  }
}
