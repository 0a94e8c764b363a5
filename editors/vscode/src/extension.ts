import * as vscode from 'vscode';
import {
  CloseAction,
  DocumentSelector,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { findServer, ServerSource } from './serverPath';
import { ServerState, StatusItem } from './status';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('prodlint');

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'sql', 'dotenv'];

export const DOCUMENT_SELECTOR: DocumentSelector = [
  ...LANGUAGES.map((language) => ({ scheme: 'file', language })),
  // dotenv files that another extension has given a different language id.
  { scheme: 'file', pattern: '**/.env' },
  { scheme: 'file', pattern: '**/.env.*' },
];

/** What the extension returns from `activate` (used by its tests). */
export interface ProdlintApi {
  readonly client: LanguageClient | undefined;
  readonly serverPath: string | undefined;
  readonly serverSource: ServerSource | undefined;
  readonly state: ServerState;
  /** Resolves when the current (re)start attempt has finished. */
  ready(): Promise<void>;
}

/** The `prodlint` settings section as a plain JSON object (what the server gets). */
export function settingsObject(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('prodlint');
  return {
    enable: config.get<boolean>('enable', true),
    run: config.get<string>('run', 'onType'),
    path: config.get<string | null>('path', null),
    trace: { server: config.get<string>('trace.server', 'off') },
    rules: { ...(config.get<Record<string, string>>('rules') ?? {}) },
  };
}

