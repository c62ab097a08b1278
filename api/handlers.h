#ifndef OPOP_HANDLERS_H
#define OPOP_HANDLERS_H

/* Every handler of the route table, one file per resource (h_<resource>.c). */

#include <jansson.h>

#include "app.h"

struct vfield;

/* operations (h_ops.c) */
void h_healthz(struct req *r);
void h_readyz(struct req *r);
void h_metrics(struct req *r);
void h_openapi(struct req *r);
void h_docs(struct req *r);

/* auth.c: h_auth_login, h_auth_logout, h_me (declared in auth.h) */

/* h_users.c */
void h_users_list(struct req *r);
void h_users_get(struct req *r);
void h_users_create(struct req *r);
void h_users_patch(struct req *r);
/* Field rule shared by users and API keys. */
const char *check_region_codes(const json_t *v);

/* h_api_keys.c */
void h_api_keys_list(struct req *r);
void h_api_keys_get(struct req *r);
void h_api_keys_create(struct req *r);
void h_api_keys_delete(struct req *r);

/* h_regions.c */
void h_regions_list(struct req *r);
void h_regions_get(struct req *r);

/* h_pesantren.c */
void h_pesantren_list(struct req *r);
void h_pesantren_get(struct req *r);
void h_pesantren_create(struct req *r);
void h_pesantren_patch(struct req *r);
void h_pesantren_delete(struct req *r);
/* Field rule: one of the 38 region codes of Jawa Timur. */
const char *check_region_code(const json_t *v);
/* The pesantren's field table, and every rule of a new pesantren (the number
 * of errors added), for imports. */
const struct vfield *pesantren_vfields(size_t *n);
int pesantren_check(json_t *doc, json_t *errors);

/* h_import.c: spreadsheets in, and their templates */
void h_pesantren_import(struct req *r);
void h_pesantren_import_template(struct req *r);
void h_measurements_import_template(struct req *r);

/* programmes and enrolments */
/* h_programs.c */
void h_programs_list(struct req *r);
void h_programs_get(struct req *r);
void h_programs_create(struct req *r);
void h_programs_patch(struct req *r);
/* h_enrolments.c */
void h_enrolments_list(struct req *r);
void h_enrolments_get(struct req *r);
void h_enrolments_create(struct req *r);
void h_enrolments_patch(struct req *r);

/* products and visits */
/* h_products.c: one product at /v1/pesantren/{id}/products/{product_id} and /v1/products/{product_id} */
void h_products_list(struct req *r);
void h_pesantren_products_list(struct req *r);
void h_products_get(struct req *r);
void h_products_create(struct req *r);
void h_products_patch(struct req *r);
void h_products_delete(struct req *r);
/* h_visits.c: one visit at /v1/pesantren/{id}/visits/{visit_id} and /v1/visits/{visit_id} */
void h_visits_list(struct req *r);
void h_visits_list_all(struct req *r);
void h_visits_get(struct req *r);
void h_visits_create(struct req *r);

/* indicators, targets and measurements */
/* h_indicators.c (GET and PATCH take an id or a code) */
void h_indicators_list(struct req *r);
void h_indicators_get(struct req *r);
void h_indicators_create(struct req *r);
void h_indicators_patch(struct req *r);
/* Field rule: the form of an indicator code, ^[A-Z][A-Z0-9_]{1,39}$. */
const char *check_indicator_code(const json_t *v);

/* h_targets.c */
void h_targets_list(struct req *r);
void h_targets_get(struct req *r);
void h_targets_create(struct req *r);
void h_targets_patch(struct req *r);
void h_targets_delete(struct req *r);
/* Field rules shared with measurements: a period of 2000..2100; a value 0..10^15. */
const char *check_measure_period(const json_t *v);
const char *check_measure_value(const json_t *v);
/* Replaces a numeric "value" of doc by its decimal text (what the database stores). 0, or -1. */
int measure_value_to_text(json_t *doc);
/* Optional query parameters: 0 with *out borrowed (NULL when absent), or -1 after 400.
 * measure_query_period also fills *p (may be NULL) when the parameter is present. */
int measure_query_uuid(struct req *r, const char *name, const char **out);
struct period;
int measure_query_period(struct req *r, const char *name, const char **out, struct period *p);

/* h_measurements.c */
void h_measurements_list(struct req *r);
void h_measurements_get(struct req *r);
void h_measurements_create(struct req *r);
void h_measurements_patch(struct req *r);
void h_measurements_delete(struct req *r);
void h_measurements_submit(struct req *r);
void h_measurements_verify(struct req *r);
void h_measurements_reject(struct req *r);
/* Shared with the batch: the field rules of a new measurement (the number of
 * errors added), and the reason the caller may not record it (NULL when it may). */
int measurement_validate(json_t *body, json_t *errors);
const char *measurement_refused(const struct req *r, const json_t *body);
/* The measurement's field table, for imports. */
const struct vfield *measurement_vfields(size_t *n);

/* h_measurement_batch.c */
void h_measurements_batch(struct req *r);

/* h_summary.c */
void h_pesantren_summary(struct req *r);

/* reports (h_reports.c) */
void h_reports_achievement(struct req *r);
void h_reports_regions(struct req *r);
void h_reports_cohorts(struct req *r);
void h_reports_pillars(struct req *r);

/* audit and changes */
void h_audit_list(struct req *r);   /* h_audit.c */
void h_changes_list(struct req *r); /* h_changes.c */

#endif
