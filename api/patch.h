#ifndef OPOP_PATCH_H
#define OPOP_PATCH_H

#include <jansson.h>

/* Applies an RFC 7396 JSON merge patch to target in place: null removes a
 * member, objects merge recursively, anything else replaces. patch is borrowed. */
void merge_patch(json_t *target, const json_t *patch);

#endif
