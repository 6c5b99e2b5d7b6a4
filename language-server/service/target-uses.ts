// The `_target_` names the config files use, kept up to date file by file as the document store learns each
// file's text (the start-up crawl, a read, an edit, a change on disk). A `_target_` completion answers from what
// is known so far instead of reading the whole tree, and says whether that is all of it.
import type { DocumentStore } from './documents.js';
import type { ConfigProject } from './project.js';

export interface TargetUse {
  name: string;
  /** Relative to the project's root. */
  file: string;
  offset: number;
}

/** `_target_: name` in block style (`- _target_: x` too) and in flow mappings (`{_target_: x, ...}`). */
const TARGET_RE = /(?:^[ \t]*(?:-[ \t]+)*|[{,][ \t]*)_target_[ \t]*:[ \t]*(["']?)([A-Za-z_$][\w$.]*)\1/gm;
const CONFIG_EXT = /\.ya?ml$/;

/** A file's names, each with the offset of its first use in the file. */
type FileUses = Map<string, number>;

export class TargetUses {
  /** Absolute path -> the uses in its current text, for every config file whose text is known. */
  private readonly byFile = new Map<string, FileUses>();
  /** Name -> the files using it (absolute paths). */
  private readonly byName = new Map<string, Set<string>>();
  /** Bumped on every change, so per-project answers are remembered until something changes. */
  private changes = 0;
  private readonly answers = new WeakMap<ConfigProject, { changes: number; files: readonly string[]; uses: Map<string, TargetUse>; complete: boolean }>();
  /**
   * While the start-up crawl reads the tree, a file not read yet only makes the answer incomplete. Before a crawl
   * (an embedder that runs none) and after it (files forgotten since: closed, changed on disk) a missing file is
   * read when asked.
   */
  private crawling = false;

  constructor(private readonly store: DocumentStore) {
    store.onText((path) => this.update(path));
  }

  crawlStarted(): void {
    this.crawling = true;
  }

  crawlDone(): void {
    this.crawling = false;
    this.changes++;
  }

  /**
   * The names used in a project's config files (first use of each, by path), and whether every file was seen.
   * Before the crawl ends only the files read so far count; after it, a file forgotten since is read again.
   */
  inProject(project: ConfigProject): { uses: Map<string, TargetUse>; complete: boolean } {
    const files = project.configFiles();
    const hit = this.answers.get(project);
    if (hit && hit.changes === this.changes && hit.files === files) return hit;
    let complete = true;
    for (const f of files) {
      const abs = project.absolute(f);
      if (this.byFile.has(abs)) continue;
      if (!this.crawling) project.source.read(f);
      if (!this.byFile.has(abs)) complete = false;
    }
    const prefix = project.root + '/';
    const uses = new Map<string, TargetUse>();
    for (const [name, paths] of this.byName) {
      let first: string | undefined;
      for (const p of paths) if (p.startsWith(prefix) && (first === undefined || p < first)) first = p;
      if (first === undefined) continue;
      uses.set(name, { name, file: first.slice(prefix.length), offset: this.byFile.get(first)!.get(name)! });
    }
    const answer = { changes: this.changes, files, uses, complete };
    this.answers.set(project, answer);
    return answer;
  }

  private update(path: string): void {
    if (!CONFIG_EXT.test(path)) return;
    this.forget(path);
    const known = this.store.cached(path);
    if (known) this.byFile.set(path, scan(known.text ?? ''));
    for (const name of this.byFile.get(path)?.keys() ?? []) {
      let paths = this.byName.get(name);
      if (!paths) this.byName.set(name, (paths = new Set()));
      paths.add(path);
    }
    this.changes++;
  }

  private forget(path: string): void {
    const old = this.byFile.get(path);
    if (!old) return;
    this.byFile.delete(path);
    for (const name of old.keys()) {
      const paths = this.byName.get(name);
      paths?.delete(path);
      if (paths?.size === 0) this.byName.delete(name);
    }
  }
}

/** One file's uses, as text (no YAML parse): the first use of each name in it. */
function scan(text: string): FileUses {
  const out: FileUses = new Map();
  if (!text.includes('_target_')) return out;
  for (const m of text.matchAll(TARGET_RE)) {
    const name = m[2]!;
    if (!out.has(name)) out.set(name, m.index! + m[0].length - name.length - m[1]!.length);
  }
  return out;
}
