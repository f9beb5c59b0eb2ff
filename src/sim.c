#include "sim.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"
#include "health.h"
#include "rng.h"
#include "stats.h"

#define NONE UINT32_MAX
/* Ten times the longest run (duration_s <= 1e7), in ms. */
#define MAX_TRANSFER_MS 1e11

const char *const sim_metric_names[SIM_M_COUNT_ALL] = {
#define SIM_METRIC_NAME(e, name) name,
    SIM_METRICS(SIM_METRIC_NAME)
#undef SIM_METRIC_NAME
};

const char *const sim_total_names[SIM_T_COUNT_ALL] = {
#define SIM_TOTAL_NAME(e, name) name,
    SIM_TOTALS(SIM_TOTAL_NAME)
#undef SIM_TOTAL_NAME
};

const char *const sim_partition_names[SIM_P_COUNT_ALL] = {
#define SIM_PARTITION_NAME(e, name) name,
    SIM_PARTITION(SIM_PARTITION_NAME)
#undef SIM_PARTITION_NAME
};
const char *const sim_health_names[SIM_H_COUNT_ALL] = {
#define SIM_HEALTH_NAME(e, name) name,
    SIM_HEALTH(SIM_HEALTH_NAME)
#undef SIM_HEALTH_NAME
};

const char *const sim_drop_names[SIM_DROP_COUNT] = {
#define SIM_DROP_NAME(e, name) name,
    SIM_DROP_REASONS(SIM_DROP_NAME)
#undef SIM_DROP_NAME
};

const char *const sim_fail_names[SIM_FAIL_COUNT] = {
#define SIM_FAIL_NAME(e, name) name,
    SIM_FAIL_REASONS(SIM_FAIL_NAME)
#undef SIM_FAIL_NAME
};

const char *const sim_fault_names[SIM_F_COUNT_ALL] = {
#define SIM_FAULT_NAME(e, name) name,
    SIM_FAULTS(SIM_FAULT_NAME)
#undef SIM_FAULT_NAME
};

#define SIM_ACCOUNT_NAME(e, name) name,
const char *const sim_node_energy_names[SIM_NE_COUNT_ALL] = {SIM_NODE_ENERGY(SIM_ACCOUNT_NAME)};
const char *const sim_energy_names[SIM_E_COUNT_ALL] = {SIM_ENERGY(SIM_ACCOUNT_NAME)};
const char *const sim_node_cost_names[SIM_NC_COUNT_ALL] = {SIM_NODE_COST(SIM_ACCOUNT_NAME)};
const char *const sim_cost_names[SIM_C_COUNT_ALL] = {SIM_COST(SIM_ACCOUNT_NAME)};
#undef SIM_ACCOUNT_NAME

/* An account's per-request values are its total, its node parts in their
 * order, its tiers in theirs, then the run's total (fill_account). */
_Static_assert(SIM_E_PR_IDLE - SIM_E_PR_CPU == SIM_NE_IDLE - SIM_NE_CPU &&
		   SIM_E_PR_DEVICE == SIM_E_PR_CPU + SIM_NE_TOTAL &&
		   SIM_E_TOTAL == SIM_E_PR_DEVICE + TIER_COUNT &&
		   SIM_NE_TOTAL + 1 == SIM_NE_COUNT_ALL,
	       "the energy account's layout");
_Static_assert(SIM_C_PR_AMORTISED - SIM_C_PR_COMPUTE == SIM_NC_AMORTISED - SIM_NC_COMPUTE &&
		   SIM_C_PR_DEVICE == SIM_C_PR_COMPUTE + SIM_NC_TOTAL &&
		   SIM_C_TOTAL == SIM_C_PR_DEVICE + TIER_COUNT &&
		   SIM_NC_TOTAL + 1 == SIM_NC_COUNT_ALL,
	       "the cost account's layout");

const char sim_csv_header[] =
    "replication,id,app,source,node,tier,status,reason,created_ns,uplink_done_ns,start_ns,"
    "cpu_pre_done_ns,accel_done_ns,cpu_post_done_ns,downlink_done_ns,response_ns,instances,"
    "split_after,head_done_ns\n";
const char sim_timeseries_header[] = "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n";
const char sim_migrations_header[] = "time_s,stream,app,from,to,reason\n";
const char sim_states_header[] = "time_s,kind,subject,from,to,latency_ms\n";

/* Event kinds; the same-time class of each is its value, so at one instant
 * results leave before servers pick new work, a health check sees every
 * completion and finished migration of its instant and every fault
 * (recoveries and window ends first, then crashes, windows and losses),
 * arrivals come last but for a battery running out, which stops only
 * later arrivals,
 * and the run stops after everything else due at duration_s. */
enum ev_kind {
	EV_DOWNLINK_DONE,
	EV_SERVICE_DONE,
	EV_UPLINK_DONE,
	EV_PROBE_DONE,
	EV_MIGRATION_DONE,
	EV_NODE_UP,
	EV_LINK_END,
	EV_NODE_DOWN,
	EV_LINK_START,
	EV_ACCEL_LOSS,
	EV_CHECK,
	EV_PROBE,
	EV_ARRIVAL,
	EV_BATTERY_EMPTY,
	EV_STOP,
};

enum stage {
	ST_CREATED,
	ST_UPLINK_DONE,
	ST_START,
	ST_PRE_DONE,
	ST_ACCEL_DONE,
	ST_POST_DONE,
	ST_DOWNLINK_DONE,
	ST_COUNT
};

/* Where a request bound to an instance is. */
enum req_phase { RP_UPLINK, RP_QUEUED, RP_SERVICE, RP_DOWNLINK };

struct request {
	uint64_t id;
	uint32_t source;
	uint32_t inst;
	enum req_phase phase;
	uint32_t retries;
	struct evq_handle ev; /* its pending transfer or service end */
	uint32_t link;	      /* to its node, NONE when it runs on its device */
	uint32_t next;	      /* next in the instance queue, or in the free list */
	uint32_t instances;   /* active instances on its node when service started */
	double net_ms;	      /* delay part (no bytes / bandwidth) of its current transfer */
	int frame_w, frame_h; /* its frame size, the app's when it was created */
	/* Split after layer `split` (0: not split): while its first part runs
	 * on its device, `rest` is the instance of the rest of the model and
	 * rest_link the link to it (NONE once handed over); head_done is
	 * when the first part ended, -1 before. */
	uint32_t split, rest, rest_link;
	sim_time_t head_done;
	sim_time_t t[ST_COUNT];
};

/* A node able to serve a source, resolved once at setup. */
struct route {
	uint32_t node;
	uint32_t link;	/* NONE for the device itself */
	uint32_t accel; /* index into the node's accelerators */
	const struct profile *profile;
	int table;
	bool lost; /* every accelerator able to serve it was lost */
	/* Expected transfer up and back (the policies' transfer_ms), and
	 * the delay estimates each way: fixed per route, so computed once
	 * rather than per decision. */
	double transfer_ms, up_ms, down_ms;
	/* Cumulative accelerator shares of the model's layers on it
	 * (policy_candidate.share); NULL when the model has none. */
	const double *share;
};

struct source {
	uint32_t app, device;
	uint32_t inst; /* stream: its instance once placed */
	uint32_t link; /* stream: the link to that instance's node */
	bool refused;  /* stream: the policy placed it nowhere */
	/* Migration: under way to route move_route, for move_reason; the
	 * time of the last one when moved. */
	bool migrating, moved;
	uint32_t move_route, move_from, move_link;
	double move_delay_ms;
	const char *move_reason;
	sim_time_t moved_at;
	uint64_t frame;
	sim_time_t start; /* its app's start_s + k x stagger_s, for the app's k-th source */
	sim_time_t phase;
	gsl_rng *rng;
	struct route *routes;
	size_t n_routes;
};

struct instance {
	uint32_t node, app;
	uint32_t source; /* the stream it serves, NONE for a Poisson instance */
	int table;	 /* profile table of the app's model */
	const struct profile *profile;
	const double *share; /* its route's */
	uint32_t head, tail;
	uint32_t queued;
	uint32_t pending; /* requests bound to it not yet served or dropped */
	uint32_t busy;	  /* servers at work, at most its node's `servers` */
	uint32_t accel;	  /* index into the node's accelerators */
	bool active;
	/* Killed by a fault: requests still on their way to it are caught
	 * with this reason when they arrive. */
	bool killed;
	enum sim_fail killed_by;
	struct health_ema lat; /* InfLat, ms: arrival at the node to end of service */
	enum health_state state;
};

struct node_rt {
	uint32_t active_instances;
	uint32_t frames; /* queued or in service */
	uint32_t busy_instances;
	sim_time_t busy_since, busy_ns;
	gsl_rng *rng;		 /* service jitter */
	enum health_state state; /* at the last health check */
	sim_time_t state_since;	 /* that check, or 0 */
	double avg_ms;		 /* AvgInfLat then, 0 without a sample */
	bool moved;		 /* migrated an instance away, last at moved_at */
	sim_time_t moved_at;
	/* Faults: crashes in force (down while > 0), since when, and the
	 * time down within the measured window; lost[i] when accelerator i
	 * is gone. */
	uint32_t down;
	sim_time_t down_since, down_ns;
	bool *lost;
};

/* A device's battery: joules drawn up to spent_at, whether it ran out,
 * and its pending EV_BATTERY_EMPTY (when pending). */
struct battery {
	double spent_J;
	sim_time_t spent_at;
	bool empty, pending;
	struct evq_handle ev;
};

struct group {
	struct stats_acc *acc;
	uint64_t dropped[SIM_DROP_COUNT];
};

struct sim {
	const struct scenario *s;
	const struct sim_options *opt;
	struct ts_error *err;
	struct evq *q;
	sim_time_t now;

	struct source *sources;
	size_t n_sources;
	uint32_t *app_open; /* sources of each app still generating */

	struct instance *insts;
	size_t n_insts, cap_insts;
	uint32_t *poisson_inst; /* app x node -> instance, NONE when absent */

	struct node_rt *nodes;
	/* Per link and direction, at [2 * link + link_dir()]. */
	gsl_rng **link_rng;
	double *link_estimate_ms;
	gsl_rng *policy_rng;
	void *policy_state;
	const double *params; /* the policy's parameter values */
	double param_defaults[SCN_POLICY_PARAMS_MAX];
	struct policy_candidate *cands;
	uint32_t *cand_route; /* migration: candidate -> route of its source */

	/* Policies with `health`: the NLM, the state of each link's entry at
	 * the last check, and each link's probe in flight (its delay). */
	struct health_nlm *nlm;
	enum health_state *link_state;
	double *probe_ms;
	bool *probe_busy;

	/* Faults: a stream per node fault (random crashes), and each link's
	 * window in force (an index into faults.links, or NONE). */
	gsl_rng **fault_rng;
	uint32_t *link_window;

	/* Per node, NULL unless some device has a battery. */
	struct battery *batteries;

	struct request *reqs;
	size_t cap_reqs;
	uint32_t free_req;
	uint64_t next_id, live;

	struct group *g_apps, *g_nodes, g_tiers[TIER_COUNT];
	struct sim_report *report;
};

static int oom(struct sim *m)
{
	return ts_error_set(m->err, TS_ENOMEM, "out of memory");
}

static int catch_request(struct sim *m, uint32_t ri, enum sim_fail why);

static int schedule_handle(struct sim *m, sim_time_t t, enum ev_kind kind, uint32_t obj,
			   struct evq_handle *handle)
{
	struct evq_event ev = {
	    .time = t, .cls = (uint16_t)kind, .kind = (uint16_t)kind, .obj = obj};
	int rc = evq_push(m->q, ev, handle);

	if (rc == TS_ENOMEM)
		return oom(m);
	if (rc < 0)
		return ts_error_set(m->err, TS_ERUNTIME,
				    "internal error: event %d scheduled at %" PRId64
				    " ns, before the clock",
				    (int)kind, t);
	return 0;
}

static int schedule(struct sim *m, sim_time_t t, enum ev_kind kind, uint32_t obj)
{
	return schedule_handle(m, t, kind, obj, NULL);
}

/* An event of request ri that a fault may cancel. */
static int schedule_request(struct sim *m, sim_time_t t, enum ev_kind kind, uint32_t ri)
{
	return schedule_handle(m, t, kind, ri, &m->reqs[ri].ev);
}

static int request_new(struct sim *m, uint32_t *index)
{
	if (m->free_req == NONE) {
		size_t cap = m->cap_reqs == 0 ? 64 : 2 * m->cap_reqs;
		struct request *r;

		/* Slot numbers are 32-bit, NONE excluded. */
		if (cap > NONE)
			return oom(m);
		r = realloc(m->reqs, cap * sizeof(*r));
		if (r == NULL)
			return oom(m);
		m->reqs = r;
		for (size_t i = cap; i-- > m->cap_reqs;) {
			r[i].next = m->free_req;
			r[i].t[ST_CREATED] = -1;
			m->free_req = (uint32_t)i;
		}
		m->cap_reqs = cap;
	}
	*index = m->free_req;
	m->free_req = m->reqs[*index].next;
	m->live++;
	return 0;
}

