// W&B's transaction log (`run-<id>.wandb`): LevelDB's log format with W&B's 7-byte file header (":W&B", magic
// 0xBEE1, version 0). The file is cut into 32 KiB blocks; each record is crc32(type byte + data) (little-endian
// u32), length (u16), type (FULL, or FIRST/MIDDLE/LAST when a record spans blocks) and data. A block tail shorter
// than a record header is zero-padded. This mirrors wandb/sdk/internal/datastore.py, whose reader the tests use.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { crc32 } from './checksums.js';

const HEADER = Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]); // ":W&B", 0xBEE1 LE, version 0
const BLOCK = 32768;
const REC_HEADER = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

const typeSeed = [0, 1, 2, 3, 4].map((t) => crc32(Uint8Array.of(t)));

export class RecordLogWriter {
  private fd: number;
  private offset: number;

  /** Creates the file, or (append) continues an existing one from `truncateAt` bytes (its end by default). */
  constructor(readonly path: string, opts: { append?: boolean; truncateAt?: number } = {}) {
    if (opts.append && existsSync(path)) {
      if (opts.truncateAt !== undefined) truncateSync(path, opts.truncateAt);
      this.fd = openSync(path, 'a');
      this.offset = readFileSync(path).length;
    } else {
      this.fd = openSync(path, 'w');
      writeSync(this.fd, HEADER);
      this.offset = HEADER.length;
    }
  }

  /** Appends one record in as many chunks as the block boundaries require; returns the offset after it. */
  write(data: Uint8Array): number {
    let pos = 0;
    let first = true;
    const parts: Buffer[] = [];
    do {
      const left = BLOCK - (this.offset % BLOCK);
      if (left < REC_HEADER) {
        parts.push(Buffer.alloc(left));
        this.offset += left;
        continue;
      }
      const room = left - REC_HEADER;
      const chunk = data.subarray(pos, pos + room);
      const end = pos + chunk.length === data.length;
      const type = first && end ? FULL : first ? FIRST : end ? LAST : MIDDLE;
      const head = Buffer.alloc(REC_HEADER);
      head.writeUInt32LE(crc32(chunk, typeSeed[type]), 0);
      head.writeUInt16LE(chunk.length, 4);
      head.writeUInt8(type, 6);
      parts.push(head, Buffer.from(chunk));
      this.offset += REC_HEADER + chunk.length;
      pos += chunk.length;
      first = false;
      if (end) break;
    } while (true);
    // One write call per record: a reader (or a kill) sees whole records or a torn tail, never interleaving.
    writeSync(this.fd, Buffer.concat(parts));
    return this.offset;
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface ScannedRecord {
  data: Buffer;
  /** Byte offset just after the record (where a truncation keeping it would cut). */
  end: number;
}

/** Every complete record of a log; stops at a torn or corrupt tail (a killed writer), like W&B's sync does. */
export function scanRecordLog(path: string): ScannedRecord[] {
  const buf = readFileSync(path);
  if (buf.length < HEADER.length || !buf.subarray(0, HEADER.length).equals(HEADER)) {
    throw new Error(`${path} is not a W&B transaction log (bad header)`);
  }
  const out: ScannedRecord[] = [];
  let off = HEADER.length;
  let pending: Buffer[] | null = null;
  while (off < buf.length) {
    const left = BLOCK - (off % BLOCK);
    if (left < REC_HEADER) {
      off += left;
      continue;
    }
    if (off + REC_HEADER > buf.length) break;
    const crc = buf.readUInt32LE(off);
    const len = buf.readUInt16LE(off + 4);
    const type = buf.readUInt8(off + 6);
    const data = buf.subarray(off + REC_HEADER, off + REC_HEADER + len);
    if (data.length < len || type < FULL || type > LAST || crc32(data, typeSeed[type]) !== crc) break;
    off += REC_HEADER + len;
    if (type === FULL) out.push({ data: Buffer.from(data), end: off });
    else if (type === FIRST) pending = [Buffer.from(data)];
    else if (pending) {
      pending.push(Buffer.from(data));
      if (type === LAST) {
        out.push({ data: Buffer.concat(pending), end: off });
        pending = null;
      }
    }
  }
  return out;
}
