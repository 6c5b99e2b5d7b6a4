// TensorBoard event files (`events.out.tfevents.<time>.<host>.<pid>.<n>`) beside metrics.jsonl: TFRecord framing
// (u64 length, masked CRC-32C of the length, the Event bytes, masked CRC-32C of the bytes) around tensorboard.Event
// protobufs, one Event per logged row with a simple_value per scalar.
//
// A resumed attempt starts a new file whose first event after the version is SessionLog START at the first step
// it will log: TensorBoard's reader then drops the rows the previous attempt wrote past its checkpoint (the same
// restart protocol TensorFlow's own summary writers use), so every step is seen once.
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { maskedCrc32c } from './checksums.js';
import { encode, TbEvent } from './protos.js';

const PREFIX = 'events.out.tfevents.';

function frame(data: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  len.copy(out, 0);
  out.writeUInt32LE(maskedCrc32c(len), 8);
  Buffer.from(data).copy(out, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Readers load a directory's event files in name order: a new file's time never sorts before an older one's. */
function fileTime(dir: string): number {
  let t = Math.floor(Date.now() / 1000);
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(PREFIX)) continue;
    const prev = Number(f.slice(PREFIX.length).split('.')[0]);
    if (Number.isFinite(prev) && prev >= t) t = prev + 1;
  }
  return t;
}

export class TensorBoardWriter {
  readonly path: string;
  private fd: number;

  constructor(dir: string, opts: { firstStep?: number } = {}) {
    const wall = Date.now() / 1000;
    this.path = join(dir, `${PREFIX}${fileTime(dir)}.${hostname()}.${process.pid}.0`);
    this.fd = openSync(this.path, 'w');
    this.write({ wall_time: wall, file_version: 'brain.Event:2' });
    if (opts.firstStep !== undefined) this.write({ wall_time: wall, step: opts.firstStep, session_log: { status: 1 } });
  }

  private write(event: Record<string, unknown>): void {
    writeSync(this.fd, frame(encode(TbEvent, event)));
  }

  /** One Event holding every scalar of the step (NaN and infinities included, as TensorBoard stores them). */
  scalars(step: number, wallTime: number, values: Record<string, number>): void {
    const value = Object.entries(values).filter(([, v]) => typeof v === 'number').map(([tag, v]) => ({ tag, simple_value: v }));
    if (value.length) this.write({ wall_time: wallTime, step, summary: { value } });
  }

  close(): void {
    closeSync(this.fd);
  }
}
