#!/usr/bin/env bash
# Obtains the prodlint binary for the GitHub Action.
#
#   install.sh key      decide whether a build is needed; outputs needs-build, install-root, cache-key
#   install.sh install  install prodlint and put it on PATH
#
# Where it comes from (inputs `version` and `installer`):
#   version latest | X.Y.Z, installer release (default): the release archive for the runner's
#       platform (prodlint-TRIPLE.tar.gz, .zip on Windows) from $PRODLINT_RELEASE_URL
#       (default https://github.com/prodlint/prodlint/releases: latest/download/ASSET or
#       download/vX.Y.Z/ASSET), verified against its published .sha256 before it is unpacked.
#   version latest | X.Y.Z, installer npm: `npm install prodlint@VERSION` into the tool cache
#       ($PRODLINT_NPM_SPEC replaces the package spec, e.g. local tarballs).
#   version source: `cargo install --locked --path server` from the action's own checkout
#       (`uses: OWNER/prodlint/editors/github-action@REF` downloads the whole repository);
#       cached with actions/cache. The fallback for platforms without a prebuilt binary.
# A `prodlint` of the wanted X.Y.Z already on PATH is used as is.
# Environment: PRODLINT_VERSION, PRODLINT_INSTALLER, PRODLINT_RELEASE_URL, PRODLINT_NPM_SPEC,
# GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TOOL_CACHE, RUNNER_OS, RUNNER_ARCH
# (the last six set by the runner; the script also runs outside one, for the tests).
set -euo pipefail

mode=${1:?usage: install.sh key|install}
action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
src=$(cd "$action_path/../.." && pwd)
want=${PRODLINT_VERSION:-latest}
want=${want#v}
[ -n "$want" ] || want=latest
installer=${PRODLINT_INSTALLER:-release}
release_url=${PRODLINT_RELEASE_URL:-https://github.com/prodlint/prodlint/releases}
release_url=${release_url%/}
out=${GITHUB_OUTPUT:-/dev/null}
tool_cache=${RUNNER_TOOL_CACHE:-$HOME/.cache}

fail() {
  echo "::error title=prodlint::$*"
  exit 2
}

case "$want" in
  latest | source) ;;
  *) [[ "$want" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
    fail "version must be latest, source or a version such as 0.1.0 (got '$want')" ;;
esac
case "$installer" in
  release | npm) ;;
  *) fail "installer must be release or npm (got '$installer')" ;;
esac

# A prodlint of the wanted version already on PATH (self-hosted runner, earlier step).
path_version() {
  command -v prodlint >/dev/null 2>&1 || return 1
  prodlint --version 2>/dev/null | awk '{print $2}'
}
on_path=false
if [ "$want" != source ] && [ "$want" != latest ] && [ "$(path_version || true)" = "$want" ]; then
  on_path=true
fi

add_to_path() {
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$1" >>"$GITHUB_PATH"; fi
}

# The runner's platform as a Rust target triple (the archive names use them).
triple() {
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-gnu ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

download() { # download URL FILE
  curl --fail --silent --show-error --location --retry 3 --retry-delay 2 --connect-timeout 20 -o "$2" "$1"
}

install_release() {
  local t asset url dir tmp expected actual exe=prodlint
  t=$(triple) || fail "no prebuilt prodlint for ${RUNNER_OS:-$(uname -s)} ${RUNNER_ARCH:-$(uname -m)}; use version: source (builds with cargo) or installer: npm"
  case "$t" in *windows*) asset="prodlint-$t.zip" exe=prodlint.exe ;; *) asset="prodlint-$t.tar.gz" ;; esac
  if [ "$want" = latest ]; then url="$release_url/latest/download/$asset"; else url="$release_url/download/v$want/$asset"; fi
  dir="$tool_cache/prodlint/$want-$t"
  if [ "$want" != latest ] && [ -x "$dir/prodlint-$t/$exe" ]; then
    echo "using prodlint $want from the tool cache ($dir)"
  else
    tmp=$(mktemp -d)
    echo "downloading $url"
    download "$url" "$tmp/$asset" || fail "could not download $url (is there a release '$want' with an asset for $t?)"
    download "$url.sha256" "$tmp/$asset.sha256" || fail "could not download the checksum $url.sha256"
    expected=$(awk '{print $1; exit}' "$tmp/$asset.sha256")
    actual=$(sha256_of "$tmp/$asset")
    [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "$url.sha256 is not a SHA-256 checksum"
    [ "$expected" = "$actual" ] || fail "checksum mismatch for $asset: expected $expected, got $actual; not installed"
    echo "checksum ok: $actual"
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$asset" in
      *.zip) unzip -q "$tmp/$asset" -d "$dir" ;;
      *) tar -xzf "$tmp/$asset" -C "$dir" ;;
    esac
    rm -rf "$tmp"
  fi
  bin="$dir/prodlint-$t/$exe"
  [ -x "$bin" ] || fail "the archive $asset has no prodlint-$t/$exe"
  add_to_path "$dir/prodlint-$t"
}

