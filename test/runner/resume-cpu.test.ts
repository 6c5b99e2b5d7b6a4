// Exact resume on the cpu backend: kill -9 mid-run, resume, same bits as an uninterrupted run.
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { makeWorkspace } from './helpers.js';
import { killNineAndResume, referenceRun } from './resume_scenarios.js';

const ws = makeWorkspace();
after(() => rmSync(ws, { recursive: true, force: true }));

test('cpu: kill -9 then resume equals the uninterrupted run bit for bit', async () => {
  const reference = await referenceRun(ws, 'cpu');
  await killNineAndResume(ws, 'cpu', reference);
});
