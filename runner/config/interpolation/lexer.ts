// The lexer of OmegaConf 2.2's interpolation grammar (OmegaConfGrammarLexer.g4), written by hand.
//
// ANTLR lexers pick the longest token any rule of the current mode can match, and on a tie the rule defined
// first. Each mode below lists its candidates in the grammar's order and we keep the longest, so the tokens
// (and therefore what parses and what is an error) are the ones OmegaConf's generated lexer produces. Modes
// change as in the grammar: `${` pushes the interpolation mode, `:` after a resolver name switches to the
// value mode, `}` pops, quotes push the quoted modes.

export type TokenType =
  | 'INTER_OPEN'
  | 'INTER_CLOSE'
  | 'ANY_STR'
  | 'ESC_INTER'
  | 'TOP_ESC'
  | 'QUOTED_ESC'
  | 'ESC'
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'QUOTE_OPEN_SINGLE'
  | 'QUOTE_OPEN_DOUBLE'
  | 'MATCHING_QUOTE_CLOSE'
  | 'COMMA'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'COLON'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ID'
  | 'WS'
  | 'DOT'
  | 'INTER_KEY'
  | 'EOF';

export interface Token {
  type: TokenType;
  text: string;
  /** Offset of the first character in the lexed string. */
  start: number;
  end: number;
}

export type LexerMode = 'top' | 'value' | 'inter' | 'single' | 'double';

export interface GrammarError {
  /** Offset in the parsed string where the problem is. */
  offset: number;
  message: string;
}

type ModeAction = { push: LexerMode } | { set: LexerMode } | 'pop' | undefined;

const WS_CHARS = ' \t';
const DIGITS = '(?:[0-9](?:_?[0-9])*)';
const INT_UNSIGNED = '(?:0|[1-9](?:_?[0-9])*)';
// Every alternative of FLOAT spelled out, so that taking the longest match over them is ANTLR's longest match.
const FLOAT_ALTERNATIVES = [
  `[+-]?${INT_UNSIGNED}\\.`,
  `[+-]?${INT_UNSIGNED}?\\.${DIGITS}`,
  `[+-]?${INT_UNSIGNED}\\.[eE][+-]?${DIGITS}`,
  `[+-]?${INT_UNSIGNED}?\\.${DIGITS}[eE][+-]?${DIGITS}`,
  `[+-]?${INT_UNSIGNED}[eE][+-]?${DIGITS}`,
  '[+-]?[Ii][Nn][Ff]',
  '[+-]?[Nn][Aa][Nn]',
].map((s) => new RegExp(s, 'y'));
const INT_RE = new RegExp(`[+-]?${INT_UNSIGNED}`, 'y');
const BOOL_RE = /true|false/iy;
const NULL_RE = /null/iy;
const ID_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const ESC_RE = /(?:\\[\\()[\]{}:=, \t])+/y;
const UNQUOTED_CHARS = '/-\\+.$%*@?|';
const INTER_KEY_STOP = '\\{}()[]:. \t\'"';

function matchLength(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}

function wsLength(text: string, i: number): number {
  let j = i;
  while (j < text.length && WS_CHARS.includes(text[j]!)) j++;
  return j - i;
}

function backslashRun(text: string, i: number): number {
  let j = i;
  while (text[j] === '\\') j++;
  return j - i;
}

/** `WS? c WS?` (or only the leading or trailing part) as a length, 0 when `c` is not there. */
function padded(text: string, i: number, c: string, before: boolean, after: boolean): number {
  const lead = before ? wsLength(text, i) : 0;
  if (text[i + lead] !== c) return 0;
  return lead + 1 + (after ? wsLength(text, i + lead + 1) : 0);
}

function interOpen(text: string, i: number): number {
  return text.startsWith('${', i) ? 2 + wsLength(text, i + 2) : 0;
}

/** A run without the stop characters that does not end with a backslash (ANY_STR and its quoted variants). */
function plainRun(text: string, i: number, stops: string): number {
  let j = i;
  while (j < text.length && !stops.includes(text[j]!)) j++;
  while (j > i && text[j - 1] === '\\') j--;
  return j - i;
}

/** `\${` preceded by an even number of backslashes (an odd run in total). */
function escInter(text: string, i: number): number {
  const b = backslashRun(text, i);
  return b % 2 === 1 && text.startsWith('${', i + b) ? b + 2 : 0;
}

function evenBackslashes(text: string, i: number): number {
  const b = backslashRun(text, i);
  return b - (b % 2);
}

// Mode actions are shared constants, and the longest match is kept in these variables as each candidate is
// measured (in the grammar's order: only a strictly longer match replaces the best so far), so that lexing a
// token allocates nothing but the token itself: every config value with `${` is lexed on load.
const PUSH_INTER: ModeAction = { push: 'inter' };
const PUSH_VALUE: ModeAction = { push: 'value' };
const PUSH_SINGLE: ModeAction = { push: 'single' };
const PUSH_DOUBLE: ModeAction = { push: 'double' };
const SET_VALUE: ModeAction = { set: 'value' };
let bestType: TokenType | undefined;
let bestLength = 0;
let bestAction: ModeAction;

