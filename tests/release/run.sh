#!/usr/bin/env bash
# The linux-x64 release artifacts, built and then used as a user would use them:
#   1. .ci/release/build-artifacts.sh linux-x64 from the release binary;
#   2. npm: both packages installed from their tarballs into a fresh project, offline;
#      `npx prodlint check` and `npx prodlint lsp`; the installed command is the native
#      binary (no Node process); the Node launcher with --ignore-scripts; the message
#      when the platform package is missing;
#   3. the GitHub Action's install script against a fake release host on 127.0.0.1
#      (checksum verified, a corrupted archive refused) and with installer npm;
#   4. startup times (median of 20) and artifact sizes -> $OUT/figures.txt.
# The .vsix built here is installed in code-server by tests/editors/vscode/run.sh
# (PRODLINT_VSIX). Binary: $PRODLINT_RELEASE_BIN (default
# target/x86_64-unknown-linux-gnu/dist/prodlint, from .ci/release/build-binary.sh). Artifacts go to $OUT (default
# target/release-artifacts). Ends with "N passed, M failed"; exits non-zero on failure.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${PRODLINT_RELEASE_BIN:-$ROOT/target/x86_64-unknown-linux-gnu/dist/prodlint}"
OUT="${OUT:-$ROOT/target/release-artifacts}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/prodlint-release-test.XXXXXX")"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  if [ -z "${PRODLINT_KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
expect() { # expect DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@" >"$WORK/expect.log" 2>&1; then pass "$what"; else
    fail "$what"
    sed 's/^/    /' "$WORK/expect.log" | tail -15
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

[ -x "$BIN" ] || { fail "no release binary at $BIN (.ci/release/build-binary.sh x86_64-unknown-linux-gnu)"; finish; }
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)"
TRIPLE=x86_64-unknown-linux-gnu

echo "== release: build the linux-x64 artifacts"
rm -rf "$OUT"
if bash "$ROOT/.ci/release/build-artifacts.sh" linux-x64 "$OUT" --bin "$BIN" >"$WORK/build.log" 2>&1; then
  pass "build-artifacts.sh linux-x64"
else
  fail "build-artifacts.sh linux-x64"
  tail -20 "$WORK/build.log"
  finish
fi
ARCHIVE="$OUT/prodlint-$TRIPLE.tar.gz"
NPM_MAIN="$OUT/prodlint-$VERSION.tgz"
NPM_PLATFORM="$OUT/prodlint-cli-linux-x64-$VERSION.tgz"
VSIX="$OUT/prodlint-linux-x64-$VERSION.vsix"
for f in "$ARCHIVE" "$ARCHIVE.sha256" "$NPM_MAIN" "$NPM_PLATFORM" "$VSIX"; do
  expect "artifact $(basename "$f") exists" test -s "$f"
done
expect "the archive's checksum file verifies" bash -c "cd '$OUT' && sha256sum -c '$(basename "$ARCHIVE").sha256'"
expect "the archive holds prodlint-$TRIPLE/{prodlint,README.md,LICENSE} and nothing else" bash -c "
  [ \"\$(tar -tzf '$ARCHIVE' | sort | tr '\n' ' ')\" = 'prodlint-$TRIPLE/ prodlint-$TRIPLE/LICENSE prodlint-$TRIPLE/README.md prodlint-$TRIPLE/prodlint ' ]"
expect "the platform package declares os/cpu/libc and carries the binary" bash -c "
  tar -xzf '$NPM_PLATFORM' -C '$WORK' package/package.json package/prodlint &&
  node -e 'const p=require(\"$WORK/package/package.json\"); if (p.name!==\"@prodlint/cli-linux-x64\"||p.os[0]!==\"linux\"||p.cpu[0]!==\"x64\"||p.libc[0]!==\"glibc\") process.exit(1)' &&
  cmp '$WORK/package/prodlint' '$BIN'"
expect "the .vsix carries the release binary as extension/server/prodlint" bash -c "
  unzip -p '$VSIX' extension/server/prodlint | cmp - '$BIN'"

echo "== release: npm packages, installed offline into a fresh project"
PROJ="$WORK/proj"
mkdir -p "$PROJ/src"
printf '{ "name": "demo", "version": "1.0.0", "private": true }\n' >"$PROJ/package.json"
printf 'export async function POST(req: Request) {\n  const body = await req.json();\n  console.log(body);\n  return Response.json(body as any);\n}\n' >"$PROJ/src/route.ts"
export npm_config_cache="$WORK/npm-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
t0=$(date +%s%N)
if (cd "$PROJ" && npm install --offline --save-dev "$NPM_PLATFORM" "$NPM_MAIN") >"$WORK/npm-install.log" 2>&1; then
  install_ms=$((($(date +%s%N) - t0) / 1000000))
  pass "npm install --offline of both tarballs (${install_ms} ms)"
else
  fail "npm install --offline of both tarballs"
  tail -20 "$WORK/npm-install.log"
  finish
fi
expect "node_modules/.bin/prodlint is the native binary (the install step linked it: no Node process per run)" \
  bash -c "[ \"\$(head -c4 '$PROJ/node_modules/.bin/prodlint' | od -An -c | tr -d ' ')\" = '177ELF' ]"
expect "npx prodlint --version prints the version and commit" \
  bash -c "cd '$PROJ' && npx --offline prodlint --version | grep -qx 'prodlint $VERSION (commit [0-9a-f]*)'"
expect "npx prodlint check finds the demo's problems (exit 1, log-request-data and no-any-cast)" bash -c "
  cd '$PROJ' && npx --offline prodlint check src --no-cache >'$WORK/check.out'; rc=\$?;
  [ \$rc -eq 1 ] && grep -q log-request-data '$WORK/check.out' && grep -q no-any-cast '$WORK/check.out'"
expect "npx prodlint lsp answers initialize and shutdown" bash -c "cd '$PROJ' && node '$ROOT/tests/release/lsp-handshake.mjs' npx --offline prodlint"

PROJ2="$WORK/proj-ignore-scripts"
mkdir -p "$PROJ2"
printf '{ "name": "demo2", "version": "1.0.0", "private": true }\n' >"$PROJ2/package.json"
cp -r "$PROJ/src" "$PROJ2/"
if (cd "$PROJ2" && npm install --offline --ignore-scripts --save-dev "$NPM_PLATFORM" "$NPM_MAIN") >"$WORK/npm-install2.log" 2>&1; then
  expect "with --ignore-scripts the command is the Node launcher" bash -c "head -1 '$PROJ2/node_modules/prodlint/bin/prodlint' | grep -q node"
  expect "the Node launcher runs check with the binary's exit status (1)" bash -c "
    cd '$PROJ2' && ./node_modules/.bin/prodlint check src --no-cache >/dev/null; [ \$? -eq 1 ]"
  expect "the Node launcher passes the LSP stream through" bash -c "cd '$PROJ2' && node '$ROOT/tests/release/lsp-handshake.mjs' ./node_modules/.bin/prodlint"
  cp -a "$PROJ2" "$WORK/proj-no-platform"
  rm -rf "$WORK/proj-no-platform/node_modules/@prodlint"
  expect "without the platform package: exit 2 and a message naming @prodlint/cli-linux-x64" bash -c "
    cd '$WORK/proj-no-platform' && ./node_modules/.bin/prodlint --version 2>'$WORK/missing.err'; rc=\$?;
    [ \$rc -eq 2 ] && grep -q '@prodlint/cli-linux-x64' '$WORK/missing.err' && grep -q 'optional dependency' '$WORK/missing.err'"
else
  fail "npm install --offline --ignore-scripts"
  tail -20 "$WORK/npm-install2.log"
fi

echo "== release: the GitHub Action's install script against a fake release host"
REL="$WORK/host/releases"
mkdir -p "$REL/download/v$VERSION" "$REL/latest/download" "$REL/download/v9.9.9"
cp "$ARCHIVE" "$ARCHIVE.sha256" "$REL/download/v$VERSION/"
cp "$ARCHIVE" "$ARCHIVE.sha256" "$REL/latest/download/"
# A release whose archive does not match its checksum: must be refused.
cp "$ARCHIVE.sha256" "$REL/download/v9.9.9/"
(cat "$ARCHIVE"; echo tampered) >"$REL/download/v9.9.9/$(basename "$ARCHIVE")"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/host" >"$WORK/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
ACTION="$ROOT/editors/github-action/install.sh"
action() { # action NAME VERSION [env...]: runs key + install in a fresh tool cache; sets A_OUT, A_PATH, A_LOG
  local name="$1" version="$2"
  shift 2
  A_OUT="$WORK/action-$name.out" A_PATH="$WORK/action-$name.path" A_LOG="$WORK/action-$name.log"
  : >"$A_OUT"
  : >"$A_PATH"
  env -u GITHUB_ACTION_PATH "$@" PATH="/usr/bin:/bin:$(dirname "$(command -v node)")" RUNNER_OS=Linux RUNNER_ARCH=X64 \
    RUNNER_TOOL_CACHE="$WORK/tool-cache-$name" GITHUB_OUTPUT="$A_OUT" GITHUB_PATH="$A_PATH" \
    PRODLINT_RELEASE_URL="http://127.0.0.1:$PORT/releases" PRODLINT_VERSION="$version" \
    bash -c "bash '$ACTION' key && bash '$ACTION' install" >"$A_LOG" 2>&1
}
installed_version() { "$(head -1 "$A_PATH")/prodlint" --version; }
if action pinned "$VERSION" && grep -qx 'needs-build=false' "$A_OUT" && grep -q 'checksum ok' "$A_LOG" &&
  [ "$(installed_version)" = "$("$BIN" --version)" ]; then
  pass "action: version $VERSION downloads, verifies and puts the release binary on PATH"
else
  fail "action: version $VERSION downloads, verifies and puts the release binary on PATH"
  sed 's/^/    /' "$A_LOG" | tail -10
fi
if action latest latest && grep -q '/latest/download/' "$A_LOG" && [ "$(installed_version)" = "$("$BIN" --version)" ]; then
  pass "action: version latest downloads from latest/download/"
else
  fail "action: version latest downloads from latest/download/"
  sed 's/^/    /' "$A_LOG" | tail -10
fi
action tampered 9.9.9
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^::error.*checksum mismatch' "$A_LOG" && [ ! -e "$WORK/tool-cache-tampered/prodlint/9.9.9-$TRIPLE" ]; then
  pass "action: an archive that does not match its .sha256 is refused and not unpacked"
else
  fail "action: an archive that does not match its .sha256 is refused (exit $rc)"
  sed 's/^/    /' "$A_LOG" | tail -10
fi
action missing 1.2.3
rc=$?
expect "action: a version with no release fails with an error annotation naming it (exit 2)" \
  bash -c "[ $rc -eq 2 ] && grep -q '^::error.*1.2.3' '$A_LOG'"
if action npm "$VERSION" PRODLINT_INSTALLER=npm PRODLINT_NPM_SPEC="$NPM_PLATFORM $NPM_MAIN" npm_config_offline=true &&
  grep -q 'node_modules/.bin' "$A_PATH" && [ "$(installed_version)" = "$("$BIN" --version)" ]; then
  pass "action: installer npm installs the npm package (offline, from the tarballs) and puts it on PATH"
else
  fail "action: installer npm installs the npm package"
  sed 's/^/    /' "$A_LOG" | tail -10
fi

echo "== release: the publish step, as a dry run on these artifacts"
expect "publish.sh --dry-run: checksums verify, SHA256SUMS written, npm publish --dry-run of both packages" bash -c "
  bash '$ROOT/.ci/release/publish.sh' '$OUT' v$VERSION --dry-run --platforms linux-x64 >'$WORK/publish.log' 2>&1 &&
  grep -q 'prodlint-$TRIPLE.tar.gz: OK' '$WORK/publish.log' && grep -q '^+ @prodlint/cli-linux-x64@$VERSION' '$WORK/publish.log' &&
  grep -q '^+ prodlint@$VERSION' '$WORK/publish.log' && grep -q 'would run: gh release create v$VERSION' '$WORK/publish.log' &&
  [ \"\$(wc -l <'$OUT/SHA256SUMS')\" -eq 1 ]"
expect "publish.sh refuses a tag that is not the version" bash -c "
  ! bash '$ROOT/.ci/release/publish.sh' '$OUT' v9.9.9 --dry-run --platforms linux-x64 2>'$WORK/publish-bad.log' &&
  grep -q 'does not match the version' '$WORK/publish-bad.log'"

echo "== release: figures"
# Startup: the four ways to start `prodlint --version`, interleaved (one run of
# each per round, 20 rounds after one warm-up round) so that load on a shared
# machine hits them alike; the median per way, in ms.
ways=(bare installed npx launcher)
run_way() {
  case "$1" in
    bare) "$BIN" --version ;;
    installed) (cd "$PROJ" && ./node_modules/.bin/prodlint --version) ;;
    npx) (cd "$PROJ" && npx --offline prodlint --version) ;;
    launcher) (cd "$PROJ2" && ./node_modules/.bin/prodlint --version) ;;
  esac >/dev/null 2>&1
}
declare -A samples
for round in $(seq 0 20); do
  for w in "${ways[@]}"; do
    t0=$(date +%s%N)
    run_way "$w"
    t=$((($(date +%s%N) - t0) / 10000)) # hundredths of a ms
    [ "$round" -gt 0 ] && samples[$w]+="$t "
  done