/* A free slot has no creation time. */
static void request_release(struct sim *m, uint32_t r)
{
	m->reqs[r].t[ST_CREATED] = -1;
	m->reqs[r].next = m->free_req;
	m->free_req = r;
	m->live--;
}

static void csv_row(struct sim *m, const struct request *r, const char *status, const char *reason)
{
	const struct scenario *s = m->s;
	const struct source *src = &m->sources[r->source];
	FILE *f = m->opt->requests_csv;
	const char *node = "", *tier = "";

	if (f == NULL)
		return;
	if (r->inst != NONE) {
		node = s->nodes[m->insts[r->inst].node].id;
		tier = tier_name(s->nodes[m->insts[r->inst].node].tier);
	}
	fprintf(f, "%u,%" PRIu64 ",%s,%s,%s,%s,%s,%s", m->opt->replication, r->id,
		s->apps[src->app].id, s->nodes[src->device].id, node, tier, status, reason);
	for (int st = 0; st < ST_COUNT; st++) {
		/* start_service() sets the times of all three service stages;
		 * for a request in flight at the end those after now were not
		 * reached. */
		if (r->t[st] >= 0 && r->t[st] <= m->now)
			fprintf(f, ",%" PRId64, r->t[st]);
		else
			fputs(",", f);
	}
	if (r->t[ST_DOWNLINK_DONE] >= 0)
		fprintf(f, ",%" PRId64, r->t[ST_DOWNLINK_DONE] - r->t[ST_CREATED]);
	else
		fputs(",", f);
	if (r->t[ST_START] >= 0 && r->t[ST_START] <= m->now)
		fprintf(f, ",%" PRIu32, r->instances);
	else
		fputs(",", f);
	if (r->split > 0)
		fprintf(f, ",%" PRIu32, r->split);
	else
		fputs(",", f);
	if (r->head_done >= 0)
		fprintf(f, ",%" PRId64 "\n", r->head_done);
	else
		fputs(",\n", f);
}

_Static_assert((SIM_PROGRESS_EVENTS & (SIM_PROGRESS_EVENTS - 1)) == 0,
	       "the progress test in the event loop is a mask");

/* Span names of the request stages, by the stage that ends them. */
static const char *const stage_names[ST_COUNT] = {
    [ST_UPLINK_DONE] = "uplink",     [ST_START] = "queue",	  [ST_PRE_DONE] = "cpu_pre",
    [ST_ACCEL_DONE] = "accelerator", [ST_POST_DONE] = "cpu_post", [ST_DOWNLINK_DONE] = "downlink",
};

/* Starts one trace event: the separator, then the fields every event
 * has.  Processes are (replication, node) pairs, so replications never
 * share a track. */
static void trace_begin(struct sim *m, const char *ph, uint32_t node, uint32_t tid)
{
	struct sim_trace *t = m->opt->trace;

	fprintf(t->f, "%s{\"ph\":\"%s\",\"pid\":%" PRIu64 ",\"tid\":%" PRIu32,
		t->n_events++ == 0 ? "" : ",\n", ph,
		(uint64_t)m->opt->replication * m->s->n_nodes + node + 1, tid);
}

/* Trace timestamps are in microseconds: ns printed exactly as "us.nnn". */
static void trace_ts(FILE *f, const char *key, sim_time_t ns)
{
	fprintf(f, ",\"%s\":%" PRId64 ".%03d", key, ns / 1000, (int)(ns % 1000));
}

/* An asynchronous (b/e) event on the request's own track, which
 * id2.local scopes to its process. */
static void trace_async(struct sim *m, const struct request *r, uint32_t node, const char *ph,
			const char *name, sim_time_t ns)
{
	trace_begin(m, ph, node, 0);
	fprintf(m->opt->trace->f,
		",\"cat\":\"request\",\"id2\":{\"local\":%" PRIu64 "},\"name\":\"%s\"", r->id,
		name);
	trace_ts(m->opt->trace->f, "ts", ns);
	fputc('}', m->opt->trace->f);
}

/* A sampled request's spans: on its own track a "request" span holding
 * one span per stage it went through, and on its instance's track the
 * service span (CPU pre to CPU post), which overlaps another only on a
 * node of several servers.  Stages not reached by the end of the run are
 * left out, as in requests.csv. */
static void trace_request(struct sim *m, const struct request *r, const char *status)
{
	struct sim_trace *t = m->opt->trace;
	uint32_t node;
	int last = ST_CREATED;

	if (t == NULL || r->id % t->sample != 0)
		return;
	node = r->inst != NONE ? m->insts[r->inst].node : m->sources[r->source].device;
	while (last + 1 < ST_COUNT && r->t[last + 1] >= 0 && r->t[last + 1] <= m->now)
		last++;
	trace_begin(m, "b", node, 0);
	fprintf(t->f,
		",\"cat\":\"request\",\"id2\":{\"local\":%" PRIu64
		"},\"name\":\"request\",\"args\":{\"replication\":%u,\"id\":%" PRIu64
		",\"status\":\"%s\"}",
		r->id, m->opt->replication, r->id, status);
	trace_ts(t->f, "ts", r->t[ST_CREATED]);
	fputc('}', t->f);
	for (int st = ST_CREATED + 1; st <= last; st++) {
		trace_async(m, r, node, "b", stage_names[st], r->t[st - 1]);
		trace_async(m, r, node, "e", stage_names[st], r->t[st]);
	}
	trace_async(m, r, node, "e", "request", r->t[last]);
	if (last >= ST_POST_DONE) {
		trace_begin(m, "X", node, r->inst + 1);
		fprintf(t->f, ",\"name\":\"request\",\"args\":{\"id\":%" PRIu64 "}", r->id);
		trace_ts(t->f, "ts", r->t[ST_START]);
		trace_ts(t->f, "dur", r->t[ST_POST_DONE] - r->t[ST_START]);
		fputc('}', t->f);
	}
}

/* Names the tracks: a process per node, a thread per instance. */
static int trace_names(struct sim *m)
{
	const struct scenario *s = m->s;
	bool ok = true;

	for (size_t k = 0; ok && k < s->n_nodes + m->n_insts; k++) {
		bool is_node = k < s->n_nodes;
		uint32_t node = is_node ? (uint32_t)k : m->insts[k - s->n_nodes].node;
		cJSON *args = cJSON_CreateObject();
		char name[512], *text = NULL;

		if (is_node && m->opt->replication == 0)
			snprintf(name, sizeof(name), "%s", s->nodes[k].id);
		else if (is_node)
			snprintf(name, sizeof(name), "%s (replication %u)", s->nodes[k].id,
				 m->opt->replication);
		else
			snprintf(name, sizeof(name), "instance %zu: app %s", k - s->n_nodes,
				 s->apps[m->insts[k - s->n_nodes].app].id);
		ok = args != NULL && cJSON_AddStringToObject(args, "name", name) != NULL;
		if (ok)
			text = cJSON_PrintUnformatted(args);
		cJSON_Delete(args);
		ok = text != NULL;
		if (ok) {
			trace_begin(m, "M", node, is_node ? 0 : (uint32_t)(k - s->n_nodes) + 1);
			fprintf(m->opt->trace->f, ",\"name\":\"%s\",\"args\":%s}",
				is_node ? "process_name" : "thread_name", text);
		}
		cJSON_free(text);
	}
	return ok ? 0 : oom(m);
}

/* A request ends (or the run does with it in flight): its CSV row and its
 * trace. */
static void record(struct sim *m, const struct request *r, const char *status, const char *reason)
{
	csv_row(m, r, status, reason);
	trace_request(m, r, status);
}

static bool measured(const struct sim *m, const struct request *r)
{
	return r->t[ST_CREATED] >= m->s->warmup;
}

/* An instance stops counting towards its node's instance count once
 * nothing more can reach it: its stream (or, for a Poisson instance, every
 * source of its app) has stopped generating and nothing bound to it is
 * left. */
static void instance_maybe_close(struct sim *m, uint32_t i)
{
	struct instance *in = &m->insts[i];
	/* A stream's instance also closes once its stream has moved on. */
	bool open = in->source != NONE ? m->sources[in->source].frame != UINT64_MAX &&
					     m->sources[in->source].inst == i
				       : m->app_open[in->app] > 0;

	if (in->active && !open && in->pending == 0) {
		in->active = false;
		m->nodes[in->node].active_instances--;
	}
}

/* The bytes request r sends up its link: the app's request, or the
 * tensors crossing its split. */
static double upload_bytes(const struct sim *m, const struct request *r)
{
	const struct scn_app *app = &m->s->apps[m->sources[r->source].app];

	return r->split > 0 ? m->s->models[app->model].layers[r->split - 1].out_bytes
			    : app->request_bytes;
}

/* A split request ends or leaves before its first part is done: it no
 * longer holds the instance of the rest. */
static void release_rest(struct sim *m, struct request *r)
{
	if (r->rest == NONE)
		return;
	m->insts[r->rest].pending--;
	instance_maybe_close(m, r->rest);
	r->rest = NONE;
}

/* Drop totals are indexed by reason from the first one. */
_Static_assert(SIM_T_DROPPED_NO_NODE - SIM_T_DROPPED_QUEUE_FULL == SIM_DROP_NO_NODE,
	       "drop totals follow the drop reasons");

static void drop(struct sim *m, uint32_t ri, enum sim_drop why)
{
	struct request *r = &m->reqs[ri];
	const struct source *src = &m->sources[r->source];

	m->report->totals[SIM_T_DROPPED_QUEUE_FULL + why] += 1;
	if (measured(m, r)) {
		m->g_apps[src->app].dropped[why]++;
		if (r->inst != NONE) {
			uint32_t node = m->insts[r->inst].node;

			m->g_nodes[node].dropped[why]++;
			m->g_tiers[m->s->nodes[node].tier].dropped[why]++;
		}
	}
	record(m, r, "dropped", sim_drop_names[why]);
	if (r->inst != NONE) {
		m->insts[r->inst].pending--;
		instance_maybe_close(m, r->inst);
	}
	release_rest(m, r);
	request_release(m, ri);
}

/* Adds a measured response to a group, creating its accumulator on the
 * first one: most nodes of a large scenario are devices that serve
 * nothing. */
static int group_add(struct sim *m, struct group *g, double ms, int missed)
{
	if (g->acc == NULL && (g->acc = stats_acc_new()) == NULL)
		return oom(m);
	stats_acc_add(g->acc, ms, missed);
	return 0;
}

/* ---- energy and cost (docs/energy.md): what each measured request
 * causes, charged where it happens, and only when it has happened: a
 * transfer or service cut short by a fault costs nothing. ---- */

static void source_end(struct sim *m, uint32_t si);

/* Device n's battery ran out: it is out of the run from now on.  Its
 * sources stop; what it already sent is still served and its results
 * counted. */
static void battery_empty(struct sim *m, uint32_t n)
{
	struct battery *b = &m->batteries[n];

	b->empty = true;
	b->spent_J = m->s->nodes[n].battery_J;
	b->spent_at = m->now;
	m->report->battery_empty_s[n] = sim_to_s(m->now);
	for (size_t si = 0; si < m->n_sources; si++)
		if (m->sources[si].device == n && m->sources[si].frame != UINT64_MAX)
			source_end(m, (uint32_t)si);
}

/* Device n (any node: those without a battery are skipped) draws j
 * joules now, on top of its idle power since spent_at.  While charge is
 * left, its EV_BATTERY_EMPTY moves to when idle power alone would drain
 * the rest. */
static int battery_draw(struct sim *m, uint32_t n, double j)
{
	const struct scn_node *node = &m->s->nodes[n];
	struct battery *b = m->batteries != NULL ? &m->batteries[n] : NULL;
	double idle_W = node->energy.cpu_idle_W + node->energy.accel_idle_W;
	sim_time_t t;

	if (b == NULL || node->battery_J <= 0 || b->empty)
		return 0;
	b->spent_J += idle_W * sim_to_s(m->now - b->spent_at) + j;
	b->spent_at = m->now;
	if (b->pending)
		evq_remove(m->q, b->ev);
	b->pending = false;
	if (b->spent_J >= node->battery_J) {
		battery_empty(m, n);
		return 0;
	}
	if (idle_W <= 0)
		return 0;
	t = m->now + sim_from_s((node->battery_J - b->spent_J) / idle_W);
	if (t >= m->s->duration)
		return 0;
	b->pending = true;
	return schedule_handle(m, t, EV_BATTERY_EMPTY, n, &b->ev);
}

/* Request ri's service on its node ended: the CPU and accelerator draw
 * their busy power above idle for the stage times, and the node's prices
 * for the service and the inference are charged.  A battery pays for
 * every request, measured or not. */
