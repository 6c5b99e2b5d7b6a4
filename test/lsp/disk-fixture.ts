// Writes a fixture tree to a fresh temp folder (a real workspace for tests that run the server process).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Fixture } from './fixture.js';

export function writeFixture(f: Fixture): { dir: string; path: (p: string) => string; uri: (p: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'bait-ws-'));
  for (const [p, text] of Object.entries(f.files)) {
    const abs = join(dir, p);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return { dir, path: (p) => join(dir, p), uri: (p) => pathToFileURL(join(dir, p)).href };
}
