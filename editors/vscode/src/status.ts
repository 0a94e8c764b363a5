import * as vscode from 'vscode';

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

const ICONS: Record<ServerState, string> = {
  starting: '$(sync~spin)',
  running: '$(check)',
  stopped: '$(circle-slash)',
  error: '$(error)',
};

/** The status bar item that shows the language server's state; a click shows the output. */
export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: ServerState = 'stopped';

  constructor() {
    this.item = vscode.window.createStatusBarItem('prodlint.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'prodlint';
    this.item.command = 'prodlint.showOutput';
    this.set('stopped');
    this.item.show();
  }

  get state(): ServerState {
    return this.current;
  }

  set(state: ServerState, detail?: string): void {
    this.current = state;
    this.item.text = `${ICONS[state]} prodlint`;
    this.item.tooltip = `prodlint: ${state}${detail ? `\n${detail}` : ''}\nClick to show the output.`;
    this.item.backgroundColor =
      state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
