#ifndef OPOP_SERVER_H
#define OPOP_SERVER_H

#include <ulfius.h>

#include "app.h"

/* Starts serving app on app->cfg's bind address and port. 0, or -1 (logged). */
int server_start(struct app *app);
/* The address really listened on, read back from the socket ("127.0.0.1:8080"
 * or "[::1]:8080") into out: 0, or -1. */
int server_bound(struct app *app, char *out, size_t len);
/* Turns /readyz to 503, waits cfg.drain_ms, stops accepting, lets requests in
 * flight finish (up to grace_s), stops. */
void server_stop(struct app *app, int grace_s);

#endif
