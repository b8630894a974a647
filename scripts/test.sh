#!/bin/sh
# Runs every test: installs what the tests need, builds with Meson, runs the test
# suites, runs them again under ASan + UBSan, runs the fuzzers for a bounded time,
# and closes with one line: "N passed, N failed, N skipped".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" --test || exit 1

fuzz_seconds="${LUMEN_FUZZ_SECONDS:-30}"
results=$(mktemp -d /tmp/lumen-results.XXXXXX)
status=0

setup() { # dir, options...
	dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$results/setup-$(basename "$dir").log" 2>&1
	else
		meson setup "$dir" "$@" >"$results/setup-$(basename "$dir").log" 2>&1
	fi || { cat "$results/setup-$(basename "$dir").log"; return 1; }
	ninja -C "$dir" || return 1
}

echo "== build and test (build-test)"
if setup build-test; then
	meson test -C build-test --print-errorlogs --num-processes 2 || status=1
	cp build-test/meson-logs/testlog.json "$results/plain.json" 2>/dev/null
else
	echo "build failed" >"$results/plain.failed"
	status=1
fi

echo "== under ASan + UBSan (build-asan)"
if setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwlcs=disabled; then
	meson test -C build-asan --setup sanitize --print-errorlogs --num-processes 2 \
		--no-suite conformance || status=1
	cp build-asan/meson-logs/testlog-sanitize.json "$results/asan.json" 2>/dev/null
else
	echo "build failed" >"$results/asan.failed"
	status=1
fi

echo "== fuzzers, ${fuzz_seconds}s each (build-fuzz)"
if CC=clang setup build-fuzz -Dfuzz=enabled -Dwlcs=disabled -Dxwayland=disabled; then
	: >"$results/fuzz.txt"
	for fuzzer in $(find build-fuzz -type f -name 'fuzz-*' -perm -u+x ! -name '*-replay' | sort); do
		name=$(basename "$fuzzer")
		corpus=$(find "$root" -path "$root/build*" -prune -o -type d \
			-path "*/fuzz/corpus/${name#fuzz-}" -print | head -n 1)
		work=$(mktemp -d)
		[ -n "$corpus" ] && cp -r "$corpus"/. "$work"/
		if "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
				-print_final_stats=0 "$work" >"$results/$name.log" 2>&1; then
			echo "pass $name" >>"$results/fuzz.txt"
			echo "fuzz $name: ok"
		else
			echo "fail $name" >>"$results/fuzz.txt"
			echo "fuzz $name: FAILED"
			tail -n 40 "$results/$name.log"
			status=1
		fi
		rm -rf "$work"
	done
else
	echo "build failed" >"$results/fuzz.failed"
	status=1
fi

python3 "$root/scripts/summarize-tests.py" "$results"
sum=$?
rm -rf "$results"
[ $status -eq 0 ] && [ $sum -eq 0 ]
