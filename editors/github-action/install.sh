#!/usr/bin/env bash
# Obtains the prodlint binary for the GitHub Action.
#
#   install.sh key      decide whether a build is needed; outputs needs-build, install-root, cache-key
#   install.sh install  use a matching `prodlint` on PATH, or the cached build, or
#                       `cargo install --locked --path server` from the action's own checkout
#
# There is no release host for prodlint binaries yet, so the action builds the checkout it was
# downloaded as (`uses: OWNER/prodlint/editors/github-action@REF` downloads the whole repository).
# Environment: PRODLINT_VERSION (`source` or a version that must equal the checkout's),
# GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TOOL_CACHE (all set by the runner).
set -euo pipefail

mode=${1:?usage: install.sh key|install}
action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
src=$(cd "$action_path/../.." && pwd)
want=${PRODLINT_VERSION:-source}
want=${want#v}
[ -n "$want" ] || want=source
out=${GITHUB_OUTPUT:-/dev/null}

fail() {
  echo "::error title=prodlint::$*"
  exit 2
}

[ -f "$src/server/Cargo.toml" ] || fail "prodlint sources not found at $src/server (the action must be used from the prodlint repository)"

# Version of the checkout, from Cargo's own view of the manifest (no network needed).
have=$(cargo metadata --no-deps --offline --format-version 1 --manifest-path "$src/Cargo.toml" 2>/dev/null |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "prodlint"))') ||
  fail "could not read the prodlint version from $src/Cargo.toml (is cargo installed?)"

if [ "$want" != source ] && [ "$want" != "$have" ]; then
  fail "version '$want' was asked for, but this action's checkout is prodlint $have; there is no release host yet, so pin the version with the action's ref (uses: …/editors/github-action@<tag>) and keep version: source"
fi

# A prodlint of the wanted version already on PATH (self-hosted runner, earlier step).
path_version() {
  command -v prodlint >/dev/null 2>&1 || return 1
  prodlint --version 2>/dev/null | awk '{print $2}'
}
on_path=false
if [ "$want" != source ] && [ "$(path_version || true)" = "$want" ]; then
  on_path=true
fi

# Cache key: everything the build reads.
inputs=()
for p in Cargo.toml Cargo.lock server grammars-config; do
  [ -e "$src/$p" ] && inputs+=("$p")
done
hash=$(cd "$src" && find "${inputs[@]}" -type f -not -path '*/target/*' | LC_ALL=C sort | xargs sha256sum |
  sha256sum | cut -c1-16)
root=${PRODLINT_INSTALL_ROOT:-${RUNNER_TOOL_CACHE:-$HOME/.cache}/prodlint/$have-$hash}

case "$mode" in
  key)
    if $on_path; then
      echo "needs-build=false" >>"$out"
      echo "prodlint $want found on PATH: $(command -v prodlint)"
    else
      echo "needs-build=true" >>"$out"
    fi
    echo "install-root=$root" >>"$out"
    echo "cache-key=prodlint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$have-$hash" >>"$out"
    ;;
  install)
    if $on_path; then
      bin=$(command -v prodlint)
    else
      bin="$root/bin/prodlint"
      if [ -x "$bin" ]; then
        echo "using cached build $bin"
      else
        echo "building prodlint $have from $src (cargo install --locked --path server)"
        cargo install --locked --path "$src/server" --root "$root"
      fi
      [ -n "${GITHUB_PATH:-}" ] && echo "$root/bin" >>"$GITHUB_PATH"
    fi
    "$bin" --version || true
    ;;
  *)
    fail "unknown mode $mode"
    ;;
esac
