// The fixture format itself: files, cursor and marker ranges land where the text says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFixture } from './fixture.js';

test('files, the cursor and marks are parsed and removed from the text', () => {
  const f = parseFixture(`
    //- /configs/a.yaml
    x: 1
    name: foo$0
    #     ^^^ value
    //- /configs/db/b.yaml
    y: 2
  `);
  assert.deepEqual(Object.keys(f.files), ['/configs/a.yaml', '/configs/db/b.yaml']);
  assert.equal(f.files['/configs/a.yaml'], 'x: 1\nname: foo\n');
  assert.equal(f.cursor?.offset, 'x: 1\nname: foo'.length);
  assert.equal(f.marks.length, 1);
  const m = f.marks[0]!;
  assert.equal(f.files[m.path]!.slice(m.range[0], m.range[1]), 'foo');
  assert.equal(m.label, 'value');
});
