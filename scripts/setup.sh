#!/usr/bin/env bash
# setup.sh - installs the Debian packages mesocosm needs (only those that are
# missing), then configures and builds it.
#
#   scripts/setup.sh               release build in build/
#   scripts/setup.sh --sanitize    address+undefined sanitizer build in build-asan/
#   scripts/setup.sh --werror      warnings are errors (CI)
#
# Environment: MC_JOBS (parallel build jobs, default: number of cores).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build"
cmake_args=()
for arg in "$@"; do
	case "$arg" in
	--sanitize) build="$here/build-asan"; cmake_args+=(-DMC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
	--werror) cmake_args+=(-DMC_WERROR=ON) ;;
	*) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
	esac
done

packages=(build-essential cmake pkg-config libgsl-dev libmsgpack-dev libcmocka-dev
	libyaml-dev zlib1g-dev gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	echo "setup.sh: installing ${missing[*]}" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

cmake -S "$here" -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j "${MC_JOBS:-$(nproc)}"
