/* The command lines of `tiersim calibrate` and `tiersim fidelity`. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate.h"

const char calibrate_usage[] =
    "usage: tiersim calibrate --backend B --model M --frames WxH[,WxH...] -o PROFILE\n"
    "                         [--instances N|LO-HI] [--width W] [--input S] [--threads T]\n"
    "                         [--warmup F] [--iterations F] [--repeats R] [--seed N]\n"
    "                         [--id ID] [--quiet]\n"
    "\n"
    "Runs the model on this machine with a real inference backend and writes a\n"
    "profile (docs/profiles.md) of its measured pre-processing, inference and\n"
    "post-processing times for every frame size and instance count, with the\n"
    "host, backend, load average, date and command in its provenance\n"
    "(docs/calibration.md); then, where the model file lists the network's\n"
    "layers, each layer's inference time at one instance at the first frame size.\n"
    "\n"
    "  --backend B       onednn (CPU), or cudnn, which only probes for a GPU\n"
    "  --model M         mobilenet-ssd-v1 or mobilenet-v1\n"
    "  --frames LIST     synthetic frame sizes, e.g. 600x600,1200x1200\n"
    "  -o PROFILE        the profile file to write\n"
    "  --instances N     concurrent instances, one count or a range (default 1)\n"
    "  --width W         width multiplier in (0, 1] (default 1)\n"
    "  --input S         network input side in pixels (default 300)\n"
    "  --threads T       threads per instance (default: cores / instances, at least 1)\n"
    "  --warmup F        untimed frames per instance first (default 5)\n"
    "  --iterations F    timed frames per instance (default 30)\n"
    "  --repeats R       runs per cell; the least disturbed is kept (default 3)\n"
    "  --seed N          seed of the weights and frames (default 1)\n"
    "  --id ID           the profile's id (default: the file name without .json)\n"
    "  --quiet           no progress line\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure (backend unavailable here), 2 usage\n"
    "error, 3 invalid input\n";

const char fidelity_usage[] =
    "usage: tiersim fidelity --backend B --model M --fps F --duration S [-o DIR]\n"
    "                        [--instances N|LO-HI] [--frame WxH] [--profile PROFILE]\n"
    "                        [calibrate's --width --input --threads --warmup\n"
    "                         --iterations --repeats --seed --quiet]\n"
    "\n"
    "Feeds N concurrent instances of the model F frames per second each for S\n"
    "seconds on this machine, records every frame's latency, simulates the same\n"
    "workload from the profile, and reports per N the measured and simulated\n"
    "p50, p95 and mean, their relative errors and the Kolmogorov-Smirnov\n"
    "distance, into DIR/fidelity.json, fidelity.dat, fidelity.gp and (with\n"
    "gnuplot) fidelity.png (docs/calibration.md).\n"
    "\n"
    "  --fps F           frames per second per instance\n"
    "  --duration S      seconds of timed frames per instance count\n"
    "  -o DIR            results directory (default fidelity)\n"
    "  --instances N     instance counts, one or a range (default 1)\n"
    "  --frame WxH       frame size (default 600x600)\n"
    "  --profile FILE    simulate from this profile; without it the workload is\n"
    "                    calibrated first into DIR/profile.json\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure (backend unavailable here), 2 usage\n"
    "error, 3 invalid input\n";

static int usage(const char *text, const char *fmt, const char *arg)
{
	fprintf(stderr, "tiersim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", text);
	return 2;
}

static bool parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* "WxH" into w, h (1-100000, as in profiles). */
static bool parse_frame(const char *s, int *wh)
{
	char buf[32];
	char *x;

	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (x == NULL)
		return false;
	*x = '\0';
	return parse_int(buf, 1, 100000, &wh[0]) && parse_int(x + 1, 1, 100000, &wh[1]);
}

static bool parse_frames(const char *s, struct calibrate_options *o)
{
	char buf[CALIBRATE_FRAMES_MAX * 16];
	char *p = buf, *tok;

	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	o->n_frames = 0;
	for (; p != NULL; p = tok) {
		tok = strchr(p, ',');
		if (tok != NULL)
			*tok++ = '\0';
		if (o->n_frames == CALIBRATE_FRAMES_MAX || !parse_frame(p, o->frames[o->n_frames]))
			return false;
		o->n_frames++;
	}
	return true;
}

/* "N" or "LO-HI", 1-64. */
static bool parse_instances(const char *s, struct calibrate_options *o)
{
	char buf[32];
	char *dash;

	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash == NULL) {
		if (!parse_int(buf, 1, 64, &o->inst_lo))
			return false;
		o->inst_hi = o->inst_lo;
		return true;
	}
	*dash = '\0';
	return parse_int(buf, 1, 64, &o->inst_lo) && parse_int(dash + 1, 1, 64, &o->inst_hi) &&
	       o->inst_lo <= o->inst_hi;
}

