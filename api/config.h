#ifndef OPOP_CONFIG_H
#define OPOP_CONFIG_H

#include <stddef.h>

#include "netaddr.h"

/* Runtime settings, read once from OPOP_* environment variables. Strings are
 * owned by the struct and released by config_clear(). */
struct config {
  int port;
  char *bind;                 /* IPv4 or IPv6 address to listen on */
  int bind_family;            /* AF_INET or AF_INET6: what bind is */
  char *database_url;         /* libpq connection string or URI */
  char *migrate_database_url; /* the schema owner's, for migrations; NULL: database_url */
  int db_pool_size;
  int db_write_pool_size; /* connections for requests that change data */
  int http_threads;       /* 0: thread per connection; N: epoll pool of N */
  int max_connections;
  int request_timeout_s; /* idle connection timeout */
  int log_level;         /* yder level */
  char *cors_origins;    /* comma-separated; "*" allows any */
  long token_ttl_s;
  char *bootstrap_email;
  char *bootstrap_password;
  char *bootstrap_api_key;
  int login_max_failures;                /* failures before the account locks */
  int login_lock_s;                      /* how long it stays locked */
  char *database_read_url;               /* a streaming replica for reports; NULL: none */
  int read_max_lag_s;                    /* replay lag beyond which reads go to the primary */
  int drain_s;                           /* seconds /readyz answers 503 before a stop */
  int login_address_max_failures;        /* failures from one address before it is slowed down */
  struct netaddr_range *trusted_proxies; /* whose X-Forwarded-For is believed */
  size_t trusted_proxies_n;
  int prune_interval_s;          /* how often expired throttle and idempotency rows are deleted */
  int changes_retention_days;    /* change feed history kept */
  int log_json;                  /* 1: one JSON object per log line */
  int webhook_allow_private;     /* http and private or loopback targets allowed (tests, closed networks) */
  int webhook_timeout_s;         /* an attempt's whole time limit */
  long webhook_retry_window_s;   /* failing this long deactivates an endpoint */
  unsigned char webhook_key[32]; /* seals stored signing secrets when webhook_key_set */
  int webhook_key_set;
  int request_deadline_s; /* most time a request may take to arrive in full */
  int max_per_address;    /* connections from one address; 0: no limit */
  int drain_ms;           /* on SIGTERM, /readyz is 503 this long before stopping */
  char *tls_cert;         /* PEM file: serve HTTPS when set with tls_key */
  char *tls_key;
  int db_acquire_timeout_ms;   /* longest wait for a pooled connection before a 503 */
  int db_statement_timeout_ms; /* a statement running longer is cancelled */
  int db_idle_tx_timeout_ms;   /* a transaction left idle longer is ended */
  int db_connect_timeout_s;    /* default when the database URL names none */
  int retry_after_s;           /* Retry-After on 503 answers */
  char *docs_dir;              /* the OpenAPI renderer's files for /docs */
};

/* Reads the environment through getenv_fn (getenv in production, a fake in
 * tests). Returns 0, or -1 with a one-line message naming the variable in err. */
int config_load(struct config *cfg, const char *(*getenv_fn)(const char *name), char *err, size_t errlen);
void config_clear(struct config *cfg);
/* Wipes the bootstrap password and API key from memory once they are used. */
void config_forget_bootstrap(struct config *cfg);

/* AF_INET or AF_INET6 when text is exactly an address of that family (as
 * inet_pton reads it: no spaces, no leading zeros), else 0. */
int config_bind_family(const char *text);

/* Where migrations run: OPOP_MIGRATE_DATABASE_URL, else OPOP_DATABASE_URL. Borrowed. */
const char *config_migrate_url(const struct config *cfg);

/* 1 when origin is allowed by cfg->cors_origins. */
int config_origin_allowed(const struct config *cfg, const char *origin);

#endif
