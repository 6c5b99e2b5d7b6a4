// VS Code's own icon font (codicons), bundled into each webview's stylesheet: the font file is a local webview
// resource beside the bundle, so the CSP's `font-src` (the webview's cspSource) allows it and nothing is fetched.
import '@vscode/codicons/dist/codicon.css';
import './icons.css';
import { el } from './host.js';

/** A codicon as an element; decorative (aria-hidden), so the control next to it carries the words. */
export function icon(name: string, extra = ''): HTMLElement {
  return el('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

/** The same as HTML text, for rows built in one innerHTML pass. `name` is one of ours, never user text. */
export function iconHtml(name: string, extra = ''): string {
  return `<span class="codicon codicon-${name}${extra ? ` ${extra}` : ''}" aria-hidden="true"></span>`;
}

/** The icon of a run status, as the run explorer shows it. */
export const STATUS_ICON: Record<string, string> = {
  completed: 'pass', failed: 'error', running: 'sync', stopped: 'debug-stop', pending: 'clock', unknown: 'question',
};

/** A button with an icon and a label (the label in its own span, so it can change without losing the icon). */
export function iconButton(attrs: Record<string, string>, name: string, label: string): HTMLButtonElement {
  return el('button', { type: 'button', ...attrs }, icon(name), el('span', { class: 'label' }, label)) as HTMLButtonElement;
}
