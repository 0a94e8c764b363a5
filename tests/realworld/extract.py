#!/usr/bin/env python3
"""Extract the files prodlint reads from a bare git mirror at a pinned commit.

usage: extract.py GIT_DIR COMMIT DEST

Writes only TS/JS, SQL, dotenv and prodlint.toml/.gitignore files (what `prodlint
check` reads) and the project marker files (vercel.json, netlify.toml,
serverless.yml/.yaml, package.json: the facts that tell a serverless project), so
that a mirror whose largest blobs are absent still extracts.
Blobs missing from the mirror are skipped with a count on stderr.
"""
import os
import re
import subprocess
import sys

WANTED = re.compile(
    r"(\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|sql)$)|((^|/)\.env[^/]*$)|((^|/)[^/]*\.env$)"
    r"|((^|/)(prodlint\.toml|\.gitignore|\.ignore)$)"
    r"|((^|/)(vercel\.json|netlify\.toml|serverless\.ya?ml|package\.json)$)"
)
MAX_BYTES = 2 * 1024 * 1024


def main() -> int:
    git_dir, commit, dest = sys.argv[1:4]
    ls = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "-l", commit],
        check=True, capture_output=True,
    ).stdout.split(b"\0")
    entries = []
    for rec in ls:
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, kind, sha, size = meta.split()
        p = path.decode("utf-8", "replace")
        if kind != b"blob" or mode == b"120000" or not WANTED.search(p):
            continue
        if size != b"-" and int(size) > MAX_BYTES:
            continue
        entries.append((sha.decode(), p))
    proc = subprocess.Popen(
        ["git", "--git-dir", git_dir, "cat-file", "--batch"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    missing = written = 0
    for sha, p in entries:
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            missing += 1
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        out = os.path.join(dest, p)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)
        written += 1
    proc.stdin.close()
    proc.wait()
    print(f"{dest}: {written} files, {missing} missing blobs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