/* The command line in one string, for provenance. */
static char *join(const char *cmd, int argc, char **argv)
{
	size_t size = strlen("tiersim ") + strlen(cmd) + 1;
	char *s;

	for (int i = 0; i < argc; i++)
		size += strlen(argv[i]) + 1;
	s = malloc(size);
	if (s == NULL)
		return NULL;
	snprintf(s, size, "tiersim %s", cmd);
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void defaults(struct calibrate_options *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1;
	o->input_px = 300;
	o->inst_lo = o->inst_hi = 1;
	o->warmup = 5;
	o->iters = 30;
	o->repeats = 3;
	/* A repeat that got less than 80% of the CPU time an idle machine
	 * gives its threads was disturbed (docs/calibration.md). */
	o->min_undisturbed = 0.8;
	o->seed = 1;
	o->warn = stderr;
	o->progress = isatty(2) ? stderr : NULL;
}

/* One option shared by both commands at argv[*i]; 1 when it was one, 0
 * when not, 2 (exit code) after a usage error. */
static int common_option(const char *text, int argc, char **argv, int *i,
			 struct calibrate_options *o)
{
	const char *a = argv[*i], *v;
	uint64_t seed;
	char *end;

	if (strcmp(a, "--quiet") == 0) {
		o->progress = NULL;
		return 1;
	}
	if (strcmp(a, "--backend") != 0 && strcmp(a, "--model") != 0 && strcmp(a, "--width") != 0 &&
	    strcmp(a, "--input") != 0 && strcmp(a, "--threads") != 0 &&
	    strcmp(a, "--warmup") != 0 && strcmp(a, "--iterations") != 0 &&
	    strcmp(a, "--repeats") != 0 && strcmp(a, "--seed") != 0 &&
	    strcmp(a, "--instances") != 0)
		return 0;
	if (*i + 1 >= argc)
		return usage(text, "option %s needs a value", a);
	v = argv[++*i];
	if (strcmp(a, "--backend") == 0)
		o->backend = v;
	else if (strcmp(a, "--model") == 0)
		o->model = v;
	else if (strcmp(a, "--width") == 0 && !parse_num(v, 1e-3, 1, &o->width))
		return usage(text, "--width wants a number in (0, 1], got \"%s\"", v);
	else if (strcmp(a, "--input") == 0 && !parse_int(v, 32, 4096, &o->input_px))
		return usage(text, "--input wants 32 to 4096 pixels, got \"%s\"", v);
	else if (strcmp(a, "--threads") == 0 && !parse_int(v, 1, 1024, &o->threads))
		return usage(text, "--threads wants 1 to 1024, got \"%s\"", v);
	else if (strcmp(a, "--warmup") == 0 && !parse_int(v, 0, 100000, &o->warmup))
		return usage(text, "--warmup wants 0 to 100000 frames, got \"%s\"", v);
	else if (strcmp(a, "--iterations") == 0 && !parse_int(v, 1, 1000000, &o->iters))
		return usage(text, "--iterations wants 1 to 1000000 frames, got \"%s\"", v);
	else if (strcmp(a, "--repeats") == 0 && !parse_int(v, 1, 100, &o->repeats))
		return usage(text, "--repeats wants 1 to 100, got \"%s\"", v);
	else if (strcmp(a, "--instances") == 0 && !parse_instances(v, o))
		return usage(text, "--instances wants N or LO-HI within 1-64, got \"%s\"", v);
	else if (strcmp(a, "--seed") == 0) {
		errno = 0;
		seed = strtoull(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || v[0] == '-')
			return usage(text, "--seed wants a whole number, got \"%s\"", v);
		o->seed = seed;
	}
	return 1;
}

static int check_required(const char *text, const struct calibrate_options *o)
{
	if (o->backend == NULL)
		return usage(text, "%s", "--backend is required");
	if (o->model == NULL)
		return usage(text, "%s", "--model is required");
	return 0;
}

static int finish(int rc, const struct ts_error *err)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "tiersim: %s\n", err->msg);
	return ts_status_exit(rc);
}

