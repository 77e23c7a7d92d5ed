#!/usr/bin/env bash
# trace_kind.sh MESOCOSM DIR - the trace framework kind (models/fw_trace.c)
# on DIR/trace_kind.yaml (one 4-cpu agent, the four SWF jobs of
# backfill.swf):
#  - it backfills: job 3's small task starts beside job 1 although job 2's
#    big task, ahead of it, fits nowhere until job 1 ends at 100 s; the
#    batch kind (FIFO) holds job 3 behind job 2 until then;
#  - job 4, FAILED in the trace, is not retried (max_attempts 0), and is
#    retried once, successfully, with max_attempts 1;
#  - tasks the simulation loses (agent crash at 30 s) are resubmitted and
#    finish, while batch with max_attempts 0 gives them up.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "trace_kind: $*" >&2; exit 1; }
run() { # NAME ARGS...
	local name=$1
	shift
	"$bin" run "$dir/trace_kind.yaml" -o "$tmp/$name" --quiet --no-progress "$@"
}
# rows: framework,job,index,attempt,submit_s,launch_s,end_s,state,...
launch() { awk -F, -v j="$2" 'NR > 1 && $2 == j && $4 == 0 { print $6 }' "$tmp/$1/tasks.csv"; }
states() { awk -F, -v j="$2" 'NR > 1 && $2 == j { print $4 ":" $8 }' "$tmp/$1/tasks.csv" |
	sort | paste -sd ' ' -; }

run trace
run batch --set frameworks.0.kind=batch
awk -v t="$(launch trace 3)" 'BEGIN { exit !(t < 20) }' ||
	fail "trace kind: job 3 launched at $(launch trace 3) s, behind the blocked job 2"
awk -v t="$(launch trace 2)" 'BEGIN { exit !(t >= 100) }' ||
	fail "trace kind: job 2 launched at $(launch trace 2) s, before it could fit"
awk -v t="$(launch batch 3)" 'BEGIN { exit !(t >= 100) }' ||
	fail "batch kind: job 3 launched at $(launch batch 3) s, past its blocked head"
[ "$(states trace 4)" = "0:FAILED" ] || fail "job 4 with max_attempts 0: $(states trace 4)"

run retry --set frameworks.0.max_attempts=1
[ "$(states retry 4)" = "0:FAILED 1:FINISHED" ] || fail "job 4 with max_attempts 1: $(states retry 4)"

crash='failures=[{at: 30s, agents: "0", recover_after: 5s}]'
run lost --set "$crash"
run lost_batch --set "$crash" --set frameworks.0.kind=batch
[ "$(states lost 1)" = "0:LOST 0:LOST 0:LOST 1:FINISHED 1:FINISHED 1:FINISHED" ] ||
	fail "trace kind after a crash, job 1: $(states lost 1)"
[ "$(states lost_batch 1)" = "0:LOST 0:LOST 0:LOST" ] ||
	fail "batch kind after a crash, job 1: $(states lost_batch 1)"
echo "trace_kind: job 3 backfilled at $(launch trace 3) s (batch: $(launch batch 3) s);" \
	"trace failures retried only by max_attempts; lost tasks resubmitted"
