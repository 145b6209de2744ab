#!/usr/bin/env bash
# Runs tests/editors/nvim/e2e.lua in a headless Neovim against a fresh copy of the crashing-cycle
# example, then checks that the server processes ended when Neovim quit.
# Usage: tests/editors/nvim/run.sh NVIM MODCACHE_BIN OUTPUT_DIR
# Prints "ok - …" / "not ok - …" lines; exits non-zero when a check failed.
set -uo pipefail
nvim_bin=$1 modcache_bin=$2 output=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

rm -rf "$output" && mkdir -p "$output"
workspace="$output/workspace"
cp -r "$repo/fixtures/examples/crashing-cycle" "$workspace"
# The project root marker: without it the root search would climb to the repository's .git.
printf '[project]\nname = "crashing-cycle"\nversion = "0.1.0"\n' >"$workspace/pyproject.toml"

export MODCACHE_PLUGIN="$repo/editors/nvim" MODCACHE_WORKSPACE="$workspace" MODCACHE_BIN="$modcache_bin"
export MODCACHE_PIDS="$output/server-pids"
# XDG folders inside the output folder, so that no state or log of the user's Neovim is touched.
export XDG_STATE_HOME="$output/state" XDG_DATA_HOME="$output/data" XDG_CACHE_HOME="$output/cache" XDG_CONFIG_HOME="$output/config"

status=0
timeout 180 "$nvim_bin" --headless --clean -S "$here/e2e.lua" </dev/null >"$output/stdout" 2>"$output/stderr" || status=$?
cat "$output/stdout"
if [ "$status" -ne 0 ]; then
    echo "not ok - Neovim exited cleanly: exit status $status; stderr:"
    sed 's/^/#   /' "$output/stderr" | tail -20
fi
if ! grep -q '^# nvim' "$output/stdout"; then
    echo "not ok - the test script finished: see $output/stderr"
    exit 1
fi

# Neovim stops its clients on quit; the servers must be gone shortly after (a zombie has exited).
alive=""
for pid in $(cat "$MODCACHE_PIDS"); do
    for _ in $(seq 50); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
        if [ "$state" = gone ] || [ "$state" = Z ]; then break; fi
        sleep 0.1
    done
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    if [ "$state" != gone ] && [ "$state" != Z ]; then alive="$alive $pid"; kill "$pid" 2>/dev/null; fi
done
if [ -z "$(tr -d '[:space:]' <"$MODCACHE_PIDS")" ]; then
    echo "not ok - the server process exits when Neovim quits: no server process was seen"
elif [ -n "$alive" ]; then
    echo "not ok - the server process exits when Neovim quits: still running:$alive"
else
    echo "ok - the server process exits when Neovim quits"
fi
