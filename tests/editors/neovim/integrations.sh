# Checks of the CI integrations, sourced by run.sh (uses pass/fail, BIN, REPO, HERE, WORK,
# PRE_COMMIT, TOOLS_PYTHON): the action's YAML and scripts against the real binary, the pre-commit
# hook manifest and hooks through `pre-commit try-repo`, and the `--format github` README example.

INT="$WORK/integrations"
mkdir -p "$INT"

# expect NAME CONDITION-COMMAND...: pass when the command succeeds.
expect() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# --- YAML files ------------------------------------------------------------------------------
while IFS= read -r line; do
  case "$line" in
    "ok "*) pass "${line#ok }" ;;
    "not ok "*) fail "${line#not ok }" ;;
  esac
done < <("$TOOLS_PYTHON" "$HERE/check_yaml.py" "$REPO" 2>&1 || true)

if "$PRE_COMMIT" validate-manifest "$REPO/.pre-commit-hooks.yaml" >"$INT/validate.log" 2>&1; then
  pass "pre-commit: validate-manifest .pre-commit-hooks.yaml"
else
  fail "pre-commit: validate-manifest .pre-commit-hooks.yaml"
  sed 's/^/    /' "$INT/validate.log"
fi

# --- action scripts --------------------------------------------------------------------------
ACTION="$REPO/editors/github-action"
have_version=$(cargo metadata --no-deps --offline --format-version 1 --manifest-path "$REPO/Cargo.toml" 2>/dev/null |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "prodlint"))' 2>/dev/null)

out="$INT/key-source.out"
: >"$out"
if GITHUB_OUTPUT="$out" PRODLINT_VERSION=source bash "$ACTION/install.sh" key >"$INT/key-source.log" 2>&1 &&
  grep -qx 'needs-build=true' "$out" && grep -q "^cache-key=prodlint-.*-$have_version-[0-9a-f]\{16\}$" "$out" &&
  grep -q '^install-root=/' "$out"; then
  pass "action install.sh: version=source plans a cached build of the checkout ($have_version)"
else
  fail "action install.sh: version=source plans a cached build of the checkout ($have_version)"
  sed 's/^/    /' "$INT/key-source.log" "$out"
fi

out="$INT/key-release.out"
: >"$out"
if GITHUB_OUTPUT="$out" PRODLINT_VERSION=99.0.0 bash "$ACTION/install.sh" key >"$INT/key-release.log" 2>&1 &&
  grep -qx 'needs-build=false' "$out"; then
  pass "action install.sh: a release version needs no build (downloads are tested in tests/release/run.sh)"
else
  fail "action install.sh: a release version needs no build"
  sed 's/^/    /' "$INT/key-release.log" "$out"
fi

out="$INT/key-malformed.out"
: >"$out"
GITHUB_OUTPUT="$out" PRODLINT_VERSION=banana bash "$ACTION/install.sh" key >"$INT/key-malformed.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^::error.*latest, source or a version' "$INT/key-malformed.log" && ! grep -q needs-build "$out"; then
  pass "action install.sh: a malformed version fails with an error annotation"
else
  fail "action install.sh: a malformed version fails with an error annotation (exit $rc)"
  sed 's/^/    /' "$INT/key-malformed.log"
fi

# A prodlint of the asked version on PATH is used without building (needs `prodlint --version`).
mkdir -p "$INT/path-bin"
ln -sf "$BIN" "$INT/path-bin/prodlint"
out="$INT/key-path.out"
: >"$out"
PATH="$INT/path-bin:$PATH" GITHUB_OUTPUT="$out" PRODLINT_VERSION="v$have_version" bash "$ACTION/install.sh" key >"$INT/key-path.log" 2>&1
if [ "$("$BIN" --version 2>/dev/null | awk '{print $1, $2}')" = "prodlint $have_version" ]; then
  expect "action install.sh: prodlint $have_version already on PATH is used without building" grep -qx 'needs-build=false' "$out"
else
  fail "prodlint --version does not print 'prodlint $have_version' (the action relies on it to reuse an installed binary)"
fi

# check.sh on the fixture workspace: SARIF written, exit code recorded, step passes.
cp -a "$HERE/fixtures/workspace" "$INT/ws"
out="$INT/check.out"
: >"$out"
(cd "$INT/ws" && PRODLINT="$BIN" GITHUB_OUTPUT="$out" INPUT_PATHS=$'src\nsupabase .env.production' \
  INPUT_ARGS="--rule 'no-any-cast=error'" INPUT_SARIF_FILE=out/prodlint.sarif bash "$ACTION/check.sh") >"$INT/check.log" 2>&1
