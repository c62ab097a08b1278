#ifndef OPOP_PERIOD_H
#define OPOP_PERIOD_H

/* Reporting periods: "2024" (year), "2024-Q2" (quarter), "2024-04" (month).
 * The one parser of the service; anything else is rejected. */

enum period_kind { PERIOD_YEAR, PERIOD_QUARTER, PERIOD_MONTH };

struct period {
  enum period_kind kind;
  int year;
  int part;       /* quarter 1-4 or month 1-12; 0 for a year */
  char start[11]; /* first day, YYYY-MM-DD */
  char end[11];   /* last day, YYYY-MM-DD */
};

/* 0 and *out filled, or -1 when text is not a period of years min_year..max_year. */
int period_parse(const char *text, int min_year, int max_year, struct period *out);

#endif
