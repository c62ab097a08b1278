#ifndef OPOP_LANGUAGE_H
#define OPOP_LANGUAGE_H

/* The language of the texts a client reads (problem titles, details, field
 * messages), chosen from its Accept-Language header (RFC 9110, q-values). */

enum lang {
  LANG_EN = 0, /* the default */
  LANG_ID = 1, /* Bahasa Indonesia */
};

/* The best of en and id for header (may be NULL). A malformed header, or one
 * naming neither, gives English; on equal weight the range listed first wins. */
enum lang lang_negotiate(const char *header);
/* "en" or "id" (static). */
const char *lang_tag(enum lang l);

#endif
