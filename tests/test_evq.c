#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "evq.h"
#include "status.h"
#include "testutil.h"

static struct evq_event mkev(sim_time_t time, uint16_t cls, uint32_t obj)
{
	return (struct evq_event){.time = time, .cls = cls, .kind = 0, .obj = obj};
}

/* Rows: events pushed in this order (obj = index), and the expected
 * order of obj values out of the queue. */
struct order_case {
	const char *name;
	size_t n;
	struct {
		sim_time_t time;
		uint16_t cls;
	} in[8];
	uint32_t out[8];
};

static const struct order_case order_cases[] = {
    {"single", 1, {{3, 0}}, {0}},
    {"times reversed", 5, {{5, 0}, {4, 0}, {3, 0}, {2, 0}, {1, 0}}, {4, 3, 2, 1, 0}},
    {"class breaks time ties", 3, {{1, 2}, {1, 0}, {1, 1}}, {1, 2, 0}},
    {"insertion breaks class ties", 4, {{7, 3}, {7, 3}, {7, 3}, {7, 3}}, {0, 1, 2, 3}},
    {"time beats class", 2, {{2, 0}, {1, UINT16_MAX}}, {1, 0}},
    {"mixed", 6, {{2, 0}, {1, 5}, {1, 5}, {1, 0}, {2, 0}, {0, 9}}, {5, 3, 1, 2, 0, 4}},
    {"extreme times", 3, {{SIM_TIME_MAX, 0}, {0, 0}, {SIM_TIME_MAX, 0}}, {1, 0, 2}},
    {"fifo after larger keys",
     8,
     {{9, 1}, {3, 1}, {9, 0}, {3, 1}, {9, 1}, {3, 0}, {9, 0}, {3, 1}},
     {5, 1, 3, 7, 2, 6, 0, 4}},
};

START_TEST(evq_pop_order)
{
	const struct order_case *c = &order_cases[_i];
	struct evq *q = evq_new();
	struct evq_event ev;

	ck_assert_ptr_nonnull(q);
	for (size_t i = 0; i < c->n; i++)
		ck_assert_int_eq(evq_push(q, mkev(c->in[i].time, c->in[i].cls, i), NULL), 0);
	ck_assert(evq_check(q));
	for (size_t i = 0; i < c->n; i++) {
		ck_assert_msg(evq_pop(q, &ev), "%s: queue empty at %zu", c->name, i);
		ck_assert_msg(ev.obj == c->out[i], "%s: pop %zu gave %u, expected %u", c->name, i,
			      ev.obj, c->out[i]);
		ck_assert(evq_check(q));
	}
	ck_assert(!evq_pop(q, &ev));
	evq_free(q);
}
END_TEST

START_TEST(evq_fifo_after_reshaping)
{
	struct evq *q = evq_new();
	struct evq_event ev, prev = {0};
	uint32_t x = 12345, pushed = 0, last[2] = {0};
	bool seen[2] = {false, false};
	sim_time_t cur = 0;

	ck_assert_ptr_nonnull(q);
	/* Push two, pop one: keys repeat heavily while the heap grows and is
	 * reshaped by every pop.  A push at the current time may carry a
	 * smaller class than the last pop, so only equal (time, class) pairs
	 * are compared. */
	for (int i = 0; i < 20000; i++) {
		for (int k = 0; k < 2; k++) {
			x = x * 1103515245u + 12345u;
			ck_assert_int_eq(
			    evq_push(q, mkev(evq_now(q) + (x >> 16) % 3, (x >> 20) % 2, pushed++),
				     NULL),
			    0);
		}
		ck_assert(evq_pop(q, &ev));
		ck_assert_int_ge(ev.time, cur);
		if (ev.time != cur) {
			cur = ev.time;
			seen[0] = seen[1] = false;
		}
		if (seen[ev.cls])
			ck_assert_msg(last[ev.cls] < ev.obj, "t=%lld cls=%u: obj %u after %u",
				      (long long)ev.time, ev.cls, ev.obj, last[ev.cls]);
		last[ev.cls] = ev.obj;
		seen[ev.cls] = true;
		prev = ev;
	}
	/* Without pushes the remaining events come out in strict key order. */
	while (evq_pop(q, &ev)) {
		ck_assert(prev.time < ev.time || (prev.time == ev.time && prev.cls < ev.cls) ||
			  (prev.time == ev.time && prev.cls == ev.cls && prev.obj < ev.obj));
		prev = ev;
	}
	ck_assert(evq_check(q));
	evq_free(q);
}
END_TEST

