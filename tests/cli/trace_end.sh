#!/usr/bin/env bash
# trace_end.sh MESOCOSM SRC_DIR - tasks whose run time a trace gives only
# later (duration -1, then a TASK_END record: what the Google reader writes
# for tasks longer than its lookahead) end when the record says, not at the
# end of the simulation: replaying the same Google sample converted with a
# 60 s lookahead (521 of 661 tasks open-ended) drains at the same simulated
# time as with the durations known up front, with the same task count.
set -euo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" trace convert "$src/traces/samples/google2011-mini" -o "$tmp/g60.msgpack" \
	--from google2011 --lookahead 60s >/dev/null
"$bin" trace convert "$src/traces/samples/google2011-mini" -o "$tmp/full.msgpack" \
	--from google2011 >/dev/null
for t in g60 full; do
	"$bin" run "$src/experiments/replay_sample.yaml" -o "$tmp/$t" --quiet --no-progress \
		--set "workload.trace.path=$tmp/$t.msgpack"
done
get() { grep -o "\"$2\": [0-9.]*" "$tmp/$1/summary.json" | head -1 | awk '{print $2}'; }
[ "$(get g60 simulated_seconds)" = "$(get full simulated_seconds)" ] ||
	{ echo "trace_end: drained at $(get g60 simulated_seconds) s vs $(get full simulated_seconds) s"; exit 1; }
[ "$(get g60 finished)" = 661 ] || { echo "trace_end: $(get g60 finished) of 661 finished"; exit 1; }
echo "trace_end: open-ended tasks end at their TASK_END records"
