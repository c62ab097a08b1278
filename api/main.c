/* opop-api: serve (default), migrate, user create, --help, --version. */
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yder.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "maintenance.h"
#include "metrics.h"
#include "migrate.h"
#include "prune.h"
#include "pwgate.h"
#include "replica.h"
#include "repo_auth.h"
#include "repo_idem.h"
#include "repo_regions.h"
#include "router.h"
#include "rules.h"
#include "server.h"
#include "validate.h"
#include "webhook_worker.h"

static const char usage[] =
    "usage: opop-api [serve]                 serve the API (migrating first)\n"
    "       opop-api migrate                 apply pending migrations and exit\n"
    "       opop-api user create --email E --name N --role R\n"
    "                                        create a user; the password is read from standard input\n"
    "       opop-api --help | --version\n"
    "configuration comes from OPOP_* environment variables (see README.md)\n";

static const char *env(const char *name) {
  return getenv(name);
}

static int setup(struct config *cfg) {
  char err[256];
  if (config_load(cfg, env, err, sizeof err) != 0) {
    log_fatal("%s", err);
    return -1;
  }
  log_open(cfg);
  if (sodium_init() < 0) {
    log_fatal("libsodium cannot start");
    return -1;
  }
  return 0;
}

/* Runs one statement-level step against a single pooled connection. */
static int with_conn(struct db_pool *pool, int wait_ms, int (*step)(struct db_conn *conn, void *arg), void *arg) {
  struct db_conn *conn = db_pool_acquire(pool, wait_ms);
  int rc = conn ? step(conn, arg) : -1;
  db_pool_release(pool, conn);
  return rc;
}

struct new_user {
  const char *email, *name, *role;
  char hash[crypto_pwhash_STRBYTES];
};

static int bootstrap_admin_step(struct db_conn *conn, void *arg) {
  struct new_user *u = arg;
  enum dbq q = repo_auth_bootstrap_admin(conn, u->email, u->name, u->hash);
  if (q < 0) {
    y_log_message(Y_LOG_LEVEL_ERROR, "bootstrap admin %s: %s", u->email, db_last_error(conn)->message);
    return -1;
  }
  if (q == DBQ_ONE)
    y_log_message(Y_LOG_LEVEL_INFO, "bootstrap admin %s created", u->email);
  return 0;
}

static int bootstrap_key_step(struct db_conn *conn, void *arg) {
  const char *key = arg;
  char hash[65], prefix[KEY_PREFIX_LEN + 1];
  auth_secret_hash(key, hash);
  auth_key_prefix(key, prefix);
  return repo_auth_bootstrap_key(conn, hash, prefix) < 0 ? -1 : 0;
}

static int bootstrap_with_secrets(struct app *app) {
  const struct config *cfg = &app->cfg;
  if (cfg->bootstrap_email) {
    struct new_user u = {cfg->bootstrap_email, "Administrator", "admin", {0}};
    if (!valid_email(cfg->bootstrap_email)) {
      log_fatal("configuration: OPOP_BOOTSTRAP_ADMIN_EMAIL must be an email address");
      return -1;
    }
    if (auth_password_hash(cfg->bootstrap_password, u.hash) != 0 ||
        with_conn(app->pool, app->cfg.db_acquire_timeout_ms, bootstrap_admin_step, &u))
      return -1;
  }
  if (cfg->bootstrap_api_key &&
      with_conn(app->pool, app->cfg.db_acquire_timeout_ms, bootstrap_key_step, cfg->bootstrap_api_key) != 0)
    return -1;
  return 0;
}

static int idempotency_key_step(struct db_conn *conn, void *arg) {
  struct app *app = arg;
  json_t *row = NULL;
  const char *hex;
  int rc = -1;
  if (repo_idem_secret(conn, &row) == DBQ_ONE && (hex = json_string_value(json_object_get(row, "key"))) != NULL)
    rc = sodium_hex2bin(app->idempotency_key, sizeof app->idempotency_key, hex, strlen(hex), NULL, NULL, NULL);
  if (rc != 0)
    y_log_message(Y_LOG_LEVEL_ERROR, "the installation's idempotency secret cannot be read");
  json_decref(row);
  return rc;
}

