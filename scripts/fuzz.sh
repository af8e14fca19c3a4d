#!/usr/bin/env bash
# Runs every Go fuzz target of the module for SECONDS each (default 10) and
# fails if any finds an input that crashes it. Targets are discovered with
# `go test -list '^Fuzz'` in every package whose tests define one, so new
# targets are included without editing this script. A crasher is saved by
# `go test` under the package's testdata/fuzz/FuzzName/, where it becomes a
# seed that plain `go test` runs from then on; commit it with the fix.
# Usage: scripts/fuzz.sh [SECONDS]
#   RESC_FUZZ_PARALLEL=N  fuzzing workers per target (default: GOMAXPROCS)
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-10}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]  (a positive whole number, not '$secs')" >&2
  exit 2
fi
# Each new interesting input is minimised before fuzzing goes on; go
# test's default of up to 60 s each would use up a short budget, so the
# minimising gets a twentieth of it (at least 1 s).
minimize=$(( secs / 20 > 1 ? secs / 20 : 1 ))
parallel=()
[ -n "${RESC_FUZZ_PARALLEL:-}" ] && parallel=(-parallel "$RESC_FUZZ_PARALLEL")

# Packages whose test files declare a fuzz target; go test -list then says
# which targets each really has.
mapfile -t dirs < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u)
failed=()
count=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for dir in "${dirs[@]}"; do
  mapfile -t targets < <(go test -list '^Fuzz' "$dir" | grep '^Fuzz' || true)
  for target in "${targets[@]}"; do
    count=$((count + 1))
    echo "== $dir $target (${secs}s)"
    # go test's fuzzing can end a clean run with "context deadline
    # exceeded" when the time is up in the middle of minimising: no
    # failing input is written then, and the target gets one more run.
    for try in 1 2; do
      if go test -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime "${minimize}s" -timeout "$((secs + 600))s" "${parallel[@]}" "$dir" 2>&1 | tee "$log"; then
        break
      fi
      if [ "$try" -eq 2 ] || grep -q 'Failing input written to' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
        failed+=("$dir $target")
        break
      fi
      echo "fuzz.sh: $target stopped at its deadline with no failing input; once more"
    done
  done
done

if [ "$count" -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} of $count targets failed (inputs saved under testdata/fuzz):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz.sh: $count targets, ${secs}s each, found nothing"
