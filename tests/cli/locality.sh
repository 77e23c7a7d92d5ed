#!/usr/bin/env bash
# locality.sh MESOCOSM DIR - delay scheduling in the batch kind
# (models/fw_batch.c) on the experiments in DIR:
#  - locality.yaml, no racks: a 5 s locality delay raises the node-local
#    share of launches by at least 15 points over no delay (0.50 -> 0.75);
#  - locality.yaml, 5 racks: with the delay almost no launch is off-rack
#    (rack-local launches need no wait), without it many are;
#  - wait.yaml: tasks whose input is on agents that can never run them wait
#    the delay, and no longer than the delay plus an allocation interval
#    (and a decision): 5 s <= delay <= 6.5 s for most, all under 6.5 s;
#    without a delay they start at once;
#  - locality.replicas is validated, and the run table reports locality.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "locality: $*" >&2; exit 1; }
run() { # NAME YAML ARGS...
	local name=$1 yaml=$2
	shift 2
	"$bin" run "$dir/$yaml" -o "$tmp/$name" --no-progress "$@" >"$tmp/$name.out"
}
# field RUN KEY: the first "KEY": number in the run's per-framework locality
field() { grep -A6 '"locality": {' "$tmp/$1/summary.json" | grep -o "\"$2\": [0-9.e+-]*" |
	head -1 | awk '{print $2}'; }

run node0 locality.yaml --set 'agents.0.attributes={}'
run node5 locality.yaml --set 'agents.0.attributes={}' \
	--set frameworks.0.delay_scheduling.locality_delay=5s
f0=$(field node0 node_local_fraction)
f5=$(field node5 node_local_fraction)
awk -v a="$f0" -v b="$f5" 'BEGIN { exit !(b >= a + 0.15) }' ||
	fail "node-local fraction $f0 without delay, $f5 with 5 s: expected +0.15"
[ "$(field node0 rack_local)" = 0 ] || fail "rack-local launches without racks"
grep -q "spark locality: .* node-local" "$tmp/node5.out" || fail "no locality line in the table"

run rack0 locality.yaml
run rack5 locality.yaml --set frameworks.0.delay_scheduling.locality_delay=5s
any_share() { awk -v n="$(field "$1" node_local)" -v r="$(field "$1" rack_local)" \
	-v a="$(field "$1" any)" 'BEGIN { printf "%.4f", a / (n + r + a) }'; }
a0=$(any_share rack0)
a5=$(any_share rack5)
awk -v a="$a0" -v b="$a5" 'BEGIN { exit !(a >= 0.10 && b <= 0.03) }' ||
	fail "off-rack share $a0 without delay, $a5 with 5 s: expected >= 0.10 and <= 0.03"

# tasks.csv: framework,job,index,attempt,submit_s,launch_s,...
delays() { awk -F, -v lo="$2" -v hi="$3" 'NR > 1 && $6 != "" {
		d = $6 - $5; n++; if (d >= lo) w++; if (d > hi) over++; if (d > max) max = d }
	END { printf "%d %d %d %.3f\n", n, w, over, max }' "$tmp/$1/tasks.csv"; }
run wait5 wait.yaml
read -r n waited over max <<<"$(delays wait5 5 6.5)"
[ "$over" = 0 ] || fail "with a 5 s delay $over tasks waited over 6.5 s (max $max s)"
[ $((waited * 10)) -ge $((n * 7)) ] || fail "with a 5 s delay only $waited of $n tasks waited 5 s"
run wait0 wait.yaml --set frameworks.0.delay_scheduling.locality_delay=0s
read -r n0 slow _ _ <<<"$(delays wait0 5 1e9)"
[ $((slow * 10)) -le "$n0" ] || fail "without a delay $slow of $n0 tasks waited 5 s"

if "$bin" run "$dir/wait.yaml" -o "$tmp/bad" --quiet --no-progress \
	--set frameworks.0.workload.synthetic.locality.replicas=4 2>"$tmp/bad.err"; then
	fail "locality.replicas 4 accepted"
fi
grep -q "replicas: 4 is out of range \[1, 3\]" "$tmp/bad.err" || fail "bad message: $(cat "$tmp/bad.err")"
echo "locality: node-local $f0 -> $f5 with a 5 s delay; off-rack $a0 -> $a5;" \
	"$waited of $n waited 5 s, at most $max s"
