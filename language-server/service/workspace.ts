// Which config roots exist and which one a file belongs to. Roots come from the client's settings
// (`configDirs`), else each workspace folder's `configs/` then `conf/` (the runner's defaults), else the
// nearest enclosing folder named `configs` or `conf`.
import { DocumentStore } from './documents.js';
import type { FileSystem } from './file-system.js';
import { ConfigProject, type ProjectOptions } from './project.js';
import { TargetUses } from './target-uses.js';
import { TargetCatalogue, type TargetInfo } from './targets.js';

export interface WorkspaceOptions extends Partial<ProjectOptions> {
  fs: FileSystem;
  /** Absolute config dirs. */
  configDirs?: string[];
  /** Absolute workspace folders. */
  workspaceFolders?: string[];
  /** The runner's built-in `_target_`s (names, aliases, parameters, docs). */
  targets?: readonly TargetInfo[];
}

const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export class Workspace {
  readonly store: DocumentStore;
  private readonly projects = new Map<string, ConfigProject>();
  readonly folders: string[];
  readonly targets: TargetCatalogue;
  /** The `_target_`s the config files use, following the store file by file. */
  readonly targetUses: TargetUses;

  constructor(private readonly options: WorkspaceOptions) {
    this.store = new DocumentStore(options.fs);
    this.targetUses = new TargetUses(this.store);
    this.targets = new TargetCatalogue(options.targets ?? []);
    this.folders = (options.workspaceFolders ?? []).map(trim);
    for (const d of options.configDirs ?? []) this.project(trim(d));
    if (!options.configDirs?.length) {
      for (const f of this.folders) {
        for (const name of ['configs', 'conf']) {
          if (options.fs.readDir(`${f}/${name}`)) {
            this.project(`${f}/${name}`);
            break;
          }
        }
      }
    }
  }

  allProjects(): ConfigProject[] {
    return [...this.projects.values()];
  }

  /** The project of a file, creating one for an enclosing `configs`/`conf` folder when none is configured. */
  projectOf(absPath: string): ConfigProject | undefined {
    let best: ConfigProject | undefined;
    for (const p of this.projects.values()) {
      if (absPath.startsWith(p.root + '/') && (!best || p.root.length > best.root.length)) best = p;
    }
    if (best) return best;
    if (!/\.ya?ml$/.test(absPath)) return undefined;
    const parts = absPath.split('/');
    for (let i = parts.length - 2; i > 0; i--) {
      if (parts[i] === 'configs' || parts[i] === 'conf') return this.project(parts.slice(0, i + 1).join('/'));
    }
    return undefined;
  }

  /** The project whose root is a given config dir. */
  project(root: string): ConfigProject {
    let p = this.projects.get(root);
    if (!p) {
      p = new ConfigProject(root, this.store, { versionBase: this.options.versionBase ?? null });
      this.projects.set(root, p);
    }
    return p;
  }

  /**
   * A config dir's Hydra version_base changed (read from an entry point): its project is rebuilt, since every
   * composition depends on it. Returns whether anything changed.
   */
  setVersionBase(root: string, versionBase: '1.1' | null): boolean {
    const p = this.projects.get(root);
    if (!p || (p.repository.options.versionBase ?? null) === versionBase) return false;
    this.projects.set(root, new ConfigProject(root, this.store, { versionBase }));
    return true;
  }

  /** The folder a `_target_`'s module path is resolved against: the workspace folder holding the config dir. */
  workspaceRootOf(project: ConfigProject): string {
    const folder = this.folders.find((f) => project.root.startsWith(f + '/'));
    return folder ?? project.root.slice(0, project.root.lastIndexOf('/'));
  }
}
