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

/* h_api_keys.c */
void h_api_keys_list(struct req *r);
void h_api_keys_get(struct req *r);
void h_api_keys_create(struct req *r);
void h_api_keys_delete(struct req *r);

/* h_webhooks.c */
void h_webhooks_list(struct req *r);
void h_webhooks_get(struct req *r);
void h_webhooks_create(struct req *r);
void h_webhooks_patch(struct req *r);
void h_webhooks_delete(struct req *r);
void h_webhooks_deliveries(struct req *r);
/* The entities of the change feed (h_changes.c), NULL-terminated. */
extern const char *const feed_entities[];

/* h_regions.c */
void h_regions_list(struct req *r);
void h_regions_get(struct req *r);

/* h_pesantren.c */
void h_pesantren_list(struct req *r);
void h_pesantren_get(struct req *r);
void h_pesantren_create(struct req *r);
void h_pesantren_patch(struct req *r);
void h_pesantren_delete(struct req *r);

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
/* h_participants.c: enrolments of pesantren in a programme */
void h_participants_list(struct req *r);
void h_participants_get(struct req *r);
void h_participants_create(struct req *r);
void h_participants_patch(struct req *r);

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

/* h_targets.c */
void h_targets_list(struct req *r);
void h_targets_get(struct req *r);
void h_targets_create(struct req *r);
void h_targets_patch(struct req *r);
void h_targets_delete(struct req *r);

/* h_measurements.c */
void h_measurements_list(struct req *r);
void h_measurements_get(struct req *r);
void h_measurements_create(struct req *r);
void h_measurements_patch(struct req *r);
void h_measurements_delete(struct req *r);
void h_measurements_submit(struct req *r);
void h_measurements_verify(struct req *r);
void h_measurements_reject(struct req *r);

/* h_measurement_batch.c */
void h_measurements_batch(struct req *r);

/* h_pesantren_summary.c */
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
