#!/usr/bin/env bash
# fw_failover.sh MESOCOSM DIR - a framework's scheduler crashes at 100 s and
# comes back at 130 s (DIR/base.yaml). With failover_timeout 1m its tasks
# survive; with 5s the master removes it at 105 s (crash + link delays +
# timeout) and kills its 16 running tasks, which it relaunches once it is
# back. No task of it launches while it is down.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "fw_failover: $*"; exit 1; }

"$bin" run "$dir/base.yaml" -o "$tmp/a" --no-progress --quiet --set frameworks.0.failover_timeout=1m
"$bin" run "$dir/base.yaml" -o "$tmp/b" --no-progress --quiet --set frameworks.0.failover_timeout=5s

# tasks.csv: framework,job,index,attempt,submit_s,launch_s,end_s,state,...
svc() { awk -F, -v want="$2" 'NR > 1 && $1 == "svc" && (want == "" || $8 == want)' "$tmp/$1/tasks.csv"; }

# (a) survives: 16 tasks, each FINISHED exactly 300 s after its launch
[ "$(svc a FINISHED | wc -l)" -eq 16 ] || fail "timeout 1m: expected 16 finished svc tasks"
[ "$(svc a KILLED | wc -l)" -eq 0 ] || fail "timeout 1m: svc tasks were killed"
svc a FINISHED | awk -F, '{ d = $7 - $6; if (d < 300 || d > 300.01) bad++ } END { exit bad > 0 }' ||
	fail "timeout 1m: a svc task did not run its 300 s undisturbed"

# (b) removed: 16 KILLED at 105.0xx s, relaunched after the restart, all finish
[ "$(svc b KILLED | wc -l)" -eq 16 ] || fail "timeout 5s: expected 16 killed svc tasks"
svc b KILLED | awk -F, '{ if ($7 < 105 || $7 > 105.01) bad++ } END { exit bad > 0 }' ||
	fail "timeout 5s: kills not at 105 s: $(svc b KILLED | cut -d, -f7 | sort -u | tr '\n' ' ')"
[ "$(svc b FINISHED | awk -F, '$4 == 1 && $6 >= 130' | wc -l)" -eq 16 ] ||
	fail "timeout 5s: the 16 killed tasks were not relaunched after the restart"
for run in a b; do
	svc $run "" | awk -F, '{ if ($6 > 100 && $6 < 130) bad++ } END { exit bad > 0 }' ||
		fail "$run: a svc task launched while its scheduler was down"
	num() { grep -o "\"$1\": [0-9]*" "$tmp/$run/summary.json" | head -1 | awk '{print $2}'; }
	sub=$(num submitted); fin=$(num finished); kil=$(num killed)
	[ "$sub" -eq "$fin" ] || [ "$sub" -eq $((fin + kil)) ] || fail "$run: $sub submitted, $fin finished, $kil killed"
	[ "$(num pending_at_end)" -eq 0 ] && [ "$(num running_at_end)" -eq 0 ] || fail "$run: work left at the end"
done
echo "fw_failover: 1m keeps the tasks; 5s kills 16 at 105 s and relaunches them after 130 s"
