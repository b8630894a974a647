/*
 * Runs a libFuzzer target over files, for builds without libFuzzer (gcc): each file
 * or each file in each directory on the command line is one input. TAP output, so a
 * crash or a sanitizer report fails the test with the input's name in the log.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int test_no;
static int failures;

static void report(bool passed, const char *path, const char *why) {
	test_no++;
	printf("%sok %d - %s%s%s\n", passed ? "" : "not ", test_no, path, why ? ": " : "",
		why ? why : "");
	fflush(stdout); // so the last input is in the log if the target crashes on the next
	if (!passed) {
		failures++;
	}
}

static void run_file(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) {
		report(false, path, "cannot open");
		return;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	bool read_ok = true;
	while (true) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *bigger = realloc(data, cap);
			if (!bigger) {
				read_ok = false;
				break;
			}
			data = bigger;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			read_ok = !ferror(f);
			break;
		}
	}
	fclose(f);
	if (read_ok) {
		printf("# %s (%zu bytes)\n", path, len);
		fflush(stdout);
		LLVMFuzzerTestOneInput(data, len);
	}
	free(data);
	report(read_ok, path, read_ok ? NULL : "cannot read");
}

static int compare_names(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *path) {
	DIR *dir = opendir(path);
	if (!dir) {
		report(false, path, "cannot open directory");
		return;
	}
	/* Sorted, so runs are reproducible whatever order readdir gives. */
	char **names = NULL;
	size_t len = 0, cap = 0;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.') {
			continue;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			char **bigger = realloc(names, cap * sizeof(*names));
			if (!bigger) {
				break;
			}
			names = bigger;
		}
		size_t size = strlen(path) + strlen(entry->d_name) + 2;
		names[len] = malloc(size);
		if (!names[len]) {
			break;
		}
		snprintf(names[len], size, "%s/%s", path, entry->d_name);
		len++;
	}
	closedir(dir);
	if (len > 0) {
		qsort(names, len, sizeof(*names), compare_names);
	}
	for (size_t i = 0; i < len; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			run_file(names[i]);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char *argv[]) {
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			report(false, argv[i], "no such file or directory");
		} else if (S_ISDIR(st.st_mode)) {
			run_dir(argv[i]);
		} else {
			run_file(argv[i]);
		}
	}
	if (test_no == 0) {
		/* An empty run would pass while testing nothing: a wrong corpus path, say. */
		report(false, "no inputs", "give files or directories");
	}
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
