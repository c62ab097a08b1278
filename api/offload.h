#ifndef OPOP_OFFLOAD_H
#define OPOP_OFFLOAD_H

/* A few worker threads with a bounded queue, for CPU-heavy work (password
 * hashing) that must not run on a thread serving many connections. A place
 * is taken first (so the caller can prepare, or refuse, before the work may
 * start), then the work is handed over. */
struct offload;

/* threads workers, queue waiting places beyond them, the workers running at
 * nice steps below the process's priority (0: the same); NULL when out of memory or no thread
 * could start. */
struct offload *offload_new(int threads, int queue, int nice);
/* Takes a place: 0, or -1 when every worker is busy and the queue is full,
 * or when offload_drain has begun. */
int offload_reserve(struct offload *o);
/* Runs fn(arg) on a worker, in the place offload_reserve took. */
void offload_run(struct offload *o, void (*fn)(void *), void *arg);
/* Refuses new places, runs everything reserved or queued, and stops the
 * workers. */
void offload_drain(struct offload *o);
/* Drains, then frees. */
void offload_free(struct offload *o);

#endif
