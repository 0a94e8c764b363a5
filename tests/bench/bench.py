#!/usr/bin/env python3
"""The prodlint benchmark: measures, then writes docs/benchmarks.md and prints a summary.

Called by tests/bench/run after it has built the corpora and installed the peers; see
`tests/bench/run --help`. Python 3 standard library only.
"""
import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

PEER_TIMEOUT = 300.0
COMPARABLE_RULES = ("log-request-data", "no-any-cast", "cors-wildcard")
SLOW_SECONDS = 20.0          # a peer whose first run takes longer is "slow": 3 runs instead of 5


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


COMPARABLE = None           # prodlint with the peers' comparable rule set (a Measure)
MAX_LOAD = None             # --max-load: wait for the 1-minute load to fall below this before measuring
MAX_WAIT = 120.0


def wait_for_load():
    if MAX_LOAD is None:
        return
    t0 = time.monotonic()
    while time.monotonic() - t0 < MAX_WAIT:
        try:
            if float(loadavg()[0]) <= MAX_LOAD:
                return
        except ValueError:
            return
        time.sleep(5)
    log(f"    load still above {MAX_LOAD} after {MAX_WAIT:.0f} s; measuring anyway")


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return ["?", "?", "?"]


# ---------------------------------------------------------------------------------------
# running and timing one command
# ---------------------------------------------------------------------------------------
class Run:
    def __init__(self, wall, user, sys_, rss_kb, code, timed_out, out_path, err_path):
        self.wall, self.user, self.sys, self.rss_kb = wall, user, sys_, rss_kb
        self.code, self.timed_out = code, timed_out
        self.out_path, self.err_path = out_path, err_path

    @property
    def cpu(self):
        return None if self.user is None else self.user + self.sys


def run_timed(argv, cwd, workdir, tag, timeout=PEER_TIMEOUT, env=None):
    """Run argv under /usr/bin/time; stdout/stderr go to files in workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    tfile = workdir / f"{tag}.time"
    out_path, err_path = workdir / f"{tag}.stdout", workdir / f"{tag}.stderr"
    if tfile.exists():
        tfile.unlink()
    cmd = ["/usr/bin/time", "-o", str(tfile), "-f", "%e %U %S %M"] + argv
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True, env=env)
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        wall = time.perf_counter() - t0
    user = sys_ = rss = None
    code = p.returncode
    if not timed_out and tfile.exists():
        lines = [l for l in tfile.read_text().splitlines() if l.strip()]
        # /usr/bin/time prefixes "Command exited with non-zero status N" when the status is not 0
        fields = lines[-1].split() if lines else []
        if len(fields) == 4:
            _, u, s, m = fields
            user, sys_, rss = float(u), float(s), int(m)
    return Run(wall, user, sys_, rss, code, timed_out, out_path, err_path)


def summarize(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


class Measure:
    """Repeated runs of one command, with the load average around them. With start=False the
    runs are left to `interleave`, which alternates them with other measurements'."""

    def __init__(self, name, argv, cwd, workdir, runs, ok_codes=(0,), timeout=PEER_TIMEOUT, adaptive=False,
                 warmup=False, env=None, start=True):
        self.name, self.argv, self.cwd, self.workdir = name, argv, cwd, workdir
        self.ok_codes, self.timeout, self.adaptive, self.env = ok_codes, timeout, adaptive, env
        self.planned = runs
        self.runs = []
        self.error = None
        self.timed_out = False
        self.tag = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
        wait_for_load()
        self.load_start = loadavg()
        self.load_end = self.load_start
        log(f"  {name}: {' '.join(shlex.quote(a) for a in argv)}  (cwd {cwd})")
        if warmup:
            w = run_timed(argv, cwd, workdir, self.tag + "-warmup", timeout, env)
            if w.timed_out or w.code not in ok_codes:
                self._fail(w, ok_codes, timeout)
        if start:
            while self.step():
                pass

    def step(self):
        """One more run; False when there is nothing left to do (all runs done, or failed)."""
        if self.error is not None or len(self.runs) >= self.planned:
            return False
        i = len(self.runs)
        r = run_timed(self.argv, self.cwd, self.workdir, f"{self.tag}-{i}", self.timeout, self.env)
        self.load_end = loadavg()
        if r.timed_out:
            self.timed_out = True
            self.error = f"timeout (> {self.timeout:.0f} s)"
            log(f"    {self.name} run {i + 1}: TIMEOUT after {self.timeout:.0f} s")
            return False
        if r.code not in self.ok_codes:
            self._fail(r, self.ok_codes, self.timeout)
            return False
        self.runs.append(r)
        log(f"    {self.name} run {i + 1}/{self.planned}: wall {r.wall:.3f} s, cpu {fmt(r.cpu, 2)} s, "
            f"rss {fmt_mib(r.rss_kb)} MiB, exit {r.code}")
        if self.adaptive and i == 0 and r.wall > SLOW_SECONDS:
            self.planned = min(self.planned, 3)
        return len(self.runs) < self.planned

    def _fail(self, r, ok_codes, timeout):
        if r.timed_out:
            self.timed_out = True
            self.error = f"timeout (> {timeout:.0f} s)"
            return
        tail = r.err_path.read_text(errors="replace").strip().splitlines()[-3:]
        self.error = f"exit {r.code}: {' | '.join(tail)[:300]}"
        log(f"    FAILED: {self.error}")

    @property
    def ok(self):
        return self.error is None and bool(self.runs)

    def stat(self, attr):
        return summarize([getattr(r, attr) for r in self.runs])

    @property
    def last(self):
        return self.runs[-1] if self.runs else None

    def to_json(self):
        return {"name": self.name, "argv": self.argv, "cwd": str(self.cwd), "error": self.error,
                "wall": self.stat("wall"), "cpu": self.stat("cpu"), "rss_kb": self.stat("rss_kb"),
                "load_start": self.load_start, "load_end": self.load_end}


def interleave(measures):
    """Run the measurements' runs in turn (a, b, c, a, b, c, ...), so that a change in the machine's
    speed during the runs (other work starting or stopping) touches each of them alike."""
    pending = list(measures)
    while pending:
        wait_for_load()
        pending = [m for m in pending if m.step()]


def fmt(v, digits=3):
    return "–" if v is None else f"{v:.{digits}f}"