static int charge_service(struct sim *m, const struct request *r)
{
	uint32_t node = m->insts[r->inst].node;
	const struct scn_node *n = &m->s->nodes[node];
	double cpu_s = sim_to_s(r->t[ST_PRE_DONE] - r->t[ST_START]) +
		       sim_to_s(r->t[ST_POST_DONE] - r->t[ST_ACCEL_DONE]);
	double accel_s = sim_to_s(r->t[ST_ACCEL_DONE] - r->t[ST_PRE_DONE]);
	double cpu_J = (n->energy.cpu_busy_W - n->energy.cpu_idle_W) * cpu_s;
	double accel_J = (n->energy.accel_busy_W - n->energy.accel_idle_W) * accel_s;

	if (measured(m, r) && m->report->node_energy != NULL) {
		double *e = &m->report->node_energy[(size_t)node * SIM_NE_COUNT_ALL];

		e[SIM_NE_CPU] += cpu_J;
		e[SIM_NE_ACCEL] += accel_J;
	}
	if (measured(m, r) && m->report->node_cost != NULL)
		m->report->node_cost[(size_t)node * SIM_NC_COUNT_ALL + SIM_NC_COMPUTE] +=
		    n->cost.per_inference_usd + n->cost.per_s_usd * (cpu_s + accel_s);
	return battery_draw(m, node, cpu_J + accel_J);
}

/* Request ri's bytes crossed its link, up (sent by its device) or down
 * (received): the device's radio spends its energy per byte, and the
 * serving node charges its price per GB. */
static int charge_transfer(struct sim *m, const struct request *r, bool up)
{
	const struct scenario *s = m->s;
	const struct source *src = &m->sources[r->source];
	const struct scn_app *app = &s->apps[src->app];
	const struct scn_node *dev = &s->nodes[src->device];
	uint32_t node = m->insts[r->inst].node;
	double bytes = up ? upload_bytes(m, r) : s->models[app->model].output_bytes;
	double radio_J = bytes * (up ? dev->energy.tx_per_byte_J : dev->energy.rx_per_byte_J);

	if (measured(m, r) && m->report->node_energy != NULL)
		m->report->node_energy[(size_t)src->device * SIM_NE_COUNT_ALL + SIM_NE_RADIO] +=
		    radio_J;
	if (measured(m, r) && m->report->node_cost != NULL)
		m->report->node_cost[(size_t)node * SIM_NC_COUNT_ALL + SIM_NC_TRANSFER] +=
		    s->nodes[node].cost.per_GB_usd * bytes / 1e9;
	return battery_draw(m, src->device, radio_J);
}

static int complete(struct sim *m, uint32_t ri)
{
	struct request *r = &m->reqs[ri];
	const struct source *src = &m->sources[r->source];
	const struct scn_app *app = &m->s->apps[src->app];
	uint32_t node = m->insts[r->inst].node;

	m->report->totals[SIM_T_COMPLETED] += 1;
	if (measured(m, r)) {
		double ms = sim_to_ms(r->t[ST_DOWNLINK_DONE] - r->t[ST_CREATED]);
		int missed = ms > app->qos_ms;

		stats_acc_add(m->g_apps[src->app].acc, ms, missed);
		/* Summed split points until finish() takes their mean. */
		m->report->partition[SIM_P_SPLIT] += r->split > 0;
		m->report->partition[SIM_P_MEAN_SPLIT_AFTER] += r->split;
		stats_acc_add(m->g_tiers[m->s->nodes[node].tier].acc, ms, missed);
		if (group_add(m, &m->g_nodes[node], ms, missed) < 0)
			return TS_ENOMEM;
	}
	record(m, r, "completed", "");
	request_release(m, ri);
	return 0;
}

/* 0 for transfers from a link's end a to b, 1 for b to a. */
static size_t link_dir(const struct scn_link *l, size_t from)
{
	return from == l->a ? 0 : 1;
}

static int floor_error(struct sim *m, const struct scn_link *l, size_t dir)
{
	const char *a = m->s->nodes[l->a].id, *b = m->s->nodes[l->b].id;

	return ts_error_set(m->err, TS_ERUNTIME,
			    "link %s->%s: %d delay draws in a row fell at or below floor_ms %.17g",
			    dir == 0 ? a : b, dir == 0 ? b : a, DIST_MAX_TRIES,
			    scenario_link_delay(l, dir == 0 ? l->a : l->b)->floor_ms);
}

/* Draws one transfer time over link li, leaving node `from`; *delay_ms
 * gets its delay part, without bytes / bandwidth. */
static int transfer(struct sim *m, uint32_t li, size_t from, double bytes, sim_time_t *dt,
		    double *delay_ms)
{
	const struct scn_link *l = &m->s->links[li];
	size_t dir = link_dir(l, from);
	const struct dist *law = scenario_link_delay(l, from);
	double bandwidth = l->bandwidth_Bps, ms;

	/* A degradation window in force changes the law and bandwidth of
	 * the transfers that start in it. */
	if (m->link_window != NULL && m->link_window[li] != NONE) {
		const struct scn_link_fault *w = &m->s->faults.links[m->link_window[li]];

		law = w->has_delay ? &w->delay : law;
		bandwidth = w->bandwidth_Bps > 0 ? w->bandwidth_Bps : bandwidth;
	}
	if (dist_sample(law, m->link_rng[2 * li + dir], &ms) < 0)
		return floor_error(m, l, dir);
	/* A negative draw of an untruncated law means no delay, not time
	 * travel.  A heavy tail may draw beyond any run (even infinity):
	 * such a transfer ends after the run whatever its length, and the
	 * bound keeps the clock inside int64. */
	*delay_ms = fmin(fmax(ms, 0), MAX_TRANSFER_MS);
	ms = fmin(fmax(ms, 0) + 1e3 * bytes / bandwidth, MAX_TRANSFER_MS);
	*dt = sim_from_ms(ms);
	return 0;
}

/* A transfer over link li ended, having seen delay_ms: the NLM learns
 * it.  The delay is what a sender measures; bytes / bandwidth is the
 * size's share, not the network's state. */
static void nlm_observe(struct sim *m, uint32_t li, double delay_ms)
{
	if (m->nlm != NULL)
		health_nlm_observe(m->nlm, m->s->links[li].a, m->s->links[li].b, m->now, delay_ms);
}

/* The NLM's score of link li, its delay estimates (the mean of both
 * directions) before the first observation. */
static double nlm_score(const struct sim *m, uint32_t li)
{
	const struct scn_link *l = &m->s->links[li];

	return health_nlm_score(m->nlm, l->a, l->b,
				(m->link_estimate_ms[2 * li] + m->link_estimate_ms[2 * li + 1]) /
				    2);
}

static int service_parts(struct sim *m, const struct instance *in, const struct request *r,
			 struct profile_parts *p)
{
	const struct scenario *s = m->s;
	const struct scn_app *app = &s->apps[in->app];
	uint32_t n = m->nodes[in->node].active_instances;

	if (!profile_eval(in->profile, in->table, (double)r->frame_w * (double)r->frame_h, n, p))
		return 0;
	if (m->report->clamped_lookups++ == 0 || s->out_of_range == OOR_ERROR) {
		double px_lo, px_hi, i_lo, i_hi;

		profile_range(in->profile, in->table, &px_lo, &px_hi, &i_lo, &i_hi);
		snprintf(m->report->first_clamp, sizeof(m->report->first_clamp),
			 "node %s: profile %s has no data for model %s at %dx%d with %" PRIu32
			 " instances (table: %.0f-%.0f pixels, %.0f-%.0f instances)",
			 s->nodes[in->node].id, profile_id(in->profile), s->models[app->model].id,
			 r->frame_w, r->frame_h, n, px_lo, px_hi, i_lo, i_hi);
	}
	if (s->out_of_range == OOR_ERROR)
		return ts_error_set(m->err, TS_ERUNTIME,
				    "%s; the scenario says \"out_of_range\": \"error\"",
				    m->report->first_clamp);
	return 0;
}

static void node_busy(struct sim *m, uint32_t node, int delta)
{
	struct node_rt *n = &m->nodes[node];

	if (delta > 0 && n->busy_instances++ == 0)
		n->busy_since = m->now;
	if (delta < 0 && --n->busy_instances == 0) {
		sim_time_t from = n->busy_since > m->s->warmup ? n->busy_since : m->s->warmup;

		if (m->now > from)
			n->busy_ns += m->now - from;
	}
}

static int start_service(struct sim *m, uint32_t ii, uint32_t ri)
{
	struct instance *in = &m->insts[ii];
	struct request *r = &m->reqs[ri];
	double cv = profile_jitter_cv(in->profile);
	struct profile_parts p;
	int rc = service_parts(m, in, r, &p);

	if (rc < 0)
		return rc;
	/* A split request: the first part has the pre-processing and the
	 * layers up to the split, the rest the other layers and the
	 * post-processing. */
	if (r->split > 0 && r->rest != NONE) {
		p.accel_ms *= in->share[r->split];
		p.cpu_post_ms = 0;
	} else if (r->split > 0) {
		p.cpu_pre_ms = 0;
		p.accel_ms *= 1 - in->share[r->split];
	}
	/* Jitter multiplies each part by a gamma variate of mean 1 and
	 * coefficient of variation cv: positive, and exact in mean. */
	if (cv > 0) {
		gsl_rng *g = m->nodes[in->node].rng;
		double k = 1 / (cv * cv);

		p.cpu_pre_ms *= gsl_ran_gamma(g, k, 1 / k);
		p.accel_ms *= gsl_ran_gamma(g, k, 1 / k);
		p.cpu_post_ms *= gsl_ran_gamma(g, k, 1 / k);
	}
	in->busy++;
	r->phase = RP_SERVICE;
	node_busy(m, in->node, +1);
	r->t[ST_START] = m->now;
	r->instances = m->nodes[in->node].active_instances;
	r->t[ST_PRE_DONE] = r->t[ST_START] + sim_from_ms(p.cpu_pre_ms);
	r->t[ST_ACCEL_DONE] = r->t[ST_PRE_DONE] + sim_from_ms(p.accel_ms);
	r->t[ST_POST_DONE] = r->t[ST_ACCEL_DONE] + sim_from_ms(p.cpu_post_ms);
	return schedule_request(m, r->t[ST_POST_DONE], EV_SERVICE_DONE, ri);
}

static int arrive_at_instance(struct sim *m, uint32_t ri)
{
	struct request *r = &m->reqs[ri];
	struct instance *in = &m->insts[r->inst];
	int64_t cap = m->s->nodes[in->node].queue_capacity;

	r->t[ST_UPLINK_DONE] = m->now;
	if (in->killed)
		return catch_request(m, ri, in->killed_by);
	if (in->busy < m->s->nodes[in->node].servers)
		goto start;
	if (cap > 0 && in->queued >= (uint64_t)cap) {
		drop(m, ri, SIM_DROP_QUEUE_FULL);
		return 0;
	}
	r->next = NONE;
	r->phase = RP_QUEUED;
	if (in->queued++ == 0)
		in->head = ri;
	else
		m->reqs[in->tail].next = ri;
	in->tail = ri;
	m->nodes[in->node].frames++;
	return 0;
start:
	m->nodes[in->node].frames++;
	return start_service(m, r->inst, ri);
}

static int instance_new(struct sim *m, const struct route *rt, uint32_t app, uint32_t source,
			uint32_t *index)
{
	struct instance *in;

	if (m->n_insts == m->cap_insts) {
		size_t cap = m->cap_insts == 0 ? 16 : 2 * m->cap_insts;
		struct instance *p = realloc(m->insts, cap * sizeof(*p));

		if (p == NULL)
			return oom(m);
		m->insts = p;
		m->cap_insts = cap;
	}
	*index = (uint32_t)m->n_insts++;
	in = &m->insts[*index];
	memset(in, 0, sizeof(*in));
	in->node = rt->node;
	in->app = app;
	in->source = source;
	in->profile = rt->profile;
	in->table = rt->table;
	in->share = rt->share;
	in->accel = rt->accel;
	in->active = true;
	m->nodes[rt->node].active_instances++;
	return 0;
}

/* The app's Poisson instance on a node, or NONE when there is no open
 * one. */
static uint32_t poisson_instance(const struct sim *m, uint32_t app, uint32_t node)
{
	uint32_t i = m->poisson_inst[(size_t)app * m->s->n_nodes + node];

	return i != NONE && m->insts[i].active ? i : NONE;
}

static void estimate(struct sim *m, const struct source *src, const struct route *route,
		     struct policy_candidate *c)
{
	const struct scenario *s = m->s;
	const struct scn_app *app = &s->apps[src->app];
	const struct node_rt *rt = &m->nodes[route->node];
	uint32_t existing =
	    app->workload == WORKLOAD_POISSON ? poisson_instance(m, src->app, route->node) : NONE;
	uint32_t n = rt->active_instances + (existing == NONE ? 1 : 0);
	struct profile_parts p;
	int w, h;

