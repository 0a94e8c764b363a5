#!/usr/bin/env bash
# Builds one platform's release artifacts from a release binary:
#   prodlint-TRIPLE.tar.gz (.zip on Windows) + .sha256           the binary archive (GitHub release, Action)
#   prodlint-cli-PLATFORM-VERSION.tgz                            npm package @prodlint/cli-PLATFORM
#   prodlint-VERSION.tgz                                         npm package prodlint (platform-independent)
#   prodlint-PLATFORM-VERSION.vsix                               VS Code extension carrying the binary
#
# Usage: .ci/release/build-artifacts.sh PLATFORM OUT_DIR [--bin PATH] [--no-vsix]
#   PLATFORM: linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64
#   --bin: the release binary (default target/TRIPLE/dist/prodlint, built by
#          .ci/release/build-binary.sh TRIPLE).
# The release workflow (.github/workflows/release.yml) runs this once per
# platform; tests/release/run.sh runs it for linux-x64 and installs each artifact.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

PLATFORM="${1:?platform (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64)}"
OUT="${2:?output folder}"
shift 2
BIN=""
VSIX=1
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --no-vsix) VSIX=0; shift ;;
    *) echo "build-artifacts: unknown option $1" >&2; exit 2 ;;
  esac
done

case "$PLATFORM" in
  linux-x64) TRIPLE=x86_64-unknown-linux-gnu OS=linux CPU=x64 ;;
  linux-arm64) TRIPLE=aarch64-unknown-linux-gnu OS=linux CPU=arm64 ;;
  darwin-x64) TRIPLE=x86_64-apple-darwin OS=darwin CPU=x64 ;;
  darwin-arm64) TRIPLE=aarch64-apple-darwin OS=darwin CPU=arm64 ;;
  win32-x64) TRIPLE=x86_64-pc-windows-msvc OS=win32 CPU=x64 ;;
  *) echo "build-artifacts: unknown platform $PLATFORM" >&2; exit 2 ;;
esac
EXE=prodlint
[ "$OS" = win32 ] && EXE=prodlint.exe
if [ -z "$BIN" ]; then
  BIN="$ROOT/target/$TRIPLE/dist/$EXE"
fi
[ -f "$BIN" ] || { echo "build-artifacts: no binary at $BIN (.ci/release/build-binary.sh $TRIPLE)" >&2; exit 2; }

VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)"
for f in "$ROOT/editors/npm/prodlint/package.json" "$ROOT/editors/vscode/package.json"; do
  v="$(node -p 'require(process.argv[1]).version' "$f")"
  [ "$v" = "$VERSION" ] || { echo "build-artifacts: $f has version $v, Cargo.toml $VERSION" >&2; exit 2; }
done
node -e '
  const p = require(process.argv[1]);
  const bad = Object.entries(p.optionalDependencies).filter(([, v]) => v !== process.argv[2]);
  if (bad.length) { console.error("build-artifacts: optionalDependencies not at", process.argv[2], bad); process.exit(2); }
' "$ROOT/editors/npm/prodlint/package.json" "$VERSION"
# A binary that runs here must say it is this version (cross-built ones are not run).
if [ "$PLATFORM" = linux-x64 ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
  "$BIN" --version | grep -q "^prodlint $VERSION " || { echo "build-artifacts: $BIN is not version $VERSION" >&2; exit 2; }
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/prodlint-release.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

sha256() { # sha256 FILE: writes FILE.sha256 in `sha256sum` format (name only)
  (cd "$(dirname "$1")" && sha256sum "$(basename "$1")" >"$(basename "$1").sha256")
}

# 1. The binary archive: prodlint-TRIPLE/{prodlint, README.md, LICENSE}, named without the
#    version (as ruff's are) so that releases/latest/download/ASSET always works.
NAME="prodlint-$TRIPLE"
mkdir -p "$STAGE/$NAME"
cp "$BIN" "$STAGE/$NAME/$EXE"
chmod 755 "$STAGE/$NAME/$EXE"
cp "$ROOT/README.md" "$ROOT/LICENSE" "$STAGE/$NAME/"
if [ "$OS" = win32 ]; then
  ARCHIVE="$OUT/$NAME.zip"
  rm -f "$ARCHIVE"
  if command -v zip >/dev/null 2>&1; then
    (cd "$STAGE" && zip -qr -X "$ARCHIVE" "$NAME")
  else
    # GitHub's Windows images have 7-Zip, not zip.
    (cd "$STAGE" && 7z a -tzip -bso0 "$ARCHIVE" "$NAME")
  fi
else
  ARCHIVE="$OUT/$NAME.tar.gz"
  # Reproducible: sorted names, fixed owner and time.
  tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' \
    -cf - "$NAME" | gzip -9n >"$ARCHIVE"
fi
sha256 "$ARCHIVE"
echo "build-artifacts: $ARCHIVE"

# 2. @prodlint/cli-PLATFORM: the binary, its os/cpu/libc, nothing else.
PKG="$STAGE/cli-$PLATFORM"
mkdir -p "$PKG"
cp "$BIN" "$PKG/$EXE"
chmod 755 "$PKG/$EXE"
cp "$ROOT/LICENSE" "$PKG/"
sed "s/PLATFORM/$PLATFORM/g" "$ROOT/editors/npm/platform/README.md" >"$PKG/README.md"
node -e '
  const [name, version, os, cpu, exe] = process.argv.slice(1);
  const p = {
    name, version,
    description: `The prodlint binary for ${os}-${cpu} (installed by the prodlint package)`,
    license: "MIT",
    homepage: "https://prodlint.dev",
    os: [os], cpu: [cpu],
    files: [exe, "README.md", "LICENSE"],
    preferUnplugged: true,
  };
  if (os === "linux") p.libc = ["glibc"];
  require("fs").writeFileSync(process.argv[6] + "/package.json", JSON.stringify(p, null, 2) + "\n");
' "@prodlint/cli-$PLATFORM" "$VERSION" "$OS" "$CPU" "$EXE" "$PKG"
(cd "$PKG" && npm pack --silent --pack-destination "$OUT" >/dev/null)
echo "build-artifacts: $OUT/prodlint-cli-$PLATFORM-$VERSION.tgz"

# 3. prodlint: the launcher, its install step, and the optional dependencies.
cp -r "$ROOT/editors/npm/prodlint" "$STAGE/prodlint"
cp "$ROOT/LICENSE" "$STAGE/prodlint/"
(cd "$STAGE/prodlint" && npm pack --silent --pack-destination "$OUT" >/dev/null)
echo "build-artifacts: $OUT/prodlint-$VERSION.tgz"

# 4. The VS Code extension for this platform, carrying the binary.
if [ "$VSIX" = 1 ]; then
  VSIX_OUT="$OUT/prodlint-$PLATFORM-$VERSION.vsix"
  (
    cd "$ROOT/editors/vscode"
    [ -d node_modules/@vscode/vsce ] || npm ci --no-audit --no-fund >/dev/null
    node scripts/build.mjs >/dev/null
    node scripts/package.mjs --bin "$BIN" --target "$PLATFORM" --out "$VSIX_OUT" >/dev/null
  )
  echo "build-artifacts: $VSIX_OUT"
fi
