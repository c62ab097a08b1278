#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <string.h>

#include "webhook_addr.h"
#include "webhook_sign.h"

static int is_public(const char *text) {
  struct sockaddr_storage ss = {0};
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1)
    v4->sin_family = AF_INET;
  else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1)
    v6->sin6_family = AF_INET6;
  return webhook_addr_public((struct sockaddr *)&ss);
}

static void private_and_special_addresses_are_refused(void **state) {
  const char *refused[] = {
      "169.254.169.254", "10.0.0.1",           "127.0.0.1",  "172.16.5.4", "192.168.1.1", "100.64.0.1",
      "0.0.0.0",         "224.0.0.1",          "::1",        "::",         "fe80::1",     "fd00::1",
      "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2001:db8::1"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    assert_false(is_public(refused[i]));
  assert_true(is_public("8.8.8.8"));
  assert_true(is_public("2606:4700::1111"));
  assert_true(is_public("::ffff:8.8.8.8"));
}

static void urls_are_judged_before_any_lookup(void **state) {
  assert_null(webhook_url_problem("https://opd.example.go.id/hook", 0));
  assert_non_null(webhook_url_problem("http://opd.example.go.id/hook", 0));
  assert_null(webhook_url_problem("http://127.0.0.1:9/hook", 1));
  assert_non_null(webhook_url_problem("https://10.0.0.1/", 0));
  assert_non_null(webhook_url_problem("https://[::ffff:169.254.169.254]/", 0));
  assert_non_null(webhook_url_problem("https://user:pw@example.org/", 0));
  assert_non_null(webhook_url_problem("not a url", 0));
}

static void signature_matches_an_independent_hmac(void **state) {
  unsigned char key[WEBHOOK_SECRET_BYTES];
  char sig[WEBHOOK_SIGNATURE_LEN];
  for (int i = 0; i < WEBHOOK_SECRET_BYTES; i++)
    key[i] = (unsigned char)i;
  const char *body = "{\"a\":1}";
  webhook_sign(key, "msg_1", 1614265330, body, strlen(body), sig);
  /* Python: base64(hmac.new(bytes(range(32)), b'msg_1.1614265330.{"a":1}', sha256).digest()) */
  assert_string_equal(sig, "v1,glGkvNcadkg5eS0kC1lHn//MXDsMAhfgJN70uXXgt2s=");
}

static void stored_secrets_round_trip(void **state) {
  char shown[WEBHOOK_SECRET_LEN], stored[WEBHOOK_STORED_LEN];
  unsigned char key[32] = {7}, raw[WEBHOOK_SECRET_BYTES], again[WEBHOOK_SECRET_BYTES], other[32] = {8};
  webhook_secret_new(shown);
  assert_int_equal(webhook_secret_bytes(shown, raw), 0);
  assert_int_equal(webhook_secret_store(shown, key, stored), 0);
  assert_null(strstr(stored, shown + 6));
  assert_int_equal(webhook_secret_load(stored, key, again), 0);
  assert_memory_equal(raw, again, sizeof raw);
  assert_int_equal(webhook_secret_load(stored, other, again), -1);
  assert_int_equal(webhook_secret_load(stored, NULL, again), -1);
  assert_int_equal(webhook_secret_store(shown, NULL, stored), 0);
  assert_int_equal(webhook_secret_load(stored, NULL, again), 0);
  assert_memory_equal(raw, again, sizeof raw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(private_and_special_addresses_are_refused),
      cmocka_unit_test(urls_are_judged_before_any_lookup),
      cmocka_unit_test(signature_matches_an_independent_hmac),
      cmocka_unit_test(stored_secrets_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
