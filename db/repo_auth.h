#ifndef OPOP_REPO_AUTH_H
#define OPOP_REPO_AUTH_H

#include "db.h"

/* The caller behind a secret, as stored. */
struct auth_caller {
  int is_user; /* 1: a user's login token; 0: an API key */
  char id[37]; /* the user's or the key's id */
  char role[16];
  char pesantren_id[37]; /* "" when none */
  char token_id[37];     /* the login token's id; "" for an API key */
  json_t *region_codes;  /* array of region codes (caller decrefs) */
  int key_use_due;       /* an API key last marked used a minute ago or more */
};

/* The caller behind a token or API key hash (hex SHA-256), looked up on
 * every request (no cache: a revoked secret or a deactivated user stops at
 * once). DBQ_NONE when the secret is unknown, expired, revoked or its user
 * deactivated; on DBQ_ONE out->region_codes is owned by the caller. Plain
 * columns, not a JSON document: this runs before every authenticated
 * request. */
enum dbq repo_auth_lookup(struct db_conn *conn, const char *hash_hex, struct auth_caller *out);
/* Decides on the caller a lookup found (NULL: none, or expired, revoked,
 * deactivated): NULL lets the request go on, else the SQLSTATE its next
 * statement fails with. It may take over found->region_codes (setting it NULL). */
typedef const char *(*auth_gate)(struct auth_caller *found, void *arg);
/* The same lookup, sent in one round trip with the next statement run on
 * conn; gate decides before that statement's result reaches anyone (see
 * db_lead in sql.h). DBQ_ONE once queued. */
enum dbq repo_auth_lookup_ahead(struct db_conn *conn, const char *hash_hex, auth_gate gate, void *arg);
/* Runs a lookup no statement carried: DBQ_NONE when none was pending, DBQ_ONE
 * when the gate let it through, else a failure. */
enum dbq repo_auth_settle(struct db_conn *conn);
/* One sign-in attempt, for the throttle: failures count per (account,
 * client address) and per client address. */
struct login_attempt {
  const char *email;
  const char *address; /* the client's address as text */
  const char *user_id; /* NULL for an unknown email */
  int max_failures;    /* per account and address, before the first wait */
  int address_max_failures;
  int max_delay_s; /* the longest wait; the count is forgotten after twice this without a failure */
};

/* A sign-in candidate by email: {id, password_hash, active}; DBQ_NONE for an
 * unknown email. *wait_s > 0 while the account at this address, or the
 * address, must wait. */
enum dbq repo_auth_login_user(struct db_conn *conn, const char *email, const char *address, json_t **out, long *wait_s);
/* In a transaction: forgives the account's failures at this address, stores
 * the token hash, audits the sign-in; *out gets {expires_at, user}. */
enum dbq repo_auth_login_ok(struct db_conn *conn, const struct login_attempt *a, const char *hash_hex, long ttl_s,
                            json_t **out);
/* In a transaction: counts a failure (and the wait it earns) and audits it. */
enum dbq repo_auth_login_failed(struct db_conn *conn, const struct login_attempt *a);
/* Deletes throttle rows whose window has passed. */
enum dbq repo_auth_prune(struct db_conn *conn, int max_delay_s);
/* Audits a sign-in refused because the email is locked (the count is left alone). */
enum dbq repo_auth_login_locked(struct db_conn *conn, const char *email, const char *user_id);
enum dbq repo_auth_logout(struct db_conn *conn, const char *token_id);
/* Marks an API key used now, unless it was within the last minute. Outside
 * a transaction; api_keys (its version, its audit trail) is not touched. */
enum dbq repo_auth_key_used(struct db_conn *conn, const char *key_id);
/* In a transaction: stores a user's new password hash; the change ends every
 * session of the user (a trigger) but keep_token_id's. */
enum dbq repo_auth_set_password(struct db_conn *conn, const char *user_id, const char *keep_token_id,
                                const char *password_hash);
/* The caller's own record: a user, or an API key. */
enum dbq repo_auth_me(struct db_conn *conn, const char *kind, const char *id, json_t **out);
/* Creates the admin when no user has that email: DBQ_ONE created, DBQ_NONE existed. */
enum dbq repo_auth_bootstrap_admin(struct db_conn *conn, const char *email, const char *name,
                                   const char *password_hash);
/* Registers an admin API key by hash, when it is not known yet. */
enum dbq repo_auth_bootstrap_key(struct db_conn *conn, const char *hash_hex, const char *prefix);

#endif
