/*
 * config.c - the experiment config loader (see config.h): YAML document ->
 * validated struct mc_config, `--set` overrides, and the JSON echo.
 *
 * How it is built: mc_config_load() reads the file with yamlutil, fills the
 * defaults, then decodes section by section; every mapping is checked
 * against its list of allowed keys first, so an unknown key is reported
 * before anything else in that mapping. After decoding, cross-field checks
 * (unique names, trace mappings, drain rules) run on the structs.
 *
 * Overrides: the private source keeps the file path and the list of `--set`
 * overrides applied so far. mc_config_set() reloads the file, applies every
 * override to the document in order plus the new one, and decodes into a
 * fresh struct; only on success does it replace the caller's config. So a
 * rejected override leaves the config exactly as it was, and an accepted one
 * is validated by the same code as the file.
 *
 * Ownership: every pointer in struct mc_config is owned by it; arrays are
 * allocated zeroed with their count set before filling, so a config that
 * failed half-way is always safe to release.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/config.h"
#include "sim/yamlutil.h"

struct mc__config_src {
	int n;
	char **keys, **values;
};

struct ctx {
	struct mc_yaml *y;
	struct mc_yaml_error *err;
	struct mc_config *c;
};

#define TRY(expr)                                                                                  \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_)                                                                           \
			return rc_;                                                                \
	} while (0)

#define MAX_COUNT    10000000 /* agents in a group */
#define MAX_FW_COUNT 100000

static const char *const fw_kinds[] = {"batch", "service", "gang", "trace", NULL};
static const char *const placements[] = {"first_fit", "random_fit", NULL};
static const char *const sorters[] = {"drf", "random", NULL};
static const char *const profiles[] = {"none", "mesos-1.7", NULL};
static const char *const formats[] = {"native", "google2011", "google2019", "alibaba2018",
                                      "swf",    "swim",       NULL};
static const char *const map_bys[] = {"user", "priority", "class", NULL};
static const char *const capabilities[] = {
    "GPU_RESOURCES",      "MULTI_ROLE",   "SHARED_RESOURCES",       "PARTITION_AWARE",
    "TASK_KILLING_STATE", "REGION_AWARE", "RESERVATION_REFINEMENT", NULL};

const char *mc_config_fw_kind_name(enum mc_config_fw_kind k)
{
	return (unsigned)k < 4 ? fw_kinds[k] : "?";
}

const char *mc_config_trace_format_name(enum mc_config_trace_format f)
{
	return (unsigned)f < 6 ? formats[f] : "?";
}

/* ---- defaults ------------------------------------------------------------ */

static void set_min_allocatable_default(struct mc_config_allocator *a)
{
	/* Mesos: --min_allocatable_resources=cpus:0.01|mem:32 */
	memset(a->min_allocatable, 0, sizeof a->min_allocatable);
	a->n_min_allocatable = 2;
	a->min_allocatable[0].q[MC_RES_CPUS] = 10;
	a->min_allocatable[1].q[MC_RES_MEM] = 32 * MC_RES_SCALE;
}

static void network_defaults(struct mc_config_network *n)
{
	n->master_agent = (struct mc_dist){.kind = MC_DIST_CONST, .a = 0.0005};
	n->master_framework = (struct mc_dist){.kind = MC_DIST_CONST, .a = 0.001};
	n->loss = 0.0;
}

void mc_config_init(struct mc_config *c)
{
	memset(c, 0, sizeof *c);
	c->base_dir = mc_xstrdup(".");
	c->name = mc_xstrdup("experiment");
	c->seed = 1;
	c->duration = MC_TIME_NEVER;
	c->max_duration = MC_CONFIG_DEFAULT_MAX_DURATION;
	c->sample_interval = 10 * MC_SEC;

	struct mc_config_allocator *a = &c->allocator;
	a->policy = mc_xstrdup("hierarchical");
	a->role_sorter = mc_xstrdup("drf");
	a->framework_sorter = mc_xstrdup("drf");
	a->allocation_interval = 1 * MC_SEC;
	set_min_allocatable_default(a);
	a->filter_gpu_resources = true;
	a->offer_timeout = 0;

	struct mc_config_master *m = &c->master;
	m->agent_ping_timeout = 15 * MC_SEC;
	m->max_agent_ping_timeouts = 5;
	m->agent_reregister_timeout = 10 * MC_MIN;
	m->framework_failover_timeout = 0;
	m->profile = MC_PROCESSING_NONE;
	m->failover.standbys = 0;
	m->failover.detection_delay = 10 * MC_SEC;
	m->failover.recovery_timeout = 10 * MC_MIN;
	m->failover.agent_recovery_factor = 0.8;

	network_defaults(&c->network);
	c->outputs = (struct mc_config_outputs){
	    .timeseries = true, .tasks = true, .tasks_csv = false, .plots = true, .report = true};
}

static void framework_defaults(struct mc_config_framework *f)
{
	f->kind = MC_FW_BATCH;
	f->role = mc_xstrdup("*");
	f->role_id = MC_ROLE_ANY;
	f->count = 1;
	f->refuse = 5 * MC_SEC;
	f->suppress_when_idle = false;
	f->revive_on_new_work = true;
	f->t_job = 100 * MC_MSEC;
	f->t_task = 5 * MC_MSEC;
	f->placement = MC_PLACE_FIRST_FIT;
	f->failover_timeout = -1;
}

/* ---- release ------------------------------------------------------------- */

static void workload_release(struct mc_config_workload *w)
{
	struct mc_config_synthetic *s = &w->synthetic;
	mc_dist_release(&s->arrival);
	mc_dist_release(&s->tasks_per_job);
	mc_dist_release(&s->task_duration);
	for (int k = 0; k < MC_RES_MAX; k++)
		mc_dist_release(&s->task_res[k]);
	struct mc_config_trace *t = &w->trace;
	free(t->path);
	for (int k = 0; k < t->nrules; k++) {
		free(t->rules[k].match);
		free(t->rules[k].framework);
	}
	free(t->rules);
	free(t->map_default);
	memset(w, 0, sizeof *w);
}

static void src_free(struct mc__config_src *s)
{
	if (!s)
		return;
	for (int k = 0; k < s->n; k++) {
		free(s->keys[k]);
		free(s->values[k]);
	}
	free(s->keys);
	free(s->values);
	free(s);
}

/* Releases everything but the override source. */
static void release_data(struct mc_config *c)
{
	free(c->path);
	free(c->base_dir);
	free(c->name);
	struct mc_config_allocator *a = &c->allocator;
	free(a->policy);
	free(a->role_sorter);
	free(a->framework_sorter);
	for (int k = 0; k < a->n_fair_sharing_excluded; k++)
		free(a->fair_sharing_excluded[k]);
	free(a->fair_sharing_excluded);
	free(a->fair_sharing_excluded_idx);
	for (int k = 0; k < a->nquotas; k++)
		free(a->quotas[k].role);
	free(a->quotas);
	for (int k = 0; k < a->nweights; k++)
		free(a->weights[k].role);
	free(a->weights);

	mc_dist_release(&c->master.per_message);
	mc_dist_release(&c->master.per_run);
	free(c->master.failover.at);

	for (int g = 0; g < c->nagent_groups; g++) {
		struct mc_config_agent_group *ag = &c->agent_groups[g];
		for (int k = 0; k < ag->nattrs; k++) {
			free(ag->attrs[k].key);
			free(ag->attrs[k].value);
		}
		free(ag->attrs);
		free(ag->name_prefix);
		mc_dist_release(&ag->mtbf);
		mc_dist_release(&ag->mttr);
	}
	free(c->agent_groups);

	for (int i = 0; i < c->nframeworks; i++) {
		struct mc_config_framework *f = &c->frameworks[i];
		free(f->name);
		free(f->role);
		workload_release(&f->workload);
	}
	free(c->frameworks);
	workload_release(&c->workload);

	mc_dist_release(&c->network.master_agent);
	mc_dist_release(&c->network.master_framework);
	for (int k = 0; k < c->network.npartitions; k++)
		free(c->network.partitions[k].ranges);
	free(c->network.partitions);
	for (int k = 0; k < c->nfailures; k++) {
		free(c->failures[k].ranges);
		free(c->failures[k].framework);
	}
	free(c->failures);
	for (int k = 0; k < c->nmaintenance; k++)
		free(c->maintenance[k].ranges);
	free(c->maintenance);
	struct mc__config_src *src = c->src;
	memset(c, 0, sizeof *c);
	c->src = src;
}

void mc_config_release(struct mc_config *c)
{
	if (!c)
		return;
	release_data(c);
	src_free(c->src);
	c->src = NULL;
}

/* ---- small decoding helpers --------------------------------------------- */

/* "prefix.key" (or "key" for an empty prefix) into buf, truncated to fit. */
static const char *join(char *buf, size_t n, const char *prefix, const char *key)
{
	size_t used = 0;
	const char *parts[3] = {prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", key};
	for (int k = 0; k < 3; k++)
		for (const char *p = parts[k]; *p && used + 1 < n; p++)
			buf[used++] = *p;
	buf[used] = '\0';
	return buf;
}

static int get_dur(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                   mc_time_t lo, mc_time_t hi, mc_time_t *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	char l[160];
	return v ? mc_yaml_duration(x->y, v, join(l, sizeof l, prefix, key), lo, hi, out, x->err)
	         : 0;
}

/* A duration where "none" (or null) means `none_value`. */
static int get_dur_none(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                        mc_time_t lo, mc_time_t hi, mc_time_t none_value, mc_time_t *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	if (!v)
		return 0;
	const char *s = mc_yaml_scalar(v);
	if (mc_yaml_is_null(v) || (s && !strcmp(s, "none"))) {
		*out = none_value;
		return 0;
	}
	char l[160];
	return mc_yaml_duration(x->y, v, join(l, sizeof l, prefix, key), lo, hi, out, x->err);
}

static int get_int(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                   int64_t lo, int64_t hi, int *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	if (!v)
		return 0;
	char l[160];
	int64_t t;
	TRY(mc_yaml_int(x->y, v, join(l, sizeof l, prefix, key), lo, hi, &t, x->err));
	*out = (int)t;
	return 0;
}

static int get_double(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                      double lo, double hi, double *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	char l[160];
	return v ? mc_yaml_double(x->y, v, join(l, sizeof l, prefix, key), lo, hi, out, x->err) : 0;
}

static int get_bool(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                    bool *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	char l[160];
	return v ? mc_yaml_bool(x->y, v, join(l, sizeof l, prefix, key), out, x->err) : 0;
}

static int get_enum(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                    const char *const *names, int *out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	char l[160];
	return v ? mc_yaml_enum(x->y, v, join(l, sizeof l, prefix, key), names, out, x->err) : 0;
}

/* Replaces *out with a copy of the string at `key`, if present. */
static int get_str(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                   char **out)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	if (!v)
		return 0;
	char l[160];
	const char *s;
	TRY(mc_yaml_string(x->y, v, join(l, sizeof l, prefix, key), &s, x->err));
	free(*out);
	*out = mc_xstrdup(s);
	return 0;
}

/* A distribution; "none"/null clears *has (when has != NULL). */
static int get_dist(struct ctx *x, const yaml_node_t *map, const char *prefix, const char *key,
                    int flags, struct mc_dist *out, bool *has)
{
	yaml_node_t *v = mc_yaml_get(x->y, map, key);
	if (!v)
		return 0;
	char l[160];
	join(l, sizeof l, prefix, key);
	const char *s = mc_yaml_scalar(v);
	if (has && (mc_yaml_is_null(v) || (s && !strcmp(s, "none")))) {
		*has = false;
		return 0;
	}
	mc_dist_release(out);
	TRY(mc_yaml_dist(x->y, v, l, flags, x->c->base_dir, out, x->err));
	if (has)
		*has = true;
	return 0;
}

