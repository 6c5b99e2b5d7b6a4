// The public API of interpolation: parse (grammar.ts), resolve (resolve.ts), and find references (refs.ts).

export { parseInterpolation, parseElement } from './grammar.js';
export type { GrammarError, Text, Interpolation, Element, ParseResult } from './grammar.js';
export { resolveTree, resolveNode, InterpolationResolver, splitKey } from './resolve.js';
export type { ResolveContext, ResolveResult } from './resolve.js';
export { findInterpolationRefs } from './refs.js';
export type { InterpolationRef, KeyRef, ResolverRef } from './refs.js';
export { BUILTIN_RESOLVERS } from './resolvers.js';
export { strftime } from './strftime.js';
