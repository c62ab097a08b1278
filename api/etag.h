#ifndef OPOP_ETAG_H
#define OPOP_ETAG_H

/* Entity-tag lists of If-None-Match and If-Match (RFC 9110 13.1.1, 13.1.2). */

/* Whether the entity-tag list in header names tag (the opaque text between
 * the quotes), plain or gzipped ("12" or "12-gz"), or is "*": 0 when not, 1
 * for the plain tag or "*", 2 for the gzipped one. A weak tag (W/"3") matches
 * only when weak_ok: If-None-Match compares weakly, If-Match strongly; the two
 * representations share their resource's state, so either passes a
 * precondition. */
int etag_list_matches(const char *header, const char *tag, int weak_ok);

#endif
