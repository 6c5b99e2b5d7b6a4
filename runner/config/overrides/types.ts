// The parsed form of one command-line override (Hydra's `Override`), shared by composition, sweeps, the CLI
// and the language server.

import type { ConfigNode, Range } from '../nodes.js';

/**
 * `a=1` CHANGE, `+a=1` ADD, `++a=1` FORCE_ADD, `~a` / `~a=1` DEL, `a=extend_list(1,2)` EXTEND_LIST (appends the
 * items of the value, a list node, to the existing list `a`; Hydra 1.4's form, deprecated there).
 */
export type OverrideType = 'CHANGE' | 'ADD' | 'FORCE_ADD' | 'DEL' | 'EXTEND_LIST';

export type ValueType =
  | 'ELEMENT'
  | 'SIMPLE_CHOICE_SWEEP' // a=1,2,3
  | 'CHOICE_SWEEP' // a=choice(1,2)
  | 'RANGE_SWEEP' // a=range(1,5)
  | 'INTERVAL_SWEEP' // a=interval(0,1)
  | 'GLOB_CHOICE_SWEEP'; // db=glob(*)

/** A sweep value. Elements are config nodes (typed scalars, lists, dicts) whose origin points into the override. */
export type Sweep =
  | {
      kind: 'choice';
      items: ConfigNode[];
      simpleForm: boolean;
      shuffle: boolean;
      tags: string[];
      /**
       * Present only when some choice is itself a sweep (`a=range(1,3),4`): every choice in order. Hydra parses
       * such a value but cannot enumerate it; `items` then holds only the plain elements.
       */
      nested?: Array<ConfigNode | Sweep>;
    }
  | { kind: 'range'; start: ConfigNode; stop: ConfigNode; step: ConfigNode; shuffle: boolean; tags: string[] }
  | { kind: 'interval'; start: ConfigNode; end: ConfigNode; tags: string[] }
  | { kind: 'glob'; include: string[]; exclude: string[]; tags: string[] };

export interface Override {
  type: OverrideType;
  /** `db`, `a.b.c`, `server/db`, `hydra.run.dir` (Hydra's key_or_group, without `@package`). */
  key: string;
  /** The `@pkg` part (`db@backup=mysql` -> `backup`), or null. */
  package: string | null;
  /** null for a DEL without value (`~a`); a node for ELEMENT; a Sweep otherwise. */
  value: ConfigNode | Sweep | null;
  valueType: ValueType | null;
  /** Position of this override in the list and its original text (ranges below index into it). */
  index: number;
  text: string;
  keyRange: Range;
  valueRange?: Range;
}

export function isSweep(o: Override): boolean {
  return o.valueType !== null && o.valueType !== 'ELEMENT';
}
