#include "stamp.h"

#include <stdio.h>
#include <string.h>

static int digits(const char *s, int n, int *value) {
  *value = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    *value = *value * 10 + (s[i] - '0');
  }
  return 0;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The zone of a timestamp: Z, or +HH:MM / -HH:MM. A '+' in a query string
 * arrives as a space when the client did not escape it, so a space reads as
 * '+'. Its offset east of UTC in seconds; -1 when malformed. */
static int parse_zone(const char *z, long long *offset) {
  int hh, mm;
  if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0') {
    *offset = 0;
    return 0;
  }
  if ((z[0] != '+' && z[0] != '-' && z[0] != ' ') || strlen(z) != 6 || z[3] != ':' || digits(z + 1, 2, &hh) ||
      digits(z + 4, 2, &mm) || hh > 23 || mm > 59)
    return -1;
  *offset = (z[0] == '-' ? -1 : 1) * (hh * 3600LL + mm * 60LL);
  return 0;
}

int stamp_parse(const char *s, struct stamp *st) {
  int y, mo, d, h, mi, sec;
  long long offset;
  size_t len = strlen(s), frac = 0;
  if (len < 20 || len >= sizeof st->text || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
      digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
    return -1;
  if (s[19] == '.') {
    frac = strspn(s + 20, "0123456789");
    if (frac == 0 || frac > 9)
      return -1;
    frac++;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 ||
      parse_zone(s + 19 + frac, &offset) != 0)
    return -1;
  snprintf(st->text, sizeof st->text, "%s", s);
  if (st->text[19 + frac] == ' ')
    st->text[19 + frac] = '+';
  st->epoch = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec - offset;
  return 0;
}
