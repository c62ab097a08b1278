#include "xlsx_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

struct xlsx_out {
  lxw_workbook *book;
  lxw_worksheet *sheet;
  lxw_format *bold, *datetime, *date;
  const char *const *columns;
  lxw_row_t next_row;
  int failed;
};

struct xlsx_out *xlsx_out_open(const char *path, const char *sheet, const char *title, const char *const *columns) {
  lxw_workbook_options options = {.constant_memory = LXW_TRUE};
  struct xlsx_out *x = calloc(1, sizeof *x);
  if (x == NULL || (x->book = workbook_new_opt(path, &options)) == NULL ||
      (x->sheet = workbook_add_worksheet(x->book, sheet)) == NULL) {
    xlsx_out_close(x);
    return NULL;
  }
  x->columns = columns;
  x->bold = workbook_add_format(x->book);
  format_set_bold(x->bold);
  x->datetime = workbook_add_format(x->book);
  format_set_num_format(x->datetime, "yyyy-mm-dd hh:mm:ss");
  x->date = workbook_add_format(x->book);
  format_set_num_format(x->date, "yyyy-mm-dd");
  lxw_row_t header = title ? 1 : 0;
  worksheet_freeze_panes(x->sheet, header + 1, 0);
  if (title)
    worksheet_write_string(x->sheet, 0, 0, title, x->bold);
  lxw_col_t c = 0;
  for (const char *const *name = columns; *name; name++, c++)
    worksheet_write_string(x->sheet, header, c, *name, x->bold);
  worksheet_set_column(x->sheet, 0, c ? c - 1 : 0, 16, NULL);
  x->next_row = header + 1;
  return x;
}

/* YYYY-MM-DD, optionally followed by THH:MM:SS[.fraction]Z: 1 for a date, 2 for
 * a timestamp, 0 for anything else. */
static int parse_when(const char *s, lxw_datetime *when) {
  int n = 0;
  memset(when, 0, sizeof *when);
  if (sscanf(s, "%4d-%2d-%2d%n", &when->year, &when->month, &when->day, &n) != 3 || n != 10 || s[4] != '-' ||
      when->month < 1 || when->month > 12 || when->day < 1 || when->day > 31 || when->year < 1900)
    return 0;
  if (s[10] == '\0')
    return 1;
  int m = 0;
  if (s[10] != 'T' || sscanf(s + 11, "%2d:%2d:%lf%n", &when->hour, &when->min, &when->sec, &m) != 3 ||
      s[11 + m] != 'Z' || s[12 + m] != '\0')
    return 0;
  return 2;
}

/* A leading =, +, - or @ would make a spreadsheet read the text as a formula. */
static int write_text(struct xlsx_out *x, lxw_col_t col, const char *s) {
  lxw_error e;
  if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
    size_t n = strlen(s);
    char *quoted = malloc(n + 2);
    if (quoted == NULL)
      return -1;
    quoted[0] = '\'';
    memcpy(quoted + 1, s, n + 1);
    e = worksheet_write_string(x->sheet, x->next_row, col, quoted, NULL);
    free(quoted);
  } else {
    e = worksheet_write_string(x->sheet, x->next_row, col, s, NULL);
  }
  return e == LXW_NO_ERROR ? 0 : -1;
}

static int write_string(struct xlsx_out *x, lxw_col_t col, const char *s) {
  lxw_datetime when;
  int kind = parse_when(s, &when);
  if (kind == 0)
    return write_text(x, col, s);
  return worksheet_write_datetime(x->sheet, x->next_row, col, &when, kind == 1 ? x->date : x->datetime) == LXW_NO_ERROR
             ? 0
             : -1;
}

static int write_cell(struct xlsx_out *x, lxw_col_t col, const json_t *v) {
  lxw_row_t row = x->next_row;
  switch (json_typeof(v)) {
  case JSON_STRING:
    return write_string(x, col, json_string_value(v));
  case JSON_INTEGER:
    return worksheet_write_number(x->sheet, row, col, (double)json_integer_value(v), NULL) == LXW_NO_ERROR ? 0 : -1;
  case JSON_REAL:
    return worksheet_write_number(x->sheet, row, col, json_real_value(v), NULL) == LXW_NO_ERROR ? 0 : -1;
  case JSON_TRUE:
  case JSON_FALSE:
    return worksheet_write_boolean(x->sheet, row, col, json_is_true(v), NULL) == LXW_NO_ERROR ? 0 : -1;
  case JSON_OBJECT:
  case JSON_ARRAY: {
    char *text = json_dumps(v, JSON_COMPACT);
    int rc = text ? write_text(x, col, text) : -1;
    free(text);
    return rc;
  }
  default:
    return 0;
  }
}

int xlsx_out_row(struct xlsx_out *x, const json_t *row) {
  lxw_col_t c = 0;
  for (const char *const *name = x->columns; *name && !x->failed; name++, c++) {
    const json_t *v = json_object_get(row, *name);
    if (v && write_cell(x, c, v) != 0)
      x->failed = 1;
  }
  x->next_row++;
  return x->failed ? -1 : 0;
}

int xlsx_out_close(struct xlsx_out *x) {
  int rc = -1;
  if (x == NULL)
    return 0;
  if (x->book)
    rc = workbook_close(x->book) == LXW_NO_ERROR && !x->failed ? 0 : -1;
  free(x);
  return rc;
}
