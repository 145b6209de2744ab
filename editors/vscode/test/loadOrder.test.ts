import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandLine, LoadOrder, loadOrderText, loadOrderTree } from "../src/loadOrder";

// The answer for fixtures/examples/crashing-cycle: main imports models, models imports services,
// services imports models while models is still initialising and crashes.
const crashing: LoadOrder = {
  entry: "main.py",
  order: [
    { module: "__main__", path: "main.py" },
    { module: "models", path: "models.py", imported_from: { path: "main.py", line: 1 } },
    { module: "services", path: "services.py", imported_from: { path: "models.py", line: 1 } },
  ],
  outcome: {
    status: "error",
    error: "ImportError",
    path: "services.py",
    line: 1,
    message: "cannot import name 'User' from partially initialized module 'models'",
  },
  trace: [
    { module: "__main__", path: "main.py", site: null, action: "ran", step: 1, depth: 0 },
    { module: "models", path: "models.py", site: { path: "main.py", line: 1 }, action: "ran", step: 2, depth: 1 },
    { module: "services", path: "services.py", site: { path: "models.py", line: 1 }, action: "ran", step: 3, depth: 2 },
    { module: "models", path: "models.py", site: { path: "services.py", line: 1 }, action: "cached-partial", step: null, depth: 3 },
  ],
};

describe("loadOrderTree", () => {
  it("nests the trace by who imported whom and marks the crashing import", () => {
    const root = loadOrderTree(crashing);
    assert.equal(root.label, "python main.py");
    assert.equal(root.description, "3 modules, ImportError at services.py:1");
    const [main, outcome] = root.children;
    assert.equal(main.label, "__main__");
    assert.equal(main.kind, "ran");
    const models = main.children[0];
    assert.equal(models.label, "models");
    assert.match(models.description, /step 2/);
    assert.match(models.description, /← main\.py:1/);
    const services = models.children[0];
    assert.equal(services.label, "services");
    const partial = services.children[0];
    assert.equal(partial.kind, "crash");
    assert.match(partial.description, /cached, still initialising/);
    assert.match(partial.description, /ImportError/);
    assert.deepEqual(partial.location, { path: "services.py", line: 1 });
    assert.equal(outcome.kind, "crash");
    assert.equal(outcome.label, "ImportError at services.py:1");
    assert.equal(outcome.description, crashing.outcome.status === "error" ? crashing.outcome.message : "");
  });

  it("shows cache hits under the module that ran the import", () => {
    const root = loadOrderTree({
      entry: "-m app",
      order: [
        { module: "app", path: "app/__init__.py" },
        { module: "app.db", path: "app/db.py", imported_from: { path: "app/__init__.py", line: 1 } },
        { module: "__main__", path: "app/__main__.py" },
      ],
      outcome: { status: "ok" },
      trace: [
        { module: "app", path: "app/__init__.py", site: null, action: "ran", step: 1, depth: 0 },
        { module: "app.db", path: "app/db.py", site: { path: "app/__init__.py", line: 1 }, action: "ran", step: 2, depth: 1 },
        { module: "__main__", path: "app/__main__.py", site: null, action: "ran", step: 3, depth: 0 },
        { module: "app.db", path: "app/db.py", site: { path: "app/__main__.py", line: 2 }, action: "cached", step: null, depth: 1 },
      ],
    });
    assert.equal(root.label, "python -m app");
    assert.equal(root.description, "3 modules, ok");
    const [app, main, outcome] = root.children;
    assert.equal(app.children[0].label, "app.db");
    assert.equal(main.children[0].kind, "cached");
    assert.match(main.children[0].description, /^cached {2}← app\/__main__\.py:2$/);
    assert.equal(outcome.kind, "outcome");
  });

  it("rebuilds the tree from `order` when the answer has no trace", () => {
    const { trace: _trace, ...withoutTrace } = crashing;
    const root = loadOrderTree(withoutTrace);
    const services = root.children[0].children[0].children[0];
    assert.equal(services.label, "services");
    assert.match(services.description, /step 3/);
  });

  it("prints the tree as indented text", () => {
    const text = loadOrderText(loadOrderTree(crashing));
    assert.equal(
      text.split("\n")[0],
      "python main.py  3 modules, ImportError at services.py:1",
    );
    assert.match(text, /^ {8}models {2}cached, still initialising {2}← services\.py:1 {2}✖ ImportError$/m);
  });
});

describe("commandLine", () => {
  it("spells entries as the user would run them", () => {
    assert.equal(commandLine("main.py"), "python main.py");
    assert.equal(commandLine("-m pkg"), "python -m pkg");
    assert.equal(commandLine("pkg.cli:main"), "pkg.cli:main (console script)");
  });
});
