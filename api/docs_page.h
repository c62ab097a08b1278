#ifndef OPOP_DOCS_PAGE_H
#define OPOP_DOCS_PAGE_H

#include <stddef.h>

/* The /docs page and its start script, compiled in from openapi/docs.html
 * and openapi/docs.js by the build. */
extern const char docs_page_html[];
extern const size_t docs_page_html_len;
extern const char docs_init_js[];
extern const size_t docs_init_js_len;

#endif
