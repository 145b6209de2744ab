// End-to-end test of editors/vscode in the real VS Code UI: installs the .vsix into code-server,
// opens a copy of the crashing-cycle example in headless chromium (playwright-core), and checks
// the diagnostics, the "Show Load Order" view and the "Show Import Graph" webview.
//
//   node tests/editors/vscode/e2e.mjs --vsix FILE --output DIR [--screenshot docs/images/x.png]
//
// Prints one "ok - name" or "not ok - name: why" line per check; exits 1 when one failed.

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..", "..");
const testsRoot = resolve(here, "..");

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const vsix = resolve(argument("vsix", ""));
const output = resolve(argument("output", join(testsRoot, "output", "vscode")));
const screenshotCopy = argument("screenshot");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const codeServer = join(testsRoot, "node_modules", ".bin", "code-server");

let failures = 0;
function report(name, ok, why) {
  if (ok) {
    console.log(`ok - ${name}`);
  } else {
    failures += 1;
    console.log(`not ok - ${name}: ${String(why).split("\n").join("\n#   ")}`);
  }
}

async function check(name, fn) {
  try {
    await fn();
    report(name, true);
    return true;
  } catch (error) {
    report(name, false, error instanceof Error ? error.message : error);
    return false;
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor(description, predicate, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// A fresh workspace, user-data and extensions folder for each run, all under the output folder.
rmSync(output, { recursive: true, force: true });
const workspace = join(output, "workspace");
const userData = join(output, "user-data");
const extensions = join(output, "extensions");
mkdirSync(output, { recursive: true });
cpSync(join(repo, "fixtures", "examples", "crashing-cycle"), workspace, { recursive: true });
writeFileSync(join(workspace, "pyproject.toml"), '[project]\nname = "crashing-cycle"\nversion = "0.1.0"\n');
mkdirSync(join(userData, "User"), { recursive: true });
writeFileSync(
  join(userData, "User", "settings.json"),
  JSON.stringify(
    {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "security.workspace.trust.enabled": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "update.mode": "none",
      "editor.minimap.enabled": false,
      "window.commandCenter": false,
      "workbench.layoutControl.enabled": false,
      "chat.commandCenter.enabled": false,
      "editor.fontSize": 15,
      "git.openRepositoryInParentFolders": "never",
      "modcache.entries": ["main.py"],
    },
    null,
    2,
  ),
);

// code-server writes its config file under XDG_CONFIG_HOME; keep it in the output folder.
const codeServerEnv = { ...process.env, XDG_CONFIG_HOME: join(output, "config"), XDG_DATA_HOME: join(output, "data") };
const commonArgs = ["--user-data-dir", userData, "--extensions-dir", extensions];

let server;
let browser;
const serverLog = [];
try {
  await check("the .vsix installs into code-server", async () => {
    if (!existsSync(vsix)) {
      throw new Error(`no .vsix at ${vsix}`);
    }
    const out = execFileSync(codeServer, [...commonArgs, "--install-extension", vsix], {
      env: codeServerEnv,
      encoding: "utf8",
      timeout: 120_000,
    });
    if (!/successfully installed/i.test(out)) {
      throw new Error(out);
    }
  });

  const port = await freePort();
  server = spawn(
    codeServer,
    [
      ...commonArgs,
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      workspace,
    ],
    { env: codeServerEnv, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  server.stdout.on("data", (data) => serverLog.push(String(data)));
  server.stderr.on("data", (data) => serverLog.push(String(data)));
  await waitFor("code-server to listen", () => serverLog.join("").includes("HTTP server listening"), 60_000);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  const browserLog = [];
  page.on("console", (message) => browserLog.push(`${message.type()}: ${message.text()}`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });

  // Opening a Python file activates the extension (onLanguage:python) and starts the server.
  const explorerRow = (name) => page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first();
  await explorerRow("services.py").waitFor({ timeout: 60_000 });
  await explorerRow("services.py").click();
  await page.locator(".monaco-editor .view-lines", { hasText: "from models import User" }).first().waitFor({ timeout: 30_000 });

  await check("the Problems view shows MC002 from modcache for services.py", async () => {
    await page.keyboard.press("Control+Shift+M");
    const problems = page.locator(".markers-panel .monaco-list-row");
    await waitFor(
      "an MC002 row in the Problems view",
      async () => {
        const rows = await problems.allInnerTexts();
        return rows.some((row) => row.includes("MC002") && row.includes("partially initialized module"));
      },
      60_000,
    );
    const rows = await problems.allInnerTexts();
    const text = rows.join("\n");
    if (!/modcache/.test(text)) {
      throw new Error(`the rows do not name the source modcache:\n${text}`);
    }
  });

  await check("a file that is not open gets diagnostics too (main.py: MC201)", async () => {
    // The server analyses the open file's imports first and the rest of the workspace after;
    // main.py's finding shows that the whole workspace has been read.
    // The Problems view only renders the rows in sight, so it is filtered down to main.py.
    const filter = page.locator(".markers-panel-action-filter input, .viewpane-filter input").first();
    await filter.fill("main.py");
    try {
      await waitFor(
        "an MC201 row in the Problems view",
        async () => (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).some((row) => row.includes("MC201")),
        60_000,
      );
    } finally {
      await filter.fill("");
    }
  });

  await check("services.py has an error squiggle on the crashing import", async () => {
    await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: 15_000 });
  });

  const runCommand = async (title) => {
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press("Enter");
  };

  await check("modcache: Show Load Order offers the detected entries in a quick pick", async () => {
    await runCommand("modcache: Show Load Order");
    const pick = page.locator(".quick-input-widget .monaco-list-row", { hasText: "main.py" }).first();
    await pick.waitFor({ timeout: 15_000 });
    const rows = await page.locator(".quick-input-widget .monaco-list-row").allInnerTexts();
    if (!rows.some((row) => row.includes("python main.py"))) {
      throw new Error(`quick pick rows: ${rows.join(" | ")}`);
    }
    await pick.click();
  });

  const treeRows = page.locator('.pane[aria-label*="Load Order"] .monaco-list-row, [id="workbench.view.extension.modcache"] .monaco-list-row');
  await check("the Load Order view shows who imported whom, the cache hit and the crash", async () => {
    await waitFor(
      "the load-order tree",
      async () => (await treeRows.allInnerTexts()).some((row) => row.includes("ImportError at services.py:1")),
      30_000,
    );
    // Each row as "label description" with one space between, as a reader sees it.
    const cells = await treeRows.evaluateAll((elements) =>
      elements.map((element) => ({
        level: Number(element.getAttribute("aria-level")),
        label: element.querySelector(".label-name")?.textContent?.trim() ?? "",
        description: element.querySelector(".label-description")?.textContent?.trim() ?? "",
      })),
    );
    const rows = cells.map((cell) => `${cell.label} ${cell.description}`.replace(/\s+/g, " ").trim());
    const expected = [
      /^python main\.py 3 modules, ImportError at services\.py:1$/,
      /^__main__ step 1 main\.py$/,
      /^models step 2 models\.py ← main\.py:1$/,
      /^services step 3 services\.py ← models\.py:1$/,
      /^models cached, still initialising ← services\.py:1 ✖ ImportError$/,
      /^ImportError at services\.py:1 cannot import name 'User' from partially initialized module 'models'$/,
    ];
    const missing = expected.filter((pattern) => !rows.some((row) => pattern.test(row)));
    if (missing.length > 0) {
      throw new Error(`missing ${missing.join(", ")} in rows:\n${rows.join("\n")}`);
    }
    // The tree nests by importer: each row's level is one more than its importer's.
    const level = (label) => cells.find((cell) => cell.label === label)?.level;
    if (!(level("__main__") + 1 === level("models") && level("models") + 1 === level("services"))) {
      throw new Error(`levels: ${JSON.stringify(cells)}`);
    }
  });

  await check("a click on the crash row opens services.py at line 1", async () => {
    // By label: the entry row's description also mentions the crash, and a click there folds the tree.
    await treeRows.filter({ has: page.locator(".label-name", { hasText: "ImportError at services.py:1" }) }).first().click();
    await page.locator(".tabs-container .tab.active", { hasText: "services.py" }).waitFor({ timeout: 10_000 });
  });

  // The picture for docs/images: the editor with the squiggle, the inlay hint and the code lens,
  // the load-order view and the Problems view together. The side bar is widened first, so that
  // the rows' descriptions are not cut off.
  const sidebar = await page.locator(".part.sidebar").boundingBox();
  if (sidebar) {
    await page.mouse.move(sidebar.x + sidebar.width - 1, sidebar.y + sidebar.height / 2);
    await page.mouse.down();
    await page.mouse.move(sidebar.x + 640, sidebar.y + sidebar.height / 2, { steps: 10 });
    await page.mouse.up();
  }
  await check("hover on `models` in the crashing import shows modcache's explanation", async () => {
    // The server's part of the hover (below the diagnostics' part): this import of `models` is
    // a cache hit on a module that is still initialising. A hover that opened before the server
    // answered shows only the diagnostics, so the mouse leaves and comes back a few times.
    const hover = page.locator(".monaco-hover", { hasText: "cache hit" }).first();
    let text = "";
    for (let attempt = 0; attempt < 5 && !text; attempt += 1) {
      await page.mouse.move(1200, 420);
      await page.keyboard.press("Escape");
      // The token itself: the middle of the whole line would be the inlay hint, with its own tooltip.
      await page.locator(".monaco-editor .view-line span span", { hasText: /^\s*models\s*$/ }).first().hover();
      text = await hover
        .innerText({ timeout: 5_000 })
        .catch(() => "");
    }
    if (!text) {
      const shown = await page.locator(".monaco-hover").allInnerTexts();
      throw new Error(`no hover from modcache; hovers shown: ${JSON.stringify(shown)}`);
    }
    if (!/still initialising/.test(text) || !/models\.py/.test(text)) {
      throw new Error(`the hover does not explain the cache hit on a partial module:\n${text}`);
    }
    await page.screenshot({ path: join(output, "vscode-hover.png") });
  });
  // The hover would hide the code in the documentation picture, and the focus frame of the
  // side bar would distract from it.
  await page.keyboard.press("Escape");
  await page.locator(".monaco-editor .view-lines").first().click({ position: { x: 400, y: 300 } });
  await page.mouse.move(1200, 420);
  await page.waitForTimeout(800);
  const screenshot = join(output, "vscode-modcache.png");
  await check("a screenshot of the diagnostics and the load-order view is saved", async () => {
    await page.screenshot({ path: screenshot });
    if (screenshotCopy) {
      mkdirSync(dirname(resolve(screenshotCopy)), { recursive: true });
      copyFileSync(screenshot, resolve(screenshotCopy));
    }
  });

  await check("modcache: Show Import Graph draws the graph with the cycle", async () => {
    await runCommand("modcache: Show Import Graph");
    const frame = await waitFor(
      "the import-graph webview",
      async () => {
        for (const candidate of page.frames()) {
          const summary = await candidate
            .locator("#summary")
            .textContent({ timeout: 200 })
            .catch(() => null);
          if (summary) {
            return candidate;
          }
        }
        return null;
      },
      30_000,
    );
    const summary = await frame.locator("#summary").textContent();
    if (!/1 cycle: (models → services|services → models)/.test(summary ?? "")) {
      throw new Error(`summary: ${summary}`);
    }
    await frame.locator("#graph svg").first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(output, "vscode-import-graph.png") });
  });

  await check("modcache: Restart Server brings the diagnostics back", async () => {
    await runCommand("modcache: Restart Server");
    await page.waitForTimeout(1000);
    await page.keyboard.press("Control+Shift+M");
    await waitFor(
      "MC002 after the restart",
      async () => (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).some((row) => row.includes("MC002")),
      60_000,
    );
  });

  await check("a changed setting (modcache.ignore = [MC002]) reaches the server", async () => {
    // VS Code reloads the workspace settings file by itself; the extension then sends
    // workspace/didChangeConfiguration with the mapped settings.
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "modcache.ignore": ["MC002"] }));
    await waitFor(
      "MC002 to leave the Problems view while MC001 stays",
      async () => {
        const rows = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
        return !rows.some((row) => row.includes("MC002")) && rows.some((row) => row.includes("MC001"));
      },
      30_000,
    );
  });

  writeFileSync(join(output, "browser-console.log"), browserLog.join("\n"));
  if (failures > 0) {
    await page.screenshot({ path: join(output, "failure.png") }).catch(() => {});
  }
} catch (error) {
  report("the VS Code test ran to the end", false, error instanceof Error ? error.stack : error);
} finally {
  await browser?.close().catch(() => {});
  if (server?.pid) {
    // code-server was started in its own process group: end it and its children.
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {}
  }
  writeFileSync(join(output, "code-server.log"), serverLog.join(""));
}
process.exit(failures > 0 ? 1 : 0);
