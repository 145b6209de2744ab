#!/usr/bin/env bash
# Benchmark of `modcache check` on this machine's CPython standard library (without and with its
# tests) and its site-packages folder: wall time and peak memory of the release binary, findings
# and problems per folder, then the bench target (`server/benches/check.rs`), which compares the
# pipeline with the floor of reading and parsing the same files.
#
# Usage: scripts/bench.sh [DIR...]
#   With no DIR: the standard library without its tests, with them, and site-packages, as
#   reported by $PYTHON (default python3).
#   RUNS=N          runs of each measurement (default 3)
#   PYTHON=python3  the interpreter whose folders are measured
#   OUT=DIR         where the JSON reports and logs go (default target/bench-check)
#   SKIP_BENCH=1    only the CLI runs; SKIP_CLI=1 only the bench target
#   MAX_OTHER_LOAD=0.25  wait before each sample until other processes use at most this many
#                   cores, and retry (up to RETRIES=5 times) a sample they disturbed more; "off"
#                   measures whatever the machine is doing. WAIT_BUDGET=1200 caps the waiting (s).
#
# Needs: a Rust toolchain (cargo) and python3. /usr/bin/time is used when present; otherwise
# python3 measures wall time and peak RSS (ru_maxrss of the child).
# Every command is printed (prefixed with "+") before it runs.

set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
RUNS=${RUNS:-3}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$REPO/target/bench-check}
TEST_FOLDERS='"test", "tests", "idle_test"'
MAX_OTHER_LOAD=${MAX_OTHER_LOAD:-0.25}
RETRIES=${RETRIES:-5}
WAIT_BUDGET=${WAIT_BUDGET:-1200}

run() {
    printf '+' >&2
    printf ' %q' "$@" >&2
    printf '\n' >&2
    "$@"
}

die() {
    echo "bench.sh: $*" >&2
    exit 2
}

command -v cargo >/dev/null || die "cargo not found (install Rust from https://rustup.rs)"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
mkdir -p "$OUT"

# --- The machine ------------------------------------------------------------------------------
echo "## Machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') MHz"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2/1024/1024}' /proc/meminfo)"
echo "kernel: $(uname -r)"
echo "rustc: $(rustc --version)"
echo "python: $("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if git rev-parse --git-dir >/dev/null 2>&1; then
    echo "commit: $(git rev-parse --short HEAD), $(git status --porcelain -- server Cargo.toml Cargo.lock | wc -l) changed files under server/ and Cargo.*"
fi
echo

