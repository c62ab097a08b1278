/* The route table: every operation of the API, in one list. The OpenAPI
 * contract test reads this list, so an operation cannot exist in one and not
 * the other. */
#include "auth.h"
#include "handlers.h"
#include "router.h"

#define ADMIN ROLE_ADMIN
#define ALL ROLES_ALL
#define NOT_VIEWER (ROLE_ADMIN | ROLE_MENTOR | ROLE_OPERATOR)

const struct route routes[] = {
    {"GET", "/healthz", h_healthz, 0, ROUTE_PUBLIC},
    {"GET", "/readyz", h_readyz, 0, ROUTE_PUBLIC},
    {"GET", "/metrics", h_metrics, 0, ROUTE_PUBLIC},
    {"GET", "/openapi.json", h_openapi, 0, ROUTE_PUBLIC},
    {"GET", "/docs", h_docs, 0, ROUTE_PUBLIC},

    {"POST", "/v1/auth/login", h_auth_login, 0, ROUTE_PUBLIC},
    {"POST", "/v1/auth/logout", h_auth_logout, ALL, 0},
    {"GET", "/v1/me", h_me, ALL, ROUTE_NO_QUERY},
    {"POST", "/v1/me/password", h_me_password, ALL, ROUTE_NO_QUERY},

    {"GET", "/v1/users", h_users_list, ADMIN, 0},
    {"POST", "/v1/users", h_users_create, ADMIN, 0},
    {"GET", "/v1/users/{id}", h_users_get, ADMIN, ROUTE_NO_QUERY},
    {"PATCH", "/v1/users/{id}", h_users_patch, ADMIN, 0},

    {"GET", "/v1/api-keys", h_api_keys_list, ADMIN, 0},
    {"POST", "/v1/api-keys", h_api_keys_create, ADMIN, 0},
    {"GET", "/v1/api-keys/{id}", h_api_keys_get, ADMIN, ROUTE_NO_QUERY},
    {"DELETE", "/v1/api-keys/{id}", h_api_keys_delete, ADMIN, 0},

    {"GET", "/v1/webhooks", h_webhooks_list, ADMIN, 0},
    {"POST", "/v1/webhooks", h_webhooks_create, ADMIN, 0},
    {"GET", "/v1/webhooks/{id}", h_webhooks_get, ADMIN, ROUTE_NO_QUERY},
    {"PATCH", "/v1/webhooks/{id}", h_webhooks_patch, ADMIN, 0},
    {"DELETE", "/v1/webhooks/{id}", h_webhooks_delete, ADMIN, 0},
    {"GET", "/v1/webhooks/{id}/deliveries", h_webhooks_deliveries, ADMIN, 0},

    {"GET", "/v1/regions", h_regions_list, ALL, ROUTE_AUTH_AHEAD},
    {"GET", "/v1/regions/{code}", h_regions_get, ALL, ROUTE_NO_QUERY | ROUTE_AUTH_AHEAD},

    {"GET", "/v1/pesantren", h_pesantren_list, ALL, ROUTE_AUTH_AHEAD},
    {"POST", "/v1/pesantren", h_pesantren_create, ADMIN, 0},
    {"POST", "/v1/pesantren/import", h_pesantren_import, ADMIN, ROUTE_LARGE_BODY},
    {"GET", "/v1/pesantren/import/template", h_pesantren_import_template, ALL, 0},
    {"GET", "/v1/pesantren/{id}", h_pesantren_get, ALL, ROUTE_NO_QUERY | ROUTE_AUTH_AHEAD},
    {"PATCH", "/v1/pesantren/{id}", h_pesantren_patch, ADMIN | ROLE_OPERATOR, 0},
    {"DELETE", "/v1/pesantren/{id}", h_pesantren_delete, ADMIN, 0},

    /* programmes and enrolments */
    {"GET", "/v1/programs", h_programs_list, ALL, 0},
    {"POST", "/v1/programs", h_programs_create, ADMIN, 0},
    {"GET", "/v1/programs/{id}", h_programs_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/programs/{id}", h_programs_patch, ADMIN, 0},
    {"GET", "/v1/programs/{id}/participants", h_participants_list, ALL, 0},
    {"POST", "/v1/programs/{id}/participants", h_participants_create, ADMIN, 0},
    {"GET", "/v1/programs/{id}/participants/{pesantren_id}", h_participants_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/programs/{id}/participants/{pesantren_id}", h_participants_patch, ADMIN, 0},

    /* products and visits */
    {"GET", "/v1/products", h_products_list, ALL, 0},
    {"GET", "/v1/products/{product_id}", h_products_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/products/{product_id}", h_products_patch, ADMIN | ROLE_OPERATOR, 0},
    {"DELETE", "/v1/products/{product_id}", h_products_delete, ADMIN | ROLE_OPERATOR, 0},
    {"GET", "/v1/pesantren/{id}/products", h_pesantren_products_list, ALL, 0},
    {"POST", "/v1/pesantren/{id}/products", h_products_create, ADMIN | ROLE_OPERATOR, 0},
    {"GET", "/v1/pesantren/{id}/products/{product_id}", h_products_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/pesantren/{id}/products/{product_id}", h_products_patch, ADMIN | ROLE_OPERATOR, 0},
    {"DELETE", "/v1/pesantren/{id}/products/{product_id}", h_products_delete, ADMIN | ROLE_OPERATOR, 0},
    {"GET", "/v1/pesantren/{id}/visits", h_visits_list, ALL, 0},
    {"POST", "/v1/pesantren/{id}/visits", h_visits_create, ADMIN | ROLE_MENTOR, 0},
    {"GET", "/v1/pesantren/{id}/visits/{visit_id}", h_visits_get, ALL, ROUTE_NO_QUERY},
    {"GET", "/v1/visits", h_visits_list_all, ALL, 0},
    {"GET", "/v1/visits/{visit_id}", h_visits_get, ALL, ROUTE_NO_QUERY},

    /* indicators, targets and measurements */
    {"GET", "/v1/indicators", h_indicators_list, ALL, 0},
    {"POST", "/v1/indicators", h_indicators_create, ADMIN, 0},
    {"GET", "/v1/indicators/{id}", h_indicators_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/indicators/{id}", h_indicators_patch, ADMIN, 0},
    {"GET", "/v1/targets", h_targets_list, ALL, 0},
    {"POST", "/v1/targets", h_targets_create, ADMIN, 0},
    {"GET", "/v1/targets/{id}", h_targets_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/targets/{id}", h_targets_patch, ADMIN, 0},
    {"DELETE", "/v1/targets/{id}", h_targets_delete, ADMIN, 0},
    {"GET", "/v1/measurements", h_measurements_list, ALL, 0},
    {"POST", "/v1/measurements", h_measurements_create, ADMIN | ROLE_OPERATOR, 0},
    {"POST", "/v1/measurements/batch", h_measurements_batch, ADMIN | ROLE_OPERATOR, ROUTE_LARGE_BODY},
    {"GET", "/v1/measurements/batch/template", h_measurements_import_template, ALL, 0},
    {"GET", "/v1/measurements/{id}", h_measurements_get, ALL, ROUTE_NO_QUERY},
    {"PATCH", "/v1/measurements/{id}", h_measurements_patch, ADMIN | ROLE_OPERATOR, 0},
    {"DELETE", "/v1/measurements/{id}", h_measurements_delete, ADMIN | ROLE_OPERATOR, 0},
    {"POST", "/v1/measurements/{id}/submit", h_measurements_submit, ADMIN | ROLE_OPERATOR, 0},
    {"POST", "/v1/measurements/{id}/verify", h_measurements_verify, ADMIN | ROLE_MENTOR, 0},
    {"POST", "/v1/measurements/{id}/reject", h_measurements_reject, ADMIN | ROLE_MENTOR, 0},
    {"GET", "/v1/pesantren/{id}/summary", h_pesantren_summary, ALL, ROUTE_NO_QUERY},

    /* reports */
    {"GET", "/v1/reports/achievement", h_reports_achievement, ALL, 0},
    {"GET", "/v1/reports/regions", h_reports_regions, ALL, 0},
    {"GET", "/v1/reports/cohorts", h_reports_cohorts, ALL, 0},
    {"GET", "/v1/reports/pillars", h_reports_pillars, ALL, 0},

    /* audit and changes */
    {"GET", "/v1/audit-events", h_audit_list, ADMIN, 0},
    {"GET", "/v1/changes", h_changes_list, ALL, 0},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
