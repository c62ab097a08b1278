#ifndef OPOP_CONFIG_H
#define OPOP_CONFIG_H

#include <stddef.h>

/* Runtime settings, read once from OPOP_* environment variables. Strings are
 * owned by the struct and released by config_clear(). */
struct config {
  int port;
  char *bind;         /* IPv4 address to listen on */
  char *database_url; /* libpq connection string or URI */
  int db_pool_size;
  int http_threads; /* 0: thread per connection; N: epoll pool of N */
  int max_connections;
  int request_timeout_s; /* idle connection timeout */
  int log_level;         /* yder level */
  char *cors_origins;    /* comma-separated; "*" allows any */
  long token_ttl_s;
  char *bootstrap_email;
  char *bootstrap_password;
  char *bootstrap_api_key;
  int login_max_failures; /* failures before the account locks */
  int login_lock_s;       /* how long it stays locked */
  int request_deadline_s; /* most time a request may take to arrive in full */
  int max_per_address;    /* connections from one address; 0: no limit */
  int drain_ms;           /* on SIGTERM, /readyz is 503 this long before stopping */
  char *tls_cert;         /* PEM file: serve HTTPS when set with tls_key */
  char *tls_key;
};

/* Reads the environment through getenv_fn (getenv in production, a fake in
 * tests). Returns 0, or -1 with a one-line message naming the variable in err. */
int config_load(struct config *cfg, const char *(*getenv_fn)(const char *name), char *err, size_t errlen);
void config_clear(struct config *cfg);

/* 1 when origin is allowed by cfg->cors_origins. */
int config_origin_allowed(const struct config *cfg, const char *origin);

#endif
