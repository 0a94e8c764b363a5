#!/usr/bin/env bash
# Installs what the VS Code extension tests need, idempotently, into
# ${PRODLINT_EDITOR_CACHE:-$HOME/.cache/prodlint-editors}:
#   - Debian packages: chromium, ripgrep, libkrb5-dev (+ build tools for native modules)
#   - code-server (VS Code in the browser) from npm, pinned
#   - playwright-core (drives Debian's chromium), pinned
# Prints the cache directory's layout on success. Nothing is downloaded from
# outside the package registries: code-server's @vscode/ripgrep postinstall,
# which wants a ripgrep binary from GitHub, finds Debian's rg in its download
# cache instead.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.52.0
# @vscode/ripgrep as pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json,
# and the asset name its postinstall looks for (lib/download.js).
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

CACHE="${PRODLINT_EDITOR_CACHE:-$HOME/.cache/prodlint-editors}"
mkdir -p "$CACHE"

log() { echo "[vscode-install] $*" >&2; }

# --- Debian packages --------------------------------------------------------
need_apt=()
for pkg in chromium ripgrep libkrb5-dev build-essential python3 unzip; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  log "code-server $CODE_SERVER_VERSION needs node 20, found $(node -v)"; exit 1
fi

# npm 11 warns about dependency install scripts that package.json's allowScripts
# does not list; code-server and argon2 are listed, the rest are installed by
# code-server's own postinstall (a nested npm install inside lib/vscode).

# --- code-server ------------------------------------------------------------
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
cs_complete() {
  [ -f "$CS_BIN" ] && [ -x "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    && [ -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/node-pty" ] \
    && [ -d "$CS_DIR/node_modules/code-server/lib/vscode/extensions/node_modules" ]
}
if ! { [ -f "$CS_DIR/.installed" ] && cs_complete; }; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (takes several minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  TMP_INSTALL="$CACHE/tmp"; mkdir -p "$TMP_INSTALL/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  # Pre-seed @vscode/ripgrep's download cache ($TMPDIR/vscode-ripgrep-cache-<version>/<asset>)
  # with Debian's rg in the archive form it expects (a tar.gz with rg at its root).
  rgstage=$(mktemp -d)
  cp /usr/bin/rg "$rgstage/rg"
  tar czf "$TMP_INSTALL/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION/$RIPGREP_ASSET" -C "$rgstage" rg
  rm -rf "$rgstage"
  cat > "$CS_DIR/package.json" <<JSON
{ "name": "prodlint-code-server", "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
  (
    cd "$CS_DIR"
    # --unsafe-perm: code-server's postinstall refuses to run as root without it.
    export TMPDIR="$TMP_INSTALL" npm_config_yes=true npm_config_unsafe_perm=true \
      npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    npm install --unsafe-perm --no-audit --no-fund >"$CACHE/code-server-install.log" 2>&1 \
      || { tail -50 "$CACHE/code-server-install.log" >&2; exit 1; }
  )
  cs_complete || { log "code-server install incomplete (see $CACHE/code-server-install.log)"; exit 1; }
  touch "$CS_DIR/.installed"
fi

# --- playwright-core --------------------------------------------------------
PW_DIR="$CACHE/playwright-core-$PLAYWRIGHT_CORE_VERSION"
if [ ! -f "$PW_DIR/.installed" ]; then
  log "installing playwright-core@$PLAYWRIGHT_CORE_VERSION"
  rm -rf "$PW_DIR"; mkdir -p "$PW_DIR"
  echo '{ "name": "prodlint-playwright", "private": true }' > "$PW_DIR/package.json"
  (cd "$PW_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund \
     "playwright-core@$PLAYWRIGHT_CORE_VERSION" >"$CACHE/playwright-install.log" 2>&1) \
     || { tail -30 "$CACHE/playwright-install.log" >&2; exit 1; }
  touch "$PW_DIR/.installed"
fi

echo "CODE_SERVER=$CS_BIN"
echo "CODE_SERVER_DIR=$CS_DIR/node_modules/code-server"
echo "PLAYWRIGHT_NODE_PATH=$PW_DIR/node_modules"