	c->node = route->node;
	c->tier = s->nodes[route->node].tier;
	c->load = rt->frames + rt->active_instances;
	c->transfer_ms = route->transfer_ms;
	scenario_frame_px(app, m->now, &w, &h);
	profile_eval(route->profile, route->table, (double)w * (double)h, n, &p);
	c->service_ms = p.cpu_pre_ms + p.accel_ms + p.cpu_post_ms;
	c->cpu_pre_ms = p.cpu_pre_ms;
	c->accel_ms = p.accel_ms;
	c->cpu_post_ms = p.cpu_post_ms;
	c->up_ms = route->up_ms;
	c->down_ms = route->down_ms;
	c->bandwidth_Bps = route->link != NONE ? s->links[route->link].bandwidth_Bps : 0;
	c->share = route->share;
	c->state = HEALTH_IDLE;
	c->avg_inf_lat_ms = 0;
	c->nlm_ms = 0;
	if (m->nlm != NULL && c->tier != TIER_DEVICE) {
		c->state = rt->state;
		c->avg_inf_lat_ms = rt->avg_ms;
		c->nlm_ms = nlm_score(m, route->link);
	}
	c->wait_ms = 0;
	if (existing != NONE) {
		const struct instance *in = &m->insts[existing];

		/* Everything ahead, shared among the servers. */
		c->wait_ms = c->service_ms * (in->queued + in->busy) /
			     (double)m->s->nodes[route->node].servers;
	}
}

/* Link li (NONE: none, on the device itself) is not in an outage. */
static bool link_up(const struct sim *m, uint32_t li)
{
	return li == NONE || m->link_window == NULL || m->link_window[li] == NONE ||
	       !m->s->faults.links[m->link_window[li]].outage;
}

/* A route the policy may be offered: its node up, its link not in an
 * outage, and an accelerator left for the model.  Policies never see the
 * others, so none can place a request on a crashed node. */
static bool route_usable(const struct sim *m, const struct route *rt)
{
	return m->nodes[rt->node].down == 0 && !rt->lost && link_up(m, rt->link);
}

/* Asks the policy among the usable routes; returns the chosen route or
 * NULL, and in *split the policy's split point (0 unless it has
 * `partition`). */
static const struct route *place(struct sim *m, const struct source *src, size_t *split)
{
	bool fallback = false;
	struct policy_query q = {
	    .scenario = m->s,
	    .app = src->app,
	    .device = src->device,
	    .cands = m->cands,
	    .rng = m->policy_rng,
	    .params = m->params,
	    .fallback = &fallback,
	    .split = split,
	};
	long chosen;

	*split = 0;
	for (size_t i = 0; i < src->n_routes; i++) {
		if (!route_usable(m, &src->routes[i]))
			continue;
		estimate(m, src, &src->routes[i], &m->cands[q.n_cands]);
		m->cand_route[q.n_cands++] = (uint32_t)i;
	}
	if (q.n_cands == 0)
		return NULL;
	chosen = m->opt->policy->place(m->policy_state, &q);
	m->report->health[SIM_H_NO_HEALTHY] += fallback;
	return chosen < 0 || (size_t)chosen >= q.n_cands ? NULL
							 : &src->routes[m->cand_route[chosen]];
}

/* When the app's k-th source starts: start_s + k x stagger_s, or the app's
 * stop (never) when that is at or after it, computed without overflow. */
static sim_time_t source_start(const struct scn_app *app, size_t k)
{
	if (app->stagger > 0 && (sim_time_t)k > (app->stop - app->start) / app->stagger)
		return app->stop;
	return app->start + (sim_time_t)k * app->stagger;
}

/* A Poisson source's rate: its app's per device, times the devices its
 * node stands for.  The superposition of independent Poisson processes is
 * a Poisson process of the summed rate, so a group of identical devices is
 * simulated as one source. */
static double poisson_rate_hz(const struct sim *m, const struct source *src)
{
	return m->s->apps[src->app].rate_hz * (double)m->s->nodes[src->device].count;
}

/* No more requests from source si. */
static void source_end(struct sim *m, uint32_t si)
{
	struct source *src = &m->sources[si];

	src->frame = UINT64_MAX;
	if (--m->app_open[src->app] == 0 || src->inst != NONE) {
		for (size_t i = 0; i < m->n_insts; i++)
			if (m->insts[i].app == src->app)
				instance_maybe_close(m, (uint32_t)i);
	}
}

static sim_time_t next_arrival(struct sim *m, struct source *src)
{
	const struct scn_app *app = &m->s->apps[src->app];

	if (app->workload == WORKLOAD_STREAM) {
		sim_time_t period = sim_from_s(1 / app->fps);

		return src->start + src->phase + (sim_time_t)src->frame * period;
	}
	return m->now + sim_from_s(gsl_ran_exponential(src->rng, 1 / poisson_rate_hz(m, src)));
}

static int schedule_next_arrival(struct sim *m, uint32_t si)
{
	struct source *src = &m->sources[si];
	const struct scn_app *app = &m->s->apps[src->app];
	sim_time_t t = next_arrival(m, src);

	if (t < app->stop)
		return schedule(m, t, EV_ARRIVAL, si);
	source_end(m, si);
	return 0;
}

/* The app's Poisson instance on route's node, opened when there is
 * none; it holds one more request. */
static int poisson_bind(struct sim *m, const struct source *src, const struct route *route,
			uint32_t *ii)
{
	int rc = 0;

	*ii = poisson_instance(m, src->app, route->node);
	if (*ii == NONE) {
		rc = instance_new(m, route, src->app, NONE, ii);
		if (rc < 0)
			return rc;
		m->poisson_inst[(size_t)src->app * m->s->n_nodes + route->node] = *ii;
	}
	m->insts[*ii].pending++;
	return rc;
}

/* The route of a source to its own device; the partition policy splits a
 * request only when the device can run the model. */
static const struct route *device_route(const struct source *src)
{
	for (size_t i = 0; i < src->n_routes; i++)
		if (src->routes[i].link == NONE)
			return &src->routes[i];
	return NULL;
}

/* Binds request ri to an instance: its stream's (placing the stream when
 * it has none, or when its instance was killed or its link went down) or
 * the Poisson instance on the node the policy picks, opened when needed.
 * A request the policy splits is bound to its device's instance for the
 * first part and holds the instance of the rest too.  r->inst stays NONE
 * when no node takes it. */
static int bind(struct sim *m, uint32_t ri)
{
	uint32_t si = m->reqs[ri].source;
	struct source *src = &m->sources[si];
	const struct scn_app *app = &m->s->apps[src->app];
	struct request *r = &m->reqs[ri];
	const struct route *route;
	size_t split = 0;
	int rc = 0;

	r->split = 0;
	r->rest = r->rest_link = NONE;
	if (app->workload == WORKLOAD_STREAM) {
		/* Its instance may have been killed, cut off, or closed: a
		 * request sent again after its stream ended finds it closed
		 * once the frames before it were served. */
		if (src->inst != NONE && (!m->insts[src->inst].active || !link_up(m, src->link))) {
			uint32_t old = src->inst;

			src->inst = NONE;
			instance_maybe_close(m, old);
		}
		if (src->inst == NONE && !src->refused) {
			route = place(m, src, &split);
			src->refused = route == NULL;
			if (route != NULL) {
				src->link = route->link;
				rc = instance_new(m, route, src->app, si, &src->inst);
			}
		}
		r->link = src->link;
		if (src->inst != NONE) {
			r->inst = src->inst;
			m->insts[src->inst].pending++;
		}
		return rc;
	}
	route = place(m, src, &split);
	if (route == NULL)
		return 0;
	if (split > 0) {
		rc = poisson_bind(m, src, route, &r->rest);
		r->rest_link = route->link;
		r->split = (uint32_t)split;
		route = device_route(src);
	}
	if (rc == 0)
		rc = poisson_bind(m, src, route, &r->inst);
	r->link = route->link;
	return rc;
}

/* Sends bound request ri from its device (a split request after its
 * first part): over its link, or straight to the device's own instance. */
static int send(struct sim *m, uint32_t ri)
{
	struct request *r = &m->reqs[ri];
	const struct source *src = &m->sources[r->source];
	sim_time_t dt;
	int rc;

	if (r->link == NONE)
		return arrive_at_instance(m, ri);
	r->phase = RP_UPLINK;
	if (!link_up(m, r->link))
		return catch_request(m, ri, SIM_FAIL_LINK_DOWN);
	rc = transfer(m, r->link, src->device, upload_bytes(m, r), &dt, &r->net_ms);
	return rc < 0 ? rc : schedule_request(m, m->now + dt, EV_UPLINK_DONE, ri);
}

static int on_arrival(struct sim *m, uint32_t si)
{
	struct source *src = &m->sources[si];
	const struct scn_app *app = &m->s->apps[src->app];
	uint32_t ri = NONE;
	struct request *r;
	int rc;

	/* Its device's battery ran out after this arrival was scheduled. */
	if (src->frame == UINT64_MAX)
		return 0;
	rc = request_new(m, &ri);
	if (rc < 0)
		return rc;
	r = &m->reqs[ri];
	r->id = m->next_id++;
	r->source = si;
	r->inst = NONE;
	r->phase = RP_UPLINK;
	r->retries = 0;
	for (int st = 0; st < ST_COUNT; st++)
		r->t[st] = -1;
	r->head_done = -1;
	r->t[ST_CREATED] = m->now;
	scenario_frame_px(app, m->now, &r->frame_w, &r->frame_h);
	m->report->totals[SIM_T_CREATED] += 1;
	src->frame++;

	/* Bind the request before the source may end, so its instance does
	 * not close under it. */
	rc = bind(m, ri);
	if (rc == 0)
		rc = schedule_next_arrival(m, si);
	if (rc < 0)
		return rc;
	if (m->reqs[ri].inst == NONE) {
		drop(m, ri, SIM_DROP_NO_NODE);
		return 0;
	}
	return send(m, ri);
}

/* Starts queued requests of instance ii while its node has servers free. */
static int start_next(struct sim *m, uint32_t ii)
{
	struct instance *in = &m->insts[ii];
	int rc = 0;

	while (rc == 0 && in->queued > 0 && in->busy < m->s->nodes[in->node].servers) {
		uint32_t next = in->head;

		/* It stays counted in the node's frames, moving from queue to
		 * service. */
		in->head = m->reqs[next].next;
		in->queued--;
		rc = start_service(m, ii, next);
	}
	return rc;
}

/* ---- faults (docs/scenario.md, "faults") ---- */

_Static_assert(SIM_F_FAILED_TIMEOUT - SIM_F_FAILED_NODE_CRASH == SIM_FAIL_TIMEOUT,
	       "failed counts follow the failure reasons");

static void fail(struct sim *m, uint32_t ri, enum sim_fail why)
{
	m->report->faults[SIM_F_FAILED_NODE_CRASH + why] += 1;
	record(m, &m->reqs[ri], "failed", sim_fail_names[why]);
	request_release(m, ri);
}

/* Request ri was caught by a fault: on a node that crashed or lost the
 * accelerator serving it, or on a link that went down.  It leaves its
 * device again, placed anew, while it has retries left and is younger
 * than the timeout; otherwise it fails. */
static int catch_request(struct sim *m, uint32_t ri, enum sim_fail why)
{
	const struct scn_faults *f = &m->s->faults;
	struct request *r = &m->reqs[ri];
	int rc;

	/* On its way back it no longer holds its instance. */
	if (r->phase != RP_DOWNLINK && r->inst != NONE) {
		m->insts[r->inst].pending--;
		instance_maybe_close(m, r->inst);
	}
	release_rest(m, r);
	if (r->retries >= (uint32_t)f->max_retries) {
		fail(m, ri, why);
		return 0;
	}
	if (f->timeout > 0 && m->now - r->t[ST_CREATED] >= f->timeout) {
		fail(m, ri, SIM_FAIL_TIMEOUT);
		return 0;
	}
	r->retries++;
	m->report->faults[SIM_F_RETRIED] += 1;
	for (int st = ST_UPLINK_DONE; st < ST_COUNT; st++)
		r->t[st] = -1;
	r->head_done = -1;
	r->inst = NONE;
	rc = bind(m, ri);
	if (rc < 0)
		return rc;
	if (m->reqs[ri].inst == NONE) {
		fail(m, ri, why);
		return 0;
	}
	return send(m, ri);
}

/* Catches the requests of a chain linked through `next`, from ri to NONE;
 * each one's next is read before it is caught, which may link it anew. */
static int catch_chain(struct sim *m, uint32_t ri, enum sim_fail why)
{
	int rc = 0;

	while (rc == 0 && ri != NONE) {
		uint32_t next = m->reqs[ri].next;

		rc = catch_request(m, ri, why);
		ri = next;
	}
	return rc;
}

/* The services under way at instance ii stop; their requests are caught.
 * They are taken off first (chained through `next`, unused in service),
 * so that one caught and placed back on ii is not caught twice. */
static int abort_service(struct sim *m, uint32_t ii, enum sim_fail why)
{
	struct instance *in = &m->insts[ii];
	uint32_t chain = NONE;
	int rc = 0;

	for (size_t i = 0; i < m->cap_reqs && in->busy > 0; i++) {
		struct request *r = &m->reqs[i];

		if (r->t[ST_CREATED] < 0 || r->inst != ii || r->phase != RP_SERVICE)
			continue;
		evq_remove(m->q, r->ev);
		in->busy--;
		node_busy(m, in->node, -1);
		m->nodes[in->node].frames--;
		r->next = chain;
		chain = (uint32_t)i;
	}
	return rc == 0 ? catch_chain(m, chain, why) : rc;
}

