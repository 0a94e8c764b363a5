#!/usr/bin/env bash
# Runs `prodlint check --format sarif --output FILE ARGS PATHS` for the GitHub Action.
# Does not fail on findings (the fail-on step decides); fails on a usage/config error (exit 2).
# Environment: INPUT_PATHS (whitespace/newline separated), INPUT_ARGS (split like a shell),
# INPUT_SARIF_FILE, GITHUB_OUTPUT; PRODLINT (binary, default `prodlint` from PATH).
set -uo pipefail

prodlint=${PRODLINT:-prodlint}
sarif=${INPUT_SARIF_FILE:-prodlint.sarif}
out=${GITHUB_OUTPUT:-/dev/null}

read -r -d '' -a paths <<<"${INPUT_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
if ! args_lines=$(python3 -c 'import shlex, sys; print("\n".join(shlex.split(sys.argv[1])))' "${INPUT_ARGS:-}"); then
  echo "::error title=prodlint::cannot split the args input: ${INPUT_ARGS:-}"
  exit 2
fi
args=()
while IFS= read -r a; do
  [ -n "$a" ] && args+=("$a")
done <<<"$args_lines"

rm -f "$sarif"
mkdir -p "$(dirname "$sarif")"
echo "prodlint check --format sarif --output $sarif ${args[*]} ${paths[*]}"
"$prodlint" check --format sarif --output "$sarif" ${args[@]+"${args[@]}"} "${paths[@]}"
rc=$?
echo "exit-code=$rc" >>"$out"

if [ -s "$sarif" ]; then
  echo "sarif-written=true" >>"$out"
  echo "sarif-path=$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")" >>"$out"
else
  echo "sarif-written=false" >>"$out"
fi

case $rc in
  0 | 1) exit 0 ;;
  *)
    echo "::error title=prodlint::prodlint check exited with status $rc (usage or configuration error)"
    exit "$rc"
    ;;
esac
