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
