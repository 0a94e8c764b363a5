#!/usr/bin/env bash
# The VS Code extension's tests, in real VS Code (code-server):
#   install (idempotent, cached in ${PRODLINT_EDITOR_CACHE:-$HOME/.cache/prodlint-editors}),
#   build (gen-rules, typecheck, esbuild), unit tests, package (.vsix with the server),
#   (a) extension-host tests through the vscode API (suite/),
#   (b) UI smoke test of the installed .vsix through playwright (ui.mjs).
#   (c) with $PRODLINT_NPM_TARBALLS (the npm packages, tests/release/run.sh): the same UI
#       test in a workspace that installed prodlint from npm: the extension must run the
#       project's own binary, not its bundled one.
# The prodlint binary comes from $PRODLINT_BIN (default: target/debug/prodlint
# relative to the repo root); this script does not build it. $PRODLINT_VSIX (the
# release .vsix from .ci/release/build-artifacts.sh) replaces the .vsix packaged
# here from $PRODLINT_BIN in (b) and (c).
# Ends with the line "N passed, M failed"; exits non-zero when anything failed.
# Screenshots and logs go to tests/editors/vscode/out/.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
EXT="$ROOT/editors/vscode"
OUT="$HERE/out"
PRODLINT_BIN="${PRODLINT_BIN:-$ROOT/target/debug/prodlint}"
case "$PRODLINT_BIN" in /*) ;; *) PRODLINT_BIN="$ROOT/$PRODLINT_BIN" ;; esac
export PRODLINT_BIN

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
finish() {
  if [ "$skipped" -gt 0 ]; then
    echo "(skipped: tests of the contract's examples whose rules the server does not have yet)"
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  [ "$failed" -eq 0 ]
  exit $?
}

rm -rf "$OUT"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/prodlint-vscode.XXXXXX")"
GROUPS_TO_KILL=()
cleanup() {
  if [ -n "${WATCHER:-}" ]; then kill "$WATCHER" 2>/dev/null || true; fi
  for pg in "${GROUPS_TO_KILL[@]}"; do
    kill -TERM -- "-$pg" 2>/dev/null || true
  done
  sleep 1
  for pg in "${GROUPS_TO_KILL[@]}"; do
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  if [ -z "${PRODLINT_KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== vscode: install"
if ! install_out="$(bash "$HERE/install.sh")"; then
  fail "install (code-server, playwright-core, chromium)"
  finish
fi
eval "$install_out" # CODE_SERVER, CODE_SERVER_DIR, PLAYWRIGHT_NODE_PATH
export PLAYWRIGHT_NODE_PATH
pass "install"

if [ ! -x "$PRODLINT_BIN" ]; then
  fail "no prodlint binary at $PRODLINT_BIN (set PRODLINT_BIN)"
  finish
fi

echo "== vscode: build"
(
  cd "$EXT"
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(node -p 'JSON.stringify(require("./package-lock.json").packages)') \
    <(node -p 'JSON.stringify(require("./node_modules/.package-lock.json").packages)' 2>/dev/null); then
    npm ci --no-audit --no-fund >"$OUT/npm-ci.log" 2>&1 || { tail -30 "$OUT/npm-ci.log"; exit 1; }
  fi
) && pass "npm ci (pinned by package-lock.json)" || { fail "npm ci"; finish; }
(cd "$EXT" && node scripts/gen-rules.mjs --bin "$PRODLINT_BIN") && pass "gen-rules: prodlint.rules schema from prodlint rules --format json" \
  || fail "gen-rules"
(cd "$EXT" && node -e '
  const p = require("./package.json").contributes.configuration.properties["prodlint.rules"].properties;
  const ids = JSON.parse(require("child_process").execFileSync(process.env.PRODLINT_BIN, ["rules", "--format", "json"], {encoding: "utf8"})).map(r => r.id);
  const missing = ids.filter(id => !p[id]);
  const bad = Object.entries(p).filter(([, v]) => JSON.stringify(v.enum) !== JSON.stringify(["off","info","warn","error"]));
  if (!ids.length || missing.length || bad.length) { console.error({ ids: ids.length, missing, bad }); process.exit(1); }
  console.log(`   ${ids.length} rules listed in package.json`);
') && pass "package.json lists every rule id with enum off/info/warn/error" || fail "package.json rule list"
(cd "$EXT" && npx --no-install tsc -p . --noEmit && node scripts/build.mjs) && pass "typecheck + esbuild bundle" \
  || { fail "typecheck + esbuild bundle"; finish; }

echo "== vscode: unit tests"
if (cd "$EXT" && node --test test/ >"$OUT/unit.log" 2>&1); then :; fi
u_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$OUT/unit.log")
u_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$OUT/unit.log")
if [ -z "$u_pass" ]; then fail "unit tests did not run (see $OUT/unit.log)"; else
  echo "   unit: $u_pass passed, ${u_fail:-0} failed"
  passed=$((passed + u_pass)); failed=$((failed + ${u_fail:-0}))
  [ "${u_fail:-0}" -eq 0 ] || grep -B2 -A15 '^not ok' "$OUT/unit.log" | head -60
fi

echo "== vscode: package"
VSIX="$OUT/prodlint-linux-x64.vsix"
if (cd "$EXT" && node scripts/package.mjs --bin "$PRODLINT_BIN" --out "$VSIX" >"$OUT/package.log" 2>&1); then
  pass "vsce package"
  listing="$(unzip -Z1 "$VSIX")"
  missing=""
  # (vsce stores README.md as readme.md and LICENSE as LICENSE.txt)
  for f in extension/package.json extension/dist/extension.js extension/server/prodlint extension/readme.md \
    extension/LICENSE.txt extension/language-configuration/dotenv.json extension/images/problems.png; do
    grep -qix "$f" <<<"$listing" || missing="$missing $f"
  done
  stray="$(grep -E '^extension/(src|node_modules|scripts|test)/' <<<"$listing" | head -3)"
  if [ -z "$missing" ] && [ -z "$stray" ] && grep -q 'TargetPlatform="linux-x64"' <(unzip -p "$VSIX" extension.vsixmanifest); then
    pass ".vsix carries dist/extension.js and server/prodlint, targets linux-x64, no sources"
  else
    fail ".vsix contents: missing:$missing stray:$stray"
  fi
else
  tail -30 "$OUT/package.log"
  fail "vsce package"
  VSIX=""
fi

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# start_code_server NAME WORKSPACE [extra env assignments...]: sets CS_PORT.
start_code_server() {
  local name="$1" ws="$2"
  shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir/user/User" "$dir/extensions"
  [ -f "$dir/user/User/settings.json" ] || echo '{}' >"$dir/user/User/settings.json"
  CS_PORT="$(free_port)"
  # code-server's own config file, kept out of ~/.config.
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$CS_PORT" >"$dir/config.yaml"
  env "$@" EXTENSIONS_GALLERY='{}' setsid node "$CODE_SERVER" \
    --config "$dir/config.yaml" --bind-addr "127.0.0.1:$CS_PORT" --auth none \
    --user-data-dir "$dir/user" --extensions-dir "$dir/extensions" \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override --ignore-last-opened "$ws" \
    >"$OUT/code-server-$name.log" 2>&1 </dev/null &
  local pid=$!
  local pg
  pg="$(ps -o pgid= "$pid" | tr -d ' ')"
  GROUPS_TO_KILL+=("${pg:-$pid}")
  for _ in $(seq 1 120); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
      "http://127.0.0.1:$CS_PORT/healthz" 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "code-server ($name) did not come up:"
  tail -20 "$OUT/code-server-$name.log"
  return 1
}

stop_code_server() {
  local pg="${GROUPS_TO_KILL[-1]}"
  kill -TERM -- "-$pg" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

user_settings() { # user_settings FILE [prodlint.path]
  node -e '
    const s = {
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.welcomePage.walkthroughs.openOnInstall": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoUpdate": false,
      "extensions.autoCheckUpdates": false,
      "extensions.ignoreRecommendations": true,
      "update.mode": "none",
      "chat.disableAIFeatures": true,
      "git.enabled": false,
      "typescript.tsserver.experimental.enableProjectDiagnostics": false,
      "files.autoSave": "off",
      "typescript.validate.enable": false,
      "javascript.validate.enable": false,
      "window.confirmBeforeClose": "never"
    };
    if (process.argv[2]) s["prodlint.path"] = process.argv[2];
    if (process.env.PRODLINT_VSCODE_TRACE) s["prodlint.trace.server"] = "verbose";
    require("fs").writeFileSync(process.argv[1], JSON.stringify(s, null, 2));
  ' "$@"
}

echo "== vscode: (a) extension-host tests (code-server $CODE_SERVER_DIR)"
mkdir -p "$WORK/a/user/User"
cp -a "$HERE/fixtures/workspace" "$WORK/a/ws"
user_settings "$WORK/a/user/User/settings.json" "$PRODLINT_BIN"
if start_code_server a "$WORK/a/ws" PRODLINT_VSCODE_RESULTS="$WORK/a/results.json"; then
  node "$HERE/host.mjs" "$CS_PORT" "$WORK/a/ws" "$EXT" "$HERE/suite/index.js" "$WORK/a/results.json" "$OUT" \
    | tee "$OUT/host.log"
  cp "$WORK/a/results.json" "$OUT/extension-host-results.json" 2>/dev/null || true
  if [ -f "$WORK/a/results.json" ]; then
    a_pass=$(node -p 'require(process.argv[1]).results.filter(r => r.ok && !r.skipped).length' "$WORK/a/results.json")
    a_fail=$(node -p 'require(process.argv[1]).results.filter(r => !r.ok).length' "$WORK/a/results.json")
    a_skip=$(node -p 'require(process.argv[1]).results.filter(r => r.skipped).length' "$WORK/a/results.json")
    passed=$((passed + a_pass)); failed=$((failed + a_fail)); skipped=$((skipped + a_skip))
    node -e 'process.exit(require(process.argv[1]).done ? 0 : 1)' "$WORK/a/results.json" \
      || fail "extension-host suite did not finish"
  else
    fail "extension-host suite wrote no results"
  fi
  stop_code_server
else
  fail "code-server (a) start"
fi

# The command lines of the `prodlint lsp` processes seen while a UI test runs:
# watch_servers FILE starts a poller (every 0.3 s) and sets WATCHER; the
# browser's exit ends the extension host (and its server) soon after the test,
# so looking afterwards races with the shutdown.
watch_servers() {
  : >"$1"
  (while :; do ps -eo args= | grep -E '/prodlint lsp$' | grep -v grep >>"$1"; sleep 0.3; done) &
  WATCHER=$!
}
# server_process FILE DIR: a server seen running from DIR.
server_process() { sort -u "$1" | grep -F -- "$2" | head -1; }

echo "== vscode: (b) UI smoke test of the installed .vsix"
if [ -n "${PRODLINT_VSIX:-}" ]; then
  if [ -f "$PRODLINT_VSIX" ]; then
    VSIX="$PRODLINT_VSIX"
    echo "   installing the release .vsix $VSIX"
  else
    fail "PRODLINT_VSIX=$PRODLINT_VSIX does not exist"
    VSIX=""
  fi
fi
if [ -n "$VSIX" ]; then
  mkdir -p "$WORK/b/user/User" "$WORK/b/extensions"
  user_settings "$WORK/b/user/User/settings.json"
  if node "$CODE_SERVER" --user-data-dir "$WORK/b/user" --extensions-dir "$WORK/b/extensions" \
    --install-extension "$VSIX" >"$OUT/install-extension.log" 2>&1 </dev/null; then
    installed_bin="$(ls -d "$WORK"/b/extensions/prodlint.prodlint-*/server/prodlint 2>/dev/null | head -1)"
    if [ -n "$installed_bin" ] && [ -x "$installed_bin" ]; then
      pass "code-server --install-extension installs the .vsix with an executable server/prodlint"
    else
      fail "installed extension has no executable server/prodlint ($(ls "$WORK/b/extensions"))"
    fi
    cp -a "$HERE/fixtures/workspace" "$WORK/b/ws"
    # The installed extension must find its bundled server: no prodlint.path, no prodlint on PATH.
    if start_code_server b "$WORK/b/ws" PATH="$(dirname "$(command -v node)"):/usr/bin:/bin"; then
      watch_servers "$OUT/servers-b.txt"
      node "$HERE/ui.mjs" "$CS_PORT" "$WORK/b/ws" "$OUT" | tee "$OUT/ui.log"
      kill "$WATCHER" 2>/dev/null
      running="$(server_process "$OUT/servers-b.txt" "$WORK/b/extensions/prodlint.prodlint-")"
      if [ -n "$running" ]; then pass "(b) the extension runs its bundled server: $running"; else
        fail "(b) no bundled server process seen ($(sort -u "$OUT/servers-b.txt" | head -3))"
      fi
      if [ -n "${PRODLINT_VSIX:-}" ] && [ -n "${PRODLINT_RELEASE_BIN:-}" ]; then
        if cmp -s "$installed_bin" "$PRODLINT_RELEASE_BIN"; then pass "(b) the installed extension carries the release binary"; else
          fail "(b) the installed extension's server/prodlint is not $PRODLINT_RELEASE_BIN"
        fi
      fi
      if [ -f "$OUT/ui-results.json" ]; then
        b_pass=$(node -p 'require(process.argv[1]).filter(r => r.ok).length' "$OUT/ui-results.json")
        b_fail=$(node -p 'require(process.argv[1]).filter(r => !r.ok).length' "$OUT/ui-results.json")
        passed=$((passed + b_pass)); failed=$((failed + b_fail))
      else
        fail "UI test wrote no results"
      fi
      stop_code_server
    else
      fail "code-server (b) start"
    fi
  else
    tail -20 "$OUT/install-extension.log"
    fail "code-server --install-extension $VSIX"
  fi
