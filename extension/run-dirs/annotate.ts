// Tags and notes a user gives a run in the runs table, stored in its run.json (DESIGN.md section 5) so they travel
// with the run directory. The file is rewritten atomically; the runner keeps these two fields when it rewrites
// run.json itself (runner/run/run_record.ts), so editing a running run loses nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../runner/run/atomic.js';

export function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].slice(0, 50);
}

export function annotateRun(dir: string, change: { tags?: string[]; notes?: string }): void {
  const file = join(dir, 'run.json');
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (!record || typeof record !== 'object' || Array.isArray(record)) throw new Error(`${file} is not a run record`);
  if (change.tags !== undefined) record.tags = cleanTags(change.tags);
  if (change.notes !== undefined) {
    if (change.notes.trim()) record.notes = change.notes;
    else delete record.notes;
  }
  writeJsonAtomic(file, record);
}
