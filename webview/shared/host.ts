// The webview side of the host connection: typed post/receive and persisted view state. `acquireVsCodeApi` is
// provided by VS Code (and by a fake in the browser tests); it may be called only once per page.
import type { HostApi } from '../contract.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function host<Out>(): HostApi<Out> & { getState<S>(): S | undefined; setState<S>(s: S): void } {
  const v = vscodeApi();
  return {
    postMessage: (m: Out) => v.postMessage(m),
    getState: <S>() => (v.getState() as S | undefined) ?? undefined,
    setState: <S>(s: S) => v.setState(s),
  };
}

/** Listens for host messages; anything without a string `type` is ignored rather than trusted. */
export function onHostMessage<In extends { type: string }>(handler: (m: In) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const d = e.data as unknown;
    if (d && typeof d === 'object' && typeof (d as { type?: unknown }).type === 'string') handler(d as In);
  });
}

/** Creates an element with attributes and children; text is always set as text, never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>,
  ...children: (Node | string)[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  // A `style` attribute would be an inline style, which the CSP blocks; styles are set through the CSSOM instead.
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') e.style.cssText = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** The theme's own chart colours (VS Code sets them for light, dark and high contrast), used for the first runs. */
const THEME_CHARTS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red',
  '--vscode-charts-purple', '--vscode-charts-yellow'];
let themeColors: { theme: string; colors: string[] } | undefined;

/**
 * Distinct colours for many runs: the theme's chart colours first (so a high-contrast theme gets its own), then a
 * fixed palette, then golden-angle hues. Read once per theme (the body's class names change with it).
 */
export function runColor(i: number): string {
  const theme = document.body.className;
  if (themeColors?.theme !== theme) themeColors = { theme, colors: THEME_CHARTS.map((v) => cssVar(v, '')).filter(Boolean) };
  if (i < themeColors.colors.length) return themeColors.colors[i];
  const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7',
    '#9c755f', '#bab0ac'];
  return i < palette.length ? palette[i] : `hsl(${(i * 137.508) % 360} 65% 55%)`;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}