/* Resource quantities (no reservations) into a vector. */
static int get_quantities(struct ctx *x, const yaml_node_t *v, const char *what,
                          struct mc_resvec *out)
{
	struct mc_resources r;
	TRY(mc_yaml_resources(x->y, v, what, &r, x->err));
	if (r.nresv)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s: quantities cannot carry a reservation role", what);
	*out = r.unres;
	return 0;
}

/* A valid name for a framework or agent prefix: letters, digits, _ . - */
static bool is_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static int resource_index(struct ctx *x, const yaml_node_t *at, const char *what, const char *name,
                          bool scalar_only)
{
	size_t len = strlen(name);
	int idx = mc_res_lookup(name, len);
	if (idx < 0) {
		if (!is_name(name))
			return mc_yaml_errorf(x->y, at, 0, x->err, MC_EPARSE,
			                      "%s: bad resource name '%s'", what, name);
		idx = mc_res_intern(name, len, MC_RES_SCALAR);
		if (idx < 0)
			return mc_yaml_errorf(x->y, at, 0, x->err, MC_ERANGE,
			                      "%s: cannot add resource '%s': %s", what, name,
			                      mc_strerror(idx));
	}
	if (scalar_only && mc_res_kind_of(idx) != MC_RES_SCALAR)
		return mc_yaml_errorf(x->y, at, 0, x->err, MC_EPARSE,
		                      "%s: resource '%s' is not a scalar", what, name);
	return idx;
}

/* ---- top level and simple sections -------------------------------------- */

static int decode_min_allocatable(struct ctx *x, const yaml_node_t *v, const char *what)
{
	const char *s;
	TRY(mc_yaml_string(x->y, v, what, &s, x->err));
	struct mc_config_allocator *a = &x->c->allocator;
	memset(a->min_allocatable, 0, sizeof a->min_allocatable);
	a->n_min_allocatable = 0;
	const char *p = s;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (a->n_min_allocatable == MC_CONFIG_MIN_ALLOC_MAX)
			return mc_yaml_errorf(x->y, v, (int)(p - s), x->err, MC_ERANGE,
			                      "%s: more than %d alternatives", what,
			                      MC_CONFIG_MIN_ALLOC_MAX);
		char *part = mc_xmalloc(len + 1);
		memcpy(part, p, len);
		part[len] = '\0';
		struct mc_resources r;
		struct mc_parse_error pe = {0};
		int rc = mc_resources_parse(&r, part, &pe);
		bool empty = !rc && mc_resources_is_empty(&r);
		free(part);
		if (rc)
			return mc_yaml_errorf(x->y, v, (int)(p - s) + (pe.col > 0 ? pe.col - 1 : 0),
			                      x->err, MC_EPARSE, "%s: bad resources: %s", what,
			                      pe.msg);
		if (empty || r.nresv)
			return mc_yaml_errorf(x->y, v, (int)(p - s), x->err, MC_EPARSE,
			                      "%s: each alternative must be non-empty, unreserved "
			                      "quantities",
			                      what);
		a->min_allocatable[a->n_min_allocatable++] = r.unres;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

static int decode_allocator(struct ctx *x, const yaml_node_t *m)
{
	static const char *const keys[] = {"policy",
	                                   "role_sorter",
	                                   "framework_sorter",
	                                   "allocation_interval",
	                                   "min_allocatable",
	                                   "fair_sharing_excluded",
	                                   "filter_gpu_resources",
	                                   "offer_timeout",
	                                   "quota",
	                                   "weights",
	                                   NULL};
	const char *P = "allocator";
	struct mc_config_allocator *a = &x->c->allocator;
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));

	yaml_node_t *v = mc_yaml_get(x->y, m, "policy");
	if (v) {
		const char *s;
		TRY(mc_yaml_string(x->y, v, "allocator.policy", &s, x->err));
		if (!is_name(s))
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "allocator.policy: bad policy name '%s'", s);
		free(a->policy);
		a->policy = mc_xstrdup(s);
	}
	int k;
	if ((v = mc_yaml_get(x->y, m, "role_sorter"))) {
		TRY(mc_yaml_enum(x->y, v, "allocator.role_sorter", sorters, &k, x->err));
		free(a->role_sorter);
		a->role_sorter = mc_xstrdup(sorters[k]);
	}
	if ((v = mc_yaml_get(x->y, m, "framework_sorter"))) {
		TRY(mc_yaml_enum(x->y, v, "allocator.framework_sorter", sorters, &k, x->err));
		free(a->framework_sorter);
		a->framework_sorter = mc_xstrdup(sorters[k]);
	}
	TRY(get_dur(x, m, P, "allocation_interval", 1, 24 * MC_HOUR, &a->allocation_interval));
	if ((v = mc_yaml_get(x->y, m, "min_allocatable")))
		TRY(decode_min_allocatable(x, v, "allocator.min_allocatable"));
	if ((v = mc_yaml_get(x->y, m, "fair_sharing_excluded"))) {
		int n = mc_yaml_seq_len(v);
		if (v->type != YAML_SEQUENCE_NODE && !mc_yaml_is_null(v))
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "allocator.fair_sharing_excluded: expected a list of "
			                      "resource names");
		a->fair_sharing_excluded = mc_xcalloc((size_t)n, sizeof(char *));
		a->fair_sharing_excluded_idx = mc_xcalloc((size_t)n, sizeof(int));
		a->n_fair_sharing_excluded = n;
		for (int i = 0; i < n; i++) {
			yaml_node_t *it = mc_yaml_seq_item(x->y, v, i);
			const char *s;
			TRY(mc_yaml_string(x->y, it, "allocator.fair_sharing_excluded", &s,
			                   x->err));
			a->fair_sharing_excluded[i] = mc_xstrdup(s);
			int idx =
			    resource_index(x, it, "allocator.fair_sharing_excluded", s, false);
			if (idx < 0)
				return idx;
			a->fair_sharing_excluded_idx[i] = idx;
		}
	}
	TRY(get_bool(x, m, P, "filter_gpu_resources", &a->filter_gpu_resources));
	TRY(get_dur_none(x, m, P, "offer_timeout", 0, 365 * 24 * MC_HOUR, 0, &a->offer_timeout));

	if ((v = mc_yaml_get(x->y, m, "quota")) && !mc_yaml_is_null(v)) {
		if (v->type != YAML_MAPPING_NODE)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "allocator.quota: expected a mapping of role -> "
			                      "{guarantee, limit}");
		int n = mc_yaml_map_len(v);
		a->quotas = mc_xcalloc((size_t)n, sizeof *a->quotas);
		a->nquotas = n;
		for (int i = 0; i < n; i++) {
			yaml_node_t *kn, *vn;
			mc_yaml_map_pair(x->y, v, i, &kn, &vn);
			const char *role;
			TRY(mc_yaml_string(x->y, kn, "allocator.quota", &role, x->err));
			struct mc_config_quota *q = &a->quotas[i];
			q->role = mc_xstrdup(role);
			if (strchr(role, '/') || mc_role_intern(role, strlen(role)) < 0)
				return mc_yaml_errorf(
				    x->y, kn, 0, x->err, MC_EPARSE,
				    "allocator.quota: '%s' is not a top-level role", role);
			for (int j = 0; j < i; j++)
				if (!strcmp(a->quotas[j].role, role))
					return mc_yaml_errorf(
					    x->y, kn, 0, x->err, MC_EPARSE,
					    "allocator.quota: duplicate role '%s'", role);
			char l[160];
			snprintf(l, sizeof l, "allocator.quota.%s", role);
			static const char *const qkeys[] = {"guarantee", "limit", NULL};
			TRY(mc_yaml_check_map(x->y, vn, l, qkeys, x->err));
			yaml_node_t *g = mc_yaml_get(x->y, vn, "guarantee");
			yaml_node_t *lim = mc_yaml_get(x->y, vn, "limit");
			char l2[200];
			if (g)
				TRY(get_quantities(x, g, join(l2, sizeof l2, l, "guarantee"),
				                   &q->guarantee));
			if (lim) {
				TRY(get_quantities(x, lim, join(l2, sizeof l2, l, "limit"),
				                   &q->limit));
				q->has_limit = true;
				if (!mc_resvec_contains(&q->limit, &q->guarantee))
					return mc_yaml_errorf(x->y, lim, 0, x->err, MC_ERANGE,
					                      "%s: the limit must be at least the "
					                      "guarantee",
					                      l);
			}
		}
	}
	if ((v = mc_yaml_get(x->y, m, "weights")) && !mc_yaml_is_null(v)) {
		if (v->type != YAML_MAPPING_NODE)
			return mc_yaml_errorf(
			    x->y, v, 0, x->err, MC_EPARSE,
			    "allocator.weights: expected a mapping of role -> weight");
		int n = mc_yaml_map_len(v);
		a->weights = mc_xcalloc((size_t)n, sizeof *a->weights);
		a->nweights = n;
		for (int i = 0; i < n; i++) {
			yaml_node_t *kn, *vn;
			mc_yaml_map_pair(x->y, v, i, &kn, &vn);
			const char *role;
			TRY(mc_yaml_string(x->y, kn, "allocator.weights", &role, x->err));
			a->weights[i].role = mc_xstrdup(role);
			if (mc_role_intern(role, strlen(role)) < 0)
				return mc_yaml_errorf(x->y, kn, 0, x->err, MC_EPARSE,
				                      "allocator.weights: bad role '%s'", role);
			for (int j = 0; j < i; j++)
				if (!strcmp(a->weights[j].role, role))
					return mc_yaml_errorf(
					    x->y, kn, 0, x->err, MC_EPARSE,
					    "allocator.weights: duplicate role '%s'", role);
			char l[160];
			snprintf(l, sizeof l, "allocator.weights.%s", role);
			TRY(mc_yaml_double(x->y, vn, l, 1e-9, 1e9, &a->weights[i].weight, x->err));
		}
	}
	return 0;
}

static int cmp_time(const void *pa, const void *pb)
{
	mc_time_t a = *(const mc_time_t *)pa, b = *(const mc_time_t *)pb;
	return (a > b) - (a < b);
}

