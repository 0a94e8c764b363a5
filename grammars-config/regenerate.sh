#!/usr/bin/env bash
# Regenerates prodlint's TypeScript and TSX parsers from the vendored upstream
# grammar source (upstream/) and our patch (patches/prodlint.patch) into
# tree-sitter-typescript/, and records every input's and output's SHA-256 in
# GENERATED.sha256 (server/tests/grammar_sources.rs checks it, so a hand edit of
# the generated C or a grammar change without regenerating fails `cargo test`).
#
#   grammars-config/regenerate.sh          regenerate and rewrite GENERATED.sha256
#   grammars-config/regenerate.sh --check  regenerate into a temporary directory
#                                          and fail if the committed output differs
#
# Needs node (tree-sitter evaluates grammar.js with it), patch, sha256sum and
#   cargo install tree-sitter-cli --locked --version 0.26.13
set -euo pipefail
CLI_VERSION=0.26.13
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
check=0
[ "${1:-}" = "--check" ] && check=1

have="$(tree-sitter --version 2>/dev/null | awk '{print $2}')" || true
if [ "$have" != "$CLI_VERSION" ]; then
  echo "regenerate.sh: needs tree-sitter-cli $CLI_VERSION (found: ${have:-none});" >&2
  echo "  cargo install tree-sitter-cli --locked --version $CLI_VERSION" >&2
  exit 2
fi

ts=tree-sitter-typescript-0.23.2
js=tree-sitter-javascript-0.23.1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r upstream "$work/upstream"
for p in patches/*.patch; do
  patch --quiet --forward -p1 -d "$work/upstream" < "$p"
done
# define-grammar.js requires('tree-sitter-javascript/grammar'), as from npm.
mkdir -p "$work/upstream/$ts/node_modules"
ln -s "../../$js" "$work/upstream/$ts/node_modules/tree-sitter-javascript"

out="$work/out"
mkdir -p "$out/common"
cp "upstream/$ts/LICENSE" "$out/LICENSE"
cp "$work/upstream/$ts/common/scanner.h" "$out/common/scanner.h"
for dialect in typescript tsx; do
  (cd "$work/upstream/$ts/$dialect" && tree-sitter generate >/dev/null)
  mkdir -p "$out/$dialect/src/tree_sitter"
  src="$work/upstream/$ts/$dialect/src"
  cp "$src/parser.c" "$src/scanner.c" "$src/grammar.json" "$src/node-types.json" "$out/$dialect/src/"
  cp "$src"/tree_sitter/*.h "$out/$dialect/src/tree_sitter/"
done

if [ "$check" = 1 ]; then
  if diff -r "$out" tree-sitter-typescript >/dev/null; then
    echo "regenerate.sh --check: tree-sitter-typescript/ is what the grammar source generates"
    exit 0
  fi
  diff -rq "$out" tree-sitter-typescript >&2 || true
  echo "regenerate.sh --check: tree-sitter-typescript/ differs from what the grammar source generates" >&2
  exit 1
fi

rm -rf tree-sitter-typescript
cp -r "$out" tree-sitter-typescript
# Inputs first, then outputs; paths relative to grammars-config/ (sha256sum -c).
find upstream patches tree-sitter-typescript -type f | LC_ALL=C sort | xargs sha256sum > GENERATED.sha256
echo "regenerated tree-sitter-typescript/ with tree-sitter-cli $CLI_VERSION; GENERATED.sha256 updated"
