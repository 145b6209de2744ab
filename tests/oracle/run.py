"""Compare `modcache order` with what real CPython does on the same files.

For every fixture under fixtures/order (and for generated random projects with --random), run
`python ENTRY` with the import tracer loaded and `modcache order --format json ENTRY`, then compare
the load order (module, path, importing file and line) and the outcome (ok, or the error type,
innermost first-party path and line, and message). Expectations are never stored: CPython is
the oracle every time.

    python3 tests/oracle/run.py --modcache target/debug/modcache
    python3 tests/oracle/run.py --modcache BIN --random 300
    python3 tests/oracle/run.py --modcache BIN --seed 1234        # replay one random project
    python3 tests/oracle/run.py --cpython-only --random 5         # show what CPython does

The last line printed is `N passed, M failed`; the exit status is 1 when anything failed.
"""

import argparse
import concurrent.futures
import difflib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TRACER_DIR = os.path.join(HERE, "tracer")
DEFAULT_FIXTURES = os.path.join(REPO, "fixtures", "order")
# Random projects use the seeds FIXED_SEED_BASE .. FIXED_SEED_BASE + N - 1, so the same N always
# checks the same projects, plus one fresh seed per run to keep exploring.
FIXED_SEED_BASE = 1_000_000
TIMEOUT_SECONDS = 20

# The harness lives in the repository; keep it free of __pycache__ folders.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import generate  # noqa: E402  (lives beside this file, not on the default path)

# CPython appends these to some ImportError/AttributeError messages; modcache leaves them out.
CIRCULAR_HINT = " (most likely due to a circular import)"
LOCATION_SUFFIX = re.compile(r" \((?:unknown location|/[^()]*)\)$")


@dataclass
class Case:
    """One workspace and one entry to run it with."""

    label: str
    root: str
    entry: str
    project: "generate.Project | None" = None


@dataclass
class Result:
    case: Case
    cpython: dict | None = None
    modcache: dict | None = None
    problems: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.problems


def entry_argv(entry):
    """`main.py` -> ['main.py']; `-m pkg` -> ['-m', 'pkg']."""
    if entry.startswith("-m "):
        return ["-m", entry[3:].strip()]
    return [entry]


def read_entries(case_dir):
    with open(os.path.join(case_dir, "modcache.toml"), "rb") as handle:
        config = tomllib.load(handle)
    entries = config.get("entries")
    if not isinstance(entries, list) or not entries:
        raise ValueError("%s/modcache.toml has no `entries = [...]`" % case_dir)
    return entries


