#!/usr/bin/env bash
# Runs every test of Coordo on a fresh machine: installs what the tests need (Debian's
# chromium and chromium-driver for the browser tests), then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  echo "== installation de chromium et chromium-driver (tests dans un vrai navigateur)"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

cargo test --workspace --locked --all-targets
cargo test --workspace --locked --doc