int calibrate_cmd(int argc, char **argv)
{
	struct calibrate_options o;
	struct ts_error err = {""};
	const char *out = NULL;
	char id[64], *cmd;
	cJSON *doc;
	int rc;

	defaults(&o);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(calibrate_usage, stdout);
			return 0;
		}
		rc = common_option(calibrate_usage, argc, argv, &i, &o);
		if (rc == 2)
			return rc;
		if (rc == 1)
			continue;
		if (strcmp(a, "--frames") != 0 && strcmp(a, "-o") != 0 && strcmp(a, "--id") != 0)
			return usage(
			    calibrate_usage,
			    a[0] == '-' ? "unknown option %s" : "unexpected argument \"%s\"", a);
		if (i + 1 >= argc)
			return usage(calibrate_usage, "option %s needs a value", a);
		if (strcmp(a, "--frames") == 0 && !parse_frames(argv[i + 1], &o))
			return usage(
			    calibrate_usage,
			    "--frames wants WxH[,WxH...] (at most 16, sides 1-100000), got "
			    "\"%s\"",
			    argv[i + 1]);
		if (strcmp(a, "-o") == 0)
			out = argv[i + 1];
		if (strcmp(a, "--id") == 0)
			o.id = argv[i + 1];
		i++;
	}
	if ((rc = check_required(calibrate_usage, &o)) != 0)
		return rc;
	if (o.n_frames == 0)
		return usage(calibrate_usage, "%s", "--frames is required");
	if (out == NULL)
		return usage(calibrate_usage, "%s", "-o PROFILE is required");
	if (o.id == NULL) {
		const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
		size_t len = strcspn(base, ".");

		snprintf(id, sizeof id, "%.*s", (int)(len < 63 ? len : 63), base);
		o.id = id;
	}
	if (o.id[0] == '\0' || strlen(o.id) > 63)
		return usage(calibrate_usage, "the profile id \"%s\" must be 1-63 bytes", o.id);
	cmd = join("calibrate", argc, argv);
	if (cmd == NULL)
		return finish(ts_error_set(&err, TS_ENOMEM, "out of memory"), &err);
	o.command = cmd;
	rc = calibrate_profile(&o, &doc, &err);
	if (rc == 0)
		rc = calibrate_write_json(out, doc, &err);
	if (rc == 0)
		printf("calibrate: %s\n", out);
	free(cmd);
	return finish(rc, &err);
}

int fidelity_cmd(int argc, char **argv)
{
	struct fidelity_options o = {.dir = "fidelity"};
	struct ts_error err = {""};
	char *cmd;
	int rc;

	defaults(&o.cal);
	o.cal.id = "fidelity";
	o.cal.n_frames = 1;
	o.cal.frames[0][0] = o.cal.frames[0][1] = 600;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(fidelity_usage, stdout);
			return 0;
		}
		rc = common_option(fidelity_usage, argc, argv, &i, &o.cal);
		if (rc == 2)
			return rc;
		if (rc == 1)
			continue;
		if (strcmp(a, "--fps") != 0 && strcmp(a, "--duration") != 0 &&
		    strcmp(a, "-o") != 0 && strcmp(a, "--frame") != 0 &&
		    strcmp(a, "--profile") != 0)
			return usage(
			    fidelity_usage,
			    a[0] == '-' ? "unknown option %s" : "unexpected argument \"%s\"", a);
		if (i + 1 >= argc)
			return usage(fidelity_usage, "option %s needs a value", a);
		v = argv[++i];
		if (strcmp(a, "--fps") == 0 && !parse_num(v, 1e-3, 1e4, &o.fps))
			return usage(fidelity_usage,
				     "--fps wants a number in (0, 10000], got \"%s\"", v);
		if (strcmp(a, "--duration") == 0 && !parse_num(v, 1e-3, 86400, &o.duration_s))
			return usage(fidelity_usage,
				     "--duration wants seconds in (0, 86400], got \"%s\"", v);
		if (strcmp(a, "--frame") == 0 && !parse_frame(v, o.cal.frames[0]))
			return usage(fidelity_usage,
				     "--frame wants WxH (sides 1-100000), got \"%s\"", v);
		if (strcmp(a, "-o") == 0)
			o.dir = v;
		if (strcmp(a, "--profile") == 0)
			o.profile = v;
	}
	if ((rc = check_required(fidelity_usage, &o.cal)) != 0)
		return rc;
	if (o.fps <= 0)
		return usage(fidelity_usage, "%s", "--fps is required");
	if (o.duration_s <= 0)
		return usage(fidelity_usage, "%s", "--duration is required");
	cmd = join("fidelity", argc, argv);
	if (cmd == NULL)
		return finish(ts_error_set(&err, TS_ENOMEM, "out of memory"), &err);
	o.cal.command = cmd;
	rc = fidelity_run(&o, stdout, &err);
	free(cmd);
	return finish(rc, &err);
}