else
  fail "UI smoke test skipped: no .vsix"
fi

echo "== vscode: (c) the project's own prodlint (npm) before the bundled one"
if [ -n "${PRODLINT_NPM_TARBALLS:-}" ] && [ -n "$VSIX" ] && [ -d "$WORK/b/extensions" ]; then
  cp -a "$HERE/fixtures/workspace" "$WORK/c-ws"
  mkdir -p "$WORK/c/user/User" "$OUT/c"
  user_settings "$WORK/c/user/User/settings.json"
  printf '{ "name": "fixture", "version": "1.0.0", "private": true }\n' >"$WORK/c-ws/package.json"
  # shellcheck disable=SC2086 # two tarballs
  if (cd "$WORK/c-ws" && npm install --offline --no-audit --no-fund --cache "$WORK/npm-cache" --save-dev $PRODLINT_NPM_TARBALLS) >"$OUT/c/npm-install.log" 2>&1; then
    pass "(c) npm install --offline of the prodlint packages into the workspace"
    mkdir -p "$WORK/c"
    cp -a "$WORK/b/extensions" "$WORK/c/extensions"
    if start_code_server c "$WORK/c-ws" PATH="$(dirname "$(command -v node)"):/usr/bin:/bin"; then
      watch_servers "$OUT/c/servers.txt"
      node "$HERE/ui.mjs" "$CS_PORT" "$WORK/c-ws" "$OUT/c" | tee "$OUT/c/ui.log"
      kill "$WATCHER" 2>/dev/null
      running="$(server_process "$OUT/c/servers.txt" "$WORK/c-ws/node_modules/")"
      if [ -n "$running" ] && [ -z "$(server_process "$OUT/c/servers.txt" "$WORK/c/extensions/")" ]; then
        pass "(c) the extension runs the project's prodlint, not the bundled one: $running"
      else
        fail "(c) project-local server not used (seen: $(sort -u "$OUT/c/servers.txt" | head -3))"
      fi
      if [ -f "$OUT/c/ui-results.json" ]; then
        c_pass=$(node -p 'require(process.argv[1]).filter(r => r.ok).length' "$OUT/c/ui-results.json")
        c_fail=$(node -p 'require(process.argv[1]).filter(r => !r.ok).length' "$OUT/c/ui-results.json")
        passed=$((passed + c_pass)); failed=$((failed + c_fail))
      else
        fail "(c) UI test wrote no results"
      fi
      stop_code_server
    else
      fail "code-server (c) start"
    fi
  else
    tail -20 "$OUT/c/npm-install.log"
    fail "(c) npm install of $PRODLINT_NPM_TARBALLS"
  fi
else
  echo "   skipped: set PRODLINT_NPM_TARBALLS (tests/release/run.sh builds them) to run it"
fi

# PRODLINT_UPDATE_SCREENSHOTS=1 refreshes the README's screenshots from this run.
if [ -n "${PRODLINT_UPDATE_SCREENSHOTS:-}" ] && [ -f "$OUT/problems.png" ] && [ -f "$OUT/quickfix.png" ]; then
  cp "$OUT/problems.png" "$OUT/quickfix.png" "$EXT/images/" && echo "README screenshots updated in $EXT/images/"
fi
echo "screenshots and logs: $OUT"
finish
