// Shared set-up of a webview panel: scripts enabled, resources only from dist/webview, the strict-CSP shell, and
// the INITIALIZED handshake (data is posted only after the page says it is listening).
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './html.js';

export interface PanelHandle<Out> {
  panel: vscode.WebviewPanel;
  post(message: Out): Thenable<boolean>;
  /** The last `rendered` message the page sent, for tests and status. */
  lastRendered?: Record<string, unknown>;
}

export function createPanel<Out, In extends { type: string }>(context: vscode.ExtensionContext, opts: {
  viewType: string; bundle: string; title: string;
  onInitialized: (h: PanelHandle<Out>) => void;
  onMessage: (m: In, h: PanelHandle<Out>) => void;
}): PanelHandle<Out> {
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const panel = vscode.window.createWebviewPanel(opts.viewType, opts.title, vscode.ViewColumn.Active, {
    enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [dist],
  });
  const w = panel.webview;
  w.html = webviewHtml({
    cspSource: w.cspSource, nonce: makeNonce(), title: opts.title,
    scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, `${opts.bundle}.js`)).toString(),
    styleUris: [w.asWebviewUri(vscode.Uri.joinPath(dist, `${opts.bundle}.css`)).toString()],
  });
  const handle: PanelHandle<Out> = { panel, post: (m) => w.postMessage(m) };
  w.onDidReceiveMessage((raw: unknown) => {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const m = raw as In;
    if (m.type === 'initialized') opts.onInitialized(handle);
    else if (m.type === 'rendered') handle.lastRendered = m as unknown as Record<string, unknown>;
    else opts.onMessage(m, handle);
  });
  return handle;
}