function consider(type: TokenType, length: number, action?: ModeAction): void {
  if (length > bestLength) {
    bestType = type;
    bestLength = length;
    bestAction = action;
  }
}

function floatLength(text: string, i: number): number {
  let longest = 0;
  for (const re of FLOAT_ALTERNATIVES) longest = Math.max(longest, matchLength(re, text, i));
  return longest;
}

/** Measures every candidate token of `mode` at `i`; the longest is left in bestType/bestLength/bestAction. */
function longestToken(mode: LexerMode, text: string, i: number): void {
  bestType = undefined;
  bestLength = 0;
  bestAction = undefined;
  switch (mode) {
    case 'top': {
      consider('INTER_OPEN', interOpen(text, i), PUSH_INTER);
      consider('ANY_STR', plainRun(text, i, '$'));
      consider('ESC_INTER', escInter(text, i));
      consider('TOP_ESC', evenBackslashes(text, i));
      consider('ANY_STR', backslashRun(text, i));
      consider('ANY_STR', text[i] === '$' ? 1 : 0);
      return;
    }
    case 'single':
    case 'double': {
      const quote = mode === 'single' ? "'" : '"';
      const run = backslashRun(text, i);
      consider('INTER_OPEN', interOpen(text, i), PUSH_INTER);
      consider('MATCHING_QUOTE_CLOSE', text[i] === quote ? 1 : 0, 'pop');
      consider('ANY_STR', plainRun(text, i, mode === 'single' ? "'$" : '"$'));
      consider('ESC_INTER', escInter(text, i));
      consider('ESC', run % 2 === 1 && text[i + run] === quote ? run + 1 : 0);
      consider('QUOTED_ESC', evenBackslashes(text, i));
      consider('ANY_STR', run);
      consider('ANY_STR', text[i] === '$' ? 1 : 0);
      return;
    }
    case 'inter': {
      let key = i;
      while (key < text.length && !INTER_KEY_STOP.includes(text[key]!)) key++;
      consider('INTER_OPEN', interOpen(text, i), PUSH_INTER);
      consider('COLON', padded(text, i, ':', true, true), SET_VALUE);
      consider('INTER_CLOSE', padded(text, i, '}', true, false), 'pop');
      consider('DOT', text[i] === '.' ? 1 : 0);
      consider('BRACKET_OPEN', text[i] === '[' ? 1 : 0);
      consider('BRACKET_CLOSE', text[i] === ']' ? 1 : 0);
      consider('ID', matchLength(ID_RE, text, i));
      consider('INTER_KEY', key - i);
      return;
    }
    case 'value':
      consider('INTER_OPEN', interOpen(text, i), PUSH_INTER);
      consider('BRACE_OPEN', padded(text, i, '{', false, true), PUSH_VALUE);
      consider('BRACE_CLOSE', padded(text, i, '}', true, false), 'pop');
      consider('QUOTE_OPEN_SINGLE', text[i] === "'" ? 1 : 0, PUSH_SINGLE);
      consider('QUOTE_OPEN_DOUBLE', text[i] === '"' ? 1 : 0, PUSH_DOUBLE);
      consider('COMMA', padded(text, i, ',', true, true));
      consider('BRACKET_OPEN', padded(text, i, '[', false, true));
      consider('BRACKET_CLOSE', padded(text, i, ']', true, false));
      consider('COLON', padded(text, i, ':', true, true));
      consider('FLOAT', floatLength(text, i));
      consider('INT', matchLength(INT_RE, text, i));
      consider('BOOL', matchLength(BOOL_RE, text, i));
      consider('NULL', matchLength(NULL_RE, text, i));
      consider('UNQUOTED_CHAR', UNQUOTED_CHARS.includes(text[i]!) ? 1 : 0);
      consider('ID', matchLength(ID_RE, text, i));
      consider('ESC', matchLength(ESC_RE, text, i));
      consider('WS', wsLength(text, i));
  }
}

/**
 * Splits `text` into tokens, starting in `mode` (`top` for a config value, `value` for `oc.decode`).
 * Returns the tokens (ending with EOF) or the first error, as OmegaConf stops at the first one.
 */
export function lex(text: string, mode: LexerMode = 'top'): { tokens: Token[] } | { error: GrammarError } {
  const tokens: Token[] = [];
  const stack: LexerMode[] = [];
  let current = mode;
  let i = 0;
  while (i < text.length) {
    longestToken(current, text, i);
    const type = bestType;
    const length = bestLength;
    const action = bestAction;
    if (type === undefined) {
      const ch = JSON.stringify(text[i]);
      return { error: { offset: i, message: `unexpected character ${ch} (token recognition error)` } };
    }
    tokens.push({ type, text: text.slice(i, i + length), start: i, end: i + length });
    if (action === 'pop') {
      const previous = stack.pop();
      if (previous === undefined) return { error: { offset: i, message: `unmatched '}' (nothing to close)` } };
      current = previous;
    } else if (action && 'push' in action) {
      stack.push(current);
      current = action.push;
    } else if (action && 'set' in action) {
      current = action.set;
    }
    i += length;
  }
  tokens.push({ type: 'EOF', text: '', start: text.length, end: text.length });
  return { tokens };
}