static int decode_master(struct ctx *x, const yaml_node_t *m)
{
	static const char *const keys[] = {"agent_ping_timeout",
	                                   "max_agent_ping_timeouts",
	                                   "agent_reregister_timeout",
	                                   "framework_failover_timeout",
	                                   "processing",
	                                   "failover",
	                                   NULL};
	const char *P = "master";
	struct mc_config_master *ms = &x->c->master;
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	TRY(get_dur(x, m, P, "agent_ping_timeout", 1, 24 * MC_HOUR, &ms->agent_ping_timeout));
	TRY(get_int(x, m, P, "max_agent_ping_timeouts", 1, 1000, &ms->max_agent_ping_timeouts));
	TRY(get_dur(x, m, P, "agent_reregister_timeout", 1, 365 * 24 * MC_HOUR,
	            &ms->agent_reregister_timeout));
	TRY(get_dur(x, m, P, "framework_failover_timeout", 0, 365 * 24 * MC_HOUR,
	            &ms->framework_failover_timeout));

	yaml_node_t *v;
	if ((v = mc_yaml_get(x->y, m, "processing")) && !mc_yaml_is_null(v)) {
		static const char *const pk[] = {"profile", "per_message", "per_run", NULL};
		const char *Q = "master.processing";
		TRY(mc_yaml_check_map(x->y, v, Q, pk, x->err));
		int prof = (int)ms->profile;
		TRY(get_enum(x, v, Q, "profile", profiles, &prof));
		ms->profile = (enum mc_config_processing_profile)prof;
		TRY(get_dist(x, v, Q, "per_message", MC_DIST_TIME, &ms->per_message,
		             &ms->has_per_message));
		TRY(get_dist(x, v, Q, "per_run", MC_DIST_TIME, &ms->per_run, &ms->has_per_run));
	}
	if ((v = mc_yaml_get(x->y, m, "failover")) && !mc_yaml_is_null(v)) {
		static const char *const fk[] = {"standbys",         "detection_delay",       "at",
		                                 "recovery_timeout", "agent_recovery_factor", NULL};
		const char *Q = "master.failover";
		struct mc_config_failover *f = &ms->failover;
		TRY(mc_yaml_check_map(x->y, v, Q, fk, x->err));
		TRY(get_int(x, v, Q, "standbys", 0, 16, &f->standbys));
		TRY(get_dur(x, v, Q, "detection_delay", 0, 24 * MC_HOUR, &f->detection_delay));
		TRY(get_dur(x, v, Q, "recovery_timeout", 0, 365 * 24 * MC_HOUR,
		            &f->recovery_timeout));
		TRY(get_double(x, v, Q, "agent_recovery_factor", 0, 1, &f->agent_recovery_factor));
		yaml_node_t *at = mc_yaml_get(x->y, v, "at");
		if (at && !mc_yaml_is_null(at)) {
			bool one = at->type == YAML_SCALAR_NODE;
			int n = one ? 1 : mc_yaml_seq_len(at);
			if (!one && at->type != YAML_SEQUENCE_NODE)
				return mc_yaml_errorf(
				    x->y, at, 0, x->err, MC_EPARSE,
				    "master.failover.at: expected a time or a list "
				    "of times");
			f->at = mc_xcalloc((size_t)n, sizeof *f->at);
			f->n_at = n;
			for (int i = 0; i < n; i++) {
				yaml_node_t *it = one ? at : mc_yaml_seq_item(x->y, at, i);
				TRY(mc_yaml_duration(x->y, it, "master.failover.at", 0,
				                     MC_TIME_NEVER - 1, &f->at[i], x->err));
			}
			qsort(f->at, (size_t)n, sizeof *f->at, cmp_time);
			if (f->standbys == 0 && n > 0)
				return mc_yaml_errorf(x->y, at, 0, x->err, MC_ERANGE,
				                      "master.failover.at: failovers need "
				                      "master.failover.standbys >= 1");
		}
	}
	return 0;
}

/* Checks an attribute template: only {i}, {i%N} and {i/N} with N >= 1. */
static int check_template(struct ctx *x, const yaml_node_t *v, const char *what, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '}')
			return mc_yaml_errorf(x->y, v, (int)(p - s), x->err, MC_EPARSE,
			                      "%s: unmatched '}'", what);
		if (*p != '{')
			continue;
		const char *q = p + 1;
		if (*q != 'i')
			goto bad;
		q++;
		if (*q == '%' || *q == '/') {
			q++;
			if (!isdigit((unsigned char)*q))
				goto bad;
			long long nn = 0;
			while (isdigit((unsigned char)*q) && nn < 1000000000)
				nn = nn * 10 + (*q++ - '0');
			if (nn < 1)
				goto bad;
		}
		if (*q != '}')
			goto bad;
		p = q;
		continue;
	bad:
		return mc_yaml_errorf(x->y, v, (int)(p - s), x->err, MC_EPARSE,
		                      "%s: bad template (use {i}, {i%%N} or {i/N})", what);
	}
	return 0;
}

static int decode_agent_group(struct ctx *x, const yaml_node_t *m, int g)
{
	static const char *const keys[] = {"count", "resources", "attributes", "name_prefix",
	                                   "mtbf",  "mttr",      NULL};
	char P[64];
	snprintf(P, sizeof P, "agents.%d", g);
	struct mc_config_agent_group *ag = &x->c->agent_groups[g];
	ag->line = m->start_mark.index == (size_t)-1 ? 0 : (int)m->start_mark.line + 1;
	ag->name_prefix = mc_xstrdup("agent");
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	char l[160];
	yaml_node_t *v = mc_yaml_get(x->y, m, "count");
	if (!v)
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE, "%s: 'count' is required", P);
	int64_t cnt;
	TRY(mc_yaml_int(x->y, v, join(l, sizeof l, P, "count"), 1, MAX_COUNT, &cnt, x->err));
	ag->count = (int)cnt;
	v = mc_yaml_get(x->y, m, "resources");
	if (!v)
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE, "%s: 'resources' is required",
		                      P);
	TRY(mc_yaml_resources(x->y, v, join(l, sizeof l, P, "resources"), &ag->resources, x->err));
	if (mc_resources_is_empty(&ag->resources))
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_ERANGE, "%s: no resources", l);
	TRY(get_str(x, m, P, "name_prefix", &ag->name_prefix));
	if (!is_name(ag->name_prefix))
		return mc_yaml_errorf(x->y, mc_yaml_get(x->y, m, "name_prefix"), 0, x->err,
		                      MC_EPARSE, "%s.name_prefix: bad name '%s'", P,
		                      ag->name_prefix);
	v = mc_yaml_get(x->y, m, "attributes");
	if (v && !mc_yaml_is_null(v)) {
		if (v->type != YAML_MAPPING_NODE)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "%s.attributes: expected a mapping of name -> value",
			                      P);
		int n = mc_yaml_map_len(v);
		ag->attrs = mc_xcalloc((size_t)n, sizeof *ag->attrs);
		ag->nattrs = n;
		for (int i = 0; i < n; i++) {
			yaml_node_t *kn, *vn;
			mc_yaml_map_pair(x->y, v, i, &kn, &vn);
			const char *ks, *vs;
			snprintf(l, sizeof l, "%s.attributes", P);
			TRY(mc_yaml_string(x->y, kn, l, &ks, x->err));
			ag->attrs[i].key = mc_xstrdup(ks);
			for (int j = 0; j < i; j++)
				if (!strcmp(ag->attrs[j].key, ks))
					return mc_yaml_errorf(x->y, kn, 0, x->err, MC_EPARSE,
					                      "%s: duplicate attribute '%s'", l,
					                      ks);
			snprintf(l, sizeof l, "%s.attributes.%s", P, ks);
			TRY(mc_yaml_string(x->y, vn, l, &vs, x->err));
			ag->attrs[i].value = mc_xstrdup(vs);
			TRY(check_template(x, vn, l, vs));
		}
	}
	TRY(get_dist(x, m, P, "mtbf", MC_DIST_TIME, &ag->mtbf, &ag->has_mtbf));
	TRY(get_dist(x, m, P, "mttr", MC_DIST_TIME, &ag->mttr, &ag->has_mttr));
	if (ag->has_mttr && !ag->has_mtbf)
		return mc_yaml_errorf(x->y, mc_yaml_get(x->y, m, "mttr"), 0, x->err, MC_EPARSE,
		                      "%s.mttr: given without mtbf", P);
	return 0;
}

static int decode_agents(struct ctx *x, const yaml_node_t *v)
{
	yaml_node_t *groups = NULL;
	if (v->type == YAML_MAPPING_NODE) {
		static const char *const keys[] = {"from_trace", "groups", NULL};
		TRY(mc_yaml_check_map(x->y, v, "agents", keys, x->err));
		TRY(get_bool(x, v, "agents", "from_trace", &x->c->agents_from_trace));
		groups = mc_yaml_get(x->y, v, "groups");
		if (groups && mc_yaml_is_null(groups))
			groups = NULL;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		groups = (yaml_node_t *)v;
	} else if (!mc_yaml_is_null(v)) {
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "agents: expected a list of agent groups or "
		                      "{from_trace: true}");
	}
	if (!groups)
		return 0;
	if (groups->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, groups, 0, x->err, MC_EPARSE,
		                      "agents.groups: expected a list of agent groups");
	int n = mc_yaml_seq_len(groups);
	x->c->agent_groups = mc_xcalloc((size_t)n, sizeof *x->c->agent_groups);
	x->c->nagent_groups = n;
	for (int g = 0; g < n; g++)
		TRY(decode_agent_group(x, mc_yaml_seq_item(x->y, groups, g), g));
	return 0;
}

/* ---- workloads ----------------------------------------------------------- */

static int decode_synthetic(struct ctx *x, const yaml_node_t *m, const char *P,
                            struct mc_config_synthetic *s)
{
	static const char *const keys[] = {"arrival",        "jobs",     "tasks_per_job", "task_duration",
	                                   "task_resources", "locality", NULL};
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	s->tasks_per_job = (struct mc_dist){.kind = MC_DIST_CONST, .a = 1};
	static const char *const required[] = {"arrival", "task_duration", "task_resources"};
	for (int k = 0; k < 3; k++)
		if (!mc_yaml_get(x->y, m, required[k]))
			return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE, "%s: '%s' is required",
			                      P, required[k]);
	TRY(get_dist(x, m, P, "arrival", MC_DIST_TIME, &s->arrival, NULL));
	char l[160];
	yaml_node_t *v;
	if (mc_dist_mean(&s->arrival) == 0 && s->arrival.kind == MC_DIST_CONST)
		return mc_yaml_errorf(x->y, mc_yaml_get(x->y, m, "arrival"), 0, x->err, MC_ERANGE,
		                      "%s.arrival: the inter-arrival time must be > 0", P);
	if ((v = mc_yaml_get(x->y, m, "jobs"))) {
		TRY(mc_yaml_int(x->y, v, join(l, sizeof l, P, "jobs"), 0, INT64_MAX / 2, &s->jobs,
		                x->err));
	}
	TRY(get_dist(x, m, P, "tasks_per_job", MC_DIST_PLAIN, &s->tasks_per_job, NULL));
	TRY(get_dist(x, m, P, "task_duration", MC_DIST_TIME, &s->task_duration, NULL));
	v = mc_yaml_get(x->y, m, "task_resources");
	join(l, sizeof l, P, "task_resources");
	if (v->type != YAML_MAPPING_NODE || mc_yaml_map_len(v) == 0)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s: expected a mapping of resource name -> distribution "
		                      "(e.g. {cpus: 1, mem: 'uniform(512, 4096)'})",
		                      l);
	for (int i = 0; i < mc_yaml_map_len(v); i++) {
		yaml_node_t *kn, *vn;
		mc_yaml_map_pair(x->y, v, i, &kn, &vn);
		const char *name;
		TRY(mc_yaml_string(x->y, kn, l, &name, x->err));
		int idx = resource_index(x, kn, l, name, true);
		if (idx < 0)
			return idx;
		if (s->has_task_res[idx])
			return mc_yaml_errorf(x->y, kn, 0, x->err, MC_EPARSE,
			                      "%s: duplicate resource '%s'", l, name);
		char l2[200];
		snprintf(l2, sizeof l2, "%s.%s", l, name);
		TRY(mc_yaml_dist(x->y, vn, l2, MC_DIST_PLAIN, x->c->base_dir, &s->task_res[idx],
		                 x->err));
		s->has_task_res[idx] = true;
	}
	if ((v = mc_yaml_get(x->y, m, "locality"))) {
		static const char *const lk[] = {"replicas", NULL};
		join(l, sizeof l, P, "locality");
		TRY(mc_yaml_check_map(x->y, v, l, lk, x->err));
		yaml_node_t *r = mc_yaml_get(x->y, v, "replicas");
		if (!r)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE, "%s: 'replicas' is required",
			                      l);
		int64_t n;
		char l2[200];
		TRY(mc_yaml_int(x->y, r, join(l2, sizeof l2, l, "replicas"), 1,
		                MC_CONFIG_MAX_LOCALITY_REPLICAS, &n, x->err));
		s->locality_replicas = (int)n;
	}
	return 0;
}