/* Instance ii dies: the requests it serves and those it holds are caught
 * now, those still on their way to it when they arrive. */
static int kill_instance(struct sim *m, uint32_t ii, enum sim_fail why)
{
	struct instance *in = &m->insts[ii];
	uint32_t n = in->queued;
	int rc = 0;

	if (in->active) {
		in->active = false;
		m->nodes[in->node].active_instances--;
	}
	in->killed = true;
	in->killed_by = why;
	in->queued = 0;
	m->nodes[in->node].frames -= n;
	if (in->busy)
		rc = abort_service(m, ii, why);
	/* The queue's last request has no next. */
	return rc == 0 ? catch_chain(m, n > 0 ? in->head : NONE, why) : rc;
}

/* The stream of source si leaves its instance: the policy places it
 * again among the usable routes (when there is none, its frames are
 * dropped with no_node until a fault ends).  For a policy with `health`
 * the move is a migration. */
static int move_stream(struct sim *m, uint32_t si, enum sim_fail why)
{
	struct source *src = &m->sources[si];
	const struct scenario *s = m->s;
	uint32_t old = src->inst, from = m->insts[old].node;
	const struct route *route;
	size_t split;
	int rc = 0;

	src->inst = NONE;
	route = place(m, src, &split);
	src->refused = route == NULL;
	if (route != NULL) {
		src->link = route->link;
		rc = instance_new(m, route, src->app, si, &src->inst);
	}
	instance_maybe_close(m, old);
	if (rc < 0 || route == NULL)
		return rc;
	m->report->faults[SIM_F_STREAMS_MOVED] += 1;
	if (m->nlm != NULL)
		m->report->health[SIM_H_MIGRATIONS] += 1;
	if (m->opt->migrations != NULL)
		fprintf(m->opt->migrations, "%.17g,%s/%s,%s,%s,%s,%s\n", sim_to_s(m->now),
			s->apps[src->app].id, s->nodes[src->device].id, s->apps[src->app].id,
			s->nodes[from].id, s->nodes[route->node].id, sim_fail_names[why]);
	return 0;
}

/* A fault ended: streams refused meanwhile are placed again at their
 * next frame. */
static void faults_eased(struct sim *m)
{
	for (size_t si = 0; si < m->n_sources; si++)
		m->sources[si].refused = false;
}

static int on_node_down(struct sim *m, uint32_t k)
{
	const struct scn_node_fault *f = &m->s->faults.nodes[k];
	struct node_rt *rt = &m->nodes[f->node];
	sim_time_t up = -1;
	int rc = 0;

	if (f->random)
		up = m->now + sim_from_s(gsl_ran_exponential(m->fault_rng[k], f->mttr_s));
	else if (f->down >= 0)
		up = m->now + f->down;
	if (up >= 0 && up < m->s->duration)
		rc = schedule(m, up, EV_NODE_UP, k);
	if (rc < 0 || rt->down++ > 0)
		return rc;
	rt->down_since = m->now;
	m->report->faults[SIM_F_NODE_CRASHES] += 1;
	/* Streams move first, so that the requests caught below are sent
	 * again to their stream's new instance. */
	for (size_t si = 0; rc == 0 && si < m->n_sources; si++) {
		const struct source *src = &m->sources[si];

		if (src->inst != NONE && src->frame != UINT64_MAX &&
		    m->insts[src->inst].node == f->node)
			rc = move_stream(m, (uint32_t)si, SIM_FAIL_NODE_CRASH);
	}
	for (size_t i = 0; rc == 0 && i < m->n_insts; i++)
		if (m->insts[i].node == f->node && !m->insts[i].killed)
			rc = kill_instance(m, (uint32_t)i, SIM_FAIL_NODE_CRASH);
	return rc;
}

/* Time node n was down within the measured window, up to now. */
static sim_time_t down_in_window(const struct sim *m, uint32_t n)
{
	const struct node_rt *rt = &m->nodes[n];
	sim_time_t from = rt->down_since > m->s->warmup ? rt->down_since : m->s->warmup;

	return rt->down > 0 && m->now > from ? m->now - from : 0;
}

static int on_node_up(struct sim *m, uint32_t k)
{
	const struct scn_node_fault *f = &m->s->faults.nodes[k];
	struct node_rt *rt = &m->nodes[f->node];
	int rc = 0;

	if (f->random) {
		sim_time_t t = m->now + sim_from_s(gsl_ran_exponential(m->fault_rng[k], f->mtbf_s));

		if (t < m->s->duration)
			rc = schedule(m, t, EV_NODE_DOWN, k);
	}
	rt->down_ns += rt->down == 1 ? down_in_window(m, (uint32_t)f->node) : 0;
	if (--rt->down > 0)
		return rc;
	m->report->faults[SIM_F_NODE_RECOVERIES] += 1;
	faults_eased(m);
	return rc;
}

/* A link window starts; an outage catches every transfer on the link
 * and moves the streams that use it. */
static int on_link_start(struct sim *m, uint32_t k)
{
	const struct scn_link_fault *w = &m->s->faults.links[k];
	uint32_t l = (uint32_t)w->link;
	int rc = 0;

	m->link_window[l] = k;
	if (!w->outage) {
		m->report->faults[SIM_F_LINK_DEGRADATIONS] += 1;
		return 0;
	}
	m->report->faults[SIM_F_LINK_OUTAGES] += 1;
	for (size_t si = 0; rc == 0 && si < m->n_sources; si++) {
		const struct source *src = &m->sources[si];

		if (src->inst != NONE && src->frame != UINT64_MAX && src->link == l)
			rc = move_stream(m, (uint32_t)si, SIM_FAIL_LINK_DOWN);
	}
	/* A request sent again goes over another link, so the scan meets
	 * each caught request once. */
	for (size_t i = 0; rc == 0 && i < m->cap_reqs; i++) {
		struct request *r = &m->reqs[i];

		if (r->t[ST_CREATED] < 0 || r->link != l ||
		    (r->phase != RP_UPLINK && r->phase != RP_DOWNLINK))
			continue;
		evq_remove(m->q, r->ev);
		rc = catch_request(m, (uint32_t)i, SIM_FAIL_LINK_DOWN);
	}
	return rc;
}

static void on_link_end(struct sim *m, uint32_t k)
{
	m->link_window[m->s->faults.links[k].link] = NONE;
	faults_eased(m);
}

/* An accelerator is lost: routes and instances that used it fall back to
 * another accelerator of the node with a table for their model (its CPU
 * profile, say), or lose the node.  The request in service on it is
 * caught; queued ones are served on the fallback. */
static int on_accel_loss(struct sim *m, uint32_t k)
{
	const struct scenario *s = m->s;
	const struct scn_accel_fault *f = &s->faults.accels[k];
	bool *lost = m->nodes[f->node].lost;
	int rc = 0;

	if (lost[f->accel])
		return 0;
	lost[f->accel] = true;
	m->report->faults[SIM_F_ACCEL_LOSSES] += 1;
	for (size_t si = 0; si < m->n_sources; si++) {
		struct source *src = &m->sources[si];

		for (size_t j = 0; j < src->n_routes; j++) {
			struct route *rt = &src->routes[j];
			const struct scn_accel *acc;

			if (rt->node != f->node || rt->accel != f->accel || rt->lost)
				continue;
			acc = scenario_executor_left(s, f->node, s->apps[src->app].model, lost,
						     &rt->table);
			rt->lost = acc == NULL;
			if (acc != NULL) {
				rt->accel = (uint32_t)(acc - s->nodes[f->node].accels);
				rt->profile = acc->profile;
			}
		}
	}
	for (size_t i = 0; rc == 0 && i < m->n_insts; i++) {
		struct instance *in = &m->insts[i];
		const struct scn_accel *acc;
		int table;

		if (in->node != f->node || in->accel != f->accel || in->killed)
			continue;
		acc = scenario_executor_left(s, f->node, s->apps[in->app].model, lost, &table);
		if (acc == NULL) {
			for (size_t si = 0; rc == 0 && si < m->n_sources; si++)
				if (m->sources[si].inst == i && m->sources[si].frame != UINT64_MAX)
					rc = move_stream(m, (uint32_t)si, SIM_FAIL_ACCEL_LOST);
			if (rc == 0)
				rc = kill_instance(m, (uint32_t)i, SIM_FAIL_ACCEL_LOST);
			continue;
		}
		in->accel = (uint32_t)(acc - s->nodes[f->node].accels);
		in->profile = acc->profile;
		in->table = table;
		if (in->busy)
			rc = abort_service(m, (uint32_t)i, SIM_FAIL_ACCEL_LOST);
		if (rc == 0)
			rc = start_next(m, (uint32_t)i);
	}
	return rc;
}

/* Random streams and first events of the faults.  A fault's times come
 * from its own stream under the run's seed, never the policy's, so every
 * policy meets the same faults. */
static int faults_setup(struct sim *m)
{
	const struct scn_faults *f = &m->s->faults;
	char name[SCN_ID_MAX + 48];
	int rc = 0;

	m->fault_rng = calloc(f->n_nodes + 1, sizeof(*m->fault_rng));
	m->link_window = malloc((m->s->n_links + 1) * sizeof(*m->link_window));
	if (m->fault_rng == NULL || m->link_window == NULL)
		return oom(m);
	for (size_t l = 0; l < m->s->n_links; l++)
		m->link_window[l] = NONE;
	for (size_t n = 0; n < m->s->n_nodes; n++) {
		m->nodes[n].lost = calloc(m->s->nodes[n].n_accels + 1, sizeof(bool));
		if (m->nodes[n].lost == NULL)
			return oom(m);
	}
	for (size_t k = 0; rc == 0 && k < f->n_nodes; k++) {
		const struct scn_node_fault *nf = &f->nodes[k];
		sim_time_t t = nf->at;

		if (nf->random) {
			snprintf(name, sizeof(name), "faults/node/%s/%zu", m->s->nodes[nf->node].id,
				 k);
			m->fault_rng[k] = rng_stream_new(m->opt->seed, name);
			if (m->fault_rng[k] == NULL)
				return oom(m);
			t = sim_from_s(gsl_ran_exponential(m->fault_rng[k], nf->mtbf_s));
		}
		if (t < m->s->duration)
			rc = schedule(m, t, EV_NODE_DOWN, (uint32_t)k);
	}
	for (size_t k = 0; rc == 0 && k < f->n_links; k++) {
		if (f->links[k].from < m->s->duration)
			rc = schedule(m, f->links[k].from, EV_LINK_START, (uint32_t)k);
		if (rc == 0 && f->links[k].to < m->s->duration)
			rc = schedule(m, f->links[k].to, EV_LINK_END, (uint32_t)k);
	}
	for (size_t k = 0; rc == 0 && k < f->n_accels; k++)
		if (f->accels[k].at < m->s->duration)
			rc = schedule(m, f->accels[k].at, EV_ACCEL_LOSS, (uint32_t)k);
	return rc;
}

/* The first part of split request ri is done on its device: the
 * tensors at the split go to the instance of the rest. */
static int hand_over(struct sim *m, uint32_t ri)
{
	struct request *r = &m->reqs[ri];

	r->head_done = m->now;
	for (int st = ST_UPLINK_DONE; st < ST_COUNT; st++)
		r->t[st] = -1;
	r->inst = r->rest;
	r->link = r->rest_link;
	r->rest = NONE;
	return send(m, ri);
}

static int on_service_done(struct sim *m, uint32_t ri)
{
	struct request *r = &m->reqs[ri];
	uint32_t ii = r->inst;
	struct instance *in = &m->insts[ii];
	const struct source *src = &m->sources[r->source];
	int rc = 0;

	in->busy--;
	in->pending--;
	rc = charge_service(m, r);
	if (rc < 0)
		return rc;
	if (m->nlm != NULL)
		health_ema_add(&in->lat, sim_to_ms(m->now - r->t[ST_UPLINK_DONE]),
			       m->params[PH_EMA_WINDOW]);
	node_busy(m, in->node, -1);
	m->nodes[in->node].frames--;
	r->phase = RP_DOWNLINK;
	if (r->rest != NONE) {
		rc = hand_over(m, ri);
	} else if (r->link == NONE) {
		r->t[ST_DOWNLINK_DONE] = m->now;
		rc = complete(m, ri);
	} else if (!link_up(m, r->link)) {
		rc = catch_request(m, ri, SIM_FAIL_LINK_DOWN);
	} else {
		sim_time_t dt;
		double bytes = m->s->models[m->s->apps[src->app].model].output_bytes;

		rc = transfer(m, r->link, in->node, bytes, &dt, &r->net_ms);
		if (rc == 0)
			rc = schedule_request(m, m->now + dt, EV_DOWNLINK_DONE, ri);
	}
	if (rc == 0)
		rc = start_next(m, ii);
	instance_maybe_close(m, ii);
	return rc;
}

