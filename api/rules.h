#ifndef OPOP_RULES_H
#define OPOP_RULES_H

/* Field rules shared by several resources, one home each: region codes,
 * indicator codes, periods and measured values. Handlers use these; no
 * handler file calls another. A check_* function returns NULL when the value
 * is acceptable, else the message for the field (static). */

#include <jansson.h>

#include "app.h"

struct period;

/* One of the 38 region codes of Jawa Timur (a string). */
const char *check_region_code(const json_t *v);
/* text form of check_region_code: 1 when code is one of the 38. */
int region_code_valid(const char *code);
/* 0 when regions (the regions table's rows) hold exactly the 38 codes, else
 * -1 with the difference in why. */
int rules_regions_agree(const json_t *regions, char *why, size_t len);
/* An array of distinct region codes. */
const char *check_region_codes(const json_t *v);

/* The form of an indicator code, ^[A-Z][A-Z0-9_]{1,39}$. */
const char *check_indicator_code(const json_t *v);
int indicator_code_form(const char *s);

/* A period of a target or measurement: YYYY, YYYY-Qn or YYYY-MM, years 2000..2100. */
const char *check_measure_period(const json_t *v);
/* A measured or targeted value: a number from 0 to 10^15. */
const char *check_measure_value(const json_t *v);
/* Replaces a numeric "value" of doc by its decimal text (what the database stores). 0, or -1. */
int measure_value_to_text(json_t *doc);

/* Optional query parameters: 0 with *out borrowed (NULL when absent), or -1
 * after answering 400 on the parameter. rules_query_period also fills *p (may
 * be NULL) when the parameter is present. */
int rules_query_uuid(struct req *r, const char *name, const char **out);
int rules_query_period(struct req *r, const char *name, const char **out, struct period *p);
int rules_query_region(struct req *r, const char *name, const char **out);

/* 0 when the pesantren of a path exists, else -1 after answering 404 or 503. */
int rules_pesantren_found(struct req *r, const char *id);

#endif
