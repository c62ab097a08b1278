#ifndef OPOP_SHEET_IN_H
#define OPOP_SHEET_IN_H

/* Spreadsheet files read into rows of text cells, CSV or XLSX alike: an array
 * of {"row": the row number a spreadsheet shows, "cells": [strings]}. Rows
 * with no text are left out. Pure functions: no HTTP, no database. */

#include <jansson.h>
#include <stddef.h>

/* RFC 4180 CSV in UTF-8, with an optional byte order mark, separated by ','
 * or ';' (whichever the first line has more of outside quotes), lines ending
 * in CRLF or LF. At most max_rows rows are kept: one more is an error. 0 with
 * *rows (caller decrefs), or -1 with *error, a constant sentence. */
int csv_read(const char *data, size_t len, size_t max_rows, json_t **rows, const char **error);

/* The first sheet of an XLSX workbook (shared strings, inline strings,
 * numbers, booleans), read as a stream: memory stays bounded by the limits
 * in sheet_in.h, not by what the archive claims to hold. As csv_read. */
int xlsx_read(const void *data, size_t len, size_t max_rows, json_t **rows, const char **error);

/* Whether any cell of a row has text. */
int sheet_row_has_text(const json_t *cells);

/* Limits that keep a hostile file small in memory. */
#define SHEET_MAX_COLUMNS 64
#define SHEET_MAX_CELL 32767             /* characters a spreadsheet cell holds */
#define SHEET_MAX_XML (64 * 1024 * 1024) /* uncompressed bytes read from one part */

#endif
