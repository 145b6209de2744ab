// `npm run package`: builds the server from this repository in release mode, puts it in
// bundled/ with its executable bit, bundles the extension and writes out/modcache-TARGET-VERSION.vsix.
// MODCACHE_BINARY=/path/to/modcache skips the cargo build and bundles that file instead.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repository = resolve(here, "..", "..");
const windows = process.platform === "win32";
const binaryName = windows ? "modcache.exe" : "modcache";

function run(command, args, cwd) {
  console.log(`$ ${command} ${args.join(" ")}`);
  execFileSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"], shell: windows });
}

// vsce's platform names; a .vsix that carries a native binary is only for one platform.
const platforms = { linux: "linux", darwin: "darwin", win32: "win32" };
const architectures = { x64: "x64", arm64: "arm64", arm: "armhf" };
const target =
  platforms[process.platform] && architectures[process.arch]
    ? `${platforms[process.platform]}-${architectures[process.arch]}`
    : undefined;

let binary = process.env.MODCACHE_BINARY;
if (!binary) {
  run("cargo", ["build", "--release", "--locked", "--bin", "modcache"], repository);
  binary = join(repository, "target", "release", binaryName);
}

rmSync(join(here, "bundled"), { recursive: true, force: true });
mkdirSync(join(here, "bundled"));
const bundled = join(here, "bundled", binaryName);
copyFileSync(binary, bundled);
chmodSync(bundled, 0o755);

run(process.execPath, ["esbuild.mjs", "--production"], here);

const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
mkdirSync(join(here, "out"), { recursive: true });
const vsix = join("out", `modcache-${target ?? "universal"}-${version}.vsix`);
run(
  process.execPath,
  [
    join(here, "node_modules", "@vscode", "vsce", "vsce"),
    "package",
    "--no-dependencies",
    "--allow-missing-repository",
    ...(target ? ["--target", target] : []),
    "--out",
    vsix,
  ],
  here,
);
console.log(`packaged ${join(here, vsix)}`);
