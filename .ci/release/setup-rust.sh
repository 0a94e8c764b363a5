#!/usr/bin/env bash
# Stable Rust with the given target (rustup; installed when missing).
# Usage: .ci/release/setup-rust.sh TARGET_TRIPLE
set -euo pipefail
TARGET="${1:?target triple}"
if ! command -v rustup >/dev/null 2>&1; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain stable
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
  [ -n "${GITHUB_PATH:-}" ] && echo "$HOME/.cargo/bin" >>"$GITHUB_PATH"
fi
rustup target add "$TARGET"
cargo --version
