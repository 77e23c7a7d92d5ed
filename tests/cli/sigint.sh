#!/usr/bin/env bash
# sigint.sh MESOCOSM EXPERIMENT - Ctrl-C stops a run that would take far
# longer than the test (a 30-day run of 4,000 agents), and the run
# directory is still written, marked "complete": false, exit status 130.
set -uo pipefail
bin=$1
exp=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$exp" -o "$tmp/run" --no-progress --set agents.0.count=4000 \
	--set duration=30d >"$tmp/out" 2>&1 &
pid=$!
# wait until the run is under way (its temporary directory exists)
for _ in $(seq 100); do
	ls -a "$tmp" | grep -q '^\.run\.tmp' && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || { echo "sigint: exit status $rc, expected 130"; cat "$tmp/out"; exit 1; }
grep -q '"complete": false' "$tmp/run/summary.json" ||
	{ echo "sigint: summary.json not marked incomplete"; exit 1; }
grep -q "INTERRUPTED" "$tmp/out" || { echo "sigint: no INTERRUPTED in the table"; exit 1; }
echo "sigint: interrupted run written with complete=false"