class Extension implements ProdlintApi {
  client: LanguageClient | undefined;
  serverPath: string | undefined;
  serverSource: ServerSource | undefined;
  private starting: Promise<void> = Promise.resolve();
  private readonly output: vscode.OutputChannel;
  private readonly status: StatusItem;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('prodlint');
    this.status = new StatusItem();
    context.subscriptions.push(this.output, this.status);
  }

  get state(): ServerState {
    return this.status.state;
  }

  ready(): Promise<void> {
    return this.starting;
  }

  log(message: string): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${message}`);
  }

  start(): Promise<void> {
    this.starting = this.starting.then(() => this.doStart());
    return this.starting;
  }

  restart(): Promise<void> {
    this.starting = this.starting.then(async () => {
      await this.doStop();
      await this.doStart();
    });
    return this.starting;
  }

  stop(): Promise<void> {
    this.starting = this.starting.then(() => this.doStop());
    return this.starting;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.state !== State.Stopped) await client.stop(2000);
    } catch (e) {
      this.log(`stopping the server: ${String(e)}`);
    }
    try {
      await client.dispose(2000);
    } catch {
      /* already gone */
    }
    this.status.set('stopped');
  }

  private async doStart(): Promise<void> {
    const found = findServer({
      configuredPath: vscode.workspace.getConfiguration('prodlint').get<string | null>('path'),
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      extensionPath: this.context.extensionPath,
    });
    if (!found.ok) {
      this.serverPath = undefined;
      this.serverSource = undefined;
      this.log(found.message);
      this.status.set('error', found.message);
      void vscode.window
        .showErrorMessage(`prodlint: ${found.message}`, 'Open Settings', 'Show Output')
        .then((choice) => {
          if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'prodlint.path');
          } else if (choice === 'Show Output') {
            this.output.show(true);
          }
        });
      return;
    }
    this.serverPath = found.path;
    this.serverSource = found.source;
    this.log(`using server ${found.path} (from ${found.source})`);

    const serverOptions: ServerOptions = {
      run: { command: found.path, args: ['lsp'] },
      debug: { command: found.path, args: ['lsp'], options: { env: { ...process.env, RUST_BACKTRACE: '1' } } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      diagnosticCollectionName: 'prodlint',
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settingsObject(),
      // When the server uses pull diagnostics, pull after a save too: in
      // `prodlint.run: onSave` mode that is when new results exist.
      diagnosticPullOptions: { onChange: true, onSave: true },
      synchronize: {
        // Sends workspace/didChangeConfiguration { settings: { prodlint: {...} } } on change.
        configurationSection: 'prodlint',
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/prodlint.toml'),
          vscode.workspace.createFileSystemWatcher('**/*.sql'),
        ],
      },
    };

    clientOptions.errorHandler = this.errorHandler(found.path);
    const client = new LanguageClient('prodlint', 'prodlint', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Starting) this.status.set('starting');
      else if (e.newState === State.Running) this.status.set('running', `${found.path} (${found.source})`);
      else if (e.newState === State.Stopped && this.status.state !== 'error') this.status.set('stopped');
      this.log(`client state: ${State[e.newState]}`);
    });
    this.status.set('starting');
    try {
      await client.start();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log(`the server failed to start: ${message}`);
      this.status.set('error', message);
      void vscode.window
        .showErrorMessage(`prodlint: the language server (${found.path}) failed to start: ${message}`, 'Show Output')
        .then((choice) => {
          if (choice) this.output.show(true);
        });
    }
  }

  /** Restarts a crashed server up to 4 times in 3 minutes, then shows the error state. */
  private errorHandler(serverPath: string): ErrorHandler {
    const crashes: number[] = [];
    return {
      error: (_error, _message, count) => ({
        action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      }),
      closed: () => {
        const now = Date.now();
        crashes.push(now);
        while (crashes.length && now - crashes[0] > 3 * 60 * 1000) crashes.shift();
        if (crashes.length <= 4) {
          this.log(`the server (${serverPath}) exited; restarting it`);
          return { action: CloseAction.Restart };
        }
        const message = `the server (${serverPath}) exited 5 times in 3 minutes and will not be restarted. Run "prodlint: Restart server" to try again.`;
        this.log(message);
        this.status.set('error', message);
        return { action: CloseAction.DoNotRestart, message: `prodlint: ${message}` };
      },
    };
  }

  showOutput(): void {
    this.output.show(true);
  }

  /** Runs the `source.fixAll.prodlint` code action on a document and applies it. */
  async fixAll(document: vscode.TextDocument | undefined): Promise<boolean> {
    if (!document) {
      void vscode.window.showInformationMessage('prodlint: open a file to fix.');
      return false;
    }
    const fullRange = new vscode.Range(
      new vscode.Position(0, 0),
      document.lineAt(Math.max(0, document.lineCount - 1)).range.end,
    );
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        fullRange,
        FIX_ALL_KIND.value,
        100,
      )) ?? [];
    let applied = false;
    for (const action of actions) {
      if (!('kind' in action) && 'command' in action && typeof action.command === 'string') continue;
      const codeAction = action as vscode.CodeAction;
      if (codeAction.kind && !FIX_ALL_KIND.contains(codeAction.kind)) continue;
      if (codeAction.edit) {
        applied = (await vscode.workspace.applyEdit(codeAction.edit)) || applied;
      }
      if (codeAction.command) {
        await vscode.commands.executeCommand(codeAction.command.command, ...(codeAction.command.arguments ?? []));
        applied = true;
      }
    }
    return applied;
  }
}

let extension: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ProdlintApi> {
  const ext = new Extension(context);
  extension = ext;
  context.subscriptions.push(
    vscode.commands.registerCommand('prodlint.fixAll', () => ext.fixAll(vscode.window.activeTextEditor?.document)),
    vscode.commands.registerCommand('prodlint.restart', () => ext.restart()),
    vscode.commands.registerCommand('prodlint.showOutput', () => ext.showOutput()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The rest of the section reaches the running server as didChangeConfiguration.
      if (e.affectsConfiguration('prodlint.path')) {
        ext.log('prodlint.path changed: restarting the server');
        void ext.restart();
      }
    }),
  );
  // Do not block activation on the server: the client queues requests until it runs.
  void ext.start();
  return ext;
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
  extension = undefined;
}
