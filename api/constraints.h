#ifndef OPOP_CONSTRAINTS_H
#define OPOP_CONSTRAINTS_H

/* What a violated database constraint means to a client. */
struct constraint_info {
  const char *name;  /* constraint name in the migrations */
  int status;        /* 409 or 422 */
  const char *field; /* the body field it concerns (422) */
  const char *message;
};

/* The entry for name, or NULL. Borrowed (static). */
const struct constraint_info *constraint_find(const char *name);

#endif
