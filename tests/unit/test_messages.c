#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constraints.h"
#include "messages.h"
#include "problems.h"

/* Words spelled the same in both languages. */
static const char *const same[] = {"pesantren", "target", NULL};

static const char *literals_path, *openapi_path;

static int same_in_both(const char *text) {
  for (const char *const *s = same; *s; s++)
    if (strcmp(*s, text) == 0)
      return 1;
  return 0;
}

/* Whether english has an Indonesian text (a catalogue entry or a pattern). */
static int translated(const char *english) {
  char buf[512];
  const char *id = msg_translate(english, LANG_ID, buf, sizeof buf);
  return id != english || same_in_both(english);
}

static void catalogue_sorted_and_unique(void **state) {
  const struct message *m;
  size_t n = msg_catalogue(&m);
  for (size_t i = 1; i < n; i++)
    if (strcmp(m[i - 1].en, m[i].en) >= 0)
      fail_msg("out of order or repeated: '%s' must come after '%s'", m[i - 1].en, m[i].en);
}

static void every_entry_has_both_languages(void **state) {
  const struct message *m;
  size_t n = msg_catalogue(&m);
  for (size_t i = 0; i < n; i++)
    if (m[i].id == NULL || *m[i].id == '\0' || (strcmp(m[i].en, m[i].id) == 0 && !same_in_both(m[i].en)))
      fail_msg("no Indonesian for '%s'", m[i].en);
  assert_string_equal(msg_translate("is required", LANG_ID, NULL, 0), "wajib diisi");
  assert_string_equal(msg_translate("is required", LANG_EN, NULL, 0), "is required");
  assert_string_equal(msg_translate("no such text", LANG_ID, NULL, 0), "no such text");
}

static void patterns(void **state) {
  static const char *const cases[][2] = {
      {"No API key has this id.", "Tidak ada kunci API dengan id ini."},
      {"No pesantren has this id.", "Tidak ada pesantren dengan id ini."},
      {"The user has changed since you read it (If-Match).",
       "Data pengguna ini telah berubah sejak Anda membacanya (If-Match)."},
      {"The measurement is draft; it cannot become verified.",
       "Capaian ini berstatus draft; tidak dapat menjadi verified."},
      {"is not valid JSON: '[' or '{' expected near 'x' (line 1, column 2)",
       "bukan JSON yang valid (baris 1, kolom 2)"},
      {"must be 3 to 60 characters", "harus 3 sampai 60 karakter"},
      {"must be at most 20 characters", "paling banyak 20 karakter"},
      {"must be an integer from 1 to 100", "harus berupa bilangan bulat antara 1 dan 100"},
      {"must be a number from -9 to -5", "harus berupa angka antara -9 dan -5"},
      {"must be one of: food, beverage", "harus salah satu dari: food, beverage"},
  };
  char buf[512];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_string_equal(msg_translate(cases[i][0], LANG_ID, buf, sizeof buf), cases[i][1]);
  /* A short buffer cuts the text, never overflows. */
  char small[8];
  assert_string_equal(msg_translate("must be one of: food", LANG_ID, small, sizeof small), "harus s");
}

/* Every message literal of the sources (tools/message_literals.py). */
static void every_source_message_is_translated(void **state) {
  FILE *f = fopen(literals_path, "r");
  char line[1024];
  int missing = 0, seen = 0;
  assert_non_null(f);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    seen++;
    if (!translated(line)) {
      fprintf(stderr, "no Indonesian in api/messages_id.c for: %s\n", line);
      missing++;
    }
  }
  fclose(f);
  assert_true(seen > 50);
  assert_int_equal(missing, 0);
}

