/* libFuzzer harness: the sweep loader (sweep_load) over a small base
 * scenario written beside the input under each name the shipped sweep
 * files use, then the structure a loaded sweep promises: the cartesian
 * product of the parameters' values, one checked scenario per point and
 * labels for every value. */
#include <gsl/gsl_errno.h>
#include <string.h>

#include "fuzz_input.h"
#include "sweep.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Four devices streaming to one edge node: the JSON Pointers of the
 * shipped sweeps (/apps/0/sources, /apps/0/workload/fps, /seed) name
 * something in it. */
static const char base[] =
    "{\"tiersim_scenario\": 1, \"name\": \"fuzz-base\", \"seed\": 3, \"duration_s\": 2,"
    " \"policy\": {\"name\": \"least-loaded\"},"
    " \"models\": [{\"id\": \"mobilenet-ssd-v1\", \"input_bytes\": 270000,"
    " \"output_bytes\": 2400, \"flops\": 2480000000}],"
    " \"nodes\": ["
    "{\"id\": \"rpi1\", \"tier\": \"device\", \"cpu\": {\"cores\": 4, \"ghz\": 1.2},"
    " \"accelerators\": []},"
    "{\"id\": \"rpi2\", \"tier\": \"device\", \"cpu\": {\"cores\": 4, \"ghz\": 1.2},"
    " \"accelerators\": []},"
    "{\"id\": \"rpi3\", \"tier\": \"device\", \"cpu\": {\"cores\": 4, \"ghz\": 1.2},"
    " \"accelerators\": []},"
    "{\"id\": \"rpi4\", \"tier\": \"device\", \"cpu\": {\"cores\": 4, \"ghz\": 1.2},"
    " \"accelerators\": []},"
    "{\"id\": \"up2\", \"tier\": \"edge\", \"cpu\": {\"cores\": 4, \"ghz\": 1.6},"
    " \"accelerators\": [{\"id\": \"vpu\", \"profile\": \"up2-myriadx\"}]}],"
    " \"links\": ["
    "{\"between\": [\"rpi1\", \"up2\"], \"delay\": {\"law\": \"constant\", \"value_ms\": 5},"
    " \"bandwidth_Bps\": 1e7},"
    "{\"between\": [\"rpi2\", \"up2\"], \"delay\": {\"law\": \"constant\", \"value_ms\": 5},"
    " \"bandwidth_Bps\": 1e7},"
    "{\"between\": [\"rpi3\", \"up2\"], \"delay\": {\"law\": \"constant\", \"value_ms\": 5},"
    " \"bandwidth_Bps\": 1e7},"
    "{\"between\": [\"rpi4\", \"up2\"], \"delay\": {\"law\": \"constant\", \"value_ms\": 5},"
    " \"bandwidth_Bps\": 1e7}],"
    " \"apps\": [{\"id\": \"od\", \"model\": \"mobilenet-ssd-v1\", \"sources\": [\"rpi1\"],"
    " \"workload\": {\"type\": \"stream\", \"fps\": 10, \"frame_px\": [600, 600]},"
    " \"qos_ms\": 150}]}";

/* The base scenarios the shipped sweep files name. */
static const char *const base_names[] = {"base.json", "edge-od-heterogeneous.json",
					 "edge-od-overload.json"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gsl_set_error_handler_off();
	return 0;
}

static void check_sweep(const struct sweep *sw)
{
	size_t points = 1;

	fuzz_require(sw->n_policies >= 1 && sw->replications >= 1, "policies and replications");
	for (size_t k = 0; k < sw->n_params; k++) {
		fuzz_require(sw->params[k].n_values >= 1, "every parameter has a value");
		for (size_t v = 0; v < sw->params[k].n_values; v++)
			fuzz_require(sw->params[k].labels[v] != NULL &&
					 sw->params[k].labels[v][0] != '\0',
				     "every value has a label");
		points *= sw->params[k].n_values;
	}
	fuzz_require(sw->n_points == points, "points are the product of the value counts");
	fuzz_require(sw->n_items == points * sw->n_policies * sw->replications,
		     "work items are points x policies x replications");
	for (size_t p = 0; p < sw->n_points; p++) {
		fuzz_require(sw->points[p] != NULL && sw->points[p]->n_nodes >= 1,
			     "every point's scenario is loaded");
		for (size_t k = 0; k < sw->n_params; k++)
			fuzz_require(sweep_value_index(sw, p, k) < sw->params[k].n_values,
				     "value indexes are in range");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_error err = {""};
	struct sweep *sw = NULL;
	const char *file;
	int rc;

	for (size_t i = 0; i < sizeof(base_names) / sizeof(base_names[0]); i++)
		fuzz_input_file(base_names[i], (const uint8_t *)base, sizeof(base) - 1);
	file = fuzz_input_file("sweep.json", data, size);
	rc = sweep_load(file, &sw, &err);
	fuzz_explain(rc, &err);
	fuzz_require(rc == 0 || rc == TS_EINVALID || rc == TS_ESYNTAX || rc == TS_EIO ||
			 rc == TS_ENOMEM,
		     "sweep load status");
	if (rc == 0)
		check_sweep(sw);
	else
		fuzz_require(err.msg[0] != '\0', "a refused sweep says why");
	sweep_free(sw);
	return 0;
}
