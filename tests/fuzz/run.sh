#!/usr/bin/env bash
# run.sh - builds a libFuzzer harness per trace reader with clang (address +
# undefined sanitizers) and fuzzes each for a few seconds over its corpus.
#
#   tests/fuzz/run.sh [SECONDS]        (default 10 per reader)
#
# Seeds live in tests/fuzz/corpus/<reader>/; new inputs found go to a
# temporary copy, never into the repository. Crash inputs are written to
# the build directory (MC_FUZZ_OUT, default /tmp/mc-fuzz-build) and make the
# script fail. Needs clang with libFuzzer (clang 14 + libclang-rt-14-dev).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-10}
out=${MC_FUZZ_OUT:-/tmp/mc-fuzz-build}
cc=${CC_FUZZ:-$(command -v clang-14 || command -v clang)}
mkdir -p "$out"

srcs=("$root"/traces/*.c "$root/policies/common.c" "$root/policies/resources.c"
	"$root/sim/dist.c" "$root/sim/rng.c")
libs=$(pkg-config --cflags --libs gsl msgpack zlib)

# name | format | file name | split file (optional)
readers=(
	"native|MC_TFMT_NATIVE|trace.msgpack|"
	"google2011|MC_TFMT_GOOGLE2011|task_events.csv|machine_events.csv"
	"google2019|MC_TFMT_GOOGLE2019|instance_events.json|collection_events.json"
	"alibaba2018|MC_TFMT_ALIBABA2018|batch_task.csv|machine_meta.csv"
	"alibaba2018i|MC_TFMT_ALIBABA2018|batch_instance.csv|batch_task.csv"
	"swf|MC_TFMT_SWF|jobs.swf|"
	"swim|MC_TFMT_SWIM|jobs.tsv|"
)

status=0
for spec in "${readers[@]}"; do
	IFS='|' read -r name fmt file split <<<"$spec"
	bin="$out/fuzz_$name"
	defs=(-DFUZZ_FORMAT="$fmt" -DFUZZ_FILE="\"$file\"")
	[ -n "$split" ] && defs+=(-DFUZZ_SPLIT="\"$split\"")
	echo "== fuzz $name: build"
	"$cc" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_POSIX_C_SOURCE=200809L "${defs[@]}" -I"$root/include" -I"$root" \
		-o "$bin" "$here/fuzz_reader.c" "${srcs[@]}" $libs -lm
	work=$(mktemp -d)
	cp -r "$here/corpus/$name/." "$work/" 2>/dev/null || true
	echo "== fuzz $name: ${secs}s over $(ls "$work" | wc -l) seeds"
	if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crash-$name-" -print_final_stats=0 "$work" >"$out/$name.log" 2>&1); then
		echo "!! fuzz $name FAILED; see $out/$name.log and $out/crash-$name-*"
		tail -30 "$out/$name.log"
		status=1
	else
		grep -E '^#[0-9]+.*(DONE|pulse)' "$out/$name.log" | tail -1 || true
	fi
	rm -rf "$work"
done
exit $status