static char *resolve_path(const char *base, const char *p)
{
	if (p[0] == '/' || !base || !*base || !strcmp(base, "."))
		return mc_xstrdup(p);
	size_t n = strlen(base) + strlen(p) + 2;
	char *r = mc_xmalloc(n);
	snprintf(r, n, "%s/%s", base, p);
	return r;
}

static int parse_priority_range(const char *s, int64_t *lo, int64_t *hi)
{
	char *end;
	long long a = strtoll(s, &end, 10);
	if (end == s)
		return -1;
	long long b = a;
	if (*end == '-') {
		const char *q = end + 1;
		b = strtoll(q, &end, 10);
		if (end == q)
			return -1;
	}
	if (*end || b < a)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

static int decode_trace(struct ctx *x, const yaml_node_t *m, const char *P,
                        struct mc_config_trace *t, bool global)
{
	static const char *const gkeys[] = {"path",  "format", "map", "time_scale",
	                                    "start", "end",    NULL};
	static const char *const fkeys[] = {"path", "format", "time_scale", "start", "end", NULL};
	TRY(mc_yaml_check_map(x->y, m, P, global ? gkeys : fkeys, x->err));
	char l[160];
	yaml_node_t *v = mc_yaml_get(x->y, m, "path");
	if (!v)
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE, "%s: 'path' is required", P);
	const char *s;
	TRY(mc_yaml_string(x->y, v, join(l, sizeof l, P, "path"), &s, x->err));
	if (!*s)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE, "%s: empty path", l);
	t->path = resolve_path(x->c->base_dir, s);
	if (!mc_yaml_get(x->y, m, "format"))
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE,
		                      "%s: 'format' is required (one of native, google2011, "
		                      "google2019, alibaba2018, swf, swim)",
		                      P);
	int k = 0;
	TRY(get_enum(x, m, P, "format", formats, &k));
	t->format = (enum mc_config_trace_format)k;
	t->time_scale = 1.0;
	t->start = 0;
	t->end = MC_TIME_NEVER;
	TRY(get_double(x, m, P, "time_scale", 1e-9, 1e9, &t->time_scale));
	TRY(get_dur(x, m, P, "start", 0, MC_TIME_NEVER - 1, &t->start));
	TRY(get_dur_none(x, m, P, "end", 0, MC_TIME_NEVER - 1, MC_TIME_NEVER, &t->end));
	if (t->end <= t->start)
		return mc_yaml_errorf(x->y, mc_yaml_get(x->y, m, "end"), 0, x->err, MC_ERANGE,
		                      "%s.end: must be after start", P);

	yaml_node_t *map = global ? mc_yaml_get(x->y, m, "map") : NULL;
	if (!map || mc_yaml_is_null(map))
		return 0;
	char Q[160];
	join(Q, sizeof Q, P, "map");
	static const char *const mkeys[] = {"by", "rules", "default", NULL};
	TRY(mc_yaml_check_map(x->y, map, Q, mkeys, x->err));
	k = 0;
	TRY(get_enum(x, map, Q, "by", map_bys, &k));
	t->map_by = (enum mc_config_map_by)k;
	TRY(get_str(x, map, Q, "default", &t->map_default));
	yaml_node_t *rules = mc_yaml_get(x->y, map, "rules");
	if (!rules || mc_yaml_is_null(rules))
		return 0;
	if (rules->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, rules, 0, x->err, MC_EPARSE,
		                      "%s.rules: expected a list of {match, framework}", Q);
	int n = mc_yaml_seq_len(rules);
	t->rules = mc_xcalloc((size_t)n, sizeof *t->rules);
	t->nrules = n;
	for (int i = 0; i < n; i++) {
		yaml_node_t *r = mc_yaml_seq_item(x->y, rules, i);
		char R[200];
		snprintf(R, sizeof R, "%s.rules.%d", Q, i);
		static const char *const rkeys[] = {"match", "framework", NULL};
		TRY(mc_yaml_check_map(x->y, r, R, rkeys, x->err));
		struct mc_config_map_rule *rule = &t->rules[i];
		rule->fw_index = -1;
		for (int j = 0; j < 2; j++)
			if (!mc_yaml_get(x->y, r, rkeys[j]))
				return mc_yaml_errorf(x->y, r, 0, x->err, MC_EPARSE,
				                      "%s: '%s' is required", R, rkeys[j]);
		TRY(get_str(x, r, R, "match", &rule->match));
		TRY(get_str(x, r, R, "framework", &rule->framework));
		if (t->map_by == MC_MAP_PRIORITY &&
		    parse_priority_range(rule->match, &rule->lo, &rule->hi))
			return mc_yaml_errorf(
			    x->y, mc_yaml_get(x->y, r, "match"), 0, x->err, MC_EPARSE,
			    "%s.match: expected a priority or a range lo-hi, got '%s'", R,
			    rule->match);
	}
	return 0;
}

static int decode_workload(struct ctx *x, const yaml_node_t *m, const char *P,
                           struct mc_config_workload *w, bool global)
{
	if (mc_yaml_is_null(m))
		return 0;
	static const char *const keys[] = {"synthetic", "trace", NULL};
	static const char *const gkeys[] = {"trace", NULL};
	TRY(mc_yaml_check_map(x->y, m, P, global ? gkeys : keys, x->err));
	yaml_node_t *syn = global ? NULL : mc_yaml_get(x->y, m, "synthetic");
	yaml_node_t *tr = mc_yaml_get(x->y, m, "trace");
	char l[160];
	if (syn && tr)
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE,
		                      "%s: give either 'synthetic' or 'trace', not both", P);
	if (syn) {
		w->kind = MC_WORKLOAD_SYNTHETIC;
		return decode_synthetic(x, syn, join(l, sizeof l, P, "synthetic"), &w->synthetic);
	}
	if (tr) {
		w->kind = MC_WORKLOAD_TRACE;
		return decode_trace(x, tr, join(l, sizeof l, P, "trace"), &w->trace, global);
	}
	return 0;
}

/* ---- frameworks ---------------------------------------------------------- */

static int decode_framework(struct ctx *x, const yaml_node_t *m, int i)
{
	static const char *const keys[] = {"name",
	                                   "kind",
	                                   "role",
	                                   "count",
	                                   "refuse_seconds",
	                                   "suppress_when_idle",
	                                   "revive_on_new_work",
	                                   "decision_time",
	                                   "placement",
	                                   "delay_scheduling",
	                                   "constraints",
	                                   "capabilities",
	                                   "max_attempts",
	                                   "failover_timeout",
	                                   "hold_offers",
	                                   "workload",
	                                   NULL};
	char P[64];
	snprintf(P, sizeof P, "frameworks.%d", i);
	struct mc_config_framework *f = &x->c->frameworks[i];
	framework_defaults(f);
	f->line = m->start_mark.index == (size_t)-1 ? 0 : (int)m->start_mark.line + 1;
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	yaml_node_t *v = mc_yaml_get(x->y, m, "name");
	if (!v)
		return mc_yaml_errorf(x->y, m, 0, x->err, MC_EPARSE, "%s: 'name' is required", P);
	TRY(get_str(x, m, P, "name", &f->name));
	if (!is_name(f->name))
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s.name: bad name '%s' (letters, digits, '_', '-', '.')", P,
		                      f->name);
	int k = 0;
	TRY(get_enum(x, m, P, "kind", fw_kinds, &k));
	f->kind = (enum mc_config_fw_kind)k;
	if ((v = mc_yaml_get(x->y, m, "role"))) {
		TRY(get_str(x, m, P, "role", &f->role));
		int32_t id = mc_role_intern(f->role, strlen(f->role));
		if (id < 0)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "%s.role: bad role '%s'", P, f->role);
		f->role_id = id;
	}
	TRY(get_int(x, m, P, "count", 1, MAX_FW_COUNT, &f->count));
	TRY(get_dur(x, m, P, "refuse_seconds", 0, 365 * 24 * MC_HOUR, &f->refuse));
	TRY(get_bool(x, m, P, "suppress_when_idle", &f->suppress_when_idle));
	TRY(get_bool(x, m, P, "revive_on_new_work", &f->revive_on_new_work));
	char Q[160];
	if ((v = mc_yaml_get(x->y, m, "decision_time")) && !mc_yaml_is_null(v)) {
		static const char *const dk[] = {"per_job", "per_task", NULL};
		join(Q, sizeof Q, P, "decision_time");
		TRY(mc_yaml_check_map(x->y, v, Q, dk, x->err));
		TRY(get_dur(x, v, Q, "per_job", 0, 24 * MC_HOUR, &f->t_job));
		TRY(get_dur(x, v, Q, "per_task", 0, 24 * MC_HOUR, &f->t_task));
	}
	k = (int)f->placement;
	TRY(get_enum(x, m, P, "placement", placements, &k));
	f->placement = (enum mc_config_placement)k;
	if ((v = mc_yaml_get(x->y, m, "delay_scheduling")) && !mc_yaml_is_null(v)) {
		static const char *const dk[] = {"locality_delay", NULL};
		join(Q, sizeof Q, P, "delay_scheduling");
		TRY(mc_yaml_check_map(x->y, v, Q, dk, x->err));
		TRY(get_dur(x, v, Q, "locality_delay", 0, 24 * MC_HOUR, &f->locality_delay));
	}
	if ((v = mc_yaml_get(x->y, m, "constraints")) && !mc_yaml_is_null(v)) {
		static const char *const ck[] = {"unique_host", "rack_spread", NULL};
		join(Q, sizeof Q, P, "constraints");
		TRY(mc_yaml_check_map(x->y, v, Q, ck, x->err));
		TRY(get_bool(x, v, Q, "unique_host", &f->unique_host));
		TRY(get_int(x, v, Q, "rack_spread", 0, 1000000, &f->rack_spread));
	}
	if ((v = mc_yaml_get(x->y, m, "capabilities")) && !mc_yaml_is_null(v)) {
		join(Q, sizeof Q, P, "capabilities");
		if (v->type != YAML_SEQUENCE_NODE)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "%s: expected a list such as [GPU_RESOURCES]", Q);
		for (int j = 0; j < mc_yaml_seq_len(v); j++) {
			int cap;
			TRY(mc_yaml_enum(x->y, mc_yaml_seq_item(x->y, v, j), Q, capabilities, &cap,
			                 x->err));
			if (cap == 0)
				f->gpu_capable = true;
		}
	}
	TRY(get_int(x, m, P, "max_attempts", 0, 1000, &f->max_attempts));
	TRY(get_dur(x, m, P, "failover_timeout", 0, 365 * 24 * MC_HOUR, &f->failover_timeout));
	TRY(get_dur(x, m, P, "hold_offers", 0, 24 * MC_HOUR, &f->hold_offers));
	if ((v = mc_yaml_get(x->y, m, "workload")))
		TRY(decode_workload(x, v, join(Q, sizeof Q, P, "workload"), &f->workload, false));
	return 0;
}

static int decode_frameworks(struct ctx *x, const yaml_node_t *v)
{
	if (mc_yaml_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "frameworks: expected a list of frameworks");
	int n = mc_yaml_seq_len(v);
	x->c->frameworks = mc_xcalloc((size_t)n, sizeof *x->c->frameworks);
	x->c->nframeworks = n;
	for (int i = 0; i < n; i++)
		TRY(decode_framework(x, mc_yaml_seq_item(x->y, v, i), i));
	return 0;
}

