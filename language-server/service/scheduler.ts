// The server's background work (composing the tree, publishing diagnostics) in short slices, so requests never
// wait behind it: between two slices the server answers every message that has arrived. Each pass does the open
// files first (from their own context, without composing the rest of the tree), then composes the remaining final
// configs, then publishes full diagnostics for the files edits touched and, on start-up, for the whole tree.
// An edit cancels the pass in progress at its next slice boundary; the next pass starts again with the open
// files, and a whole-tree pass resumes where it stopped instead of starting over.
import type { LanguageService } from './service.js';
import type { Diagnostic } from './types.js';

export interface SchedulerHost {
  /** Sends one file's diagnostics to the client. */
  publish(path: string, diagnostics: Diagnostic[]): void;
  /** Lets pending requests run: every message that has arrived (handlers/incoming.ts in the server). */
  yieldNow(): Promise<void>;
  /** A monotonic clock in milliseconds (performance.now in the server; a counter in tests). */
  now(): number;
  /**
   * Indexing is under way (`done` of `total` config files walked), or finished (undefined): the server shows
   * it as work-done progress. Called after every slice of indexing and once when the tree is composed.
   */
  indexing?(progress: { done: number; total: number } | undefined): void;
}

/** How long one slice of background work may hold the event loop. */
export const SLICE_MS = 4;

export class DiagnosticsScheduler {
  /** Bumped by every edit: a pass started under an older epoch stops at its next slice boundary. */
  private epoch = 0;
  private running = false;
  private rerun = false;
  /** Files waiting for full diagnostics (edits touched them). */
  private readonly dirty = new Set<string>();
  /** What is left of a whole-tree pass; undefined when none is pending. */
  private remaining: Set<string> | undefined;
  private wholeTreeRequested = false;
  /** Open files whose quick diagnostics are current (cleared by edits). */
  private readonly quickDone = new Set<string>();
  /** Passes completed and cancelled, for tests and the benchmark. */
  readonly stats = { passes: 0, cancelled: 0, slices: 0 };

  constructor(
    private readonly service: LanguageService,
    private readonly host: SchedulerHost,
    private readonly sliceMs = SLICE_MS,
  ) {}

  /** Publish diagnostics for every file (start-up). */
  wholeTree(): void {
    this.wholeTreeRequested = true;
    this.remaining = undefined;
  }

  /** An edit or a file event: the pass in progress stops at its next slice boundary. */
  cancel(): void {
    this.epoch++;
    this.quickDone.clear();
  }

  /** Runs passes until one completes with no edit in between; resolves when the work is done. */
  async run(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      this.epoch++;
      return;
    }
    this.running = true;
    try {
      do {
        this.rerun = false;
        const done = await this.pass(this.epoch);
        if (done) this.stats.passes++;
        else this.stats.cancelled++;
      } while (this.rerun);
    } finally {
      this.running = false;
    }
  }

  private async pass(epoch: number): Promise<boolean> {
    const cancelled = () => this.epoch !== epoch;
    let sliceEnd = this.host.now() + this.sliceMs;
    const pause = async () => {
      this.stats.slices++;
      await this.host.yieldNow();
      sliceEnd = this.host.now() + this.sliceMs;
    };
    /** Yields when the slice is used up; true when the pass must stop. */
    const tick = async () => {
      if (this.host.now() >= sliceEnd) await pause();
      return cancelled();
    };
    // Requests that arrived with the change that started this pass (a hover sent right after a didOpen) first.
    await pause();
    if (cancelled()) return false;
    for (const f of this.service.takeDirty()) this.dirty.add(f);
    if (this.wholeTreeRequested) {
      this.wholeTreeRequested = false;
      this.remaining = new Set(this.service.allFiles());
    }
    const open = this.service.openFiles();

    // 1. The open files, from their own context: what the user looks at does not wait for the tree. A file is
    //    prepared first (its syntax and the context it composes in: what its next request needs), then the
    //    requests that arrived meanwhile are answered, then its diagnostics are published.
    for (const f of open) {
      if (this.quickDone.has(f) || !(this.dirty.has(f) || this.remaining?.has(f))) continue;
      if (await tick()) return false;
      this.service.prepare(f);
      await pause();
      if (cancelled()) return false;
      this.host.publish(f, this.service.quickDiagnostics(f));
      this.quickDone.add(f);
    }

    // 2. The rest of the tree, composed in slices.
    for (;;) {
      const finished = this.service.indexSome(() => this.host.now() >= sliceEnd || cancelled());
      if (cancelled()) return false;
      this.host.indexing?.(finished ? undefined : this.service.indexProgress());
      if (finished) break;
      await pause();
      if (cancelled()) return false;
    }

    // 3. Full diagnostics: edited files (open ones first), then what is left of a whole-tree pass.
    const openSet = new Set(open);
    const queue = [...[...this.dirty].sort((a, b) => Number(!openSet.has(a)) - Number(!openSet.has(b)))];
    if (this.remaining) queue.push(...[...this.remaining].sort((a, b) => Number(!openSet.has(a)) - Number(!openSet.has(b))));
    const seen = new Set<string>();
    for (const f of queue) {
      if (seen.has(f)) continue;
      seen.add(f);
      if (await tick()) return false;
      this.host.publish(f, this.service.diagnostics(f));
      this.dirty.delete(f);
      this.remaining?.delete(f);
    }
    this.remaining = undefined;
    return true;
  }
}
