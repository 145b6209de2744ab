"""Compare what modcache says of broken files with what an interpreter says, on files broken the
way an editor breaks them.

Takes files of a folder (by default the interpreter's own standard library), changes one line of
each at random as someone typing would (a character deleted or inserted, a bracket or quote
added, a colon dropped, a line indented or dedented), keeps the files that the interpreter then
refuses to compile, and runs `modcache check` on them with the interpreter's version as
`python-version`. It counts the files whose verdict differs (modcache says the file compiles, or
the other way round), whose line agrees, and whose line, exception class and message all agree.

    python3 tests/oracle/mutations.py --modcache target/release/modcache \\
        --python /root/.pyenv/versions/3.8.18/bin/python3 --seed 3 --count 200

The same seed and folder give the same files. Disagreements are listed with `--show`.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

COMPILE_ALL = r"""
import json, os, sys, warnings
warnings.simplefilter("ignore")
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    if name.endswith(".py"):
        try:
            with open(os.path.join(sys.argv[1], name), "rb") as handle:
                compile(handle.read(), name, "exec", dont_inherit=True)
            out[name] = None
        except SyntaxError as error:
            out[name] = [type(error).__name__, error.lineno, error.msg]
        except Exception:
            out[name] = "other"
print(json.dumps(out))
"""

SKIPPED_FOLDERS = {"site-packages", "__pycache__", "test", "tests", "idlelib", "lib2to3"}

REPORT = re.compile(
    r"modcache: warning: (.*?): (?:"
    r"syntax error at line (\d+)(?:: importing the file raises (\w+) \((.*)\); analysed what could be parsed)?"
    r"|unsupported syntax at line (\d+).*importing the file raises (\w+) \((.*)\)$"
    r"|does not compile at line (\d+).*\((.*)\)$)"
)


def interpreter(python, *args):
    return subprocess.run([python, *args], capture_output=True, text=True, check=True).stdout.strip()


def sources(folder):
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
        found += [os.path.join(parent, name) for name in sorted(files) if name.endswith(".py")]
    return found


def mutate(line, rng):
    """One change a person typing might make to a line, or None when it does not apply."""
    kind = rng.choice(["delete", "open", "close", "quote", "colon", "indent", "dedent", "insert"])
    at = rng.randrange(len(line) + 1)
    if kind == "delete" and line:
        at = min(at, len(line) - 1)
        return kind, line[:at] + line[at + 1:]
    if kind == "open":
        return kind, line[:at] + "(" + line[at:]
    if kind == "close":
        return kind, line[:at] + rng.choice(")]}") + line[at:]
    if kind == "quote":
        return kind, line[:at] + rng.choice("'\"") + line[at:]
    if kind == "colon" and line.rstrip().endswith(":"):
        return kind, line.rstrip()[:-1]
    if kind == "indent" and line.strip():
        return kind, "    " + line
    if kind == "dedent" and line.startswith("  "):
        return kind, line[2:]
    if kind == "insert":
        return kind, line[:at] + rng.choice("x1 .,=:") + line[at:]
    return None


def broken_files(python, folder, seed, count, out):
    """Writes `count` broken files to `out`; the interpreter refuses each."""
    rng = random.Random(seed)
    files = sources(folder)
    check = "import sys\ntry:\n    compile(sys.stdin.read(), 'm.py', 'exec')\nexcept SyntaxError:\n    print('broken')\n"
    made = 0
    while made < count:
        path = rng.choice(files)
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if not 200 <= len(text) <= 60000:
            continue
        lines = text.split("\n")
        index = rng.randrange(len(lines))
        changed = mutate(lines[index], rng)
        if changed is None:
            continue
        kind, lines[index] = changed
        new = "\n".join(lines)
        verdict = subprocess.run([python, "-c", check], input=new, capture_output=True, text=True)
        if verdict.stdout.strip() != "broken":
            continue
        made += 1
        with open(os.path.join(out, "f%03d_%s.py" % (made, kind)), "w", encoding="utf-8") as handle:
            handle.write(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modcache", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--folder", help="where the files come from (default: the interpreter's standard library)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--show", action="store_true", help="list every disagreement")
    parser.add_argument("--keep", action="store_true", help="keep the broken files and print their folder")
    args = parser.parse_args()
    folder = args.folder or interpreter(args.python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
    version = interpreter(args.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])")
    out = tempfile.mkdtemp(prefix="modcache-mutations-")
    try:
        broken_files(args.python, folder, args.seed, args.count, out)
        expected = json.loads(interpreter(args.python, "-c", COMPILE_ALL, out))
        with open(os.path.join(out, "modcache.toml"), "w") as handle:
            handle.write('python-version = "%s"\n' % version)
        completed = subprocess.run([args.modcache, "check", "--exit-zero", "--format", "json", out], capture_output=True, text=True)
    finally:
        if args.keep:
            print("broken files in %s" % out)
        else:
            shutil.rmtree(out, ignore_errors=True)
    reported = {}
    for line in completed.stderr.splitlines():
        match = REPORT.match(line)
        if not match:
            continue
        name = os.path.basename(match.group(1))
        if match.group(2):
            reported[name] = [match.group(3) or "SyntaxError", int(match.group(2)), match.group(4) or "invalid syntax"]
        elif match.group(5):
            reported[name] = [match.group(6), int(match.group(5)), match.group(7)]
        else:
            reported[name] = ["SyntaxError", int(match.group(8)), match.group(9)]
    wrong_verdict = right_line = right_all = 0
    disagreements = []
    for name, cpython in sorted(expected.items()):
        if not isinstance(cpython, list):
            continue
        got = reported.get(name)
        if got is None:
            wrong_verdict += 1
        elif got[1] == cpython[1]:
            right_line += 1
            right_all += got == cpython
        if got != cpython:
            disagreements.append((name, cpython, got))
    total = sum(1 for value in expected.values() if isinstance(value, list))
    print("Python %s, seed %d: %d broken files; modcache says %d compile; line right for %d, line, class and message for %d"
          % (version, args.seed, total, wrong_verdict, right_line, right_all))
    if args.show:
        for name, cpython, got in disagreements:
            print("  %s\n    CPython:  %s\n    modcache: %s" % (name, cpython, got))


if __name__ == "__main__":
    main()