/* ---- network and outputs ------------------------------------------------- */

static int parse_agent_ranges(struct ctx *x, const yaml_node_t *v, const char *what, const char *s,
                              struct mc_config_partition *pt)
{
	const char *p = s;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *start = p;
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		long long lo = strtoll(p, &end, 10), hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			hi = strtoll(p, &end, 10);
			p = end;
		}
		while (*p == ' ')
			p++;
		if ((*p && *p != ',') || hi < lo || hi > INT32_MAX)
			goto bad;
		pt->ranges =
		    mc_xrealloc(pt->ranges, (size_t)(pt->nranges + 1) * sizeof *pt->ranges);
		pt->ranges[pt->nranges][0] = (int32_t)lo;
		pt->ranges[pt->nranges][1] = (int32_t)hi;
		pt->nranges++;
		continue;
	bad:
		return mc_yaml_errorf(x->y, v, (int)(start - s), x->err, MC_EPARSE,
		                      "%s: expected agent ids or ranges like \"0-99\"", what);
	}
	return 0;
}

/* `agents`: one string of ids and ranges ("0-9,20") or a list of such. */
static int get_agent_ranges(struct ctx *x, const yaml_node_t *ag, const char *Q,
                            int32_t (**ranges)[2], int *nranges)
{
	char l[96];
	snprintf(l, sizeof l, "%s.agents", Q);
	struct mc_config_partition pt = {0};
	int rc = 0;
	if (ag->type == YAML_SEQUENCE_NODE) {
		for (int j = 0; j < mc_yaml_seq_len(ag) && !rc; j++) {
			yaml_node_t *it = mc_yaml_seq_item(x->y, ag, j);
			const char *s;
			rc = mc_yaml_string(x->y, it, l, &s, x->err);
			if (!rc)
				rc = parse_agent_ranges(x, it, l, s, &pt);
		}
	} else {
		const char *s;
		rc = mc_yaml_string(x->y, ag, l, &s, x->err);
		if (!rc)
			rc = parse_agent_ranges(x, ag, l, s, &pt);
	}
	*ranges = pt.ranges;
	*nranges = pt.nranges;
	if (rc)
		return rc;
	if (pt.nranges == 0)
		return mc_yaml_errorf(x->y, ag, 0, x->err, MC_EPARSE, "%s: no agents", l);
	return 0;
}

static int decode_network(struct ctx *x, const yaml_node_t *m)
{
	static const char *const keys[] = {"master_agent", "master_framework", "loss", "partitions",
	                                   NULL};
	const char *P = "network";
	struct mc_config_network *n = &x->c->network;
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	TRY(get_dist(x, m, P, "master_agent", MC_DIST_TIME, &n->master_agent, NULL));
	TRY(get_dist(x, m, P, "master_framework", MC_DIST_TIME, &n->master_framework, NULL));
	TRY(get_double(x, m, P, "loss", 0, 0.999999, &n->loss));
	yaml_node_t *v = mc_yaml_get(x->y, m, "partitions");
	if (!v || mc_yaml_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "network.partitions: expected a list of {agents, from, to}");
	int cnt = mc_yaml_seq_len(v);
	n->partitions = mc_xcalloc((size_t)cnt, sizeof *n->partitions);
	n->npartitions = cnt;
	for (int i = 0; i < cnt; i++) {
		yaml_node_t *pm = mc_yaml_seq_item(x->y, v, i);
		char Q[64];
		snprintf(Q, sizeof Q, "network.partitions.%d", i);
		static const char *const pk[] = {"agents", "from", "to", NULL};
		TRY(mc_yaml_check_map(x->y, pm, Q, pk, x->err));
		for (int j = 0; j < 3; j++)
			if (!mc_yaml_get(x->y, pm, pk[j]))
				return mc_yaml_errorf(x->y, pm, 0, x->err, MC_EPARSE,
				                      "%s: '%s' is required", Q, pk[j]);
		struct mc_config_partition *pt = &n->partitions[i];
		TRY(get_dur(x, pm, Q, "from", 0, MC_TIME_NEVER - 1, &pt->from));
		TRY(get_dur(x, pm, Q, "to", 0, MC_TIME_NEVER - 1, &pt->to));
		if (pt->to <= pt->from)
			return mc_yaml_errorf(x->y, mc_yaml_get(x->y, pm, "to"), 0, x->err,
			                      MC_ERANGE, "%s.to: must be after 'from'", Q);
		yaml_node_t *ag = mc_yaml_get(x->y, pm, "agents");
		char l[96];
		snprintf(l, sizeof l, "%s.agents", Q);
		if (ag->type == YAML_SEQUENCE_NODE) {
			for (int j = 0; j < mc_yaml_seq_len(ag); j++) {
				yaml_node_t *it = mc_yaml_seq_item(x->y, ag, j);
				const char *s;
				TRY(mc_yaml_string(x->y, it, l, &s, x->err));
				TRY(parse_agent_ranges(x, it, l, s, pt));
			}
		} else {
			const char *s;
			TRY(mc_yaml_string(x->y, ag, l, &s, x->err));
			TRY(parse_agent_ranges(x, ag, l, s, pt));
		}
		if (pt->nranges == 0)
			return mc_yaml_errorf(x->y, ag, 0, x->err, MC_EPARSE, "%s: no agents", l);
	}
	return 0;
}

/* ---- failure injection ---------------------------------------------------- */

static int decode_failures(struct ctx *x, const yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "failures: expected a list of {at, fraction | count | agents}");
	int cnt = mc_yaml_seq_len(v);
	x->c->failures = mc_xcalloc((size_t)cnt, sizeof *x->c->failures);
	x->c->nfailures = cnt;
	for (int i = 0; i < cnt; i++) {
		static const char *const fk[] = {"at",     "fraction",      "count", "agents",
		                                 "framework", "recover_after", NULL};
		yaml_node_t *fm = mc_yaml_seq_item(x->y, v, i);
		struct mc_config_failure *f = &x->c->failures[i];
		char Q[64];
		snprintf(Q, sizeof Q, "failures.%d", i);
		f->recover_after = MC_TIME_NEVER;
		f->line = fm->start_mark.index == (size_t)-1 ? 0 : (int)fm->start_mark.line + 1;
		TRY(mc_yaml_check_map(x->y, fm, Q, fk, x->err));
		if (!mc_yaml_get(x->y, fm, "at"))
			return mc_yaml_errorf(x->y, fm, 0, x->err, MC_EPARSE, "%s: 'at' is required",
			                      Q);
		TRY(get_dur(x, fm, Q, "at", 0, MC_TIME_NEVER - 1, &f->at));
		TRY(get_dur_none(x, fm, Q, "recover_after", 1, MC_TIME_NEVER - 1, MC_TIME_NEVER,
		                 &f->recover_after));
		int given = !!mc_yaml_get(x->y, fm, "fraction") + !!mc_yaml_get(x->y, fm, "count") +
		            !!mc_yaml_get(x->y, fm, "agents") + !!mc_yaml_get(x->y, fm, "framework");
		if (given != 1)
			return mc_yaml_errorf(x->y, fm, 0, x->err, MC_EPARSE,
			                      "%s: give exactly one of 'fraction', 'count', 'agents' "
			                      "or 'framework'",
			                      Q);
		yaml_node_t *fwn = mc_yaml_get(x->y, fm, "framework");
		if (fwn) {
			const char *name;
			char l[80];
			snprintf(l, sizeof l, "%s.framework", Q);
			TRY(mc_yaml_string(x->y, fwn, l, &name, x->err));
			f->framework = mc_xstrdup(name);
		}
		TRY(get_double(x, fm, Q, "fraction", 1e-9, 1.0, &f->fraction));
		TRY(get_int(x, fm, Q, "count", 1, INT32_MAX, &f->count));
		yaml_node_t *ag = mc_yaml_get(x->y, fm, "agents");
		if (ag)
			TRY(get_agent_ranges(x, ag, Q, &f->ranges, &f->nranges));
	}
	return 0;
}

/* ---- maintenance windows ------------------------------------------------------ */

/* `group`: a group's name_prefix (it must name exactly one group) or its
 * 0-based index. */
static int maintenance_group(struct ctx *x, const yaml_node_t *v, const char *Q, int *out)
{
	char l[96];
	snprintf(l, sizeof l, "%s.group", Q);
	if (x->c->agents_from_trace)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s: agents from the trace have no groups (select them "
		                      "with 'agents', 'count' or 'fraction')",
		                      l);
	const char *s;
	TRY(mc_yaml_string(x->y, v, l, &s, x->err));
	bool digits = *s != '\0';
	for (const char *p = s; *p; p++)
		digits &= isdigit((unsigned char)*p) != 0;
	if (digits) {
		long long g = strtoll(s, NULL, 10);
		if (g >= x->c->nagent_groups)
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_ERANGE,
			                      "%s: no agent group %lld (there are %d)", l, g,
			                      x->c->nagent_groups);
		*out = (int)g;
		return 0;
	}
	int hit = -1, hits = 0;
	for (int g = 0; g < x->c->nagent_groups; g++)
		if (!strcmp(x->c->agent_groups[g].name_prefix, s)) {
			hit = g;
			hits++;
		}
	if (hits == 0)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s: no agent group with name_prefix '%s'", l, s);
	if (hits > 1)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "%s: %d agent groups have name_prefix '%s'; give the "
		                      "group's index instead",
		                      l, hits, s);
	*out = hit;
	return 0;
}

static int decode_maintenance(struct ctx *x, const yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
		                      "maintenance: expected a list of {start, duration, group | "
		                      "agents | count | fraction, drain}");
	int cnt = mc_yaml_seq_len(v);
	x->c->maintenance = mc_xcalloc((size_t)cnt, sizeof *x->c->maintenance);
	x->c->nmaintenance = cnt;
	for (int i = 0; i < cnt; i++) {
		static const char *const mk[] = {"start",  "duration", "drain",    "group",
		                                 "agents", "count",    "fraction", NULL};
		yaml_node_t *mm = mc_yaml_seq_item(x->y, v, i);
		struct mc_config_maintenance *w = &x->c->maintenance[i];
		char Q[64];
		snprintf(Q, sizeof Q, "maintenance.%d", i);
		w->group = -1;
		w->line = mm->start_mark.index == (size_t)-1 ? 0 : (int)mm->start_mark.line + 1;
		TRY(mc_yaml_check_map(x->y, mm, Q, mk, x->err));
		for (int k = 0; k < 2; k++)
			if (!mc_yaml_get(x->y, mm, mk[k]))
				return mc_yaml_errorf(x->y, mm, 0, x->err, MC_EPARSE,
				                      "%s: '%s' is required", Q, mk[k]);
		TRY(get_dur(x, mm, Q, "start", 0, MC_TIME_NEVER / 4, &w->start));
		TRY(get_dur(x, mm, Q, "duration", 1, MC_TIME_NEVER / 4, &w->duration));
		TRY(get_dur(x, mm, Q, "drain", 0, MC_TIME_NEVER / 4, &w->drain));
		if (w->drain > w->start)
			return mc_yaml_errorf(x->y, mc_yaml_get(x->y, mm, "drain"), 0, x->err,
			                      MC_ERANGE,
			                      "%s.drain: longer than 'start' (draining would begin "
			                      "before time 0)",
			                      Q);
		yaml_node_t *g = mc_yaml_get(x->y, mm, "group");
		if (g)
			TRY(maintenance_group(x, g, Q, &w->group));
		int given = !!mc_yaml_get(x->y, mm, "fraction") + !!mc_yaml_get(x->y, mm, "count") +
		            !!mc_yaml_get(x->y, mm, "agents");
		if (given > 1 || (given == 0 && !g))
			return mc_yaml_errorf(x->y, mm, 0, x->err, MC_EPARSE,
			                      "%s: give 'group' and/or one of 'agents', 'count' or "
			                      "'fraction'",
			                      Q);
		TRY(get_double(x, mm, Q, "fraction", 1e-9, 1.0, &w->fraction));
		TRY(get_int(x, mm, Q, "count", 1, INT32_MAX, &w->count));
		yaml_node_t *ag = mc_yaml_get(x->y, mm, "agents");
		if (ag)
			TRY(get_agent_ranges(x, ag, Q, &w->ranges, &w->nranges));
	}
	return 0;
}