def fmt_mib(kb):
    return "–" if kb is None else f"{kb / 1024:.1f}"


def mmm(s, digits=3, scale=1.0):
    """median (min–max)"""
    if not s:
        return "–"
    return f"{s['median'] * scale:.{digits}f} ({s['min'] * scale:.{digits}f}–{s['max'] * scale:.{digits}f})"


# ---------------------------------------------------------------------------------------
# file counts from each tool's own output
# ---------------------------------------------------------------------------------------
def count_prodlint(run):
    try:
        d = json.loads(run.out_path.read_text())
        s = d.get("summary", {})
        return s.get("files"), len(d.get("diagnostics", [])), None
    except (OSError, ValueError) as e:
        return None, None, f"cannot read JSON: {e}"


def count_squawk(run):
    try:
        return len(json.loads(run.out_path.read_text() or "[]"))
    except (OSError, ValueError):
        return None


def count_oxlint(run):
    try:
        d = json.loads(run.out_path.read_text())
        return d.get("number_of_files"), len(d.get("diagnostics", [])), f"{d.get('number_of_rules')} rules"
    except (OSError, ValueError) as e:
        return None, None, f"cannot read JSON: {e}"


def count_biome(run):
    text = run.out_path.read_text(errors="replace") + run.err_path.read_text(errors="replace")
    m = re.search(r"Checked (\d+) files?", text)
    f = re.search(r"Found (\d+) (?:warnings?|errors?)", text)
    total = 0
    for n, _ in re.findall(r"Found (\d+) (warnings?|errors?|infos?)", text):
        total += int(n)
    return (int(m.group(1)) if m else None), (total if f else 0), None


def count_eslint(run, out_file):
    try:
        d = json.loads(Path(out_file).read_text())
        n = sum(len(f.get("messages", [])) for f in d)
        fatal = sum(1 for f in d for m in f.get("messages", []) if m.get("fatal"))
        return len(d), n, (f"{fatal} parse errors" if fatal else None)
    except (OSError, ValueError) as e:
        return None, None, f"cannot read JSON: {e}"


def count_astgrep(run):
    err = run.err_path.read_text(errors="replace")
    m = re.search(r"scannedFileCount=(\d+)", err)
    n = sum(1 for l in run.out_path.read_text(errors="replace").splitlines() if l.strip())
    return (int(m.group(1)) if m else None), n, None


def count_semgrep(run, out_file):
    try:
        d = json.loads(Path(out_file).read_text())
        scanned = len(d.get("paths", {}).get("scanned", []))
        errs = len(d.get("errors", []))
        return scanned, len(d.get("results", [])), (f"{errs} errors (parse/timeout)" if errs else None)
    except (OSError, ValueError) as e:
        return None, None, f"cannot read JSON: {e}"


# ---------------------------------------------------------------------------------------
# versions and machine
# ---------------------------------------------------------------------------------------
def cmd_out(argv, cwd=None, env=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd,
                           env={**os.environ, **env} if env else None)
        return (p.stdout + p.stderr).strip().splitlines()[0] if (p.stdout + p.stderr).strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    os_name = "?"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "os": os_name, "kernel": platform.release()}


