/* The cuDNN backend's probe.  The CUDA runtime and cuDNN are loaded with
 * dlopen, never linked: tiersim builds where their headers are and runs
 * where they and a GPU are not, saying why the backend is unavailable.
 * The headers give the types and the library versions to load.
 */
#include "backend.h"

#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define STR_(x)	      #x
#define STR(x)	      STR_(x)
#define CUDART_SONAME "libcudart.so." STR(CUDART_MAJOR)
#define CUDNN_SONAME  "libcudnn.so." STR(CUDNN_MAJOR)
#define CUDART_MAJOR  (CUDART_VERSION / 1000)

static char library[64], driver[64], device[64];

/* dlopen by soname, then from the toolkit's lib64 and lib beside the
 * headers the build used. */
static void *load(const char *soname, char *why, size_t size)
{
	static const char *const dirs[] = {"/../lib64/", "/../lib/"};
	char path[512];
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	for (size_t i = 0; h == NULL && i < 2; i++) {
		snprintf(path, sizeof path, "%s%s%s", TIERSIM_CUDA_INCLUDE, dirs[i], soname);
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	if (h == NULL)
		snprintf(why, size, "cannot load %s: %s", soname, dlerror());
	return h;
}

static int cudnn_probe(struct ts_error *err)
{
	cudaError_t (*device_count)(int *), (*driver_version)(int *);
	const char *(*error_string)(cudaError_t);
	size_t (*cudnn_version)(void);
	void *rt, *dnn;
	char why[400];
	int n = 0, v = 0;
	cudaError_t st;

	rt = load(CUDART_SONAME, why, sizeof why);
	if (rt == NULL)
		return ts_error_set(err, TS_ERUNTIME, "unavailable: %s", why);
	*(void **)&device_count = dlsym(rt, "cudaGetDeviceCount");
	*(void **)&driver_version = dlsym(rt, "cudaDriverGetVersion");
	*(void **)&error_string = dlsym(rt, "cudaGetErrorString");
	if (device_count == NULL || driver_version == NULL || error_string == NULL) {
		dlclose(rt);
		return ts_error_set(err, TS_ERUNTIME, "unavailable: %s lacks the runtime API",
				    CUDART_SONAME);
	}
	if (driver_version(&v) != cudaSuccess || v == 0) {
		dlclose(rt);
		return ts_error_set(err, TS_ERUNTIME, "unavailable: no NVIDIA driver is installed");
	}
	st = device_count(&n);
	if (st != cudaSuccess || n < 1) {
		const char *e = st != cudaSuccess ? error_string(st) : "no CUDA device";

		snprintf(why, sizeof why, "%s", e);
		dlclose(rt);
		return ts_error_set(err, TS_ERUNTIME, "unavailable: %s", why);
	}
	dlclose(rt);
	dnn = load(CUDNN_SONAME, why, sizeof why);
	if (dnn == NULL)
		return ts_error_set(err, TS_ERUNTIME, "unavailable: %s", why);
	*(void **)&cudnn_version = dlsym(dnn, "cudnnGetVersion");
	snprintf(library, sizeof library, "cuDNN %zu",
		 cudnn_version != NULL ? cudnn_version() : (size_t)0);
	dlclose(dnn);
	snprintf(driver, sizeof driver, "CUDA driver %d.%d", v / 1000, v % 1000 / 10);
	snprintf(device, sizeof device, "%d CUDA device%s", n, n > 1 ? "s" : "");
	return TS_EOK;
}

static void cudnn_describe(struct backend_info *info)
{
	info->library = library;
	info->isa = device;
	info->driver = driver;
}

const struct backend_ops backend_cudnn = {
    .name = "cudnn",
    .description = "NVIDIA GPU through cuDNN, loaded at run time (probe only: runs no network)",
    .probe = cudnn_probe,
    .describe = cudnn_describe,
};
