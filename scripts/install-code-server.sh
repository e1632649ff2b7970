#!/usr/bin/env bash
# Installs code-server (a real VS Code whose extension host is a normal Node process) from the npm
# registry into a cache outside the repo, building its native modules by hand because its own
# postinstall downloads ripgrep from the internet. Idempotent: a finished install is reused.
set -euo pipefail
VERSION="${CODE_SERVER_VERSION:-4.99.4}"
CACHE="${VENV_MANAGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/venv-manager}"
DEST="$CACHE/code-server-$VERSION"
if [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi
for tool in rg node npm; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install -y ripgrep libkrb5-dev chromium)" >&2; exit 1; }
done
rm -rf "$DEST" "$DEST.tmp"
mkdir -p "$DEST.tmp"
cd "$DEST.tmp"
{
  npm pack "code-server@$VERSION" --silent
  tar xzf "code-server-$VERSION.tgz"
  rm "code-server-$VERSION.tgz"
  cd package
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  npm rebuild argon2
  cd lib/vscode
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild @vscode/spdlog kerberos native-watchdog @vscode/deviceid
  (cd node_modules/node-pty && npx --yes node-gyp rebuild)
  test -f node_modules/node-pty/build/Release/pty.node
  ln -sfn node_modules node_modules.asar
} >"$CACHE/code-server-install.log" 2>&1 || { echo "install-code-server: failed, see $CACHE/code-server-install.log" >&2; exit 1; }
cd "$CACHE"
mv "$DEST.tmp" "$DEST"
touch "$DEST/.complete"
echo "$DEST"
