#!/usr/bin/env python3
"""Benchmark of the language server on a large workspace (default: this machine's standard library).

Measures, through the real binary over stdio:
  - the time from `initialized` to the first diagnostics of the opened module, and until the whole
    workspace is indexed and analysed;
  - the latency from `didChange` to the `publishDiagnostics` of the same document version, for
    single-character edits to the module that most modules import at import time, in three kinds:
      comment   typing in a comment: the module's summary keeps its shape (the fast path);
      local     typing in the name of a local variable of a function: the summary changes, but
                not in anything that the module's importers run;
      toplevel  typing in a name bound at the module's top level: the summary changes in what
                every importer's run executes;
    each kind types a character and deletes it again, alternately, at the end of the name or line;
  - the server's peak resident memory (VmHWM).

With --server-log, the server runs with MODCACHE_LOG=1 and the script counts, per kind, how many
edits took the fast path and how many were analysed, and how many runs those analyses simulated.

Usage: python3 scripts/bench_lsp.py [--binary target/release/modcache] [--root DIR] [--edits 1000]
                                    [--kinds comment,local,toplevel] [--server-log FILE]
"""

import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import sysconfig
import threading
import time


class Server:
    def __init__(self, binary, root, log=None):
        env = dict(os.environ)
        if log:
            env["MODCACHE_LOG"] = "1"
        stderr = open(log, "w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=stderr, env=env)
        self.messages = queue.Queue()
        self.backlog = []
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        self.root = root

    def _read(self):
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = stream.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == request_id and "method" not in m)[1]

    def wait(self, predicate, timeout=600):
        for i, (stamp, message) in enumerate(self.backlog):
            if predicate(message):
                del self.backlog[i]
                return stamp, message
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no matching message")
            stamp, message = self.messages.get(timeout=remaining)
            if "method" in message and "id" in message:
                result = [None] if message["method"] == "workspace/configuration" else None
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            if predicate(message):
                return stamp, message
            self.backlog.append((stamp, message))

    def peak_memory_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def most_imported_module(binary, root):
    graph = json.loads(subprocess.run([binary, "graph", "--format", "json", root], capture_output=True, check=True).stdout)
    importers = {}
    for edge in graph["edges"]:
        importers.setdefault(edge["to"], set()).add(edge["from"])
    paths = {node["module"]: node["path"] for node in graph["nodes"]}
    module = max(importers, key=lambda m: len(importers[m]))
    return module, paths[module], len(importers[module])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def local_variable(lines):
    """(line, column after the name) of the first assignment to a plain name inside a function."""
    in_function = False
    for i, line in enumerate(lines):
        if re.match(r"(async\s+)?def\s", line):
            in_function = True
        elif line and not line[0].isspace() and not line.startswith("#"):
            in_function = False
        match = re.match(r"(\s+)([A-Za-z_]\w*)\s*=[^=]", line)
        if in_function and match:
            return i, utf16_length(match.group(1) + match.group(2))
    return None


