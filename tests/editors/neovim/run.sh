#!/usr/bin/env bash
# Real-editor tests of the Neovim plugin on Neovim 0.7.2 and 0.11.x, plus checks of the CI
# integrations (GitHub Action, pre-commit hook manifest).
#
#   PRODLINT_BIN=target/debug/prodlint bash tests/editors/neovim/run.sh
#
# Installs what it needs (install.sh, idempotent), never builds prodlint. Prints one line per test
# and a final `N passed, M failed`; exits non-zero when anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
BIN=${PRODLINT_BIN:-target/debug/prodlint}
case "$BIN" in /*) ;; *) BIN="$REPO/$BIN" ;; esac

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok $*"; }
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}

if ! TOOLS_ENV=$(bash "$HERE/install.sh"); then
  fail "install: Neovim 0.7.2 / 0.11 / pre-commit could not be installed"
  finish
fi
eval "$TOOLS_ENV"

if [ ! -x "$BIN" ]; then
  fail "prodlint binary not found at $BIN (set PRODLINT_BIN)"
  finish
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/prodlint-nvim-tests.XXXXXX")
[ -n "${PRODLINT_KEEP_TMP:-}" ] && echo "# keeping $WORK" || trap 'rm -rf "$WORK"' EXIT

# run_nvim LABEL NVIM INIT TEST [VAR=VALUE...]: one headless Neovim session on a fresh copy of the
# fixture workspace; collects the per-test lines the harness writes.
run_nvim() {
  local label=$1 nvim=$2 init=$3 test=$4
  shift 4
  local dir="$WORK/$label"
  mkdir -p "$dir"
  cp -a "$HERE/fixtures/workspace" "$dir/ws"
  cp -a "$HERE/fixtures/loose" "$dir/loose"
  local results="$dir/results.txt" log="$dir/nvim.log"
  : >"$results"
  env PRODLINT_REPO="$REPO" PRODLINT_BIN="$BIN" PRODLINT_WS="$dir/ws" PRODLINT_LOOSE="$dir/loose" \
    PRODLINT_RESULTS="$results" PRODLINT_LABEL="$label" HOME="$dir" XDG_STATE_HOME="$dir/state" \
    XDG_CACHE_HOME="$dir/cache" "$@" \
    timeout 300 "$nvim" --headless --clean -u "$HERE/$init" -c "luafile $HERE/$test" \
    </dev/null >"$log" 2>&1
  local rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok "*) pass "${line#ok }" ;;
      "not ok "*) fail "${line#not ok }" ;;
    esac
  done <"$results"
  if ! grep -qx '# done' "$results"; then
    fail "$label: Neovim session did not finish (exit $rc); log follows"
    sed 's/^/    /' "$log" | tail -40
  elif grep -q '^not ok' "$results"; then
    echo "    --- $label log (tail) ---"
    sed 's/^/    /' "$log" | tail -25
  fi
}

for pair in "nvim-0.7:$NVIM07" "nvim-0.11:$NVIM011"; do
  label=${pair%%:*}
  nvim=${pair#*:}
  echo "# $label: $("$nvim" --version | head -1)"
  run_nvim "$label" "$nvim" init.lua test_plugin.lua
  run_nvim "$label-fix-on-save" "$nvim" init.lua test_fix_on_save.lua PRODLINT_TEST_FIX_ON_SAVE=1
done
run_nvim "nvim-0.11-lsp-enable" "$NVIM011" init_enable.lua test_enable.lua

# The help file: :helptags accepts it (no duplicate tags) and indexes the documented names.
for pair in "nvim-0.7:$NVIM07" "nvim-0.11:$NVIM011"; do
  label=${pair%%:*}
  nvim=${pair#*:}
  doc="$WORK/helptags-$label"
  cp -a "$REPO/editors/neovim/doc" "$doc"
  if "$nvim" --headless --clean -c "try | helptags $doc | catch | cquit 1 | endtry" -c 'qa!' >"$doc.log" 2>&1 &&
    grep -q '^:ProdlintFixAll' "$doc/tags" && grep -q '^prodlint-lsp-enable' "$doc/tags" &&
    grep -q '^prodlint.setup()' "$doc/tags"; then
    pass "$label: :helptags on doc/prodlint.txt"
  else
    fail "$label: :helptags on doc/prodlint.txt"
    sed 's/^/    /' "$doc.log"
  fi
done

# CI integrations: YAML files, pre-commit manifest and hook, the action's scripts.
source "$HERE/integrations.sh"

finish
