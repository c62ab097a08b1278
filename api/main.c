/* opop-api: serve (default), migrate, user create, --help, --version. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yder.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "metrics.h"
#include "migrate.h"
#include "repo_auth.h"
#include "router.h"
#include "server.h"
#include "validate.h"

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
    fprintf(stderr, "opop-api: %s\n", err);
    return -1;
  }
  y_init_logs("opop-api", Y_LOG_MODE_CONSOLE, (unsigned long)cfg->log_level, NULL, "opop-api starting");
  if (sodium_init() < 0) {
    fprintf(stderr, "opop-api: libsodium cannot start\n");
    return -1;
  }
  return 0;
}

/* Runs one statement-level step against a single pooled connection. */
static int with_conn(struct db_pool *pool, int (*step)(struct db_conn *conn, void *arg), void *arg) {
  struct db_conn *conn = db_pool_acquire(pool, 5000);
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
  char hash[65], prefix[13];
  auth_secret_hash(key, hash);
  memcpy(prefix, key, sizeof prefix - 1);
  prefix[sizeof prefix - 1] = '\0';
  return repo_auth_bootstrap_key(conn, hash, prefix) < 0 ? -1 : 0;
}

static int bootstrap(struct app *app) {
  const struct config *cfg = &app->cfg;
  if (cfg->bootstrap_email) {
    struct new_user u = {cfg->bootstrap_email, "Administrator", "admin", {0}};
    if (!valid_email(cfg->bootstrap_email)) {
      fprintf(stderr, "opop-api: configuration: OPOP_BOOTSTRAP_ADMIN_EMAIL must be an email address\n");
      return -1;
    }
    if (auth_password_hash(cfg->bootstrap_password, u.hash) != 0 || with_conn(app->pool, bootstrap_admin_step, &u))
      return -1;
  }
  if (cfg->bootstrap_api_key && with_conn(app->pool, bootstrap_key_step, cfg->bootstrap_api_key) != 0)
    return -1;
  return 0;
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
  if (db_migrate(app.cfg.database_url) < 0) {
    fprintf(stderr, "opop-api: migrations failed; is the database at OPOP_DATABASE_URL reachable?\n");
    goto out_config;
  }
  app.pool = db_pool_new(app.cfg.database_url, app.cfg.db_pool_size);
  app.metrics = metrics_new(routes_count);
  if (app.pool == NULL || app.metrics == NULL || bootstrap(&app) != 0)
    goto out_pool;
  if (server_start(&app) != 0)
    goto out_pool;
  y_log_message(Y_LOG_LEVEL_INFO, "serving on http://%s:%d (%s)", app.cfg.bind, app.cfg.port,
                app.cfg.http_threads > 0 ? "epoll thread pool" : "thread per connection");
  int sig = wait_for_signal();
  y_log_message(Y_LOG_LEVEL_INFO, "signal %d: stopping", sig);
  server_stop(&app, 8);
  rc = 0;
out_pool:
  metrics_free(app.metrics);
  db_pool_free(app.pool);
out_config:
  y_close_logs();
  config_clear(&app.cfg);
  return rc;
}

static int cmd_migrate(void) {
  struct config cfg;
  if (setup(&cfg) != 0)
    return 2;
  int n = db_migrate(cfg.database_url);
  if (n >= 0)
    printf("%d migration(s) applied\n", n);
  y_close_logs();
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
  if (db_migrate(cfg.database_url) < 0 || auth_password_hash(password, u.hash) != 0)
    goto out;
  pool = db_pool_new(cfg.database_url, 1);
  if (pool && with_conn(pool, bootstrap_admin_step, &u) == 0) {
    printf("user %s ready\n", u.email);
    rc = 0;
  }
out:
  sodium_memzero(password, sizeof password);
  db_pool_free(pool);
  y_close_logs();
  config_clear(&cfg);
  return rc;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "serve";
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