def pkg_version(peers, name):
    try:
        return json.loads((peers / "node_modules" / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


# ---------------------------------------------------------------------------------------
# the benchmark
# ---------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peers", default="", help="comma-separated subset of oxlint,biome,eslint,ast-grep,semgrep")
    ap.add_argument("--no-lsp", action="store_true")
    ap.add_argument("--doc", default=None, help="where to write the Markdown (default: REPO/docs/benchmarks.md)")
    ap.add_argument("--command-line", default="tests/bench/run")
    ap.add_argument("--max-load", type=float, default=None,
                    help="before each measurement, wait (up to 2 min) until the 1-minute load average is below this")
    a = ap.parse_args()
    global MAX_LOAD
    MAX_LOAD = a.max_load

    binary = os.path.abspath(a.bin)
    bench = Path(a.bench_dir).resolve()
    repo = Path(a.repo).resolve()
    corpus = bench / "corpus"
    large = bench / "large" / "Editor.ts"
    sql = bench / "sql"
    peers = bench / "peers"
    venv = bench / "venv"
    work = bench / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    fast_runs = 3 if a.quick else 5
    slow_runs = 3
    started = datetime.now(timezone.utc)
    load_start = loadavg()
    threads = [1, 2]

    corpus_files = sum(1 for p in corpus.rglob("*") if p.is_file() and p.suffix in (".ts", ".tsx"))
    corpus_bytes = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file() and p.suffix in (".ts", ".tsx"))
    manifest = json.loads((sql / "manifest.json").read_text())
    sql_semicolons = sum(p.read_bytes().count(b";") for p in sql.rglob("*.sql"))
    res = {"quick": a.quick, "corpus": {"files": corpus_files, "bytes": corpus_bytes},
           "sql": {**manifest, "semicolons": sql_semicolons}}
    problems = []     # things that make a figure untrustworthy (printed and written)

    # prodlint never descends into build-output folders (dist/, build/, out/, ...), as documented
    # in server/src/cli/walk.rs; the corpus has a few files in such folders.
    build_dirs = {"node_modules", "dist", "build", "out", "coverage", "target", ".next", ".cache", ".turbo",
                  ".vercel", ".svelte-kit", ".output", ".nuxt"}
    in_build_dirs = [str(p.relative_to(corpus)) for p in corpus.rglob("*")
                     if p.is_file() and p.suffix in (".ts", ".tsx")
                     and build_dirs & set(p.relative_to(corpus).parts[:-1])]
    notes = []

    def check_count(label, got, want):
        if label.startswith("prodlint") and "SQL" not in label and in_build_dirs \
                and got == want - len(in_build_dirs):
            note = (f"prodlint skips {len(in_build_dirs)} corpus file(s) in build-output folders by design "
                    f"({', '.join(in_build_dirs[:3])}); the peers lint them")
            if note not in notes:
                notes.append(note)
            return f"{got} (+{len(in_build_dirs)} in build folders)"
        if got != want:
            problems.append(f"{label}: linted {got} files, expected {want}")
            return f"{got} (expected {want}!)"
        return str(got)

    # 1–2. prodlint check, cold, and the parser's limit ------------------------------------
    # For each thread count, three commands run in turn (check, parse-only of the files check
    # parses, parse-only of every file), so that the ratios compare runs taken side by side.
    log(f"[1/6] prodlint check, cold (--no-cache), and debug parse (the parser's limit), "
        f"{fast_runs} runs each, interleaved, per thread count")
    cold, parse, parsep = {}, {}, {}
    for n in threads:
        c = Measure(f"prodlint check --threads {n}",
                    [binary, "check", "--format", "json", "--no-cache", "--threads", str(n), "."],
                    corpus, work, fast_runs, ok_codes=(0, 1), warmup=True, start=False)
        pp = Measure(f"prodlint debug parse --prefiltered --threads {n}",
                     [binary, "debug", "parse", "--prefiltered", "--threads", str(n), "."], corpus, work,
                     fast_runs, warmup=True, start=False)
        pa = Measure(f"prodlint debug parse --threads {n}",
                     [binary, "debug", "parse", "--threads", str(n), "."], corpus, work, fast_runs,
                     warmup=True, start=False)
        interleave([c, pp, pa])
        if c.ok:
            files, diags, _ = count_prodlint(c.last)
            c.files = check_count(f"prodlint check --threads {n}", files, corpus_files)
            c.findings = diags
        for m in (pp, pa):
            if m.ok:
                out = m.last.out_path.read_text()
                fm = re.search(r"files=(\d+) parsed=(\d+)", out)
                m.files = check_count(m.name, int(fm.group(1)) if fm else None, corpus_files)
                m.parsed = int(fm.group(2)) if fm else None
                m.raw = out.strip()
        cold[n], parsep[n], parse[n] = c, pp, pa
    # prodlint with only the rules that match the peers' comparable set (no-console → log-request-data,
    # no-explicit-any → no-any-cast, the CORS pattern → cors-wildcard): the peers' comparable rows are
    # divided by this, their default rows by the all-rules figure.
    global COMPARABLE
    rule_ids = [r["id"] for r in json.loads(subprocess.run([binary, "rules", "--format", "json"],
                                                           capture_output=True, check=True).stdout)]
    off = [x for i in rule_ids if i not in COMPARABLE_RULES for x in ("--rule", f"{i}=off")]
    COMPARABLE = Measure("prodlint check --threads 2 (comparable rules)",
                         [binary, "check", "--format", "json", "--no-cache", "--threads", "2", *off, "."],
                         corpus, work, fast_runs, ok_codes=(0, 1), warmup=True)
    if COMPARABLE.ok:
        files, diags, _ = count_prodlint(COMPARABLE.last)
        COMPARABLE.files = check_count("prodlint check (comparable rules)", files, corpus_files)
        COMPARABLE.findings = diags
    # 3. repeated check with the cache -------------------------------------------------------
    log(f"[3/6] prodlint check, repeated on the unchanged tree with the cache, {fast_runs} runs")
    shutil.rmtree(corpus / ".prodlint_cache", ignore_errors=True)   # the default cache folder: start empty
    before = {p for p in corpus.rglob("*")}
    fill = run_timed([binary, "check", "--format", "json", "--threads", "2", "."], corpus, work, "cache-fill")
    cached = Measure("prodlint check (cache on) --threads 2",
                     [binary, "check", "--format", "json", "--threads", "2", "."], corpus, work, fast_runs,
                     ok_codes=(0, 1))
    if cached.ok:
        files, diags, _ = count_prodlint(cached.last)
        cached.files = check_count("prodlint check (cache)", files, corpus_files)
        cached.findings = diags
        cached.fill_wall = fill.wall
        if cold[2].ok and getattr(cold[2], "findings", None) != diags:
            problems.append(f"cached check reported {diags} findings, cold check {cold[2].findings}")
    new_paths = sorted(p for p in set(corpus.rglob("*")) - before if p.is_file())
    cache_where = (", ".join(f"`{p.relative_to(corpus)}` ({p.stat().st_size / 1e6:.1f} MB)" for p in new_paths[:3])
                   if new_paths else "no new file under the corpus")
    # 6. SQL ----------------------------------------------------------------------------------
    log(f"[4/6] prodlint check over the SQL corpus, {fast_runs} runs")
    sqlm = Measure("prodlint check SQL --threads 2",
                   [binary, "check", "--format", "json", "--no-cache", "--threads", "2", "."], sql, work,
                   fast_runs, ok_codes=(0, 1), warmup=True)
    if sqlm.ok:
        files, diags, _ = count_prodlint(sqlm.last)
        sqlm.files = check_count("prodlint check SQL", files, manifest["files"])
        sqlm.findings = diags
    # squawk (a Rust PostgreSQL migration linter, its default rules) over the same SQL files: the
    # SQL peer row. One process over every file (squawk has no thread option).
    squawk = venv / "bin" / "squawk"
    squawkm = None
    if not a.no_peers and squawk.exists():
        sql_files = sorted(str(p.relative_to(sql)) for p in sql.rglob("*.sql"))
        squawkm = Measure("squawk SQL", [str(squawk), "--reporter", "json", *sql_files], sql, work,
                          fast_runs, ok_codes=(0, 1), warmup=True)
        if squawkm.ok:
            squawkm.files = len(sql_files)
            squawkm.findings = count_squawk(squawkm.last)
    # 4. peers ----------------------------------------------------------------------------------
    bin_ = peers / "node_modules" / ".bin"
    wanted = set(filter(None, a.peers.split(","))) or {"oxlint", "biome", "eslint", "ast-grep", "semgrep"}
    peer_rows = []
    if not a.no_peers:
        log(f"[5/6] peers ({'comparable rules only' if a.quick else 'comparable rules and defaults'})")
        specs = []
        es_out = lambda tag: str(work / f"eslint-{tag}.json")
        sg_out = lambda tag: str(work / f"semgrep-{tag}.json")
        specs.append(("oxlint", "comparable",
                      [str(bin_ / "oxlint"), "-c", str(peers / "oxlintrc.comparable.json"), "--threads", "2",
                       "--format", "json", "."], count_oxlint,
                      "no-console, typescript/no-explicit-any (no custom patterns: no CORS check)"))
        specs.append(("oxlint", "defaults",
                      [str(bin_ / "oxlint"), "--threads", "2", "--format", "json", "."], count_oxlint,
                      "no config: the default `correctness` rules"))
        specs.append(("biome", "comparable",
                      [str(bin_ / "biome"), "lint", f"--config-path={peers / 'biome.comparable.json'}",
                       "--reporter=summary", "--max-diagnostics=none", "."], count_biome,
                      "suspicious/noConsole, suspicious/noExplicitAny (no CORS check); maxSize 1 GiB, VCS off"))
        specs.append(("biome", "defaults",
                      [str(bin_ / "biome"), "lint", f"--config-path={peers / 'biome.defaults.json'}",
                       "--reporter=summary", "--max-diagnostics=none", "."], count_biome,
                      "recommended rules (config only sets includes `**/*.ts(x)`, maxSize 1 GiB, formatter off)"))
        specs.append(("eslint", "comparable",
                      [str(bin_ / "eslint"), "-c", str(peers / "eslint.comparable.mjs"), "--concurrency", "2",
                       "--no-inline-config", "--format", "json", "-o", es_out("comparable"), "."],
                      lambda r: count_eslint(r, es_out("comparable")),
                      "no-console, @typescript-eslint/no-explicit-any, no-restricted-syntax selectors for "
                      "`cors()` and `origin: '*'`; typescript-eslint parser without type information"))
        specs.append(("eslint", "defaults",
                      [str(bin_ / "eslint"), "-c", str(peers / "eslint.defaults.mjs"), "--concurrency", "2",
                       "--no-inline-config", "--format", "json", "-o", es_out("defaults"), "."],
                      lambda r: count_eslint(r, es_out("defaults")),
                      "eslint:recommended + typescript-eslint recommended (no type information)"))
        specs.append(("ast-grep", "comparable",
                      [str(bin_ / "ast-grep"), "scan", "-c", str(peers / "ast-grep" / "sgconfig.yml"),
                       "--inspect", "summary", "--json=stream", "."], count_astgrep,
                      "rule YAML: console.$M(...), `any` type, `cors()` / `origin: '*'` pair"))
        specs.append(("ast-grep", "defaults", None, None, "n/a: ast-grep ships no rules"))
        specs.append(("semgrep", "comparable",
                      [str(venv / "bin" / "semgrep"), "scan", "--config", str(peers / "semgrep.comparable.yml"),
                       "--metrics=off", "--disable-version-check", "--no-git-ignore",
                       "--x-ignore-semgrepignore-files", "--max-target-bytes=0", "-j", "2", "--json",
                       "-o", sg_out("comparable"), "."],
                      lambda r: count_semgrep(r, sg_out("comparable")),
                      "rule YAML: console.$M(...), `as any` / `: any`, `cors()` / `{origin: '*'}`; "
                      "no .gitignore/.semgrepignore, no size limit"))
        specs.append(("semgrep", "defaults", None, None,
                      "n/a: `--config auto` needs the Semgrep registry, which this machine cannot reach"))
        for tool, mode, argv, counter, note in specs:
            if tool not in wanted or (a.quick and mode != "comparable"):
                continue
            row = {"tool": tool, "mode": mode, "note": note}
            if argv is None:
                row["na"] = True
                peer_rows.append(row)
                continue
            m = Measure(f"{tool} {mode}", argv, corpus, work, fast_runs if a.quick else 5, ok_codes=(0, 1),
                        adaptive=True, env={**os.environ, "NO_COLOR": "1"})
            row["m"] = m
            if m.ok:
                files, findings, extra = counter(m.last)
                row["files"] = check_count(f"{tool} {mode}", files, corpus_files)
                row["findings"] = findings
                row["extra"] = extra
            peer_rows.append(row)
    # 5. language server ------------------------------------------------------------------------
    lsp = None
    if not a.no_lsp:
        log("[6/6] language server")
        p = subprocess.run([sys.executable, str(Path(__file__).with_name("lsp_bench.py")), "--bin", binary,
                            "--large", str(large), "--corpus", str(corpus), "--sql", str(sql),
                            "--edits", "50", "--workspace-files", "2000", "--logdir", str(work), "--json"],
                           capture_output=True, text=True, timeout=1200)
        sys.stderr.write(p.stderr)
        try:
            lsp = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            lsp = {"error": f"lsp_bench.py exit {p.returncode}: {p.stderr.strip()[-300:]}"}
        if p.returncode != 0:
            problems.append("lsp: " + "; ".join(str(lsp.get(k)) for k in ("edits_error", "edits_nodebounce_error",
                                                                         "index_error", "error")
                                                 if lsp.get(k)))
    load_end = loadavg()
    finished = datetime.now(timezone.utc)

    # ---------------------------------------------------------------------------------------
    # versions
    versions = {
        "prodlint": cmd_out([binary, "--version"]) + f" ({binary_desc(binary, repo)})",
        "oxlint": pkg_version(peers, "oxlint"),
        "@biomejs/biome": pkg_version(peers, "@biomejs/biome"),
        "eslint": pkg_version(peers, "eslint"),
        "typescript-eslint": pkg_version(peers, "typescript-eslint"),
        "@eslint/js": pkg_version(peers, "@eslint/js"),
        "typescript": pkg_version(peers, "typescript"),
        "@ast-grep/cli": pkg_version(peers, "@ast-grep/cli"),
        # without both switches `semgrep --version` waits ~100 s for its update check
        "semgrep": cmd_out([str(venv / "bin" / "semgrep"), "--version", "--disable-version-check"],
                           env={"SEMGREP_ENABLE_VERSION_CHECK": "0"}),
        "squawk": cmd_out([str(venv / "bin" / "squawk"), "--version"]),
        "node": cmd_out(["node", "--version"]),
        "python": platform.python_version(),
    }
    mach = machine()
    doc = render(a, res, mach, versions, cold, parse, parsep, cached, cache_where, sqlm, peer_rows, lsp, problems, notes,
                 load_start, load_end, started, finished, binary, repo, squawkm)
    doc_path = Path(a.doc) if a.doc else repo / "docs" / "benchmarks.md"
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    # The section tests/release/run.sh writes (startup through the installed
    # npm package) is not measured here: keep it.
    begin, end = "<!-- release-startup:begin -->", "<!-- release-startup:end -->"
    if doc_path.exists():
        old = doc_path.read_text()
        if begin in old and end in old:
            doc = doc.rstrip("\n") + "\n\n" + old[old.index(begin):old.index(end) + len(end)] + "\n"
    doc_path.write_text(doc)
    raw = {"machine": mach, "versions": versions, "results": res,
           "cold": {n: m.to_json() for n, m in cold.items()}, "parse": {n: m.to_json() for n, m in parse.items()},
           "parse_prefiltered": {n: m.to_json() for n, m in parsep.items()},
           "cached": cached.to_json(), "sql": sqlm.to_json(),
           "comparable": COMPARABLE.to_json() if COMPARABLE is not None else None,
           "peers": [{k: (v.to_json() if k == "m" else v) for k, v in r.items()} for r in peer_rows],
           "lsp": lsp, "problems": problems, "notes": notes}
    (bench / "results.json").write_text(json.dumps(raw, indent=2, default=str))
    print(summary_text(cold, parse, parsep, cached, sqlm, manifest, peer_rows, lsp, problems, corpus_files,
                       corpus_bytes, load_start, load_end))
    for n_ in notes:
        print(f"NOTE: {n_}")
    log(f"wrote {doc_path} and {bench / 'results.json'}")
    failed = [m.name for m in [*cold.values(), *parse.values(), *parsep.values(), cached, sqlm] if not m.ok]
    if failed:
        log("prodlint measurements that failed: " + ", ".join(failed))
    return 1 if failed or problems else 0


def binary_desc(binary, repo):
    try:
        rev = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
    except OSError:
        rev = "?"
    rel = os.path.relpath(binary, repo) if binary.startswith(str(repo)) else binary
    return f"{rel}, built from commit {rev}"


# ---------------------------------------------------------------------------------------
# targets and rendering
# ---------------------------------------------------------------------------------------
def med(m, attr="wall"):
    s = m.stat(attr) if m is not None and m.ok else None
    return s["median"] if s else None


def prodlint_base(mode, cold):
    """prodlint's (wall, CPU) medians that a peer row of `mode` is compared with: the comparable-rules
    run for the peers' comparable rule set, the all-rules run for their defaults."""
    m = COMPARABLE if mode == "comparable" and COMPARABLE is not None and COMPARABLE.ok else cold[2]
    return med(m), med(m, "cpu")


def targets(cold, parsep, cached, peer_rows, lsp):
    """(target, measured, met?) rows; met is None when it could not be measured."""
    out = []
    p2 = med(cold[2])
    for n in (1, 2):
        a, b = med(cold[n]), med(parsep[n])
        r = a / b if a and b else None
        ac, bc = med(cold[n], "cpu"), med(parsep[n], "cpu")
        rc = f" (CPU time: {ac / bc:.2f} ×)" if ac and bc else ""
        out.append((f"prodlint ≤ 1.3 × parse-only time over the files it parses "
                    f"({n} thread{'s' if n > 1 else ''})",
                    (f"{r:.2f} ×" if r else "–") + rc, None if r is None else r <= 1.3))
    comp = {r["tool"]: r for r in peer_rows if r["mode"] == "comparable" and "m" in r}
    for tool, factor, label in (("oxlint", 1.0, "cold wall no worse than oxlint (comparable rules)"),
                                ("eslint", 50.0, "≥ 50 × faster than ESLint"),
                                ("semgrep", 50.0, "≥ 50 × faster than Semgrep"),
                                ("ast-grep", 3.0, "≥ 3 × faster than ast-grep"),
                                ("biome", 4.0, "≥ 4 × faster than Biome")):
        row = comp.get(tool)
        if row is None:
            out.append((label, "not measured", None))
            continue
        m = row["m"]
        if m.timed_out:
            # a timeout still bounds the ratio from below
            r = PEER_TIMEOUT / p2 if p2 else None
            out.append((label, f"> {r:.0f} × (peer timed out)" if r else "peer timed out",
                        None if r is None else (True if r >= factor else None)))
            continue
        base, base_cpu = prodlint_base("comparable", cold)
        pm = med(m)
        r = pm / base if pm and base else None
        pc = med(m, "cpu")
        rc = f" (CPU time: {pc / base_cpu:.1f} ×)" if pc and base_cpu else ""
        out.append((label, (f"{r:.1f} ×" if r else "–") + rc, None if r is None else r >= factor))
    rss = max((m.stat("rss_kb")["max"] for m in cold.values() if m.ok), default=None)
    out.append(("peak RSS ≤ 150 MiB (cold check, max over runs and thread counts)",
                f"{rss / 1024:.1f} MiB" if rss else "–", None if rss is None else rss / 1024 <= 150))
    c = med(cached)
    out.append(("repeated check (cache on) ≤ 0.2 s", f"{c:.3f} s" if c else "–", None if c is None else c <= 0.2))
    e = ((lsp or {}).get("edits") or {}).get("edits", {}).get("median")
    z = ((lsp or {}).get("edits_nodebounce") or {}).get("edits", {}).get("median")
    deb = (lsp or {}).get("debounce_ms")
    out.append((f"LSP edit → diagnostics ≤ 10 ms on the large file (median, default settings"
                f"{f', debounce {deb} ms' if deb is not None else ''})",
                f"{e:.1f} ms" if e is not None else "–", None if e is None else e <= 10))
    if z is not None:
        out.append(("LSP edit → diagnostics ≤ 10 ms with `--debounce-ms 0` (median)", f"{z:.1f} ms", z <= 10))
    return out


def verdict(ok):
    return "met" if ok is True else ("**missed**" if ok is False else "n/a")


def render(a, res, mach, versions, cold, parse, parsep, cached, cache_where, sqlm, peer_rows, lsp, problems, notes,
           load_start, load_end, started, finished, binary, repo, squawkm=None):
    L = []
    cf, cb = res["corpus"]["files"], res["corpus"]["bytes"]
    mb = cb / 1e6
    L.append("# Benchmarks")
    L.append("")
    L.append("Generated by `tests/bench/run` — do not edit by hand; rerun the script instead (the last section, startup through the installed packages, by `PRODLINT_UPDATE_BENCHMARKS=1 tests/release/run.sh`).")
    L.append("")
    L.append(f"Run: {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC{' (`--quick`: 3 runs, peers with comparable rules only)' if a.quick else ''}. "
             "Each figure is the median of the runs, with (min–max); fast commands run 5 times "
             "(3 with `--quick`), slow ones (first run > 20 s) 3 times, after one warm-up run for prodlint.")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append(f"- {mach['nproc']} CPUs: {mach['cpu']}; memory {mach['memory']}; {mach['os']}, Linux {mach['kernel']}")
    L.append(f"- load average (1/5/15 min) at start: {' '.join(load_start)}; at end: {' '.join(load_end)}. "
             "The machine is shared with other work, so a load above the CPU count inflates wall times.")
    L.append("")
    L.append("## Corpora")
    L.append("")
    L.append(f"- TypeScript: `../shared/bench/build-corpus.sh` (15 pinned npm packages): {cf} `.ts`/`.tsx` files, "
             f"{mb:.1f} MB; the large file is `large/Editor.ts` (@tldraw/editor, "
             f"{sum(1 for _ in open(Path(a.bench_dir) / 'large' / 'Editor.ts', encoding='utf-8'))} lines).")
    s = res["sql"]
    L.append(f"- SQL: `tests/bench/gen_sql.py` (seed {s['seed']}): {s['files']} migration files, "
             f"{s['bytes'] / 1e6:.1f} MB, {s['statements']} statements by the generator's manifest "
             f"({s['semicolons']} `;`), Supabase (`supabase/migrations/NNNN_name.sql`) and Prisma "
             "(`prisma/migrations/NNNN_name/migration.sql`) layouts.")
    L.append("- Each corpus folder is made a git repository root (`git init`) so that the repository's own "
             "`.gitignore` (which ignores `target/`) does not apply, as in a real project; every tool's file "
             "count below is read from its own output.")
    L.append("")
    L.append("## prodlint")
    L.append("")
    L.append("| measurement | threads | wall s | CPU s (user+sys) | peak RSS MiB | files/s | MB/s | files | load start → end |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for label, group in (("check, cold (`--no-cache`)", cold),
                         ("parse only, the files check parses (`debug parse --prefiltered`)", parsep),
                         ("parse only, every file (`debug parse`)", parse)):
        for n, m in group.items():
            L.append(row_line(label, n, m, cf, mb))
    if COMPARABLE is not None:
        L.append(row_line("check, cold, comparable rules only", 2, COMPARABLE, cf, mb))
    L.append(row_line("check, repeated, cache on", 2, cached, cf, mb))
    L.append("")
    for n in (1, 2):
        a_, b_ = med(cold[n]), med(parsep[n])
        ac, bc = med(cold[n], "cpu"), med(parsep[n], "cpu")
        if a_ and b_ and ac and bc:
            L.append(f"- check ÷ parse-only over the files check parses, {n} thread{'s' if n > 1 else ''}: "
                     f"**{a_ / b_:.2f} ×** wall, {ac / bc:.2f} × CPU (rules, suppressions, walk and report "
                     f"cost {ac - bc:.2f} s of CPU over parsing those files)")
        a_, b_ = med(cold[n]), med(parse[n])
        ac, bc = med(cold[n], "cpu"), med(parse[n], "cpu")
        if a_ and b_ and ac and bc:
            L.append(f"- check ÷ parse-only over every file, {n} thread{'s' if n > 1 else ''}: "
                     f"{a_ / b_:.2f} × wall, {ac / bc:.2f} × CPU (below 1 when the prefilter's skipped parses "
                     "save more than the rules cost)")
    L.append("- For each thread count the three commands above ran in turn (check, parse of the files check "
             "parses, parse of every file, then again), so their ratios compare runs taken side by side; the "
             "machine is shared, and wall times of commands run minutes apart (the peers) can differ by a "
             "third for the same work: CPU time (user+sys) is steadier.")
    if cold[2].ok and cold[1].ok:
        L.append(f"- speed-up from 1 to 2 threads: {med(cold[1]) / med(cold[2]):.2f} ×")
    if cached.ok:
        L.append(f"- the cache-filling run took {cached.fill_wall:.3f} s; cache files: {cache_where}")
    for group in (parsep, parse):
        for n, m in group.items():
            if m.ok:
                L.append(f"- `{' '.join(m.argv[1:-1])}` printed `{m.raw}`")
    if cold[2].ok:
        L.append(f"- findings reported on the corpus (all rules): {cold[2].findings}")
    L.append("")
    L.append("### SQL")
    L.append("")
    if sqlm.ok:
        w = sqlm.stat("wall")
        st = s["statements"]
        L.append("| measurement | wall s | CPU s | peak RSS MiB | statements/s | MB/s | files | findings |")
        L.append("|---|---|---|---|---|---|---|---|")
        L.append(f"| check SQL corpus, cold, 2 threads | {mmm(w)} | {mmm(sqlm.stat('cpu'), 2)} | "
                 f"{fmt_mib(sqlm.stat('rss_kb')['max'])} | {st / w['median']:,.0f} | "
                 f"{s['bytes'] / 1e6 / w['median']:.1f} | {sqlm.files} | {sqlm.findings} |")
        if squawkm is not None and squawkm.ok:
            qw = squawkm.stat("wall")
            L.append(f"| squawk {versions.get('squawk', '')} (default rules), one process | {mmm(qw)} | "
                     f"{mmm(squawkm.stat('cpu'), 2)} | {fmt_mib(squawkm.stat('rss_kb')['max'])} | "
                     f"{st / qw['median']:,.0f} | {s['bytes'] / 1e6 / qw['median']:.1f} | {squawkm.files} | "
                     f"{squawkm.findings} |")
        elif squawkm is not None:
            L.append(f"squawk failed: {squawkm.error}")
    else:
        L.append(f"SQL check failed: {sqlm.error}")
    L.append("")
    L.append("## Peers (same TypeScript corpus, 2 threads each where the tool has the option)")
    L.append("")
    p2 = med(cold[2])
    if peer_rows:
        c2 = med(cold[2], "cpu")
        pc_w, pc_c = prodlint_base("comparable", cold)
        L.append(f"Ratio = the peer's median wall time ÷ prodlint's 2-thread cold wall time with the same kind "
                 f"of rule set: for the peers' comparable rule set (no-console, no-explicit-any, a wildcard-CORS "
                 f"pattern), prodlint with only {', '.join(f'`{r}`' for r in COMPARABLE_RULES)} "
                 f"({fmt(pc_w)} s wall, {fmt(pc_c, 2)} s CPU); for the peers' defaults, prodlint with all rules "
                 f"({fmt(p2)} s wall, {fmt(c2, 2)} s CPU). > 1 means prodlint is faster. CPU ratio = the same "
                 "with CPU time (user+sys), which a loaded machine distorts less than wall time.")
        L.append("")
        L.append("| tool | rules | wall s | CPU s | peak RSS MiB | ratio to prodlint | CPU ratio | files linted | findings | notes |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in peer_rows:
            if r.get("na"):
                L.append(f"| {r['tool']} | {r['mode']} | – | – | – | – | – | – | – | {r['note']} |")
                continue
            m = r["m"]
            if not m.ok:
                L.append(f"| {r['tool']} | {r['mode']} | {m.error} | – | – | "
                         f"{'> ' + format(PEER_TIMEOUT / p2, '.0f') + ' ×' if m.timed_out and p2 else '–'} | – | – | – | {r['note']} |")
                continue
            pm = med(m)
            bw, bc = prodlint_base(r["mode"], cold)
            ratio = f"{pm / bw:.1f} ×" if bw else "–"
            pc = med(m, "cpu")
            cratio = f"{pc / bc:.1f} ×" if pc and bc else "–"
            extra = f"; {r['extra']}" if r.get("extra") else ""
            L.append(f"| {r['tool']} | {r['mode']} | {mmm(m.stat('wall'))} | {mmm(m.stat('cpu'), 2)} | "
                     f"{fmt_mib(m.stat('rss_kb')['max'])} | {ratio} | {cratio} | {r['files']} | {r['findings']} | "
                     f"{r['note']}{extra} |")
        L.append("")
        L.append("Peak RSS is what `/usr/bin/time` reports: the largest single process of the run "
                 "(for Semgrep usually `semgrep-core`). Findings are counted as each tool reports them "
                 "and are not comparable across tools: prodlint's rules are not the peers' rules.")
    else:
        L.append("Not measured in this run (`--no-peers`).")
    L.append("")
    L.append("## Language server (`prodlint lsp`)")
    L.append("")
    if lsp is None:
        L.append("Not measured in this run (`--no-lsp`).")
    else:
        L.append(f"- debounce (from `prodlint lsp --help`): {lsp.get('debounce') or 'not stated'}")
        for key, label in (("edits", "`prodlint lsp` (default settings, as an editor sees it)"),
                           ("edits_nodebounce", "`prodlint lsp --debounce-ms 0` (the engine's own latency)")):
            e = lsp.get(key)
            if e:
                s_ = e["edits"]
                L.append(f"- {label}: open `Editor.ts` ({e['lines']} lines, {e['bytes'] / 1e3:.0f} kB; position "
                         f"encoding {e['position_encoding']}, text sync kind {e['text_sync']}): first "
                         f"`publishDiagnostics` {e['open_ms']:.1f} ms after `didOpen` ({e['open_diagnostics']} "
                         f"diagnostics); {s_['n']} one-character incremental `didChange` edits → "
                         f"`publishDiagnostics` for that version: median **{s_['median']:.1f} ms** "
                         f"(min {s_['min']:.1f}, max {s_['max']:.1f})"
                         + (f"; {e['unversioned_publishes']} publishes carried no version"
                            if e['unversioned_publishes'] else "")
                         + (f"; server VmRSS {e['memory_kb'].get('VmRSS', 0) / 1024:.1f} MiB, VmHWM "
                            f"{e['memory_kb'].get('VmHWM', 0) / 1024:.1f} MiB" if e.get("memory_kb") else ""))
                v = e.get("server")
                if v:
                    L.append(f"  - the server's own time per edit (`trace: verbose` log of each lint, median of "
                             f"{v['n']}): incremental parse {v['parse_ms']['median']:.2f} ms + rules and "
                             f"conversion {v['engine_ms']['median']:.2f} ms = **{v['total_ms']['median']:.2f} ms** "
                             f"(min {v['total_ms']['min']:.2f}, max {v['total_ms']['max']:.2f}); the rest of the "
                             "end-to-end figure is the JSON-RPC transport and the client")
            if lsp.get(key + "_error"):
                L.append(f"- {label}: **failed**: {lsp[key + '_error']}")
        i = lsp.get("index")
        if i:
            mk = i["memory_kb"]
            L.append(f"- workspace of {i['ts_files']} corpus files + {i['sql_files']} SQL files "
                     f"({i['bytes'] / 1e6:.1f} MB): indexing finished after {i['index_s']:.2f} s "
                     f"({i['finished_by']}); VmRSS {mk.get('VmRSS', 0) / 1024:.1f} MiB, "
                     f"VmHWM {mk.get('VmHWM', 0) / 1024:.1f} MiB")
        if lsp.get("index_error"):
            L.append(f"- indexing: **failed**: {lsp['index_error']}")
        if lsp.get("error"):
            L.append(f"- **failed**: {lsp['error']}")
        L.append("- Latencies are measured end to end in the client: from writing the `didChange` to reading the "
                 "`publishDiagnostics` with that version (tests/bench/lsp_bench.py).")
    L.append("")
    L.append("## Targets (from the issue)")
    L.append("")
    L.append("| target | measured | verdict |")
    L.append("|---|---|---|")
    for t, v, ok in targets(cold, parsep, cached, peer_rows, lsp):
        L.append(f"| {t} | {v} | {verdict(ok)} |")
    L.append("")
    L.append("Where the time goes and why the missed targets are missed (profiles, instruction counts, the "
             "grammar's error recovery on the `effect` package): [performance.md](performance.md).")
    L.append("")
    if notes:
        L.append("## Notes")
        L.append("")
        for n_ in notes:
            L.append(f"- {n_}")
        L.append("")
    if problems:
        L.append("## Problems in this run")
        L.append("")
        for p in problems:
            L.append(f"- {p}")
        L.append("")
    L.append("## Versions")
    L.append("")
    for k, v in versions.items():
        L.append(f"- {k}: {v}")
    L.append("")
    L.append("## Commands")
    L.append("")
    L.append(f"Reproduce with `{a.command_line}` from the repository root (`--quick` for a shorter run). "
             "It builds the corpora once into `${PRODLINT_BENCH_DIR:-target/bench}`, installs the peers at "
             "pinned versions (`tests/bench/peers/package-lock.json`, `tests/bench/peers/semgrep-requirements.txt`), "
             "and measures `$PRODLINT_BIN` (default `target/release/prodlint`, which it builds with `cargo build --release`). "
             "Every command runs with the corpus root as its working directory, under "
             "`/usr/bin/time -f '%e %U %S %M'`; peer runs are killed after 300 s.")
    L.append("")
    L.append("```sh")
    seen = set()
    for m in [*cold.values(), *parsep.values(), *parse.values(), cached, sqlm] + [r["m"] for r in peer_rows if "m" in r]:
        line = f"(cd {rel_bench(m.cwd, a.bench_dir)} && {' '.join(sh_word(rel_cmd(x, a.bench_dir, binary)) for x in m.argv)})"
        if line not in seen:
            seen.add(line)
            L.append(line)
    L.append("python3 tests/bench/lsp_bench.py --bin $PRODLINT_BIN --large $BENCH/large/Editor.ts "
             "--corpus $BENCH/corpus --sql $BENCH/sql --edits 50 --workspace-files 2000")
    L.append("```")
    L.append("")
    return "\n".join(L)


def rel_bench(p, bench_dir):
    b = str(Path(bench_dir).resolve())
    p = str(p)
    return "$BENCH" + p[len(b):] if p.startswith(b) else p


def rel_cmd(x, bench_dir, binary):
    b = str(Path(bench_dir).resolve())
    if x == binary:
        return "$PRODLINT_BIN"
    # Also inside `--flag=/abs/path` arguments (biome's --config-path).
    return x.replace(b, "$BENCH")


def sh_word(x):
    """Quote for a POSIX shell, keeping $BENCH / $PRODLINT_BIN expandable."""
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./$-]+", x):
        return x
    if "$" in x:
        return '"' + x.replace('"', '\\"') + '"'
    return shlex.quote(x)


def row_line(label, n, m, cf, mb):
    if not m.ok:
        return f"| {label} | {n} | {m.error} | – | – | – | – | – | {' '.join(m.load_start)} → {' '.join(m.load_end)} |"
    w = m.stat("wall")
    return (f"| {label} | {n} | {mmm(w)} | {mmm(m.stat('cpu'), 2)} | {fmt_mib(m.stat('rss_kb')['max'])} | "
            f"{cf / w['median']:,.0f} | {mb / w['median']:.1f} | {getattr(m, 'files', '?')} | "
            f"{' '.join(m.load_start)} → {' '.join(m.load_end)} |")


def summary_text(cold, parse, parsep, cached, sqlm, manifest, peer_rows, lsp, problems, cf, cb, load_start, load_end):
    L = ["", "== prodlint benchmark summary =="]
    L.append(f"corpus: {cf} files, {cb / 1e6:.1f} MB; load {' '.join(load_start)} -> {' '.join(load_end)}")
    for n in (1, 2):
        m = cold[n]
        if m.ok:
            w = m.stat("wall")
            L.append(f"check cold  -j{n}: {mmm(w)} s  cpu {fmt(med(m, 'cpu'), 2)} s  "
                     f"rss {fmt_mib(m.stat('rss_kb')['max'])} MiB  {cf / w['median']:,.0f} files/s  "
                     f"{cb / 1e6 / w['median']:.1f} MB/s  files {m.files}")
        else:
            L.append(f"check cold  -j{n}: FAILED {m.error}")
        for label, p in (("parse check's files", parsep[n]), ("parse every file  ", parse[n])):
            if p.ok:
                L.append(f"{label} -j{n}: {mmm(p.stat('wall'))} s  cpu {fmt(med(p, 'cpu'), 2)} s  -> check/parse "
                         f"{(med(m) / med(p)) if m.ok else float('nan'):.2f}x wall, "
                         f"{(med(m, 'cpu') / med(p, 'cpu')) if m.ok else float('nan'):.2f}x cpu")
            else:
                L.append(f"{label} -j{n}: FAILED {p.error}")
    if COMPARABLE is not None:
        L.append(f"check comparable rules -j2: {mmm(COMPARABLE.stat('wall'))} s  cpu {fmt(med(COMPARABLE, 'cpu'), 2)} s"
                 if COMPARABLE.ok else f"check comparable rules: FAILED {COMPARABLE.error}")
    L.append(f"check cached -j2: {mmm(cached.stat('wall'))} s" if cached.ok else f"check cached: FAILED {cached.error}")
    if sqlm.ok:
        L.append(f"SQL check   -j2: {mmm(sqlm.stat('wall'))} s  {manifest['statements'] / med(sqlm):,.0f} statements/s")
    else:
        L.append(f"SQL check: FAILED {sqlm.error}")
    p2 = med(cold[2])
    for r in peer_rows:
        if r.get("na"):
            continue
        m = r["m"]
        if m.ok:
            bw, bc = prodlint_base(r["mode"], cold)
            L.append(f"{r['tool']:>8} {r['mode']:<10}: {mmm(m.stat('wall'))} s  = "
                     f"{med(m) / bw if bw else float('nan'):.1f}x prodlint -j2 wall ({r['mode']} rules), "
                     f"{med(m, 'cpu') / bc if bc else float('nan'):.1f}x CPU  (files {r['files']})")
        else:
            L.append(f"{r['tool']:>8} {r['mode']:<10}: {m.error}")
    if lsp:
        for key in ("edits", "edits_nodebounce"):
            e = (lsp.get(key) or {})
            if e:
                s = e["edits"]
                L.append(f"lsp{' --debounce-ms 0' if e['server_args'] else ''}: open {e['open_ms']:.1f} ms; "
                         f"edit->diagnostics median {s['median']:.1f} ms (min {s['min']:.1f}, max {s['max']:.1f})"
                         + (f"; server: parse {e['server']['parse_ms']['median']:.2f} + engine "
                            f"{e['server']['engine_ms']['median']:.2f} ms" if e.get("server") else ""))
        i = lsp.get("index")
        if i:
            L.append(f"lsp: workspace {i['ts_files']}+{i['sql_files']} files indexed in {i['index_s']:.2f} s, "
                     f"VmHWM {i['memory_kb'].get('VmHWM', 0) / 1024:.1f} MiB")
        for k in ("edits_error", "edits_nodebounce_error", "index_error", "error"):
            if lsp.get(k):
                L.append(f"lsp {k}: {lsp[k]}")
    L.append("targets:")
    for t, v, ok in targets(cold, parsep, cached, peer_rows, lsp):
        L.append(f"  [{verdict(ok).strip('*'):>6}] {t}: {v}")
    for p in problems:
        L.append(f"PROBLEM: {p}")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
