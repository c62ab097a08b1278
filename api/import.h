#ifndef OPOP_IMPORT_H
#define OPOP_IMPORT_H

/* Spreadsheet imports: a CSV or XLSX body read into one JSON body per row,
 * typed by the resource's field table, after the file-level checks (columns,
 * rows, format) that answer one 4xx before any row is written. */

#include <jansson.h>

#include "app.h"
#include "validate.h"

#define IMPORT_MAX_ROWS 5000

/* Whether the body is declared as text/csv or XLSX. */
int import_is_sheet(const struct req *r);

/* The rows of the body as [{"row": number in the sheet, "body": {...}}]
 * (caller decrefs): a column per field of fields (read-only ones are read and
 * left out), empty cells left out. NULL after answering 400, 413, 415 or 422. */
json_t *import_read(struct req *r, const struct vfield *fields, size_t nfields);

/* ?dry_run=true|false: 0, or -1 after 400. */
int import_dry_run(struct req *r, int *dry_run);

/* Idempotency-Key on a batch or an import: 1 when the key's first answer was
 * given again (or the key refused), else 0 with hash set for import_reply.
 * The rows read and dry_run are the request, whatever form the file had. */
int import_replay(struct req *r, const json_t *rows, int dry_run, char hash[65]);

/* Answers 200 {"items": items (borrowed), "created", "failed"}: the rows
 * answered 201, and those answered 4xx or 5xx (a dry run's good rows are 200);
 * kept for the request's Idempotency-Key when hash is given. */
void import_reply(struct req *r, const json_t *items, const char *hash);

#endif
