import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DiscoveryEnvironment, expandPath, findServer } from "../src/serverPath";

function environment(executables: string[], overrides: Partial<DiscoveryEnvironment> = {}): DiscoveryEnvironment {
  const present = new Set(executables);
  return {
    extensionPath: "/ext",
    workspaceFolder: "/ws",
    pathVariable: "/usr/local/bin:/usr/bin",
    platform: "linux",
    homeDir: "/home/me",
    isExecutable: (file) => present.has(file),
    ...overrides,
  };
}

describe("findServer", () => {
  it("uses the configured path first", () => {
    const found = findServer("/opt/modcache", environment(["/opt/modcache", "/ext/bundled/modcache"]));
    assert.deepEqual(found, { ok: true, server: { source: "setting", path: "/opt/modcache" }, rejected: [] });
  });

  it("expands ~ and ${workspaceFolder} in the setting", () => {
    assert.equal(
      findServer("~/bin/modcache", environment(["/home/me/bin/modcache"])).ok && "found",
      "found",
    );
    const found = findServer("${workspaceFolder}/target/debug/modcache", environment(["/ws/target/debug/modcache"]));
    assert.ok(found.ok);
    assert.equal(found.server.path, "/ws/target/debug/modcache");
  });

  it("resolves a relative setting against the workspace folder", () => {
    const found = findServer("target/release/modcache", environment(["/ws/target/release/modcache"]));
    assert.ok(found.ok);
    assert.equal(found.server.path, "/ws/target/release/modcache");
  });

  it("looks a bare program name in the setting up on PATH", () => {
    const found = findServer("modcache-nightly", environment(["/usr/bin/modcache-nightly"]));
    assert.ok(found.ok);
    assert.deepEqual(found.server, { source: "setting", path: "/usr/bin/modcache-nightly" });
  });

  it("falls back to the bundled binary when there is no setting", () => {
    for (const setting of [undefined, null, "", "   "]) {
      const found = findServer(setting, environment(["/ext/bundled/modcache", "/usr/bin/modcache"]));
      assert.deepEqual(found, { ok: true, server: { source: "bundled", path: "/ext/bundled/modcache" }, rejected: [] });
    }
  });

  it("falls back to PATH, in PATH order, when nothing is bundled", () => {
    const found = findServer(undefined, environment(["/usr/bin/modcache", "/usr/local/bin/modcache"]));
    assert.ok(found.ok);
    assert.deepEqual(found.server, { source: "PATH", path: "/usr/local/bin/modcache" });
  });

  it("reports a configured path that does not work and still finds the bundled binary", () => {
    const found = findServer("/nope/modcache", environment(["/ext/bundled/modcache"]));
    assert.ok(found.ok);
    assert.equal(found.server.source, "bundled");
    assert.deepEqual(found.rejected, [{ source: "setting", path: "/nope/modcache" }]);
  });

  it("lists every path it tried when none works", () => {
    const found = findServer("/nope/modcache", environment([]));
    assert.equal(found.ok, false);
    assert.ok(!found.ok);
    assert.deepEqual(found.tried, [
      { source: "setting", path: "/nope/modcache" },
      { source: "bundled", path: "/ext/bundled/modcache" },
      { source: "PATH", path: "/usr/local/bin/modcache" },
      { source: "PATH", path: "/usr/bin/modcache" },
    ]);
    for (const place of ["/nope/modcache", "/ext/bundled/modcache", "/usr/local/bin/modcache", "/usr/bin/modcache"]) {
      assert.ok(found.message.includes(place), `the message names ${place}`);
    }
    assert.match(found.message, /modcache\.server\.path/);
  });

  it("says so when PATH is empty", () => {
    const found = findServer(undefined, environment([], { pathVariable: "" }));
    assert.ok(!found.ok);
    assert.match(found.message, /PATH is empty/);
  });

  it("finds modcache.exe through PATHEXT on Windows", () => {
    const found = findServer(
      undefined,
      environment(["C:\\tools\\modcache.EXE"], {
        platform: "win32",
        extensionPath: "C:\\ext",
        pathVariable: "C:\\Windows;C:\\tools",
        pathExtVariable: ".COM;.EXE",
      }),
    );
    assert.ok(found.ok);
    assert.deepEqual(found.server, { source: "PATH", path: "C:\\tools\\modcache.EXE" });
  });
});

describe("expandPath", () => {
  it("leaves absolute paths and bare names alone", () => {
    const env = { workspaceFolder: "/ws", homeDir: "/home/me" };
    assert.equal(expandPath("/usr/bin/python3", env), "/usr/bin/python3");
    assert.equal(expandPath("python3", env), "python3");
    assert.equal(expandPath(".venv/bin/python", env), "/ws/.venv/bin/python");
    assert.equal(expandPath("~", env), "/home/me");
  });

  it("keeps ${workspaceFolder} when there is no workspace", () => {
    assert.equal(expandPath("${workspaceFolder}/x", { homeDir: "/h" }), "${workspaceFolder}/x");
  });
});
