#ifndef OPOP_CURSOR_H
#define OPOP_CURSOR_H

/* Opaque page cursors: a few text parts (the sort, its last value, the last
 * row's sequence) joined and base64url-encoded. Clients must not read them. */

/* Encodes n parts (none may contain the byte 0x1f). Caller frees. */
char *cursor_encode(const char *const *parts, int n);
/* Decodes into exactly n parts (caller frees each). 0, or -1 when malformed. */
int cursor_decode(const char *cursor, char **parts, int n);

#endif
