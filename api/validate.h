#ifndef OPOP_VALIDATE_H
#define OPOP_VALIDATE_H

/* Declarative validation of JSON bodies: a table of field rules per resource,
 * checked all at once so a client learns every bad field in one answer. */

#include <jansson.h>
#include <stddef.h>

enum vtype {
  V_STRING,
  V_INT,
  V_NUMBER,
  V_BOOL,
  V_ENUM, /* a string from choices */
  V_DATE, /* YYYY-MM-DD, a real calendar date */
  V_UUID,
  V_ARRAY, /* any array; item rules belong to the resource */
  V_OBJECT,
};

enum vflags {
  V_REQUIRED = 1, /* must be present (and not null) on create */
  V_NULLABLE = 2, /* null is accepted (clears the value) */
  V_READONLY = 4, /* the server owns it: present in a body is an error */
  V_TRIM = 8,     /* strings are trimmed before the length check and stored trimmed */
};

enum vmode {
  V_CREATE, /* a whole new resource */
  V_PATCH,  /* a merge patch: only present fields are checked */
};

struct vfield {
  const char *name;
  enum vtype type;
  unsigned flags;
  double min, max;                           /* strings: length in characters; numbers: value; 0,0 = no bound */
  const char *const *choices;                /* V_ENUM: NULL-terminated */
  const char *(*check)(const json_t *value); /* extra rule: a message, or NULL when fine */
};

/* Checks obj against fields and appends {field, message} to errors for every
 * unknown, read-only, missing or bad field. V_TRIM strings are trimmed in obj.
 * Returns the number of errors added. */
int validate_object(json_t *obj, const struct vfield *fields, size_t nfields, enum vmode mode, json_t *errors);
/* Same for an object nested at prefix (errors named "prefix.field"). */
int validate_object_at(json_t *obj, const struct vfield *fields, size_t nfields, enum vmode mode, const char *prefix,
                       json_t *errors);

/* Removes the fields marked read-only (a stored document about to be re-validated). */
void validate_strip_readonly(json_t *obj, const struct vfield *fields, size_t nfields);

/* Length of a UTF-8 string in characters; -1 when it is not valid UTF-8. */
long utf8_length(const char *s);
int valid_uuid(const char *s);
int valid_date(const char *s);
int valid_email(const char *s);

#endif
