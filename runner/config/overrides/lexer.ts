// The tokenizer of Hydra's override grammar (hydra/grammar/OverrideLexer.g4 in Hydra 1.3), written by hand.
//
// It mirrors how an ANTLR lexer decides: at each position every rule of the current mode is tried, the longest
// match wins and, between equally long matches, the rule listed first in the grammar wins. The text before the
// first `=` is lexed in KEY mode; `=` switches to VALUE mode for the rest of the line, as in Hydra.

export type TokenType =
  // KEY mode
  | 'EQUAL'
  | 'TILDE'
  | 'PLUS'
  | 'AT'
  | 'COLON'
  | 'SLASH'
  | 'ID'
  | 'KEY_SPECIAL'
  | 'DOT_PATH'
  // VALUE mode (COLON, EQUAL and ID are shared)
  | 'POPEN'
  | 'COMMA'
  | 'PCLOSE'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ESC'
  | 'WS'
  | 'QUOTED_VALUE'
  | 'INTERPOLATION'
  // end of input, and a character no rule accepts (lexing stops there)
  | 'EOF'
  | 'ERROR';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

// Fragments of the grammar as sticky regular expressions. Each is used to measure how far one rule matches.
const INT_UNSIGNED = '(?:0|[1-9](?:_?[0-9])*)';
const DIGITS = '[0-9](?:_?[0-9])*';
const POINT_FLOAT = [`${INT_UNSIGNED}\\.`, `(?:${INT_UNSIGNED})?\\.${DIGITS}`];
const sticky = (src: string) => new RegExp(src, 'y');

const FLOAT_RES = [
  ...POINT_FLOAT.map((p) => sticky(`[+-]?${p}`)),
  sticky(`[+-]?(?:${INT_UNSIGNED}|${POINT_FLOAT[0]}|${POINT_FLOAT[1]})[eE][+-]?${DIGITS}`),
  sticky('[+-]?[Ii][Nn][Ff]'),
  sticky('[+-]?[Nn][Aa][Nn]'),
];
const INT_RE = sticky(`[+-]?${INT_UNSIGNED}`);
const BOOL_RE = sticky('(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])');
const NULL_RE = sticky('[Nn][Uu][Ll][Ll]');
const UNQUOTED_CHAR_RE = sticky('[/\\-\\\\+.$%*@?|]');
const ID_RE = sticky('[A-Za-z_][A-Za-z0-9_-]*');
const KEY_SPECIAL_RE = sticky('[A-Za-z_$][A-Za-z0-9_$-]*');
const ESC_RE = sticky('(?:\\\\\\\\|\\\\[()[\\]{}:=, \\t])+');
const WS_RE = sticky('[ \\t]+');
const SEGMENT_RE = sticky(`(?:[A-Za-z_$][A-Za-z0-9_$-]*|${INT_UNSIGNED})`);

/** Length of the match of `re` at `pos`, or 0. */
function matchLength(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}

/** `WS? <char> WS?` style punctuation of VALUE mode; `before`/`after` say where whitespace may be absorbed. */
function punctuation(text: string, pos: number, ch: string, before: boolean, after: boolean): number {
  let i = pos;
  if (before) while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== ch) return 0;
  i++;
  if (after) while (text[i] === ' ' || text[i] === '\t') i++;
  return i - pos;
}

/**
 * QUOTED_VALUE: the shortest text from the opening quote to a closing quote that is preceded by an even number
 * of backslashes (the grammar's non-greedy rule). A quote preceded by an odd number of backslashes is escaped.
 */
