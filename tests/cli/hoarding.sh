#!/usr/bin/env bash
# hoarding.sh MESOCOSM EXPERIMENT - experiments/offer_hoarding.yaml does what
# its header says: with aurora holding offers 5 minutes, spark's mean
# scheduling delay is more than 20x what it is without holding, and more
# than 30 % of the cpus sit in unused offers (under 5 % without).
set -euo pipefail
bin=$1
exp=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "hoarding: $*"; exit 1; }
"$bin" run "$exp" -o "$tmp/hold" --no-progress --quiet
"$bin" run "$exp" -o "$tmp/none" --no-progress --quiet --set frameworks.0.hold_offers=0s
# spark's per-framework scheduling delay mean
spark_delay() {
	awk '/"spark": \{/ { in_fw = 1 } in_fw && /"task_scheduling_delay"/ { in_d = 1 }
	     in_d && /"mean":/ { gsub(/[",]/, ""); print $2; exit }' "$tmp/$1/summary.json"
}
# the cluster's cpus offered but unused
unused() { grep -A3 '"cpus": {' "$tmp/$1/summary.json" | grep -o '"offered_unused": [0-9.]*' | head -1 | awk '{print $2}'; }
d_hold=$(spark_delay hold); d_none=$(spark_delay none)
awk -v a="$d_hold" -v b="$d_none" 'BEGIN { exit !(a > 20 * b) }' ||
	fail "spark waits $d_hold s with hoarding and $d_none s without: expected > 20x"
u_hold=$(unused hold); u_none=$(unused none)
awk -v a="$u_hold" -v b="$u_none" 'BEGIN { exit !(a > 0.3 && b < 0.05) }' ||
	fail "unused offered cpus: $u_hold with hoarding, $u_none without"
echo "hoarding: spark waits $d_hold s with aurora holding offers, $d_none s without; unused offers $u_hold vs $u_none"
