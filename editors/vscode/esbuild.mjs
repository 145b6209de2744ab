// Bundles the extension and vscode-languageclient into dist/extension.js, and copies the mermaid
// library next to it for the import-graph webview (which may load local files only).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const production = process.argv.includes("--production");

// A fresh folder, so that no source map of a development build ends up in the .vsix.
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  outfile: "dist/extension.js",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
});
copyFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "dist/mermaid.min.js");
console.log("built dist/extension.js and dist/mermaid.min.js");
