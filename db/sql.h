#ifndef OPOP_SQL_H
#define OPOP_SQL_H

/* Inside the repository layer only: statements and their execution. */

#include <libpq-fe.h>

#include "db.h"

/* A statement, prepared once per connection under its name on first use. */
struct db_stmt {
  const char *name;
  const char *sql;
  int nparams;
};

/* Executes stmt with text parameters (NULL = SQL NULL). Returns the result
 * (caller PQclears) or NULL with the error recorded on conn. */
PGresult *db_exec(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values);
/* Classifies the error recorded on conn. */
enum dbq db_failure(const struct db_conn *conn);
/* Puts back an error saved before a cleanup statement overwrote it. */
void db_restore_error(struct db_conn *conn, const struct db_error *saved);
/* Runs a statement that needs no parameters and is not prepared (BEGIN, COMMIT). */
enum dbq db_simple(struct db_conn *conn, const char *sql);

/* A statement whose first column is one JSON document: *out is the parsed
 * value of the first row (caller decrefs), or NULL with DBQ_NONE. */
enum dbq db_json_one(struct db_conn *conn, const struct db_stmt *stmt,
                     const char *const *values, json_t **out);
/* As db_json_one, without parsing: out->json is the first column of the first
 * row, out->version the second column when there is one. DBQ_NONE leaves out
 * empty. */
enum dbq db_text_one(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values,
                     struct db_text *out);
/* A statement taking a JSON document as $1 (and id as $2 when it has two
 * parameters), answering one JSON document, as db_json_one. */
enum dbq db_json_doc(struct db_conn *conn, const struct db_stmt *stmt, const json_t *doc, const char *id,
                     json_t **out);
/* Runs a statement for its effect; DBQ_ONE when it touched at least one row. */
enum dbq db_command(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values);

#endif
