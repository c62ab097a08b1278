#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long utf8_length(const char *s) {
  long n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int extra = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
    if (extra < 0)
      return -1;
    p++;
    for (int i = 0; i < extra; i++, p++)
      if ((*p & 0xC0) != 0x80)
        return -1;
    n++;
  }
  return n;
}

int valid_uuid(const char *s) {
  static const int dash[] = {8, 13, 18, 23};
  if (s == NULL || strlen(s) != 36)
    return 0;
  for (int i = 0, d = 0; i < 36; i++) {
    if (d < 4 && i == dash[d]) {
      if (s[i] != '-')
        return 0;
      d++;
    } else if (!isxdigit((unsigned char)s[i])) {
      return 0;
    }
  }
  return 1;
}

int valid_date(const char *s) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return 0;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  if (y < 1 || m < 1 || m > 12 || d < 1)
    return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap);
}

int valid_email(const char *s) {
  const char *at = strchr(s, '@');
  if (at == NULL || at == s || strchr(at + 1, '@') || strlen(s) > 254)
    return 0;
  for (const char *p = s; *p; p++)
    if (isspace((unsigned char)*p) || (unsigned char)*p < 0x21)
      return 0;
  const char *dot = strrchr(at, '.');
  return dot && dot > at + 1 && dot[1] != '\0';
}

static void add_error(json_t *errors, const char *prefix, const char *field, const char *message) {
  char name[160];
  if (prefix && *prefix)
    snprintf(name, sizeof name, "%s.%s", prefix, field);
  else
    snprintf(name, sizeof name, "%s", field);
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", name, "message", message));
}

