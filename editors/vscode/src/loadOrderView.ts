// The "Load Order" tree view: who imported whom for one entry, which imports were cache hits, and
// where the program crashes. Clicking a row opens the import statement (or the module's file).

import * as path from "node:path";
import * as vscode from "vscode";
import { LoadOrder, LoadOrderNode, loadOrderTree } from "./loadOrder";

const icons: Record<LoadOrderNode["kind"], vscode.ThemeIcon> = {
  entry: new vscode.ThemeIcon("play"),
  ran: new vscode.ThemeIcon("symbol-module"),
  cached: new vscode.ThemeIcon("history", new vscode.ThemeColor("disabledForeground")),
  "cached-partial": new vscode.ThemeIcon("warning", new vscode.ThemeColor("editorWarning.foreground")),
  crash: new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground")),
  outcome: new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed")),
};

export class LoadOrderProvider implements vscode.TreeDataProvider<LoadOrderNode> {
  private root: LoadOrderNode | undefined;
  private readonly changed = new vscode.EventEmitter<LoadOrderNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** The entry shown last, so that "Refresh" can ask again after edits. */
  entry: string | undefined;

  constructor(private readonly workspaceRoot: () => vscode.Uri | undefined) {}

  show(result: LoadOrder): void {
    this.entry = result.entry;
    this.root = loadOrderTree(result);
    this.changed.fire(undefined);
  }

  clear(): void {
    this.root = undefined;
    this.changed.fire(undefined);
  }

  getChildren(node?: LoadOrderNode): LoadOrderNode[] {
    if (node === undefined) {
      return this.root ? [this.root] : [];
    }
    return node.children;
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(node: LoadOrderNode): vscode.TreeItem {
    const state =
      node.children.length === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded;
    const item = new vscode.TreeItem(node.label, state);
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = icons[node.kind];
    item.contextValue = node.kind;
    const root = this.workspaceRoot();
    if (node.location && root) {
      const file = vscode.Uri.joinPath(root, ...node.location.path.split(/[\\/]/));
      const line = Math.max(0, node.location.line - 1);
      item.command = {
        command: "vscode.open",
        title: "Open",
        arguments: [file, { selection: new vscode.Range(line, 0, line, 0) } satisfies vscode.TextDocumentShowOptions],
      };
      item.tooltip = `${node.tooltip}\n${path.posix.normalize(node.location.path)}:${node.location.line}`;
    }
    return item;
  }
}
