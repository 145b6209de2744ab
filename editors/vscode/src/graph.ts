// The shape of `modcache/graph` answers and the HTML of the "Import Graph" webview, which renders
// the server's mermaid text with the mermaid library shipped inside the extension (no network).
// No `vscode` import, so the node test runner can load it.

export interface GraphNode {
  module: string;
  path: string;
  cycle: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  path: string;
  line: number;
  cycle: boolean;
}

export interface ImportGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  cycles: string[][];
  mermaid: string;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A one-line summary: how many modules and imports, and which cycles. */
export function graphSummary(graph: ImportGraph): string {
  const modules = `${graph.nodes.length} module${graph.nodes.length === 1 ? "" : "s"}`;
  const imports = `${graph.edges.length} import${graph.edges.length === 1 ? "" : "s"}`;
  if (graph.cycles.length === 0) {
    return `${modules}, ${imports}, no import cycle`;
  }
  const cycles = graph.cycles.map((cycle) => cycle.join(" → ")).join("; ");
  return `${modules}, ${imports}, ${graph.cycles.length} cycle${graph.cycles.length === 1 ? "" : "s"}: ${cycles}`;
}

export interface GraphPageResources {
  /** The webview URI of mermaid.min.js. */
  mermaidScript: string;
  /** `webview.cspSource`, allowed to serve scripts and styles. */
  cspSource: string;
  /** A fresh random value per page, for the inline script. */
  nonce: string;
}

/** The webview page: the rendered graph, the cycles as text, and the mermaid source to copy. */
export function graphPage(graph: ImportGraph, resources: GraphPageResources): string {
  const { mermaidScript, cspSource, nonce } = resources;
  // Mermaid injects <style> elements and inline SVG styles, hence 'unsafe-inline' for styles only.
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src ${cspSource} 'nonce-${nonce}'`,
  ].join("; ");
  const cycles =
    graph.cycles.length === 0
      ? "<p>No import cycle runs at import time.</p>"
      : `<ul>${graph.cycles.map((cycle) => `<li>${escapeHtml([...cycle, cycle[0]].join(" → "))}</li>`).join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Import Graph</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
  #graph { overflow: auto; }
  #graph svg { max-width: 100%; height: auto; }
  pre.source { background: var(--vscode-textCodeBlock-background); padding: 0.5em; overflow: auto; }
  .error { color: var(--vscode-errorForeground); }
</style>
</head>
<body>
<h2>Import graph</h2>
<p id="summary">${escapeHtml(graphSummary(graph))}</p>
<div id="graph" class="mermaid">${escapeHtml(graph.mermaid)}</div>
<h3>Cycles</h3>
${cycles}
<details><summary>Mermaid source</summary><pre class="source" id="source">${escapeHtml(graph.mermaid)}</pre></details>
<script src="${mermaidScript}"></script>
<script nonce="${nonce}">
  const target = document.getElementById("graph");
  const showError = (error) => {
    const message = document.createElement("p");
    message.className = "error";
    message.textContent = "The graph could not be drawn: " + String((error && error.message) || error);
    target.replaceChildren(message);
  };
  const dark = document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast");
  try {
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    mermaid.run({ nodes: [target] }).catch(showError);
  } catch (error) {
    showError(error);
  }
</script>
</body>
</html>`;
}
