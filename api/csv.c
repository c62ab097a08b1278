#include "csv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
  char *data;
  size_t len, cap;
  int failed;
};

static void put(struct buf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void put_field(struct buf *b, const char *s, size_t n) {
  if (strcspn(s, ",\"\r\n") >= n) {
    put(b, s, n);
    return;
  }
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      put(b, "\"", 1);
    put(b, s + i, 1);
  }
  put(b, "\"", 1);
}

/* 1 when s (n bytes) is a plain decimal number such as -7.25: a spreadsheet
 * reads it as that number, never as a formula. */
static int is_decimal(const char *s, size_t n) {
  size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0, digits = 0, dots = 0;
  for (; i < n; i++) {
    if (isdigit((unsigned char)s[i]))
      digits++;
    else if (s[i] == '.' && dots++ == 0)
      continue;
    else
      return 0;
  }
  return digits > 0;
}

/* A text cell a spreadsheet would run as a formula (=, +, -, @) or whose
 * leading tab or carriage return hides one. */
static int is_formula(const char *s, size_t n) {
  return n > 0 && strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0' && !is_decimal(s, n);
}

/* A text cell: quoted as needed, and a leading ' disarms a formula. */
static void put_text(struct buf *b, const char *s, size_t n) {
  char *armed = NULL;
  if (!is_formula(s, n)) {
    put_field(b, s, n);
    return;
  }
  if ((armed = malloc(n + 2)) == NULL) {
    b->failed = 1;
    return;
  }
  armed[0] = '\'';
  memcpy(armed + 1, s, n);
  armed[n + 1] = '\0';
  put_field(b, armed, n + 1);
  free(armed);
}

static void put_value(struct buf *b, const json_t *v) {
  char num[64];
  int n = 0;
  switch (json_typeof(v)) {
  case JSON_STRING:
    put_text(b, json_string_value(v), json_string_length(v));
    return;
  case JSON_INTEGER:
    n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    break;
  case JSON_REAL:
    /* 15 significant digits, as the JSON answers write them: -7.2, not -7.2000000000000002. */
    n = snprintf(num, sizeof num, "%.15g", json_real_value(v));
    break;
  case JSON_TRUE:
    n = snprintf(num, sizeof num, "true");
    break;
  case JSON_FALSE:
    n = snprintf(num, sizeof num, "false");
    break;
  case JSON_OBJECT:
  case JSON_ARRAY: {
    char *text = json_dumps(v, JSON_COMPACT);
    if (text)
      put_text(b, text, strlen(text));
    free(text);
    return;
  }
  default:
    return;
  }
  put(b, num, (size_t)n);
}

char *csv_render(const json_t *columns, const json_t *rows, size_t *len) {
  struct buf b = {0};
  size_t i, j;
  json_t *col, *row;
  json_array_foreach(columns, i, col) {
    if (i > 0)
      put(&b, ",", 1);
    put_field(&b, json_string_value(col), json_string_length(col));
  }
  put(&b, "\r\n", 2);
  json_array_foreach(rows, j, row) {
    json_array_foreach(columns, i, col) {
      if (i > 0)
        put(&b, ",", 1);
      json_t *v = json_object_get(row, json_string_value(col));
      if (v)
        put_value(&b, v);
    }
    put(&b, "\r\n", 2);
  }
  if (b.failed) {
    free(b.data);
    return NULL;
  }
  *len = b.len;
  return b.data;
}
