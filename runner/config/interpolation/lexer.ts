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

interface Candidate {
  type: TokenType;
  length: number;
  action?: ModeAction;
}

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

function candidates(mode: LexerMode, text: string, i: number): Candidate[] {
  const b = () => backslashRun(text, i);
  switch (mode) {
    case 'top':
      return [
        { type: 'INTER_OPEN', length: interOpen(text, i), action: { push: 'inter' } },
        { type: 'ANY_STR', length: plainRun(text, i, '$') },
        { type: 'ESC_INTER', length: escInter(text, i) },
        { type: 'TOP_ESC', length: evenBackslashes(text, i) },
        { type: 'ANY_STR', length: b() },
        { type: 'ANY_STR', length: text[i] === '$' ? 1 : 0 },
      ];
    case 'single':
    case 'double': {
      const quote = mode === 'single' ? "'" : '"';
      const run = b();
      return [
        { type: 'INTER_OPEN', length: interOpen(text, i), action: { push: 'inter' } },
        { type: 'MATCHING_QUOTE_CLOSE', length: text[i] === quote ? 1 : 0, action: 'pop' },
        { type: 'ANY_STR', length: plainRun(text, i, quote + '$') },
        { type: 'ESC_INTER', length: escInter(text, i) },
        { type: 'ESC', length: run % 2 === 1 && text[i + run] === quote ? run + 1 : 0 },
        { type: 'QUOTED_ESC', length: evenBackslashes(text, i) },
        { type: 'ANY_STR', length: run },
        { type: 'ANY_STR', length: text[i] === '$' ? 1 : 0 },
      ];
    }
    case 'inter': {
      let key = i;
      while (key < text.length && !INTER_KEY_STOP.includes(text[key]!)) key++;
      return [
        { type: 'INTER_OPEN', length: interOpen(text, i), action: { push: 'inter' } },
        { type: 'COLON', length: padded(text, i, ':', true, true), action: { set: 'value' } },
        { type: 'INTER_CLOSE', length: padded(text, i, '}', true, false), action: 'pop' },
        { type: 'DOT', length: text[i] === '.' ? 1 : 0 },
        { type: 'BRACKET_OPEN', length: text[i] === '[' ? 1 : 0 },
        { type: 'BRACKET_CLOSE', length: text[i] === ']' ? 1 : 0 },
        { type: 'ID', length: matchLength(ID_RE, text, i) },
        { type: 'INTER_KEY', length: key - i },
      ];
    }
    case 'value':
      return [
        { type: 'INTER_OPEN', length: interOpen(text, i), action: { push: 'inter' } },
        { type: 'BRACE_OPEN', length: padded(text, i, '{', false, true), action: { push: 'value' } },
        { type: 'BRACE_CLOSE', length: padded(text, i, '}', true, false), action: 'pop' },
        { type: 'QUOTE_OPEN_SINGLE', length: text[i] === "'" ? 1 : 0, action: { push: 'single' } },
        { type: 'QUOTE_OPEN_DOUBLE', length: text[i] === '"' ? 1 : 0, action: { push: 'double' } },
        { type: 'COMMA', length: padded(text, i, ',', true, true) },
        { type: 'BRACKET_OPEN', length: padded(text, i, '[', false, true) },
        { type: 'BRACKET_CLOSE', length: padded(text, i, ']', true, false) },
        { type: 'COLON', length: padded(text, i, ':', true, true) },
        { type: 'FLOAT', length: Math.max(...FLOAT_ALTERNATIVES.map((re) => matchLength(re, text, i))) },
        { type: 'INT', length: matchLength(INT_RE, text, i) },
        { type: 'BOOL', length: matchLength(BOOL_RE, text, i) },
        { type: 'NULL', length: matchLength(NULL_RE, text, i) },
        { type: 'UNQUOTED_CHAR', length: UNQUOTED_CHARS.includes(text[i]!) ? 1 : 0 },
        { type: 'ID', length: matchLength(ID_RE, text, i) },
        { type: 'ESC', length: matchLength(ESC_RE, text, i) },
        { type: 'WS', length: wsLength(text, i) },
      ];
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
    let best: Candidate | undefined;
    for (const c of candidates(current, text, i)) if (c.length > 0 && (!best || c.length > best.length)) best = c;
    if (!best) {
      const ch = JSON.stringify(text[i]);
      return { error: { offset: i, message: `unexpected character ${ch} (token recognition error)` } };
    }
    tokens.push({ type: best.type, text: text.slice(i, i + best.length), start: i, end: i + best.length });
    const action = best.action;
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
    i += best.length;
  }
  tokens.push({ type: 'EOF', text: '', start: text.length, end: text.length });
  return { tokens };
}
