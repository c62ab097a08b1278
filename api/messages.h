#ifndef OPOP_MESSAGES_H
#define OPOP_MESSAGES_H

/* The one catalogue of the texts a client reads, keyed by their English
 * text: code everywhere writes English constants, and the reply module asks
 * here for the Indonesian. Texts made at run time (numbers, names inside)
 * are matched by a pattern whose {1}, {2}, ... stand for the varying parts. */

#include <stddef.h>

#include "language.h"

struct message {
  const char *en;
  const char *id;
};

/* english in language l: english itself for LANG_EN or when the catalogue
 * has no entry; else a static string or buf (of len bytes) filled from a
 * pattern. Never NULL for a non-NULL english. */
const char *msg_translate(const char *english, enum lang l, char *buf, size_t len);

/* The exact entries, sorted by strcmp of en, and the patterns (borrowed). */
size_t msg_catalogue(const struct message **entries);
size_t msg_patterns(const struct message **patterns);

#endif
