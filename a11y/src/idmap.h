#ifndef A11Y_IDMAP_H
#define A11Y_IDMAP_H

/* uint32 ids (never 0) to pointers: open addressing, linear probing, backward-shift
 * deletion. The map does not own its values. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct a11y_idmap_slot {
	uint32_t key; // 0: empty
	void *value;
};

struct a11y_idmap {
	struct a11y_idmap_slot *slots;
	size_t cap; // a power of two, or 0
	size_t count;
};

void a11y_idmap_init(struct a11y_idmap *map);
void a11y_idmap_finish(struct a11y_idmap *map);
void *a11y_idmap_get(const struct a11y_idmap *map, uint32_t key);
/** Sets key's value; *old (may be NULL) gets the value replaced. False when out of memory. */
bool a11y_idmap_put(struct a11y_idmap *map, uint32_t key, void *value, void **old);
/** Removes key and returns its value, or NULL. */
void *a11y_idmap_remove(struct a11y_idmap *map, uint32_t key);

/* for (size_t i = 0; i < map.cap; i++) if (map.slots[i].key) ... */

#endif
