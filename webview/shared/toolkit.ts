// Registers the @vscode/webview-ui-toolkit components the webviews use (once per page).
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption,
} from '@vscode/webview-ui-toolkit';

let done = false;

export function registerToolkit(): void {
  if (done) return;
  done = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption());
}