/* ---- health: profiler, checks, probes and migration (policies with
 * `health`; docs/policies.md) ---- */

static bool is_server(const struct sim *m, size_t node)
{
	return m->s->nodes[node].tier != TIER_DEVICE;
}

/* One row of states.csv, and the count. */
static void state_change(struct sim *m, const char *kind, const char *subject,
			 enum health_state from, enum health_state to, double latency_ms)
{
	m->report->health[SIM_H_STATE_CHANGES] += 1;
	if (m->opt->states != NULL)
		fprintf(m->opt->states, "%.17g,%s,%s,%s,%s,%.17g\n", sim_to_s(m->now), kind,
			subject, health_state_name(from), health_state_name(to), latency_ms);
}

/* "node:app/device" for a stream's instance, "node:app" for a Poisson
 * one. */
static void instance_name(const struct sim *m, const struct instance *in, char *buf, size_t size)
{
	const struct scenario *s = m->s;

	if (in->source == NONE)
		snprintf(buf, size, "%s:%s", s->nodes[in->node].id, s->apps[in->app].id);
	else
		snprintf(buf, size, "%s:%s/%s", s->nodes[in->node].id, s->apps[in->app].id,
			 s->nodes[m->sources[in->source].device].id);
}

/* Within the cooldown of a move made at `at`. */
static bool cooling(const struct sim *m, bool moved, sim_time_t at)
{
	return moved && m->now - at < sim_from_ms(m->params[PM_COOLDOWN_MS]);
}

/* Asks the policy where the stream of instance ii goes, and starts the
 * move: its metadata crosses the link between the old and the new node,
 * and the stream switches when it has arrived (on_migration_done).
 * Frames sent before then are served where they were sent. */
static int migrate(struct sim *m, uint32_t ii, const char *reason)
{
	uint32_t si = m->insts[ii].source, from = m->insts[ii].node;
	struct source *src = &m->sources[si];
	bool fallback = false;
	struct policy_query q = {
	    .scenario = m->s,
	    .app = src->app,
	    .device = src->device,
	    .cands = m->cands,
	    .rng = m->policy_rng,
	    .params = m->params,
	    .fallback = &fallback,
	};
	double bytes = m->params[PM_MIGRATION_BYTES];
	long chosen, link;
	sim_time_t dt;
	int rc;

	for (size_t k = 0; k < src->n_routes; k++) {
		const struct route *rt = &src->routes[k];

		long between = scenario_link(m->s, from, rt->node);

		if (rt->node == from || !is_server(m, rt->node) || between < 0 ||
		    !route_usable(m, rt) || !link_up(m, (uint32_t)between))
			continue;
		estimate(m, src, rt, &m->cands[q.n_cands]);
		m->cand_route[q.n_cands++] = (uint32_t)k;
	}
	if (q.n_cands == 0)
		return 0;
	chosen = m->opt->policy->migrate(m->policy_state, &q);
	m->report->health[SIM_H_NO_HEALTHY] += fallback;
	if (chosen < 0 || (size_t)chosen >= q.n_cands)
		return 0;
	src->migrating = true;
	src->move_route = m->cand_route[chosen];
	src->move_reason = reason;
	src->move_from = from;
	m->nodes[from].moved = true;
	m->nodes[from].moved_at = m->now;
	link = scenario_link(m->s, from, src->routes[src->move_route].node);
	src->move_link = (uint32_t)link;
	rc = transfer(m, (uint32_t)link, from, bytes, &dt, &src->move_delay_ms);
	if (rc < 0)
		return rc;
	m->report->health[SIM_H_MIGRATION_BYTES] += bytes;
	return schedule(m, m->now + dt, EV_MIGRATION_DONE, si);
}

/* The metadata arrived: later frames go to the new instance; the old one
 * serves what it holds and then closes.  A stream that stopped meanwhile
 * stays where it was. */
static int on_migration_done(struct sim *m, uint32_t si)
{
	struct source *src = &m->sources[si];
	const struct route *rt = &src->routes[src->move_route];
	uint32_t old = src->inst, ii;
	const struct scenario *s = m->s;
	int rc;

	nlm_observe(m, src->move_link, src->move_delay_ms);
	src->migrating = false;
	/* A fault may have made the target unusable meanwhile. */
	if (src->frame == UINT64_MAX || !route_usable(m, rt))
		return 0;
	rc = instance_new(m, rt, src->app, si, &ii);
	if (rc < 0)
		return rc;
	src->inst = ii;
	src->link = rt->link;
	src->moved = true;
	src->moved_at = m->now;
	m->report->health[SIM_H_MIGRATIONS] += 1;
	if (m->opt->migrations != NULL)
		fprintf(m->opt->migrations, "%.17g,%s/%s,%s,%s,%s,%s\n", sim_to_s(m->now),
			s->apps[src->app].id, s->nodes[src->device].id, s->apps[src->app].id,
			s->nodes[src->move_from].id, s->nodes[rt->node].id, src->move_reason);
	if (old != NONE)
		instance_maybe_close(m, old);
	return 0;
}

/* A stream instance that may move now: open, its stream not moving or
 * cooling down. */
static bool movable(const struct sim *m, uint32_t ii)
{
	const struct instance *in = &m->insts[ii];
	const struct source *src;

	if (!in->active || in->source == NONE)
		return false;
	src = &m->sources[in->source];
	return src->inst == ii && src->frame != UINT64_MAX && !src->migrating &&
	       !cooling(m, src->moved, src->moved_at);
}

/* Adds the part of [rt->state_since, now) inside the measured window to
 * the time node n spent in its state. */
static void state_time(struct sim *m, size_t n)
{
	struct node_rt *rt = &m->nodes[n];
	sim_time_t from = rt->state_since > m->s->warmup ? rt->state_since : m->s->warmup;

	if (m->now > from)
		m->report->state_s[n * HEALTH_STATE_COUNT + rt->state] += sim_to_s(m->now - from);
	rt->state_since = m->now;
}

/* Instance states, then node states and time-series rows, then NLM
 * entry states. */
static void update_states(struct sim *m)
{
	const struct scenario *s = m->s;
	char name[4 * SCN_ID_MAX + 8];

	for (size_t i = 0; i < m->n_insts; i++) {
		struct instance *in = &m->insts[i];
		enum health_state st;

		if (!in->active || !in->lat.has)
			continue;
		st = health_classify(in->lat.value, s->apps[in->app].qos_ms, m->params[PH_WARNING],
				     m->params[PH_CRITICAL]);
		if (st != in->state) {
			instance_name(m, in, name, sizeof(name));
			state_change(m, "instance", name, in->state, st, in->lat.value);
			in->state = st;
		}
	}
	for (size_t n = 0; n < s->n_nodes; n++) {
		struct node_rt *rt = &m->nodes[n];
		double sum = 0, qos = INFINITY;
		size_t k = 0;
		enum health_state st = HEALTH_IDLE;

		if (!is_server(m, n))
			continue;
		/* A node's deadline is the strictest of its apps'. */
		for (size_t i = 0; i < m->n_insts; i++) {
			const struct instance *in = &m->insts[i];

			if (!in->active || in->node != n)
				continue;
			qos = fmin(qos, s->apps[in->app].qos_ms);
			if (in->lat.has) {
				sum += in->lat.value;
				k++;
			}
		}
		rt->avg_ms = k > 0 ? sum / (double)k : 0;
		if (rt->active_instances > 0)
			st = health_classify(rt->avg_ms, qos, m->params[PH_WARNING],
					     m->params[PH_CRITICAL]);
		state_time(m, n);
		if (st != rt->state) {
			state_change(m, "node", s->nodes[n].id, rt->state, st, rt->avg_ms);
			rt->state = st;
		}
		if (m->opt->timeseries != NULL)
			fprintf(m->opt->timeseries, "%.17g,%s,%" PRIu32 ",%.17g,%s,%" PRIu32 "\n",
				sim_to_s(m->now), s->nodes[n].id, rt->active_instances, rt->avg_ms,
				health_state_name(st), rt->frames - rt->busy_instances);
	}
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scn_link *lk = &s->links[l];
		double score;
		enum health_state st;

		if (health_nlm_count(m->nlm, lk->a, lk->b) == 0)
			continue;
		score = nlm_score(m, (uint32_t)l);
		st = health_nlm_state(m->nlm, score);
		if (st != m->link_state[l]) {
			snprintf(name, sizeof(name), "%s~%s", s->nodes[lk->a].id,
				 s->nodes[lk->b].id);
			state_change(m, "link", name, m->link_state[l], st, score);
			m->link_state[l] = st;
		}
	}
}

/* The worst (highest InfLat) movable instance of node n, or NONE. */
static uint32_t worst_instance(const struct sim *m, size_t n)
{
	uint32_t worst = NONE;

	for (size_t i = 0; i < m->n_insts; i++) {
		const struct instance *in = &m->insts[i];

		if (in->node != n || !in->lat.has || !movable(m, (uint32_t)i))
			continue;
		if (worst == NONE || in->lat.value > m->insts[worst].lat.value)
			worst = (uint32_t)i;
	}
	return worst;
}

/* A health check: states, then migrations.  A critical node (not cooling
 * down from its last move) moves its worst stream; on a node that is not
 * critical, each critical stream instance moves on its own. */
static int on_check(struct sim *m)
{
	const struct scenario *s = m->s;
	sim_time_t next = m->now + sim_from_ms(m->params[PH_CHECK_PERIOD_MS]);
	int rc = 0;

	update_states(m);
	for (size_t n = 0; rc == 0 && m->opt->policy->migrate != NULL && n < s->n_nodes; n++) {
		const struct node_rt *rt = &m->nodes[n];

		if (!is_server(m, n))
			continue;
		if (rt->state == HEALTH_CRITICAL) {
			uint32_t w = worst_instance(m, n);

			if (w != NONE && !cooling(m, rt->moved, rt->moved_at))
				rc = migrate(m, w, "node_critical");
			continue;
		}
		for (size_t i = 0; rc == 0 && i < m->n_insts; i++)
			if (m->insts[i].node == n && m->insts[i].state == HEALTH_CRITICAL &&
			    movable(m, (uint32_t)i))
				rc = migrate(m, (uint32_t)i, "app_critical");
	}
	if (rc == 0 && next <= s->duration)
		rc = schedule(m, next, EV_CHECK, 0);
	return rc;
}

/* One probe over every link without one in flight and not in an outage,
 * from its first end: its bytes count, and its delay feeds the NLM when
 * it arrives. */
static int on_probe(struct sim *m)
{
	const struct scenario *s = m->s;
	double bytes = m->params[PH_PROBE_BYTES];
	sim_time_t next = m->now + sim_from_ms(m->params[PH_PROBE_PERIOD_MS]);
	int rc = 0;

	for (size_t l = 0; rc == 0 && l < s->n_links; l++) {
		sim_time_t dt;

		if (m->probe_busy[l] || !link_up(m, (uint32_t)l))
			continue;
		rc = transfer(m, (uint32_t)l, s->links[l].a, bytes, &dt, &m->probe_ms[l]);
		if (rc == 0)
			rc = schedule(m, m->now + dt, EV_PROBE_DONE, (uint32_t)l);
		m->probe_busy[l] = true;
		m->report->health[SIM_H_PROBES] += 1;
		m->report->health[SIM_H_PROBE_BYTES] += bytes;
	}
	if (rc == 0 && next < s->duration)
		rc = schedule(m, next, EV_PROBE, 0);
	return rc;
}

/* The health machinery of a policy with `health`: the NLM, the first
 * check and the first probe. */
static int health_setup(struct sim *m)
{
	const struct scenario *s = m->s;
	struct health_nlm_config cfg = {
	    .weights = {m->params[PH_W1M], m->params[PH_W5M], m->params[PH_W15M]},
	    .warning_ms = m->params[PH_NLM_WARNING_MS],
	    .critical_ms = m->params[PH_NLM_CRITICAL_MS],
	};
	sim_time_t check = sim_from_ms(m->params[PH_CHECK_PERIOD_MS]);
	sim_time_t probe = sim_from_ms(m->params[PH_PROBE_PERIOD_MS]);
	int rc = 0;

	m->nlm = health_nlm_new(s->n_nodes, &cfg);
	m->link_state = calloc(s->n_links + 1, sizeof(*m->link_state));
	m->probe_ms = calloc(s->n_links + 1, sizeof(*m->probe_ms));
	m->probe_busy = calloc(s->n_links + 1, sizeof(*m->probe_busy));
	m->report->state_s = calloc(s->n_nodes * HEALTH_STATE_COUNT, sizeof(double));
	if (m->nlm == NULL || m->link_state == NULL || m->probe_ms == NULL ||
	    m->probe_busy == NULL || m->report->state_s == NULL)
		return oom(m);
	if (check <= s->duration)
		rc = schedule(m, check, EV_CHECK, 0);
	if (rc == 0 && probe > 0 && s->n_links > 0)
		rc = schedule(m, 0, EV_PROBE, 0);
	return rc;
}

