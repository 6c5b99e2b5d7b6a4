// The service's plain-data vocabulary: absolute file paths and character offsets, no LSP types. The handlers
// turn these into LSP objects in one place (handlers/convert.ts).
import type { Range } from '../../runner/config/nodes.js';

export type { Range };

export interface FileRange {
  path: string;
  range: Range;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Diagnostic {
  range: Range;
  severity: Severity;
  /** The engine's error code (or one of the server's own checks). */
  code: string;
  message: string;
  related?: { location: FileRange; message: string }[];
  /**
   * Quick-fix data: the names the wrong one could be replaced with, and (when it is not the whole diagnostic
   * range) the range of the wrong name itself.
   */
  data?: { options?: string[]; replace?: Range };
}

export type CompletionKind = 'key' | 'group' | 'option' | 'keyword' | 'config' | 'target' | 'reference' | 'resolver' | 'package' | 'value';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** Short text beside the label: the inherited value, a group's option count. */
  detail?: string;
  /** Markdown shown for the selected item: where the inherited value comes from. */
  documentation?: string;
  /** The text inserted over `replace` (defaults to the label). */
  insertText?: string;
  replace: Range;
  sortText?: string;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  range: Range;
}

export interface TextEdit {
  path: string;
  range: Range;
  newText: string;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  edits: TextEdit[];
  /** The diagnostic (by code and range) the fix belongs to. */
  diagnostic?: Diagnostic;
  isPreferred?: boolean;
}

export interface CodeLens {
  range: Range;
  title: string;
  command: string;
  arguments: unknown[];
}

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: 'key' | 'list' | 'item' | 'defaults' | 'entry';
  range: Range;
  selectionRange: Range;
  children: DocumentSymbol[];
}
