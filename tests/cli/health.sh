#!/usr/bin/env bash
# health.sh MESOCOSM DIR - implicit health checks (models/health.h) give
# the outputs of explicit ones byte for byte. DIR/churn.yaml has agents
# failing and coming back (MTBF/MTTR, injected crashes, some back within a
# ping interval), maintenance, a leader failover and a scheduler failover
# on a quiet network; each seed runs with and without
# --explicit-health-checks. summary.json (messages included),
# timeseries.csv and tasks.msgpack must be identical, tasks must have been
# LOST (so the checks found failures), and the implicit run must have
# dispatched fewer events (perf.json). Through all the churn, allocated +
# offered never exceeds the cluster's total in any sample (seed 1 and 3
# did before tasks were reconciled after the failover; seed 6 hit the
# task-table bug checks).
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "health: $*"; exit 1; }
events() { grep -o '"events": [0-9]*' "$1/perf.json" | awk '{print $2}'; }
for seed in 1 2 3 6; do
	"$bin" run "$dir/churn.yaml" --seed $seed -o "$tmp/i$seed" --no-progress --quiet
	"$bin" run "$dir/churn.yaml" --seed $seed -o "$tmp/e$seed" --no-progress --quiet \
		--explicit-health-checks
	for f in summary.json timeseries.csv tasks.msgpack; do
		cmp -s "$tmp/i$seed/$f" "$tmp/e$seed/$f" || fail "seed $seed: $f differs"
	done
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ for (r in res) { s = $col[r "_allocated_frac"] + $col[r "_offered_unused_frac"]
		  if (s > 1 + 1e-9) { print r " at " $1 " s: allocated + offered = " s; exit 1 } } }
		BEGIN { res["cpus"]; res["mem"] }' "$tmp/i$seed/timeseries.csv" ||
		fail "seed $seed: more allocated than there is"
	lost=$(grep -o '"lost": [0-9]*' "$tmp/i$seed/summary.json" | head -1 | awk '{print $2}')
	[ "$lost" -ge 100 ] || fail "seed $seed: only $lost tasks LOST: the churn did not happen"
	ei=$(events "$tmp/i$seed"); ee=$(events "$tmp/e$seed")
	[ $((ei * 10)) -lt $((ee * 8)) ] || fail "seed $seed: $ei events implicit vs $ee explicit"
	echo "health: seed $seed: same outputs, $lost tasks LOST, events $ei implicit vs $ee explicit"
done
