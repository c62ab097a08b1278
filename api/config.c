#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yder.h>

static int parse_long(const char *text, long min, long max, long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* Duration: plain seconds, or a number with s, m, h or d. */
static int parse_duration(const char *text, long *out) {
  size_t n = strlen(text);
  long unit = 1;
  char buf[32];
  if (n == 0 || n >= sizeof buf)
    return -1;
  memcpy(buf, text, n + 1);
  switch (buf[n - 1]) {
  case 's':
    unit = 1;
    buf[n - 1] = '\0';
    break;
  case 'm':
    unit = 60;
    buf[n - 1] = '\0';
    break;
  case 'h':
    unit = 3600;
    buf[n - 1] = '\0';
    break;
  case 'd':
    unit = 86400;
    buf[n - 1] = '\0';
    break;
  default:
    break;
  }
  long v = 0;
  if (parse_long(buf, 1, LONG_MAX / 86400, &v) != 0)
    return -1;
  *out = v * unit;
  return 0;
}

static int parse_level(const char *text, int *out) {
  static const struct {
    const char *name;
    int level;
  } levels[] = {
      {"none", Y_LOG_LEVEL_NONE},    {"error", Y_LOG_LEVEL_ERROR}, {"warning", Y_LOG_LEVEL_WARNING},
      {"warn", Y_LOG_LEVEL_WARNING}, {"info", Y_LOG_LEVEL_INFO},   {"debug", Y_LOG_LEVEL_DEBUG},
  };
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
    if (strcasecmp(text, levels[i].name) == 0) {
      *out = levels[i].level;
      return 0;
    }
  }
  return -1;
}

int config_bind_family(const char *text) {
  unsigned char addr[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, text, addr) == 1)
    return AF_INET;
  if (inet_pton(AF_INET6, text, addr) == 1)
    return AF_INET6;
  return 0;
}

struct int_setting {
  const char *name;
  long min, max;
  int *target;
};

/* name in the folder of the running binary, so a build or an unpacked
 * release finds its files without a setting. */
static char *beside_binary(const char *name) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return strdup(name);
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  size_t dir = slash ? (size_t)(slash - exe) : 0;
  size_t len = dir + 1 + strlen(name) + 1;
  char *out = malloc(len);
  if (out)
    snprintf(out, len, "%.*s/%s", (int)dir, exe, name);
  return out;
}

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static int fail(char *err, size_t errlen, const char *name, const char *why) {
  snprintf(err, errlen, "configuration: %s %s", name, why);
  return -1;
}

static int load_ints(struct config *cfg, const char *(*get)(const char *), char *err, size_t errlen) {
  const struct int_setting ints[] = {
      {"OPOP_PORT", 0, 65535, &cfg->port},
      {"OPOP_DB_POOL_SIZE", 1, 200, &cfg->db_pool_size},
      {"OPOP_DB_WRITE_POOL_SIZE", 1, 200, &cfg->db_write_pool_size},
      {"OPOP_HTTP_THREADS", 0, 256, &cfg->http_threads},
      {"OPOP_MAX_CONNECTIONS", 1, 100000, &cfg->max_connections},
      {"OPOP_REQUEST_TIMEOUT", 1, 3600, &cfg->request_timeout_s},
      {"OPOP_LOGIN_MAX_FAILURES", 1, 1000, &cfg->login_max_failures},
      {"OPOP_LOGIN_LOCK_SECONDS", 1, 86400, &cfg->login_lock_s},
      {"OPOP_READ_MAX_LAG", 1, 3600, &cfg->read_max_lag_s},
      {"OPOP_DRAIN_SECONDS", 0, 300, &cfg->drain_s},
      {"OPOP_LOGIN_ADDRESS_MAX_FAILURES", 1, 100000, &cfg->login_address_max_failures},
      {"OPOP_PRUNE_INTERVAL", 1, 86400, &cfg->prune_interval_s},
      {"OPOP_CHANGES_RETENTION_DAYS", 1, 36500, &cfg->changes_retention_days},
      {"OPOP_WEBHOOK_TIMEOUT", 1, 60, &cfg->webhook_timeout_s},
      {"OPOP_REQUEST_DEADLINE", 1, 3600, &cfg->request_deadline_s},
      {"OPOP_MAX_CONNECTIONS_PER_ADDRESS", 0, 100000, &cfg->max_per_address},
      {"OPOP_SHUTDOWN_DRAIN_MS", 0, 5000, &cfg->drain_ms},
      {"OPOP_DB_ACQUIRE_TIMEOUT_MS", 1, 600000, &cfg->db_acquire_timeout_ms},
      {"OPOP_DB_STATEMENT_TIMEOUT_MS", 0, 86400000, &cfg->db_statement_timeout_ms},
      {"OPOP_DB_IDLE_TX_TIMEOUT_MS", 0, 86400000, &cfg->db_idle_tx_timeout_ms},
      {"OPOP_DB_CONNECT_TIMEOUT_S", 2, 3600, &cfg->db_connect_timeout_s},
      {"OPOP_RETRY_AFTER_S", 1, 3600, &cfg->retry_after_s},
  };
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    const char *v = get(ints[i].name);
    long n = 0;
    if (v == NULL || *v == '\0')
      continue;
    if (parse_long(v, ints[i].min, ints[i].max, &n) != 0) {
      char why[96];
      snprintf(why, sizeof why, "must be an integer from %ld to %ld", ints[i].min, ints[i].max);
      return fail(err, errlen, ints[i].name, why);
    }
    *ints[i].target = (int)n;
  }
  return 0;
}

