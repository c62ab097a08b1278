/* A measurement's fields and who may record one: shared by the single and
 * the batch handlers. */
#include "measurement.h"

#include <string.h>
#include <strings.h>

#include "rules.h"

/* An absolute http(s) URL with a host and no white space or control characters. */
static const char *check_url(const json_t *v) {
  const char *s = json_string_value(v), *rest;
  if (strncasecmp(s, "https://", 8) == 0)
    rest = s + 8;
  else if (strncasecmp(s, "http://", 7) == 0)
    rest = s + 7;
  else
    return "must be an http or https URL";
  if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#')
    return "must be an http or https URL with a host";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p == 0x7f)
      return "must be an http or https URL without spaces";
  return NULL;
}

const struct vfield measurement_fields[MEASUREMENT_NFIELDS] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"indicator_code", V_STRING, V_REQUIRED, 0, 0, NULL, check_indicator_code},
    {"pesantren_id", V_UUID, V_REQUIRED, 0, 0, NULL, NULL},
    {"program_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},
    {"period", V_STRING, V_REQUIRED, 0, 0, NULL, check_measure_period},
    {"period_start", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"period_end", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"value", V_NUMBER, V_REQUIRED, 0, 0, NULL, check_measure_value},
    {"note", V_STRING, V_NULLABLE | V_TRIM, 0, 2000, NULL, NULL},
    {"evidence_url", V_STRING, V_NULLABLE | V_TRIM, 0, 2000, NULL, check_url},
    {"status", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"submitted_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"submitted_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"verified_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"verified_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"rejected_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"rejected_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"rejection_reason", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"created_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};

int measurement_own_pesantren(const struct req *r, const json_t *doc) {
  const char *pid = json_string_value(json_object_get(doc, "pesantren_id"));
  return pid && strcmp(pid, r->caller.pesantren_id) == 0;
}

int measurement_validate(json_t *body, json_t *errors) {
  return validate_object(body, measurement_fields, MEASUREMENT_NFIELDS, V_CREATE, errors);
}

const char *measurement_refused(const struct req *r, const json_t *body) {
  if (r->caller.role == ROLE_OPERATOR && !measurement_own_pesantren(r, body))
    return "An operator records measurements only for its own pesantren.";
  return NULL;
}
