#!/usr/bin/env python3
"""A stand-in for `modcache order --format json` that tests run.py's comparison logic.

It answers by running CPython under the tracer, so in `echo` mode (the default) every case must
pass; it strips CPython's message suffixes the way modcache's messages leave them out, so the
driver's message normalisation is exercised too. In `perturb` mode it changes one detail of the
answer (chosen from the workspace and entry, so it is deterministic), and every case must fail.
Set the mode with the environment variable FAKE_MODCACHE_MODE.
"""

import argparse
import json
import os
import sys
import zlib

# The harness lives in the repository; keep it free of __pycache__ folders.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (lives beside this file)


def drop_last_module(result):
    if not result["order"]:
        return False
    result["order"].pop()
    return True


def shift_import_line(result):
    for step in result["order"]:
        if "imported_from" in step:
            step["imported_from"]["line"] += 1
            return True
    return False


def swap_first_two(result):
    if len(result["order"]) < 2:
        return False
    result["order"][0], result["order"][1] = result["order"][1], result["order"][0]
    return True


def rename_module(result):
    if not result["order"]:
        return False
    result["order"][-1]["module"] += "_renamed"
    return True


def drop_imported_from(result):
    for step in result["order"]:
        if step.pop("imported_from", None) is not None:
            return True
    return False


def shift_error_line(result):
    if result["outcome"]["status"] != "error" or "line" not in result["outcome"]:
        return False
    result["outcome"]["line"] += 1
    return True


def change_message(result):
    if result["outcome"]["status"] != "error":
        return False
    result["outcome"]["message"] += " (changed)"
    return True


def change_error_type(result):
    if result["outcome"]["status"] != "error":
        return False
    error = result["outcome"]["error"]
    result["outcome"]["error"] = "TypeError" if error == "RuntimeError" else "RuntimeError"
    return True


def flip_status(result):
    if result["outcome"]["status"] == "ok":
        result["outcome"] = {"status": "error", "error": "ImportError", "path": "main.py", "line": 1,
                             "message": "cannot import name 'x' from partially initialized module 'y'"}
    else:
        result["outcome"] = {"status": "ok"}
    return True


PERTURBATIONS = [
    drop_last_module, shift_import_line, swap_first_two, rename_module, drop_imported_from,
    shift_error_line, change_message, change_error_type, flip_status,
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["order"])
    parser.add_argument("--root", default=".")
    parser.add_argument("--format", default="json")
    parser.add_argument("-m", dest="module")
    parser.add_argument("script", nargs="?")
    args = parser.parse_intermixed_args()
    entry = "-m " + args.module if args.module else args.script
    case = run.Case("fake", args.root, entry)
    result, problem = run.run_cpython(sys.executable, case)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    outcome = result["outcome"]
    if "message" in outcome:
        outcome["message"] = run.normalise_message(outcome["message"], args.root)
    if os.environ.get("FAKE_MODCACHE_MODE", "echo") == "perturb":
        start = zlib.crc32(("%s|%s" % (os.path.basename(os.path.abspath(args.root)), entry)).encode())
        for offset in range(len(PERTURBATIONS)):
            if PERTURBATIONS[(start + offset) % len(PERTURBATIONS)](result):
                break
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
