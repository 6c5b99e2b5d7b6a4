// The server's custom requests and command ids: declared once here, imported by the extension (like
// rust-analyzer's lsp_ext.ts). Plain method names and types only, so importing it pulls in no LSP library;
// each side builds its `RequestType` from these. Positions are LSP's (0-based line, UTF-16 character).

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Location {
  uri: string;
  range: Range;
}

/** Where a composed value was set: a file location, or an override (index and columns in its text). */
export type ProvenanceOrigin =
  | { kind: 'file'; location: Location }
  | { kind: 'override'; index: number; text: string; start: number; end: number }
  | { kind: 'builtin'; what: string };

/** A composed node as data, with the provenance of every value. */
export type ComposedNode =
  | { kind: 'scalar'; type: 'int' | 'float' | 'str' | 'bool' | 'null' | 'missing'; value: number | string | boolean | null; origin?: ProvenanceOrigin; history?: ProvenanceOrigin[] }
  | { kind: 'list'; items: ComposedNode[]; origin?: ProvenanceOrigin; history?: ProvenanceOrigin[] }
  | { kind: 'dict'; entries: { key: string; node: ComposedNode; keyOrigin?: ProvenanceOrigin }[]; origin?: ProvenanceOrigin; history?: ProvenanceOrigin[] };

export interface ConfigProblem {
  code: string;
  message: string;
  /** Set for problems in a file. */
  location?: Location;
  /** Set for problems in an override: its index and the columns inside its text. */
  override?: { index: number; start: number; end: number };
  options?: string[];
}

/** Identifies a config: its config dir (absolute path) and Hydra config name (`premise_selection/hol4/gnn`). */
export interface ConfigRef {
  configDir: string;
  configName: string;
}

// bait/composedConfig: the config composed from a config and overrides, with provenance.
export const ComposedConfigMethod = 'bait/composedConfig';
export interface ComposedConfigParams extends ConfigRef {
  overrides?: string[];
}
export interface ComposedConfigResult {
  /** The composed config (without the `hydra` node unless `includeHydra`), or null when composition failed. */
  config: ComposedNode | null;
  /** The same config as YAML text, for a read-only "Show Composed Config" document. */
  yaml: string | null;
  /** The defaults in merge order: which file landed at which package. */
  defaults: { configPath: string | null; package: string; group?: string; option?: string; uri?: string }[];
  errors: ConfigProblem[];
}

// bait/runnableConfigs: every final config that composes, per config dir.
export const RunnableConfigsMethod = 'bait/runnableConfigs';
export interface RunnableConfigsParams {
  /** Limit to one config dir; all known dirs when absent. */
  configDir?: string;
}
export interface RunnableConfig extends ConfigRef {
  /** The file the lenses are on. */
  uri: string;
  /** Overrides that select the file on top of `configName` (`experiment=example`); absent for a primary config. */
  overrides?: string[];
}
export type RunnableConfigsResult = RunnableConfig[];

// bait/validateOverrides: checks an override list against a config as the user types it.
export const ValidateOverridesMethod = 'bait/validateOverrides';
export interface ValidateOverridesParams extends ConfigRef {
  overrides: string[];
  /**
   * true in a sweep dialog (`bait run -m`): `a=1,2` is a 2-job sweep. false or absent for a single run, where
   * Hydra without -m rejects sweep values (`Ambiguous value for argument 'a=1,2'`), and so does this check.
   */
  multirun?: boolean;
}
export interface ValidateOverridesResult {
  valid: boolean;
  errors: ConfigProblem[];
  /** Jobs the overrides make with -m (1 without sweep values); null when the overrides do not parse. */
  jobs: number | null;
}

// bait/sweepJobCount: how many jobs a sweep makes: a sweep file, or a config with sweep overrides.
export const SweepJobCountMethod = 'bait/sweepJobCount';
export type SweepJobCountParams = { uri: string } | (ConfigRef & { overrides: string[] });
export interface SweepJobCountResult {
  /** null: unbounded (a random/bayes sweep with a distribution and no run_cap) or not computable. */
  jobs: number | null;
  detail: string;
  /** The config a sweep file runs, when found. */
  config?: ConfigRef;
}

// bait/configContexts: the final configs a file is composed through (hover, completion, diagnostics of its
// values); several when it is a group option many configs select. The extension shows them in a status-bar item.
export const ConfigContextsMethod = 'bait/configContexts';
export interface ConfigContextsParams {
  uri: string;
}
export interface ConfigContext {
  /** The final config's file; pass it to bait/chooseConfigContext. */
  uri: string;
  configName: string;
  /** Overrides that select the file on top of `configName` (`experiment=example`). */
  overrides: string[];
  /** The context hover and completion use now. */
  chosen: boolean;
}
export type ConfigContextsResult = ConfigContext[];

// bait/chooseConfigContext: compose a file through one of its contexts from now on (null: back to the first).
export const ChooseConfigContextMethod = 'bait/chooseConfigContext';
export interface ChooseConfigContextParams {
  uri: string;
  context: string | null;
}

// bait/serverTimings: the messages the server handled since the last call (at most the last 256): when each
// handler ran (ms since the epoch, comparable with the client's own clock on the same machine) and the process
// CPU it took (every thread's: the thread pool's file reads and the GC's helpers count too). For the latency
// benchmark, and for telling slow answers from a busy machine.
export const ServerTimingsMethod = 'bait/serverTimings';
export interface ServerTiming {
  method: string;
  id?: number | string;
  start: number;
  end: number;
  cpuMs: number;
}
export type ServerTimingsResult = ServerTiming[];

/** Commands the CodeLenses invoke; the extension registers them. Each takes one argument object. */
export const Commands = {
  runExperiment: 'bait.runExperiment',
  runWithOverrides: 'bait.runWithOverrides',
  launchSweep: 'bait.launchSweep',
  showComposedConfig: 'bait.showComposedConfig',
  launchSweepFile: 'bait.launchSweepFile',
} as const;

/** The argument of runExperiment, launchSweep and showComposedConfig. */
export interface ConfigCommandArgs extends ConfigRef {
  uri: string;
  /** Overrides to pass before the user's own (`experiment=example`); absent for a primary config. */
  overrides?: string[];
}
/** The argument of launchSweepFile. */
export interface SweepFileCommandArgs {
  configDir: string;
  uri: string;
  jobs: number | null;
  config?: ConfigRef;
}

/** Options the client may pass in `initializationOptions` (all optional). */
export interface InitializationOptions {
  /** Absolute config dirs; default: `configs/` then `conf/` of each workspace folder. */
  configDirs?: string[];
  /**
   * `bait.versionBase`: Hydra's version_base where no entry point (`@hydra.main`, `initialize`) of the
   * workspace states one for a config dir: '1.1', '1.2', '1.3' (or null: 1.3 semantics, the default).
   */
  versionBase?: '1.1' | '1.2' | '1.3' | null;
  /** `bait.pythonPath`: an interpreter whose site-packages are read for third-party `_target_`s. */
  pythonPath?: string;
  /** `bait.diagnostics`: severity per diagnostic code (`off | hint | information | warning | error`). */
  diagnostics?: Record<string, string>;
}
