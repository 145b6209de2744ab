// The shape of `modcache/loadOrder` answers and the tree the "Load Order" view shows for one.
// No `vscode` import, so the node test runner can load it.

export interface Site {
  path: string;
  line: number;
}

export interface OrderItem {
  module: string;
  path: string;
  imported_from?: Site | null;
}

export type TraceAction = "ran" | "cached" | "cached-partial";

export interface TraceItem {
  module: string;
  path: string | null;
  site: Site | null;
  action: TraceAction;
  step: number | null;
  depth: number;
}

export type Outcome =
  | { status: "ok" }
  | { status: "error"; error: string; path: string; line: number; message: string };

export interface LoadOrder {
  entry: string;
  order: OrderItem[];
  outcome: Outcome;
  trace?: TraceItem[];
}

export type NodeKind = "entry" | "ran" | "cached" | "cached-partial" | "crash" | "outcome";

/** One row of the view: what it says, where it leads, and its children (who it imported). */
export interface LoadOrderNode {
  kind: NodeKind;
  label: string;
  description: string;
  tooltip: string;
  /** The file and line that a click opens. */
  location?: Site;
  children: LoadOrderNode[];
}

/** `python main.py` or `python -m pkg`, as the user would type it. */
export function commandLine(entry: string): string {
  return entry.startsWith("-m ") ? `python ${entry}` : entry.includes(":") ? `${entry} (console script)` : `python ${entry}`;
}

function siteText(site: Site | null | undefined): string {
  return site ? `${site.path}:${site.line}` : "";
}

function sameSite(a: Site | null | undefined, b: Site | null | undefined): boolean {
  return !!a && !!b && a.path === b.path && a.line === b.line;
}

function traceNode(item: TraceItem, outcome: Outcome): LoadOrderNode {
  const crashesHere = outcome.status === "error" && sameSite(item.site, outcome);
  const from = item.site ? `← ${siteText(item.site)}` : "";
  let description: string;
  let tooltip: string;
  switch (item.action) {
    case "ran":
      description = [item.step !== null ? `step ${item.step}` : "", item.path ?? "", from].filter(Boolean).join("  ");
      tooltip = `${item.module} runs its top-level code here${item.step !== null ? ` (step ${item.step})` : ""}${
        item.site ? `, imported from ${siteText(item.site)}` : ""
      }.`;
      break;
    case "cached":
      description = ["cached", from].filter(Boolean).join("  ");
      tooltip = `${item.module} is already in sys.modules: this import runs nothing.`;
      break;
    case "cached-partial":
      description = ["cached, still initialising", from].filter(Boolean).join("  ");
      tooltip = `${item.module} is in sys.modules but has not finished running: only the names bound so far exist.`;
      break;
  }
  if (crashesHere && outcome.status === "error") {
    description = `${description}  ✖ ${outcome.error}`;
    tooltip = `${tooltip}\n${outcome.error} at ${siteText(outcome)}: ${outcome.message}`;
  }
  return {
    kind: crashesHere ? "crash" : item.action,
    label: item.module,
    description,
    tooltip,
    location: item.site ?? (item.path ? { path: item.path, line: 1 } : undefined),
    children: [],
  };
}

/**
 * Nests the trace by depth: an item's parent is the closest earlier item one level up, which
 * is the module whose code ran the import.
 */
function nestTrace(trace: TraceItem[], outcome: Outcome): LoadOrderNode[] {
  const roots: LoadOrderNode[] = [];
  const stack: LoadOrderNode[] = [];
  for (const item of trace) {
    const node = traceNode(item, outcome);
    const depth = Math.max(0, Math.min(item.depth, stack.length));
    stack.length = depth;
    if (depth === 0) {
      roots.push(node);
    } else {
      stack[depth - 1].children.push(node);
    }
    stack.push(node);
  }
  return roots;
}

/**
 * Rebuilds a tree from `order` alone, for servers that send no `trace`: each module hangs under
 * the module whose file holds its import site. Cache hits are not known then.
 */
function nestOrder(order: OrderItem[], outcome: Outcome): LoadOrderNode[] {
  const trace: TraceItem[] = [];
  const depthOfPath = new Map<string, number>();
  order.forEach((item, index) => {
    const parentDepth = item.imported_from ? depthOfPath.get(item.imported_from.path) : undefined;
    const depth = parentDepth === undefined ? 0 : parentDepth + 1;
    depthOfPath.set(item.path, depth);
    trace.push({
      module: item.module,
      path: item.path,
      site: item.imported_from ?? null,
      action: "ran",
      step: index + 1,
      depth,
    });
  });
  return nestTrace(trace, outcome);
}

function outcomeNode(outcome: Outcome): LoadOrderNode {
  if (outcome.status === "ok") {
    return {
      kind: "outcome",
      label: "Runs without an import error",
      description: "",
      tooltip: "No first-party import fails on this path.",
      children: [],
    };
  }
  return {
    kind: "crash",
    label: `${outcome.error} at ${siteText(outcome)}`,
    description: outcome.message,
    tooltip: `${outcome.error}: ${outcome.message}`,
    location: { path: outcome.path, line: outcome.line },
    children: [],
  };
}

/** The whole view for one answer: the entry on top, the import tree below it, then the outcome. */
export function loadOrderTree(result: LoadOrder): LoadOrderNode {
  const children =
    result.trace && result.trace.length > 0 ? nestTrace(result.trace, result.outcome) : nestOrder(result.order, result.outcome);
  children.push(outcomeNode(result.outcome));
  const steps = result.order.length;
  return {
    kind: "entry",
    label: commandLine(result.entry),
    description:
      result.outcome.status === "ok"
        ? `${steps} module${steps === 1 ? "" : "s"}, ok`
        : `${steps} module${steps === 1 ? "" : "s"}, ${result.outcome.error} at ${siteText(result.outcome)}`,
    tooltip: `Predicted load order of ${commandLine(result.entry)}`,
    children,
  };
}

/** The same tree as indented text, as `modcache order` prints it (used for copying). */
export function loadOrderText(root: LoadOrderNode): string {
  const lines: string[] = [];
  const walk = (node: LoadOrderNode, indent: number) => {
    lines.push(`${"  ".repeat(indent)}${node.label}${node.description ? `  ${node.description}` : ""}`);
    node.children.forEach((child) => walk(child, indent + 1));
  };
  walk(root, 0);
  return lines.join("\n");
}
