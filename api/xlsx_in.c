/* The XLSX half of sheet_in.h: the archive opened in memory with libzip, its
 * XML parts streamed through expat, nothing kept but the cells' text. */
#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "sheet_in.h"

#define PART_NAME 256
#define TEXT_MAX (SHEET_MAX_CELL * 4) /* bytes of UTF-8 */

enum part { PART_WORKBOOK, PART_RELS, PART_STRINGS, PART_SHEET };

struct xlsx_state {
  XML_Parser parser;
  enum part part;
  const char *error;
  /* workbook and relationships */
  char sheet_rid[PART_NAME];
  char sheet_path[PART_NAME];
  /* shared strings */
  json_t *strings;
  int in_si, in_phonetic;
  /* the sheet */
  json_t *rows, *cells;
  size_t max_rows;
  long row, col;
  char cell_type[16];
  int in_value, in_inline;
  /* text of the element being read */
  char *text;
  size_t text_len, text_cap;
  int collecting;
};

static const char *local_name(const char *name) {
  const char *colon = strrchr(name, ':');
  return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name) {
  for (int i = 0; atts[i]; i += 2)
    if (strcmp(local_name(atts[i]), name) == 0)
      return atts[i + 1];
  return NULL;
}

static void fail(struct xlsx_state *s, const char *error) {
  if (s->error == NULL)
    s->error = error;
  XML_StopParser(s->parser, XML_FALSE);
}

static void on_text(void *data, const XML_Char *chars, int len) {
  struct xlsx_state *s = data;
  if (!s->collecting || len <= 0)
    return;
  if (s->text_len + (size_t)len > TEXT_MAX) {
    fail(s, "has a cell longer than 32767 characters");
    return;
  }
  if (s->text_len + (size_t)len + 1 > s->text_cap) {
    size_t cap = (s->text_len + (size_t)len + 1) * 2;
    char *t = realloc(s->text, cap);
    if (t == NULL) {
      fail(s, "is too large to read");
      return;
    }
    s->text = t;
    s->text_cap = cap;
  }
  memcpy(s->text + s->text_len, chars, (size_t)len);
  s->text_len += (size_t)len;
}

static void text_start(struct xlsx_state *s) {
  s->collecting = 1;
}

/* ---- workbook.xml and its relationships: where the first sheet is ---- */

static void workbook_start(struct xlsx_state *s, const char *name, const char **atts) {
  const char *id = attr(atts, "id");
  if (strcmp(name, "sheet") == 0 && s->sheet_rid[0] == '\0' && id)
    snprintf(s->sheet_rid, sizeof s->sheet_rid, "%s", id);
}

static void rels_start(struct xlsx_state *s, const char *name, const char **atts) {
  const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
  if (strcmp(name, "Relationship") != 0 || id == NULL || target == NULL || strcmp(id, s->sheet_rid) != 0)
    return;
  if (target[0] == '/')
    snprintf(s->sheet_path, sizeof s->sheet_path, "%s", target + 1);
  else
    snprintf(s->sheet_path, sizeof s->sheet_path, "xl/%s", target);
}

/* ---- sharedStrings.xml ---- */

static void strings_start(struct xlsx_state *s, const char *name) {
  if (strcmp(name, "si") == 0) {
    s->in_si = 1;
    s->text_len = 0;
  } else if (strcmp(name, "rPh") == 0) {
    s->in_phonetic = 1;
  } else if (strcmp(name, "t") == 0 && s->in_si && !s->in_phonetic) {
    text_start(s);
  }
}

static void strings_end(struct xlsx_state *s, const char *name) {
  if (strcmp(name, "t") == 0) {
    s->collecting = 0;
  } else if (strcmp(name, "rPh") == 0) {
    s->in_phonetic = 0;
  } else if (strcmp(name, "si") == 0) {
    json_t *text = json_stringn(s->text ? s->text : "", s->text_len);
    if (text == NULL)
      fail(s, "is not UTF-8 text");
    else
      json_array_append_new(s->strings, text);
    s->in_si = 0;
  }
}

/* ---- the sheet ---- */

