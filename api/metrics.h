#ifndef OPOP_METRICS_H
#define OPOP_METRICS_H

#include <stddef.h>

struct db_pool;
struct db_replica;

/* Request counters by route and status, and a latency histogram by route.
 * Updated with atomics from every worker thread; owned by the app. */
struct metrics *metrics_new(size_t nroutes);
void metrics_free(struct metrics *m);
/* route: index into the route table, or -1 for unmatched requests. */
void metrics_observe(struct metrics *m, long route, int status, double seconds);
/* A finished sign-in by its answer's status. */
void metrics_signin(struct metrics *m, int status);
/* An answer replayed for a repeated Idempotency-Key. */
void metrics_replay(struct metrics *m);
/* Prometheus text exposition; replica may be NULL (none configured). Caller frees. */
char *metrics_render(const struct metrics *m, struct db_pool *pool, struct db_pool *write_pool,
                     struct db_replica *replica, size_t *len);

#endif
