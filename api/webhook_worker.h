#ifndef OPOP_WEBHOOK_WORKER_H
#define OPOP_WEBHOOK_WORKER_H

/* The background thread that delivers change-feed items to webhooks. */

#include "config.h"

struct webhook_worker;

/* Starts the thread with its own database connection; cfg is borrowed and
 * must outlive the worker. NULL when it cannot start. */
struct webhook_worker *webhook_worker_start(const struct config *cfg);
/* Stops the thread (attempts in flight are given up and retried later) and
 * frees w; accepts NULL. */
void webhook_worker_stop(struct webhook_worker *w);

#endif
