// SPDX-License-Identifier: MIT
#include "tools/vtrace/report.h"

int vt_report_print_svg(const struct vt_report *r, FILE *f)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
	return 0;
}
