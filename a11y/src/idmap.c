/* The id map (idmap.h). */
#include "idmap.h"
#include <stdlib.h>

static size_t slot_of(uint32_t key, size_t cap) {
	/* Fibonacci hashing: providers use small consecutive ids. */
	return (size_t)((key * 2654435769u) & (uint32_t)(cap - 1));
}

void a11y_idmap_init(struct a11y_idmap *map) {
	map->slots = NULL;
	map->cap = 0;
	map->count = 0;
}

void a11y_idmap_finish(struct a11y_idmap *map) {
	free(map->slots);
	a11y_idmap_init(map);
}

void *a11y_idmap_get(const struct a11y_idmap *map, uint32_t key) {
	if (!map->cap || key == 0) {
		return NULL;
	}
	for (size_t i = slot_of(key, map->cap);; i = (i + 1) & (map->cap - 1)) {
		if (map->slots[i].key == key) {
			return map->slots[i].value;
		}
		if (map->slots[i].key == 0) {
			return NULL;
		}
	}
}

static void insert_slot(struct a11y_idmap_slot *slots, size_t cap, uint32_t key, void *value) {
	size_t i = slot_of(key, cap);
	while (slots[i].key != 0) {
		i = (i + 1) & (cap - 1);
	}
	slots[i].key = key;
	slots[i].value = value;
}

static bool grow(struct a11y_idmap *map) {
	size_t cap = map->cap ? map->cap * 2 : 16;
	struct a11y_idmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots) {
		return false;
	}
	for (size_t i = 0; i < map->cap; i++) {
		if (map->slots[i].key) {
			insert_slot(slots, cap, map->slots[i].key, map->slots[i].value);
		}
	}
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return true;
}

bool a11y_idmap_put(struct a11y_idmap *map, uint32_t key, void *value, void **old) {
	if (old) {
		*old = NULL;
	}
	if (key == 0) {
		return false;
	}
	if (map->cap) {
		for (size_t i = slot_of(key, map->cap);; i = (i + 1) & (map->cap - 1)) {
			if (map->slots[i].key == key) {
				if (old) {
					*old = map->slots[i].value;
				}
				map->slots[i].value = value;
				return true;
			}
			if (map->slots[i].key == 0) {
				break;
			}
		}
	}
	if ((map->count + 1) * 4 > map->cap * 3 && !grow(map)) {
		return false;
	}
	insert_slot(map->slots, map->cap, key, value);
	map->count++;
	return true;
}

void *a11y_idmap_remove(struct a11y_idmap *map, uint32_t key) {
	if (!map->cap || key == 0) {
		return NULL;
	}
	size_t mask = map->cap - 1;
	size_t i = slot_of(key, map->cap);
	while (map->slots[i].key != key) {
		if (map->slots[i].key == 0) {
			return NULL;
		}
		i = (i + 1) & mask;
	}
	void *value = map->slots[i].value;
	map->count--;
	/* Backward shift: pull later entries of the run into the hole when their home
	 * slot is not between the hole and them. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; map->slots[j].key != 0; j = (j + 1) & mask) {
		size_t home = slot_of(map->slots[j].key, map->cap);
		bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			map->slots[hole] = map->slots[j];
			hole = j;
		}
	}
	map->slots[hole].key = 0;
	map->slots[hole].value = NULL;
	return value;
}
