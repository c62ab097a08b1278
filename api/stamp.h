#ifndef OPOP_STAMP_H
#define OPOP_STAMP_H

/* A parsed RFC 3339 timestamp: text PostgreSQL reads, and whole seconds since
 * the epoch to compare two of them. */
struct stamp {
  char text[48];
  long long epoch;
};

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) into st: 0, or -1 when malformed. */
int stamp_parse(const char *s, struct stamp *st);

#endif
