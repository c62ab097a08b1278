#ifndef OPOP_CSV_H
#define OPOP_CSV_H

#include <jansson.h>
#include <stddef.h>

/* Renders rows (an array of objects) as RFC 4180 CSV: a header row of columns
 * (an array of field names), then one CRLF-terminated line per row; fields with
 * a comma, quote, CR or LF are quoted, quotes doubled; null is empty. A text
 * cell that starts with =, +, -, @, tab or carriage return (and is not a plain
 * decimal number) gets a leading ' so that no spreadsheet runs it as a
 * formula; numbers stay numbers (reals with 15 significant digits). Caller
 * frees; *len gets the length. NULL when out of memory. */
char *csv_render(const json_t *columns, const json_t *rows, size_t *len);

#endif
