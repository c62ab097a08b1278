#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sys/socket.h>

#include "config.h"

static const char *const *fake_env;

static const char *fake_getenv(const char *name) {
  for (const char *const *e = fake_env; e && *e; e += 2)
    if (strcmp(e[0], name) == 0)
      return e[1];
  return NULL;
}

static int load(const char *const *env, struct config *cfg, char *err) {
  fake_env = env;
  return config_load(cfg, fake_getenv, err, 256);
}

static void defaults(void **state) {
  struct config cfg;
  char err[256];
  static const char *const env[] = {NULL};
  assert_int_equal(load(env, &cfg, err), 0);
  assert_int_equal(cfg.port, 8080);
  assert_string_equal(cfg.bind, "127.0.0.1");
  assert_int_equal(cfg.token_ttl_s, 12 * 3600);
  assert_int_equal(cfg.db_acquire_timeout_ms, 5000);
  assert_int_equal(cfg.db_statement_timeout_ms, 30000);
  assert_int_equal(cfg.db_idle_tx_timeout_ms, 60000);
  assert_int_equal(cfg.db_connect_timeout_s, 5);
  assert_int_equal(cfg.retry_after_s, 5);
  config_clear(&cfg);
}

static void database_limits(void **state) {
  struct config cfg;
  char err[256];
  static const char *const env[] = {"OPOP_DB_STATEMENT_TIMEOUT_MS", "1500", "OPOP_RETRY_AFTER_S", "2", NULL};
  static const char *const bad[] = {"OPOP_DB_CONNECT_TIMEOUT_S", "1", NULL};
  assert_int_equal(load(env, &cfg, err), 0);
  assert_int_equal(cfg.db_statement_timeout_ms, 1500);
  assert_int_equal(cfg.retry_after_s, 2);
  config_clear(&cfg);
  assert_int_equal(load(bad, &cfg, err), -1);
  assert_non_null(strstr(err, "OPOP_DB_CONNECT_TIMEOUT_S"));
}

static void values(void **state) {
  struct config cfg;
  char err[256];
  static const char *const env[] = {"OPOP_PORT",
                                    "9000",
                                    "OPOP_TOKEN_TTL",
                                    "90m",
                                    "OPOP_DB_POOL_SIZE",
                                    "3",
                                    "OPOP_CORS_ORIGINS",
                                    "https://a.example, https://b.example",
                                    NULL};
  assert_int_equal(load(env, &cfg, err), 0);
  assert_int_equal(cfg.port, 9000);
  assert_int_equal(cfg.token_ttl_s, 5400);
  assert_int_equal(cfg.db_pool_size, 3);
  assert_true(config_origin_allowed(&cfg, "https://b.example"));
  assert_false(config_origin_allowed(&cfg, "https://c.example"));
  assert_false(config_origin_allowed(&cfg, "https://a.exampl"));
  config_clear(&cfg);
}

