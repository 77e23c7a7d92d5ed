#!/usr/bin/env bash
# maintenance.sh MESOCOSM DIR - a maintenance window end to end
# (DIR/maintenance.yaml): agent 0 drains from 30 s, goes down at 60 s and is
# back at 180 s. Its two tasks end KILLED at 60 s and are resubmitted and
# finish on other agents; nothing launches on it while it drains or is
# down; work launches there again once it is back; the time series shows
# the agent count and the cluster's cpus dip and recover.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$dir/maintenance.yaml" -o "$tmp/run" --no-progress > "$tmp/out"
grep -q "maintenance: 1 window(s) took agents down 1 time(s); 2 task(s) killed" "$tmp/out" || {
	echo "maintenance: summary line missing:"; cat "$tmp/out"; exit 1; }
# rows: framework,job,index,attempt,submit_s,launch_s,end_s,state,agent,...
awk -F, 'NR > 1 {
		key = $1 "/" $2 "/" $3
		if ($8 == "KILLED") {
			killed++
			if ($9 != 0 || $4 != 0 || $7 < 60 || $7 > 60.01) {
				print "maintenance: unexpected kill: " $0; bad = 1
			}
			k[key] = 1
		}
		if ($8 == "FINISHED") finished++
		if ($4 == 1) { again[key] = $0; if ($8 != "FINISHED" || $9 == 0 || $6 < 60) {
			print "maintenance: resubmission did not finish elsewhere: " $0; bad = 1 } }
		if ($9 == 0 && $6 >= 30 && $6 < 180) {
			print "maintenance: launched on agent 0 while drained or down: " $0; bad = 1
		}
		if ($9 == 0 && $6 >= 180) back++
	}
	END {
		if (killed != 2) { print "maintenance: expected 2 KILLED, got " killed; bad = 1 }
		for (x in k) if (!(x in again)) { print "maintenance: " x " not resubmitted"; bad = 1 }
		if (finished != 16) { print "maintenance: expected 16 FINISHED, got " finished; bad = 1 }
		if (back < 1) { print "maintenance: nothing ran on agent 0 after it came back"; bad = 1 }
		if (!bad) print "maintenance: 2 tasks killed at 60 s and rerun elsewhere; " back " launched on agent 0 after 180 s"
		exit bad
	}' "$tmp/run/tasks.csv"
# rows: time_s,agents,cpus_total,... (a row holds the state at its end)
awk -F, 'NR > 1 {
		want_agents = ($1 < 60 || $1 >= 180) ? 4 : 3
		want_cpus = want_agents * 2
		if ($2 != want_agents || $3 != want_cpus) {
			print "maintenance: at " $1 " s: " $2 " agents, " $3 " cpus; expected " want_agents ", " want_cpus
			bad = 1
		}
		rows++
	}
	END { if (rows < 25) { print "maintenance: only " rows " rows"; bad = 1 }
	      if (!bad) print "maintenance: agents 4 -> 3 (60-180 s) -> 4, cpus 8 -> 6 -> 8"
	      exit bad }' "$tmp/run/timeseries.csv"
