"""Compare modcache's verdict on which files compile with what an interpreter says, file by file.

CPython compiles a whole file before it runs any of it, so whether a file compiles on the
modelled version decides whether its import raises SyntaxError. This script compiles every
`.py` file of a folder with one interpreter (`compile()`, as the import system does) and runs
`modcache check` on the same folder with that interpreter's version as `python-version`. A file
agrees when both say it compiles, or both say it does not and, for syntax of a newer Python,
modcache names CPython's line and message. For a file that tree-sitter cannot parse at all only
the verdict is compared: modcache reports such files with CPython's most common message.

    python3 tests/oracle/compiles.py --modcache target/release/modcache \\
        --python /root/.pyenv/versions/3.8.18/bin/python3 /root/.pyenv/versions/3.13.0/lib/python3.13

A newer standard library compiled by an older interpreter is a good corpus: it uses every
feature of its own version. Errors that the compiler finds after parsing (symbol tables,
`from __future__` placement, encodings, tokenizer errors past the first newer syntax) are outside
the model and show as disagreements; the last lines print them all.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (lives beside this file)

COMPILE_ALL = r"""
import json, os, sys, warnings
warnings.simplefilter("ignore")
root, out = sys.argv[1], {}
for folder, dirs, files in os.walk(root):
    dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
    for name in files:
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        try:
            with open(path, "rb") as handle:
                compile(handle.read(), name, "exec", dont_inherit=True)
            out[rel] = None
        except SyntaxError as error:
            out[rel] = [error.lineno, str(error)]
        except Exception as error:
            out[rel] = [None, "%s: %s" % (type(error).__name__, error)]
json.dump(out, sys.stdout)
"""

NEWER = re.compile(r"unsupported syntax at line (\d+): .* the modelled version is [\d.]+: importing the file raises SyntaxError \((.*)\)$")
UNPARSED = re.compile(r"syntax error at line (\d+)")


def cpython_verdicts(python, folder):
    completed = subprocess.run([python, "-c", COMPILE_ALL, folder], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def modcache_verdicts(binary, folder, version):
    with tempfile.TemporaryDirectory(prefix="modcache-compiles-") as scratch:
        config = os.path.join(scratch, "modcache.toml")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write('python-version = "%s"\n' % version)
        completed = subprocess.run(
            [binary, "check", "--format", "json", "--exit-zero", "--no-progress", "--config", config, folder],
            capture_output=True,
            text=True,
        )
    report = json.loads(completed.stdout)
    verdicts = {}
    for problem in report["summary"]["problems"]:
        newer = NEWER.match(problem["message"])
        unparsed = UNPARSED.match(problem["message"])
        if newer:
            verdicts[problem["path"]] = ("newer syntax", int(newer.group(1)), newer.group(2))
        elif unparsed:
            verdicts[problem["path"]] = ("parse error", int(unparsed.group(1)), None)
        else:
            verdicts[problem["path"]] = ("unreadable", None, problem["message"])
    return verdicts


def agrees(cpython, modcache):
    if cpython is None or modcache is None:
        return cpython is None and modcache is None
    kind, line, message = modcache
    if kind != "newer syntax":
        return True
    return cpython[0] == line and cpython[1].startswith(message + " (")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modcache", required=True, help="the modcache binary")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that compiles (default: this one)")
    parser.add_argument("folder", help="a folder of Python files, such as a standard library")
    args = parser.parse_args()
    folder = os.path.abspath(args.folder)
    version = "%d.%d" % run.interpreter_info(args.python)[0]
    expected = cpython_verdicts(args.python, folder)
    found = modcache_verdicts(os.path.abspath(args.modcache), folder, version)
    disagreements = [(path, expected[path], found.get(path)) for path in sorted(expected) if not agrees(expected[path], found.get(path))]
    failing = sum(1 for verdict in expected.values() if verdict is not None)
    print("Python %s (%s) on %s: %d files, %d do not compile" % (version, args.python, folder, len(expected), failing))
    for path, cpython, modcache in disagreements:
        print("%s\n  CPython:  %s\n  modcache: %s" % (path, cpython or "compiles", modcache or "compiles"))
    print("%d of %d files agree" % (len(expected) - len(disagreements), len(expected)))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
