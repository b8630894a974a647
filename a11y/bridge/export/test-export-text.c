/*
 * Unit test: the character and byte offsets the export converts between (AT-SPI2 counts
 * characters, lumen-a11yd bytes), on ASCII, two-, three- and four-byte UTF-8, and at and
 * past the ends. TAP.
 */
#include <stdio.h>
#include <string.h>
#include "export-private.h"

static int n_test, n_failed;

static void ok(int cond, const char *what) {
	n_test++;
	if (!cond) {
		n_failed++;
	}
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, what);
}

int main(void) {
	const char *ascii = "hello world";
	ok(exp_utf8_chars(ascii, strlen(ascii)) == 11, "ASCII: 11 characters");
	ok(exp_utf8_bytes(ascii, 5) == 5, "ASCII: character 5 is byte 5");

	/* h é l l o (é: 2 bytes), € (3 bytes), 😀 (4 bytes) */
	const char *mixed = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80!";
	size_t len = strlen(mixed);
	ok(len == 16, "the mixed string is 16 bytes");
	ok(exp_utf8_chars(mixed, len) == 10, "and 10 characters");
	ok(exp_utf8_chars(mixed, 3) == 2, "byte 3 (after é) is character 2");
	ok(exp_utf8_bytes(mixed, 2) == 3, "character 2 is byte 3");
	ok(exp_utf8_bytes(mixed, 7) == 10, "character 7 (after €) is byte 10");
	ok(exp_utf8_bytes(mixed, 9) == 15, "character 9 (after the emoji) is byte 15");
	ok(exp_utf8_chars(mixed, 15) == 9, "and back: byte 15 is character 9");
	ok(exp_utf8_bytes(mixed, 10) == len, "the end is the end");
	ok(exp_utf8_bytes(mixed, 1000) == len, "past the end stops at the end");
	ok(exp_utf8_chars(mixed, 1000) == 10, "bytes past the end count nothing more");
	ok(exp_utf8_chars(mixed, 2) == 2, "a byte inside é counts it (its start is in range)");
	ok(exp_utf8_chars("", 0) == 0 && exp_utf8_bytes("", 3) == 0, "the empty string");
	for (int c = 0; c <= 10; c++) {
		if (exp_utf8_chars(mixed, exp_utf8_bytes(mixed, c)) != c) {
			ok(0, "characters -> bytes -> characters");
			break;
		}
		if (c == 10) {
			ok(1, "characters -> bytes -> characters, every offset");
		}
	}
	printf("1..%d\n", n_test);
	return n_failed ? 1 : 0;
}
