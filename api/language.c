#include "language.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define Q_ABSENT (-1)

/* How well one language is asked for: the weight of the most specific range
 * naming it (a tag beats "*"), and where that range stood. */
struct wish {
  int specificity; /* 0 not named, 1 by "*", 2 by its tag */
  int q;           /* thousandths */
  int position;
};

static const char *skip_ows(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* The length of a run of 1 to 8 letters (or, with digits, alphanumerics) at p; 0 otherwise. */
static size_t subtag(const char *p, int digits) {
  size_t n = 0;
  while (n < 9 && (isalpha((unsigned char)p[n]) || (digits && isdigit((unsigned char)p[n]))))
    n++;
  return n <= 8 ? n : 0;
}

/* language-range: "*" or 1*8ALPHA *("-" 1*8alphanum); its length, or 0. */
static size_t range_length(const char *p) {
  if (*p == '*')
    return 1;
  size_t n = subtag(p, 0), part;
  if (n == 0)
    return 0;
  while (p[n] == '-') {
    if ((part = subtag(p + n + 1, 1)) == 0)
      return 0;
    n += 1 + part;
  }
  return n;
}

/* qvalue: "0" ["." 0*3DIGIT] or "1" ["." 0*3"0"]; thousandths, or -1. */
static int qvalue(const char **pp) {
  const char *p = *pp;
  if (*p != '0' && *p != '1')
    return -1;
  int whole = *p++ - '0', frac = 0, digits = 0;
  if (*p == '.')
    for (p++; isdigit((unsigned char)*p) && digits < 3; p++, digits++)
      frac = frac * 10 + (*p - '0');
  if (isdigit((unsigned char)*p))
    return -1;
  for (; digits < 3; digits++)
    frac *= 10;
  if (whole == 1 && frac != 0)
    return -1;
  *pp = p;
  return whole * 1000 + frac;
}

/* The weight after a range: 1000 when none is given, -1 when malformed. */
static int weight(const char **pp) {
  const char *p = skip_ows(*pp);
  int q = 1000;
  if (*p == ';') {
    p = skip_ows(p + 1);
    if ((p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
      return -1;
    p += 2;
    if ((q = qvalue(&p)) < 0)
      return -1;
    p = skip_ows(p);
  }
  if (*p != ',' && *p != '\0')
    return -1;
  *pp = p;
  return q;
}

static int range_names(const char *range, size_t len, const char *tag) {
  size_t t = strlen(tag);
  return len >= t && strncasecmp(range, tag, t) == 0 && (len == t || range[t] == '-');
}

static void consider(struct wish *w, int specificity, int q, int position) {
  if (specificity > w->specificity || (specificity == w->specificity && q > w->q)) {
    w->specificity = specificity;
    w->q = q;
    w->position = position;
  }
}

/* Fills wishes for en and id; -1 when the header is malformed. */
static int read_wishes(const char *p, struct wish wishes[2]) {
  static const char *const tags[2] = {"en", "id"};
  for (int position = 0;; position++) {
    p = skip_ows(p);
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == '\0')
      return 0;
    size_t len = range_length(p);
    if (len == 0)
      return -1;
    const char *range = p;
    p += len;
    int q = weight(&p);
    if (q < 0)
      return -1;
    for (int l = 0; l < 2; l++)
      consider(&wishes[l], *range == '*' ? 1 : range_names(range, len, tags[l]) ? 2 : 0, q, position);
  }
}

enum lang lang_negotiate(const char *header) {
  struct wish wishes[2] = {{0, 0, 0}, {0, 0, 0}};
  if (header == NULL || read_wishes(header, wishes) != 0)
    return LANG_EN;
  const struct wish *en = &wishes[LANG_EN], *id = &wishes[LANG_ID];
  if (id->specificity == 0 || id->q == 0)
    return LANG_EN;
  if (en->specificity == 0 || id->q > en->q || (id->q == en->q && id->position < en->position))
    return LANG_ID;
  return LANG_EN;
}

const char *lang_tag(enum lang l) {
  return l == LANG_ID ? "id" : "en";
}
