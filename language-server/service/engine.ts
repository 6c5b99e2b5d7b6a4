// The one door to the config engine: every feature reaches runner/config through these names, so the server
// composes exactly as the runner does and a change of the engine's API touches one file.
export { compose, jobConfig, Repository } from '../../runner/config/index.js';
export type { ComposeResult, ResolvedDefault, LoadedConfig } from '../../runner/config/index.js';
export type { ConfigError, ConfigWarning, ErrorCode } from '../../runner/config/errors.js';
export type { ConfigNode, DictNode, Origin, Range } from '../../runner/config/nodes.js';
export type { ConfigSource } from '../../runner/config/source.js';
export { resolveNode, resolveTree } from '../../runner/config/interpolation/index.js';
