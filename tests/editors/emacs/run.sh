#!/usr/bin/env bash
# Runs the Emacs snippets of docs/editors.md (eglot and lsp-mode) in `emacs --batch` against the
# server, on a fresh copy of the crashing-cycle example.
# Usage: tests/editors/emacs/run.sh MODCACHE_BIN OUTPUT_DIR
# Prints "ok - …" / "not ok - …" lines.
set -uo pipefail
modcache_bin=$(realpath "$1") output=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

for client in eglot lsp-mode; do
    dir="$output/$client"
    rm -rf "$dir" && mkdir -p "$dir/bin"
    cp -r "$repo/fixtures/examples/crashing-cycle" "$dir/workspace"
    printf '[project]\nname = "crashing-cycle"\nversion = "0.1.0"\n' >"$dir/workspace/pyproject.toml"
    # Its own repository, so that project.el and lsp-mode take it as the root rather than this one.
    git -C "$dir/workspace" init -q
    # The snippets run `modcache` from PATH, as a user's set-up would.
    ln -s "$modcache_bin" "$dir/bin/modcache"
    status=0
    HOME="$dir/home" PATH="$dir/bin:$PATH" MODCACHE_DOCS="$repo/docs/editors.md" MODCACHE_WORKSPACE="$dir/workspace" \
        MODCACHE_OUTPUT="$dir" timeout 120 emacs --batch -q -l "$here/e2e.el" "$client" \
        </dev/null >"$dir/stdout" 2>"$dir/stderr" || status=$?
    cat "$dir/stdout"
    if [ "$status" -ne 0 ] || ! grep -q "server exits on shutdown" "$dir/stdout"; then
        echo "not ok - $client: emacs finished the test (exit status $status); stderr:"
        tail -15 "$dir/stderr" | sed 's/^/#   /'
    fi
done