/* A link seen from one end: the node at its other end. */
struct link_end {
	uint32_t node, link;
};

static int link_end_cmp(const void *a, const void *b)
{
	const struct link_end *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

/* Node n's neighbours are ends[first[n] .. first[n + 1]), in node order:
 * O(links log degree), so setting up a source costs its device's degree,
 * not the number of nodes. */
static int adjacency(const struct scenario *s, size_t **first, struct link_end **ends)
{
	size_t *f = calloc(s->n_nodes + 2, sizeof(*f));
	struct link_end *e = malloc((2 * s->n_links + 1) * sizeof(*e));

	*first = f;
	*ends = e;
	if (f == NULL || e == NULL)
		return TS_ENOMEM;
	for (size_t l = 0; l < s->n_links; l++) {
		f[s->links[l].a + 2]++;
		f[s->links[l].b + 2]++;
	}
	for (size_t n = 0; n < s->n_nodes; n++)
		f[n + 2] += f[n + 1];
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scn_link *k = &s->links[l];

		e[f[k->a + 1]++] = (struct link_end){.node = (uint32_t)k->b, .link = (uint32_t)l};
		e[f[k->b + 1]++] = (struct link_end){.node = (uint32_t)k->a, .link = (uint32_t)l};
	}
	for (size_t n = 0; n < s->n_nodes; n++)
		qsort(e + f[n], f[n + 1] - f[n], sizeof(*e), link_end_cmp);
	return 0;
}

/* Node n as a route of src when it can run the source's model: the device
 * itself (link NONE), or an edge or cloud node over a link. */
static void add_route(struct sim *m, struct source *src, uint32_t n, uint32_t link)
{
	const struct scenario *s = m->s;
	struct route *rt = &src->routes[src->n_routes];
	const struct scn_accel *acc;

	if (link != NONE && s->nodes[n].tier == TIER_DEVICE)
		return;
	acc = scenario_executor(s, n, s->apps[src->app].model, &rt->table);
	if (acc == NULL)
		return;
	rt->node = n;
	rt->link = link;
	rt->accel = (uint32_t)(acc - s->nodes[n].accels);
	rt->profile = acc->profile;
	rt->lost = false;
	rt->transfer_ms = rt->up_ms = rt->down_ms = 0;
	if (link != NONE) {
		const struct scn_link *l = &s->links[link];
		const struct scn_app *app = &s->apps[src->app];

		rt->up_ms = m->link_estimate_ms[2 * (size_t)link + link_dir(l, src->device)];
		rt->down_ms = m->link_estimate_ms[2 * (size_t)link + 1 - link_dir(l, src->device)];
		rt->transfer_ms = rt->up_ms + rt->down_ms +
				  1e3 * (app->request_bytes + s->models[app->model].output_bytes) /
				      l->bandwidth_Bps;
	}
	/* Measured layer times when its profile has them, else the FLOPs. */
	if (profile_layers(rt->profile, rt->table, &rt->share) == 0)
		rt->share = s->models[s->apps[src->app].model].flops_share;
	src->n_routes++;
}

/* Each app's accumulator and sources, each source with its routes;
 * *max_cands grows to the most routes of a source.  TS_ENOMEM when out of
 * memory. */
static int setup_sources(struct sim *m, size_t *max_cands)
{
	const struct scenario *s = m->s;
	char name[4 * SCN_ID_MAX + 32];
	size_t si = 0, *first;
	struct link_end *ends;
	int rc = adjacency(s, &first, &ends);

	for (size_t a = 0; rc == 0 && a < s->n_apps; a++) {
		const struct scn_app *app = &s->apps[a];

		m->g_apps[a].acc = stats_acc_new();
		if (m->g_apps[a].acc == NULL)
			rc = TS_ENOMEM;
		m->app_open[a] = (uint32_t)app->n_sources;
		for (size_t k = 0; rc == 0 && k < app->n_sources; k++, si++) {
			struct source *src = &m->sources[si];
			uint32_t dev = (uint32_t)app->sources[k];
			size_t e = first[dev];

			src->app = (uint32_t)a;
			src->device = dev;
			src->start = source_start(app, k);
			src->inst = NONE;
			snprintf(name, sizeof(name), "arrivals/%s/%s", app->id, s->nodes[dev].id);
			src->rng = rng_stream_new(m->opt->seed, name);
			src->routes = malloc((first[dev + 1] - e + 1) * sizeof(*src->routes));
			if (src->rng == NULL || src->routes == NULL) {
				rc = TS_ENOMEM;
				break;
			}
			for (; e < first[dev + 1] && ends[e].node < dev; e++)
				add_route(m, src, ends[e].node, ends[e].link);
			add_route(m, src, dev, NONE);
			for (; e < first[dev + 1]; e++)
				add_route(m, src, ends[e].node, ends[e].link);
			if (src->n_routes > *max_cands)
				*max_cands = src->n_routes;
		}
	}
	free(first);
	free(ends);
	return rc;
}

/* The laws estimated last: a scenario of many devices repeats a few link
 * laws over and over, and 4096 draws per direction would dominate its
 * setup.  Equal bytes are the same law (a trace law's pointer is its
 * data), so a hit gives what dist_estimate() would. */
#define ESTIMATE_CACHE 8

struct estimate_cache {
	const struct dist *law[ESTIMATE_CACHE];
	double ms[ESTIMATE_CACHE];
	size_t next;
};

static int link_estimate(struct estimate_cache *c, const struct dist *law, double *ms)
{
	int rc;

	for (size_t k = 0; k < ESTIMATE_CACHE; k++) {
		if (c->law[k] != NULL && memcmp(c->law[k], law, sizeof(*law)) == 0) {
			*ms = c->ms[k];
			return 0;
		}
	}
	rc = dist_estimate(law, (unsigned long)rng_derive_seed(0, "estimate"), ms);
	if (rc == 0) {
		c->law[c->next] = law;
		c->ms[c->next] = *ms;
		c->next = (c->next + 1) % ESTIMATE_CACHE;
	}
	return rc;
}

static int setup(struct sim *m)
{
	const struct scenario *s = m->s;
	char name[4 * SCN_ID_MAX + 32];
	size_t max_cands = 1;
	struct estimate_cache cache = {0};

	/* A policy named on the command line or in a sweep is not checked
	 * against the apps when the scenario loads. */
	for (size_t a = 0; a < s->n_apps; a++)
		if (m->opt->policy->partition && s->apps[a].workload == WORKLOAD_STREAM)
			return ts_error_set(m->err, TS_EINVALID,
					    "%s: app \"%s\" is a stream, and policy \"%s\" "
					    "places and may split each request on its own: "
					    "expected apps with \"type\": \"poisson\"",
					    s->path, s->apps[a].id, m->opt->policy->name);
	m->q = evq_new();
	m->nodes = calloc(s->n_nodes, sizeof(*m->nodes));
	m->link_rng = calloc(2 * s->n_links + 1, sizeof(*m->link_rng));
	m->link_estimate_ms = calloc(2 * s->n_links + 1, sizeof(*m->link_estimate_ms));
	m->app_open = calloc(s->n_apps, sizeof(*m->app_open));
	m->poisson_inst = malloc(s->n_apps * s->n_nodes * sizeof(*m->poisson_inst));
	m->g_apps = calloc(s->n_apps, sizeof(*m->g_apps));
	m->g_nodes = calloc(s->n_nodes, sizeof(*m->g_nodes));
	m->policy_state = calloc(1, m->opt->policy->state_size + 1);
	m->params = policy_params(m->opt->policy, s, m->param_defaults);
	snprintf(name, sizeof(name), "policy/%s", m->opt->policy->name);
	m->policy_rng = rng_stream_new(m->opt->seed, name);
	m->free_req = NONE;
	for (size_t a = 0; a < s->n_apps; a++)
		m->n_sources += s->apps[a].n_sources;
	m->sources = calloc(m->n_sources, sizeof(*m->sources));
	if (m->q == NULL || m->nodes == NULL || m->link_rng == NULL ||
	    m->link_estimate_ms == NULL || m->app_open == NULL || m->poisson_inst == NULL ||
	    m->g_apps == NULL || m->g_nodes == NULL || m->policy_state == NULL ||
	    m->policy_rng == NULL || m->sources == NULL)
		return oom(m);
	for (size_t i = 0; i < s->n_apps * s->n_nodes; i++)
		m->poisson_inst[i] = NONE;

	for (size_t n = 0; n < s->n_nodes; n++) {
		snprintf(name, sizeof(name), "service/%s", s->nodes[n].id);
		m->nodes[n].rng = rng_stream_new(m->opt->seed, name);
		if (m->nodes[n].rng == NULL)
			return oom(m);
	}
	for (size_t i = 0; i < 2 * s->n_links; i++) {
		const struct scn_link *l = &s->links[i / 2];
		size_t from = i % 2 == 0 ? l->a : l->b, to = i % 2 == 0 ? l->b : l->a;
		int rc;

		snprintf(name, sizeof(name), "link/%s/%s", s->nodes[from].id, s->nodes[to].id);
		m->link_rng[i] = rng_stream_new(m->opt->seed, name);
		if (m->link_rng[i] == NULL)
			return oom(m);
		/* One fixed seed for every estimate: equal laws get equal
		 * estimates, so "nearest" ties go to node order, and every
		 * replication and policy sees the same estimates. */
		rc = link_estimate(&cache, scenario_link_delay(l, from), &m->link_estimate_ms[i]);
		if (rc == TS_ENOMEM)
			return oom(m);
		if (rc < 0)
			return floor_error(m, l, i % 2);
	}
	for (size_t t = 0; t < TIER_COUNT; t++) {
		m->g_tiers[t].acc = stats_acc_new();
		if (m->g_tiers[t].acc == NULL)
			return oom(m);
	}
	if (setup_sources(m, &max_cands) < 0)
		return oom(m);
	m->cands = calloc(max_cands, sizeof(*m->cands));
	m->cand_route = calloc(max_cands, sizeof(*m->cand_route));
	if (m->cands == NULL || m->cand_route == NULL)
		return oom(m);
	if (s->has_energy) {
		m->report->node_energy = calloc(s->n_nodes, SIM_NE_COUNT_ALL * sizeof(double));
		if (m->report->node_energy == NULL)
			return oom(m);
	}
	if (s->has_battery) {
		m->batteries = calloc(s->n_nodes, sizeof(*m->batteries));
		m->report->battery_empty_s = malloc(s->n_nodes * sizeof(double));
		m->report->battery_left_J = malloc(s->n_nodes * sizeof(double));
		if (m->batteries == NULL || m->report->battery_empty_s == NULL ||
		    m->report->battery_left_J == NULL)
			return oom(m);
		for (size_t n = 0; n < s->n_nodes; n++)
			m->report->battery_empty_s[n] = m->report->battery_left_J[n] = NAN;
	}
	if (s->has_cost) {
		m->report->node_cost = calloc(s->n_nodes, SIM_NC_COUNT_ALL * sizeof(double));
		if (m->report->node_cost == NULL)
			return oom(m);
	}
	if (s->faults.present) {
		int rc = faults_setup(m);

		if (rc < 0)
			return rc;
	}
	return m->opt->policy->health ? health_setup(m) : 0;
}

/* First arrivals: a stream starts at a random phase within its first
 * period, so that devices switched on together do not send in lockstep. */
static int schedule_first_arrivals(struct sim *m)
{
	for (size_t si = 0; si < m->n_sources; si++) {
		struct source *src = &m->sources[si];
		const struct scn_app *app = &m->s->apps[src->app];
		sim_time_t t;

		if (app->workload == WORKLOAD_STREAM) {
			src->phase = sim_from_s(gsl_rng_uniform(src->rng) / app->fps);
			t = src->start + src->phase;
		} else {
			t = src->start +
			    sim_from_s(gsl_ran_exponential(src->rng, 1 / poisson_rate_hz(m, src)));
		}
		if (t < app->stop) {
			int rc = schedule(m, t, EV_ARRIVAL, (uint32_t)si);

			if (rc < 0)
				return rc;
		} else {
			m->now = 0;
			src->frame = UINT64_MAX;
			m->app_open[src->app]--;
		}
	}
	/* A drained run ends when the queue does. */
	return m->s->drain ? 0 : schedule(m, m->s->duration, EV_STOP, 0);
}

/* The measurement window is [warmup, now) once the run has ended. */
static void fill_group(const struct sim *m, const struct group *g, double *out)
{
	double window_s = sim_to_s(m->now - m->s->warmup);
	/* A node without an accumulator measured nothing. */
	size_t n = g->acc != NULL ? stats_acc_count(g->acc) : 0;

	out[SIM_M_COUNT] = (double)n;
	out[SIM_M_MEAN] = n > 0 ? stats_acc_mean(g->acc) : NAN;
	out[SIM_M_P50] = n > 0 ? stats_acc_quantile(g->acc, 0.50) : NAN;
	out[SIM_M_P90] = n > 0 ? stats_acc_quantile(g->acc, 0.90) : NAN;
	out[SIM_M_P95] = n > 0 ? stats_acc_quantile(g->acc, 0.95) : NAN;
	out[SIM_M_P99] = n > 0 ? stats_acc_quantile(g->acc, 0.99) : NAN;
	out[SIM_M_MISS] = n > 0 ? stats_acc_miss_ratio(g->acc) : NAN;
	out[SIM_M_THROUGHPUT] = (double)n / window_s;
	out[SIM_M_UTILISATION] = NAN;
	out[SIM_M_DROP_QUEUE_FULL] = (double)g->dropped[SIM_DROP_QUEUE_FULL];
	out[SIM_M_DROP_NO_NODE] = (double)g->dropped[SIM_DROP_NO_NODE];
}

