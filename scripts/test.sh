#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs them all:
#   - Debian packages: python3-onnx (onnx.checker, numpy), python3-opencv, python3-torch and python3-torchvision, python3-pil (the resize references), and libonnx-testdata
#     (ONNX's operator test data), chromium (renders resc chart's SVG in a test);
#   - onnxruntime 1.24.1, from the npm package onnxruntime-node, by
#     scripts/install-onnxruntime.sh;
#   - VS Code's TextMate engine (vscode-textmate, vscode-oniguruma), which
#     the editor grammar's test runs, by scripts/install-textmate.sh;
#   - Go modules, and staticcheck (go install, into $(go env GOPATH)/bin).
# Then gofmt, go vet, staticcheck, the purego build and its kernel tests, all tests, the race
# detector on the concurrent packages (-short) and every fuzz target for
# RESC_FUZZ_SECONDS (5) each.
# Usage: scripts/test.sh   (from anywhere; needs Go 1.26, gcc, npm)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Debian packages"
packages=(python3-onnx python3-numpy libonnx-testdata python3-opencv python3-torch python3-torchvision python3-pil python3-h5py chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== onnxruntime"
scripts/install-onnxruntime.sh

echo "== vscode-textmate"
scripts/install-textmate.sh

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

echo "== staticcheck"
# v0.8.2 (release 2026.2.2) is the one that supports Go 1.26.
go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
"$(go env GOPATH)/bin/staticcheck" ./...

echo "== purego build (the native backend without assembly)"
go build -tags purego ./...
go vet -tags purego ./...
# ... and its tests: the Go kernels against the references, whole models
# and the thread/batch splits, with no assembly compiled in.
go test -tags purego -short -timeout 10m ./backend/native/ \
  -run 'TestISAs|TestEveryISAMatchesReference|TestMicroKernels|TestConvMatchesReference|TestBatchesAndThreadsAgree|TestPathsEqualGroups'

echo "== tests"
go test -timeout 30m ./...

# The code that runs goroutines, under the race detector: native
# Program.Run and its workers (the tests that run programs concurrently, at
# several thread counts, streaming their weights, stopping, panicking and
# profiling), weight initialisation and streaming, HDF5's parallel chunk
# decoding, parallel image decoding, and the build, run and bench commands.
# The detector slows code 5-10x, so backend/native and weights run only
# their concurrency tests (their numerics are the plain run's business) and
# -short keeps the rest to the representative models
# (internal/testenv.ShortModels).
echo "== race detector"
go test -race -short -timeout 30m ./backend/native/ \
  -run 'TestBatchesAndThreadsAgree|TestConcurrentRuns|TestStreamedWeights|TestWorkersStop|TestRunReturnsPanics|TestRunProfiled|TestScheduleMatchesStepwise'
go test -race -short -timeout 30m ./weights/ -run 'TestWorkerPanicReachesCaller|TestInitGraph|TestInitDeterministic'
go test -race -short -timeout 30m ./weights/hdf5/ ./imageprep/ ./internal/cli/ .
# The language server reads messages ahead on a goroutine while it answers.
go test -race -short -timeout 30m ./internal/lsp/ -run 'TestSession|TestProtocolErrors'

# Every fuzz target, briefly: the seeds and a few seconds of mutation
# each (scripts/fuzz.sh 60 or more explores properly).
echo "== fuzzing"
scripts/fuzz.sh "${RESC_FUZZ_SECONDS:-5}"
