// The connection's incoming messages, as the background scheduler needs to see them. vscode-jsonrpc handles
// one queued message per event-loop turn (each on its own setImmediate), so a scheduler that resumed after a
// single turn would run a whole slice between two queued messages: a hover sent just after a didOpen waited
// for a slice behind the didOpen, and one more behind each request the client sent with it. Counting the
// messages handled lets background work yield until a turn passes with nothing left to handle.
//
// It also keeps when and for how much CPU the last messages were handled (`bait/serverTimings`): on a loaded
// machine a client's wall clock mixes the server's work with the operating system's scheduling, and the
// benchmark reports the two apart.
import type { Message, MessageStrategy } from 'vscode-languageserver/node.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * CPU time of the process in ms. Precise (getrusage), but it counts every thread: the thread pool reading files
 * at start-up and the garbage collector's helpers too. (Linux's per-thread schedstat is only brought up to date
 * at scheduler ticks, too coarse for a handler of a millisecond.)
 */
function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** One handled message: what it was, when its handler ran (ms since the epoch) and the CPU it took. */
export interface HandledMessage {
  method: string;
  id?: number | string;
  start: number;
  end: number;
  cpuMs: number;
}

const KEEP = 256;
const epochMs = () => performance.timeOrigin + performance.now();

export class IncomingMessages {
  private handled = 0;
  private readonly timings: HandledMessage[] = [];

  /** Passed to createConnection: counts each message (and times it) as the connection handles it. */
  readonly strategy: MessageStrategy = {
    handleMessage: (message, next) => {
      this.handled++;
      const method = (message as Message & { method?: unknown }).method;
      if (typeof method !== 'string') {
        next(message);
        return;
      }
      const start = epochMs();
      const cpu = cpuMs();
      try {
        next(message);
      } finally {
        const id = (message as { id?: number | string }).id;
        this.timings.push({ method, ...(id !== undefined ? { id } : {}), start, end: epochMs(), cpuMs: cpuMs() - cpu });
        if (this.timings.length > KEEP) this.timings.splice(0, this.timings.length - KEEP);
      }
    },
  };

  /**
   * Resolves once every message that had arrived is handled. Two turns per round: a message read from the
   * pipe during a turn is queued behind this turn's own callback, and is handled only in the turn after it.
   */
  async drain(): Promise<void> {
    let before: number;
    do {
      before = this.handled;
      await nextTurn();
      await nextTurn();
    } while (this.handled !== before);
  }

  /** The messages handled since the last call (at most the last 256), oldest first. */
  takeTimings(): HandledMessage[] {
    return this.timings.splice(0);
  }
}
