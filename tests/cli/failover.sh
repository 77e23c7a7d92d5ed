#!/usr/bin/env bash
# failover.sh MESOCOSM EXPERIMENT - a leader failover in a busy cluster:
# every agent re-registers within detection delay + 1 s of backoff (3-4 s
# here), tasks survive it, and the accounting identity holds at the end.
set -euo pipefail
bin=$1
exp=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$exp" -o "$tmp/run" --no-progress >"$tmp/out"
rec=$(sed -n 's/.*recovered (all agents re-registered) \([0-9.]*\) s after.*/\1/p' "$tmp/out")
[ -n "$rec" ] || { echo "failover: no recovery line"; cat "$tmp/out"; exit 1; }
awk -v r="$rec" 'BEGIN { exit !(r >= 3.0 && r <= 4.05) }' ||
	{ echo "failover: recovery took $rec s, expected 3-4.05 s"; exit 1; }
num() { grep -o "\"$1\": [0-9]*" "$tmp/run/summary.json" | head -1 | awk '{print $2}'; }
sub=$(num submitted); fin=$(num finished); fai=$(num failed); kil=$(num killed)
los=$(num lost); pen=$(num pending_at_end); run=$(num running_at_end)
[ "$sub" -eq $((fin + fai + kil + los + pen + run)) ] ||
	{ echo "failover: identity broken: $sub != $fin+$fai+$kil+$los+$pen+$run"; exit 1; }
[ "$los" -eq 0 ] || { echo "failover: $los tasks lost; tasks should survive a master failover"; exit 1; }
[ "$fin" -gt 500 ] || { echo "failover: only $fin tasks finished"; exit 1; }
echo "failover: recovered in $rec s; $sub tasks submitted, $fin finished, none lost"
