/* Scenario loading at size: writes a scenario of N nodes (N - 10 devices,
 * 10 edge servers), a link from each device to one server, one model and
 * one app whose sources are all the devices, into a temporary file, and
 * prints the time scenario_load() takes to accept it.  Then the same with
 * a link repeated at the end, which the loader must refuse.
 *
 *   build/bench/scenario_load [N ...]   (default 1000 10000 100000)
 *
 * N is at most 100000, the loader's limit per array.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"

#define SERVERS 10

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static cJSON *node(const char *id, const char *tier, const char *profile)
{
	cJSON *n = cJSON_CreateObject(), *cpu, *acc, *accs;

	cJSON_AddStringToObject(n, "id", id);
	cJSON_AddStringToObject(n, "tier", tier);
	cpu = cJSON_AddObjectToObject(n, "cpu");
	cJSON_AddNumberToObject(cpu, "cores", 4);
	cJSON_AddNumberToObject(cpu, "ghz", 1.5);
	accs = cJSON_AddArrayToObject(n, "accelerators");
	acc = cJSON_CreateObject();
	cJSON_AddStringToObject(acc, "id", "acc");
	cJSON_AddStringToObject(acc, "profile", profile);
	cJSON_AddItemToArray(accs, acc);
	return n;
}

static cJSON *link_json(size_t device, size_t server)
{
	cJSON *l = cJSON_CreateObject(), *between, *delay;
	char a[32], b[32];

	snprintf(a, sizeof(a), "dev%zu", device);
	snprintf(b, sizeof(b), "edge%zu", server);
	between = cJSON_AddArrayToObject(l, "between");
	cJSON_AddItemToArray(between, cJSON_CreateString(a));
	cJSON_AddItemToArray(between, cJSON_CreateString(b));
	delay = cJSON_AddObjectToObject(l, "delay");
	cJSON_AddStringToObject(delay, "law", "constant");
	cJSON_AddNumberToObject(delay, "value_ms", 5);
	cJSON_AddNumberToObject(l, "bandwidth_Bps", 1e7);
	return l;
}

/* The scenario as text (malloc'd); with `repeat`, the first link again at
 * the end. */
static char *scenario_text(size_t n_nodes, int repeat)
{
	size_t devices = n_nodes - SERVERS;
	cJSON *root = cJSON_CreateObject(), *models, *model, *nodes, *links, *apps, *app, *sources,
	      *workload, *px, *policy;
	char id[32];
	char *text;

	cJSON_AddNumberToObject(root, "tiersim_scenario", 1);
	cJSON_AddStringToObject(root, "name", "bench-load");
	cJSON_AddNumberToObject(root, "duration_s", 10);
	policy = cJSON_AddObjectToObject(root, "policy");
	cJSON_AddStringToObject(policy, "name", "all-edge");
	models = cJSON_AddArrayToObject(root, "models");
	model = cJSON_CreateObject();
	cJSON_AddStringToObject(model, "id", "mobilenet-ssd-v1");
	cJSON_AddNumberToObject(model, "input_bytes", 270000);
	cJSON_AddNumberToObject(model, "output_bytes", 2400);
	cJSON_AddNumberToObject(model, "flops", 2.48e9);
	cJSON_AddItemToArray(models, model);
	nodes = cJSON_AddArrayToObject(root, "nodes");
	links = cJSON_AddArrayToObject(root, "links");
	apps = cJSON_AddArrayToObject(root, "apps");
	app = cJSON_CreateObject();
	cJSON_AddStringToObject(app, "id", "od");
	cJSON_AddStringToObject(app, "model", "mobilenet-ssd-v1");
	sources = cJSON_AddArrayToObject(app, "sources");
	for (size_t s = 0; s < SERVERS; s++) {
		snprintf(id, sizeof(id), "edge%zu", s);
		cJSON_AddItemToArray(nodes, node(id, "edge", "up2-myriadx"));
	}
	for (size_t d = 0; d < devices; d++) {
		snprintf(id, sizeof(id), "dev%zu", d);
		cJSON_AddItemToArray(nodes, node(id, "device", "rpi3b-cpu"));
		cJSON_AddItemToArray(links, link_json(d, d % SERVERS));
		cJSON_AddItemToArray(sources, cJSON_CreateString(id));
	}
	if (repeat)
		cJSON_AddItemToArray(links, link_json(0, 0));
	workload = cJSON_AddObjectToObject(app, "workload");
	cJSON_AddStringToObject(workload, "type", "poisson");
	cJSON_AddNumberToObject(workload, "rate_hz", 1);
	px = cJSON_AddArrayToObject(workload, "frame_px");
	cJSON_AddItemToArray(px, cJSON_CreateNumber(300));
	cJSON_AddItemToArray(px, cJSON_CreateNumber(300));
	cJSON_AddNumberToObject(app, "qos_ms", 150);
	cJSON_AddItemToArray(apps, app);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

/* Loads the text from a file; returns the seconds it took, or -1. */
static double time_load(const char *path, const char *text, int expect_ok)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	FILE *f = fopen(path, "w");
	double start;
	int rc;

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		return -1;
	start = seconds();
	rc = scenario_load(path, &s, &err);
	start = seconds() - start;
	scenario_free(s);
	if ((rc == 0) != expect_ok) {
		fprintf(stderr, "scenario_load: unexpected result %d: %s\n", rc, err.msg);
		return -1;
	}
	return start;
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {"1000", "10000", "100000"};
	char dir[] = "/tmp/tiersim-bench-XXXXXX", path[64];
	int n_sizes = argc > 1 ? argc - 1 : 3;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	printf("%8s %10s %12s %12s\n", "nodes", "bytes", "accept_s", "refuse_s");
	for (int i = 0; i < n_sizes; i++) {
		long n = atol(argc > 1 ? argv[i + 1] : defaults[i]);
		char *ok, *bad;
		double t_ok, t_bad;

		if (n <= SERVERS || n > 100000) {
			fprintf(stderr, "usage: scenario_load [N ...], %d < N <= 100000\n",
				SERVERS);
			return 2;
		}
		ok = scenario_text((size_t)n, 0);
		bad = scenario_text((size_t)n, 1);
		if (ok == NULL || bad == NULL)
			return 1;
		t_ok = time_load(path, ok, 1);
		t_bad = time_load(path, bad, 0);
		printf("%8ld %10zu %12.3f %12.3f\n", n, strlen(ok), t_ok, t_bad);
		free(ok);
		free(bad);
		if (t_ok < 0 || t_bad < 0)
			return 1;
	}
	unlink(path);
	rmdir(dir);
	return 0;
}
