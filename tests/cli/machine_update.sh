#!/usr/bin/env bash
# machine_update.sh MESOCOSM DIR - machine UPDATE records of a replayed trace
# change the agents' totals (DIR/machine_update.yaml): the cluster's cpus go
# 16 -> 24 (m_1 grows to 16) -> 12 (m_1 shrinks to 4) -> 4 (m_2, removed
# at 150 s, found lost by the health checks) -> 16 (m_2 back with 12); the
# two 1-core tasks on m_1 keep running through the shrink.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$dir/machine_update.yaml" -o "$tmp/run" --quiet --no-progress
# rows: time_s,agents,cpus_total,cpus_allocated_frac,... (state at the row's end)
awk -F, 'NR > 1 {
		t = $1 + 0; want = ""
		if (t < 100) want = "2,16"
		else if (t < 200) want = "2,24"
		else if (t < 220) want = "2,12"
		else if (t >= 230 && t < 250) want = "1,4"
		else if (t >= 250) want = "2,16"
		if (want != "" && $2 "," $3 != want) {
			print "machine_update: at " t " s: agents,cpus " $2 "," $3 ", expected " want; bad = 1
		}
		if (t >= 230 && t < 250 && $4 != 0.5) {
			print "machine_update: at " t " s: " $4 " of the cpus allocated, expected 0.5"; bad = 1
		}
		rows++
	}
	END {
		if (rows != 30) { print "machine_update: expected 30 rows, got " rows; bad = 1 }
		if (!bad) print "machine_update: cpus 16 -> 24 -> 12 -> 4 -> 16 as the trace says"
		exit bad
	}' "$tmp/run/timeseries.csv"
# Nothing ended: no task was killed or lost by the shrink.
if [ "$(wc -l < "$tmp/run/tasks.csv")" -ne 1 ]; then
	echo "machine_update: tasks ended:"; cat "$tmp/run/tasks.csv"; exit 1
fi