START_TEST(evq_past_is_invalid)
{
	struct evq *q = evq_new();
	struct evq_handle h = {.slot = 77, .gen = 77};
	struct evq_event ev;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(evq_now(q), 0);
	ck_assert_int_eq(evq_push(q, mkev(-1, 0, 0), &h), TS_EINVALID);
	ck_assert_uint_eq(evq_count(q), 0);
	ck_assert_int_eq(evq_push(q, mkev(10, 0, 1), NULL), 0);
	ck_assert_int_eq(evq_push(q, mkev(20, 0, 2), NULL), 0);
	ck_assert(evq_pop(q, &ev));
	ck_assert_int_eq(evq_now(q), 10);
	ck_assert_int_eq(evq_push(q, mkev(9, 0, 3), &h), TS_EINVALID);
	ck_assert_uint_eq(evq_count(q), 1);
	ck_assert_uint_eq(h.slot, 77);
	ck_assert_uint_eq(h.gen, 77);
	ck_assert(evq_check(q));
	/* The present is not the past. */
	ck_assert_int_eq(evq_push(q, mkev(10, 0, 4), NULL), 0);
	ck_assert(evq_pop(q, &ev));
	ck_assert_uint_eq(ev.obj, 4);
	ck_assert(evq_pop(q, &ev));
	ck_assert_uint_eq(ev.obj, 2);
	ck_assert_int_eq(evq_now(q), 20);
	evq_free(q);
}
END_TEST

START_TEST(evq_empty_and_peek)
{
	struct evq *q = evq_new();
	struct evq_event ev;

	evq_free(NULL);
	ck_assert_ptr_nonnull(q);
	ck_assert(!evq_pop(q, &ev));
	ck_assert(!evq_peek(q, &ev));
	ck_assert(evq_check(q));
	ck_assert_int_eq(evq_push(q, mkev(5, 1, 1), NULL), 0);
	ck_assert_int_eq(evq_push(q, mkev(5, 0, 2), NULL), 0);
	ck_assert(evq_peek(q, &ev));
	ck_assert_uint_eq(ev.obj, 2);
	ck_assert_uint_eq(evq_count(q), 2);
	ck_assert_int_eq(evq_now(q), 0);
	evq_free(q);
}
END_TEST

START_TEST(evq_remove_by_handle)
{
	struct evq *q = evq_new();
	struct evq_handle a, b, c, d;
	struct evq_event ev;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(evq_push(q, mkev(1, 0, 'a'), &a), 0);
	ck_assert_int_eq(evq_push(q, mkev(2, 0, 'b'), &b), 0);
	ck_assert_int_eq(evq_push(q, mkev(3, 0, 'c'), &c), 0);
	ck_assert(evq_remove(q, b));
	ck_assert_uint_eq(evq_count(q), 2);
	ck_assert(evq_check(q));
	ck_assert(!evq_remove(q, b));
	ck_assert_uint_eq(evq_count(q), 2);

	ck_assert(evq_pop(q, &ev));
	ck_assert_uint_eq(ev.obj, 'a');
	ck_assert(!evq_remove(q, a));
	ck_assert_uint_eq(evq_count(q), 1);
	ck_assert(!evq_remove(q, (struct evq_handle){.slot = 1000, .gen = 0}));
	/* Never issued, but names a free slot with its current generation. */
	ck_assert(!evq_remove(q, (struct evq_handle){.slot = a.slot, .gen = a.gen + 1}));
	ck_assert_uint_eq(evq_count(q), 1);

	/* d reuses a freed slot; the old handles to that slot stay stale. */
	ck_assert_int_eq(evq_push(q, mkev(4, 0, 'd'), &d), 0);
	ck_assert(d.slot == a.slot || d.slot == b.slot);
	ck_assert(!evq_remove(q, d.slot == a.slot ? a : b));
	ck_assert_uint_eq(evq_count(q), 2);
	ck_assert(evq_check(q));

	ck_assert(evq_remove(q, c));
	ck_assert(evq_pop(q, &ev));
	ck_assert_uint_eq(ev.obj, 'd');
	ck_assert(!evq_pop(q, &ev));
	ck_assert(!evq_remove(q, d));
	evq_free(q);
}
END_TEST

/* A naive reference: unordered array, linear scan for the minimum. */
struct ref_ev {
	struct evq_event ev;
	uint64_t seq;
	struct evq_handle h;
	bool pending;
};

static bool ref_before(const struct ref_ev *x, const struct ref_ev *y)
{
	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time;
	if (x->ev.cls != y->ev.cls)
		return x->ev.cls < y->ev.cls;
	return x->seq < y->seq;
}

static const unsigned long diff_seeds[] = {1, 2, 42, 20240601};