def run_cpython(python, case):
    """Run the entry under the tracer; return (trace, problem)."""
    with tempfile.TemporaryDirectory(prefix="modcache-trace-") as scratch:
        out = os.path.join(scratch, "trace.json")
        env = dict(os.environ)
        # These would change sys.path or what runs before the entry, so the run would no
        # longer be the plain `python ENTRY` that modcache models.
        for name in ("PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONHOME", "PYTHONNOUSERSITE"):
            env.pop(name, None)
        env.update({
            "PYTHONPATH": TRACER_DIR,
            "PYTHONDONTWRITEBYTECODE": "1",
            "MODCACHE_TRACE_ROOT": os.path.abspath(case.root),
            "MODCACHE_TRACE_OUT": out,
        })
        try:
            completed = subprocess.run(
                [python] + entry_argv(case.entry),
                cwd=case.root, env=env, capture_output=True, text=True,
                timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return None, "CPython timed out after %ds" % TIMEOUT_SECONDS
        if not os.path.exists(out):
            return None, "the tracer wrote nothing (exit %d); stderr:\n%s" % (completed.returncode, completed.stderr)
        with open(out, encoding="utf-8") as handle:
            return json.load(handle), None


def run_modcache(binary, python, case):
    """Run `modcache order` on the case; return (result, problem)."""
    command = [binary, "order", "--root", os.path.abspath(case.root), "--format", "json"] + entry_argv(case.entry)
    # modcache asks `python3` on PATH about the interpreter (version, preloaded modules); putting
    # the oracle's own interpreter first makes both sides model the same Python.
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    try:
        completed = subprocess.run(
            command, cwd=case.root, env=env, capture_output=True, text=True,
            timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None, "modcache timed out after %ds" % TIMEOUT_SECONDS
    except OSError as error:
        return None, "cannot run %s: %s" % (binary, error)
    try:
        return json.loads(completed.stdout), None
    except ValueError:
        return None, "modcache printed no JSON (exit %d)\nstdout:\n%s\nstderr:\n%s" % (
            completed.returncode, completed.stdout, completed.stderr)


def normalise_message(message):
    message = (message or "").replace(CIRCULAR_HINT, "")
    return LOCATION_SUFFIX.sub("", message)


def order_lines(result):
    """One readable, comparable line per executed module."""
    lines = []
    for step in result.get("order") or []:
        line = "%s  %s" % (step.get("module"), step.get("path"))
        source = step.get("imported_from")
        if source:
            line += "  <- %s:%s" % (source.get("path"), source.get("line"))
        lines.append(line)
    return lines


def outcome_lines(result):
    outcome = result.get("outcome") or {}
    if outcome.get("status") != "error":
        return ["status: %s" % outcome.get("status")]
    return [
        "status: error",
        "error: %s" % outcome.get("error"),
        "at: %s:%s" % (outcome.get("path"), outcome.get("line")),
        "message: %s" % normalise_message(outcome.get("message")),
    ]


def compare(expected, actual):
    """Return the readable differences between CPython's result and modcache's."""
    problems = []
    for what, render in (("order", order_lines), ("outcome", outcome_lines)):
        want, got = render(expected), render(actual)
        if want != got:
            diff = difflib.unified_diff(want, got, "CPython " + what, "modcache " + what, lineterm="", n=max(len(want), len(got)))
            problems.append("\n".join(diff))
    return problems


def check(case, args):
    result = Result(case)
    result.cpython, problem = run_cpython(args.python, case)
    if problem:
        result.problems.append(problem)
        return result
    if args.cpython_only:
        return result
    result.modcache, problem = run_modcache(args.modcache, args.python, case)
    if problem:
        result.problems.append(problem)
        return result
    result.problems.extend(compare(result.cpython, result.modcache))
    return result


def materialise_extensions(case_dir, scratch):
    """A fixture with an oracle.toml gets compiled extension modules, which cannot be committed
    (they belong to one interpreter build): `[extensions] "pkg/_json" = "_json"` copies this
    interpreter's own `_json` extension to pkg/_json<suffix> in a copy of the fixture. CPython
    calls the copy's PyInit__json, so it imports as `pkg._json`. Returns the folder to run in."""
    oracle_toml = os.path.join(case_dir, "oracle.toml")
    if not os.path.isfile(oracle_toml):
        return case_dir
    with open(oracle_toml, "rb") as handle:
        extensions = tomllib.load(handle).get("extensions", {})
    copy = os.path.join(scratch, "fixture_" + os.path.basename(case_dir))
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(case_dir, copy)
    for target, source in sorted(extensions.items()):
        origin = importlib.util.find_spec(source).origin
        suffix = os.path.basename(origin)[len(source):]
        shutil.copyfile(origin, os.path.join(copy, target + suffix))
    return copy


def fixture_cases(directory, scratch):
    cases = []
    for name in sorted(os.listdir(directory)):
        case_dir = os.path.join(directory, name)
        if os.path.isfile(os.path.join(case_dir, "modcache.toml")):
            root = materialise_extensions(case_dir, scratch)
            for entry in read_entries(case_dir):
                cases.append(Case("fixture %s" % name, root, entry))
    return cases


def random_cases(seeds, base_dir):
    cases = []
    for seed in seeds:
        project = generate.generate(seed)
        root = os.path.join(base_dir, "seed_%d" % seed)
        # A kept folder from an earlier run may hold files that this project no longer has.
        shutil.rmtree(root, ignore_errors=True)
        project.write(root)
        for entry in project.entries:
            cases.append(Case("random seed %d" % seed, root, entry, project))
    return cases


def dumps(value):
    return json.dumps(value, ensure_ascii=False) if value is not None else "(none)"


def report(result, args):
    case = result.case
    title = "%s [%s]" % (case.label, case.entry)
    if args.cpython_only:
        print("== %s" % title)
        if case.project is not None:
            print(case.project.render(), end="")
        print(dumps(result.cpython) if result.passed else "\n".join(result.problems))
        return
    if result.passed:
        if case.project is None or args.verbose:
            print("ok   %s" % title)
        return
    print("FAIL %s" % title)
    for problem in result.problems:
        print(problem)
    if case.project is not None:
        print("---- project (seed %d) ----" % case.project.seed)
        print(case.project.render(), end="")
        print("---- end of project ----")
        print("replay: python3 tests/oracle/run.py --modcache %s --seed %d" % (args.modcache, case.project.seed))
    else:
        print("workspace: %s" % case.root)
    print("entry: %s" % case.entry)
    print("CPython:  %s" % dumps(result.cpython))
    print("modcache: %s" % dumps(result.modcache))
    print()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modcache", metavar="BINARY", help="the modcache binary to check")
    parser.add_argument("--cpython-only", action="store_true", help="only run CPython and print the traced JSON")
    parser.add_argument("--fixtures", metavar="DIR", help="fixture workspaces (default: fixtures/order)")
    parser.add_argument("--random", type=int, default=0, metavar="N", help="also check N fixed random projects and one fresh one")
    parser.add_argument("--seed", type=int, action="append", default=[], metavar="S",
                        help="check the random project for seed S (repeatable); skips fixtures unless --fixtures is given")
    parser.add_argument("--keep", metavar="DIR", help="write random projects under DIR and keep them")
    parser.add_argument("--python", default=sys.executable, help="the CPython to use as the oracle (default: this one)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel runs")
    parser.add_argument("--verbose", action="store_true", help="also list passing random projects")
    args = parser.parse_args(argv)
    if not args.cpython_only and not args.modcache:
        parser.error("--modcache BINARY is required unless --cpython-only is given")
    if args.modcache:
        args.modcache = os.path.abspath(args.modcache)
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    seeds = list(args.seed)
    if args.random and not args.seed:
        fresh = int.from_bytes(os.urandom(4), "big")
        print("fresh seed: %d" % fresh, flush=True)
        seeds = [FIXED_SEED_BASE + index for index in range(args.random)] + [fresh]

    cases = []
    with tempfile.TemporaryDirectory(prefix="modcache-oracle-") as scratch:
        base_dir = os.path.abspath(args.keep) if args.keep else scratch
        if args.fixtures or not args.seed:
            cases.extend(fixture_cases(args.fixtures or DEFAULT_FIXTURES, base_dir))
        cases.extend(random_cases(seeds, base_dir))
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda case: check(case, args), cases))

    for result in results:
        report(result, args)
    passed = sum(result.passed for result in results)
    failed = len(results) - passed
    print("(%d runs in %.1fs)" % (len(results), time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
