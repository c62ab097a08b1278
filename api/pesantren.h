#ifndef OPOP_PESANTREN_H
#define OPOP_PESANTREN_H

/* A pesantren's fields and the rules across them (api/pesantren.c). */

#include <jansson.h>

#include "validate.h"

#define PESANTREN_NFIELDS 20
extern const struct vfield pesantren_fields[PESANTREN_NFIELDS];
extern const char *const pesantren_typologies[];

/* Rules across fields of a whole document: the number of errors added. */
int pesantren_rules(const json_t *doc, json_t *errors);
/* Every rule of a new pesantren: the number of errors added to errors. */
int pesantren_check(json_t *doc, json_t *errors);

#endif
