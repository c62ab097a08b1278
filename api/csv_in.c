/* The CSV half of sheet_in.h. */
#include <stdlib.h>
#include <string.h>

#include "sheet_in.h"

struct csv_state {
  const char *p, *end;
  char sep;
  json_t *rows;
  size_t max_rows;
  long line;
  const char *error;
};

/* ',' or ';': the one the first line has more of outside quotes. */
static char detect_separator(const char *p, const char *end) {
  int quoted = 0, commas = 0, semicolons = 0;
  for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
    if (*p == '"')
      quoted = !quoted;
    else if (!quoted && *p == ',')
      commas++;
    else if (!quoted && *p == ';')
      semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/* One field at s->p; leaves s->p on the separator, line end or end. */
static json_t *read_field(struct csv_state *s) {
  const char *p = s->p;
  if (p < s->end && *p == '"') {
    json_t *text = NULL;
    char *buf = malloc((size_t)(s->end - p) + 1);
    size_t n = 0;
    if (buf == NULL)
      return NULL;
    for (p++; p < s->end; p++) {
      if (*p == '"' && p + 1 < s->end && p[1] == '"')
        buf[n++] = *p++;
      else if (*p == '"')
        break;
      else
        buf[n++] = *p;
    }
    if (p >= s->end)
      s->error = "has a quoted field that never ends";
    else if (n > SHEET_MAX_CELL)
      s->error = "has a cell longer than 32767 characters";
    else
      text = json_stringn(buf, n);
    free(buf);
    s->p = p + 1;
    if (text && s->p < s->end && *s->p != s->sep && *s->p != '\n' && *s->p != '\r') {
      s->error = "has text after a closing quote";
      json_decref(text);
      return NULL;
    }
    return text;
  }
  while (p < s->end && *p != s->sep && *p != '\n' && *p != '\r')
    p++;
  if ((size_t)(p - s->p) > SHEET_MAX_CELL) {
    s->error = "has a cell longer than 32767 characters";
    return NULL;
  }
  json_t *text = json_stringn(s->p, (size_t)(p - s->p));
  s->p = p;
  return text;
}

int sheet_row_has_text(const json_t *cells) {
  size_t i;
  json_t *c;
  json_array_foreach(cells, i, c) {
    if (json_string_length(c) > 0)
      return 1;
  }
  return 0;
}

/* One record: 1 read, 0 at the end, -1 on error. */
static int read_record(struct csv_state *s) {
  json_t *cells;
  if (s->p >= s->end)
    return 0;
  cells = json_array();
  s->line++;
  for (;;) {
    json_t *field = read_field(s);
    if (field == NULL) {
      if (s->error == NULL)
        s->error = "is not UTF-8 text";
      json_decref(cells);
      return -1;
    }
    json_array_append_new(cells, field);
    if (json_array_size(cells) > SHEET_MAX_COLUMNS) {
      s->error = "has more than 64 columns";
      json_decref(cells);
      return -1;
    }
    if (s->p < s->end && *s->p == s->sep) {
      s->p++;
      continue;
    }
    break;
  }
  if (s->p < s->end && *s->p == '\r')
    s->p++;
  if (s->p < s->end && *s->p == '\n')
    s->p++;
  if (sheet_row_has_text(cells)) {
    if (json_array_size(s->rows) >= s->max_rows) {
      s->error = "has too many rows";
      json_decref(cells);
      return -1;
    }
    json_array_append_new(s->rows, json_pack("{s:I, s:o}", "row", (json_int_t)s->line, "cells", cells));
  } else {
    json_decref(cells);
  }
  return 1;
}

int csv_read(const char *data, size_t len, size_t max_rows, json_t **rows, const char **error) {
  struct csv_state s = {data, data + len, ',', json_array(), max_rows, 0, NULL};
  int rc;
  *rows = NULL;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    s.p += 3;
  /* jansson checks each field's UTF-8; a NUL it would keep. */
  if (memchr(s.p, '\0', (size_t)(s.end - s.p)) != NULL) {
    *error = "is not UTF-8 text";
    json_decref(s.rows);
    return -1;
  }
  s.sep = detect_separator(s.p, s.end);
  while ((rc = read_record(&s)) > 0)
    ;
  if (rc < 0) {
    *error = s.error;
    json_decref(s.rows);
    return -1;
  }
  *rows = s.rows;
  return 0;
}
