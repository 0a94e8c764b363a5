#!/usr/bin/env python3
"""Rule cost against file size and nesting: lints generated files of 1k, 4k,
16k and 64k units with `prodlint check --no-cache --format json` and prints the
wall time per unit. Linear cost shows as a flat time per unit across sizes;
a quadratic one grows 4x per row.

    python3 tests/bench/scaling.py [--bin target/release/prodlint] [--sizes 1000,4000,16000,64000]

Inputs (one unit = one statement or one nesting level):
  flat-log       `console.log(req.body);` per line (log-request-data at top level)
  flat-secret    `const a = process.env.JWT_SECRET || "dev-secret-123"; console.log(req.body);`
  nest-paren     `((((x as any))))` nested n deep (beyond the walk limit of 1,000)
  nest-member    `console.log(req.body.body…)`, a member chain n long
  nest-destruct  `const [[[…x]]] = req.body;` n deep
  nest-template  `db.query(`select ${`${…x}`}`)` n templates deep
  nest-plus      `db.query('select ' + x + x + …)`, n operands
"""
import argparse
import os
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

INPUTS = {
    "flat-log": lambda n: "console.log(req.body);\n" * n,
    "flat-secret": lambda n: 'const a = process.env.JWT_SECRET || "dev-secret-123"; console.log(req.body);\n' * n,
    "nest-paren": lambda n: "(" * n + "x as any" + ")" * n + "\n",
    "nest-member": lambda n: "console.log(req" + ".body" * n + ")\n",
    "nest-destruct": lambda n: "const " + "[" * n + "x" + "]" * n + " = req.body;\nconsole.log(x);\n",
    "nest-template": lambda n: "db.query(`select ${" + "`${" * n + "x" + "}`" * n + "}`)\n",
    "nest-plus": lambda n: "db.query('select ' + " + " + ".join(["x"] * n) + ")\n",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/prodlint"))
    ap.add_argument("--sizes", default="1000,4000,16000,64000")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    binary = os.path.abspath(args.bin)
    print(f"{'input':<14} {'units':>7} {'KB':>8} {'seconds':>8} {'us/unit':>8} {'us/KB':>8} {'findings':>8}")
    with tempfile.TemporaryDirectory() as d:
        for name, make in INPUTS.items():
            if args.only and args.only not in name:
                continue
            for n in sizes:
                path = os.path.join(d, f"{name}-{n}.ts")
                text = make(n)
                with open(path, "w") as f:
                    f.write(text)
                t = time.perf_counter()
                proc = subprocess.run(
                    [binary, "check", path, "--no-cache", "--format", "json"],
                    capture_output=True, text=True, cwd=d,
                )
                secs = time.perf_counter() - t
                if proc.returncode not in (0, 1):
                    print(f"{name:<14} {n:>7}  exit {proc.returncode}: {proc.stderr.strip()[-200:]}")
                    continue
                findings = proc.stdout.count('"rule":')
                kb = len(text) / 1024
                print(f"{name:<14} {n:>7} {kb:>8.0f} {secs:>8.2f} {secs * 1e6 / n:>8.1f} {secs * 1e6 / kb:>8.1f} {findings:>8}")


if __name__ == "__main__":
    main()
