#include "period.h"

#include <stdio.h>
#include <string.h>

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int to_int(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

static int month_days(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return days[month - 1] + (month == 2 && leap);
}

static void fill_range(struct period *p, int first_month, int last_month) {
  snprintf(p->start, sizeof p->start, "%04d-%02d-01", p->year, first_month);
  snprintf(p->end, sizeof p->end, "%04d-%02d-%02d", p->year, last_month, month_days(p->year, last_month));
}

int period_parse(const char *text, int min_year, int max_year, struct period *out) {
  size_t len = text ? strlen(text) : 0;
  struct period p = {0};
  if (len < 4 || !digits(text, 4))
    return -1;
  p.year = to_int(text, 4);
  if (p.year < min_year || p.year > max_year)
    return -1;
  if (len == 4) {
    p.kind = PERIOD_YEAR;
    fill_range(&p, 1, 12);
  } else if (len == 7 && text[4] == '-' && text[5] == 'Q' && text[6] >= '1' && text[6] <= '4') {
    p.kind = PERIOD_QUARTER;
    p.part = text[6] - '0';
    fill_range(&p, p.part * 3 - 2, p.part * 3);
  } else if (len == 7 && text[4] == '-' && digits(text + 5, 2)) {
    p.kind = PERIOD_MONTH;
    p.part = to_int(text + 5, 2);
    if (p.part < 1 || p.part > 12)
      return -1;
    fill_range(&p, p.part, p.part);
  } else {
    return -1;
  }
  *out = p;
  return 0;
}
