#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/list.h"

void lumen_vec_init(struct lumen_vec *vec) {
	vec->items = NULL;
	vec->len = vec->cap = 0;
}

void lumen_vec_finish(struct lumen_vec *vec) {
	free(vec->items);
	lumen_vec_init(vec);
}

bool lumen_vec_push(struct lumen_vec *vec, void *item) {
	if (vec->len == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		if (cap > SIZE_MAX / sizeof(void *)) {
			return false;
		}
		void **items = realloc(vec->items, cap * sizeof(void *));
		if (!items) {
			return false;
		}
		vec->items = items;
		vec->cap = cap;
	}
	vec->items[vec->len++] = item;
	return true;
}

void *lumen_vec_remove_at(struct lumen_vec *vec, size_t index) {
	if (index >= vec->len) {
		return NULL;
	}
	void *item = vec->items[index];
	memmove(&vec->items[index], &vec->items[index + 1],
		(vec->len - index - 1) * sizeof(void *));
	vec->len--;
	return item;
}

long lumen_vec_find(const struct lumen_vec *vec, const void *item) {
	for (size_t i = 0; i < vec->len; i++) {
		if (vec->items[i] == item) {
			return (long)i;
		}
	}
	return -1;
}
