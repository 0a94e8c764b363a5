#!/usr/bin/env bash
# What a Debian/Ubuntu build machine needs for a release build: a C compiler
# (tree-sitter, libpg_query), libclang (pg_query's bindgen), curl, zip, git.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq build-essential libclang-dev clang curl ca-certificates git zip unzip xz-utils >/dev/null
