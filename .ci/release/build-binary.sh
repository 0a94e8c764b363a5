#!/usr/bin/env bash
# The release binary for one target, stripped (the `dist` profile of Cargo.toml):
# target/TARGET/dist/prodlint[.exe].
# $PRODLINT_COMMIT (the release workflow sets it to the tag's commit) goes into
# `prodlint --version` and the reports; elsewhere build.rs asks git.
# Usage: .ci/release/build-binary.sh TARGET_TRIPLE
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${1:?target triple}"
case "$TARGET" in
  *windows*)
    # bindgen (pg_query) needs libclang: the LLVM that GitHub's Windows images carry.
    if [ -z "${LIBCLANG_PATH:-}" ] && [ -d "/c/Program Files/LLVM/bin" ]; then
      export LIBCLANG_PATH="C:\\Program Files\\LLVM\\bin"
    fi
    ;;
esac
cargo build --profile dist --locked -p prodlint --bin prodlint --target "$TARGET"
ls -l "target/$TARGET/dist/" | grep -E ' prodlint(\.exe)?$'
