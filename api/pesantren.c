/* A pesantren's fields and the rules across them, for the resource and its
 * spreadsheet import alike. */
#include "pesantren.h"

#include <string.h>
#include <time.h>

#include "reply.h"
#include "rules.h"

const char *const pesantren_typologies[] = {"salafiyah", "khalafiyah", "terpadu", NULL};

static const char *check_nspp(const json_t *v) {
  const char *s = json_string_value(v);
  if (strlen(s) != 12)
    return "must be exactly 12 digits";
  for (int i = 0; i < 12; i++)
    if (s[i] < '0' || s[i] > '9')
      return "must be exactly 12 digits";
  return NULL;
}

static const char *check_phone(const json_t *v) {
  const char *s = json_string_value(v);
  size_t n = strlen(s);
  if (n < 6 || n > 20 || strspn(s, "0123456789 +-") != n)
    return "must be 6 to 20 characters of digits, spaces, '+' and '-'";
  return NULL;
}

static const char *check_email(const json_t *v) {
  return valid_email(json_string_value(v)) ? NULL : "must be an email address";
}

/* "The current year" is East Java's (WIB, UTC+7): on 1 January a school
 * founded that day is valid from local midnight. */
static const char *check_founded_year(const json_t *v) {
  time_t now = time(NULL) + 7 * 3600;
  struct tm tm;
  gmtime_r(&now, &tm);
  json_int_t y = json_integer_value(v);
  return y < 1700 || y > tm.tm_year + 1900 ? "must be from 1700 to the current year" : NULL;
}

const struct vfield pesantren_fields[PESANTREN_NFIELDS] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"nspp", V_STRING, V_REQUIRED, 0, 0, NULL, check_nspp},
    {"name", V_STRING, V_REQUIRED | V_TRIM, 3, 200, NULL, NULL},
    {"region_code", V_STRING, V_REQUIRED, 0, 0, NULL, check_region_code},
    {"address", V_STRING, V_NULLABLE | V_TRIM, 0, 300, NULL, NULL},
    {"district", V_STRING, V_NULLABLE | V_TRIM, 0, 100, NULL, NULL},
    {"village", V_STRING, V_NULLABLE | V_TRIM, 0, 100, NULL, NULL},
    {"leader_name", V_STRING, V_NULLABLE | V_TRIM, 0, 200, NULL, NULL},
    {"phone", V_STRING, V_NULLABLE, 0, 0, NULL, check_phone},
    {"email", V_STRING, V_NULLABLE | V_TRIM, 0, 0, NULL, check_email},
    {"founded_year", V_INT, V_NULLABLE, 0, 0, NULL, check_founded_year},
    {"santri_count", V_INT, V_NULLABLE, 0, 100000, NULL, NULL},
    {"typology", V_ENUM, V_NULLABLE, 0, 0, pesantren_typologies, NULL},
    {"latitude", V_NUMBER, V_NULLABLE, -9.0, -5.0, NULL, NULL},
    {"longitude", V_NUMBER, V_NULLABLE, 110.5, 116.5, NULL, NULL},
    {"active", V_BOOL, 0, 0, 0, NULL, NULL},
    {"cohort_year", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};

/* Rules across fields, on a whole document. */
int pesantren_rules(const json_t *doc, json_t *errors) {
  int has_lat = json_is_number(json_object_get(doc, "latitude"));
  int has_lon = json_is_number(json_object_get(doc, "longitude"));
  if (has_lat != has_lon) {
    errors_add(errors, has_lat ? "longitude" : "latitude", "latitude and longitude must be given together");
    return 1;
  }
  return 0;
}

int pesantren_check(json_t *doc, json_t *errors) {
  int bad = validate_object(doc, pesantren_fields, PESANTREN_NFIELDS, V_CREATE, errors);
  return bad ? bad : pesantren_rules(doc, errors);
}
