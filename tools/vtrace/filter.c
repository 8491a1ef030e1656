/* SPDX-License-Identifier: MIT */
/* Event-name filters of dump and export: --events GLOB[,GLOB...], where
 * -GLOB leaves events out. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vtrace/vtrace.h"

int vt_filter_add(struct vt_filter *f, const char *arg)
{
	char *copy = strdup(arg), *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char **bigger = realloc(f->patterns, (f->n + 1) * sizeof(char *));

		if (!bigger) {
			ret = -ENOMEM;
			break;
		}
		f->patterns = bigger;
		f->patterns[f->n] = strdup(tok);
		if (!f->patterns[f->n]) {
			ret = -ENOMEM;
			break;
		}
		f->n++;
	}
	free(copy);
	return ret;
}

bool vt_filter_match(const struct vt_filter *f, const char *name)
{
	bool has_include = false, included = false;

	for (unsigned int i = 0; i < f->n; i++) {
		const char *pat = f->patterns[i];

		if (pat[0] == '-') {
			if (!fnmatch(pat + 1, name, 0))
				return false;
		} else {
			has_include = true;
			if (!fnmatch(pat, name, 0))
				included = true;
		}
	}
	return !has_include || included;
}

void vt_filter_free(struct vt_filter *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->patterns[i]);
	free(f->patterns);
	f->patterns = NULL;
	f->n = 0;
}