static int decode_outputs(struct ctx *x, const yaml_node_t *m)
{
	static const char *const keys[] = {"timeseries", "tasks",  "tasks_csv",
	                                   "plots",      "report", NULL};
	const char *P = "outputs";
	struct mc_config_outputs *o = &x->c->outputs;
	TRY(mc_yaml_check_map(x->y, m, P, keys, x->err));
	TRY(get_bool(x, m, P, "timeseries", &o->timeseries));
	TRY(get_bool(x, m, P, "tasks", &o->tasks));
	TRY(get_bool(x, m, P, "tasks_csv", &o->tasks_csv));
	TRY(get_bool(x, m, P, "plots", &o->plots));
	TRY(get_bool(x, m, P, "report", &o->report));
	return 0;
}

/* ---- cross-field validation --------------------------------------------- */

int mc_config_framework_total(const struct mc_config *c)
{
	int t = 0;
	for (int i = 0; i < c->nframeworks; i++)
		t += c->frameworks[i].count;
	return t;
}

int mc_config_framework_name(const struct mc_config *c, int fw, int replica, char *buf, size_t size)
{
	const struct mc_config_framework *f = &c->frameworks[fw];
	if (f->count == 1)
		return snprintf(buf, size, "%s", f->name);
	return snprintf(buf, size, "%s-%d", f->name, replica + 1);
}

int64_t mc_config_agent_total(const struct mc_config *c)
{
	int64_t t = 0;
	for (int g = 0; g < c->nagent_groups; g++)
		t += c->agent_groups[g].count;
	return t;
}

struct fwname {
	char *name;
	int fw, replica;
};

static int cmp_fwname(const void *pa, const void *pb)
{
	return strcmp(((const struct fwname *)pa)->name, ((const struct fwname *)pb)->name);
}

static const struct fwname *find_fw(const struct fwname *names, int n, const char *name)
{
	struct fwname key = {.name = (char *)name};
	return bsearch(&key, names, (size_t)n, sizeof *names, cmp_fwname);
}

/* The node at a dotted path of mapping keys and list indices, for pointing
 * errors found after decoding; falls back to the deepest node found. */
static yaml_node_t *node_at(struct mc_yaml *y, const char *path)
{
	yaml_node_t *cur = mc_yaml_root(y);
	char buf[160];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *tok = buf; tok && cur;) {
		char *dot = strchr(tok, '.');
		if (dot)
			*dot = '\0';
		yaml_node_t *next = NULL;
		if (cur->type == YAML_SEQUENCE_NODE)
			next = mc_yaml_seq_item(y, cur, atoi(tok));
		else
			next = mc_yaml_get(y, cur, tok);
		if (!next)
			break;
		cur = next;
		tok = dot ? dot + 1 : NULL;
	}
	return cur;
}

static int resolve_fw(struct ctx *x, const struct fwname *names, int n, const char *name,
                      const char *path, int *fw, int *replica)
{
	const struct fwname *hit = find_fw(names, n, name);
	if (!hit)
		return mc_yaml_errorf(x->y, node_at(x->y, path), 0, x->err, MC_EPARSE,
		                      "%s: no framework named '%s'", path, name);
	*fw = hit->fw;
	*replica = hit->replica;
	return 0;
}

static int validate(struct ctx *x)
{
	struct mc_config *c = x->c;
	yaml_node_t *root = mc_yaml_root(x->y);
	if (c->nframeworks == 0)
		return mc_yaml_errorf(x->y, root, 0, x->err, MC_EPARSE,
		                      "no frameworks: the experiment needs a 'frameworks' list");
	if (c->nagent_groups == 0 && !c->agents_from_trace)
		return mc_yaml_errorf(x->y, root, 0, x->err, MC_EPARSE,
		                      "no agents: give an 'agents' list of groups or "
		                      "'agents: {from_trace: true}'");
	if (c->agents_from_trace && c->workload.kind != MC_WORKLOAD_TRACE)
		return mc_yaml_errorf(x->y, node_at(x->y, "agents"), 0, x->err, MC_EPARSE,
		                      "agents.from_trace needs a global 'workload: {trace: ...}'");
	int64_t total_agents = mc_config_agent_total(c);
	if (total_agents > INT32_MAX)
		return mc_yaml_errorf(x->y, node_at(x->y, "agents"), 0, x->err, MC_ERANGE,
		                      "agents: too many agents in total (%" PRId64 ")",
		                      total_agents);
	if (c->duration != MC_TIME_NEVER && c->duration > c->max_duration)
		c->max_duration = c->duration;

	/* Expanded framework names must be unique. */
	int total = mc_config_framework_total(c);
	struct fwname *names = mc_xcalloc((size_t)total, sizeof *names);
	int n = 0, rc = 0;
	for (int i = 0; i < c->nframeworks; i++)
		for (int r = 0; r < c->frameworks[i].count; r++) {
			char buf[256];
			mc_config_framework_name(c, i, r, buf, sizeof buf);
			names[n++] = (struct fwname){mc_xstrdup(buf), i, r};
		}
	qsort(names, (size_t)n, sizeof *names, cmp_fwname);
	for (int k = 1; k < n && !rc; k++)
		if (!strcmp(names[k].name, names[k - 1].name)) {
			int i = names[k].fw > names[k - 1].fw ? names[k].fw : names[k - 1].fw;
			char p[64];
			snprintf(p, sizeof p, "frameworks.%d.name", i);
			rc = mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_EPARSE,
			                    "%s: duplicate framework name '%s'", p, names[k].name);
		}

	/* Trace mappings name frameworks that exist. */
	struct mc_config_trace *t = &c->workload.trace;
	if (!rc && c->workload.kind == MC_WORKLOAD_TRACE) {
		for (int k = 0; k < t->nrules && !rc; k++) {
			char p[96];
			snprintf(p, sizeof p, "workload.trace.map.rules.%d.framework", k);
			rc = resolve_fw(x, names, n, t->rules[k].framework, p,
			                &t->rules[k].fw_index, &t->rules[k].fw_replica);
		}
		t->map_default_index = -1;
		if (!rc && t->map_default)
			rc = resolve_fw(x, names, n, t->map_default, "workload.trace.map.default",
			                &t->map_default_index, &t->map_default_replica);
	}
	for (int k = 0; k < n; k++)
		free(names[k].name);
	free(names);
	if (rc)
		return rc;

	/* A framework of kind trace needs a source of jobs. */
	for (int i = 0; i < c->nframeworks; i++) {
		struct mc_config_framework *f = &c->frameworks[i];
		char p[64];
		if (f->kind == MC_FW_TRACE && f->workload.kind == MC_WORKLOAD_NONE &&
		    c->workload.kind != MC_WORKLOAD_TRACE) {
			snprintf(p, sizeof p, "frameworks.%d", i);
			return mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_EPARSE,
			                      "%s: a trace framework needs a trace workload (its "
			                      "own or the global one)",
			                      p);
		}
		if (f->workload.kind == MC_WORKLOAD_SYNTHETIC && f->workload.synthetic.jobs == 0 &&
		    c->duration == MC_TIME_NEVER) {
			snprintf(p, sizeof p, "frameworks.%d.workload.synthetic", i);
			return mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_EPARSE,
			                      "%s: without 'jobs' the workload never drains: give "
			                      "'jobs' or a top-level 'duration'",
			                      p);
		}
	}

	/* Partitions refer to agents that exist (when the config lists them). */
	if (!c->agents_from_trace)
		for (int k = 0; k < c->network.npartitions; k++) {
			struct mc_config_partition *pt = &c->network.partitions[k];
			for (int j = 0; j < pt->nranges; j++)
				if (pt->ranges[j][1] >= total_agents) {
					char p[64];
					snprintf(p, sizeof p, "network.partitions.%d.agents", k);
					return mc_yaml_errorf(
					    x->y, node_at(x->y, p), 0, x->err, MC_ERANGE,
					    "%s: agent %d does not exist (the "
					    "experiment has %" PRId64 " agents)",
					    p, (int)pt->ranges[j][1], total_agents);
				}
		}

	/* Failures name frameworks that exist. */
	for (int k = 0; k < c->nfailures; k++) {
		const struct mc_config_failure *fl = &c->failures[k];
		if (!fl->framework)
			continue;
		bool found = false;
		for (int i = 0; i < c->nframeworks; i++)
			found |= !strcmp(c->frameworks[i].name, fl->framework);
		if (!found) {
			char p[64];
			snprintf(p, sizeof p, "failures.%d.framework", k);
			return mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_EPARSE,
			                      "%s: no framework named '%s'", p, fl->framework);
		}
	}

	/* Failures name agents that exist (when the config lists them). */
	if (!c->agents_from_trace)
		for (int k = 0; k < c->nfailures; k++) {
			const struct mc_config_failure *fl = &c->failures[k];
			char p[64];
			bool bad = fl->count > total_agents;
			for (int j = 0; j < fl->nranges; j++)
				bad |= fl->ranges[j][1] >= total_agents;
			if (!bad)
				continue;
			snprintf(p, sizeof p, "failures.%d.%s", k, fl->count ? "count" : "agents");
			return mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_ERANGE,
			                      "%s: more agents than the experiment has (%" PRId64 ")",
			                      p, total_agents);
		}

	/* Maintenance windows name agents that exist (when the config lists
	 * them): group indices within the group, else agent ids. */
	if (!c->agents_from_trace)
		for (int k = 0; k < c->nmaintenance; k++) {
			const struct mc_config_maintenance *mw = &c->maintenance[k];
			int64_t have =
			    mw->group >= 0 ? c->agent_groups[mw->group].count : total_agents;
			bool bad = mw->count > have;
			for (int j = 0; j < mw->nranges; j++)
				bad |= mw->ranges[j][1] >= have;
			if (!bad)
				continue;
			char p[64];
			snprintf(p, sizeof p, "maintenance.%d.%s", k,
			         mw->count ? "count" : "agents");
			return mc_yaml_errorf(x->y, node_at(x->y, p), 0, x->err, MC_ERANGE,
			                      "%s: more agents than %s has (%" PRId64 ")", p,
			                      mw->group >= 0 ? "the group" : "the experiment",
			                      have);
		}
	return 0;
}

/* ---- the whole document --------------------------------------------------- */

