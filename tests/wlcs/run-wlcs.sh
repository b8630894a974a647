#!/bin/bash
# Runs the Wayland Conformance Suite on Lumen.
#
#   run-wlcs.sh WLCS_RUNNER MODULE EXPECTED_FAILURES [gtest options...]
#
# 1. Every test but the expected failures must pass (skips are fine): that is the exit
#    status.
# 2. The expected failures run on their own; those that pass now are reported, so the
#    list can shrink, but do not fail the run.
#
# EXPECTED_FAILURES has one gtest name (or pattern with * and ?) a line, then
# "  # reason"; a line without a reason is an error. Blank lines and lines starting
# with # are ignored.
#
# Environment: WLCS_FILTER (a gtest positive filter) narrows both runs, e.g. to
# 'XdgToplevelStableTest.*' while working on one area.
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 WLCS_RUNNER MODULE EXPECTED_FAILURES [gtest options...]" >&2
	exit 2
fi
runner=$1 module=$2 xfail_file=$3
shift 3

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
	if [ "$name" = "$line" ] || [ -z "${reason//[[:space:]]/}" ] || [ -z "$name" ]; then
		echo "run-wlcs: $xfail_file:$lineno: want 'TestName  # reason'" >&2
		exit 2
	fi
	xfails+=("$name")
done <"$xfail_file"

xfail_filter=$(IFS=:; echo "${xfails[*]}")
positive=${WLCS_FILTER:-*}

# A private runtime directory: the compositor opens its sockets there.
runtime=$(mktemp -d "${TMPDIR:-/tmp}/lumen-wlcs-run.XXXXXX") || exit 2
chmod 700 "$runtime"
log=$runtime/xfail.log
cleanup() {
	rm -rf "$runtime"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR=$runtime
unset WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY

start=$(date +%s)
echo "# wlcs: all tests but ${#xfails[@]} expected failures"
if [ ${#xfails[@]} -gt 0 ]; then
	filter="$positive-$xfail_filter"
else
	filter=$positive
fi
"$runner" "$module" --gtest_filter="$filter" "$@"
status=$?
end=$(date +%s)
echo "# wlcs: main run exit status $status after $((end - start)) s"
if [ $status -ne 0 ]; then
	echo "# wlcs: FAILED (tests that are not expected to fail did)"
fi

if [ ${#xfails[@]} -gt 0 ]; then
	echo "# wlcs: running the expected failures"
	if [ "$positive" = '*' ]; then
		xfilter=$xfail_filter
	else
		# gtest has no "and" of two filters: intersect the two lists of names.
		list_tests() {
			"$runner" "$module" --gtest_filter="$1" --gtest_list_tests 2>/dev/null |
				awk '/^[^ ]/ { suite = $1; next } /^  / { print suite $1 }'
		}
		xfilter=$(list_tests "$positive" | grep -xF -f <(list_tests "$xfail_filter") |
			paste -sd: -)
	fi
	if [ -n "$xfilter" ]; then
		"$runner" "$module" --gtest_filter="$xfilter" "$@" >"$log" 2>&1
		passed=$(sed -n 's/^\[       OK \] \([^ ]*\).*/\1/p' "$log")
		failed=$(sed -n 's/^\[  FAILED  \] \([^ ]*\) (.*/\1/p' "$log" | sort -u)
		npassed=$(printf '%s' "$passed" | grep -c .)
		nfailed=$(printf '%s' "$failed" | grep -c .)
		echo "# wlcs: expected failures: $nfailed failed, $npassed passed"
		if [ "$npassed" -gt 0 ]; then
			echo "# wlcs: UNEXPECTED PASSES (remove them from $(basename "$xfail_file")):"
			printf '%s\n' "$passed" | sed 's/^/#   /'
		fi
		if ! grep -q '^\[  PASSED  \]' "$log"; then
			echo "# wlcs: the expected-failure run did not finish; its tail:"
			tail -n 20 "$log" | sed 's/^/#   /'
		fi
	fi
	end2=$(date +%s)
	echo "# wlcs: expected-failure run took $((end2 - end)) s"
fi
exit $status
