// Background work in slices (issue 16, "never makes you wait"): open files first, the tree composed in slices
// that yield to requests, an edit cancelling the pass in progress. A counter stands in for the clock, so the
// slices are the same on a loaded machine; what is asserted is order and content, never time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticsScheduler, type SchedulerHost } from '../../language-server/service/scheduler.js';
import type { LanguageService } from '../../language-server/service/service.js';
import type { Diagnostic } from '../../language-server/service/types.js';
import { parseFixture, serviceFor } from './fixture.js';

/** 40 final configs over 4 group options; `exp/e7.yaml` has a bad interpolation. */
function tree(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let o = 0; o < 4; o++) files[`/configs/model/m${o}.yaml`] = `width: ${o}\ndepth: \${model.width}\n`;
  for (let e = 0; e < 40; e++) {
    files[`/configs/exp/e${e}.yaml`] = `# @package _global_\ndefaults:\n  - /model: m${e % 4}\n  - _self_\nname: e${e}\n` +
      (e === 7 ? 'bad: ${nope}\n' : '');
  }
  return files;
}

function setup(onYield?: (n: number, s: LanguageService) => void) {
  const f = parseFixture(Object.entries(tree()).map(([p, t]) => `//- ${p}\n${t}`).join('\n'));
  const service = serviceFor(f);
  const events: { path: string; diagnostics: Diagnostic[] }[] = [];
  let clock = 0;
  let yields = 0;
  const host: SchedulerHost = {
    publish: (path, diagnostics) => events.push({ path, diagnostics }),
    yieldNow: async () => {
      events.push({ path: '<yield>', diagnostics: [] });
      onYield?.(++yields, service);
    },
    // Every look at the clock is one unit of work.
    now: () => clock++,
  };
  const scheduler = new DiagnosticsScheduler(service, host, 6);
  return { service, scheduler, events, files: f.files };
}

test('the open file is published first, from its own context, before the tree is composed', async () => {
  const { service, scheduler, events } = setup();
  service.open('/configs/exp/e7.yaml', tree()['/configs/exp/e7.yaml']!, 1);
  scheduler.wholeTree();
  await scheduler.run();
  const published = events.filter((e) => e.path !== '<yield>');
  assert.equal(published[0]!.path, '/configs/exp/e7.yaml');
  assert.deepEqual(published[0]!.diagnostics.map((d) => d.code), ['interpolation-key']);
  // The tree was composed in many slices, with a yield (a chance to answer requests) between them.
  const quick = events.findIndex((e) => e.path !== '<yield>');
  const firstFull = events.findIndex((e, i) => i > quick && e.path !== '<yield>');
  assert.ok(events.slice(quick + 1, firstFull).filter((e) => e.path === '<yield>').length >= 5, 'composing yields between slices');
  assert.ok(scheduler.stats.slices >= 10);
  // Every file got its diagnostics, and what was published last is what the service says now.
  const last = new Map(published.map((e) => [e.path, e.diagnostics]));
  for (const path of service.allFiles()) assert.deepEqual(last.get(path), service.diagnostics(path), path);
});

test('an edit cancels the pass in progress; the next pass starts with the open file and nothing stale remains', async () => {
  const fixed = '# @package _global_\ndefaults:\n  - /model: m3\n  - _self_\nname: e7\nbad: ${name}\n';
  let edited = false;
  const { service, scheduler, events } = setup((n, s) => {
    if (n === 8 && !edited) {
      edited = true;
      s.change('/configs/exp/e7.yaml', fixed, 2);
      scheduler.cancel();
      events.push({ path: '<edit>', diagnostics: [] });
      void scheduler.run();
    }
  });
  service.open('/configs/exp/e7.yaml', tree()['/configs/exp/e7.yaml']!, 1);
  scheduler.wholeTree();
  await scheduler.run();
  assert.ok(edited);
  assert.ok(scheduler.stats.cancelled >= 1, JSON.stringify(scheduler.stats));
  const afterEdit = events.slice(events.findIndex((e) => e.path === '<edit>') + 1).filter((e) => e.path !== '<yield>');
  assert.equal(afterEdit[0]!.path, '/configs/exp/e7.yaml');
  assert.deepEqual(afterEdit[0]!.diagnostics, []);
  const last = new Map(events.filter((e) => e.path.startsWith('/')).map((e) => [e.path, e.diagnostics]));
  for (const path of service.allFiles()) assert.deepEqual(last.get(path), service.diagnostics(path), path);
  assert.deepEqual(last.get('/configs/exp/e7.yaml'), []);
});

test('a request between two slices is answered from the open file\'s context while the tree is still composing', async () => {
  let answered: string | undefined;
  let indexedWhenAnswered: boolean | undefined;
  const { service, scheduler } = setup((n, s) => {
    if (n === 3) {
      const path = '/configs/model/m2.yaml';
      const h = s.hover(path, s.text(path)!.indexOf('depth') + 1);
      answered = h?.contents;
      indexedWhenAnswered = s.workspace.project('/configs').indexed();
    }
  });
  service.open('/configs/model/m2.yaml', tree()['/configs/model/m2.yaml']!, 1);
  scheduler.wholeTree();
  await scheduler.run();
  assert.equal(indexedWhenAnswered, false);
  assert.match(answered ?? '', /\*\*`model\.depth`\*\* = `"\$\{model\.width\}"`/);
  assert.match(answered ?? '', /resolves to `2`/);
  assert.match(answered ?? '', /composed through `exp\/e\d+`/);
});

test('a file renamed away gets its diagnostics cleared, not "Cannot find primary config"', async () => {
  const { service, scheduler, events, files } = setup();
  scheduler.wholeTree();
  await scheduler.run();
  // The rename of `model/m1.yaml` to `model/m9.yaml`, as an editor does it: the entries first, then the file.
  const fs = service.fs as unknown as { files: Map<string, string> };
  for (let e = 1; e < 40; e += 4) service.open(`/configs/exp/e${e}.yaml`, files[`/configs/exp/e${e}.yaml`]!.replace('m1', 'm9'), 2);
  fs.files.set('/configs/model/m9.yaml', fs.files.get('/configs/model/m1.yaml')!);
  fs.files.delete('/configs/model/m1.yaml');
  service.diskChanged('/configs/model/m9.yaml', 'created');
  service.diskChanged('/configs/model/m1.yaml', 'deleted');
  scheduler.cancel();
  const mark = events.length;
  await scheduler.run();
  const after = events.slice(mark).filter((e) => e.path.startsWith('/'));
  assert.ok(after.some((e) => e.path === '/configs/model/m1.yaml'), 'the gone file is published again');
  for (const e of after.filter((x) => x.path === '/configs/model/m1.yaml')) assert.deepEqual(e.diagnostics, []);
  const last = new Map(after.map((e) => [e.path, e.diagnostics]));
  for (const [path, d] of last) if (path !== '/configs/exp/e7.yaml') assert.deepEqual(d, [], path);
});