static int load_webhook_settings(struct config *cfg, const char *(*get)(const char *), char *err, size_t errlen) {
  const char *v = get("OPOP_WEBHOOK_ALLOW_PRIVATE");
  if (v && *v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
    return fail(err, errlen, "OPOP_WEBHOOK_ALLOW_PRIVATE", "must be true or false");
  cfg->webhook_allow_private = v && strcmp(v, "true") == 0;
  v = get("OPOP_WEBHOOK_RETRY_WINDOW");
  if (v && *v && parse_duration(v, &cfg->webhook_retry_window_s) != 0)
    return fail(err, errlen, "OPOP_WEBHOOK_RETRY_WINDOW", "must be a positive duration such as 86400, 90m or 24h");
  v = get("OPOP_WEBHOOK_SECRET_KEY");
  size_t n = 0;
  if (v && *v) {
    if (sodium_base642bin(cfg->webhook_key, sizeof cfg->webhook_key, v, strlen(v), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != sizeof cfg->webhook_key)
      return fail(err, errlen, "OPOP_WEBHOOK_SECRET_KEY", "must be 32 bytes in base64 (openssl rand -base64 32)");
    cfg->webhook_key_set = 1;
  }
  return 0;
}

/* TLS needs both files, readable now, so a typo stops the start instead of
 * the first handshake. */
static int load_tls(struct config *cfg, const char *(*get)(const char *), char *err, size_t errlen) {
  const char *cert = get("OPOP_TLS_CERT"), *key = get("OPOP_TLS_KEY");
  int has_cert = cert && *cert, has_key = key && *key;
  if (has_cert != has_key)
    return fail(err, errlen, has_cert ? "OPOP_TLS_KEY" : "OPOP_TLS_CERT", "must be set together with its pair");
  if (!has_cert)
    return 0;
  if (access(cert, R_OK) != 0)
    return fail(err, errlen, "OPOP_TLS_CERT", "must name a readable PEM file");
  if (access(key, R_OK) != 0)
    return fail(err, errlen, "OPOP_TLS_KEY", "must name a readable PEM file");
  cfg->tls_cert = strdup(cert);
  cfg->tls_key = strdup(key);
  return 0;
}

/* The same as db/'s DB_LIMITS_DEFAULT, so an unset environment keeps them. */
static void set_db_defaults(struct config *cfg) {
  cfg->db_acquire_timeout_ms = 5000;
  cfg->db_statement_timeout_ms = 30000;
  cfg->db_idle_tx_timeout_ms = 60000;
  cfg->db_connect_timeout_s = 5;
  cfg->retry_after_s = 5;
}

int config_load(struct config *cfg, const char *(*get)(const char *), char *err, size_t errlen) {
  const char *v;
  memset(cfg, 0, sizeof *cfg);
  cfg->port = 8080;
  /* Measured with tests/bench/run.sh on 2 cores: PostgreSQL serves best with
   * few busy connections (2 and 8 were slower than 4), and an epoll pool of
   * 16 served about 15 % more reads than a thread per connection. Passwords
   * are hashed on workers of their own while the connection is suspended, so
   * a sign-in rush does not hold up a pool thread's other connections
   * (tests/bench/signin_rush.sh); the memory of simultaneous sign-ins is
   * bounded by the hashing gate (one per core). */
  cfg->db_pool_size = 4;
  /* A write spends most of its time waiting for its commit to reach the
   * disk, using no CPU: writes get their own connections, as many as request
   * threads, so their commits are flushed together (one fsync for many)
   * instead of four at a time. */
  cfg->db_write_pool_size = 16;
  cfg->http_threads = 16;
  cfg->max_connections = 1024;
  cfg->request_timeout_s = 60;
  cfg->log_level = Y_LOG_LEVEL_INFO;
  cfg->token_ttl_s = 12 * 3600;
  cfg->login_max_failures = 5;
  cfg->login_lock_s = 900;
  cfg->read_max_lag_s = 5;
  cfg->login_address_max_failures = 50;
  cfg->prune_interval_s = 300;
  cfg->changes_retention_days = 400;
  cfg->webhook_timeout_s = 10;
  cfg->webhook_retry_window_s = 24 * 3600;
  cfg->request_deadline_s = 30;
  cfg->drain_ms = 1000;
  set_db_defaults(cfg);
  if (load_ints(cfg, get, err, errlen) != 0)
    goto fail;
  v = get("OPOP_BIND");
  cfg->bind = strdup(v && *v ? v : "127.0.0.1");
  if ((cfg->bind_family = config_bind_family(cfg->bind)) == 0) {
    fail(err, errlen, "OPOP_BIND", "must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1");
    goto fail;
  }
  v = get("OPOP_DATABASE_URL");
  cfg->database_url = strdup(v && *v ? v : "dbname=opop");
  v = get("OPOP_DATABASE_READ_URL");
  cfg->database_read_url = dup_or_null(v && *v ? v : NULL);
  v = get("OPOP_MIGRATE_DATABASE_URL");
  cfg->migrate_database_url = dup_or_null(v && *v ? v : NULL);
  v = get("OPOP_LOG_LEVEL");
  if (v && *v && parse_level(v, &cfg->log_level) != 0) {
    fail(err, errlen, "OPOP_LOG_LEVEL", "must be one of none, error, warning, info, debug");
    goto fail;
  }
  v = get("OPOP_LOG_FORMAT");
  if (v && *v && strcmp(v, "text") != 0 && strcmp(v, "json") != 0) {
    fail(err, errlen, "OPOP_LOG_FORMAT", "must be text or json");
    goto fail;
  }
  cfg->log_json = v && strcmp(v, "json") == 0;
  v = get("OPOP_TOKEN_TTL");
  if (v && *v && parse_duration(v, &cfg->token_ttl_s) != 0) {
    fail(err, errlen, "OPOP_TOKEN_TTL", "must be a positive duration such as 43200, 90m or 12h");
    goto fail;
  }
  v = get("OPOP_CORS_ORIGINS");
  cfg->cors_origins = dup_or_null(v && *v ? v : NULL);
  v = get("OPOP_DOCS_DIR");
  cfg->docs_dir = v && *v ? strdup(v) : beside_binary("docs");
  cfg->bootstrap_email = dup_or_null(get("OPOP_BOOTSTRAP_ADMIN_EMAIL"));
  cfg->bootstrap_password = dup_or_null(get("OPOP_BOOTSTRAP_ADMIN_PASSWORD"));
  if ((cfg->bootstrap_email == NULL) != (cfg->bootstrap_password == NULL)) {
    fail(err, errlen, cfg->bootstrap_email ? "OPOP_BOOTSTRAP_ADMIN_PASSWORD" : "OPOP_BOOTSTRAP_ADMIN_EMAIL",
         "must be set together with its pair");
    goto fail;
  }
  if (cfg->bootstrap_password && strlen(cfg->bootstrap_password) < 8) {
    fail(err, errlen, "OPOP_BOOTSTRAP_ADMIN_PASSWORD", "must have at least 8 characters");
    goto fail;
  }
  v = get("OPOP_BOOTSTRAP_API_KEY");
  if (v && *v && strlen(v) < 32) {
    fail(err, errlen, "OPOP_BOOTSTRAP_API_KEY", "must have at least 32 characters");
    goto fail;
  }
  cfg->bootstrap_api_key = dup_or_null(v && *v ? v : NULL);
  v = get("OPOP_TRUSTED_PROXIES");
  if (v && *v && netaddr_parse_list(v, &cfg->trusted_proxies, &cfg->trusted_proxies_n) != 0) {
    fail(err, errlen, "OPOP_TRUSTED_PROXIES", "must list IP addresses or CIDR ranges, separated by commas");
    goto fail;
  }
  if (load_webhook_settings(cfg, get, err, errlen) != 0 || load_tls(cfg, get, err, errlen) != 0)
    goto fail;
  return 0;
fail:
  config_clear(cfg);
  return -1;
}

static void free_secret(char **secret) {
  if (*secret)
    sodium_memzero(*secret, strlen(*secret));
  free(*secret);
  *secret = NULL;
}

void config_forget_bootstrap(struct config *cfg) {
  free_secret(&cfg->bootstrap_password);
  free_secret(&cfg->bootstrap_api_key);
}

void config_clear(struct config *cfg) {
  if (cfg == NULL)
    return;
  free(cfg->bind);
  free(cfg->database_url);
  free(cfg->database_read_url);
  free(cfg->migrate_database_url);
  free(cfg->cors_origins);
  free(cfg->bootstrap_email);
  config_forget_bootstrap(cfg);
  free(cfg->trusted_proxies);
  free(cfg->tls_cert);
  free(cfg->tls_key);
  free(cfg->docs_dir);
  memset(cfg, 0, sizeof *cfg);
}

const char *config_migrate_url(const struct config *cfg) {
  return cfg->migrate_database_url ? cfg->migrate_database_url : cfg->database_url;
}

int config_origin_allowed(const struct config *cfg, const char *origin) {
  const char *list = cfg->cors_origins;
  size_t olen;
  if (list == NULL || origin == NULL)
    return 0;
  olen = strlen(origin);
  while (*list) {
    while (*list == ' ' || *list == ',')
      list++;
    const char *end = list;
    while (*end && *end != ',')
      end++;
    const char *last = end;
    while (last > list && last[-1] == ' ')
      last--;
    size_t n = (size_t)(last - list);
    if ((n == 1 && *list == '*') || (n == olen && strncmp(list, origin, n) == 0))
      return 1;
    list = end;
  }
  return 0;
}
