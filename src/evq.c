#include "evq.h"

#include <stdlib.h>

#include "status.h"

struct evq_slot {
	struct evq_event ev;
	uint64_t seq;
	uint32_t pos;
	uint32_t gen;
};

/* heap[] holds every allocated slot: heap[0..count) is the binary heap and
 * heap[count..nslots) the free slots, so freeing a slot is a swap and no
 * separate free list (or per-slot link) is needed. */
struct evq {
	struct evq_slot *slots;
	uint32_t *heap;
	uint32_t count;
	uint32_t nslots;
	uint32_t cap;
	uint64_t seq;
	sim_time_t now;
};

struct evq *evq_new(void)
{
	return calloc(1, sizeof(struct evq));
}

void evq_free(struct evq *q)
{
	if (q == NULL)
		return;
	free(q->slots);
	free(q->heap);
	free(q);
}

sim_time_t evq_now(const struct evq *q)
{
	return q->now;
}

size_t evq_count(const struct evq *q)
{
	return q->count;
}

static bool before(const struct evq *q, uint32_t a, uint32_t b)
{
	const struct evq_slot *x = &q->slots[a], *y = &q->slots[b];

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time;
	if (x->ev.cls != y->ev.cls)
		return x->ev.cls < y->ev.cls;
	return x->seq < y->seq;
}

static void place(struct evq *q, uint32_t i, uint32_t s)
{
	q->heap[i] = s;
	q->slots[s].pos = i;
}

static void sift_up(struct evq *q, uint32_t i)
{
	uint32_t s = q->heap[i];

	while (i > 0 && before(q, s, q->heap[(i - 1) / 2])) {
		place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(q, i, s);
}

static void sift_down(struct evq *q, uint32_t i)
{
	uint32_t s = q->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= q->count)
			break;
		if (c + 1 < q->count && before(q, q->heap[c + 1], q->heap[c]))
			c++;
		if (!before(q, q->heap[c], s))
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, s);
}

static int grow(struct evq *q)
{
	uint32_t cap = q->cap ? 2 * q->cap : 16;
	struct evq_slot *slots;
	uint32_t *heap;

	/* Handles carry 32-bit slot numbers. */
	if (q->cap > UINT32_MAX / 2)
		return TS_ENOMEM;
	/* If the second realloc fails the first one's larger block is kept:
	 * cap stays as it was, so the queue is unchanged. */
	slots = realloc(q->slots, (size_t)cap * sizeof(*slots));
	if (slots == NULL)
		return TS_ENOMEM;
	q->slots = slots;
	heap = realloc(q->heap, (size_t)cap * sizeof(*heap));
	if (heap == NULL)
		return TS_ENOMEM;
	q->heap = heap;
	q->cap = cap;
	return 0;
}

int evq_push(struct evq *q, struct evq_event ev, struct evq_handle *handle)
{
	uint32_t s;

	if (ev.time < q->now)
		return TS_EINVALID;
	if (q->count == q->nslots) {
		if (q->nslots == q->cap) {
			int rc = grow(q);

			if (rc < 0)
				return rc;
		}
		q->slots[q->nslots].gen = 0;
		q->heap[q->nslots] = q->nslots;
		q->nslots++;
	}
	s = q->heap[q->count];
	q->slots[s].ev = ev;
	q->slots[s].seq = q->seq++;
	q->slots[s].pos = q->count++;
	sift_up(q, q->count - 1);
	if (handle != NULL)
		*handle = (struct evq_handle){.slot = s, .gen = q->slots[s].gen};
	return 0;
}

/* Takes the event at heap position i out and returns its slot to the free
 * part of heap[]. */
static void take(struct evq *q, uint32_t i)
{
	uint32_t s = q->heap[i];
	uint32_t last = q->heap[--q->count];

	place(q, q->count, s);
	q->slots[s].gen++;
	if (i == q->count)
		return;
	place(q, i, last);
	/* The moved event may belong above or below i, never both. */
	sift_up(q, i);
	sift_down(q, q->slots[last].pos);
}

bool evq_pop(struct evq *q, struct evq_event *ev)
{
	if (q->count == 0)
		return false;
	*ev = q->slots[q->heap[0]].ev;
	q->now = ev->time;
	take(q, 0);
	return true;
}

bool evq_peek(const struct evq *q, struct evq_event *ev)
{
	if (q->count == 0)
		return false;
	*ev = q->slots[q->heap[0]].ev;
	return true;
}

bool evq_remove(struct evq *q, struct evq_handle handle)
{
	const struct evq_slot *slot;

	if (handle.slot >= q->nslots)
		return false;
	slot = &q->slots[handle.slot];
	if (slot->gen != handle.gen || slot->pos >= q->count)
		return false;
	take(q, slot->pos);
	return true;
}

bool evq_check(const struct evq *q)
{
	if (q->count > q->nslots || q->nslots > q->cap)
		return false;
	for (uint32_t i = 0; i < q->nslots; i++) {
		if (q->heap[i] >= q->nslots || q->slots[q->heap[i]].pos != i)
			return false;
	}
	for (uint32_t i = 1; i < q->count; i++) {
		if (before(q, q->heap[i], q->heap[(i - 1) / 2]))
			return false;
	}
	return true;
}
