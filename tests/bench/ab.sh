#!/usr/bin/env bash
# A/B timing of two prodlint binaries on the benchmark corpora, interleaved so
# that machine noise hits both alike: `check --no-cache` on the TypeScript and
# SQL corpora, N rounds (default 5). Prints each run and the medians.
#   tests/bench/ab.sh BASE_BIN NEW_BIN [ROUNDS]
# The corpora come from `tests/bench/run --setup-only --no-peers` (target/bench).
set -euo pipefail
base=${1:?base binary}; new=${2:?new binary}; rounds=${3:-5}
dir=${PRODLINT_BENCH_DIR:-target/bench}
for corpus in corpus sql; do
  rm -f "/tmp/ab.$corpus.base" "/tmp/ab.$corpus.new"
  for i in $(seq "$rounds"); do
    for which in base new; do
      bin=$base; [ "$which" = new ] && bin=$new
      /usr/bin/time -o /tmp/ab.time -f '%e %U %M' "$bin" check --no-cache --format json "$dir/$corpus" > /dev/null 2>&1 || true
      t=$(tail -1 /tmp/ab.time)
      echo "$corpus $which run $i: wall/user s, peak KiB: $t"
      echo "$t" >> "/tmp/ab.$corpus.$which"
    done
  done
  for which in base new; do
    python3 - "$corpus" "$which" <<'PY'
import statistics, sys
corpus, which = sys.argv[1:3]
rows = [list(map(float, l.split())) for l in open(f"/tmp/ab.{corpus}.{which}") if l.strip()]
w = statistics.median(r[0] for r in rows); u = statistics.median(r[1] for r in rows); m = statistics.median(r[2] for r in rows)
print(f"{corpus:7} {which:4} median wall {w:.2f} s, user {u:.2f} s, peak RSS {m/1024:.0f} MiB ({len(rows)} runs)")
PY
  done
done
