#include "backend.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

#if TIERSIM_HAVE_ONEDNN
extern const struct backend_ops backend_onednn;
#endif
#if TIERSIM_HAVE_CUDNN
extern const struct backend_ops backend_cudnn;
#endif

const struct backend_ops *const backend_all[] = {
#if TIERSIM_HAVE_ONEDNN
    &backend_onednn,
#endif
#if TIERSIM_HAVE_CUDNN
    &backend_cudnn,
#endif
    NULL,
};

const struct backend_ops *backend_find(const char *name, struct ts_error *err)
{
	char names[128] = "";
	size_t at = 0;

	for (size_t i = 0; backend_all[i] != NULL; i++) {
		if (strcmp(backend_all[i]->name, name) == 0)
			return backend_all[i];
		at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
				       backend_all[i]->name);
	}
	ts_error_set(err, TS_EINVALID, "unknown backend \"%s\": this tiersim was built with %s",
		     name, at ? names : "no backend (install libdnnl-dev and rebuild)");
	return NULL;
}
