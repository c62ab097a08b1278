#ifndef OPOP_PWGATE_H
#define OPOP_PWGATE_H

/* Admission to password hashing (argon2id takes 64 MiB and a core for a
 * moment): at most `slots` hashes at once, at most `queue` requests waiting
 * for a slot; the rest are turned away at once, so a sign-in rush neither
 * exhausts memory nor ties up every HTTP thread. */
struct pw_gate;

/* NULL when out of memory. */
struct pw_gate *pw_gate_new(int slots, int queue);
void pw_gate_free(struct pw_gate *g);
/* Takes a slot, waiting in the queue up to wait_ms: 0, or -1 when the queue is
 * full or the wait ran out (answer 503 with Retry-After). */
int pw_gate_enter(struct pw_gate *g, int wait_ms);
void pw_gate_leave(struct pw_gate *g);
/* Its size: hashes at once, requests waiting beyond them. */
int pw_gate_slots(const struct pw_gate *g);
int pw_gate_queue(const struct pw_gate *g);

#endif
