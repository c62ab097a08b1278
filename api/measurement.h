#ifndef OPOP_MEASUREMENT_H
#define OPOP_MEASUREMENT_H

/* A measurement's fields and who may record one (api/measurement.c). */

#include <jansson.h>

#include "app.h"
#include "validate.h"

#define MEASUREMENT_NFIELDS 22
extern const struct vfield measurement_fields[MEASUREMENT_NFIELDS];

/* 1 when doc's pesantren_id is the calling operator's pesantren. */
int measurement_own_pesantren(const struct req *r, const json_t *doc);
/* The field rules of a new measurement: the number of errors added to errors. */
int measurement_validate(json_t *body, json_t *errors);
/* The reason the caller may not record body (static), NULL when it may. */
const char *measurement_refused(const struct req *r, const json_t *body);

#endif