# --- The folders ------------------------------------------------------------------------------
# Each target is "LABEL|DIR|EXCLUDE_TESTS".
targets=()
if [ $# -eq 0 ]; then
    STDLIB=$(run "$PYTHON" -c "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
    SITE=$(run "$PYTHON" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    targets+=("stdlib without tests|$STDLIB|1" "stdlib with tests|$STDLIB|0")
    [ -d "$SITE" ] && targets+=("site-packages|$SITE|0")
else
    for dir in "$@"; do
        targets+=("$dir|$(cd "$dir" && pwd)|0")
    done
fi

# The CLI takes the test exclusion as a configuration file (modcache excludes site-packages and
# dist-packages folders by itself).
NOTESTS_CONFIG="$OUT/exclude-tests.modcache.toml"
echo "exclude = [$TEST_FOLDERS]" >"$NOTESTS_CONFIG"

# --- Build ------------------------------------------------------------------------------------
run cargo build --release
BIN="$REPO/target/release/modcache"
run "$BIN" --version

# Busy CPU seconds of the whole machine (user nice system irq softirq steal), from /proc/stat.
machine_busy() {
    awk '/^cpu / {printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / 100}' /proc/stat
}

waited=0
# Waits (within WAIT_BUDGET) until other processes use at most MAX_OTHER_LOAD cores.
wait_quiet() {
    [ "$MAX_OTHER_LOAD" = off ] && return
    while [ "$waited" -lt "$WAIT_BUDGET" ]; do
        local b0 b1
        b0=$(machine_busy)
        sleep 1
        b1=$(machine_busy)
        waited=$((waited + 1))
        awk -v a="$b0" -v b="$b1" -v m="$MAX_OTHER_LOAD" 'BEGIN {exit !(b - a <= m)}' && return
    done
}

# Runs a command with its stdout to $2 and its stderr to $1, and appends a last line to $1:
# "WALL MAXRSS_KB EXIT USER SYS OTHER_LOAD", where OTHER_LOAD is the CPU time that other
# processes took meanwhile, per second.
measure() {
    local errfile=$1 outfile=$2
    shift 2
    local b0 b1
    b0=$(machine_busy)
    if [ -x /usr/bin/time ]; then
        printf '+ /usr/bin/time -f "%%e %%M %%x %%U %%S"' >&2
        printf ' %q' "$@" >&2
        printf ' > %q 2> %q\n' "$outfile" "$errfile" >&2
        /usr/bin/time -f '%e %M %x %U %S' "$@" >"$outfile" 2>"$errfile" || true
    else
        printf '+ %s (python3 timer)' "$PYTHON" >&2
        printf ' %q' "$@" >&2
        printf ' > %q 2> %q\n' "$outfile" "$errfile" >&2
        "$PYTHON" - "$@" >"$outfile" 2>"$errfile" <<'EOF' || true
import resource, subprocess, sys, time
t = time.monotonic()
code = subprocess.run(sys.argv[1:]).returncode
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.2f} {r.ru_maxrss} {code} {r.ru_utime:.2f} {r.ru_stime:.2f}", file=sys.stderr)
EOF
    fi
    b1=$(machine_busy)
    local last
    last=$(tail -n1 "$errfile")
    sed -i '$d' "$errfile"
    echo "$last" | awk -v a="$b0" -v b="$b1" '{o = (b - a - $4 - $5) / ($1 > 0 ? $1 : 1); if (o < 0) o = 0; printf "%s %s %s %s %s %.2f\n", $1, $2, $3, $4, $5, o}' >>"$errfile"
}

# --- The CLI, under time ----------------------------------------------------------------------
summary_rows=()
if [ "${SKIP_CLI:-0}" != 1 ]; then
    echo
    echo "## modcache check (release binary), $RUNS runs each"
    for target in "${targets[@]}"; do
        IFS='|' read -r label dir notests <<<"$target"
        slug=$(echo "$label" | tr -c 'a-zA-Z0-9\n' '-' | sed 's/^-*//')
        args=(check --format json --exit-zero --no-progress)
        [ "$notests" = 1 ] && args+=(--config "$NOTESTS_CONFIG")
        walls=()
        rss_max=0
        status=ok
        for i in $(seq 1 "$RUNS"); do
            for try in $(seq 0 "$RETRIES"); do
                wait_quiet
                measure "$OUT/$slug.$i.stderr" "$OUT/$slug.json" "$BIN" "${args[@]}" "$dir"
                read -r wall rss code user sys other < <(tail -n1 "$OUT/$slug.$i.stderr")
                if [ "$MAX_OTHER_LOAD" = off ] || [ "$try" = "$RETRIES" ] ||
                    awk -v o="$other" -v m="$MAX_OTHER_LOAD" 'BEGIN {exit !(o <= m)}'; then
                    break
                fi
                echo "  (run $i disturbed: other processes used $other cores; again)"
            done
            walls+=("$wall")
            [ "$rss" -gt "$rss_max" ] && rss_max=$rss
            if [ "$code" != 0 ] || grep -q "panicked" "$OUT/$slug.$i.stderr"; then
                status="FAILED (exit $code, see $OUT/$slug.$i.stderr)"
            fi
            echo "  run $i: ${wall} s, max RSS $((rss / 1024)) MB, exit $code, CPU ${user} s user + ${sys} s sys ($(awk -v u="$user" -v s="$sys" -v w="$wall" 'BEGIN {printf "%.2f", (w > 0) ? (u + s) / w : 0}') cores), other load $other"
        done
        # Findings per code and problems, from the last JSON report.
        findings=$("$PYTHON" - "$OUT/$slug.json" <<'EOF'
import collections, json, sys
try:
    report = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no JSON report ({e})")
    sys.exit()
codes = collections.Counter(d["code"] for d in report["diagnostics"])
problems = report["summary"].get("problems", [])
kinds = collections.Counter(p["message"].split(":")[0].split(" at ")[0] for p in problems)
print(f'{report["summary"]["files"]} files, {report["summary"]["modules"]} modules; findings: '
      + (", ".join(f"{c} {n}" for c, n in sorted(codes.items())) or "none")
      + f'; problems: {len(problems)}'
      + (" (" + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")" if problems else ""))
for p in problems:
    print(f'    problem: {p["path"]}: {p["message"]}')
EOF
)
        sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
        best=$(echo "$sorted" | head -n1)
        median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
        echo "  $label: best ${best} s, median ${median} s, peak RSS $((rss_max / 1024)) MB, $status"
        echo "  $findings"
        summary_rows+=("| $label | $best | $median | $((rss_max / 1024)) | $status | $(echo "$findings" | head -n1) |")
    done
    [ "$MAX_OTHER_LOAD" != off ] && echo "  (waited ${waited} s for other processes to use at most $MAX_OTHER_LOAD cores)"
    echo
    echo "| folder | best s | median s | peak RSS MB | run | findings |"
    echo "|---|---:|---:|---:|---|---|"
    printf '%s\n' "${summary_rows[@]}"
fi

# --- The bench target: floors and phases ------------------------------------------------------
if [ "${SKIP_BENCH:-0}" != 1 ]; then
    echo
    bench_args=(--runs "$RUNS")
    if [ "$MAX_OTHER_LOAD" != off ]; then
        bench_args+=(--max-other-load "$MAX_OTHER_LOAD" --retries "$RETRIES" --wait-budget "$WAIT_BUDGET")
    fi
    last_notests=0
    for target in "${targets[@]}"; do
        IFS='|' read -r label dir notests <<<"$target"
        if [ "$notests" != "$last_notests" ]; then
            if [ "$notests" = 1 ]; then bench_args+=(--exclude-tests); else bench_args+=(--include-tests); fi
            last_notests=$notests
        fi
        bench_args+=("$dir")
    done
    run cargo bench --bench check -- "${bench_args[@]}" | tee "$OUT/bench.md"
fi
