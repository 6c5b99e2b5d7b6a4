// The training bench installs Debian's OpenBLAS for the PyTorch baseline and must leave the system's BLAS choice
// as it was (bench/training.ts ensureTorch). OpenBLAS's package registers its libblas.so.3 with a higher priority
// than the reference BLAS, so on a machine whose alternatives are in auto mode the install moves them. Here the
// real update-alternatives runs against a folder of its own (--admindir/--altdir), with the package scripts'
// own steps: the reference BLAS registered, the choice read, OpenBLAS registered as its postinst does, the choice
// restored.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type AlternativesCommand, BLAS_ALTERNATIVE_NAMES, alternatives, restoreAlternatives } from '../../bench/training.js';

const root = mkdtempSync(join(tmpdir(), 'bait-blas-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A fresh admin and link folder for update-alternatives, with the libraries' folders. */
function sandbox(name: string): { dir: string; ua: AlternativesCommand } {
  const dir = join(root, name);
  for (const d of ['admin', 'alt', 'lib/blas', 'lib/openblas-pthread']) mkdirSync(join(dir, d), { recursive: true });
  return { dir, ua: ['update-alternatives', '--admindir', join(dir, 'admin'), '--altdir', join(dir, 'alt')] };
}

/** Registers `lib/<folder>/<file>` for each alternative at `priority`, as a BLAS package's postinst does. */
function register(box: { dir: string; ua: AlternativesCommand }, folder: string, priority: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BLAS_ALTERNATIVE_NAMES) {
    const file = join(box.dir, 'lib', folder, name.split('-')[0]!);
    writeFileSync(file, '');
    const r = spawnSync(box.ua[0], [...box.ua.slice(1), '--install', join(box.dir, 'lib', name), name, file, String(priority)],
      { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    out[name] = file;
  }
  return out;
}

const status = (ua: AlternativesCommand, name: string) =>
  /^Status: (\w+)$/m.exec(spawnSync(ua[0], [...ua.slice(1), '--query', name], { encoding: 'utf8' }).stdout)?.[1];

test('installing OpenBLAS moves auto-mode BLAS alternatives; the bench sets them back', () => {
  const box = sandbox('moved');
  const reference = register(box, 'blas', 10);
  const before = alternatives(box.ua);
  assert.deepEqual(Object.fromEntries(before), reference);
  register(box, 'openblas-pthread', 100);
  assert.notDeepEqual(Object.fromEntries(alternatives(box.ua)), reference, 'auto mode follows the higher priority');
  restoreAlternatives(before, box.ua);
  assert.deepEqual(Object.fromEntries(alternatives(box.ua)), reference);
  for (const name of BLAS_ALTERNATIVE_NAMES) assert.equal(readlinkSync(join(box.dir, 'alt', name)), reference[name]);
});

test('an alternative the install did not move keeps its mode; none before means none set', () => {
  const box = sandbox('kept');
  const reference = register(box, 'blas', 10);
  const before = alternatives(box.ua);
  register(box, 'openblas-pthread', 5);
  restoreAlternatives(before, box.ua);
  assert.deepEqual(Object.fromEntries(alternatives(box.ua)), reference);
  for (const name of BLAS_ALTERNATIVE_NAMES) assert.equal(status(box.ua, name), 'auto', 'not switched to manual');
  // A machine with no BLAS before: nothing to read, nothing set back.
  const bare = sandbox('bare');
  assert.equal(alternatives(bare.ua).size, 0);
  const openblas = register(bare, 'openblas-pthread', 100);
  restoreAlternatives(new Map(), bare.ua);
  assert.deepEqual(Object.fromEntries(alternatives(bare.ua)), openblas);
});