/* The region codes' rule lives in api/rules.c; the table must agree with it. */
static int regions_step(struct db_conn *conn, void *arg) {
  json_t *regions = NULL;
  char why[160] = "the regions table cannot be read";
  int rc = repo_regions_list(conn, &regions) == DBQ_ONE ? rules_regions_agree(regions, why, sizeof why) : -1;
  (void)arg;
  if (rc != 0)
    log_fatal("%s", why);
  json_decref(regions);
  return rc;
}

/* The bootstrap secrets are wiped from memory once used, whatever happened. */
static int bootstrap(struct app *app) {
  int rc = bootstrap_with_secrets(app);
  if (rc == 0)
    rc = with_conn(app->pool, app->cfg.db_acquire_timeout_ms, idempotency_key_step, app);
  if (rc == 0)
    rc = with_conn(app->pool, app->cfg.db_acquire_timeout_ms, regions_step, NULL);
  config_forget_bootstrap(&app->cfg);
  return rc;
}

/* One argon2id hash per core at a time, whatever the HTTP thread count, and
 * a short queue so that a few sign-ins at once are all served. */
static struct pw_gate *password_gate(const struct config *cfg) {
  (void)cfg;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int slots = cores > 0 ? (int)cores : 1;
  return pw_gate_new(slots, 4 * slots);
}

static int wait_for_signal(void) {
  sigset_t set;
  int sig = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigwait(&set, &sig);
  return sig;
}

static int cmd_serve(void) {
  struct app app = {0};
  struct pruner *pruner = NULL;
  struct maintenance *maint = NULL;
  struct webhook_worker *webhooks = NULL;
  int rc = 1;
  sigset_t set;
  /* Block the stop signals in every thread; main waits for them with sigwait. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (setup(&app.cfg) != 0)
    return 2;
  if (db_migrate(config_migrate_url(&app.cfg)) < 0) {
    log_fatal(app.cfg.migrate_database_url
                  ? "migrations failed; is the database at OPOP_MIGRATE_DATABASE_URL reachable and unchanged?"
                  : "migrations failed; is the database at OPOP_DATABASE_URL reachable and unchanged?");
    goto out_config;
  }
  struct db_limits limits = app_db_limits(&app.cfg);
  app.pool = db_pool_new_limited(app.cfg.database_url, app.cfg.db_pool_size, &limits);
  app.write_pool = db_pool_new_limited(app.cfg.database_url, app.cfg.db_write_pool_size, &limits);
  app.metrics = metrics_new(routes_count);
  if (app.cfg.database_read_url)
    app.replica = db_replica_new(app.cfg.database_url, app.cfg.database_read_url, app.cfg.db_pool_size,
                                 app.cfg.read_max_lag_s, &limits);
  app.pw_gate = password_gate(&app.cfg);
  if (app.pool == NULL || app.write_pool == NULL || app.metrics == NULL ||
      (app.cfg.database_read_url && app.replica == NULL) || app.pw_gate == NULL || bootstrap(&app) != 0)
    goto out_pool;
  pruner = pruner_start(app.pool, app.cfg.prune_interval_s, app.cfg.login_lock_s, app.cfg.db_acquire_timeout_ms);
  if ((webhooks = webhook_worker_start(&app.cfg)) == NULL) {
    log_fatal("the webhook deliverer cannot start");
    goto out_pool;
  }
  if ((maint = maintenance_start(&app)) == NULL || server_start(&app) != 0)
    goto out_pool;
  char bound[80] = "an unknown address";
  server_bound(&app, bound, sizeof bound);
  y_log_message(Y_LOG_LEVEL_INFO, "serving on http://%s (%s)", bound,
                app.cfg.http_threads > 0 ? "epoll thread pool" : "thread per connection");
  int sig = wait_for_signal();
  y_log_message(Y_LOG_LEVEL_INFO, "signal %d: stopping", sig);
  __atomic_store_n(&app.draining, 1, __ATOMIC_SEQ_CST);
  if (app.cfg.drain_s > 0)
    sleep((unsigned)app.cfg.drain_s); /* long enough for a load balancer's health checks to see /readyz fail */
  server_stop(&app, 8);
  rc = 0;
out_pool:
  webhook_worker_stop(webhooks);
  maintenance_stop(maint);
  pruner_stop(pruner);
  pw_gate_free(app.pw_gate);
  metrics_free(app.metrics);
  db_replica_free(app.replica);
  db_pool_free(app.write_pool);
  db_pool_free(app.pool);
out_config:
  log_close();
  config_clear(&app.cfg);
  return rc;
}

