#!/usr/bin/env bash
# One entry point for a fresh machine: installs what is missing, then
#   bash scripts/dev.sh start   builds and opens Venv Manager in VS Code (in the browser) on the sample workspace
#   bash scripts/dev.sh test    runs every test tier (ends with "N passed, N failed, N skipped")
set -euo pipefail
cd "$(dirname "$0")/.."

setup() {
  local need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v rg >/dev/null || need+=(ripgrep)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  # Test dependencies: other creators to compare with, shells to source activation scripts in.
  command -v virtualenv >/dev/null || need+=(virtualenv)
  command -v fish >/dev/null || need+=(fish)
  command -v tcsh >/dev/null || need+=(tcsh)
  command -v zsh >/dev/null || need+=(zsh)
  command -v mksh >/dev/null || need+=(mksh)
  command -v ksh93 >/dev/null || need+=(ksh)
  [ -x /usr/bin/time ] || need+=(time)
  if ((${#need[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
      echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
      exit 1
    fi
    echo "Installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  echo "code-server: $(bash scripts/install-code-server.sh)"
}

case "${1:-}" in
  start) setup; exec npm start ;;
  test) setup; exec npm test ;;
  setup) setup ;;
  *) echo "usage: bash scripts/dev.sh start|test|setup" >&2; exit 2 ;;
esac
