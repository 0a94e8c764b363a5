#!/usr/bin/env python3
"""Latency and memory benchmark of `prodlint lsp` (a JSON-RPC stdio client, stdlib only).

1. open: initialize (UTF-16), didOpen the large file, time to its first publishDiagnostics.
2. edits: N one-character incremental didChange edits (insert a space at the start of a
   varying line, then delete it again), each timed from sending the didChange to the
   publishDiagnostics carrying that document version (end to end, as the editor sees it,
   including any debounce of the server).
3. index: a fresh server with a workspace folder of W corpus files plus the SQL corpus;
   wait for the end of its indexing progress (or 3 s without any message), then read
   VmRSS/VmHWM of the server process from /proc/PID/status.

Prints a human summary on stderr and, with --json, one JSON object on stdout.
Exits non-zero when the server misbehaves (no diagnostics, wrong version, crash, timeout).
"""
import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


class LspError(Exception):
    pass


class Client:
    def __init__(self, argv, cwd, log_path):
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, bufsize=0)
        self.pid = self.proc.pid
        self.next_id = 0
        self.wlock = threading.Lock()
        self.responses = {}
        self.rcond = threading.Condition()
        self.notes = queue.Queue()          # (t, message) for server notifications
        self.last_msg = time.perf_counter()
        self.config = {}
        self.alive = True
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -- transport -------------------------------------------------------------------
    def _send(self, msg):
        body = json.dumps(msg, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.wlock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise LspError(f"server closed its input: {e}")

    def _read(self):
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                if length is None:
                    continue
                body = b""
                while len(body) < length:
                    chunk = out.read(length - len(body))
                    if not chunk:
                        return
                    body += chunk
                t = time.perf_counter()
                self.last_msg = t
                msg = json.loads(body)
                self._dispatch(t, msg)
        finally:
            self.alive = False
            with self.rcond:
                self.rcond.notify_all()
            self.notes.put((time.perf_counter(), None))

    def _dispatch(self, t, msg):
        if "id" in msg and "method" in msg:          # a request from the server
            method, params = msg["method"], msg.get("params")
            result = None
            if method == "workspace/configuration":
                result = [self.config if (it.get("section") in (None, "prodlint")) else None
                          for it in (params or {}).get("items", [])]
            elif method == "workspace/workspaceFolders":
                result = self.folders
            self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            self.notes.put((t, {"method": "$request/" + method, "params": params}))
        elif "id" in msg:                             # a response
            with self.rcond:
                self.responses[msg["id"]] = msg
                self.rcond.notify_all()
        else:                                         # a notification
            self.notes.put((t, msg))

    def request(self, method, params, timeout=60):
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.rcond:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    raise LspError(f"no response to {method} within {timeout}s (server alive: {self.alive})")
                self.rcond.wait(left)
            resp = self.responses.pop(rid)
        if "error" in resp:
            raise LspError(f"{method} failed: {resp['error']}")
        return resp.get("result")

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_note(self, pred, timeout):
        """Next notification satisfying pred (others are dropped); returns (t, msg)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LspError("timed out waiting for the server")
            try:
                t, msg = self.notes.get(timeout=left)
            except queue.Empty:
                raise LspError("timed out waiting for the server")
            if msg is None:
                raise LspError(f"server exited (status {self.proc.poll()})")
            if pred(msg):
                return t, msg

    def initialize(self, root, folders, options=None, trace=None):
        self.folders = folders
        self.config = options or {}
        caps = {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": True},
            "workspace": {"configuration": True, "workspaceFolders": True,
                          "didChangeWatchedFiles": {"dynamicRegistration": True}},
            "textDocument": {
                "synchronization": {"didSave": True, "dynamicRegistration": False},
                "publishDiagnostics": {"versionSupport": True, "relatedInformation": True,
                                       "codeDescriptionSupport": True, "dataSupport": True},
            },
        }
        res = self.request("initialize", {
            "processId": os.getpid(), "clientInfo": {"name": "prodlint-lsp-bench"},
            "rootUri": root, "workspaceFolders": folders, "capabilities": caps,
            "initializationOptions": options or {}, **({"trace": trace} if trace else {})}, timeout=60)
        self.notify("initialized", {})
        return res

    def shutdown(self):
        try:
            if self.alive:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.proc.wait(timeout=10)
        except (LspError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()


def proc_status(pid):
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])        # kB
    except OSError:
        pass
    return out


def is_diag(uri, version=None):
    def pred(msg):
        if msg.get("method") != "textDocument/publishDiagnostics":
            return False
        p = msg.get("params") or {}
        if p.get("uri") != uri:
            return False
        return version is None or p.get("version") in (version, None)
    return pred


def server_stats(timings):
    """Medians of the server's own times for the edits' lints (incremental parses only)."""
    inc = [t for t in timings if t[1]]
    if not inc:
        return None
    return {"n": len(inc), "parse_ms": stats([t[0] for t in inc]), "engine_ms": stats([t[2] for t in inc]),
            "total_ms": stats([t[0] + t[2] for t in inc])}


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def debounce_from_help(binary):
    try:
        h = subprocess.run([binary, "lsp", "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = h.stdout + h.stderr
    # the option's whole help paragraph (clap wraps it over several lines)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "debounce" in line.lower():
            block = [line.strip()]
            for nxt in lines[i + 1:]:
                if not nxt.strip() or nxt.lstrip().startswith("-"):
                    break
                block.append(nxt.strip())
            return " ".join(block)
    return None


def debounce_ms_from_help(text):
    m = re.search(r"\[default: (\d+)\]", text or "")
    return int(m.group(1)) if m else None


LINTED = re.compile(r"parse ([0-9.]+) ms \((incremental|full)\), engine ([0-9.]+) ms")


def bench_edits(binary, large, n_edits, timeout, logdir, extra_args=(), tag="edits", server_times=False):
    """With server_times, the server is started with `trace: "verbose"` and its own
    parse and engine times of each lint (from its log messages) are collected too."""
    ws = Path(tempfile.mkdtemp(prefix="prodlint-lsp-large-"))
    try:
        (ws / "src").mkdir()
        target = ws / "src" / Path(large).name
        shutil.copyfile(large, target)
        text = target.read_text(encoding="utf-8")
        lines = text.split("\n")
        uri = target.as_uri()
        c = Client([binary, "lsp", *extra_args], cwd=str(ws), log_path=os.path.join(logdir, f"lsp-{tag}.stderr"))
        try:
            init = c.initialize(ws.as_uri(), [{"uri": ws.as_uri(), "name": ws.name}],
                                trace="verbose" if server_times else None)
            timings = []          # (parse ms, incremental, engine ms) of each lint, in order

            def diag_or_log(uri, version):
                inner = is_diag(uri, version)

                def pred(msg):
                    if msg.get("method") == "window/logMessage":
                        m = LINTED.search((msg.get("params") or {}).get("message", ""))
                        if m:
                            timings.append((float(m.group(1)), m.group(2) == "incremental", float(m.group(3))))
                        return False
                    return inner(msg)
                return pred
            caps = (init or {}).get("capabilities", {})
            enc = caps.get("positionEncoding", "utf-16")
            sync = caps.get("textDocumentSync")
            sync_kind = sync.get("change") if isinstance(sync, dict) else sync
            t0 = time.perf_counter()
            c.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "typescript", "version": 1, "text": text}})
            t1, msg = c.wait_note(diag_or_log(uri, 1), timeout)
            n_open_timings = len(timings)
            open_ms = (t1 - t0) * 1000
            open_diags = len(msg["params"].get("diagnostics", []))
            version = 1
            lat, counts = [], []
            unversioned = 0
            # Lines that start with code or whitespace: a leading space keeps the file valid.
            candidates = [i for i, l in enumerate(lines) if l.strip() and not l.lstrip().startswith(("*", "/*"))]
            for k in range(n_edits):
                line = candidates[(k // 2 * 7919) % len(candidates)]
                pos = {"line": line, "character": 0}
                if k % 2 == 0:
                    change = {"range": {"start": pos, "end": pos}, "rangeLength": 0, "text": " "}
                else:
                    end = {"line": line, "character": 1}
                    change = {"range": {"start": pos, "end": end}, "rangeLength": 1, "text": ""}
                version += 1
                ts = time.perf_counter()
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                    "contentChanges": [change]})
                t2, msg = c.wait_note(diag_or_log(uri, version), timeout)
                if msg["params"].get("version") is None:
                    unversioned += 1
                lat.append((t2 - ts) * 1000)
                counts.append(len(msg["params"].get("diagnostics", [])))
            mem = proc_status(c.pid)
        finally:
            c.shutdown()
        return {"server_args": list(extra_args), "file": str(large), "lines": len(lines), "bytes": len(text.encode()),
                "position_encoding": enc, "text_sync": sync_kind,
                "open_ms": open_ms, "open_diagnostics": open_diags,
                "edits": stats(lat), "edit_samples_ms": lat,
                "diagnostics_after_edits": counts[-1] if counts else None,
                "unversioned_publishes": unversioned, "memory_kb": mem,
                **({"server": server_stats(timings[n_open_timings:])} if server_times else {})}
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def bench_index(binary, corpus, sql, n_files, quiet_s, timeout, logdir):
    ws = Path(tempfile.mkdtemp(prefix="prodlint-lsp-ws-"))
    try:
        files = sorted(p for p in Path(corpus).rglob("*") if p.is_file() and p.suffix in (".ts", ".tsx"))
        # an evenly spread, deterministic choice of n_files files
        step = max(1, len(files) // n_files)
        chosen = files[::step][:n_files]
        nbytes = 0
        for p in chosen:
            dst = ws / "src" / p.relative_to(corpus)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dst)
            nbytes += p.stat().st_size
        n_sql = 0
        if sql:
            for p in sorted(Path(sql).rglob("*.sql")):
                dst = ws / p.relative_to(sql)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, dst)
                nbytes += p.stat().st_size
                n_sql += 1
        subprocess.run(["git", "init", "-q", str(ws)], check=False)
        c = Client([binary, "lsp"], cwd=str(ws), log_path=os.path.join(logdir, "lsp-index.stderr"))
        try:
            t0 = time.perf_counter()
            c.initialize(ws.as_uri(), [{"uri": ws.as_uri(), "name": ws.name}])
            begun, ended, titles = {}, None, []
            how = "quiet"
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    t, msg = c.notes.get(timeout=0.1)
                except queue.Empty:
                    if time.perf_counter() - c.last_msg >= quiet_s and not begun:
                        break
                    continue
                if msg is None:
                    raise LspError(f"server exited (status {c.proc.poll()})")
                if msg.get("method") == "$/progress":
                    p = msg["params"]
                    v = p.get("value", {})
                    tok = json.dumps(p.get("token"))
                    if v.get("kind") == "begin":
                        begun[tok] = v.get("title", "")
                        titles.append(v.get("title", ""))
                    elif v.get("kind") == "end" and tok in begun:
                        title = begun.pop(tok)
                        ended = t
                        if not begun:
                            how = f"progress end ({title})"
                            break
            else:
                how = "timeout"
            t_end = ended if ended is not None else c.last_msg
            mem = proc_status(c.pid)
        finally:
            c.shutdown()
        return {"ts_files": len(chosen), "sql_files": n_sql, "bytes": nbytes,
                "index_s": t_end - t0, "finished_by": how, "progress_titles": titles, "memory_kb": mem}
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get("PRODLINT_BIN", "target/release/prodlint"))
    ap.add_argument("--large", required=True, help="the large TypeScript file")
    ap.add_argument("--corpus", help="TypeScript corpus to take the workspace files from")
    ap.add_argument("--sql", help="SQL corpus to add to the workspace")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--workspace-files", type=int, default=2000)
    ap.add_argument("--quiet-seconds", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--logdir", default=tempfile.gettempdir())
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    ap.add_argument("--zero-debounce", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure the edits with `--debounce-ms 0` (the engine's own latency)")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    help_text = debounce_from_help(binary)
    result = {"debounce": help_text, "debounce_ms": debounce_ms_from_help(help_text)}
    ok = True
    runs = [("edits", [])]
    if a.zero_debounce and help_text and "--debounce-ms" in help_text:
        runs.append(("edits_nodebounce", ["--debounce-ms", "0"]))
    for key, extra in runs:
        try:
            e = bench_edits(binary, a.large, a.edits, a.timeout, a.logdir, extra, key,
                            server_times=(key == "edits_nodebounce"))
            result[key] = e
            label = " ".join(["prodlint lsp", *extra])
            print(f"[{label}] open {Path(a.large).name} ({e['lines']} lines): first diagnostics "
                  f"{e['open_ms']:.1f} ms ({e['open_diagnostics']} diagnostics)", file=sys.stderr)
            s = e["edits"]
            print(f"[{label}] didChange->publishDiagnostics over {s['n']} edits: median {s['median']:.1f} ms, "
                  f"min {s['min']:.1f}, max {s['max']:.1f}", file=sys.stderr)
            if e.get("server"):
                v = e["server"]
                print(f"[{label}] the server's own time per edit (median of {v['n']}): incremental parse "
                      f"{v['parse_ms']['median']:.2f} ms + engine {v['engine_ms']['median']:.2f} ms "
                      f"= {v['total_ms']['median']:.2f} ms", file=sys.stderr)
        except LspError as err:
            ok = False
            result[key + "_error"] = str(err)
            print(f"lsp {key}: FAILED: {err}", file=sys.stderr)
    if a.corpus:
        try:
            i = bench_index(binary, a.corpus, a.sql, a.workspace_files, a.quiet_seconds, a.timeout, a.logdir)
            result["index"] = i
            m = i["memory_kb"]
            print(f"lsp workspace {i['ts_files']} ts + {i['sql_files']} sql files: indexed in {i['index_s']:.2f} s "
                  f"({i['finished_by']}), VmRSS {m.get('VmRSS', 0) / 1024:.1f} MiB, "
                  f"VmHWM {m.get('VmHWM', 0) / 1024:.1f} MiB", file=sys.stderr)
        except LspError as err:
            ok = False
            result["index_error"] = str(err)
            print(f"lsp index: FAILED: {err}", file=sys.stderr)
    if result["debounce"]:
        print(f"lsp --help on debounce: {result['debounce']}", file=sys.stderr)
    if a.json:
        print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
