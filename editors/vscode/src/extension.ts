// The VS Code side of modcache: starts `modcache server` over stdio with vscode-languageclient,
// keeps its settings in step with VS Code's, and adds the load-order view and the import graph.

import * as crypto from "node:crypto";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { graphPage, ImportGraph } from "./graph";
import { commandLine, LoadOrder } from "./loadOrder";
import { LoadOrderProvider } from "./loadOrderView";
import { findServer, processEnvironment } from "./serverPath";
import { restartSettings, serverSettings, ServerSettings } from "./settings";

const clientId = "modcache";

function workspaceRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

function currentSettings(): ServerSettings {
  const root = workspaceRoot();
  const configuration = vscode.workspace.getConfiguration("modcache", root);
  return serverSettings((key) => configuration.get(key), {
    workspaceFolder: root?.scheme === "file" ? root.fsPath : undefined,
    homeDir: os.homedir(),
  });
}

class Modcache implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly output = vscode.window.createOutputChannel("modcache", { log: true });
  private readonly loadOrder = new LoadOrderProvider(workspaceRoot);
  private readonly loadOrderView: vscode.TreeView<unknown>;
  private graphPanel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.loadOrderView = vscode.window.createTreeView("modcache.loadOrder", {
      treeDataProvider: this.loadOrder,
      showCollapseAll: true,
    });
    this.disposables.push(
      this.output,
      this.loadOrderView,
      vscode.commands.registerCommand("modcache.restartServer", () => this.restart()),
      // Called with an entry by other extensions and tests; menus pass nothing (or a tree node).
      vscode.commands.registerCommand("modcache.showLoadOrder", (entry?: unknown) =>
        this.showLoadOrder(typeof entry === "string" ? entry : undefined),
      ),
      vscode.commands.registerCommand("modcache.refreshLoadOrder", () => this.showLoadOrder(this.loadOrder.entry)),
      vscode.commands.registerCommand("modcache.showImportGraph", () => this.showImportGraph()),
      vscode.workspace.onDidChangeConfiguration((event) => this.configurationChanged(event)),
    );
  }

  async start(): Promise<void> {
    const root = workspaceRoot();
    const setting = vscode.workspace.getConfiguration("modcache", root).get<string | null>("server.path");
    const discovery = findServer(
      setting,
      processEnvironment(this.context.extensionPath, root?.scheme === "file" ? root.fsPath : undefined),
    );
    if (!discovery.ok) {
      this.output.appendLine(discovery.message);
      // Not awaited: activation must not wait for the user to dismiss the message.
      void vscode.window.showErrorMessage(discovery.message, "Open Settings").then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "modcache.server.path");
        }
      });
      return;
    }
    for (const rejected of discovery.rejected) {
      const message = `modcache: "modcache.server.path" is ${rejected.path}, which is not an executable file; using ${discovery.server.path} instead.`;
      this.output.appendLine(message);
      void vscode.window.showWarningMessage(message);
    }
    this.output.appendLine(`modcache: starting ${discovery.server.path} server (${discovery.server.source})`);

    const serverOptions: ServerOptions = {
      command: discovery.server.path,
      args: ["server"],
      options: { cwd: root?.scheme === "file" ? root.fsPath : undefined },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "python" }],
      initializationOptions: currentSettings(),
      outputChannel: this.output,
      synchronize: {
        // The server re-reads files changed on disk (by git, formatters, other editors) and its
        // own configuration files.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.py,*.pyi,pyproject.toml,modcache.toml}"),
      },
      middleware: {
        workspace: {
          // The server asks for section `modcache`; it gets the mapped settings, not VS Code's
          // raw tree (which also holds `server.path` and `trace.server`).
          configuration: async (params, token, next) => {
            const answers = params.items.map((item) =>
              item.section === "modcache" ? currentSettings() : undefined,
            );
            if (answers.every((answer) => answer !== undefined)) {
              return answers;
            }
            const fallback = await next(params, token);
            if (!Array.isArray(fallback)) {
              return fallback;
            }
            return answers.map((answer, index) => answer ?? fallback[index]);
          },
        },
      },
    };
    this.client = new LanguageClient(clientId, "modcache", serverOptions, clientOptions);
    try {
      await this.client.start();
    } catch (error) {
      const message = `modcache: the server at ${discovery.server.path} did not start: ${String(error)}`;
      this.output.appendLine(message);
      void vscode.window.showErrorMessage(message);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      await client.stop(5000).catch((error) => this.output.appendLine(`modcache: stopping the server: ${String(error)}`));
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private configurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration("modcache")) {
      return;
    }
    if (restartSettings.some((key) => event.affectsConfiguration(key))) {
      void this.restart();
      return;
    }
    if (this.client?.state === State.Running) {
      void this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { modcache: currentSettings() },
      });
    }
  }

  private runningClient(): LanguageClient | undefined {
    if (this.client?.state === State.Running) {
      return this.client;
    }
    void vscode.window.showErrorMessage(
      "modcache: the language server is not running. See the 'modcache' output, or run 'modcache: Restart Server'.",
    );
    return undefined;
  }

  /** Offers the configured and detected entries, and lets the user type another one. */
  private async pickEntry(client: LanguageClient): Promise<string | undefined> {
    let entries: string[] = [];
    try {
      const answer = await client.sendRequest<{ entries?: string[] }>("modcache/entries", {});
      entries = answer?.entries ?? [];
    } catch (error) {
      this.output.appendLine(`modcache: modcache/entries failed: ${String(error)}`);
    }
    const other = "Another entry…";
    const picked = await vscode.window.showQuickPick(
      [
        ...entries.map((entry) => ({ label: entry, description: commandLine(entry) })),
        { label: other, description: "a script path, -m module or pkg.module:function" },
      ],
      { title: "modcache: Show Load Order", placeHolder: "How is the program started?" },
    );
    if (picked === undefined) {
      return undefined;
    }
    if (picked.label !== other) {
      return picked.label;
    }
    return vscode.window.showInputBox({
      title: "modcache: Show Load Order",
      prompt: "Entry: a script path relative to the workspace (main.py), -m module, or pkg.module:function",
      value: entries[0] ?? "",
    });
  }

  async showLoadOrder(entry?: string): Promise<LoadOrder | undefined> {
    const client = this.runningClient();
    if (!client) {
      return undefined;
    }
    const chosen = entry?.trim() || (await this.pickEntry(client))?.trim();
    if (!chosen) {
      return undefined;
    }
    let result: LoadOrder;
    try {
      result = await client.sendRequest<LoadOrder>("modcache/loadOrder", { entry: chosen });
    } catch (error) {
      void vscode.window.showErrorMessage(`modcache: no load order for ${commandLine(chosen)}: ${String(error)}`);
      return undefined;
    }
    this.loadOrder.show(result);
    await vscode.commands.executeCommand("setContext", "modcache.loadOrderShown", true);
    await vscode.commands.executeCommand("modcache.loadOrder.focus");
    return result;
  }

  async showImportGraph(): Promise<ImportGraph | undefined> {
    const client = this.runningClient();
    if (!client) {
      return undefined;
    }
    let graph: ImportGraph;
    try {
      graph = await client.sendRequest<ImportGraph>("modcache/graph", {});
    } catch (error) {
      void vscode.window.showErrorMessage(`modcache: no import graph: ${String(error)}`);
      return undefined;
    }
    const dist = vscode.Uri.joinPath(this.context.extensionUri, "dist");
    if (!this.graphPanel) {
      this.graphPanel = vscode.window.createWebviewPanel(
        "modcache.importGraph",
        "Import Graph",
        vscode.ViewColumn.Beside,
        { enableScripts: true, localResourceRoots: [dist] },
      );
      this.graphPanel.onDidDispose(() => (this.graphPanel = undefined));
    }
    const webview = this.graphPanel.webview;
    webview.html = graphPage(graph, {
      mermaidScript: webview.asWebviewUri(vscode.Uri.joinPath(dist, "mermaid.min.js")).toString(),
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString("base64"),
    });
    this.graphPanel.reveal(undefined, true);
    return graph;
  }

  dispose(): void {
    this.graphPanel?.dispose();
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}

let modcache: Modcache | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  modcache = new Modcache(context);
  context.subscriptions.push(modcache);
  await modcache.start();
}

export async function deactivate(): Promise<void> {
  await modcache?.stop();
  modcache = undefined;
}
