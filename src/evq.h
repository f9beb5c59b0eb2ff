/* The event queue: an array binary heap of pending events.
 *
 * Events are ordered by (time, class, insertion counter): equal times pop
 * in the order of their class (smaller first) and then in the order they
 * were pushed, never by memory address or heap shape, so runs repeat
 * exactly.  Each pending event lives in a slot; a handle {slot, generation}
 * names it for cancellation, and a stale handle (event already popped or
 * removed) cancels nothing.  Slots are reused, so memory is proportional to
 * the largest number of events pending at once, not to the number ever
 * pushed.
 *
 * push, pop and remove are O(log n); peek and count O(1).
 */
#ifndef TIERSIM_EVQ_H
#define TIERSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simtime.h"

struct evq_event {
	sim_time_t time;
	uint16_t cls;  /* same-time class: smaller pops first */
	uint16_t kind; /* what happens; interpreted by the caller */
	uint32_t obj;  /* which entity it concerns; interpreted by the caller */
};

struct evq_handle {
	uint32_t slot;
	uint32_t gen;
};

struct evq;

/* Returns NULL when out of memory. */
struct evq *evq_new(void);
/* NULL is a no-op. */
void evq_free(struct evq *q);

/* The time of the last popped event (0 before the first pop). */
sim_time_t evq_now(const struct evq *q);

/* Schedules ev.  Returns 0, TS_EINVALID when ev.time is before evq_now()
 * (scheduling into the past), or TS_ENOMEM.  handle may be NULL. */
int evq_push(struct evq *q, struct evq_event ev, struct evq_handle *handle);

/* Removes the earliest event into *ev and advances evq_now() to its time.
 * Returns false when the queue is empty. */
bool evq_pop(struct evq *q, struct evq_event *ev);

/* The earliest event without removing it; false when empty. */
bool evq_peek(const struct evq *q, struct evq_event *ev);

/* Cancels a pending event.  Returns true if it was pending, false for a
 * stale handle. */
bool evq_remove(struct evq *q, struct evq_handle handle);

/* Number of pending events. */
size_t evq_count(const struct evq *q);

/* Checks the heap order and the slot/heap cross-links; returns true when
 * they hold.  O(n); for tests. */
bool evq_check(const struct evq *q);

#endif