def machine_load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Log:
    """What the server's MODCACHE_LOG output says about the edits since the last look."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def since_last(self):
        if not self.path:
            return None
        with open(self.path) as f:
            f.seek(self.offset)
            text = f.read()
            self.offset = f.tell()
        fast = len(re.findall(r"didChange .*: same shape", text))
        analysed = len(re.findall(r"didChange .*analysing again", text))
        simulated = [int(n) for n in re.findall(r"(\d+) runs simulated", text)]
        return fast, analysed, simulated


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/modcache")
    parser.add_argument("--root", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--edits", type=int, default=1000, help="edits of each kind (default 1000)")
    parser.add_argument("--kinds", default="comment,local,toplevel", help="which kinds of edit, in order")
    parser.add_argument("--server-log", help="write the server's stderr here (with MODCACHE_LOG=1) and report what it did")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    kinds = [k for k in args.kinds.split(",") if k]
    module, rel, count = most_imported_module(args.binary, root)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = "?"
    print(f"binary: {args.binary} (repository at {commit or '?'}); {os.cpu_count()} CPUs; load average {machine_load()}")
    print(f"workspace: {root}")
    print(f"edited module: {module} ({rel}), imported by {count} modules at import time")
    path = os.path.join(root, rel)
    uri = "file://" + path
    with open(path, encoding="utf-8") as f:
        text = f.read()

    server = Server(args.binary, root, args.server_log)
    log = Log(args.server_log)
    root_uri = "file://" + root
    server.request("initialize", {"processId": os.getpid(), "rootUri": root_uri,
                                  "workspaceFolders": [{"uri": root_uri, "name": "bench"}],
                                  "capabilities": {"window": {"workDoneProgress": True}}})
    started = time.perf_counter()
    server.notify("initialized", {})
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    first, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    print(f"first diagnostics for the opened module: {1000 * (first - started):.0f} ms after initialized")
    done, _ = server.wait(lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end")
    print(f"workspace indexed: {done - started:.2f} s after initialized")
    # The complete analysis publishes once more for the open document (unless it was the first):
    # the last publication before two quiet seconds marks the end of the analysis.
    analysed = first
    while True:
        try:
            analysed, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=2)
        except (TimeoutError, queue.Empty):
            break
    print(f"workspace analysed: {analysed - started:.2f} s after initialized")
    print(f"memory after the analysis: peak {server.peak_memory_kb() / 1024:.0f} MB so far")
    log.since_last()

    lines = text.split("\n")
    version = 1

    def change(line, character, insert, delete):
        nonlocal version
        version += 1
        edit = {"range": {"start": {"line": line, "character": character},
                          "end": {"line": line, "character": character + delete}}, "text": insert}
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [edit]})
        stamp, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                               and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return 1000 * (stamp - sent)

    def run(label, line, column, count):
        latencies = []
        for i in range(count):
            # Type a character, then delete it.
            latencies.append(change(line, column, "x", 0) if i % 2 == 0 else change(line, column, "", 1))
        report = (f"{label}: {count} edits, median {statistics.median(latencies):.2f} ms, "
                  f"p99 {percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms, mean {statistics.mean(latencies):.2f} ms")
        seen = log.since_last()
        if seen:
            fast, analysed_edits, simulated = seen
            report += (f"; server: {fast} on the fast path, {analysed_edits} analysed"
                       f" ({sum(simulated)} runs simulated in {len(simulated)} analyses)")
        print(report, flush=True)
        return latencies

    everything = []
    for kind in kinds:
        if kind == "comment":
            line = next(i for i, l in enumerate(lines) if l.strip().startswith("#"))
            everything += run("edits in a comment (summary keeps its shape)", line, utf16_length(lines[line]), args.edits)
        elif kind == "local":
            found = local_variable(lines)
            if found is None:
                print("local: no assignment to a local variable in a function; skipped")
                continue
            everything += run("edits in a local variable's name (summary changes, importers unaffected)", *found, args.edits)
        elif kind == "toplevel":
            # A top-level assignment at the end, whose name changes with each keystroke.
            version += 1
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                      "contentChanges": [{"range": {"start": {"line": len(lines), "character": 0},
                                                                                    "end": {"line": len(lines), "character": 0}},
                                                                          "text": "\nBENCH_NAME = 1\n"}]})
            server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version)
            log.since_last()
            lines = (("\n".join(lines)) + "\nBENCH_NAME = 1\n").split("\n")
            line = len(lines) - 2
            everything += run("edits in a top-level name (summary changes what importers run)", line, len("BENCH_NAME"), args.edits)
        else:
            parser.error(f"unknown kind {kind!r}")
    if everything:
        print(f"all {len(everything)} edits: median {statistics.median(everything):.2f} ms, "
              f"p99 {percentile(everything, 99):.2f} ms, max {max(everything):.2f} ms")
    print(f"peak memory: {server.peak_memory_kb() / 1024:.0f} MB")
    print(f"load average at the end: {machine_load()}")
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