done
median_ms() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | sort -n | sed -n '10p;11p' | awk '{s+=$1} END {printf "%.1f", s/200}'; }
{
  echo "prodlint $VERSION linux-x64 release artifacts ($(date -u +%F), $(nproc) cores)"
  echo
  echo "artifact sizes:"
  for f in "$ARCHIVE" "$NPM_PLATFORM" "$NPM_MAIN" "$VSIX"; do
    printf '  %-45s %8.1f KiB\n' "$(basename "$f")" "$(awk -v b="$(stat -c %s "$f")" 'BEGIN {print b / 1024}')"
  done
  printf '  %-45s %8.1f KiB\n' "binary (unpacked)" "$(awk -v b="$(stat -c %s "$BIN")" 'BEGIN {print b / 1024}')"
  echo
  echo "npm install --offline of the two tarballs into a fresh project: ${install_ms:-?} ms"
  echo
  echo "startup, median of 20 (ms):"
  echo "  bare binary --version:                          $(median_ms bare)"
  echo "  installed node_modules/.bin/prodlint --version: $(median_ms installed)"
  echo "  npx prodlint --version:                         $(median_ms npx)"
  echo "  Node launcher (--ignore-scripts) --version:     $(median_ms launcher)"
} >"$OUT/figures.txt"
cat "$OUT/figures.txt"
# PRODLINT_UPDATE_BENCHMARKS=1: put these figures in docs/benchmarks.md (its
# release-startup section; tests/bench/run keeps that section when it rewrites the file).
if [ -n "${PRODLINT_UPDATE_BENCHMARKS:-}" ]; then
  python3 - "$ROOT/docs/benchmarks.md" "$OUT/figures.txt" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" <<'PY'
import sys
doc_path, figures_path, commit = sys.argv[1:4]
doc = open(doc_path).read()
begin, end = "<!-- release-startup:begin -->", "<!-- release-startup:end -->"
section = (begin + "\n## Installed as a user installs it (npm, release archive)\n\n"
           "Written by `PRODLINT_UPDATE_BENCHMARKS=1 tests/release/run.sh` (at commit " + commit + "): the "
           "linux-x64 artifacts built from the stripped `dist` binary, the two npm tarballs installed offline into "
           "a fresh project, and `--version` started 20 times each after one warm-up run (median; the machine "
           "was shared with other work, so single milliseconds are noise).\n\n```\n"
           + open(figures_path).read().rstrip("\n") + "\n```\n" + end)
if begin in doc and end in doc:
    doc = doc[:doc.index(begin)] + section + doc[doc.index(end) + len(end):]
else:
    doc = doc.rstrip("\n") + "\n\n" + section + "\n"
open(doc_path, "w").write(doc)
print("release: figures written to", doc_path)
PY
fi
finish