static int cmd_migrate(void) {
  struct config cfg;
  if (setup(&cfg) != 0)
    return 2;
  int n = db_migrate(config_migrate_url(&cfg));
  if (n >= 0)
    printf("%d migration(s) applied\n", n);
  log_close();
  config_clear(&cfg);
  return n < 0 ? 1 : 0;
}

static int read_password(char *buf, size_t len) {
  if (fgets(buf, (int)len, stdin) == NULL)
    return -1;
  buf[strcspn(buf, "\r\n")] = '\0';
  return strlen(buf) >= 8 ? 0 : -1;
}

static int parse_user_args(int argc, char **argv, struct new_user *u) {
  for (int i = 3; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--email") == 0)
      u->email = argv[i + 1];
    else if (strcmp(argv[i], "--name") == 0)
      u->name = argv[i + 1];
    else if (strcmp(argv[i], "--role") == 0)
      u->role = argv[i + 1];
    else
      return -1;
  }
  return u->email && u->name && u->role && (argc - 3) % 2 == 0 ? 0 : -1;
}

static int cmd_user_create(int argc, char **argv) {
  struct new_user u = {0};
  struct config cfg;
  char password[1024];
  int rc = 1;
  if (parse_user_args(argc, argv, &u) != 0 || strcmp(u.role, "admin") != 0 || !valid_email(u.email)) {
    fprintf(stderr, "opop-api: user create needs --email (an address) --name and --role admin "
                    "(other roles are created through POST /v1/users)\n");
    return 2;
  }
  if (read_password(password, sizeof password) != 0) {
    fprintf(stderr, "opop-api: give a password of at least 8 characters on standard input\n");
    return 2;
  }
  if (setup(&cfg) != 0)
    return 2;
  struct db_pool *pool = NULL;
  if (db_migrate(config_migrate_url(&cfg)) < 0 || auth_password_hash(password, u.hash) != 0)
    goto out;
  pool = db_pool_new(cfg.database_url, 1);
  if (pool && with_conn(pool, cfg.db_acquire_timeout_ms, bootstrap_admin_step, &u) == 0) {
    printf("user %s ready\n", u.email);
    rc = 0;
  }
out:
  sodium_memzero(password, sizeof password);
  db_pool_free(pool);
  log_close();
  config_clear(&cfg);
  return rc;
}

/* glibc gives each busy thread its own heap arena (up to 8 per core); with 16
 * HTTP threads and the hashing workers, freed memory stays spread over them
 * and the resting size creeps up: over a 10-minute soak the floor grew 35 %
 * with the default and 7 % with two arenas (tests/faults/soak.sh). An
 * operator's MALLOC_ARENA_MAX still wins. */
static void limit_heap_arenas(void) {
  if (getenv("MALLOC_ARENA_MAX") == NULL)
    mallopt(M_ARENA_MAX, 2);
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "serve";
  limit_heap_arenas();
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("opop-api %s\n", OPOP_VERSION);
    return 0;
  }
  if (strcmp(cmd, "serve") == 0)
    return cmd_serve();
  if (strcmp(cmd, "migrate") == 0)
    return cmd_migrate();
  if (strcmp(cmd, "user") == 0 && argc > 2 && strcmp(argv[2], "create") == 0)
    return cmd_user_create(argc, argv);
  fputs(usage, stderr);
  return 2;
}
