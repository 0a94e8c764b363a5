#!/usr/bin/env python3
"""Figures for the language server (not a test; numbers for the report).

  python3 server/tests/lsp-bench.py PRODLINT_BIN LARGE_TS_FILE CORPUS_DIR SQL_DIR

1. time from didOpen to the first publishDiagnostics for LARGE_TS_FILE;
2. time from a one-character didChange to its publishDiagnostics (median of 30),
   with debounceMs 0 and with the default debounce (100 ms);
3. RSS of the server after indexing a 2,000-file workspace (1,700 script files
   from CORPUS_DIR + 300 SQL files from SQL_DIR, copied into a temp folder).
"""
import json, os, queue, shutil, statistics, subprocess, sys, tempfile, threading, time


class Server:
    def __init__(self, binary, init_options, folder=None):
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.q = queue.Queue()
        self.logs = []
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        uri = "file://" + folder if folder else None
        caps = {"window": {"workDoneProgress": True},
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
        self.request("initialize", {"processId": os.getpid(), "rootUri": uri, "capabilities": caps, "trace": "verbose",
                                    "initializationOptions": init_options,
                                    "workspaceFolders": [{"uri": uri, "name": "ws"}] if folder else None})
        self.notify("initialized", {})

    def _read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            if msg.get("method") == "window/logMessage":
                self.logs.append(msg["params"]["message"])
            self.q.put((time.perf_counter(), msg))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == i and "method" not in m)[1]

    def wait(self, pred, timeout=60):
        end = time.time() + timeout
        while True:
            t, m = self.q.get(timeout=max(0.01, end - time.time()))
            if pred(m):
                return t, m

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.wait(timeout=10)


def published(uri, version):
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri and m["params"].get("version") == version)


def edit_latency(binary, text, debounce, n=30):
    s = Server(binary, {"debounceMs": debounce})
    uri = "file:///bench/Editor.ts"
    t0 = time.perf_counter()
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}})
    t1, m = s.wait(published(uri, 1))
    first = (t1 - t0) * 1000
    ndiag = len(m["params"]["diagnostics"])
    lines = text.split("\n")
    target = len(lines) // 2
    times = []
    for v in range(2, n + 2):
        # Type one character at the end of a line in the middle, then delete it.
        col = len(lines[target].encode("utf-16-le")) // 2
        if v % 2 == 0:
            change = {"range": {"start": {"line": target, "character": col}, "end": {"line": target, "character": col}}, "text": " "}
        else:
            change = {"range": {"start": {"line": target, "character": col - 1}, "end": {"line": target, "character": col}}, "text": ""}
            lines[target] = lines[target][:-1]
        if v % 2 == 0:
            lines[target] += " "
        t0 = time.perf_counter()
        s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
        t1, _ = s.wait(published(uri, v))
        times.append((t1 - t0) * 1000)
    logs = [l for l in s.logs if l.startswith("linted")]
    s.stop()
    for l in logs[:2] + logs[-2:]:
        print("   server:", l)
    return first, ndiag, statistics.median(times), min(times), max(times)


def workspace_rss(binary, corpus, sqldir):
    tmp = tempfile.mkdtemp(prefix="prodlint-bench-ws")
    scripts, sql = [], []
    for d, _, files in os.walk(corpus):
        for f in files:
            if f.endswith((".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx")) and not f.endswith(".d.ts"):
                scripts.append(os.path.join(d, f))
    for d, _, files in os.walk(sqldir):
        for f in files:
            if f.endswith(".sql"):
                sql.append(os.path.join(d, f))
    scripts.sort(); sql.sort()
    os.makedirs(os.path.join(tmp, "src")); os.makedirs(os.path.join(tmp, "supabase", "migrations"))
    for i, f in enumerate(scripts[:1700]):
        shutil.copy(f, os.path.join(tmp, "src", f"{i:04d}{os.path.splitext(f)[1]}"))
    for i, f in enumerate(sql[:300]):
        shutil.copy(f, os.path.join(tmp, "supabase", "migrations", f"{i:04d}.sql"))
    n = len(scripts[:1700]) + len(sql[:300])
    s = Server(binary, {"debounceMs": 0}, folder=tmp)
    before = s.rss_kib()
    t0 = time.perf_counter()
    t1, m = s.wait(lambda m: m.get("method") == "window/logMessage" and m["params"]["message"].startswith("indexed"), timeout=300)
    time.sleep(0.5)
    after = s.rss_kib()
    s.stop()
    shutil.rmtree(tmp)
    return n, (t1 - t0) * 1000, m["params"]["message"], before, after


def main():
    binary, large, corpus, sqldir = sys.argv[1:5]
    text = open(large, encoding="utf-8").read()
    print(f"large file: {large} ({text.count(chr(10))} lines, {len(text.encode())} bytes)")
    for debounce in (0, 100):
        first, ndiag, med, lo, hi = edit_latency(binary, text, debounce)
        print(f"debounceMs={debounce}: didOpen→first publish {first:.1f} ms ({ndiag} diagnostics); "
              f"1-char didChange→publish median {med:.1f} ms (min {lo:.1f}, max {hi:.1f}, n=30)")
    n, ms, msg, before, after = workspace_rss(binary, corpus, sqldir)
    print(f"workspace of {n} files: indexed in {ms:.0f} ms ({msg}); RSS {before/1024:.1f} MiB at start, "
          f"{after/1024:.1f} MiB after indexing")


if __name__ == "__main__":
    main()
