#!/usr/bin/env bash
# hold.sh MESOCOSM DIR - offer holding (hold_offers, Aurora's
# min_offer_hold_time) on DIR/hold.yaml: 15 jobs of 3 tasks, one every 30 s,
# on 10 agents. Holding offers cuts the offers made by more than 5x; a job
# is placed into held offers at once (delay = decision time 13 ms + link);
# held offers are declined when their hold time ends (60s: some declines;
# 1h, longer than the run: none).
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "hold: $*"; exit 1; }
for h in 0s 60s 1h; do
	"$bin" run "$dir/hold.yaml" -o "$tmp/$h" --no-progress --quiet --set frameworks.0.hold_offers=$h
done
num() { grep -o "\"$2\": [0-9.]*" "$tmp/$1/summary.json" | head -1 | awk '{print $2}'; }
for h in 0s 60s 1h; do
	[ "$(num $h finished)" -eq 45 ] || fail "$h: $(num $h finished) of 45 tasks finished"
	a=$(num $h offers_accepted); [ "$a" -ge 15 ] && [ "$a" -le 45 ] || fail "$h: $a offers accepted for 15 jobs of 3 tasks"
done
made0=$(num 0s offers_made); made60=$(num 60s offers_made)
[ "$made0" -gt $((5 * made60)) ] || fail "holding made $made60 offers against $made0 without: expected > 5x fewer"
# the scheduling delay with held offers: the decision time and one link delay
awk -v d="$(grep -A3 '"task_scheduling_delay"' "$tmp/60s/summary.json" | grep -o '"mean": [0-9.]*' | awk '{print $2}')" \
	'BEGIN { exit !(d >= 0.013 && d <= 0.02) }' || fail "60s: scheduling delay is not the decision time"
[ "$(num 60s offers_declined)" -gt 0 ] || fail "60s: no held offer was declined when its hold ended"
[ "$(num 1h offers_declined)" -eq 0 ] || fail "1h: $(num 1h offers_declined) offers declined within their hold time"
echo "hold: $made0 offers without holding, $made60 with 60s; declines only after the hold ends"
