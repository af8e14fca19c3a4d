#!/usr/bin/env bash
# Installs VS Code's TextMate engine, vscode-textmate 9.3.2 with its regular
# expression library vscode-oniguruma 2.0.1, which the editor grammar's test
# (internal/lsp, TestGrammarVSCode) runs editors/vscode's .res grammar on,
# to check that VS Code scopes every stdlib file as resc's own engine does.
#
# The packages come from the npm registry with 'npm ci' from the lock file
# in scripts/textmate/, which pins their versions and integrity hashes; no
# install scripts run. They go into
#   ${XDG_CACHE_HOME:-~/.cache}/resc/textmate-9.3.2/node_modules
# where the test looks.
#
# Usage: scripts/install-textmate.sh [--force]
# Idempotent: when the packages are there at those versions it does nothing.
# Needs npm (and its node).
set -euo pipefail

version=9.3.2
force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-textmate: unknown argument $1 (usage: $0 [--force])" >&2; exit 2 ;;
esac

cache="${XDG_CACHE_HOME:-}"
if [ -z "$cache" ]; then
  if [ -z "${HOME:-}" ]; then
    echo "install-textmate: neither XDG_CACHE_HOME nor HOME is set" >&2
    exit 1
  fi
  cache="$HOME/.cache"
fi
dest="$cache/resc/textmate-${version}"
src="$(cd "$(dirname "$0")" && pwd)/textmate"

installed() {
  node -e '
    const d = process.argv[1] + "/node_modules/";
    const v = (p) => require(d + p + "/package.json").version;
    process.exit(v("vscode-textmate") === "9.3.2" && v("vscode-oniguruma") === "2.0.1" ? 0 : 1);
  ' "$dest" 2>/dev/null
}

if [ "$force" -eq 0 ] && installed; then
  echo "vscode-textmate ${version} is in $dest"
  exit 0
fi
mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
installed || { echo "install-textmate: the packages in $dest are not the pinned versions" >&2; exit 1; }
echo "vscode-textmate ${version} installed in $dest"
