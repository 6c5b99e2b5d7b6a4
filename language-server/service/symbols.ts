// Document symbols: the file's keys as an outline, the defaults list with one child per item.
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { FileSyntax } from './yaml-syntax.js';
import type { DocumentSymbol, Range } from './types.js';

export function documentSymbols(syntax: FileSyntax): DocumentSymbol[] {
  return children(syntax, syntax.doc.contents as Node | null, 0);
}

function children(syntax: FileSyntax, node: Node | null, depth: number): DocumentSymbol[] {
  if (!node || depth > 64) return [];
  const out: DocumentSymbol[] = [];
  if (isMap(node)) {
    for (const p of node.items as Pair<Node | null, Node | null>[]) {
      const key = p.key;
      if (!isScalar(key) || !key.range) continue;
      const value = p.value;
      const end = value?.range ? value.range[1] : key.range[1];
      const range: Range = [key.range[0], Math.max(end, key.range[1])];
      const name = String(key.value ?? '');
      if (depth === 0 && name === 'defaults') {
        out.push({ name, kind: 'defaults', range, selectionRange: [key.range[0], key.range[1]],
          children: syntax.defaults.map((d) => ({ name: syntax.text.slice(d.range[0], d.range[1]).replace(/\s+/g, ' ').trim(),
            kind: 'entry' as const, range: d.range, selectionRange: d.nameRange, children: [] })) });
        continue;
      }
      const sym: DocumentSymbol = { name, kind: isSeq(value) ? 'list' : 'key', range, selectionRange: [key.range[0], key.range[1]],
        children: children(syntax, value, depth + 1) };
      if (isScalar(value)) sym.detail = syntax.text.slice(value.range![0], value.range![1]).slice(0, 80);
      out.push(sym);
    }
  } else if (isSeq(node)) {
    (node.items as (Node | null)[]).forEach((item, i) => {
      if (!item?.range) return;
      const r: Range = [item.range[0], item.range[1]];
      const sub = children(syntax, item, depth + 1);
      if (!isMap(item) && !isSeq(item)) return;
      out.push({ name: `[${i}]`, kind: 'item', range: r, selectionRange: [r[0], r[0]], children: sub });
    });
  }
  return out;
}
