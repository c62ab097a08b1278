#ifndef OPOP_DOCS_PAGE_H
#define OPOP_DOCS_PAGE_H

#include <stddef.h>

/* The /docs page, compiled in from openapi/docs.html by the build. */
extern const char docs_page_html[];
extern const size_t docs_page_html_len;

#endif
