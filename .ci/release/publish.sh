#!/usr/bin/env bash
# Publishes the artifacts of all platforms (the release workflow's last job):
#   GitHub release TAG with the archives, their .sha256 files and SHA256SUMS;
#   npm: the five @prodlint/cli-* packages, then prodlint (which depends on them);
#   VS Code Marketplace: one .vsix per platform;  crates.io: the prodlint crate.
# Usage: .ci/release/publish.sh DIST_DIR TAG [--dry-run]
# --dry-run checks everything that can be checked without publishing (the tag
# matches the version, every artifact is there, the checksums verify, `npm
# publish --dry-run`, the crate's file list) and prints what it would publish;
# tests/release/run.sh runs it on the linux-x64 artifacts (--platforms linux-x64).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIST="${1:?dist folder}"
TAG="${2:?tag, e.g. v0.1.0}"
shift 2
DRY=0
PLATFORMS="linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1; shift ;;
    --platforms) PLATFORMS="$2"; shift 2 ;;
    *) echo "publish: unknown option $1" >&2; exit 2 ;;
  esac
done
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)"
[ "$TAG" = "v$VERSION" ] || { echo "publish: tag $TAG does not match the version $VERSION in Cargo.toml" >&2; exit 2; }
run() { if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi; }

triple() {
  case "$1" in
    linux-x64) echo x86_64-unknown-linux-gnu ;; linux-arm64) echo aarch64-unknown-linux-gnu ;;
    darwin-x64) echo x86_64-apple-darwin ;; darwin-arm64) echo aarch64-apple-darwin ;;
    win32-x64) echo x86_64-pc-windows-msvc ;;
  esac
}
assets=()
for p in $PLATFORMS; do
  t="$(triple "$p")"
  a="prodlint-$t.tar.gz"
  [ "$p" = win32-x64 ] && a="prodlint-$t.zip"
  for f in "$a" "$a.sha256" "prodlint-cli-$p-$VERSION.tgz" "prodlint-$p-$VERSION.vsix"; do
    [ -s "$DIST/$f" ] || { echo "publish: $DIST/$f is missing" >&2; exit 2; }
  done
  assets+=("$a" "$a.sha256")
done
[ -s "$DIST/prodlint-$VERSION.tgz" ] || { echo "publish: $DIST/prodlint-$VERSION.tgz is missing" >&2; exit 2; }
(cd "$DIST" && for a in "${assets[@]}"; do case "$a" in *.sha256) sha256sum -c "$a" ;; esac; done)
(cd "$DIST" && sha256sum "${assets[@]/%.sha256/}" 2>/dev/null | grep -v '\.sha256$' | sort -u -k2 >SHA256SUMS)
echo "publish: SHA256SUMS"
cat "$DIST/SHA256SUMS"

# 1. GitHub release (the Action downloads from it).
files=()
for a in "${assets[@]}"; do files+=("$DIST/$a"); done
run gh release create "$TAG" --title "prodlint $VERSION" --generate-notes "${files[@]}" "$DIST/SHA256SUMS"

# 2. npm: the platform packages first, so that `prodlint`'s optional dependencies resolve.
for p in $PLATFORMS; do
  if [ "$DRY" = 1 ]; then
    npm publish --dry-run --access public "$DIST/prodlint-cli-$p-$VERSION.tgz" 2>&1 | tail -3
  else
    npm publish --access public "$DIST/prodlint-cli-$p-$VERSION.tgz"
  fi
done
if [ "$DRY" = 1 ]; then
  npm publish --dry-run "$DIST/prodlint-$VERSION.tgz" 2>&1 | tail -3
else
  npm publish "$DIST/prodlint-$VERSION.tgz"
fi

# 3. VS Code Marketplace.
VSCE="$ROOT/editors/vscode/node_modules/@vscode/vsce/vsce"
for p in $PLATFORMS; do
  run node "$VSCE" publish --packagePath "$DIST/prodlint-$p-$VERSION.vsix"
done

# 4. crates.io.
if [ "$DRY" = 1 ]; then
  (cd "$ROOT" && cargo package --locked -p prodlint --list --allow-dirty | grep -c . | sed 's/^/publish: the crate would hold /; s/$/ files/')
else
  (cd "$ROOT" && cargo publish --locked -p prodlint)
fi
if [ "$DRY" = 1 ]; then echo "publish: done (dry run: nothing published)"; else echo "publish: done"; fi