START_TEST(evq_matches_reference)
{
	enum { OPS = 6000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct ref_ev *ref = calloc(OPS, sizeof(*ref));
	struct evq *q = evq_new();
	size_t nref = 0, pending = 0;
	sim_time_t now = 0;
	struct evq_event ev;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(q);
	gsl_rng_set(r, diff_seeds[_i]);
	for (int op = 0; op < OPS; op++) {
		/* Alternate growing and shrinking phases so slots get freed and
		 * reused at many heap sizes. */
		double p_push = (op / 1000) % 2 ? 0.35 : 0.65;
		double u = gsl_rng_uniform(r);

		if (u < p_push) {
			struct ref_ev *e = &ref[nref];
			sim_time_t t = now + (sim_time_t)gsl_rng_uniform_int(r, 50);
			uint16_t cls = (uint16_t)gsl_rng_uniform_int(r, 3);

			if (now > 0 && gsl_rng_uniform(r) < 0.05) {
				ck_assert_int_eq(evq_push(q, mkev(now - 1, cls, 0), NULL),
						 TS_EINVALID);
			} else {
				e->ev = mkev(t, cls, (uint32_t)nref);
				e->ev.kind = (uint16_t)gsl_rng_uniform_int(r, 100);
				e->seq = nref;
				e->pending = true;
				ck_assert_int_eq(evq_push(q, e->ev, &e->h), 0);
				nref++;
				pending++;
			}
		} else if (u < p_push + (1 - p_push) * 0.7) {
			struct ref_ev *min = NULL;

			for (size_t i = 0; i < nref; i++) {
				if (ref[i].pending && (min == NULL || ref_before(&ref[i], min)))
					min = &ref[i];
			}
			ck_assert_int_eq(evq_pop(q, &ev), min != NULL);
			if (min != NULL) {
				ck_assert_msg(ev.obj == min->ev.obj && ev.time == min->ev.time &&
						  ev.cls == min->ev.cls && ev.kind == min->ev.kind,
					      "op %d: popped obj %u t=%lld, expected obj %u t=%lld",
					      op, ev.obj, (long long)ev.time, min->ev.obj,
					      (long long)min->ev.time);
				min->pending = false;
				pending--;
				now = ev.time;
			}
		} else if (nref > 0) {
			/* Any handle ever issued, stale ones included. */
			struct ref_ev *e = &ref[gsl_rng_uniform_int(r, nref)];

			ck_assert_int_eq(evq_remove(q, e->h), e->pending);
			if (e->pending)
				pending--;
			e->pending = false;
		}
		ck_assert_msg(evq_check(q), "op %d: invariant broken", op);
		ck_assert_uint_eq(evq_count(q), pending);
		ck_assert_int_eq(evq_now(q), now);
		if (evq_peek(q, &ev))
			ck_assert_int_ge(ev.time, now);
	}
	evq_free(q);
	free(ref);
	gsl_rng_free(r);
}
END_TEST

START_TEST(evq_slots_reused)
{
	enum { HOLD = 8 };
	struct evq *q = evq_new();
	struct evq_handle h;
	struct evq_event ev;
	uint32_t x = 1;

	ck_assert_ptr_nonnull(q);
	/* One pending at a time: always the same slot. */
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(evq_push(q, mkev(evq_now(q) + 1, 0, 0), &h), 0);
		ck_assert_uint_eq(h.slot, 0);
		ck_assert(evq_pop(q, &ev));
	}
	/* Hold model: HOLD pending, pop one and push one. */
	for (int i = 0; i < HOLD; i++)
		ck_assert_int_eq(evq_push(q, mkev(evq_now(q) + i, 0, 0), NULL), 0);
	for (int i = 0; i < 100000; i++) {
		ck_assert(evq_pop(q, &ev));
		x = x * 1103515245u + 12345u;
		ck_assert_int_eq(evq_push(q, mkev(evq_now(q) + (x >> 16) % 100, 0, 0), &h), 0);
		ck_assert_uint_lt(h.slot, HOLD);
		ck_assert_uint_eq(evq_count(q), HOLD);
	}
	ck_assert(evq_check(q));
	evq_free(q);
}
END_TEST

static Suite *evq_suite(void)
{
	Suite *s = suite_create("evq");
	TCase *tc = tcase_create("evq");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, evq_pop_order, 0, sizeof(order_cases) / sizeof(order_cases[0]));
	tcase_add_test(tc, evq_fifo_after_reshaping);
	tcase_add_test(tc, evq_past_is_invalid);
	tcase_add_test(tc, evq_empty_and_peek);
	tcase_add_test(tc, evq_remove_by_handle);
	tcase_add_loop_test(tc, evq_matches_reference, 0,
			    sizeof(diff_seeds) / sizeof(diff_seeds[0]));
	tcase_add_test(tc, evq_slots_reused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(evq_suite());
}
