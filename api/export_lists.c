#include "export_lists.h"

#include <string.h>

static enum dbq pesantren_page(struct db_conn *db, const void *query, const char *after_key, const char *after_seq,
                               json_t **items, char **next_key, char **next_seq) {
  struct pesantren_query pq = *(const struct pesantren_query *)query;
  struct db_text text = {0};
  pq.after_key = after_key;
  pq.after_seq = after_seq;
  pq.limit = EXPORT_PAGE_ROWS;
  enum dbq q = repo_pesantren_list(db, &pq, &text, next_key, next_seq);
  if (q >= 0 && (*items = json_loadb(text.json, text.len, 0, NULL)) == NULL)
    q = DBQ_HARD;
  db_text_clear(&text);
  return q;
}

void export_pesantren(struct req *r, const struct pesantren_query *pq, enum export_format format) {
  static const char *const columns[] = {
      "id",          "nspp",   "name",        "region_code",  "address",      "district",   "village",
      "leader_name", "phone",  "email",       "founded_year", "santri_count", "typology",   "latitude",
      "longitude",   "active", "cohort_year", "version",      "created_at",   "updated_at", NULL};
  json_t *filters = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "region_code", pq->region_code, "cohort_year",
                              pq->cohort_year, "typology", pq->typology, "q", pq->q, "active",
                              pq->active < 0 ? NULL
                              : pq->active   ? "true"
                                             : "false");
  struct export_sheet s = {"pesantren", "Pesantren", NULL, filters, columns};
  export_list(r, &s, format, pesantren_page, pq);
  json_decref(filters);
}

static enum dbq products_page(struct db_conn *db, const void *query, const char *after_key, const char *after_seq,
                              json_t **items, char **next_key, char **next_seq) {
  struct products_query pq = *(const struct products_query *)query;
  pq.after_key = after_key;
  pq.after_seq = after_seq;
  pq.limit = EXPORT_PAGE_ROWS;
  return repo_products_list(db, &pq, items, next_key, next_seq);
}

void export_products(struct req *r, const struct products_query *pq, enum export_format format) {
  static const char *const columns[] = {
      "id",   "pesantren_id",     "name",           "category", "description", "price_idr",
      "unit", "monthly_capacity", "certifications", "version",  "created_at",  "updated_at",
      NULL};
  json_t *filters =
      json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "pesantren_id", pq->pesantren_id, "region_code", pq->region_code,
                "category", pq->category, "certification", pq->certification, "q", pq->q);
  struct export_sheet s = {"products", "Products", NULL, filters, columns};
  export_list(r, &s, format, products_page, pq);
  json_decref(filters);
}

static enum dbq measurements_page(struct db_conn *db, const void *query, const char *after_key, const char *after_seq,
                                  json_t **items, char **next_key, char **next_seq) {
  struct measurements_query mq = *(const struct measurements_query *)query;
  mq.after_key = after_key;
  mq.after_seq = after_seq;
  mq.limit = EXPORT_PAGE_ROWS;
  return repo_measurements_list(db, &mq, items, next_key, next_seq);
}

void export_measurements(struct req *r, const struct measurements_query *mq, enum export_format format) {
  static const char *const columns[] = {
      "id",           "indicator_code", "pesantren_id", "program_id",  "period",
      "period_start", "period_end",     "value",        "note",        "evidence_url",
      "status",       "submitted_at",   "verified_at",  "rejected_at", "rejection_reason",
      "version",      "created_at",     "updated_at",   NULL};
  json_t *filters = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "indicator_code", mq->indicator_code,
                              "pesantren_id", mq->pesantren_id, "program_id", mq->program_id, "region_code",
                              mq->region_code, "period", mq->period, "period_from", mq->starts_from, "period_to",
                              mq->starts_until, "status", mq->status);
  struct export_sheet s = {"measurements", "Measurements", NULL, filters, columns};
  export_list(r, &s, format, measurements_page, mq);
  json_decref(filters);
}
