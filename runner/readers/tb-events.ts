// TensorBoard event files (`events.out.tfevents.*`, what Lightning's TensorBoardLogger and torch's SummaryWriter
// write): TFRecord framing (u64 length, u32 crc, data, u32 crc) around `tensorflow.Event` protobufs. Only scalars
// are read: `Summary.Value.simple_value`, and tensors of the `scalars` plugin (float/double, one element). A record
// cut short at the end of the file (the app is still writing) ends the read, as TensorBoard does.
import { readFileSync } from 'node:fs';
import type { OutputRow } from './csv-metrics.js';
import { findFiles, SKIP_CHECKPOINTS } from './find-files.js';

/** A minimal protobuf reader: varints, fixed32/64 and length-delimited fields, which is all Event uses. */
class Proto {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80 || this.pos >= this.end) return result;
      mul *= 128;
    }
  }

  /** The next field: its number, wire type, and a reader or value. */
  field(): { no: number; wire: number } {
    const key = this.varint();
    return { no: Math.floor(key / 8), wire: key & 7 };
  }

  sub(): Proto {
    const len = this.varint();
    const p = new Proto(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return p;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf wire type ${wire} is not supported`);
  }
}

const DT_FLOAT = 1;
const DT_DOUBLE = 2;

/** A TensorProto holding one float or double, as the scalars plugin writes it. */
function tensorScalar(p: Proto): number | undefined {
  let dtype = 0;
  let value: number | undefined;
  let content: Buffer | undefined;
  while (!p.done) {
    const f = p.field();
    if (f.no === 1 && f.wire === 0) dtype = p.varint();
    else if (f.no === 4 && f.wire === 2) {
      const s = p.sub();
      content = p.buf.subarray(s.pos, s.end);
    } else if (f.no === 5 && f.wire === 2) {
      const s = p.sub();
      if (s.end - s.pos >= 4) value = p.buf.readFloatLE(s.pos);
    } else if (f.no === 5 && f.wire === 5) {
      value = p.buf.readFloatLE(p.pos);
      p.pos += 4;
    } else if (f.no === 6 && f.wire === 2) {
      const s = p.sub();
      if (s.end - s.pos >= 8) value = p.buf.readDoubleLE(s.pos);
    } else if (f.no === 6 && f.wire === 1) {
      value = p.buf.readDoubleLE(p.pos);
      p.pos += 8;
    } else p.skip(f.wire);
  }
  if (value === undefined && content) {
    if (dtype === DT_FLOAT && content.length === 4) value = content.readFloatLE(0);
    if (dtype === DT_DOUBLE && content.length === 8) value = content.readDoubleLE(0);
  }
  return dtype === DT_FLOAT || dtype === DT_DOUBLE ? value : undefined;
}

function pluginName(p: Proto): string | undefined {
  while (!p.done) {
    const f = p.field();
    if (f.no === 1 && f.wire === 2) {
      const d = p.sub();
      while (!d.done) {
        const g = d.field();
        if (g.no === 1 && g.wire === 2) {
          const s = d.sub();
          return d.buf.toString('utf8', s.pos, s.end);
        }
        d.skip(g.wire);
      }
    } else p.skip(f.wire);
  }
  return undefined;
}

function summaryValue(p: Proto): { tag: string; value: number } | undefined {
  let tag = '';
  let simple: number | undefined;
  let tensor: number | undefined;
  let plugin: string | undefined;
  while (!p.done) {
    const f = p.field();
    if (f.no === 1 && f.wire === 2) {
      const s = p.sub();
      tag = p.buf.toString('utf8', s.pos, s.end);
    } else if (f.no === 2 && f.wire === 5) {
      simple = p.buf.readFloatLE(p.pos);
      p.pos += 4;
    } else if (f.no === 8 && f.wire === 2) tensor = tensorScalar(p.sub());
    else if (f.no === 9 && f.wire === 2) plugin = pluginName(p.sub());
    else p.skip(f.wire);
  }
  const value = simple ?? (plugin === 'scalars' ? tensor : undefined);
  return tag && value !== undefined ? { tag, value } : undefined;
}

/** The scalar rows of one event file's bytes: one row per event that has scalars. */
export function parseEvents(buf: Buffer): OutputRow[] {
  const rows: OutputRow[] = [];
  let off = 0;
  while (off + 12 <= buf.length) {
    const len = Number(buf.readBigUInt64LE(off));
    const start = off + 12;
    if (start + len + 4 > buf.length) break; // torn tail: being written
    const ev = new Proto(buf, start, start + len);
    const row: OutputRow = {};
    let any = false;
    try {
      while (!ev.done) {
        const f = ev.field();
        if (f.no === 1 && f.wire === 1) {
          row.time = buf.readDoubleLE(ev.pos);
          ev.pos += 8;
        } else if (f.no === 2 && f.wire === 0) row.step = ev.varint();
        else if (f.no === 5 && f.wire === 2) {
          const summary = ev.sub();
          while (!summary.done) {
            const g = summary.field();
            if (g.no === 1 && g.wire === 2) {
              const v = summaryValue(summary.sub());
              if (v && Number.isFinite(v.value)) {
                row[v.tag] = v.value;
                any = true;
              }
            } else summary.skip(g.wire);
          }
        } else ev.skip(f.wire);
      }
    } catch {
      break; // a record we cannot read: stop here rather than guess
    }
    row.step ??= 0; // protobuf leaves out a step of 0
    if (any) rows.push(row);
    off = start + len + 4;
  }
  return rows;
}

/** The event files under a run directory, in the order they were written (their names start with the time). */
export function findEventFiles(runDir: string, depth = 4): string[] {
  const out = findFiles(runDir, depth, (n) => n.startsWith('events.out.tfevents.'), SKIP_CHECKPOINTS);
  const stamp = (f: string) => Number(/tfevents\.(\d+)/.exec(f)?.[1] ?? 0);
  return out.sort((a, b) => stamp(a) - stamp(b) || a.localeCompare(b));
}

/** Every scalar of a run's event files; several files (resumed attempts) are numbered as attempts from 1. */
export function readTensorBoardScalars(runDir: string): OutputRow[] {
  const files = findEventFiles(runDir);
  return files.flatMap((f, i) => {
    try {
      const rows = parseEvents(readFileSync(f));
      return files.length > 1 ? rows.map((r) => ({ ...r, attempt: i + 1 })) : rows;
    } catch {
      return [];
    }
  });
}
