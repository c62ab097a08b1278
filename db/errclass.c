/* Statement failures by SQLSTATE class, for the metrics. */
#include <string.h>

#include "db.h"

const char *const db_error_class_names[DB_ERROR_CLASSES] = {"08", "22", "23", "40", "42", "53",
                                                            "54", "55", "57", "58", "XX", "other"};

int db_error_class(const char *sqlstate) {
  for (int i = 0; i < DB_ERROR_CLASSES - 1; i++)
    if (strncmp(sqlstate, db_error_class_names[i], 2) == 0)
      return i;
  return DB_ERROR_CLASSES - 1;
}

double db_seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}
