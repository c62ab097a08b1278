#ifndef OPOP_EXPORT_H
#define OPOP_EXPORT_H

/* Reports and lists as spreadsheet files: content negotiation (?format= wins
 * over Accept), and the file itself, CSV or XLSX, written to a temporary file
 * and streamed from there, so a long list never sits in memory. */

#include <jansson.h>

#include "app.h"

enum export_format { EXPORT_JSON, EXPORT_CSV, EXPORT_XLSX };

/* Rows read per statement while exporting a list. */
#define EXPORT_PAGE_ROWS 500

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The format asked for by ?format= (json, csv, xlsx), else by Accept. 0, or
 * -1 after 400 (an unknown format) or, when strict, 406 (Accept takes none). */
int export_negotiate(struct req *r, int strict, enum export_format *format);

struct export_sheet {
  const char *name;           /* "achievement", "pesantren": the file and sheet name */
  const char *title;          /* what the title row says it is */
  const char *year;           /* the year in the file name; NULL for the current year (WIB) */
  const json_t *filters;      /* borrowed: the filters named in the title row */
  const char *const *columns; /* NULL-terminated field names */
};

/* Answers 200 with items (an array of objects, borrowed) as a file of format. */
void export_items(struct req *r, const struct export_sheet *s, enum export_format format, const json_t *items);

/* One page of a list after (after_key, after_seq) (NULL for the first); as the
 * repositories' list functions. */
typedef enum dbq (*export_page_fn)(struct db_conn *db, const void *query, const char *after_key, const char *after_seq,
                                   json_t **items, char **next_key, char **next_seq);

/* Answers 200 with every row of a list, read page by page; query is handed to page. */
void export_list(struct req *r, const struct export_sheet *s, enum export_format format, export_page_fn page,
                 const void *query);

#endif
