// What the server keeps of a Python module: its top-level names (classes, functions, variables, imports) with
// the signatures a Hydra `_target_` call needs, and its Hydra entry points. Plain data, small enough to keep
// for every file of a large tree; the syntax tree itself is dropped after the summary is taken.
import type { Range } from '../service/types.js';

export type ParamKind = 'positional-only' | 'positional' | 'keyword-only' | 'var-positional' | 'var-keyword';

export interface PyParam {
  name: string;
  kind: ParamKind;
  annotation?: string;
  /** The default as written (`1e-3`, `None`); absent when the parameter is required. */
  default?: string;
  range: Range;
}

export interface PyFunction {
  kind: 'function';
  name: string;
  /** The name's range in the file. */
  range: Range;
  params: readonly PyParam[];
  decorators: readonly string[];
  doc?: string;
  /** Found by the line scanner: the name exists, its signature was not read. */
  opaque?: boolean;
}

/** A dataclass or attrs field: an `__init__` parameter the decorator writes. */
export interface PyField {
  name: string;
  annotation?: string;
  default?: string;
  range: Range;
  /** `field(init=False)`, `ClassVar[...]`: not a parameter. */
  init: boolean;
  kwOnly: boolean;
}

export interface PyClass {
  kind: 'class';
  name: string;
  range: Range;
  /** Base class expressions as written (`nn.Module`, `Base`); `metaclass=` and other keywords apart. */
  bases: readonly string[];
  keywords: readonly string[];
  decorators: readonly string[];
  doc?: string;
  methods: ReadonlyMap<string, PyFunction>;
  classes: ReadonlyMap<string, PyClass>;
  fields: readonly PyField[];
  opaque?: boolean;
}

/** `X = <expression>` at module level; `value` is the dotted name when the expression is one (an alias). */
export interface PyVariable {
  kind: 'variable';
  name: string;
  range: Range;
  value?: string;
}

/** A name bound by an import: `import a.b as c` (module `a.b`), `from .x import Y as Z` (module `.x`, attr `Y`). */
export interface PyImport {
  kind: 'import';
  name: string;
  range: Range;
  module: string;
  attr?: string;
}

export type PySymbol = PyFunction | PyClass | PyVariable | PyImport;

/** `version_base=` as an entry point writes it: absent, a constant, or something only Python can evaluate. */
export type VersionBaseArg = { kind: 'absent' } | { kind: 'value'; value: string | null } | { kind: 'dynamic' };

export interface HydraEntryPoint {
  /** `main` for `@hydra.main(...)`; the function name for `initialize(...)` and its siblings. */
  call: 'main' | 'initialize' | 'initialize_config_dir' | 'initialize_config_module' | 'compose';
  range: Range;
  versionBase: VersionBaseArg;
  configPath?: string;
  configName?: string;
}

export interface PyModuleSummary {
  symbols: Map<string, PySymbol>;
  /** Modules `from m import *` pulls names from, as written (`.models`, `torch.nn`). */
  starImports: readonly string[];
  /** `__all__` when it is a literal list of strings. */
  all?: readonly string[];
  /** A module-level `__getattr__`: any name may exist. */
  dynamic: boolean;
  entryPoints: readonly HydraEntryPoint[];
  /**
   * Arguments the file's code adds when it calls `instantiate(cfg.x, net=net)` / `call(...)`: a parameter
   * passed there need not be set by any config. `*` when extra positional arguments are passed.
   */
  callArgs: readonly string[];
  /** Read by the line scanner (too large to parse): names only, no signatures. */
  partial: boolean;
}
