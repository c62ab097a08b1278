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
/* Judges the result of a lead statement: NULL lets the request go on, else
 * the SQLSTATE it fails with. */
typedef const char *(*db_judge)(const PGresult *res, void *arg);
/* Makes stmt (one text parameter, copied) go out in the same round trip as
 * the next statement run on conn (a pipeline: one network round trip and one
 * implicit transaction instead of two). judge sees stmt's result first; if it
 * refuses, the next statement's result is dropped unseen and that statement
 * fails with the judge's SQLSTATE. arg is owned from here on: free_arg(arg)
 * (may be NULL) runs once it is judged or dropped (db_pool_release drops a
 * lead never judged). 0, or -1 (arg freed) when value is too long. */
int db_lead(struct db_conn *conn, const struct db_stmt *stmt, const char *value, db_judge judge, void *arg,
            void (*free_arg)(void *arg));
/* Runs a lead that no statement carried, alone: DBQ_NONE when none was
 * pending, DBQ_ONE when judged and let through, else a failure (a refusal is
 * DBQ_HARD with the judge's SQLSTATE). db_simple settles first by itself. */
enum dbq db_lead_settle(struct db_conn *conn);
/* Holds back a transaction's opening: BEGIN and stmt (at most 3 parameters,
 * each under 96 bytes, copied) go out in one round trip with the next
 * statement run on conn. db_simple's COMMIT or ROLLBACK of a transaction
 * that ran nothing sends nothing. 0, or -1 when the values do not fit. */
int db_defer_begin(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values);
/* Forgets an opening that has not gone out: 1 when there was one. */
int db_prefix_drop(struct db_conn *conn);
/* Classifies the error recorded on conn. */
enum dbq db_failure(const struct db_conn *conn);
/* Puts back an error saved before a cleanup statement overwrote it. */
void db_restore_error(struct db_conn *conn, const struct db_error *saved);
/* Runs a statement that needs no parameters and is not prepared (BEGIN, COMMIT). */
enum dbq db_simple(struct db_conn *conn, const char *sql);

/* A statement whose first column is one JSON document: *out is the parsed
 * value of the first row (caller decrefs), or NULL with DBQ_NONE. */
enum dbq db_json_one(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values, json_t **out);
/* As db_json_one, without parsing: out->json is the first column of the first
 * row, out->version the second column when there is one. DBQ_NONE leaves out
 * empty. */
enum dbq db_text_one(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values, struct db_text *out);
/* A statement taking a JSON document as $1 (and id as $2 when it has two
 * parameters), answering one JSON document, as db_json_one. */
enum dbq db_json_doc(struct db_conn *conn, const struct db_stmt *stmt, const json_t *doc, const char *id, json_t **out);
/* Runs a statement for its effect; DBQ_ONE when it touched at least one row. */
enum dbq db_command(struct db_conn *conn, const struct db_stmt *stmt, const char *const *values);

#endif