/* An account's totals (SIM_ENERGY or SIM_COST layout) from its node
 * rows of `parts` values and a total; `count` completed measured
 * requests share it. */
static void fill_account(const struct scenario *s, double *nodes, size_t parts, double count,
			 double *run)
{
	double per = count > 0 ? 1 / count : NAN;

	for (size_t n = 0; n < s->n_nodes; n++) {
		double *row = &nodes[n * (parts + 1)];

		row[parts] = 0;
		for (size_t k = 0; k < parts; k++) {
			row[parts] += row[k];
			run[1 + k] += row[k];
		}
		run[1 + parts + s->nodes[n].tier] += row[parts];
		run[1 + parts + TIER_COUNT] += row[parts];
	}
	for (size_t k = 0; k < 1 + parts + TIER_COUNT; k++)
		run[k] = k == 0 ? run[1 + parts + TIER_COUNT] * per : run[k] * per;
}

/* What nodes spend by themselves over the measured window of window_s
 * seconds (idle power, amortised cost), then the accounts' totals. */
/* The measured completed requests, over the apps. */
static double measured_completed(const struct sim *m)
{
	double count = 0;

	for (size_t a = 0; a < m->s->n_apps; a++)
		count += m->report->apps[a * SIM_M_COUNT_ALL + SIM_M_COUNT];
	return count;
}

static void finish_accounts(struct sim *m, double window_s)
{
	const struct scenario *s = m->s;
	struct sim_report *rep = m->report;
	double count = measured_completed(m);
	for (size_t n = 0; n < s->n_nodes; n++) {
		const struct scn_node *node = &s->nodes[n];
		/* A device out of charge draws nothing from then on. */
		double on_s = window_s;

		if (node->battery_J > 0) {
			/* The run is over: nothing is scheduled any more. */
			(void)battery_draw(m, (uint32_t)n, 0);
			rep->battery_left_J[n] = node->battery_J - m->batteries[n].spent_J;
			if (m->batteries[n].empty)
				on_s = fmax(0, sim_to_s(m->batteries[n].spent_at - s->warmup));
		}
		if (rep->node_energy != NULL)
			rep->node_energy[n * SIM_NE_COUNT_ALL + SIM_NE_IDLE] =
			    (node->energy.cpu_idle_W + node->energy.accel_idle_W) * on_s *
			    (double)node->count;
		if (rep->node_cost != NULL)
			rep->node_cost[n * SIM_NC_COUNT_ALL + SIM_NC_AMORTISED] =
			    node->cost.per_hour_usd * window_s / 3600 * (double)node->count;
	}
	if (rep->node_energy != NULL)
		fill_account(s, rep->node_energy, SIM_NE_TOTAL, count, rep->energy);
	if (rep->node_cost != NULL)
		fill_account(s, rep->node_cost, SIM_NC_TOTAL, count, rep->cost);
}

static void finish_partition(struct sim *m)
{
	double *p = m->report->partition, completed = measured_completed(m);

	p[SIM_P_SPLIT_SHARE] = completed > 0 ? p[SIM_P_SPLIT] / completed : 0;
	p[SIM_P_MEAN_SPLIT_AFTER] =
	    p[SIM_P_SPLIT] > 0 ? p[SIM_P_MEAN_SPLIT_AFTER] / p[SIM_P_SPLIT] : NAN;
}

static int finish(struct sim *m)
{
	const struct scenario *s = m->s;
	struct sim_report *rep = m->report;
	double window_ns;
	double tier_util[TIER_COUNT] = {0};
	size_t tier_nodes[TIER_COUNT] = {0};
	double ended;

	/* A drained run ends with its last request, or at duration_s if that
	 * comes first. */
	if (!s->drain || m->now < s->duration)
		m->now = s->duration;
	window_ns = (double)(m->now - s->warmup);
	rep->apps = malloc(s->n_apps * SIM_M_COUNT_ALL * sizeof(double));
	rep->nodes = malloc(s->n_nodes * SIM_M_COUNT_ALL * sizeof(double));
	rep->availability = malloc(s->n_nodes * sizeof(double));
	if (rep->apps == NULL || rep->nodes == NULL || rep->availability == NULL)
		return oom(m);
	for (size_t a = 0; a < s->n_apps; a++)
		fill_group(m, &m->g_apps[a], &rep->apps[a * SIM_M_COUNT_ALL]);
	for (size_t n = 0; n < s->n_nodes; n++) {
		struct node_rt *rt = &m->nodes[n];
		double util;

		/* Close a busy period still open at the end. */
		if (rt->busy_instances > 0) {
			rt->busy_instances = 1;
			node_busy(m, (uint32_t)n, -1);
		}
		util = (double)rt->busy_ns / window_ns;
		fill_group(m, &m->g_nodes[n], &rep->nodes[n * SIM_M_COUNT_ALL]);
		rep->nodes[n * SIM_M_COUNT_ALL + SIM_M_UTILISATION] = util;
		tier_util[s->nodes[n].tier] += util;
		tier_nodes[s->nodes[n].tier]++;
		if (rep->state_s != NULL && is_server(m, n))
			state_time(m, n);
	}
	for (size_t t = 0; t < TIER_COUNT; t++) {
		fill_group(m, &m->g_tiers[t], rep->tiers[t]);
		rep->tiers[t][SIM_M_UTILISATION] =
		    tier_nodes[t] == 0 ? NAN : tier_util[t] / (double)tier_nodes[t];
	}
	finish_accounts(m, window_ns / 1e9);
	finish_partition(m);
	for (size_t n = 0; n < s->n_nodes; n++)
		rep->availability[n] =
		    1 - (double)(m->nodes[n].down_ns + down_in_window(m, (uint32_t)n)) / window_ns;
	rep->totals[SIM_T_IN_FLIGHT] = (double)m->live;
	ended = rep->totals[SIM_T_COMPLETED] + rep->totals[SIM_T_IN_FLIGHT];
	for (int d = 0; d < SIM_DROP_COUNT; d++)
		ended += rep->totals[SIM_T_DROPPED_QUEUE_FULL + d];
	for (int f = 0; f < SIM_FAIL_COUNT; f++)
		ended += rep->faults[SIM_F_FAILED_NODE_CRASH + f];
	if (ended != rep->totals[SIM_T_CREATED])
		return ts_error_set(m->err, TS_ERUNTIME,
				    "request accounting does not add up: created %.0f, but "
				    "completed + failed + dropped + in flight = %.0f",
				    rep->totals[SIM_T_CREATED], ended);
	/* Requests still in flight are written too, so the CSV has one row
	 * per request created. */
	if (m->opt->requests_csv != NULL || m->opt->trace != NULL) {
		for (size_t i = 0; i < m->cap_reqs; i++)
			if (m->reqs[i].t[ST_CREATED] >= 0)
				record(m, &m->reqs[i], "in_flight", "");
	}
	return m->opt->trace != NULL ? trace_names(m) : 0;
}

static void teardown(struct sim *m)
{
	const struct scenario *s = m->s;

	evq_free(m->q);
	for (size_t n = 0; m->nodes != NULL && n < s->n_nodes; n++) {
		gsl_rng_free(m->nodes[n].rng);
		free(m->nodes[n].lost);
	}
	for (size_t k = 0; m->fault_rng != NULL && k < s->faults.n_nodes; k++)
		gsl_rng_free(m->fault_rng[k]);
	free(m->fault_rng);
	free(m->link_window);
	free(m->batteries);
	for (size_t i = 0; m->link_rng != NULL && i < 2 * s->n_links; i++)
		gsl_rng_free(m->link_rng[i]);
	for (size_t si = 0; m->sources != NULL && si < m->n_sources; si++) {
		gsl_rng_free(m->sources[si].rng);
		free(m->sources[si].routes);
	}
	for (size_t a = 0; m->g_apps != NULL && a < s->n_apps; a++)
		stats_acc_free(m->g_apps[a].acc);
	for (size_t n = 0; m->g_nodes != NULL && n < s->n_nodes; n++)
		stats_acc_free(m->g_nodes[n].acc);
	for (size_t t = 0; t < TIER_COUNT; t++)
		stats_acc_free(m->g_tiers[t].acc);
	gsl_rng_free(m->policy_rng);
	free(m->sources);
	free(m->nodes);
	free(m->link_rng);
	free(m->link_estimate_ms);
	free(m->app_open);
	free(m->poisson_inst);
	free(m->g_apps);
	free(m->g_nodes);
	free(m->policy_state);
	free(m->cands);
	free(m->cand_route);
	health_nlm_free(m->nlm);
	free(m->link_state);
	free(m->probe_ms);
	free(m->probe_busy);
	free(m->insts);
	free(m->reqs);
}

int sim_run(const struct scenario *s, const struct sim_options *opt, struct sim_report *report,
	    struct ts_error *err)
{
	struct sim m = {.s = s, .opt = opt, .err = err, .report = report};
	struct evq_event ev;
	int rc;

	memset(report, 0, sizeof(*report));
	rc = setup(&m);
	if (rc == 0)
		rc = schedule_first_arrivals(&m);
	while (rc == 0 && evq_pop(m.q, &ev)) {
		m.now = ev.time;
		report->totals[SIM_T_EVENTS] += 1;
		/* A power of two: the test is a mask, and the callback's clock
		 * read is paid once per SIM_PROGRESS_EVENTS events. */
		if (opt->progress != NULL &&
		    ((uint64_t)report->totals[SIM_T_EVENTS] & (SIM_PROGRESS_EVENTS - 1)) == 0)
			opt->progress(opt->progress_ctx, m.now,
				      (uint64_t)report->totals[SIM_T_EVENTS]);
		switch ((enum ev_kind)ev.kind) {
		case EV_ARRIVAL:
			rc = on_arrival(&m, ev.obj);
			break;
		case EV_UPLINK_DONE:
			nlm_observe(&m, m.reqs[ev.obj].link, m.reqs[ev.obj].net_ms);
			rc = charge_transfer(&m, &m.reqs[ev.obj], true);
			if (rc == 0)
				rc = arrive_at_instance(&m, ev.obj);
			break;
		case EV_PROBE_DONE:
			m.probe_busy[ev.obj] = false;
			nlm_observe(&m, ev.obj, m.probe_ms[ev.obj]);
			break;
		case EV_MIGRATION_DONE:
			rc = on_migration_done(&m, ev.obj);
			break;
		case EV_NODE_UP:
			rc = on_node_up(&m, ev.obj);
			break;
		case EV_LINK_END:
			on_link_end(&m, ev.obj);
			break;
		case EV_NODE_DOWN:
			rc = on_node_down(&m, ev.obj);
			break;
		case EV_LINK_START:
			rc = on_link_start(&m, ev.obj);
			break;
		case EV_ACCEL_LOSS:
			rc = on_accel_loss(&m, ev.obj);
			break;
		case EV_CHECK:
			rc = on_check(&m);
			break;
		case EV_PROBE:
			rc = on_probe(&m);
			break;
		case EV_SERVICE_DONE:
			rc = on_service_done(&m, ev.obj);
			break;
		case EV_DOWNLINK_DONE:
			nlm_observe(&m, m.reqs[ev.obj].link, m.reqs[ev.obj].net_ms);
			m.reqs[ev.obj].t[ST_DOWNLINK_DONE] = m.now;
			rc = charge_transfer(&m, &m.reqs[ev.obj], false);
			if (rc == 0)
				rc = complete(&m, ev.obj);
			break;
		case EV_BATTERY_EMPTY:
			m.batteries[ev.obj].pending = false;
			battery_empty(&m, ev.obj);
			break;
		case EV_STOP:
			report->totals[SIM_T_EVENTS] -= 1;
			goto stopped;
		}
	}
stopped:
	if (rc == 0)
		rc = finish(&m);
	teardown(&m);
	if (rc < 0)
		sim_report_release(report);
	return rc;
}

void sim_report_release(struct sim_report *report)
{
	free(report->apps);
	free(report->nodes);
	free(report->state_s);
	free(report->availability);
	free(report->node_energy);
	free(report->node_cost);
	free(report->battery_empty_s);
	free(report->battery_left_J);
	report->node_energy = NULL;
	report->node_cost = NULL;
	report->battery_empty_s = NULL;
	report->battery_left_J = NULL;
	report->apps = NULL;
	report->nodes = NULL;
	report->state_s = NULL;
	report->availability = NULL;
}