static int decode(struct ctx *x)
{
	static const char *const keys[] = {
	    "name",      "seed",    "duration", "max_duration", "sample_interval",
	    "allocator", "master",  "agents",   "frameworks",   "workload",
	    "network",   "outputs", "failures", "maintenance",  NULL};
	struct mc_config *c = x->c;
	yaml_node_t *root = mc_yaml_root(x->y);
	if (!root || mc_yaml_is_null(root))
		return validate(x);
	TRY(mc_yaml_check_map(x->y, root, "", keys, x->err));
	yaml_node_t *v;
	if ((v = mc_yaml_get(x->y, root, "name"))) {
		TRY(get_str(x, root, "", "name", &c->name));
		if (!is_name(c->name))
			return mc_yaml_errorf(x->y, v, 0, x->err, MC_EPARSE,
			                      "name: bad experiment name '%s' (letters, digits, "
			                      "'_', '-', '.')",
			                      c->name);
	}
	if ((v = mc_yaml_get(x->y, root, "seed")))
		TRY(mc_yaml_uint64(x->y, v, "seed", &c->seed, x->err));
	TRY(get_dur_none(x, root, "", "duration", 1, MC_TIME_NEVER - 1, MC_TIME_NEVER,
	                 &c->duration));
	TRY(get_dur(x, root, "", "max_duration", 1, MC_TIME_NEVER - 1, &c->max_duration));
	TRY(get_dur(x, root, "", "sample_interval", 1, 365 * 24 * MC_HOUR, &c->sample_interval));
	if ((v = mc_yaml_get(x->y, root, "allocator")) && !mc_yaml_is_null(v))
		TRY(decode_allocator(x, v));
	if ((v = mc_yaml_get(x->y, root, "master")) && !mc_yaml_is_null(v))
		TRY(decode_master(x, v));
	if ((v = mc_yaml_get(x->y, root, "agents")))
		TRY(decode_agents(x, v));
	if ((v = mc_yaml_get(x->y, root, "frameworks")))
		TRY(decode_frameworks(x, v));
	if ((v = mc_yaml_get(x->y, root, "workload")))
		TRY(decode_workload(x, v, "workload", &c->workload, true));
	if ((v = mc_yaml_get(x->y, root, "network")) && !mc_yaml_is_null(v))
		TRY(decode_network(x, v));
	if ((v = mc_yaml_get(x->y, root, "outputs")) && !mc_yaml_is_null(v))
		TRY(decode_outputs(x, v));
	if ((v = mc_yaml_get(x->y, root, "failures")) && !mc_yaml_is_null(v))
		TRY(decode_failures(x, v));
	if ((v = mc_yaml_get(x->y, root, "maintenance")) && !mc_yaml_is_null(v))
		TRY(decode_maintenance(x, v));
	return validate(x);
}

static void copy_err(const struct mc_yaml_error *e, char *errbuf, size_t n)
{
	if (errbuf && n)
		snprintf(errbuf, n, "%s", e->msg);
}

/* Fills path, base_dir and the default name from `path`. */
static void set_path_fields(struct mc_config *c, const char *path)
{
	free(c->path);
	free(c->base_dir);
	free(c->name);
	c->path = mc_xstrdup(path);
	const char *slash = strrchr(path, '/');
	if (slash) {
		size_t dl = slash == path ? 1 : (size_t)(slash - path);
		c->base_dir = mc_xmalloc(dl + 1);
		memcpy(c->base_dir, path, dl);
		c->base_dir[dl] = '\0';
	} else {
		c->base_dir = mc_xstrdup(".");
	}
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t nl = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	c->name = mc_xmalloc(nl + 1);
	memcpy(c->name, base, nl);
	c->name[nl] = '\0';
	if (!is_name(c->name)) {
		free(c->name);
		c->name = mc_xstrdup("experiment");
	}
}

/* Loads `path` (or nothing when NULL), applies the overrides of `src` and
 * (key, value) if key != NULL, and decodes into *c. */
static int build(struct mc_config *c, const char *path, const struct mc__config_src *src,
                 const char *key, const char *value, char *errbuf, size_t n)
{
	struct mc_yaml y;
	struct mc_yaml_error e = {{0}};
	mc_config_init(c);
	int rc = path ? mc_yaml_load_file(&y, path, &e)
	              : mc_yaml_load_string(&y, "(defaults)", "", 0, &e);
	if (rc) {
		copy_err(&e, errbuf, n);
		release_data(c);
		return rc;
	}
	if (path)
		set_path_fields(c, path);
	for (int k = 0; src && k < src->n && !rc; k++)
		rc = mc_yaml_set_path(&y, src->keys[k], src->values[k], &e);
	if (!rc && key)
		rc = mc_yaml_set_path(&y, key, value, &e);
	if (!rc) {
		struct ctx x = {.y = &y, .err = &e, .c = c};
		rc = decode(&x);
	}
	if (rc) {
		copy_err(&e, errbuf, n);
		release_data(c);
	}
	mc_yaml_release(&y);
	return rc;
}

int mc_config_load(struct mc_config *c, const char *path, char *errbuf, size_t n)
{
	memset(c, 0, sizeof *c);
	int rc = build(c, path, NULL, NULL, NULL, errbuf, n);
	if (rc)
		return rc;
	c->src = mc_xcalloc(1, sizeof *c->src);
	return 0;
}

int mc_config_set(struct mc_config *c, const char *keypath, const char *value, char *errbuf,
                  size_t n)
{
	struct mc_config tmp;
	memset(&tmp, 0, sizeof tmp);
	int rc = build(&tmp, c->path, c->src, keypath, value, errbuf, n);
	if (rc)
		return rc == MC_EINVAL ? MC_EPARSE : rc;
	struct mc__config_src *src = c->src ? c->src : mc_xcalloc(1, sizeof *src);
	src->keys = mc_xrealloc(src->keys, (size_t)(src->n + 1) * sizeof(char *));
	src->values = mc_xrealloc(src->values, (size_t)(src->n + 1) * sizeof(char *));
	src->keys[src->n] = mc_xstrdup(keypath);
	src->values[src->n] = mc_xstrdup(value);
	src->n++;
	c->src = NULL;
	mc_config_release(c);
	*c = tmp;
	c->src = src;
	return 0;
}

/* ---- attribute templates ------------------------------------------------- */

int mc_config_attr_expand(const char *tmpl, int64_t i, char *buf, size_t size)
{
	size_t len = 0;
#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (len + 1 < size)                                                                \
			buf[len] = (ch);                                                           \
		len++;                                                                             \
	} while (0)
	for (const char *p = tmpl; *p; p++) {
		if (*p == '{' && p[1] == 'i') {
			const char *q = p + 2;
			char op = 0;
			long long nn = 0;
			if (*q == '%' || *q == '/') {
				op = *q++;
				while (isdigit((unsigned char)*q) && nn < 1000000000)
					nn = nn * 10 + (*q++ - '0');
			}
			if (*q == '}' && (!op || nn >= 1)) {
				long long val = op == '%' ? i % nn : op == '/' ? i / nn : i;
				char num[32];
				snprintf(num, sizeof num, "%lld", val);
				for (char *s = num; *s; s++)
					PUT(*s);
				p = q;
				continue;
			}
		}
		PUT(*p);
	}
#undef PUT
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return (int)len;
}

/* ---- JSON echo ----------------------------------------------------------- */

/* `,"agents":"0-9,20"`: inclusive agent ranges as the config writes them. */
static void echo_ranges(FILE *o, int32_t (*ranges)[2], int n)
{
	fputs(",\"agents\":\"", o);
	for (int j = 0; j < n; j++) {
		if (j)
			fputc(',', o);
		if (ranges[j][0] == ranges[j][1])
			fprintf(o, "%d", (int)ranges[j][0]);
		else
			fprintf(o, "%d-%d", (int)ranges[j][0], (int)ranges[j][1]);
	}
	fputc('"', o);
}

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(o, "\\u%04x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

/* Seconds with exactly the microseconds that are there: 0.5, 15, 0.0005. */
static void json_time(FILE *o, mc_time_t t)
{
	if (t == MC_TIME_NEVER) {
		fputs("null", o);
		return;
	}
	long long s = t / MC_SEC, us = t % MC_SEC;
	if (us < 0) {
		us += MC_SEC;
		s -= 1;
	}
	if (!us) {
		fprintf(o, "%lld", s);
		return;
	}
	char frac[8];
	snprintf(frac, sizeof frac, "%06lld", us);
	for (int k = 5; k > 0 && frac[k] == '0'; k--)
		frac[k] = '\0';
	fprintf(o, "%lld.%s", s, frac);
}

static void json_num(FILE *o, double v)
{
	fprintf(o, "%.15g", v);
}

static void json_bool(FILE *o, bool b)
{
	fputs(b ? "true" : "false", o);
}

static void json_dist(FILE *o, const struct mc_dist *d)
{
	char buf[512];
	mc_dist_format(d, buf, sizeof buf);
	json_str(o, buf);
}

static void json_opt_dist(FILE *o, bool has, const struct mc_dist *d)
{
	if (has)
		json_dist(o, d);
	else
		fputs("null", o);
}

static void json_resvec(FILE *o, const struct mc_resvec *v)
{
	char buf[512];
	mc_resvec_format(v, buf, sizeof buf);
	json_str(o, buf);
}

static void json_key(FILE *o, bool *first, const char *k)
{
	if (!*first)
		fputc(',', o);
	*first = false;
	json_str(o, k);
	fputc(':', o);
}

static void echo_workload(FILE *o, const struct mc_config_workload *w)
{
	if (w->kind == MC_WORKLOAD_NONE) {
		fputs("null", o);
		return;
	}
	bool f = true;
	fputc('{', o);
	if (w->kind == MC_WORKLOAD_SYNTHETIC) {
		const struct mc_config_synthetic *s = &w->synthetic;
		json_key(o, &f, "synthetic");
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "arrival");
		json_dist(o, &s->arrival);
		json_key(o, &g, "jobs");
		fprintf(o, "%" PRId64, s->jobs);
		json_key(o, &g, "tasks_per_job");
		json_dist(o, &s->tasks_per_job);
		json_key(o, &g, "task_duration");
		json_dist(o, &s->task_duration);
		json_key(o, &g, "task_resources");
		bool h = true;
		fputc('{', o);
		for (int k = 0; k < MC_RES_MAX; k++)
			if (s->has_task_res[k]) {
				json_key(o, &h, mc_res_name(k));
				json_dist(o, &s->task_res[k]);
			}
		fputc('}', o);
		if (s->locality_replicas) /* echoed only when set: older echoes keep their bytes */
			fprintf(o, ",\"locality\":{\"replicas\":%d}", s->locality_replicas);
		fputc('}', o);
	} else {
		const struct mc_config_trace *t = &w->trace;
		json_key(o, &f, "trace");
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "path");
		json_str(o, t->path);
		json_key(o, &g, "format");
		json_str(o, mc_config_trace_format_name(t->format));
		json_key(o, &g, "map");
		bool h = true;
		fputc('{', o);
		json_key(o, &h, "by");
		json_str(o, map_bys[t->map_by]);
		json_key(o, &h, "rules");
		fputc('[', o);
		for (int k = 0; k < t->nrules; k++) {
			fputs(k ? ",{" : "{", o);
			bool r = true;
			json_key(o, &r, "match");
			json_str(o, t->rules[k].match);
			json_key(o, &r, "framework");
			json_str(o, t->rules[k].framework);
			fputc('}', o);
		}
		fputc(']', o);
		json_key(o, &h, "default");
		if (t->map_default)
			json_str(o, t->map_default);
		else
			fputs("null", o);
		fputc('}', o);
		json_key(o, &g, "time_scale");
		json_num(o, t->time_scale);
		json_key(o, &g, "start");
		json_time(o, t->start);
		json_key(o, &g, "end");
		json_time(o, t->end);
		fputc('}', o);
	}
	fputc('}', o);
}

