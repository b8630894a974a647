#!/bin/bash
# Runs the Wayland Conformance Suite on Lumen.
#
#   run-wlcs.sh WLCS_RUNNER MODULE EXPECTED_FAILURES [gtest options...]
#
# 1. Every test but the expected failures must pass (skips are fine): that decides the
#    exit status.
# 2. The expected failures run apart, in parallel shards (most of them sit out a 10 s
#    timeout); those that pass now are reported so that the list can shrink, but they
#    do not fail the run.
#
# EXPECTED_FAILURES has one gtest name or pattern (* and ?) a line, then "  # reason";
# a line without a reason is an error. Blank lines and lines starting with # are
# ignored.
#
# Environment:
#   WLCS_FILTER       a gtest filter that narrows both runs, e.g. 'XdgToplevelStableTest.*'
#   WLCS_XFAIL_JOBS   shards for the expected failures (default 8; 0 skips them)
#   LUMEN_LOG         the compositor's log level (default error)
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 WLCS_RUNNER MODULE EXPECTED_FAILURES [gtest options...]" >&2
	exit 2
fi
runner=$1 module=$2 xfail_file=$3
shift 3
jobs=${WLCS_XFAIL_JOBS:-8}

for f in "$runner" "$module" "$xfail_file"; do
	if [ ! -e "$f" ]; then
		echo "run-wlcs: $f does not exist" >&2
		exit 2
	fi
done

xfails=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in
	'' | '#'*) continue ;;
	esac
	name=${line%%#*}
	name=${name%"${name##*[![:space:]]}"} # trailing blanks
	reason=${line#*#}
	if [ "$name" = "$line" ] || [ -z "$name" ] || [ -z "${reason//[[:space:]]/}" ]; then
		echo "run-wlcs: $xfail_file:$lineno: want 'TestName  # reason'" >&2
		exit 2
	fi
	xfails+=("$name")
done <"$xfail_file"
xfail_filter=$(IFS=:; echo "${xfails[*]}")
positive=${WLCS_FILTER:-*}

# Private runtime directory: the compositors open their sockets there.
work=$(mktemp -d "${TMPDIR:-/tmp}/lumen-wlcs-run.XXXXXX") || exit 2
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work
unset WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY

# Under LeakSanitizer, add our suppressions (lsan.supp here) to those already named.
if [ -n "${LSAN_OPTIONS:-}" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
	supp=$work/lsan.supp
	cat "$(dirname "$0")/lsan.supp" >"$supp"
	given=$(printf '%s\n' "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p')
	if [ -n "$given" ] && [ -r "$given" ]; then
		cat "$given" >>"$supp"
	fi
	others=$(printf '%s\n' "${LSAN_OPTIONS:-}" | tr ':' '\n' | grep -v '^suppressions=' |
		grep -v '^$' | paste -sd: -)
	export LSAN_OPTIONS="suppressions=$supp${others:+:$others}"
fi

# wlroots says this once per server (1000 times) when it looks for a GPU it need not have.
quiet() {
	grep --line-buffered -v 'drmGetDevices2 failed'
}

# The names of the tests a filter selects, one a line.
list_tests() {
	"$runner" "$module" --gtest_filter="$1" --gtest_list_tests 2>/dev/null |
		awk '/^[^ ]/ { suite = $1; next } /^  / { print suite $1 }'
}

start=$(date +%s)
if [ ${#xfails[@]} -gt 0 ]; then
	filter="$positive-$xfail_filter"
else
	filter=$positive
fi
echo "# wlcs: $(list_tests "$filter" | wc -l) tests, less ${#xfails[@]} expected-failure lines"
"$runner" "$module" --gtest_filter="$filter" "$@" 2>&1 | quiet
status=${PIPESTATUS[0]}
end=$(date +%s)
echo "# wlcs: exit status $status after $((end - start)) s"
if [ "$status" -ne 0 ]; then
	echo "# wlcs: FAILED: tests that are not expected to fail did (see above)"
fi

if [ ${#xfails[@]} -eq 0 ] || [ "$jobs" -eq 0 ]; then
	exit "$status"
fi

# gtest has no "and" of two filters: intersect the two lists of names.
if [ "$positive" = '*' ]; then
	xfilter=$xfail_filter
else
	xfilter=$(list_tests "$positive" | grep -xF -f <(list_tests "$xfail_filter") | paste -sd: -)
fi
if [ -z "$xfilter" ]; then
	exit "$status"
fi
count=$(list_tests "$xfilter" | wc -l)
echo "# wlcs: running the $count expected failures in $jobs shards"
pids=()
for ((i = 0; i < jobs; i++)); do
	GTEST_TOTAL_SHARDS=$jobs GTEST_SHARD_INDEX=$i \
		"$runner" "$module" --gtest_filter="$xfilter" "$@" >"$work/xfail.$i.log" 2>&1 &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done
cat "$work"/xfail.*.log >"$work/xfail.log"
passed=$(sed -n 's/^\[       OK \] \([^ ]*\).*/\1/p' "$work/xfail.log" | sort)
npassed=$(printf '%s' "$passed" | grep -c .)
nfailed=$(grep -c '^\[  FAILED  \] .*([0-9]* ms)$' "$work/xfail.log")
nskipped=$(grep -c '^\[     SKIP \]' "$work/xfail.log")
finished='^\[==========\] [0-9]+ tests? from .* (ran|run)\.'
nfinished=$(grep -cE "$finished" "$work/xfail.log")
echo "# wlcs: expected failures: $nfailed failed, $npassed passed, $nskipped skipped"
# A test may be expected to fail; a memory error or leak never is.
sanitizer='ERROR: [A-Za-z]+Sanitizer|runtime error:'
if grep -qE "$sanitizer" "$work/xfail.log"; then
	echo "# wlcs: FAILED: sanitizer reports while running the expected failures:"
	grep -E -A12 "$sanitizer" "$work/xfail.log" | quiet | sed 's/^/#   /'
	status=1
fi
if [ "$npassed" -gt 0 ]; then
	echo "# wlcs: UNEXPECTED PASSES, to take off $(basename "$xfail_file"):"
	printf '%s\n' "$passed" | sed 's/^/#   /'
fi
if [ "$nfinished" -ne "$jobs" ]; then
	echo "# wlcs: only $nfinished of $jobs expected-failure shards finished; the others end:"
	for ((i = 0; i < jobs; i++)); do
		grep -qE "$finished" "$work/xfail.$i.log" ||
			tail -n 5 "$work/xfail.$i.log" | quiet | sed 's/^/#   /'
	done
fi
echo "# wlcs: expected failures took $(($(date +%s) - end)) s"
exit "$status"
