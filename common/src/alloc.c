#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/alloc.h"

void *lumen_xcalloc(size_t nmemb, size_t size) {
	void *p = calloc(nmemb, size);
	if (!p && nmemb && size) {
		fprintf(stderr, "lumen: out of memory\n");
		abort();
	}
	return p;
}

char *lumen_xstrdup(const char *s) {
	if (!s) {
		return NULL;
	}
	char *copy = strdup(s);
	if (!copy) {
		fprintf(stderr, "lumen: out of memory\n");
		abort();
	}
	return copy;
}

char *lumen_strdup_printf(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	int len = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (len < 0) {
		return NULL;
	}
	char *s = malloc((size_t)len + 1);
	if (!s) {
		return NULL;
	}
	va_start(args, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, args);
	va_end(args);
	return s;
}
