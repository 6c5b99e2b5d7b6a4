// The config engine's public API: a pure library shared by the runner, the CLI and the language server.
// It speaks offsets and plain data; only the CLI turns offsets into `file:line:col`.

export { compose, jobConfig, hydraNode, type ComposeOptions, type ComposeResult } from './compose.js';
export { Repository, parseConfigFile, type DefaultsEntry, type LoadedConfig } from './repository.js';
export { configPathOf, finalPackage, overrideKey, type DefaultsTreeNode, type InputDefault, type ResolvedDefault } from './defaults.js';
export { selectNode, splitKey } from './apply-override.js';
export { mergeInto } from './merge.js';
export * from './nodes.js';
export * from './errors.js';
export * from './source.js';
export { loadYaml, resolvePlainScalar, readPackageHeader } from './yaml-load.js';
export { BUILTIN_FILES } from './hydra-builtin.js';

import { Repository, type LoadedConfig } from './repository.js';
import type { ConfigSource } from './source.js';

/** Parses one config file (YAML, `# @package` header, defaults list) without composing. */
export function loadConfigFile(source: ConfigSource, path: string, versionBase: '1.1' | null = null): LoadedConfig | null {
  return new Repository(source, { versionBase }).load(path);
}

/** The options of a config group (`db` -> ['mysql', 'postgres']), Hydra's built-in groups included. */
export function listOptions(source: ConfigSource, group: string): string[] {
  return new Repository(source).groupOptions(group);
}

/** The sub-groups of a group ('' for the top level). */
export function listGroups(source: ConfigSource, parent: string): string[] {
  return new Repository(source).subGroups(parent);
}
