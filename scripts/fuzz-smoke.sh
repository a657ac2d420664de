#!/usr/bin/env bash
# Runs every fuzz target of the module (each `func FuzzX(f *testing.F)` in a *_test.go file) for a
# short while: FUZZTIME per target, one target at a time, as `go test -fuzz` requires. The default
# is a number of inputs (5000x), not a duration: a duration can end while a worker is busy and
# go test then fails with "context deadline exceeded", which is no finding.
# A failure stops the script with go test's output; the failing input is saved under the
# package's testdata/fuzz/FuzzX/ and from then on replays as a plain `go test` case.
# Usage: scripts/fuzz-smoke.sh [PACKAGE_DIR...]   (default: the whole module)
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-5000x}"
dirs=("$@")
if [ "${#dirs[@]}" -eq 0 ]; then
  dirs=(.)
fi

targets=$(grep -rHo --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' "${dirs[@]}" |
  sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)
if [ -z "$targets" ]; then
  echo "fuzz-smoke: no fuzz targets found" >&2
  exit 1
fi

n=0
while read -r dir name; do
  pkg="./${dir#./}"
  echo "fuzz-smoke: $pkg $name ($FUZZTIME)"
  "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
  n=$((n + 1))
done <<<"$targets"
echo "fuzz-smoke: $n targets passed"
