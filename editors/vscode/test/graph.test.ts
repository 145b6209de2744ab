import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeHtml, graphPage, graphSummary, ImportGraph } from "../src/graph";

const graph: ImportGraph = {
  nodes: [
    { module: "main", path: "main.py", cycle: false },
    { module: "models", path: "models.py", cycle: true },
    { module: "services", path: "services.py", cycle: true },
  ],
  edges: [
    { from: "main", to: "models", path: "main.py", line: 1, cycle: false },
    { from: "models", to: "services", path: "models.py", line: 1, cycle: true },
    { from: "services", to: "models", path: "services.py", line: 1, cycle: true },
  ],
  cycles: [["models", "services"]],
  mermaid: 'graph LR\n  models["models"] --> services["services"]\n  services --> models',
};

describe("graph page", () => {
  it("summarises modules, imports and cycles", () => {
    assert.equal(graphSummary(graph), "3 modules, 3 imports, 1 cycle: models → services");
    assert.equal(graphSummary({ ...graph, cycles: [] }), "3 modules, 3 imports, no import cycle");
  });

  it("escapes the mermaid text and loads only local scripts", () => {
    const html = graphPage(graph, { mermaidScript: "vscode-resource:/dist/mermaid.min.js", cspSource: "vscode-resource:", nonce: "abc" });
    assert.ok(html.includes('models[&quot;models&quot;] --&gt; services'));
    assert.ok(html.includes("script-src vscode-resource: 'nonce-abc'"));
    assert.ok(html.includes("default-src 'none'"));
    assert.ok(html.includes("<li>models → services → models</li>"));
    assert.ok(!/https?:\/\//.test(html.replace(/http-equiv/g, "")), "the page fetches nothing from the network");
  });

  it("escapes HTML special characters", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
