#!/usr/bin/env bash
# determinism.sh MESOCOSM EXPERIMENT.yaml - the same seed writes
# byte-identical summary.json and timeseries.csv; another seed changes them.
set -euo pipefail
bin=$1
exp=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$exp" -o "$tmp/a" --quiet --no-progress --set outputs.plots=false
"$bin" run "$exp" -o "$tmp/b" --quiet --no-progress --set outputs.plots=false
"$bin" run "$exp" -o "$tmp/c" --quiet --no-progress --set outputs.plots=false --seed 12345
for f in summary.json timeseries.csv tasks.msgpack; do
	cmp "$tmp/a/$f" "$tmp/b/$f" || { echo "determinism: $f differs between two runs with the same seed" >&2; exit 1; }
done
for f in summary.json timeseries.csv; do
	if cmp -s "$tmp/a/$f" "$tmp/c/$f"; then
		echo "determinism: $f is the same under another seed" >&2
		exit 1
	fi
done
echo "determinism: same seed -> identical files; other seed -> different files"
