#ifndef OPOP_LIST_ETAG_H
#define OPOP_LIST_ETAG_H

/* Entity tags for list pages, so a client polling a list gets 304 while its
 * page has not changed. */

#include <jansson.h>
#include <stddef.h>

#include "app.h"

/* Answers 200 with the page body (borrowed JSON text) and an ETag made from
 * it, or 304 when If-None-Match names that tag. The tag is a digest of the
 * page as sent: every row carries its version and the page its next cursor,
 * so an insert, update or delete on the page, or a moved page boundary,
 * changes it. */
void reply_list_text(struct req *r, const char *body, size_t len);
/* As reply_list_text for a page document (borrowed). */
void reply_list_json(struct req *r, const json_t *page);

#endif
