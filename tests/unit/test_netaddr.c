#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netaddr.h"

static void ranges(void **state) {
  struct netaddr_range *list = NULL;
  size_t n = 0;
  assert_int_equal(netaddr_parse_list(" 10.0.0.0/8 ,192.168.1.7, 2001:db8::/32", &list, &n), 0);
  assert_int_equal(n, 3);
  assert_true(netaddr_listed(list, n, "10.200.3.4"));
  assert_false(netaddr_listed(list, n, "11.0.0.1"));
  assert_true(netaddr_listed(list, n, "192.168.1.7"));
  assert_false(netaddr_listed(list, n, "192.168.1.8"));
  assert_true(netaddr_listed(list, n, "2001:db8:1::5"));
  assert_false(netaddr_listed(list, n, "2001:db9::5"));
  assert_true(netaddr_listed(list, n, "::ffff:10.1.1.1"));
  assert_false(netaddr_listed(list, n, "not an address"));
  free(list);
  static const char *const bad[] = {"10.0.0.0/33", "10.0.0.1/", "10.0.0.1/x", "host", "::1/129", "1.2.3"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(netaddr_parse_list(bad[i], &list, &n), -1);
}

static void client_address(void **state) {
  struct netaddr_range *trusted = NULL;
  size_t n = 0;
  char out[INET6_ADDRSTRLEN];
  struct sockaddr_in peer = {.sin_family = AF_INET};
  assert_int_equal(netaddr_parse_list("127.0.0.1, 10.0.0.0/8", &trusted, &n), 0);
  inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  netaddr_client((struct sockaddr *)&peer, NULL, trusted, n, out);
  assert_string_equal(out, "127.0.0.1");
  netaddr_client((struct sockaddr *)&peer, "203.0.113.9", trusted, n, out);
  assert_string_equal(out, "203.0.113.9");
  /* Entries a client wrote itself stand left of the one the proxy appended. */
  netaddr_client((struct sockaddr *)&peer, "1.1.1.1, 203.0.113.9, 10.1.2.3", trusted, n, out);
  assert_string_equal(out, "203.0.113.9");
  netaddr_client((struct sockaddr *)&peer, "garbage", trusted, n, out);
  assert_string_equal(out, "127.0.0.1");
  /* An untrusted peer's header is ignored. */
  inet_pton(AF_INET, "198.51.100.4", &peer.sin_addr);
  netaddr_client((struct sockaddr *)&peer, "203.0.113.9", trusted, n, out);
  assert_string_equal(out, "198.51.100.4");
  free(trusted);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ranges),
      cmocka_unit_test(client_address),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
