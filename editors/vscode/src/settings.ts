// Maps the extension's settings (`modcache.*` in VS Code) to the object the server reads from
// `initializationOptions`, `workspace/configuration` (section `modcache`) and
// `workspace/didChangeConfiguration`. No `vscode` import, so the node test runner can load it.

import { expandPath } from "./serverPath";

/** The settings the server understands, with its camelCase keys. */
export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  entries?: string[];
  roots?: string[];
  pythonVersion?: string;
  python?: string;
}

/** Reads one setting below `modcache.` (what `WorkspaceConfiguration.get` does). */
export type SettingReader = (key: string) => unknown;

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value
    .filter((item): item is string => typeof item === "string")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/**
 * Builds the server's settings. Empty lists and strings are left out rather than sent empty, so
 * that `[tool.modcache]` in pyproject.toml (or modcache.toml) stays in force for everything the
 * user has not set in the editor.
 */
export function serverSettings(
  read: SettingReader,
  paths: { workspaceFolder?: string; homeDir: string },
): ServerSettings {
  const settings: ServerSettings = {};
  for (const key of ["select", "ignore", "entries", "roots"] as const) {
    const list = stringList(read(key));
    if (list.length > 0) {
      settings[key] = list;
    }
  }
  const pythonVersion = text(read("pythonVersion"));
  if (pythonVersion !== "") {
    settings.pythonVersion = pythonVersion;
  }
  const python = text(read("python"));
  if (python !== "") {
    settings.python = expandPath(python, paths);
  }
  return settings;
}

/** The settings whose change needs a new server process rather than a configuration push. */
export const restartSettings = ["modcache.server.path"];
