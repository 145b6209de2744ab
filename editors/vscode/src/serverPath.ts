// Finds the modcache binary: the `modcache.server.path` setting, then the binary bundled in the
// .vsix, then `modcache` on PATH. This module does not import `vscode`, so that the node test
// runner can exercise it directly.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type CandidateSource = "setting" | "bundled" | "PATH";

export interface Candidate {
  source: CandidateSource;
  path: string;
}

export interface DiscoveryEnvironment {
  /** The folder the extension is installed in (holds `bundled/`). */
  extensionPath: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative setting paths. */
  workspaceFolder?: string;
  /** The PATH environment variable. */
  pathVariable?: string;
  /** PATHEXT on Windows, where executables need an extension. */
  pathExtVariable?: string;
  platform: NodeJS.Platform;
  homeDir: string;
  /** Whether a file exists and may be executed; injected so tests need no real files. */
  isExecutable(file: string): boolean;
}

export type Discovery =
  | { ok: true; server: Candidate; rejected: Candidate[] }
  | { ok: false; tried: Candidate[]; message: string };

/** Expands `~` and `${workspaceFolder}` and makes a relative path absolute against the workspace. */
export function expandPath(value: string, env: Pick<DiscoveryEnvironment, "workspaceFolder" | "homeDir">): string {
  let expanded = value.trim();
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = path.join(env.homeDir, expanded.slice(1));
  }
  if (env.workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  if (!path.isAbsolute(expanded) && env.workspaceFolder !== undefined && /[\\/]/.test(expanded)) {
    // A bare name such as `modcache` is left for the PATH lookup; a relative path with a
    // separator means a file in the workspace, as VS Code users expect from other extensions.
    expanded = path.join(env.workspaceFolder, expanded);
  }
  return expanded;
}

function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "modcache.exe" : "modcache";
}

/** Every place looked at for a program name on PATH, in order. */
function pathCandidates(name: string, env: DiscoveryEnvironment): string[] {
  const separator = env.platform === "win32" ? ";" : ":";
  const folders = (env.pathVariable ?? "").split(separator).filter((folder) => folder.length > 0);
  const extensions =
    env.platform === "win32" && path.extname(name) === ""
      ? (env.pathExtVariable ?? ".EXE;.CMD;.BAT").split(";").filter((ext) => ext.length > 0)
      : [""];
  const join = env.platform === "win32" ? path.win32.join : path.posix.join;
  return folders.flatMap((folder) => extensions.map((ext) => join(folder, name + ext)));
}

/**
 * Looks for the server in the documented order. A configured path that does not work is
 * reported in `rejected` (the extension warns about it) and the search goes on, so a stale
 * setting does not leave the user without diagnostics.
 */
export function findServer(setting: string | null | undefined, env: DiscoveryEnvironment): Discovery {
  const tried: Candidate[] = [];
  const attempt = (candidate: Candidate): boolean => {
    tried.push(candidate);
    return env.isExecutable(candidate.path);
  };

  const configured = typeof setting === "string" ? setting.trim() : "";
  if (configured !== "") {
    const expanded = expandPath(configured, env);
    const isBareName = !/[\\/]/.test(expanded);
    const settingCandidates = isBareName ? pathCandidates(expanded, env) : [expanded];
    if (settingCandidates.length === 0) {
      tried.push({ source: "setting", path: expanded });
    }
    for (const file of settingCandidates) {
      const candidate: Candidate = { source: "setting", path: file };
      if (attempt(candidate)) {
        return { ok: true, server: candidate, rejected: [] };
      }
    }
  }

  const bundled: Candidate = {
    source: "bundled",
    path: path.join(env.extensionPath, "bundled", binaryName(env.platform)),
  };
  if (attempt(bundled)) {
    return { ok: true, server: bundled, rejected: tried.filter((c) => c.source === "setting") };
  }

  for (const file of pathCandidates("modcache", env)) {
    const candidate: Candidate = { source: "PATH", path: file };
    if (attempt(candidate)) {
      return { ok: true, server: candidate, rejected: tried.filter((c) => c.source === "setting") };
    }
  }
  if (!tried.some((c) => c.source === "PATH")) {
    tried.push({ source: "PATH", path: "modcache (PATH is empty)" });
  }

  return { ok: false, tried, message: notFoundMessage(tried) };
}

export function notFoundMessage(tried: Candidate[]): string {
  const lines = tried.map((c) => `  ${c.source}: ${c.path}`);
  return [
    "modcache: cannot find the modcache language server. Looked at:",
    ...lines,
    'Install it (`cargo install --path server` in the modcache repository) or set "modcache.server.path".',
  ].join("\n");
}

/** The real environment of the running extension host. */
export function processEnvironment(extensionPath: string, workspaceFolder: string | undefined): DiscoveryEnvironment {
  return {
    extensionPath,
    workspaceFolder,
    pathVariable: process.env.PATH ?? process.env.Path,
    pathExtVariable: process.env.PATHEXT,
    platform: process.platform,
    homeDir: os.homedir(),
    isExecutable: (file) => {
      try {
        if (!fs.statSync(file).isFile()) {
          return false;
        }
        fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}
