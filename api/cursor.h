#ifndef OPOP_CURSOR_H
#define OPOP_CURSOR_H

/* Opaque page cursors: a few text parts (the sort, its last value, the last
 * row's sequence) joined and base64url-encoded. Clients must not read them.
 * Every list, /v1/regions and the change feed's `since` use one format, a
 * position of three parts (tag, key, sequence), and one message when a
 * cursor is refused. */

/* The field message for a cursor that was not given out by this list (static). */
extern const char cursor_refused[];

/* Encodes n parts (none may contain the byte 0x1f). Caller frees. */
char *cursor_encode(const char *const *parts, int n);
/* Decodes into exactly n parts (caller frees each). 0, or -1 when malformed. */
int cursor_decode(const char *cursor, char **parts, int n);
/* Decodes a position given out with tag: 0 with *key and *seq set (caller
 * frees both), or -1 (both NULL) when malformed or made with another tag. */
int cursor_position(const char *cursor, const char *tag, char **key, char **seq);

#endif
