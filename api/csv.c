#include "csv.h"

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

static void put_value(struct buf *b, const json_t *v) {
  char num[64];
  int n = 0;
  switch (json_typeof(v)) {
  case JSON_STRING:
    put_field(b, json_string_value(v), json_string_length(v));
    return;
  case JSON_INTEGER:
    n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    break;
  case JSON_REAL:
    n = snprintf(num, sizeof num, "%.17g", json_real_value(v));
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
      put_field(b, text, strlen(text));
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
