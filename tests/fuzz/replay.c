// SPDX-License-Identifier: MIT
/*
 * Replay driver: runs a fuzz target over files, without libFuzzer.
 *
 *   fuzz-replay-NAME [FILE|DIR]...
 *
 * With no argument it replays tests/fuzz/corpus/NAME and
 * tests/fuzz/regressions/NAME (relative to the source tree, where `make
 * check` runs).  Prints one line per directory; a crash is the target's
 * abort (or the sanitizer's report in build/asan) and fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	/* An exact-size heap copy: ASan sees any read past the input. */
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of @dir, in name order.  Returns the count, -1 on
 * error; a missing directory is 0. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int bad = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				return -1;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (run_file(path))
			bad = 1;
		free(names[i]);
	}
	free(names);
	printf("%s: %zu inputs replayed\n", dir, n);
	return bad ? -1 : (int)n;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return run_dir(path);
	return run_file(path) ? -1 : 1;
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "corpus", "regressions" };
	char **paths = calloc((size_t)argc + 2, sizeof(*paths));
	int npaths = 0, total = 0, bad = 0;

	/* Absolute paths first: a target may chdir in its initialization. */
	if (!paths)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!(paths[npaths++] = realpath(argv[i], NULL)))
			paths[npaths - 1] = strdup(argv[i]);
	if (argc == 1) {
		for (int k = 0; k < 2; k++) {
			char dir[256];

			snprintf(dir, sizeof(dir), "tests/fuzz/%s/%s", kinds[k],
				 fuzz_name);
			paths[npaths++] = realpath(dir, NULL);
		}
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 0; i < npaths; i++) {
		int n = paths[i] ? run_path(paths[i]) : 0;

		if (n < 0)
			bad = 1;
		else
			total += n;
		free(paths[i]);
	}
	free(paths);
	printf("fuzz-replay %s: %d inputs, %s\n", fuzz_name, total,
	       bad ? "some unreadable" : "no crash");
	return bad;
}
