#ifndef OPOP_MIGRATE_H
#define OPOP_MIGRATE_H

struct migration {
  const char *name; /* file name without .sql, e.g. "0001_core" */
  const char *sql;
};

/* Compiled in from db/migrations/ by the build, in name order. */
extern const struct migration db_migrations[];
extern const int db_migrations_count;

/* Applies every pending migration, each in its own transaction, under an
 * advisory lock so concurrent starters wait for each other. Returns the number
 * applied, or -1 (the reason is logged). Each applied migration's SHA-256 is
 * recorded; an applied migration whose text changed since stops it (-1, the
 * log names the migration). */
int db_migrate(const char *conninfo);

#endif
