#ifndef OPOP_CONSTRAINTS_H
#define OPOP_CONSTRAINTS_H

#include <stddef.h>

/* What a violated database constraint means to a client. */
struct constraint_info {
  const char *name;  /* constraint name in the migrations */
  int status;        /* 409 or 422 */
  const char *field; /* the body field it concerns (422) */
  const char *message;
  const char *type; /* its problem type (problems.h); NULL: the generic one of status */
};

/* The entry for name, or NULL. Borrowed (static). */
const struct constraint_info *constraint_find(const char *name);
/* Every entry (borrowed), for tests. */
size_t constraint_all(const struct constraint_info **all);

#endif
