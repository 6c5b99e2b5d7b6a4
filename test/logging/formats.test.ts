// The two on-disk formats at the byte level: W&B's record log (records that span 32 KiB blocks, a resumed file
// cut and continued) read by the real wandb DataStore, the checksums against their published check values, and
// protos.json against a fresh read of the real packages' descriptors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, crc32c, maskedCrc32c } from '../../runner/logging/checksums.js';
import { decode, encode, WandbRecord } from '../../runner/logging/protos.js';
import { RecordLogWriter, scanRecordLog } from '../../runner/logging/record-log.js';
import { python } from '../infra/python.js';
import { pythonOrSkip, readWandb, ROOT } from './helpers.js';

test('checksums match their standard check values', () => {
  const nine = Buffer.from('123456789');
  assert.equal(crc32(nine), 0xcbf43926);
  assert.equal(crc32c(nine), 0xe3069283);
  // TensorFlow's masking: ((crc >> 15) | (crc << 17)) + 0xa282ead8, mod 2^32.
  assert.equal(maskedCrc32c(nine), (((0xe3069283 >>> 15) | (0xe3069283 << 17)) + 0xa282ead8) >>> 0);
});

function historyRecord(num: number, bytes: number): Uint8Array {
  return encode(WandbRecord, { num, history: { item: [{ key: 'blob', value_json: JSON.stringify('x'.repeat(bytes)) }], step: { num } } });
}

test('records of every size, across block boundaries, read back by wandb DataStore; a cut file continues', (t) => {
  if (!pythonOrSkip(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'bait-recordlog-'));
  const path = join(dir, 'run-x.wandb');
  const sizes = [0, 1, 10, 32_760, 32_761, 100, 70_000, 5, 32_768 * 3, 7];
  const w = new RecordLogWriter(path);
  const ends: number[] = [];
  sizes.forEach((n, i) => ends.push(w.write(historyRecord(i + 1, n))));
  w.close();
  const ours = scanRecordLog(path);
  assert.deepEqual(ours.map((r) => r.end), ends);
  const theirs = readWandb(path);
  assert.deepEqual(theirs.map((r) => r.history!.item[0]!.value_json.length - 2), sizes);

  // Resume: cut after the 4th record (mid-block), append two more; both readers see 6 whole records.
  const w2 = new RecordLogWriter(path, { append: true, truncateAt: ends[3] });
  w2.write(historyRecord(5, 40_000));
  w2.write(historyRecord(6, 3));
  w2.close();
  assert.deepEqual(readWandb(path).map((r) => Number(r.history!.step!.num)), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(scanRecordLog(path).map((r) => (decode(WandbRecord, r.data) as { num: number }).num), [1, 2, 3, 4, 5, 6]);

  // A torn tail (a killed writer) ends our scan at the last whole record instead of failing.
  appendFileSync(path, Buffer.from([1, 2, 3, 4, 5]));
  assert.equal(scanRecordLog(path).length, 6);
  writeFileSync(join(dir, 'bad.wandb'), 'not a log');
  assert.throws(() => scanRecordLog(join(dir, 'bad.wandb')), /not a W&B transaction log/);
});

test('protos.json is what the real wandb and tensorboard packages define', (t) => {
  if (!pythonOrSkip(t)) return;
  const fresh = python(readFileSync(join(ROOT, 'scripts', 'gen-log-protos.py'), 'utf8'));
  assert.equal(fresh, readFileSync(join(ROOT, 'runner', 'logging', 'protos.json'), 'utf8'),
    'regenerate with: .cache/venv/bin/python scripts/gen-log-protos.py > runner/logging/protos.json');
});