rc=$?
sarif="$INT/ws/out/prodlint.sarif"
if [ "$rc" -eq 0 ] && grep -qx 'exit-code=1' "$out" && grep -qx 'sarif-written=true' "$out" &&
  grep -qx "sarif-path=$sarif" "$out"; then
  pass "action check.sh: findings recorded (exit-code=1), SARIF written, step itself passes"
else
  fail "action check.sh: findings recorded (exit-code=1), SARIF written, step itself passes (exit $rc)"
  sed 's/^/    /' "$INT/check.log" "$out"
fi

sarif_has() { # RULE...: every rule has a result in $sarif, with a relative URI and 1-based region
  python3 - "$sarif" "$@" <<'PY'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert s["version"] == "2.1.0", s.get("version")
run = s["runs"][0]
assert run["tool"]["driver"]["name"] == "prodlint"
results = run["results"]
for rule in sys.argv[2:]:
    hits = [r for r in results if r["ruleId"] == rule]
    assert hits, f"no {rule} result in {[r['ruleId'] for r in results]}"
    loc = hits[0]["locations"][0]["physicalLocation"]
    assert not loc["artifactLocation"]["uri"].startswith("/"), loc
    assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1, loc
PY
}
expect "action check.sh: SARIF 2.1.0 holds rls-disabled and cors-wildcard results" sarif_has rls-disabled cors-wildcard
sarif_levels() { # RULE LEVEL COUNT: exactly COUNT results of RULE, all at LEVEL
  python3 - "$sarif" "$@" <<'PY'
import json, sys
results = json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]["results"]
hits = [r for r in results if r["ruleId"] == sys.argv[2]]
assert len(hits) == int(sys.argv[4]), hits
assert all(r.get("level") == sys.argv[3] for r in hits), [r.get("level") for r in hits]
PY
}
expect "action check.sh: args reach prodlint (--rule 'no-any-cast=error' makes all 4 casts errors in SARIF)" \
  sarif_levels no-any-cast error 4

gate() { # FAIL_ON EXPECTED_EXIT [SARIF]
  local s=${3:-$sarif}
  GITHUB_OUTPUT="$INT/gate.out" python3 "$ACTION/gate.py" "$s" "$1" >"$INT/gate-$1.log" 2>&1
  local rc=$?
  [ "$rc" -eq "$2" ] || { sed 's/^/    /' "$INT/gate-$1.log"; return 1; }
}
expect "action gate.py: fail-on error fails on an error finding" gate error 1
expect "action gate.py: fail-on warning fails" gate warning 1
expect "action gate.py: fail-on none passes" gate none 0
expect "action gate.py: an unknown fail-on value is an error (exit 2)" gate sometimes 2

# Only warnings: fail-on error passes, fail-on warning fails.
mkdir -p "$INT/warn/src"
cp "$HERE/fixtures/workspace/package.json" "$INT/warn/"
cp "$HERE/fixtures/workspace/src/legacy.ts" "$HERE/fixtures/workspace/src/cast.ts" "$INT/warn/src/"
(cd "$INT/warn" && PRODLINT="$BIN" GITHUB_OUTPUT="$INT/warn.out" INPUT_PATHS=. INPUT_SARIF_FILE=w.sarif bash "$ACTION/check.sh") >"$INT/warn.log" 2>&1
expect "action gate.py: warnings only pass fail-on error" gate error 0 "$INT/warn/w.sarif"
expect "action gate.py: warnings only fail fail-on warning" gate warning 1 "$INT/warn/w.sarif"
: >"$INT/gate.out"
gate none 0 "$INT/warn/w.sarif"
expect "action gate.py: counts written to GITHUB_OUTPUT (no errors)" grep -qx 'errors=0' "$INT/gate.out"
expect "action gate.py: counts written to GITHUB_OUTPUT (warnings)" grep -Eqx 'warnings=[1-9][0-9]*' "$INT/gate.out"

# A configuration error fails the check step with prodlint's exit status 2.
(cd "$INT/ws" && PRODLINT="$BIN" GITHUB_OUTPUT="$INT/bad.out" INPUT_PATHS=src INPUT_ARGS="--config does-not-exist.toml" \
  INPUT_SARIF_FILE=bad.sarif bash "$ACTION/check.sh") >"$INT/bad.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^::error' "$INT/bad.log"; then
  pass "action check.sh: a configuration error fails the step (exit 2)"
else
  fail "action check.sh: a configuration error fails the step (got exit $rc)"
  sed 's/^/    /' "$INT/bad.log"
fi

