#!/usr/bin/env bash
# bad_input.sh MESOCOSM - bad experiment files and traces end with a
# file:line[:col] message and a non-zero exit, and leave no run directory.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect_error() { # name, pattern expected on stderr, args...
	local name=$1 pattern=$2
	shift 2
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 0 ]; then
		echo "FAIL $name: exit 0"; fail=1
	elif [ $rc -ge 128 ]; then
		echo "FAIL $name: crashed (exit $rc)"; fail=1
	elif ! grep -Eq "$pattern" "$tmp/err"; then
		echo "FAIL $name: stderr does not match '$pattern':"; cat "$tmp/err"; fail=1
	elif [ -e "$tmp/run" ] || ls -a "$tmp" | grep -q '^\.run\.tmp'; then
		echo "FAIL $name: a run directory was left behind"; fail=1
	else
		echo "ok   $name"
	fi
}

cat >"$tmp/unknown_key.yaml" <<'Y'
name: x
agents:
  - count: 2
    resources: "cpus:1;mem:1024"
    colour: blue
frameworks:
  - name: f
Y
expect_error "unknown key" 'unknown_key\.yaml:5:5: .*colour' run "$tmp/unknown_key.yaml" -o "$tmp/run"

cat >"$tmp/bad_fw_failure.yaml" <<'Y'
name: x
agents:
  - count: 2
    resources: "cpus:1;mem:1024"
frameworks:
  - name: f
failures:
  - at: 10s
    framework: nosuch
Y
expect_error "failure of an unknown framework" "bad_fw_failure\.yaml:9:16: .*no framework named 'nosuch'" run "$tmp/bad_fw_failure.yaml" -o "$tmp/run"

cat >"$tmp/bad_maintenance.yaml" <<'Y'
name: x
agents:
  - count: 2
    resources: "cpus:1;mem:1024"
frameworks:
  - name: f
maintenance:
  - group: gpu
    start: 1m
    duration: 1m
Y
expect_error "maintenance of an unknown agent group" "bad_maintenance\.yaml:8:12: .*no agent group with name_prefix 'gpu'" run "$tmp/bad_maintenance.yaml" -o "$tmp/run"

cat >"$tmp/bad_res.yaml" <<'Y'
agents:
  - count: 2
    resources: "cpus:-1"
frameworks:
  - name: f
Y
expect_error "negative resource" 'bad_res\.yaml:3:[0-9]+: ' run "$tmp/bad_res.yaml" -o "$tmp/run"

printf 'agents: [\n  {count: 2\n' >"$tmp/syntax.yaml"
expect_error "YAML syntax" 'syntax\.yaml:[0-9]+:[0-9]+: ' run "$tmp/syntax.yaml" -o "$tmp/run"

expect_error "missing file" 'nope\.yaml' run "$tmp/nope.yaml" -o "$tmp/run"

printf 'garbage\x00\xff\x01not a trace' >"$tmp/garbage.msgpack"
cat >"$tmp/bad_trace.yaml" <<Y
agents:
  - count: 2
    resources: "cpus:4;mem:4096"
frameworks:
  - name: f
    workload:
      trace: {path: garbage.msgpack, format: native}
Y
expect_error "garbage trace" 'garbage\.msgpack' run "$tmp/bad_trace.yaml" -o "$tmp/run"

printf '1 0 10 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n2 5 10 oops 4\n' >"$tmp/bad.swf"
cat >"$tmp/bad_swf.yaml" <<Y
agents:
  - count: 2
    resources: "cpus:4;mem:4096"
frameworks:
  - name: f
    workload:
      trace: {path: bad.swf, format: swf}
Y
expect_error "malformed SWF row" 'bad\.swf:2' run "$tmp/bad_swf.yaml" -o "$tmp/run"

cat >"$tmp/good.yaml" <<'Y'
agents:
  - count: 2
    resources: "cpus:1;mem:1024"
frameworks:
  - name: f
Y
expect_error "bad --set value" 'allocator\.allocation_interval' run "$tmp/good.yaml" --set allocator.allocation_interval=fast -o "$tmp/run"
expect_error "--set of an unknown key" 'allocator\.colour' run "$tmp/good.yaml" --set allocator.colour=1 -o "$tmp/run"

exit $fail