static void every_constraint_and_title_is_translated(void **state) {
  const struct constraint_info *c;
  const struct problem_type *t;
  size_t n = constraint_all(&c);
  for (size_t i = 0; i < n; i++) {
    if (!translated(c[i].message))
      fail_msg("no Indonesian for constraint %s: '%s'", c[i].name, c[i].message);
    if (c[i].type && problem_find(c[i].type) == NULL)
      fail_msg("constraint %s names an unregistered type %s", c[i].name, c[i].type);
  }
  n = problem_types(&t);
  for (size_t i = 0; i < n; i++)
    if (!translated(t[i].title))
      fail_msg("no Indonesian for the title '%s'", t[i].title);
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  long len;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    goto out;
  text = calloc(1, (size_t)len + 1);
  if (text && fread(text, 1, (size_t)len, f) != (size_t)len) {
    free(text);
    text = NULL;
  }
out:
  if (f)
    fclose(f);
  return text;
}

/* Clients branch on type: every type the service can answer is documented. */
static void every_type_is_in_the_openapi_document(void **state) {
  char *doc = read_all(openapi_path);
  const struct problem_type *t;
  char needle[128];
  assert_non_null(doc);
  size_t n = problem_types(&t);
  for (size_t i = 0; i < n; i++) {
    snprintf(needle, sizeof needle, "`%s`", t[i].uri);
    if (strstr(doc, needle) == NULL)
      fail_msg("%s is not listed in openapi/openapi.yaml", t[i].uri);
  }
  free(doc);
}

static void distinct_types(void **state) {
  const struct problem_type *t;
  size_t n = problem_types(&t);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strcmp(t[i].uri, t[j].uri) == 0)
        fail_msg("%s is registered twice", t[i].uri);
  assert_string_equal(problem_of_status(422)->uri, "/problems/validation-failed");
  assert_string_equal(problem_of_status(409)->uri, "/problems/conflict");
  assert_string_equal(problem_of_status(599)->uri, "/problems/internal-error");
  assert_string_equal(constraint_find("enrolments_quota_full")->type, PROBLEM_QUOTA_FULL);
}

/* One reading of database outcomes for single requests and batch rows. */
static void database_outcomes(void **state) {
  struct db_error e = {"23505", "pesantren_nspp_key", ""};
  struct problem p = problem_from_db(DBQ_HARD, &e, 1);
  assert_int_equal(p.status, 409);
  assert_string_equal(p.type, PROBLEM_DUPLICATE_NSPP);
  assert_null(p.field);
  e = (struct db_error){"23503", "measurements_pesantren_id_fkey", ""};
  p = problem_from_db(DBQ_HARD, &e, 1);
  assert_int_equal(p.status, 422);
  assert_string_equal(p.field, "pesantren_id");
  assert_string_equal(p.type, "/problems/validation-failed");
  e = (struct db_error){"57014", "", ""};
  assert_int_equal(problem_from_db(DBQ_HARD, &e, 1).status, 503);
  e = (struct db_error){"22003", "", ""};
  assert_int_equal(problem_from_db(DBQ_HARD, &e, 1).status, 422);
  assert_int_equal(problem_from_db(DBQ_HARD, &e, 0).status, 400);
  assert_int_equal(problem_from_db(DBQ_UNAVAILABLE, NULL, 1).status, 503);
  e = (struct db_error){"XX000", "", ""};
  p = problem_from_db(DBQ_HARD, &e, 1);
  assert_int_equal(p.status, 500);
  assert_true(p.server_fault);
  e = (struct db_error){"23503", "enrolments_pesantren_id_fkey", ""};
  assert_true(problem_db_referenced(&e));
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_messages MESSAGE_LITERALS.txt OPENAPI.yaml\n");
    return 2;
  }
  literals_path = argv[1];
  openapi_path = argv[2];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(catalogue_sorted_and_unique),
      cmocka_unit_test(every_entry_has_both_languages),
      cmocka_unit_test(patterns),
      cmocka_unit_test(every_source_message_is_translated),
      cmocka_unit_test(every_constraint_and_title_is_translated),
      cmocka_unit_test(every_type_is_in_the_openapi_document),
      cmocka_unit_test(distinct_types),
      cmocka_unit_test(database_outcomes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
