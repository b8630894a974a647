#ifndef COMMON_ALLOC_H
#define COMMON_ALLOC_H

#include <stddef.h>

/*
 * For clients and tools, which may abort when memory runs out. Daemons that serve
 * others check every calloc themselves and answer the client with no_memory.
 */
void *lumen_xcalloc(size_t nmemb, size_t size);
char *lumen_xstrdup(const char *s);
/** Returns a heap string built with printf formatting; NULL on failure. */
char *lumen_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
