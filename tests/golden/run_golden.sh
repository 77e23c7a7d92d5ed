#!/usr/bin/env bash
# run_golden.sh MESOCOSM EXPERIMENT.yaml - runs a small experiment and
# compares its summary.json byte for byte with EXPERIMENT's .summary.json
# beside it. To accept a new expected output after an intended change:
#   MC_GOLDEN_UPDATE=1 tests/golden/run_golden.sh build/mesocosm tests/golden/NAME.yaml
set -euo pipefail
bin=$1
exp=$2
expected=${exp%.yaml}.summary.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Run from the experiment's directory: the config echo then holds paths as
# written in the file, whatever directory the test is started from.
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
(cd "$(dirname "$exp")" && "$bin" run "$(basename "$exp")" -o "$tmp/run" --quiet --no-progress)
if [ "${MC_GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$tmp/run/summary.json" "$expected"
	echo "updated $expected"
	exit 0
fi
if ! diff -u "$expected" "$tmp/run/summary.json"; then
	echo "golden: $exp: summary.json differs from $expected" >&2
	exit 1
fi
echo "golden: $exp: summary.json matches"
