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
    python3 tests/oracle/run.py --modcache BIN --python /path/to/python3.13 --random 100
    python3 tests/oracle/run.py --modcache BIN --every-python --random 100

With --python, that interpreter is the oracle and modcache models it too (it asks the `python3`
first on PATH, which the harness points at the oracle's folder). Generated projects then use only
syntax that version parses. Fixtures run on every version: a fixture with newer syntax (`match`,
`except*`, type parameters) expects the SyntaxError that an older version raises.

The last line printed is `N passed, M failed`; the exit status is 1 when anything failed.
"""

import argparse
import concurrent.futures
import difflib
import glob
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


# Set for both CPython and modcache, so that fixtures can test a variable that is set
# (fixtures/order/environment_variables).
ORACLE_ENVIRONMENT = {"MODCACHE_ORACLE_FLAG": "yes"}


def run_cpython(python, case):
    """Run the entry under the tracer; return (trace, problem)."""
    with tempfile.TemporaryDirectory(prefix="modcache-trace-") as scratch:
        out = os.path.join(scratch, "trace.json")
        env = dict(os.environ)
        # These would change sys.path or what runs before the entry, so the run would no
        # longer be the plain `python ENTRY` that modcache models.
        for name in ("PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONHOME", "PYTHONNOUSERSITE"):
            env.pop(name, None)
        env.update(ORACLE_ENVIRONMENT)
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
    env.update(ORACLE_ENVIRONMENT)
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


def normalise_message(message, root):
    """The message without the hints above. CPython 3.13 names a module's file in some
    AttributeError messages by its absolute path, which modcache gives relative to the
    workspace."""
    message = LOCATION_SUFFIX.sub("", (message or "").replace(CIRCULAR_HINT, ""))
    for folder in sorted({os.path.abspath(root), os.path.realpath(root)}, key=len, reverse=True):
        message = message.replace("'%s%s" % (folder, os.sep), "'")
    return message


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


def outcome_lines(result, root):
    outcome = result.get("outcome") or {}
    if outcome.get("status") != "error":
        return ["status: %s" % outcome.get("status")]
    return [
        "status: error",
        "error: %s" % outcome.get("error"),
        "at: %s:%s" % (outcome.get("path"), outcome.get("line")),
        "message: %s" % normalise_message(outcome.get("message"), root),
    ]


def compare(expected, actual, root):
    """Return the readable differences between CPython's result and modcache's."""
    problems = []
    outcome = lambda result: outcome_lines(result, root)  # noqa: E731
    for what, render in (("order", order_lines), ("outcome", outcome)):
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
    result.problems.extend(compare(result.cpython, result.modcache, case.root))
    return result


def interpreter_info(python):
    """The (major, minor) version of an interpreter, and its own path (not a shim's)."""
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2], sys.executable)"],
                         capture_output=True, text=True, check=True).stdout
    major, minor, executable = out.rstrip("\n").split(" ", 2)
    return (int(major), int(minor)), executable


