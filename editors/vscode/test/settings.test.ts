import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { restartSettings, serverSettings } from "../src/settings";

const paths = { workspaceFolder: "/ws", homeDir: "/home/me" };

function reader(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

// Compiled tests run from out/test/, two levels below the extension's folder.
const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

describe("serverSettings", () => {
  it("maps every setting to the server's camelCase keys", () => {
    const settings = serverSettings(
      reader({
        select: ["MC0", "MC201"],
        ignore: ["MC004"],
        entries: ["main.py", "-m pkg", "pkg.cli:main"],
        roots: ["lib"],
        pythonVersion: "3.12",
        python: "/usr/bin/python3.12",
      }),
      paths,
    );
    assert.deepEqual(settings, {
      select: ["MC0", "MC201"],
      ignore: ["MC004"],
      entries: ["main.py", "-m pkg", "pkg.cli:main"],
      roots: ["lib"],
      pythonVersion: "3.12",
      python: "/usr/bin/python3.12",
    });
  });

  it("leaves out empty values so that pyproject.toml stays in force", () => {
    assert.deepEqual(serverSettings(reader({ select: [], ignore: [], entries: [], roots: [], pythonVersion: "", python: "" }), paths), {});
    assert.deepEqual(serverSettings(reader({}), paths), {});
  });

  it("drops blank and non-string list items and trims the rest", () => {
    assert.deepEqual(serverSettings(reader({ select: [" MC001 ", "", 3, null], pythonVersion: " 3.11 " }), paths), {
      select: ["MC001"],
      pythonVersion: "3.11",
    });
  });

  it("expands the interpreter path", () => {
    assert.deepEqual(serverSettings(reader({ python: "${workspaceFolder}/.venv/bin/python" }), paths), {
      python: "/ws/.venv/bin/python",
    });
    assert.deepEqual(serverSettings(reader({ python: "~/py/bin/python" }), paths), { python: "/home/me/py/bin/python" });
  });

  it("gives the defaults that package.json declares no effect", () => {
    const defaults = (key: string) => properties[`modcache.${key}`]?.default;
    assert.deepEqual(serverSettings(defaults, paths), {});
  });

  it("reads only settings that package.json declares", () => {
    const read: string[] = [];
    serverSettings((key) => {
      read.push(key);
      return undefined;
    }, paths);
    for (const key of read) {
      assert.ok(`modcache.${key}` in properties, `modcache.${key} is declared`);
    }
    for (const key of restartSettings) {
      assert.ok(key in properties, `${key} is declared`);
    }
    assert.ok("modcache.trace.server" in properties, "the language client's trace setting is declared");
  });
});

describe("package.json", () => {
  it("activates on Python files and on Python workspaces", () => {
    const events: string[] = manifest.activationEvents;
    assert.ok(events.includes("onLanguage:python"));
    assert.ok(events.some((event) => /^workspaceContains:.*pyproject\.toml$/.test(event)));
    assert.ok(events.some((event) => /^workspaceContains:.*\*\.py$/.test(event)));
  });

  it("declares every command the extension registers", () => {
    const commands = manifest.contributes.commands.map((command: { command: string }) => command.command);
    const source = readFileSync(path.join(__dirname, "..", "..", "src", "extension.ts"), "utf8");
    const registered = [...source.matchAll(/registerCommand\("([^"]+)"/g)].map((match) => match[1]);
    assert.deepEqual([...registered].sort(), [...commands].sort());
  });
});
