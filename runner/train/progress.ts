// Progress output: a redrawn single-line bar on a TTY (Lightning's TQDM bar), plain log lines otherwise (CI, SSH
// logs, the extension's terminal when it is not a TTY), so logs stay readable line by line.

export class Progress {
  private lastDraw = 0;
  private epochStart = 0;
  private drawn = false;

  constructor(
    private readonly enabled: boolean,
    private readonly tty: boolean,
    private readonly print: (line: string) => void,
    private readonly write: (text: string) => void = (s) => process.stderr.write(s),
  ) {}

  startEpoch(epoch: number): void {
    this.epochStart = performance.now();
    void epoch;
  }

  update(epoch: number, batch: number, total: number, step: number, metrics: Record<string, number>, logged: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    const rate = batch / Math.max(1e-9, (now - this.epochStart) / 1000);
    const eta = rate > 0 ? (total - batch) / rate : 0;
    const loss = metrics.loss !== undefined ? ` loss=${metrics.loss.toFixed(4)}` : '';
    if (this.tty) {
      if (now - this.lastDraw < 100 && batch < total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((batch / Math.max(1, total)) * width);
      this.write(`\rEpoch ${epoch}: ${Math.round((100 * batch) / Math.max(1, total))}%|${'#'.repeat(filled)}` +
        `${' '.repeat(width - filled)}| ${batch}/${total} [${fmt(eta)} left, ${rate.toFixed(1)} it/s]${loss}   `);
      this.drawn = true;
    } else if (logged) {
      this.print(`epoch ${epoch} batch ${batch}/${total} step ${step}${loss} ${rate.toFixed(1)} it/s eta ${fmt(eta)}`);
    }
  }

  /** Prints a line without tearing the bar (the bar is redrawn on the next update). */
  line(text: string): void {
    if (this.drawn) {
      this.write('\n');
      this.drawn = false;
    }
    this.print(text);
  }

  end(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }
}

function fmt(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