int mc_config_echo_json(const struct mc_config *c, FILE *o)
{
	bool f = true;
	fputc('{', o);
	json_key(o, &f, "name");
	json_str(o, c->name ? c->name : "");
	json_key(o, &f, "seed");
	fprintf(o, "%" PRIu64, c->seed);
	json_key(o, &f, "duration");
	json_time(o, c->duration);
	json_key(o, &f, "max_duration");
	json_time(o, c->max_duration);
	json_key(o, &f, "sample_interval");
	json_time(o, c->sample_interval);

	const struct mc_config_allocator *a = &c->allocator;
	json_key(o, &f, "allocator");
	{
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "policy");
		json_str(o, a->policy);
		json_key(o, &g, "role_sorter");
		json_str(o, a->role_sorter);
		json_key(o, &g, "framework_sorter");
		json_str(o, a->framework_sorter);
		json_key(o, &g, "allocation_interval");
		json_time(o, a->allocation_interval);
		json_key(o, &g, "min_allocatable");
		{
			char buf[1024];
			size_t used = 0;
			buf[0] = '\0';
			for (int k = 0; k < a->n_min_allocatable && used < sizeof buf; k++) {
				if (k)
					buf[used++] = '|';
				int w = mc_resvec_format(&a->min_allocatable[k], buf + used,
				                         sizeof buf - used);
				used += w > 0 ? (size_t)w : 0;
			}
			if (used >= sizeof buf)
				used = sizeof buf - 1;
			buf[used] = '\0';
			json_str(o, buf);
		}
		json_key(o, &g, "fair_sharing_excluded");
		fputc('[', o);
		for (int k = 0; k < a->n_fair_sharing_excluded; k++) {
			if (k)
				fputc(',', o);
			json_str(o, a->fair_sharing_excluded[k]);
		}
		fputc(']', o);
		json_key(o, &g, "filter_gpu_resources");
		json_bool(o, a->filter_gpu_resources);
		json_key(o, &g, "offer_timeout");
		if (a->offer_timeout)
			json_time(o, a->offer_timeout);
		else
			fputs("null", o);
		json_key(o, &g, "quota");
		fputc('{', o);
		bool h = true;
		for (int k = 0; k < a->nquotas; k++) {
			json_key(o, &h, a->quotas[k].role);
			bool q = true;
			fputc('{', o);
			json_key(o, &q, "guarantee");
			json_resvec(o, &a->quotas[k].guarantee);
			json_key(o, &q, "limit");
			if (a->quotas[k].has_limit)
				json_resvec(o, &a->quotas[k].limit);
			else
				fputs("null", o);
			fputc('}', o);
		}
		fputc('}', o);
		json_key(o, &g, "weights");
		fputc('{', o);
		h = true;
		for (int k = 0; k < a->nweights; k++) {
			json_key(o, &h, a->weights[k].role);
			json_num(o, a->weights[k].weight);
		}
		fputs("}}", o);
	}

	const struct mc_config_master *m = &c->master;
	json_key(o, &f, "master");
	{
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "agent_ping_timeout");
		json_time(o, m->agent_ping_timeout);
		json_key(o, &g, "max_agent_ping_timeouts");
		fprintf(o, "%d", m->max_agent_ping_timeouts);
		json_key(o, &g, "agent_reregister_timeout");
		json_time(o, m->agent_reregister_timeout);
		json_key(o, &g, "framework_failover_timeout");
		json_time(o, m->framework_failover_timeout);
		json_key(o, &g, "processing");
		bool h = true;
		fputc('{', o);
		json_key(o, &h, "profile");
		json_str(o, profiles[m->profile]);
		json_key(o, &h, "per_message");
		json_opt_dist(o, m->has_per_message, &m->per_message);
		json_key(o, &h, "per_run");
		json_opt_dist(o, m->has_per_run, &m->per_run);
		fputc('}', o);
		json_key(o, &g, "failover");
		h = true;
		fputc('{', o);
		json_key(o, &h, "standbys");
		fprintf(o, "%d", m->failover.standbys);
		json_key(o, &h, "detection_delay");
		json_time(o, m->failover.detection_delay);
		json_key(o, &h, "at");
		fputc('[', o);
		for (int k = 0; k < m->failover.n_at; k++) {
			if (k)
				fputc(',', o);
			json_time(o, m->failover.at[k]);
		}
		fputc(']', o);
		json_key(o, &h, "recovery_timeout");
		json_time(o, m->failover.recovery_timeout);
		json_key(o, &h, "agent_recovery_factor");
		json_num(o, m->failover.agent_recovery_factor);
		fputs("}}", o);
	}

	json_key(o, &f, "agents");
	{
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "from_trace");
		json_bool(o, c->agents_from_trace);
		json_key(o, &g, "groups");
		fputc('[', o);
		for (int k = 0; k < c->nagent_groups; k++) {
			const struct mc_config_agent_group *ag = &c->agent_groups[k];
			if (k)
				fputc(',', o);
			bool h = true;
			fputc('{', o);
			json_key(o, &h, "count");
			fprintf(o, "%d", ag->count);
			json_key(o, &h, "resources");
			char buf[1024];
			mc_resources_format(&ag->resources, buf, sizeof buf);
			json_str(o, buf);
			json_key(o, &h, "attributes");
			bool q = true;
			fputc('{', o);
			for (int j = 0; j < ag->nattrs; j++) {
				json_key(o, &q, ag->attrs[j].key);
				json_str(o, ag->attrs[j].value);
			}
			fputc('}', o);
			json_key(o, &h, "name_prefix");
			json_str(o, ag->name_prefix);
			json_key(o, &h, "mtbf");
			json_opt_dist(o, ag->has_mtbf, &ag->mtbf);
			json_key(o, &h, "mttr");
			json_opt_dist(o, ag->has_mttr, &ag->mttr);
			fputc('}', o);
		}
		fputs("]}", o);
	}

	json_key(o, &f, "frameworks");
	fputc('[', o);
	for (int i = 0; i < c->nframeworks; i++) {
		const struct mc_config_framework *fw = &c->frameworks[i];
		if (i)
			fputc(',', o);
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "name");
		json_str(o, fw->name);
		json_key(o, &g, "kind");
		json_str(o, mc_config_fw_kind_name(fw->kind));
		json_key(o, &g, "role");
		json_str(o, fw->role);
		json_key(o, &g, "count");
		fprintf(o, "%d", fw->count);
		json_key(o, &g, "refuse_seconds");
		json_time(o, fw->refuse);
		json_key(o, &g, "suppress_when_idle");
		json_bool(o, fw->suppress_when_idle);
		json_key(o, &g, "revive_on_new_work");
		json_bool(o, fw->revive_on_new_work);
		json_key(o, &g, "decision_time");
		fputs("{\"per_job\":", o);
		json_time(o, fw->t_job);
		fputs(",\"per_task\":", o);
		json_time(o, fw->t_task);
		fputc('}', o);
		json_key(o, &g, "placement");
		json_str(o, placements[fw->placement]);
		json_key(o, &g, "delay_scheduling");
		fputs("{\"locality_delay\":", o);
		json_time(o, fw->locality_delay);
		fputc('}', o);
		json_key(o, &g, "constraints");
		fputs("{\"unique_host\":", o);
		json_bool(o, fw->unique_host);
		fprintf(o, ",\"rack_spread\":%d}", fw->rack_spread);
		json_key(o, &g, "capabilities");
		fputs(fw->gpu_capable ? "[\"GPU_RESOURCES\"]" : "[]", o);
		json_key(o, &g, "max_attempts");
		fprintf(o, "%d", fw->max_attempts);
		if (fw->hold_offers > 0) { /* echoed only when given */
			json_key(o, &g, "hold_offers");
			json_time(o, fw->hold_offers);
		}
		if (fw->failover_timeout >= 0) { /* echoed only when given */
			json_key(o, &g, "failover_timeout");
			json_time(o, fw->failover_timeout);
		}
		json_key(o, &g, "workload");
		echo_workload(o, &fw->workload);
		fputc('}', o);
	}
	fputc(']', o);

	json_key(o, &f, "workload");
	echo_workload(o, &c->workload);

	const struct mc_config_network *n = &c->network;
	json_key(o, &f, "network");
	{
		bool g = true;
		fputc('{', o);
		json_key(o, &g, "master_agent");
		json_dist(o, &n->master_agent);
		json_key(o, &g, "master_framework");
		json_dist(o, &n->master_framework);
		json_key(o, &g, "loss");
		json_num(o, n->loss);
		json_key(o, &g, "partitions");
		fputc('[', o);
		for (int k = 0; k < n->npartitions; k++) {
			const struct mc_config_partition *pt = &n->partitions[k];
			if (k)
				fputc(',', o);
			fputs("{\"agents\":\"", o);
			for (int j = 0; j < pt->nranges; j++) {
				if (j)
					fputc(',', o);
				if (pt->ranges[j][0] == pt->ranges[j][1])
					fprintf(o, "%d", (int)pt->ranges[j][0]);
				else
					fprintf(o, "%d-%d", (int)pt->ranges[j][0],
					        (int)pt->ranges[j][1]);
			}
			fputs("\",\"from\":", o);
			json_time(o, pt->from);
			fputs(",\"to\":", o);
			json_time(o, pt->to);
			fputc('}', o);
		}
		fputs("]}", o);
	}

	/* Echoed only when given, so the config echo (and golden summaries) of
	 * experiments without failures stays as it was. */
	if (c->nfailures > 0) {
		json_key(o, &f, "failures");
		fputc('[', o);
	}
	for (int k = 0; k < c->nfailures; k++) {
		const struct mc_config_failure *fl = &c->failures[k];
		if (k)
			fputc(',', o);
		fputs("{\"at\":", o);
		json_time(o, fl->at);
		if (fl->framework) {
			fputs(",\"framework\":", o);
			json_str(o, fl->framework);
		} else if (fl->fraction > 0) {
			fputs(",\"fraction\":", o);
			json_num(o, fl->fraction);
		} else if (fl->count > 0) {
			fprintf(o, ",\"count\":%d", fl->count);
		} else {
			echo_ranges(o, fl->ranges, fl->nranges);
		}
		fputs(",\"recover_after\":", o);
		json_time(o, fl->recover_after);
		fputc('}', o);
	}
	if (c->nfailures > 0)
		fputc(']', o);

	/* Echoed only when given, as `failures`. */
	if (c->nmaintenance > 0) {
		json_key(o, &f, "maintenance");
		fputc('[', o);
	}
	for (int k = 0; k < c->nmaintenance; k++) {
		const struct mc_config_maintenance *mw = &c->maintenance[k];
		if (k)
			fputc(',', o);
		fputs("{\"start\":", o);
		json_time(o, mw->start);
		fputs(",\"duration\":", o);
		json_time(o, mw->duration);
		fputs(",\"drain\":", o);
		json_time(o, mw->drain);
		if (mw->group >= 0)
			fprintf(o, ",\"group\":%d", mw->group);
		if (mw->fraction > 0) {
			fputs(",\"fraction\":", o);
			json_num(o, mw->fraction);
		} else if (mw->count > 0) {
			fprintf(o, ",\"count\":%d", mw->count);
		} else if (mw->nranges > 0) {
			echo_ranges(o, mw->ranges, mw->nranges);
		}
		fputc('}', o);
	}
	if (c->nmaintenance > 0)
		fputc(']', o);

	const struct mc_config_outputs *out = &c->outputs;
	json_key(o, &f, "outputs");
	fputs("{\"timeseries\":", o);
	json_bool(o, out->timeseries);
	fputs(",\"tasks\":", o);
	json_bool(o, out->tasks);
	fputs(",\"tasks_csv\":", o);
	json_bool(o, out->tasks_csv);
	fputs(",\"plots\":", o);
	json_bool(o, out->plots);
	fputs(",\"report\":", o);
	json_bool(o, out->report);
	fputs("}}", o);
	return ferror(o) ? MC_EIO : 0;
}
