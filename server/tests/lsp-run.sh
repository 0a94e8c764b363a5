#!/usr/bin/env bash
# Language-server tests: the real `prodlint lsp` over stdio (server/tests/lsp*.rs)
# plus the server's unit tests (server/src/lsp/). Called from .ci/run.
#
#   PRODLINT_BIN=/path/to/prodlint bash server/tests/lsp-run.sh
#
# PRODLINT_BIN (default: target/debug/prodlint from the repository root) is the
# binary the tests spawn; this script does not build it. cargo compiles the test
# harnesses (the Rust JSON-RPC client); with an up-to-date target dir (after
# `cargo test`) that is a no-op. Installs what it needs idempotently: only
# libclang-dev (pg_query's bindgen), like .ci/run. Prints `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PRODLINT_BIN="${PRODLINT_BIN:-$ROOT/target/debug/prodlint}"
case "$PRODLINT_BIN" in /*) ;; *) PRODLINT_BIN="$ROOT/$PRODLINT_BIN" ;; esac
export CARGO_TERM_COLOR=never

if ! command -v cargo >/dev/null 2>&1; then
  echo "lsp-run: cargo is required to compile the test client" >&2
  echo "0 passed, 1 failed"; exit 1
fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libclang-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq libclang-dev >/dev/null
fi
if [ ! -x "$PRODLINT_BIN" ]; then
  echo "lsp-run: PRODLINT_BIN=$PRODLINT_BIN is not an executable (build it first: cargo build)" >&2
  echo "0 passed, 1 failed"; exit 1
fi
echo "lsp-run: testing $PRODLINT_BIN"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked -p prodlint --test lsp --test lsp_workspace -- --test-threads=2 2>&1 | tee -a "$log" || status=1
cargo test --locked -p prodlint --lib -- lsp:: 2>&1 | tee -a "$log" || status=1

passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a build error or crash: count it
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