/* "BC12" -> column 54 (0-based); -1 when the reference has no letters. */
static long column_of(const char *ref) {
  long col = 0;
  const char *p = ref;
  for (; *p >= 'A' && *p <= 'Z' && col <= SHEET_MAX_COLUMNS; p++)
    col = col * 26 + (*p - 'A' + 1);
  return p == ref ? -1 : col - 1;
}

static void sheet_start(struct xlsx_state *s, const char *name, const char **atts) {
  if (strcmp(name, "row") == 0) {
    const char *r = attr(atts, "r");
    s->row = r ? strtol(r, NULL, 10) : s->row + 1;
    s->col = -1;
    s->cells = json_array();
  } else if (strcmp(name, "c") == 0 && s->cells) {
    const char *r = attr(atts, "r"), *t = attr(atts, "t");
    long col = r ? column_of(r) : s->col + 1;
    s->col = col < 0 ? s->col + 1 : col;
    snprintf(s->cell_type, sizeof s->cell_type, "%s", t ? t : "n");
    s->text_len = 0;
    s->in_inline = 0;
  } else if (strcmp(name, "v") == 0) {
    s->in_value = 1;
    text_start(s);
  } else if (strcmp(name, "is") == 0) {
    s->in_inline = 1;
  } else if (strcmp(name, "rPh") == 0) {
    s->in_phonetic = 1;
  } else if (strcmp(name, "t") == 0 && s->in_inline && !s->in_phonetic) {
    text_start(s);
  }
}

/* A number as a person typed it: 1.5E+8 is 150000000, and an NSPP typed as a
 * number keeps all its digits. */
static json_t *number_text(const char *v) {
  char *end = NULL;
  double d = strtod(v, &end);
  char text[40];
  if (end != v && *end == '\0' && isfinite(d) && d == floor(d) && fabs(d) < 1e15) {
    snprintf(text, sizeof text, "%.0f", d);
    return json_string(text);
  }
  return json_string(v);
}

static json_t *cell_value(struct xlsx_state *s) {
  char empty[1] = "";
  char *v = s->text ? s->text : empty;
  v[s->text_len] = '\0';
  if (strcmp(s->cell_type, "s") == 0) {
    char *end = NULL;
    long i = strtol(v, &end, 10);
    json_t *str = end != v && *end == '\0' && i >= 0 ? json_array_get(s->strings, (size_t)i) : NULL;
    if (str == NULL)
      fail(s, "refers to a shared string that does not exist");
    return json_incref(str);
  }
  if (strcmp(s->cell_type, "b") == 0)
    return json_string(strcmp(v, "1") == 0 ? "true" : "false");
  if (strcmp(s->cell_type, "n") == 0)
    return number_text(v);
  json_t *text = json_stringn(v, s->text_len);
  if (text == NULL)
    fail(s, "is not UTF-8 text");
  return text;
}

static void cell_end(struct xlsx_state *s) {
  if (s->col >= SHEET_MAX_COLUMNS) {
    fail(s, "has more than 64 columns");
    return;
  }
  json_t *value = cell_value(s);
  if (value == NULL)
    return;
  while ((long)json_array_size(s->cells) < s->col)
    json_array_append_new(s->cells, json_string(""));
  if ((long)json_array_size(s->cells) == s->col)
    json_array_append_new(s->cells, value);
  else
    json_array_set_new(s->cells, (size_t)s->col, value);
}

static void row_end(struct xlsx_state *s) {
  json_t *cells = s->cells;
  s->cells = NULL;
  if (!sheet_row_has_text(cells)) {
    json_decref(cells);
    return;
  }
  if (json_array_size(s->rows) >= s->max_rows) {
    json_decref(cells);
    fail(s, "has too many rows");
    return;
  }
  json_array_append_new(s->rows, json_pack("{s:I, s:o}", "row", (json_int_t)s->row, "cells", cells));
}

static void sheet_end(struct xlsx_state *s, const char *name) {
  if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
    s->collecting = 0;
  } else if (strcmp(name, "rPh") == 0) {
    s->in_phonetic = 0;
  } else if (strcmp(name, "c") == 0 && s->cells) {
    cell_end(s);
  } else if (strcmp(name, "row") == 0 && s->cells) {
    row_end(s);
  }
}