def extension_origin(python, name):
    """The file of the oracle interpreter's own extension module `name`: an extension is built
    for one interpreter version, whose suffix (`.cpython-311-…so`) no other version loads."""
    return subprocess.run(
        [python, "-c", "import importlib.util, sys; print(importlib.util.find_spec(sys.argv[1]).origin)", name],
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def read_oracle_toml(case_dir):
    oracle_toml = os.path.join(case_dir, "oracle.toml")
    if not os.path.isfile(oracle_toml):
        return {}
    with open(oracle_toml, "rb") as handle:
        return tomllib.load(handle)


def materialise_extensions(case_dir, oracle, scratch, python):
    """A fixture with an oracle.toml gets compiled extension modules, which cannot be committed
    (they belong to one interpreter build), in a copy of the fixture. Returns the folder to run
    in.

    - `[extensions] "pkg/_json" = "_json"` copies the oracle interpreter's own `_json` extension
      to pkg/_json<suffix>. CPython calls the copy's PyInit__json, so it imports as `pkg._json`.
    - `[built-extensions] "pkg/fast" = "fast.c"` compiles the fixture's C source `fast.c`
      against the oracle interpreter's headers into pkg/fast<suffix>. It needs a C compiler
      (`cc`, which the Rust build needs too) and the Python headers, which pyenv's
      interpreters have."""
    copied = oracle.get("extensions", {})
    built = oracle.get("built-extensions", {})
    if not copied and not built:
        return case_dir
    copy = os.path.join(scratch, "fixture_" + os.path.basename(case_dir))
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(case_dir, copy)
    for target, source in sorted(copied.items()):
        origin = extension_origin(python, source)
        suffix = os.path.basename(origin)[len(source):]
        shutil.copyfile(origin, os.path.join(copy, target + suffix))
    if built:
        query = "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))"
        include, suffix = subprocess.run(
            [python, "-c", query], capture_output=True, text=True, check=True,
        ).stdout.splitlines()[:2]
        for target, source in sorted(built.items()):
            command = ["cc", "-shared", "-fPIC", "-I", include, "-o", os.path.join(copy, target + suffix),
                       os.path.join(copy, source)]
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode != 0:
                raise RuntimeError("cannot build %s for %s: %s\n%s" % (target, python, " ".join(command), completed.stderr))
    return copy


def fixture_cases(directory, scratch, python):
    cases = []
    for name in sorted(os.listdir(directory)):
        case_dir = os.path.join(directory, name)
        if os.path.isfile(os.path.join(case_dir, "modcache.toml")):
            root = materialise_extensions(case_dir, read_oracle_toml(case_dir), scratch, python)
            for entry in read_entries(case_dir):
                cases.append(Case("fixture %s" % name, root, entry))
    return cases


def random_cases(seeds, base_dir, version):
    cases = []
    for seed in seeds:
        project = generate.generate(seed, version)
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
    parser.add_argument("--every-python", action="store_true",
                        help="run everything once with each CPython 3.8-3.13 found (python3.X on PATH, pyenv's versions)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel runs")
    parser.add_argument("--verbose", action="store_true", help="also list passing random projects")
    args = parser.parse_args(argv)
    if not args.cpython_only and not args.modcache:
        parser.error("--modcache BINARY is required unless --cpython-only is given")
    if args.modcache:
        args.modcache = os.path.abspath(args.modcache)
    return args


def find_pythons():
    """One interpreter for each CPython 3.8–3.13 that this machine has: `python3.X` on PATH, and
    pyenv's versions (whose shims answer only for the versions pyenv has enabled)."""
    candidates = [shutil.which("python3.%d" % minor) for minor in range(8, 14)]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")))
    found = {}
    for candidate in filter(None, candidates):
        try:
            version, executable = interpreter_info(candidate)
        except (OSError, subprocess.CalledProcessError):
            continue
        if (3, 8) <= version <= (3, 13) and version not in found:
            # The interpreter's own path, not a shim's: modcache asks the `python3` beside it.
            found[version] = executable
    return [found[version] for version in sorted(found)]


def main(argv=None):
    args = parse_args(argv)
    seeds = list(args.seed)
    if args.random and not args.seed:
        fresh = int.from_bytes(os.urandom(4), "big")
        print("fresh seed: %d" % fresh, flush=True)
        seeds = [FIXED_SEED_BASE + index for index in range(args.random)] + [fresh]
    if not args.every_python:
        passed, failed = run_with(args, seeds)
        return 1 if failed else 0
    pythons = find_pythons()
    print("interpreters: %s" % ", ".join(pythons), flush=True)
    totals = []
    for python in pythons:
        passed, failed = run_with(argparse.Namespace(**{**vars(args), "python": python}), seeds)
        totals.append((python, passed, failed))
    print()
    for python, passed, failed in totals:
        print("%s: %d passed, %d failed" % (python, passed, failed))
    failed = sum(t[2] for t in totals)
    print("%d passed, %d failed" % (sum(t[1] for t in totals), failed))
    return 1 if failed or not pythons else 0


def run_with(args, seeds):
    """Checks the fixtures and `seeds` with `args.python` as the oracle; prints every result and
    returns (passed, failed)."""
    started = time.monotonic()
    cases = []
    version, _ = interpreter_info(args.python)
    print("oracle: %s (Python %d.%d)" % (args.python, *version), flush=True)
    with tempfile.TemporaryDirectory(prefix="modcache-oracle-") as scratch:
        base_dir = os.path.abspath(args.keep) if args.keep else scratch
        if args.fixtures or not args.seed:
            cases.extend(fixture_cases(args.fixtures or DEFAULT_FIXTURES, base_dir, args.python))
        cases.extend(random_cases(seeds, base_dir, version))
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda case: check(case, args), cases))

    for result in results:
        report(result, args)
    passed = sum(result.passed for result in results)
    failed = len(results) - passed
    print("(%d runs in %.1fs)" % (len(results), time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