# The README's annotation example: `prodlint check --format github`.
(cd "$INT/ws" && "$BIN" check --format github src supabase) >"$INT/github.log" 2>&1
if grep -E '^::error ' "$INT/github.log" | grep -F 'file=supabase/migrations/20240101000000_init.sql' |
  grep -Eq '[ ,]line=1(,|::)'; then
  pass "--format github: workflow-command annotation for rls-disabled"
else
  fail "--format github: workflow-command annotation for rls-disabled"
  sed 's/^/    /' "$INT/github.log" | head -20
fi

if grep -E '^::error ' "$INT/github.log" | grep -F 'file=src/server/payments/charge.ts' | grep -Eq '[ ,]line=2,col=11(,|::)'; then
  pass "--format github: error annotation for no-any-cast in src/server/payments/charge.ts at 2:11"
else
  fail "--format github: error annotation for no-any-cast in src/server/payments/charge.ts at 2:11"
  sed 's/^/    /' "$INT/github.log" | head -20
fi

# --- pre-commit hooks through try-repo ---------------------------------------------------------
export PRE_COMMIT_HOME="$INT/pre-commit-home"
PC_REPO="$INT/pc-repo"
cp -a "$HERE/fixtures/workspace" "$PC_REPO"
mkdir -p "$PC_REPO/clean"
printf 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' >"$PC_REPO/clean/add.ts"
git -C "$PC_REPO" init -q
git -C "$PC_REPO" add -A
try_hook() { # HOOK LOG FILES...
  local hook=$1 log=$2
  shift 2
  (cd "$PC_REPO" && PATH="$INT/path-bin:$PATH" "$PRE_COMMIT" try-repo "$REPO" "$hook" --verbose --files "$@") >"$log" 2>&1
}
try_hook prodlint "$INT/pc-error.log" src/server/payments/charge.ts src/cast.ts
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'no-any-cast' "$INT/pc-error.log" && grep -Eq '^prodlint\.+Failed' "$INT/pc-error.log"; then
  pass "pre-commit try-repo: hook prodlint fails on an error-level finding (no-any-cast in server payments code)"
else
  fail "pre-commit try-repo: hook prodlint fails on an error-level finding (exit $rc)"
  sed 's/^/    /' "$INT/pc-error.log" | tail -30
fi
try_hook prodlint "$INT/pc-fail.log" supabase/migrations/20240101000000_init.sql src/products.ts
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'rls-disabled' "$INT/pc-fail.log" && grep -Eq '^prodlint\.+Failed' "$INT/pc-fail.log"; then
  pass "pre-commit try-repo: hook prodlint fails on an rls-disabled migration"
else
  fail "pre-commit try-repo: hook prodlint fails on an rls-disabled migration (exit $rc)"
  sed 's/^/    /' "$INT/pc-fail.log" | tail -30
fi
try_hook prodlint "$INT/pc-pass.log" clean/add.ts
rc=$?
if [ "$rc" -eq 0 ] && grep -Eq '^prodlint\.+Passed' "$INT/pc-pass.log"; then
  pass "pre-commit try-repo: hook prodlint passes a clean file"
else
  fail "pre-commit try-repo: hook prodlint passes a clean file (exit $rc)"
  sed 's/^/    /' "$INT/pc-pass.log" | tail -30
fi
try_hook prodlint "$INT/pc-env-skip.log" .env.production
if grep -Eq '^prodlint\.+\(no files to check\)Skipped' "$INT/pc-env-skip.log"; then
  pass "pre-commit try-repo: hook prodlint skips dotenv files"
else
  fail "pre-commit try-repo: hook prodlint skips dotenv files"
  sed 's/^/    /' "$INT/pc-env-skip.log" | tail -20
fi
try_hook prodlint-dotenv "$INT/pc-env.log" .env.production
if grep -Eq '^prodlint \(dotenv\)\.+(Passed|Failed)' "$INT/pc-env.log" && grep -q -- '- hook id: prodlint-dotenv' "$INT/pc-env.log"; then
  pass "pre-commit try-repo: hook prodlint-dotenv runs prodlint on .env.production"
else
  fail "pre-commit try-repo: hook prodlint-dotenv runs prodlint on .env.production"
  sed 's/^/    /' "$INT/pc-env.log" | tail -20
fi
try_hook prodlint-dotenv "$INT/pc-env-ts.log" clean/add.ts
if grep -Eq '^prodlint \(dotenv\)\.+\(no files to check\)Skipped' "$INT/pc-env-ts.log"; then
  pass "pre-commit try-repo: hook prodlint-dotenv skips TypeScript files"
else
  fail "pre-commit try-repo: hook prodlint-dotenv skips TypeScript files"
  sed 's/^/    /' "$INT/pc-env-ts.log" | tail -20
fi