static void names_the_bad_variable(void **state) {
  static const struct {
    const char *name, *value;
  } bad[] = {{"OPOP_PORT", "80a"},       {"OPOP_PORT", "70000"},
             {"OPOP_DB_POOL_SIZE", "0"}, {"OPOP_TOKEN_TTL", "12x"},
             {"OPOP_TOKEN_TTL", "-5"},   {"OPOP_LOG_LEVEL", "loud"},
             {"OPOP_BIND", "localhost"}, {"OPOP_BOOTSTRAP_ADMIN_EMAIL", "a@b.id"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct config cfg;
    char err[256];
    const char *env[] = {bad[i].name, bad[i].value, NULL};
    assert_int_equal(load(env, &cfg, err), -1);
    if (strstr(err, bad[i].name) == NULL && strstr(err, "OPOP_BOOTSTRAP_ADMIN_PASSWORD") == NULL)
      fail_msg("error '%s' does not name %s", err, bad[i].name);
  }
}

static void security_settings(void **state) {
  struct config cfg;
  char err[256];
  static const char *const short_key[] = {"OPOP_BOOTSTRAP_API_KEY", "0123456789abcdef0123456789abcde", NULL};
  assert_int_equal(load(short_key, &cfg, err), -1);
  assert_non_null(strstr(err, "OPOP_BOOTSTRAP_API_KEY"));
  static const char *const bad_proxies[] = {"OPOP_TRUSTED_PROXIES", "10.0.0.1, proxy.local", NULL};
  assert_int_equal(load(bad_proxies, &cfg, err), -1);
  assert_non_null(strstr(err, "OPOP_TRUSTED_PROXIES"));
  static const char *const good[] = {"OPOP_BOOTSTRAP_API_KEY", "0123456789abcdef0123456789abcdef",
                                     "OPOP_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,::1", NULL};
  assert_int_equal(load(good, &cfg, err), 0);
  assert_int_equal(cfg.trusted_proxies_n, 3);
  assert_int_equal(cfg.login_address_max_failures, 50);
  config_forget_bootstrap(&cfg);
  assert_null(cfg.bootstrap_api_key);
  config_clear(&cfg);
}

/* A mistyped address used to pass and then listen on every interface. */
static void bind_is_exactly_an_address(void **state) {
  static const char *const bad[] = {" 10.0.0.1", "10.0.0.1 ", "127.0.0.01", "256.1.1.1", "1.2.3",    "0x7f.0.0.1",
                                    "::1 ",      "[::1]",     "::g",        "",          "localhost"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct config cfg;
    char err[256];
    const char *env[] = {"OPOP_BIND", bad[i], NULL};
    if (*bad[i] == '\0')
      continue; /* empty means the default */
    assert_int_equal(load(env, &cfg, err), -1);
    assert_non_null(strstr(err, "OPOP_BIND"));
    assert_int_equal(config_bind_family(bad[i]), 0);
  }
}

static void bind_ipv4_and_ipv6(void **state) {
  struct config cfg;
  char err[256];
  static const char *const v6[] = {"OPOP_BIND", "::1", NULL};
  static const char *const v4[] = {"OPOP_BIND", "10.0.0.1", NULL};
  assert_int_equal(load(v6, &cfg, err), 0);
  assert_int_equal(cfg.bind_family, AF_INET6);
  assert_string_equal(cfg.bind, "::1");
  config_clear(&cfg);
  assert_int_equal(load(v4, &cfg, err), 0);
  assert_int_equal(cfg.bind_family, AF_INET);
  config_clear(&cfg);
  assert_int_equal(config_bind_family("fe80::1"), AF_INET6);
  assert_int_equal(config_bind_family("0.0.0.0"), AF_INET);
}

/* Migrations run as the schema owner when one is given, else as the service. */
static void migrate_url(void **state) {
  struct config cfg;
  char err[256];
  static const char *const one[] = {"OPOP_DATABASE_URL", "dbname=a user=app", NULL};
  static const char *const two[] = {"OPOP_DATABASE_URL", "dbname=a user=app", "OPOP_MIGRATE_DATABASE_URL",
                                    "dbname=a user=owner", NULL};
  assert_int_equal(load(one, &cfg, err), 0);
  assert_string_equal(config_migrate_url(&cfg), "dbname=a user=app");
  config_clear(&cfg);
  assert_int_equal(load(two, &cfg, err), 0);
  assert_string_equal(config_migrate_url(&cfg), "dbname=a user=owner");
  assert_string_equal(cfg.database_url, "dbname=a user=app");
  config_clear(&cfg);
}

/* The renderer of /docs is looked for beside the binary unless a folder is named. */
static void docs_dir(void **state) {
  struct config cfg;
  char err[256];
  static const char *const none[] = {NULL};
  static const char *const named[] = {"OPOP_DOCS_DIR", "/srv/opop/docs", NULL};
  assert_int_equal(load(none, &cfg, err), 0);
  const char *at = strstr(cfg.docs_dir, "/test_config");
  assert_null(at);
  assert_string_equal(cfg.docs_dir + strlen(cfg.docs_dir) - 5, "/docs");
  config_clear(&cfg);
  assert_int_equal(load(named, &cfg, err), 0);
  assert_string_equal(cfg.docs_dir, "/srv/opop/docs");
  config_clear(&cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bind_is_exactly_an_address),
      cmocka_unit_test(bind_ipv4_and_ipv6),
      cmocka_unit_test(migrate_url),
      cmocka_unit_test(defaults),
      cmocka_unit_test(database_limits),
      cmocka_unit_test(values),
      cmocka_unit_test(names_the_bad_variable),
      cmocka_unit_test(security_settings),
      cmocka_unit_test(docs_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