static const struct vfield *field_find(const struct vfield *fields, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

/* Whether code point c is white space (Unicode White_Space, and the byte
 * order mark), so "\u00a0ab\u3000" trims to the two characters a user sees. */
static int unicode_space(unsigned long c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 ||
         c == 0xFEFF;
}

/* The code point of the (valid) UTF-8 sequence at p; *n is set to its length. */
static unsigned long utf8_decode(const unsigned char *p, size_t *n) {
  if (p[0] < 0x80) {
    *n = 1;
    return p[0];
  }
  if ((p[0] >> 5) == 6) {
    *n = 2;
    return ((unsigned long)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
  }
  if ((p[0] >> 4) == 14) {
    *n = 3;
    return ((unsigned long)(p[0] & 0x0F) << 12) | ((unsigned long)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  }
  *n = 4;
  return ((unsigned long)(p[0] & 0x07) << 18) | ((unsigned long)(p[1] & 0x3F) << 12) |
         ((unsigned long)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Trims white space (ASCII and Unicode) at both ends, in obj. jansson only
 * holds valid UTF-8, so every sequence decodes. */
static void trim_in_place(json_t *obj, const char *key, json_t *value) {
  const unsigned char *s = (const unsigned char *)json_string_value(value);
  size_t len = json_string_length(value);
  size_t a = 0, b = len, n;
  while (a < b && unicode_space(utf8_decode(s + a, &n)))
    a += n;
  while (b > a) {
    size_t start = b - 1;
    while (start > a && (s[start] & 0xC0) == 0x80)
      start--;
    if (!unicode_space(utf8_decode(s + start, &n)))
      break;
    b = start;
  }
  if (a != 0 || b != len)
    json_object_set_new(obj, key, json_stringn((const char *)s + a, b - a));
}

static const char *check_string(const struct vfield *f, const json_t *v, char *buf, size_t buflen) {
  const char *s = json_string_value(v);
  if (strlen(s) != json_string_length(v))
    return "must not contain NUL characters";
  long len = utf8_length(s);
  if (f->max > 0 && (len < (long)f->min || len > (long)f->max)) {
    if (f->min > 0)
      snprintf(buf, buflen, "must be %.0f to %.0f characters", f->min, f->max);
    else
      snprintf(buf, buflen, "must be at most %.0f characters", f->max);
    return buf;
  }
  if (f->max == 0 && f->min > 0 && len < (long)f->min) {
    snprintf(buf, buflen, "must be at least %.0f characters", f->min);
    return buf;
  }
  return NULL;
}

static const char *check_range(const struct vfield *f, double d, const char *what, char *buf, size_t buflen) {
  if (f->min == 0 && f->max == 0)
    return NULL;
  if (d < f->min || d > f->max) {
    snprintf(buf, buflen, "must be %s from %g to %g", what, f->min, f->max);
    return buf;
  }
  return NULL;
}

static const char *check_enum(const struct vfield *f, const char *s, char *buf, size_t buflen) {
  size_t used = 0;
  for (const char *const *c = f->choices; *c; c++)
    if (strcmp(*c, s) == 0)
      return NULL;
  used += (size_t)snprintf(buf, buflen, "must be one of:");
  for (const char *const *c = f->choices; *c && used < buflen; c++)
    used += (size_t)snprintf(buf + used, buflen - used, "%s %s", c == f->choices ? "" : ",", *c);
  return buf;
}

/* The type rule of one present, non-null value: a message, or NULL. */
static const char *check_value(const struct vfield *f, const json_t *v, char *buf, size_t buflen) {
  switch (f->type) {
  case V_STRING:
    return json_is_string(v) ? check_string(f, v, buf, buflen) : "must be a string";
  case V_ENUM:
    return json_is_string(v) ? check_enum(f, json_string_value(v), buf, buflen) : "must be a string";
  case V_DATE:
    return json_is_string(v) && valid_date(json_string_value(v)) ? NULL : "must be a date YYYY-MM-DD";
  case V_UUID:
    return json_is_string(v) && valid_uuid(json_string_value(v)) ? NULL : "must be a UUID";
  case V_INT:
    if (!json_is_integer(v))
      return "must be an integer";
    return check_range(f, (double)json_integer_value(v), "an integer", buf, buflen);
  case V_NUMBER:
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
      return "must be a number";
    return check_range(f, json_number_value(v), "a number", buf, buflen);
  case V_BOOL:
    return json_is_boolean(v) ? NULL : "must be true or false";
  case V_ARRAY:
    return json_is_array(v) ? NULL : "must be an array";
  case V_OBJECT:
    return json_is_object(v) ? NULL : "must be an object";
  }
  return "has an unknown type";
}

static int check_field(json_t *obj, const struct vfield *f, json_t *v, const char *prefix, json_t *errors) {
  char buf[200];
  const char *msg;
  if (f->flags & V_READONLY) {
    add_error(errors, prefix, f->name, "is read-only");
    return 1;
  }
  if (json_is_null(v)) {
    if (f->flags & V_NULLABLE)
      return 0;
    add_error(errors, prefix, f->name, (f->flags & V_REQUIRED) ? "is required" : "must not be null");
    return 1;
  }
  if ((f->flags & V_TRIM) && json_is_string(v)) {
    trim_in_place(obj, f->name, v);
    v = json_object_get(obj, f->name);
  }
  msg = check_value(f, v, buf, sizeof buf);
  if (msg == NULL && f->check)
    msg = f->check(v);
  if (msg) {
    add_error(errors, prefix, f->name, msg);
    return 1;
  }
  return 0;
}

int validate_object_at(json_t *obj, const struct vfield *fields, size_t n, enum vmode mode, const char *prefix,
                       json_t *errors) {
  int bad = 0;
  const char *key;
  json_t *value;
  void *tmp;
  json_object_foreach_safe(obj, tmp, key, value) {
    const struct vfield *f = field_find(fields, n, key);
    if (f == NULL) {
      add_error(errors, prefix, key, "is not a known field");
      bad++;
      continue;
    }
    bad += check_field(obj, f, value, prefix, errors);
  }
  if (mode != V_CREATE)
    return bad;
  for (size_t i = 0; i < n; i++) {
    if ((fields[i].flags & V_REQUIRED) && json_object_get(obj, fields[i].name) == NULL) {
      add_error(errors, prefix, fields[i].name, "is required");
      bad++;
    }
  }
  return bad;
}

int validate_object(json_t *obj, const struct vfield *fields, size_t n, enum vmode mode, json_t *errors) {
  return validate_object_at(obj, fields, n, mode, NULL, errors);
}

void validate_strip_readonly(json_t *obj, const struct vfield *fields, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (fields[i].flags & V_READONLY)
      json_object_del(obj, fields[i].name);
}
