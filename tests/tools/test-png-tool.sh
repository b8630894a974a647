#!/bin/sh
# Unit test for png-tool, in TAP: builds images with known pixels (png-tool make/fill,
# plus a few hand-made PNGs of the less common kinds) and checks every command's answer
# and exit status.
#
#   test-png-tool.sh PATH/TO/png-tool

set -u

tool=${1:?usage: test-png-tool.sh PNG-TOOL}
dir=$(mktemp -d "${TMPDIR:-/tmp}/png-tool-test.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT

n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# expect DESCRIPTION EXPECTED-STATUS EXPECTED-STDOUT -- png-tool ARGS...
expect() {
	desc=$1 want_status=$2 want_out=$3
	shift 4
	out=$("$tool" "$@" 2>"$dir/stderr")
	status=$?
	if [ "$status" -eq "$want_status" ] && [ "$out" = "$want_out" ]; then
		ok "$desc"
	else
		not_ok "$desc" "png-tool $*" "wanted status $want_status, output '$want_out'" \
			"got status $status, output '$out'" "stderr: $(cat "$dir/stderr")"
	fi
}

# An image file written from base64, for the kinds png-tool does not write itself.
from_base64() {
	printf '%s' "$2" | base64 -d >"$dir/$1"
}

a=$dir/a.png
b=$dir/b.png
c=$dir/c.png
d=$dir/d.png

expect "make a solid image" 0 "" -- make "$a" 20 10 ff0000
expect "size" 0 "20 10" -- size "$a"
expect "pixel reads the fill colour" 0 "ff0000" -- pixel "$a" 19 9
expect "pixel outside the image is an error" 3 "" -- pixel "$a" 20 0

expect "make a second identical image" 0 "" -- make "$b" 20 10 FF0000
expect "identical images compare equal" 0 "differing 0" -- compare "$a" "$b"
expect "fill a rectangle" 0 "" -- fill "$b" 2 3 4 5 00ff00
expect "pixel inside the filled rectangle" 0 "00ff00" -- pixel "$b" 5 7
expect "pixel just outside it" 0 "ff0000" -- pixel "$b" 6 7
expect "compare counts the filled pixels" 1 "differing 20" -- compare "$a" "$b"
expect "count the filled colour" 0 "20" -- count "$b" 0 0 20 10 00ff00
expect "count the background" 0 "180" -- count "$b" 0 0 20 10 '#ff0000'
expect "count in a rectangle straddling the fill" 0 "4" -- count "$b" 4 6 4 4 00ff00
expect "count outside the image is an error" 3 "" -- count "$b" 10 5 11 5 00ff00
expect "distinct in the whole image" 0 "2" -- distinct "$b" 0 0 20 10
expect "distinct inside the fill" 0 "1" -- distinct "$b" 2 3 4 5

expect "make a near colour" 0 "" -- make "$c" 20 10 fe0101
expect "compare without tolerance" 1 "differing 200" -- compare "$a" "$c"
expect "compare with tolerance 1" 0 "differing 0" -- compare "$a" "$c" --tolerance 1
expect "tolerance before the files" 0 "differing 0" -- compare --tolerance 1 "$a" "$c"
expect "count without tolerance" 0 "0" -- count "$c" 0 0 20 10 ff0000
expect "count with tolerance" 0 "200" -- count "$c" 0 0 20 10 ff0000 --tolerance 1

expect "crop" 0 "" -- crop "$b" 2 3 4 5 "$d"
expect "cropped size" 0 "4 5" -- size "$d"
expect "cropped content" 0 "20" -- count "$d" 0 0 4 5 00ff00
expect "compare of different sizes" 2 "sizes differ: 20x10 4x5" -- compare "$a" "$d"

expect "make rgba" 0 "" -- make "$dir/rgba.png" 3 3 abcdef --format rgba
expect "rgba pixel ignores alpha" 0 "abcdef" -- pixel "$dir/rgba.png" 1 1
expect "rgba compares equal to rgb" 0 "differing 0" -- compare "$dir/rgba.png" "$dir/rgba.png"
expect "make gray" 0 "" -- make "$dir/gray.png" 3 3 808080 --format gray
expect "gray pixel expands to rgb" 0 "808080" -- pixel "$dir/gray.png" 2 2
expect "make palette" 0 "" -- make "$dir/pal.png" 3 3 123456 --format palette
expect "palette pixel expands to rgb" 0 "123456" -- pixel "$dir/pal.png" 0 2

# 2x1, 16 bits a channel, RGBA: (12ff,34ff,56ff, alpha 0) and (ffff,0,0, alpha ffff).
from_base64 rgba16.png 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABEAYAAACksqPJAAAAFUlEQVR4nGMQ+m/yP+w/A8N/IAaRAEDYB5a1L3vJAAAAAElFTkSuQmCC'
expect "16-bit pixel, transparent, is stripped to 8 bits" 0 "123456" -- pixel "$dir/rgba16.png" 0 0
expect "16-bit second pixel" 0 "ff0000" -- pixel "$dir/rgba16.png" 1 0
# 8x1, 1-bit grey: 1 0 1 0 0 0 0 0.
from_base64 gray1.png 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAABAQAAAADLe9LuAAAACklEQVR4nGNYAAAAogCh3I2xzAAAAABJRU5ErkJggg=='
expect "1-bit grey white" 0 "ffffff" -- pixel "$dir/gray1.png" 2 0
expect "1-bit grey black" 0 "000000" -- pixel "$dir/gray1.png" 3 0
expect "1-bit grey distinct" 0 "2" -- distinct "$dir/gray1.png" 0 0 8 1
# 1x1 RGB, Adam7-interlaced: 0a0b0c.
from_base64 interlaced.png 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAAHncGNIAAAADElEQVR4nGPg4uYBAABEACJzO0piAAAAAElFTkSuQmCC'
expect "interlaced pixel" 0 "0a0b0c" -- pixel "$dir/interlaced.png" 0 0

expect "missing file is an error" 3 "" -- size "$dir/missing.png"
printf 'not a png' >"$dir/junk.png"
expect "a file that is not PNG is an error" 3 "" -- size "$dir/junk.png"
expect "bad colour is an error" 3 "" -- count "$a" 0 0 1 1 red
expect "unknown command is an error" 3 "" -- frobnicate "$a"
expect "wrong argument count is an error" 3 "" -- pixel "$a" 1

echo "1..$n"
[ "$failed" -eq 0 ]
