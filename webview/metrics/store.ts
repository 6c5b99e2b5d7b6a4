// A run's metric columns in the page, growable: live appends copy into spare capacity (doubling when full) instead
// of reallocating every column on every line.
import type { MetricColumns } from '../contract.js';

const RESERVED = ['step', 'epoch', 'time', 'attempt'] as const;

export class ColumnStore {
  private n: number;
  private cap: number;
  private readonly cols = new Map<string, Float64Array>();

  constructor(initial: MetricColumns) {
    this.n = initial.step.length;
    this.cap = this.n;
    for (const k of RESERVED) this.cols.set(k, initial[k]);
    for (const [k, v] of Object.entries(initial.metrics)) this.cols.set(`m:${k}`, v);
  }

  get length(): number {
    return this.n;
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2, 64);
    for (const [k, v] of this.cols) {
      const next = new Float64Array(cap).fill(NaN);
      next.set(v.subarray(0, this.n));
      this.cols.set(k, next);
    }
    this.cap = cap;
  }

  append(add: MetricColumns): void {
    const k = add.step.length;
    this.grow(this.n + k);
    for (const key of RESERVED) this.cols.get(key)!.set(add[key], this.n);
    for (const [m, v] of Object.entries(add.metrics)) {
      let col = this.cols.get(`m:${m}`);
      if (!col) {
        // A metric that first appears now is NaN (no value) for the rows before it.
        col = new Float64Array(this.cap).fill(NaN);
        this.cols.set(`m:${m}`, col);
      }
      col.set(v, this.n);
    }
    for (const [key, col] of this.cols) {
      if (key.startsWith('m:') && !(key.slice(2) in add.metrics)) col.fill(NaN, this.n, this.n + k);
    }
    this.n += k;
  }

  /** Views of the filled part of every column (no copies). */
  view(): MetricColumns {
    const v = (key: string): Float64Array => this.cols.get(key)!.subarray(0, this.n);
    const metrics: Record<string, Float64Array> = {};
    for (const key of this.cols.keys()) if (key.startsWith('m:')) metrics[key.slice(2)] = v(key);
    return { step: v('step'), epoch: v('epoch'), time: v('time'), attempt: v('attempt'), metrics };
  }
}
