"""Compare `modcache order` with CPython on the packages installed in this interpreter.

The generated projects and the fixtures hold the constructs someone thought of; real packages
hold the rest. For each top-level package or module in this interpreter's site-packages, copy it
into a scratch workspace beside a `main.py` that imports it, and let tests/oracle/run.py check
that workspace like a fixture: CPython with the import tracer, then `modcache order`. The copy is
first-party in that workspace, so every module of the package is compared; what it imports
from elsewhere is third party to both.

    python3 tests/oracle/installed.py --modcache target/release/modcache
    python3 tests/oracle/installed.py --modcache BIN --packages requests,mpmath --keep /tmp/real

To compare more packages without changing this interpreter's own site-packages (which the
benchmarks read), install them in a virtual environment and run this script with its Python,
with the environment first on PATH so that modcache asks the same interpreter:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install django hypothesis ...
    PATH=/tmp/venv/bin:$PATH /tmp/venv/bin/python tests/oracle/installed.py --modcache BIN

The harness itself needs Python 3.11 or later (tomllib). For an older interpreter, run it with
python3 and pass the older environment's packages and Python; the oracle then puts that Python
first on PATH for modcache too:

    python3.8 -m venv /tmp/venv38 && /tmp/venv38/bin/pip install requests ...
    python3 tests/oracle/installed.py --modcache BIN \
        --site /tmp/venv38/lib/python3.8/site-packages --python /tmp/venv38/bin/python

Which packages exist depends on the machine, so this is a tool for finding disagreements, not a
test of the suite; a disagreement found here becomes a fixture under fixtures/order.
"""

import argparse
import os
import shutil
import sys
import sysconfig
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (lives beside this file)


def installed_packages(site):
    """Top-level importable names in `site`: packages with an `__init__.py` and plain modules,
    without private names, tests and metadata."""
    names = []
    for entry in sorted(os.listdir(site)):
        path = os.path.join(site, entry)
        if entry.startswith(("_", ".")) or entry in ("test", "tests"):
            continue
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "__init__.py")):
            names.append(entry)
        elif entry.endswith(".py") and entry[:-3].isidentifier() and entry[:-3] not in names:
            # A package beats a module of the same name, as in CPython's finder.
            names.append(entry[:-3])
    return names


def compiled_by_mypyc(site, name):
    """Whether package `name` holds modules that mypyc compiled. Each such extension is a shim
    that loads the group library (`<hash>__mypyc.<tag>.so`) at the top of site-packages, and the
    group library imports the package's modules from where it lies, not from a copy: a copied
    package would load its compiled modules' imports from site-packages, which no workspace
    models. (A package built by mypyc in place, with its group library, agrees with CPython.)"""
    folder = os.path.join(site, name)
    if not os.path.isdir(folder):
        return False
    for directory, _, files in os.walk(folder):
        for file in files:
            if file.endswith((".so", ".pyd")):
                with open(os.path.join(directory, file), "rb") as handle:
                    if b"__mypyc" in handle.read():
                        return True
    return False


def build_workspace(site, name, directory):
    """Copies package or module `name` into `directory` beside a main.py that imports it."""
    os.makedirs(directory)
    source = os.path.join(site, name)
    if os.path.isdir(source):
        shutil.copytree(source, os.path.join(directory, name), ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copyfile(source + ".py", os.path.join(directory, name + ".py"))
    with open(os.path.join(directory, "main.py"), "w") as handle:
        handle.write("import %s\n" % name)
    with open(os.path.join(directory, "modcache.toml"), "w") as handle:
        handle.write('entries = ["main.py"]\n')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modcache", metavar="BINARY", required=True, help="the modcache binary to check")
    parser.add_argument("--site", default=sysconfig.get_paths()["purelib"], help="the folder to take packages from")
    parser.add_argument("--packages", help="comma-separated names (default: every package in --site)")
    parser.add_argument("--keep", metavar="DIR", help="build the workspaces under DIR and keep them")
    args, rest = parser.parse_known_args(argv)
    names = args.packages.split(",") if args.packages else installed_packages(args.site)
    skipped = [name for name in names if compiled_by_mypyc(args.site, name)]
    for name in skipped:
        print("skip %s: compiled by mypyc, whose copy would load its modules from site-packages" % name)
    names = [name for name in names if name not in skipped]
    with tempfile.TemporaryDirectory(prefix="modcache-installed-") as scratch:
        base = os.path.abspath(args.keep) if args.keep else scratch
        if args.keep:
            shutil.rmtree(base, ignore_errors=True)
        for name in names:
            build_workspace(args.site, name, os.path.join(base, name))
        print("%d packages from %s" % (len(names), args.site), flush=True)
        return run.main(["--modcache", args.modcache, "--fixtures", base] + rest)


if __name__ == "__main__":
    sys.exit(main())
