#!/usr/bin/env python3
"""Benchmark of the language server on a large workspace (default: this machine's standard library).

Measures, through the real binary over stdio:
  - the time from `initialized` to the first diagnostics of an opened module;
  - the time until the whole workspace is indexed and analysed;
  - the latency from `didChange` to the matching `publishDiagnostics` for 1,000 single-character
    edits to a module that many modules import: edits that keep the module's summary (typing in a
    comment), and edits that change it (typing in a name of the module's top level);
  - the server's peak resident memory (VmHWM).

Usage: python3 scripts/bench_lsp.py [--binary target/release/modcache] [--root DIR] [--edits 1000]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import threading
import queue
import time


class Server:
    def __init__(self, binary, root, log=None):
        stderr = open(log, "w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/modcache")
    parser.add_argument("--root", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--server-log", help="write the server's stderr (MODCACHE_LOG=1 for details) here")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    module, rel, count = most_imported_module(args.binary, root)
    print(f"workspace: {root}")
    print(f"edited module: {module} ({rel}), imported by {count} modules at import time")
    path = os.path.join(root, rel)
    uri = "file://" + path
    with open(path, encoding="utf-8") as f:
        text = f.read()

    server = Server(args.binary, root, args.server_log)
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

    lines = text.split("\n")
    comment_line = next(i for i, line in enumerate(lines) if line.strip().startswith("#"))
    version = 1

    def edit_at(line, character, insert, delete):
        nonlocal version
        version += 1
        change = {"range": {"start": {"line": line, "character": character},
                            "end": {"line": line, "character": character + delete}}, "text": insert}
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        stamp, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                               and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return 1000 * (stamp - sent)

    def run(label, line, count):
        column = len(lines[line].encode("utf-16-le")) // 2
        latencies = []
        for i in range(count):
            # Type a character, then delete it, at the end of the line.
            if i % 2 == 0:
                latencies.append(edit_at(line, column, "x", 0))
            else:
                latencies.append(edit_at(line, column, "", 1))
        print(f"{label}: {count} edits, median {statistics.median(latencies):.2f} ms, "
              f"p99 {percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms")

    run("edits in a comment (summary unchanged)", comment_line, args.edits)
    # A top-level assignment whose name changes with each keystroke: the summary changes.
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version + 1},
                                              "contentChanges": [{"range": {"start": {"line": len(lines), "character": 0},
                                                                            "end": {"line": len(lines), "character": 0}},
                                                                  "text": "\nBENCH_NAME = 1\n"}]})
    version += 1
    server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version)
    lines = (text + "\nBENCH_NAME = 1\n").split("\n")
    name_line = len(lines) - 2
    saved = lines[name_line]
    lines[name_line] = "BENCH_NAME"
    run("edits in a top-level name (summary changes)", name_line, max(20, args.edits // 50))
    lines[name_line] = saved
    print(f"peak memory: {server.peak_memory_kb() / 1024:.0f} MB")
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