static void on_start(void *data, const XML_Char *name, const XML_Char **atts) {
  struct xlsx_state *s = data;
  const char *n = local_name(name);
  switch (s->part) {
  case PART_WORKBOOK:
    workbook_start(s, n, atts);
    break;
  case PART_RELS:
    rels_start(s, n, atts);
    break;
  case PART_STRINGS:
    strings_start(s, n);
    break;
  case PART_SHEET:
    sheet_start(s, n, atts);
    break;
  }
}

static void on_end(void *data, const XML_Char *name) {
  struct xlsx_state *s = data;
  const char *n = local_name(name);
  if (s->part == PART_STRINGS)
    strings_end(s, n);
  else if (s->part == PART_SHEET)
    sheet_end(s, n);
}

/* A workbook needs no document type; refusing one keeps entity tricks out. */
static void on_doctype(void *data, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                       int has_internal_subset) {
  fail(data, "is not a readable XLSX workbook");
}

/* Streams one part of the archive through the parser: 0, 1 when absent, -1 on error. */
static int read_part(struct xlsx_state *s, zip_t *zip, const char *name, enum part part) {
  char buf[16384];
  zip_int64_t n;
  size_t total = 0;
  zip_file_t *f = zip_fopen(zip, name, 0);
  if (f == NULL)
    return 1;
  s->part = part;
  s->parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(s->parser, s);
  XML_SetElementHandler(s->parser, on_start, on_end);
  XML_SetCharacterDataHandler(s->parser, on_text);
  XML_SetStartDoctypeDeclHandler(s->parser, on_doctype);
  while (s->error == NULL && (n = zip_fread(f, buf, sizeof buf)) > 0) {
    total += (size_t)n;
    if (total > SHEET_MAX_XML)
      s->error = "has a part too large to read";
    else if (XML_Parse(s->parser, buf, (int)n, 0) == XML_STATUS_ERROR && s->error == NULL)
      s->error = "is not a readable XLSX workbook";
  }
  if (s->error == NULL && (n < 0 || XML_Parse(s->parser, NULL, 0, 1) == XML_STATUS_ERROR))
    s->error = "is not a readable XLSX workbook";
  XML_ParserFree(s->parser);
  s->parser = NULL;
  s->collecting = 0;
  zip_fclose(f);
  return s->error ? -1 : 0;
}

static int read_workbook(struct xlsx_state *s, zip_t *zip) {
  if (read_part(s, zip, "xl/workbook.xml", PART_WORKBOOK) < 0 ||
      (s->sheet_rid[0] && read_part(s, zip, "xl/_rels/workbook.xml.rels", PART_RELS) < 0) ||
      read_part(s, zip, "xl/sharedStrings.xml", PART_STRINGS) < 0)
    return -1;
  if (s->sheet_path[0] == '\0')
    snprintf(s->sheet_path, sizeof s->sheet_path, "xl/worksheets/sheet1.xml");
  int rc = read_part(s, zip, s->sheet_path, PART_SHEET);
  if (rc > 0)
    s->error = "has no worksheet";
  return rc == 0 ? 0 : -1;
}

int xlsx_read(const void *data, size_t len, size_t max_rows, json_t **rows, const char **error) {
  struct xlsx_state s = {.strings = json_array(), .rows = json_array(), .max_rows = max_rows};
  zip_error_t zerr;
  zip_t *zip = NULL;
  zip_source_t *src;
  *rows = NULL;
  zip_error_init(&zerr);
  src = zip_source_buffer_create(data, len, 0, &zerr);
  if (src == NULL || (zip = zip_open_from_source(src, ZIP_RDONLY, &zerr)) == NULL) {
    zip_source_free(src);
    s.error = "is not a readable XLSX workbook";
    goto out;
  }
  if (read_workbook(&s, zip) == 0) {
    *rows = s.rows;
    s.rows = NULL;
  }
  zip_discard(zip);
out:
  zip_error_fini(&zerr);
  *error = s.error;
  json_decref(s.cells);
  json_decref(s.rows);
  json_decref(s.strings);
  free(s.text);
  return *rows ? 0 : -1;
}
