// The start-up read of the config files off the main thread (DocumentStore.prefetch): what it reads is what a
// synchronous read would give, and a late result never replaces an open buffer, a file read meanwhile, or a
// file that changed on disk while it was being read. The asynchronous reads are released by the test, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentStore } from '../../language-server/service/documents.js';
import { MemoryFileSystem, type FileSystem } from '../../language-server/service/file-system.js';

/**
 * A disk whose asynchronous reads see the text at the moment they start and wait until the test releases them
 * (and that counts the synchronous reads).
 */
function slowDisk(files: Record<string, string>) {
  const disk = new MemoryFileSystem(files);
  const waiting: { path: string; release: () => void }[] = [];
  let syncReads = 0;
  const fs: FileSystem = {
    readFile: (p) => (syncReads++, disk.readFile(p)),
    readDir: (p) => disk.readDir(p),
    readFileAsync: (p) => {
      const text = disk.readFile(p);
      return new Promise((resolve) => waiting.push({ path: p, release: () => resolve(text) }));
    },
  };
  return { disk, fs, waiting, syncReads: () => syncReads };
}

const settle = () => new Promise((r) => setImmediate(r));

test('prefetched files are served from memory, with the text on disk', async () => {
  const { fs, waiting, syncReads } = slowDisk({ '/c/a.yaml': 'a: 1\n', '/c/b.yaml': 'b: 2\n' });
  const store = new DocumentStore(fs);
  const done = store.prefetch(['/c/a.yaml', '/c/b.yaml', '/c/gone.yaml'], 2);
  while (waiting.length) {
    waiting.shift()!.release();
    await settle();
  }
  await done;
  assert.equal(store.read('/c/a.yaml'), 'a: 1\n');
  assert.equal(store.read('/c/b.yaml'), 'b: 2\n');
  assert.equal(store.read('/c/gone.yaml'), undefined);
  assert.equal(syncReads(), 0, 'no file was read again synchronously');
});

test('a late result loses to an open buffer, to a read made meanwhile, and to a change on disk', async () => {
  const { disk, fs, waiting } = slowDisk({ '/c/open.yaml': 'disk: 1\n', '/c/read.yaml': 'r: 1\n', '/c/changed.yaml': 'old: 1\n' });
  const store = new DocumentStore(fs);
  const done = store.prefetch(['/c/open.yaml', '/c/read.yaml', '/c/changed.yaml'], 3);
  assert.equal(waiting.length, 3);
  // While the reads are under way: the editor opens one file, a request reads another that has changed, and a
  // third changes on disk (the watcher says so). Then the reads finish with the texts they saw when they started.
  store.setOpen('/c/open.yaml', 'buffer: 1\n', 1);
  disk.files.set('/c/read.yaml', 'r: 2\n');
  assert.equal(store.read('/c/read.yaml'), 'r: 2\n');
  disk.files.set('/c/changed.yaml', 'new: 1\n');
  store.diskChanged('/c/changed.yaml');
  for (const w of waiting.splice(0)) {
    w.release();
    await settle();
  }
  await done;
  assert.equal(store.read('/c/open.yaml'), 'buffer: 1\n');
  assert.equal(store.read('/c/read.yaml'), 'r: 2\n');
  assert.equal(store.read('/c/changed.yaml'), 'new: 1\n');
});
