#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs them all.
# Usage: scripts/test.sh   (from anywhere; needs Go 1.26)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go modules"
go mod download

echo "== formatting and vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go run ./cmd/resc fmt -l stdlib/*.res examples/*.res

echo "== tests"
go test ./...