install_npm() {
  local spec=${PRODLINT_NPM_SPEC:-prodlint@$want} dir="$tool_cache/prodlint/npm-$want"
  command -v npm >/dev/null 2>&1 || fail "installer: npm needs Node.js on the runner (actions/setup-node)"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  echo "npm install $spec (into $dir)"
  # shellcheck disable=SC2086 # a spec may be several tarballs
  (cd "$dir" && npm install --no-audit --no-fund --no-save $spec) || fail "npm install $spec failed"
  bin="$dir/node_modules/.bin/prodlint"
  [ -x "$bin" ] || fail "npm installed no prodlint command in $dir"
  add_to_path "$dir/node_modules/.bin"
}

install_source() {
  [ -f "$src/server/Cargo.toml" ] || fail "prodlint sources not found at $src/server (version: source needs the action used from the prodlint repository)"
  bin="$root/bin/prodlint"
  if [ -x "$bin" ]; then
    echo "using cached build $bin"
  else
    echo "building prodlint $have from $src (cargo install --locked --path server)"
    cargo install --locked --path "$src/server" --root "$root"
  fi
  add_to_path "$root/bin"
}

needs_build=false
if [ "$want" = source ] && ! $on_path; then
  needs_build=true
  [ -f "$src/server/Cargo.toml" ] || fail "prodlint sources not found at $src/server (version: source needs the action used from the prodlint repository)"
  # Version of the checkout, from Cargo's own view of the manifest (no network needed).
  have=$(cargo metadata --no-deps --offline --format-version 1 --manifest-path "$src/Cargo.toml" 2>/dev/null |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "prodlint"))') ||
    fail "could not read the prodlint version from $src/Cargo.toml (is cargo installed?)"
  # Cache key: everything the build reads.
  inputs=()
  for p in Cargo.toml Cargo.lock server grammars-config; do
    [ -e "$src/$p" ] && inputs+=("$p")
  done
  hash=$(cd "$src" && find "${inputs[@]}" -type f -not -path '*/target/*' | LC_ALL=C sort | xargs sha256sum |
    sha256sum | cut -c1-16)
  root=${PRODLINT_INSTALL_ROOT:-$tool_cache/prodlint/$have-$hash}
fi

case "$mode" in
  key)
    echo "needs-build=$needs_build" >>"$out"
    if $on_path; then echo "prodlint $want found on PATH: $(command -v prodlint)"; fi
    if $needs_build; then
      echo "install-root=$root" >>"$out"
      echo "cache-key=prodlint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$have-$hash" >>"$out"
    fi
    ;;
  install)
    if $on_path; then
      bin=$(command -v prodlint)
    elif [ "$want" = source ]; then
      install_source
    elif [ "$installer" = npm ]; then
      install_npm
    else
      install_release
    fi
    got=$("$bin" --version) || fail "$bin does not run"
    echo "$got"
    if [ "$want" != source ] && [ "$want" != latest ] && [ "$(awk '{print $2}' <<<"$got")" != "$want" ]; then
      fail "asked for prodlint $want, installed $got"
    fi
    echo "path=$bin" >>"$out"
    ;;
  *)
    fail "unknown mode $mode"
    ;;
esac
