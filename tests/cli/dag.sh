#!/usr/bin/env bash
# dag.sh MESOCOSM DIR - DAG dependencies of a replayed trace hold: a task is
# submitted only when every task it depends on has finished.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$dir/dag.yaml" -o "$tmp/run" --quiet --no-progress
# rows: framework,job,index,attempt,submit_s,launch_s,end_s,state,...
awk -F, 'NR > 1 { sub_[NR-1] = $5; end_[NR-1] = $7; st[NR-1] = $8; n = NR - 1 }
	END {
		if (n != 3) { print "dag: expected 3 tasks, got " n; exit 1 }
		for (i = 1; i <= 3; i++) if (st[i] != "FINISHED") { print "dag: task " i " " st[i]; exit 1 }
		for (i = 2; i <= 3; i++)
			if (sub_[i] + 0 < end_[i - 1] + 0) {
				print "dag: task " i " submitted at " sub_[i] " before its dependency ended at " end_[i - 1]
				exit 1
			}
		print "dag: chain of 3 ran in order, ending at " end_[3] " s"
	}' "$tmp/run/tasks.csv"
# Two trace feeds, each with a DAG (two_feeds.yaml): each framework's chain
# of 3 runs in order, gated on its own tasks only.
"$bin" run "$dir/two_feeds.yaml" -o "$tmp/two" --quiet --no-progress
sort -t, -k1,1 -k3,3n "$tmp/two/tasks.csv" | awk -F, '$1 != "framework" {
		n[$1]++; i = n[$1]
		sub_[$1, i] = $5; end_[$1, i] = $7
		if ($8 != "FINISHED") { print "dag: " $1 " task " i " " $8; bad = 1 }
	}
	END {
		for (f in n) {
			if (n[f] != 3) { print "dag: " f ": expected 3 tasks, got " n[f]; bad = 1 }
			for (i = 2; i <= 3; i++)
				if (sub_[f, i] + 0 < end_[f, i - 1] + 0) {
					print "dag: " f " task " i " submitted at " sub_[f, i] " before its dependency ended at " end_[f, i - 1]
					bad = 1
				}
		}
		if (length(n) != 2) { print "dag: expected 2 frameworks"; bad = 1 }
		if (!bad) print "dag: two feeds, each chain of 3 ran in order"
		exit bad
	}'
