#!/usr/bin/env bash
# Runs every test of Coordo on a fresh machine: installs what the tests need — Debian's
# chromium and chromium-driver for the browser tests, PostgreSQL for the portability test, the
# Open XML validator openxml-audit and openpyxl (PyPI, pinned) for the document tests — then the
# whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
as_postgres() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installation : ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The independent validator of the generated DOCX (tests/it/docgen/validator.rs).
OPENXML_AUDIT="openxml-audit==0.8.0"
if ! python3 -m pip show openxml-audit 2>/dev/null | grep -qx "Version: ${OPENXML_AUDIT#*==}"; then
  echo "== installation : ${OPENXML_AUDIT}"
  python3 -m pip install -q "${OPENXML_AUDIT}" \
    || python3 -m pip install -q --user "${OPENXML_AUDIT}" \
    || python3 -m pip install -q --break-system-packages "${OPENXML_AUDIT}"
fi
command -v openxml-audit >/dev/null 2>&1 || export PATH="$HOME/.local/bin:$PATH"
# Another spreadsheet library, to fill the DQE workbook as a bidder would (tests/it/dqe.rs).
OPENPYXL="openpyxl==3.1.5"
if ! python3 -m pip show openpyxl 2>/dev/null | grep -qx "Version: ${OPENPYXL#*==}"; then
  echo "== installation : ${OPENPYXL}"
  python3 -m pip install -q "${OPENPYXL}" \
    || python3 -m pip install -q --user "${OPENPYXL}" \
    || python3 -m pip install -q --break-system-packages "${OPENPYXL}"
fi

# axe-core, the accessibility engine the browser tests inject into every page (pinned by
# tests/axe/package-lock.json).
if ! grep -qs '"version": "4.10.3"' tests/axe/node_modules/axe-core/package.json; then
  echo "== installation : axe-core (npm)"
  npm ci --prefix tests/axe --no-audit --no-fund --silent
fi

# A local PostgreSQL with a role that may create one database per test.
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  $SUDO pg_createcluster 15 main >/dev/null
  cluster="15 main"
fi
# shellcheck disable=SC2086
$SUDO pg_ctlcluster $cluster start 2>/dev/null || true
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
as_postgres psql -p "$port" -qtc "SELECT 1 FROM pg_roles WHERE rolname = 'coordo_test'" | grep -q 1 \
  || as_postgres psql -p "$port" -qc "CREATE ROLE coordo_test LOGIN PASSWORD 'coordo_test' CREATEDB"
export COORDO_TEST_POSTGRES_URL="postgres://coordo_test:coordo_test@127.0.0.1:${port}/postgres"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked --doc 2>&1 | tee -a "$log"
cargo test --workspace --locked --all-targets 2>&1 | tee -a "$log"
# The PostgreSQL run of the service (marked ignored for a bare `cargo test` without a server).
cargo test --locked --test it postgres -- --ignored 2>&1 | tee -a "$log"

# One closing line for the whole suite.
passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -oE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
echo "Total: ${passed} passed, ${failed} failed"
