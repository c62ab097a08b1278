#ifndef OPOP_XLSX_OUT_H
#define OPOP_XLSX_OUT_H

/* One-sheet XLSX files written row by row with libxlsxwriter in its constant
 * memory mode: a row is on disk once the next one starts, so a list of any
 * length costs the same memory. */

#include <jansson.h>

struct xlsx_out;

/* A workbook at path with one sheet named sheet: row 1 the title, row 2 the
 * bold header of columns (NULL-terminated, borrowed until close), frozen
 * below it; without a title the header is row 1. NULL when the file cannot
 * be made. */
struct xlsx_out *xlsx_out_open(const char *path, const char *sheet, const char *title, const char *const *columns);
/* Appends one row: numbers as numbers, true/false as booleans, RFC 3339
 * timestamps and YYYY-MM-DD dates as dates, lists and objects as their JSON
 * text, null and missing fields as empty cells; text that a spreadsheet would
 * read as a formula gets a leading '. 0, or -1. */
int xlsx_out_row(struct xlsx_out *x, const json_t *row);
/* Writes the file and frees x (NULL is fine): 0, or -1 when writing failed. */
int xlsx_out_close(struct xlsx_out *x);

#endif