export function quotedLength(text: string, pos: number): number {
  const q = text[pos];
  if (q !== "'" && q !== '"') return 0;
  let backslashes = 0;
  for (let i = pos + 1; i < text.length; i++) {
    const c = text[i];
    if (c === q && backslashes % 2 === 0) return i + 1 - pos;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  return 0;
}

// The position of the last `}` of the text being lexed, so that a long run of `${` without any `}` is rejected
// at once instead of being scanned again from every `$` (which would make lexing quadratic).
let lastBraceOf: { text: string; at: number } = { text: '', at: -1 };
function lastBrace(text: string): number {
  if (lastBraceOf.text !== text) lastBraceOf = { text, at: text.lastIndexOf('}') };
  return lastBraceOf.at;
}

/**
 * INTERPOLATION: Hydra's rule is `${` followed by anything up to the first `}`. We also accept a nested
 * interpolation such as `${oc.env:A,${b}}` without quotes by matching balanced braces when they balance; Hydra
 * would reject that input, so accepting it changes no result that Hydra accepts at the top level.
 */
function interpolationLength(text: string, pos: number): number {
  if (text[pos] !== '$' || text[pos + 1] !== '{' || pos + 2 > lastBrace(text)) return 0;
  const firstClose = text.indexOf('}', pos + 2);
  if (firstClose <= pos + 2) return 0;
  let depth = 0;
  for (let i = pos + 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1 - pos;
  }
  return firstClose + 1 - pos;
}

/** DOT_PATH: two or more segments (identifiers with `$`, or unsigned ints) joined by dots. */
function dotPathLength(text: string, pos: number): number {
  let end = pos + matchLength(SEGMENT_RE, text, pos);
  if (end === pos) return 0;
  let segments = 1;
  while (text[end] === '.') {
    const n = matchLength(SEGMENT_RE, text, end + 1);
    if (n === 0) break;
    end += 1 + n;
    segments++;
  }
  return segments >= 2 ? end - pos : 0;
}

type Rule = [TokenType, (text: string, pos: number) => number];

// Rules in grammar order: on equally long matches the earlier one wins.
const KEY_RULES: Rule[] = [
  ['EQUAL', (t, p) => punctuation(t, p, '=', false, true)],
  ['TILDE', (t, p) => (t[p] === '~' ? 1 : 0)],
  ['PLUS', (t, p) => (t[p] === '+' ? 1 : 0)],
  ['AT', (t, p) => (t[p] === '@' ? 1 : 0)],
  ['COLON', (t, p) => (t[p] === ':' ? 1 : 0)],
  ['SLASH', (t, p) => (t[p] === '/' ? 1 : 0)],
  ['ID', (t, p) => matchLength(ID_RE, t, p)],
  ['KEY_SPECIAL', (t, p) => matchLength(KEY_SPECIAL_RE, t, p)],
  ['DOT_PATH', dotPathLength],
];

const VALUE_RULES: Rule[] = [
  ['POPEN', (t, p) => punctuation(t, p, '(', true, true)],
  ['COMMA', (t, p) => punctuation(t, p, ',', true, true)],
  ['PCLOSE', (t, p) => punctuation(t, p, ')', true, false)],
  ['BRACKET_OPEN', (t, p) => punctuation(t, p, '[', false, true)],
  ['BRACKET_CLOSE', (t, p) => punctuation(t, p, ']', true, false)],
  ['BRACE_OPEN', (t, p) => punctuation(t, p, '{', false, true)],
  ['BRACE_CLOSE', (t, p) => punctuation(t, p, '}', true, false)],
  ['COLON', (t, p) => punctuation(t, p, ':', true, true)],
  ['EQUAL', (t, p) => punctuation(t, p, '=', true, true)],
  ['FLOAT', (t, p) => Math.max(...FLOAT_RES.map((re) => matchLength(re, t, p)))],
  ['INT', (t, p) => matchLength(INT_RE, t, p)],
  ['BOOL', (t, p) => matchLength(BOOL_RE, t, p)],
  ['NULL', (t, p) => matchLength(NULL_RE, t, p)],
  ['UNQUOTED_CHAR', (t, p) => matchLength(UNQUOTED_CHAR_RE, t, p)],
  ['ID', (t, p) => matchLength(ID_RE, t, p)],
  ['ESC', (t, p) => matchLength(ESC_RE, t, p)],
  ['WS', (t, p) => matchLength(WS_RE, t, p)],
  ['QUOTED_VALUE', quotedLength],
  ['INTERPOLATION', interpolationLength],
];

/**
 * Splits one override into tokens. Lexing stops at the first character that no rule accepts, which becomes an
 * ERROR token of length one; otherwise the list ends with EOF.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rules = KEY_RULES;
  let pos = 0;
  while (pos < text.length) {
    let best: TokenType | null = null;
    let bestLen = 0;
    for (const [type, measure] of rules) {
      const n = measure(text, pos);
      if (n > bestLen) {
        best = type;
        bestLen = n;
      }
    }
    if (best === null) {
      tokens.push({ type: 'ERROR', text: text.slice(pos, pos + 1), start: pos, end: pos + 1 });
      return tokens;
    }
    tokens.push({ type: best, text: text.slice(pos, pos + bestLen), start: pos, end: pos + bestLen });
    if (best === 'EQUAL') rules = VALUE_RULES;
    pos += bestLen;
  }
  tokens.push({ type: 'EOF', text: '', start: text.length, end: text.length });
  return tokens;
}
