#include "messages.h"

#include <stdlib.h>
#include <string.h>

#define MAX_HOLES 9

struct hole {
  const char *start;
  size_t len;
};

static int entry_compare(const void *key, const void *entry) {
  return strcmp(key, ((const struct message *)entry)->en);
}

static const char *exact(const char *english) {
  const struct message *entries;
  size_t n = msg_catalogue(&entries);
  const struct message *m = bsearch(english, entries, n, sizeof *entries, entry_compare);
  return m ? m->id : NULL;
}

/* The number of the placeholder "{d}" at p, or 0. */
static int hole_at(const char *p) {
  return p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' ? p[1] - '0' : 0;
}

/* Whether text matches pattern; holes[] gets what each placeholder took. */
static int match(const char *pattern, const char *text, struct hole *holes) {
  int h = hole_at(pattern);
  if (h == 0) {
    if (*pattern == '\0')
      return *text == '\0';
    return *pattern == *text && match(pattern + 1, text + 1, holes);
  }
  for (size_t len = 1; text[len - 1] != '\0'; len++) {
    holes[h - 1] = (struct hole){text, len};
    if (match(pattern + 3, text + len, holes))
      return 1;
  }
  return 0;
}

/* Appends n bytes of s to out (of len, used so far *at); silently cut when full. */
static void put(char *out, size_t len, size_t *at, const char *s, size_t n) {
  if (*at + n >= len)
    n = *at < len ? len - 1 - *at : 0;
  memcpy(out + *at, s, n);
  *at += n;
  out[*at] = '\0';
}

/* A placeholder's text in Indonesian: the catalogue's word for it, or itself. */
static void put_hole(char *out, size_t len, size_t *at, const struct hole *hole) {
  char word[128];
  const char *id = NULL;
  if (hole->len < sizeof word) {
    memcpy(word, hole->start, hole->len);
    word[hole->len] = '\0';
    id = exact(word);
  }
  if (id)
    put(out, len, at, id, strlen(id));
  else
    put(out, len, at, hole->start, hole->len);
}

static void fill(const char *target, const struct hole *holes, char *out, size_t len) {
  size_t at = 0;
  out[0] = '\0';
  for (const char *p = target; *p;) {
    int h = hole_at(p);
    if (h && holes[h - 1].start) {
      put_hole(out, len, &at, &holes[h - 1]);
      p += 3;
    } else {
      put(out, len, &at, p++, 1);
    }
  }
}

const char *msg_translate(const char *english, enum lang l, char *buf, size_t len) {
  if (l == LANG_EN || english == NULL)
    return english;
  const char *id = exact(english);
  if (id)
    return id;
  const struct message *patterns;
  size_t n = msg_patterns(&patterns);
  for (size_t i = 0; i < n && len > 0; i++) {
    struct hole holes[MAX_HOLES] = {{NULL, 0}};
    if (match(patterns[i].en, english, holes)) {
      fill(patterns[i].id, holes, buf, len);
      return buf;
    }
  }
  return english;
}
