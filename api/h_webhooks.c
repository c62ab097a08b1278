/* Webhooks (admin): endpoints of OPD systems that are called with every
 * change-feed item their filters take (see webhook_worker.c). The signing
 * secret is shown once, in the answer that creates the endpoint; it is kept
 * (sealed when OPOP_WEBHOOK_SECRET_KEY is set) beside the endpoint for the
 * deliverer, never in an answer or the audit trail. */
#include "handlers.h"

#include <sodium.h>
#include <string.h>

#include "http.h"
#include "reply.h"
#include "repo_webhooks.h"
#include "resource.h"
#include "validate.h"
#include "webhook_addr.h"
#include "webhook_sign.h"

static const char *const feed_actions[] = {"created", "updated", "deleted", NULL};

/* NULL when v is an array of distinct strings out of choices. */
static const char *choices_problem(const json_t *v, const char *const *choices, const char *message) {
  size_t i, j;
  json_t *item, *other;
  json_array_foreach(v, i, item) {
    int known = 0;
    for (const char *const *c = choices; *c && json_is_string(item) && !known; c++)
      known = strcmp(*c, json_string_value(item)) == 0;
    if (!known)
      return message;
    json_array_foreach(v, j, other) {
      if (j < i && json_equal(item, other))
        return "must not repeat a value";
    }
  }
  return NULL;
}

static const char *check_entities(const json_t *v) {
  return choices_problem(v, feed_entities,
                         "must list entities of the change feed: pesantren, program, enrolment, product, visit, "
                         "indicator, target, measurement");
}

static const char *check_actions(const json_t *v) {
  return choices_problem(v, feed_actions, "must list actions of the change feed: created, updated, deleted");
}

#define WEBHOOK_FIELDS                                                                                                 \
  {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL}, {"url", V_STRING, V_REQUIRED | V_TRIM, 1, 2000, NULL, NULL},           \
      {"entities", V_ARRAY, 0, 0, 0, NULL, check_entities}, {"actions", V_ARRAY, 0, 0, 0, NULL, check_actions},        \
      {"description", V_STRING, V_NULLABLE | V_TRIM, 0, 500, NULL, NULL},                                              \
      {"deactivated_reason", V_STRING, V_READONLY, 0, 0, NULL, NULL},                                                  \
      {"created_by", V_UUID, V_READONLY, 0, 0, NULL, NULL}, {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},          \
      {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL}, {                                                        \
    "updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL                                                               \
  }

/* active is the secretariat's to turn back on (or off), not to set at birth. */
static const struct vfield create_fields[] = {WEBHOOK_FIELDS, {"active", V_BOOL, V_READONLY, 0, 0, NULL, NULL}};
static const struct vfield update_fields[] = {WEBHOOK_FIELDS, {"active", V_BOOL, 0, 0, 0, NULL, NULL}};
#define NFIELDS(f) (sizeof f / sizeof f[0])

/* The rule that needs the configuration: adds a "url" error when body's url is bad. */
static int url_rules(const struct req *r, const json_t *body, json_t *errors) {
  const char *url = json_string_value(json_object_get(body, "url"));
  const char *problem = url ? webhook_url_problem(url, r->app->cfg.webhook_allow_private) : NULL;
  if (problem)
    errors_add(errors, "url", problem);
  return problem != NULL;
}

void h_webhooks_list(struct req *r) {
  api_list_plain(r, repo_webhooks_list);
}

void h_webhooks_get(struct req *r) {
  api_get(r, "webhook", repo_webhooks_get);
}

struct hook_create {
  json_t *stored;
  const char *secret; /* shown once */
  char kept[WEBHOOK_STORED_LEN];
};

static enum dbq create_hook(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  struct hook_create *h = arg;
  (void)fail;
  enum dbq q = repo_webhooks_create(conn, h->stored, h->kept, doc);
  if (q == DBQ_ONE)
    json_object_set_new(*doc, "secret", json_string(h->secret));
  return q;
}

void h_webhooks_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array();
  char secret[WEBHOOK_SECRET_LEN];
  const struct config *cfg = &r->app->cfg;
  struct hook_create h = {.secret = secret};
  webhook_secret_new(secret);
  if (body == NULL)
    goto out;
  if (validate_object(body, create_fields, NFIELDS(create_fields), V_CREATE, errors) + url_rules(r, body, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  if (webhook_secret_store(secret, cfg->webhook_key_set ? cfg->webhook_key : NULL, h.kept) != 0) {
    reply_problem(r, 500, NULL);
    goto out;
  }
  h.stored = json_deep_copy(body);
  json_object_set_new(h.stored, "created_by", r->caller.kind[0] == 'u' ? json_string(r->caller.id) : json_null());
  /* The answer carries the secret. */
  reply_header(r, "Cache-Control", "no-store");
  api_create(r, body, "/v1/webhooks", create_hook, &h);
out:
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(h.kept, sizeof h.kept);
  json_decref(h.stored);
  json_decref(body);
  json_decref(errors);
}

static const struct patch_spec webhook_patch = {
    .what = "webhook",
    .fields = update_fields,
    .nfields = NFIELDS(update_fields),
    .lock = repo_webhooks_lock,
    .update = repo_webhooks_update,
};

void h_webhooks_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  json_t *body = id ? req_json_body(r) : NULL, *errors = json_array();
  /* The URL rule depends on the configuration, which the shared patch rules
   * do not see: judged here first, on the patch itself. */
  if (body && url_rules(r, body, errors) > 0)
    reply_invalid(r, 422, errors);
  else if (body)
    api_patch(r, id, &webhook_patch);
  json_decref(body);
  json_decref(errors);
}

static const struct delete_spec webhook_delete = {"webhook", repo_webhooks_lock, repo_webhooks_delete, NULL};

void h_webhooks_delete(struct req *r) {
  api_delete(r, req_uuid_var(r, 0), &webhook_delete);
}

static enum dbq deliveries_page(struct db_conn *conn, const void *query, json_t **items, char **key, char **seq) {
  return repo_webhooks_deliveries(conn, query, items, key, seq);
}
/* No count: the deliveries offer no include_total. */
static const struct list_call deliveries_list = {deliveries_page, NULL};

void h_webhooks_deliveries(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", NULL};
  struct deliveries_query dq = {.webhook_id = req_uuid_var(r, 0)};
  struct list_args a = {&dq, &dq.after_key, &dq.after_seq, "-seq", 0};
  json_t *hook = NULL;
  struct db_conn *db;
  if (dq.webhook_id == NULL || req_query_allowed(r, allowed) != 0 || req_limit(r, &dq.limit) != 0 ||
      (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_webhooks_get(db, dq.webhook_id, &hook);
  json_decref(hook);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No webhook has this id.");
  else
    api_list(r, &deliveries_list, &a);
}
