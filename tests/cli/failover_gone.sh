#!/usr/bin/env bash
# failover_gone.sh MESOCOSM DIR - agents that fail while no master leads
# (DIR/agents_gone.yaml: leader fails at 900 s, elected at 910 s; agents 0-3
# fail for good at 903 s, agent 4 restarts at 902-905 s). The new leader
# never hears of the tasks they ran: agent 4's are LOST when it registers
# again (within the 1 s backoff after the election), agents 0-3's at the
# election + agent_reregister_timeout (10m, then 15m), when they leave the
# cluster's total. At no sample do allocated and offered resources exceed
# the total, and the tasks running at the end fit on the 16 agents left.
set -euo pipefail
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "failover_gone: $*"; exit 1; }

check() { # TIMEOUT_S EXTRA_ARGS...
	local timeout=$1 out=$tmp/run$1
	shift
	"$bin" run "$dir/agents_gone.yaml" -o "$out" --tasks-csv --no-progress "$@" >"$tmp/out"
	grep -q '5 agents known before a failover did not re-register' "$tmp/out" ||
		{ cat "$tmp/out"; fail "no line for the 5 agents that did not come back"; }
	local gone=$((910 + timeout))
	# LOST tasks: 4 on each of agents 0-4 (1-cpu tasks fill 4 cpus), at the
	# right times, and none anywhere else.
	awk -F, -v gone="$gone" '
		NR > 1 && $8 == "LOST" {
			n[$9]++
			if ($9 <= 3 && ($7 < gone || $7 > gone + 0.1)) bad = bad " agent " $9 " at " $7
			if ($9 == 4 && ($7 < 910 || $7 > 911.1)) bad = bad " agent 4 at " $7
			if ($9 > 4) bad = bad " agent " $9
		}
		END {
			for (a = 0; a <= 4; a++) if (n[a] != 4) bad = bad " agent " a ": " n[a] + 0 " LOST"
			if (bad != "") { print "wrong LOST tasks:" bad; exit 1 }
		}' "$out/tasks.csv" || fail "timeout $timeout s"
	# Every sample: allocated + offered <= total; 20 agents until the
	# timeout, 16 after it.
	awk -F, -v gone="$gone" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{
			t = $1; s = $col["cpus_allocated_frac"] + $col["cpus_offered_unused_frac"]
			if (s > 1 + 1e-9) { print "at " t " s: allocated + offered = " s; exit 1 }
			want = (t + 30 <= gone) ? 20 : (t >= gone ? 16 : -1)
			if (want > 0 && $col["agents"] != want) { print "at " t " s: " $col["agents"] " agents, expected " want; exit 1 }
		}' "$out/timeseries.csv" || fail "timeout $timeout s"
	num() { grep -o "\"$1\": [0-9]*" "$out/summary.json" | head -1 | awk '{print $2}'; }
	local sub fin fai kil los pen run
	sub=$(num submitted); fin=$(num finished); fai=$(num failed); kil=$(num killed)
	los=$(num lost); pen=$(num pending_at_end); run=$(num running_at_end)
	[ "$sub" -eq $((fin + fai + kil + los + pen + run)) ] ||
		fail "identity broken: $sub != $fin+$fai+$kil+$los+$pen+$run"
	[ "$run" -le 64 ] || fail "$run tasks running at the end on 16 agents of 4 cpus"
	echo "failover_gone: timeout ${timeout} s: 20 tasks LOST on the 5 agents, $run running at the end"
}
check 600
check 900 --set master.agent_reregister_timeout=15m
