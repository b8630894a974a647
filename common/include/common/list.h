#ifndef COMMON_LIST_H
#define COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A growable array of pointers, for things looked up by index (workspaces, config
 * sections, IPC arguments). Linked objects with listeners use wl_list instead.
 */
struct lumen_vec {
	void **items;
	size_t len, cap;
};

void lumen_vec_init(struct lumen_vec *vec);
/** Frees the array, not the items. */
void lumen_vec_finish(struct lumen_vec *vec);
bool lumen_vec_push(struct lumen_vec *vec, void *item);
void *lumen_vec_remove_at(struct lumen_vec *vec, size_t index);
/** Returns the index of item, or -1. */
long lumen_vec_find(const struct lumen_vec *vec, const void *item);

#endif
