/*
 * cmd_scenario.c - `mesocosm scenario FILE.yaml... [-v] [--explain]`: runs
 * allocator and sorter scenarios (shared/spec/scenario-format.md) against
 * the allocation core alone, in virtual time.
 *
 * Each file is read twice over the same libyaml document: a checking pass
 * that parses every step and key (any error is reported as FILE:LINE:COL
 * and the file counts as failed with exit status 2, before anything runs),
 * then an executing pass that drives the allocator or sorter. Names of
 * agents, frameworks and sorter clients map to dense ids in order of first
 * appearance (the same in both passes).
 *
 * The host side (struct run): a small timer list (fires by (time, creation
 * order)), the allocator's random source (a GSL stream from
 * mc_rng_new(seed, "allocator")), and the bookkeeping of what each
 * (framework, role, agent) holds offered and allocated, which decline,
 * launch and recover need and expect_allocation checks against the
 * allocator's own query. A run the allocator asks for (request_run) happens
 * right after the step or the timer that asked for it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "mesocosm/alloc.h"
#include "mesocosm/error.h"
#include "mesocosm/rng.h"
#include "mesocosm/sorter.h"
#include "sim/cli.h"
#include "sim/yamlutil.h"

#define MAX_NAMES 4096
#define RESBUF 512

struct names {
	const char *s[MAX_NAMES];
	int n;
};

struct timer {
	mc_time_t at;
	void (*fire)(void *, uint64_t);
	void *obj;
	uint64_t data;
	bool live;
};

struct holding {
	int32_t fw, role, agent;
	struct mc_resources offered, allocated;
};

struct actual {
	int32_t fw, role, agent;
	struct mc_resources res;
};

struct run {
	const char *file;
	struct mc_yaml y;
	struct mc_yaml_error err;
	bool exec, verbose, explain;
	int failures;
	/* allocator kind */
	struct mc_allocator *a;
	mc_time_t now;
	bool run_pending;
	struct timer *timers;
	size_t ntimers, timers_cap;
	gsl_rng *rng;
	struct names agents, fws, clients;
	int32_t fw_role0[MAX_NAMES];
	struct holding *h;
	size_t nh, h_cap;
	struct actual *act;
	size_t nact, act_cap;
	/* sorter kind */
	const struct mc_sorter_ops *sops;
	struct mc_sorter *sorter;
	struct mc_resvec pool; /* the sorter's pool total (borrowed by it) */
};

/* ---- small helpers ------------------------------------------------------------ */

static int line_of(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

static void fail(struct run *r, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct run *r, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	printf("%s:%d: ", r->file, line_of(n));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	r->failures++;
}

static int name_id(struct names *t, const char *s)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->s[i], s))
			return i;
	if (t->n == MAX_NAMES)
		return -1;
	t->s[t->n] = s;
	return t->n++;
}

static int get_name(struct run *r, const yaml_node_t *n, const char *what, struct names *t,
		    int32_t *out)
{
	const char *s;
	int rc = mc_yaml_string(&r->y, n, what, &s, &r->err);
	if (rc)
		return rc;
	int id = name_id(t, s);
	if (id < 0)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_ERANGE, "%s: too many names", what);
	*out = id;
	return 0;
}

static int get_role(struct run *r, const yaml_node_t *n, const char *what, int32_t *out)
{
	const char *s;
	int rc = mc_yaml_string(&r->y, n, what, &s, &r->err);
	if (rc)
		return rc;
	int32_t id = mc_role_intern(s, strlen(s));
	if (id < 0)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE, "%s: invalid role '%s'", what, s);
	*out = id;
	return 0;
}

static bool is_any(const yaml_node_t *n)
{
	const char *s = mc_yaml_scalar(n);
	return s && !strcmp(s, "any");
}

static int need(struct run *r, const yaml_node_t *map, const char *key, const char *what,
		yaml_node_t **out)
{
	*out = mc_yaml_get(&r->y, map, key);
	if (!*out)
		return mc_yaml_errorf(&r->y, map, 0, &r->err, MC_EPARSE, "%s: missing key '%s'", what,
				      key);
	return 0;
}

static const char *fmt_res(const struct mc_resources *res, char *buf)
{
	if (mc_resources_is_empty(res))
		return "(none)";
	mc_resources_format(res, buf, RESBUF);
	return buf;
}

/* Parses an OR-list "cpus:0.01|mem:32" ("" = anything non-empty). */
static int parse_min_alloc(struct run *r, const yaml_node_t *n, const char *what,
			   struct mc_min_allocatable *out)
{
	const char *s;
	int rc = mc_yaml_string(&r->y, n, what, &s, &r->err);
	if (rc)
		return rc;
	memset(out, 0, sizeof *out);
	const char *p = s;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		char part[256];
		if (len >= sizeof part || out->n == MC_ALLOC_MIN_ALTS)
			return mc_yaml_errorf(&r->y, n, (int)(p - s), &r->err, MC_ERANGE,
					      "%s: too long", what);
		memcpy(part, p, len);
		part[len] = '\0';
		struct mc_resources res;
		struct mc_parse_error pe = {0};
		rc = mc_resources_parse(&res, part, &pe);
		if (rc)
			return mc_yaml_errorf(&r->y, n, (int)(p - s) + pe.col - 1, &r->err, MC_EPARSE,
					      "%s: %s", what, pe.msg);
		mc_resources_sum(&res, &out->alt[out->n++]);
		if (!bar)
			return 0;
		p = bar + 1;
	}
}

/* ---- the host ------------------------------------------------------------------- */

static uint64_t host_timer_start(void *ctx, mc_time_t at, void (*fire)(void *, uint64_t), void *obj,
				 uint64_t data)
{
	struct run *r = ctx;
	mc_xgrow(&r->timers, &r->timers_cap, r->ntimers + 1, sizeof *r->timers);
	r->timers[r->ntimers] = (struct timer){at, fire, obj, data, true};
	return ++r->ntimers;
}

static void host_timer_cancel(void *ctx, uint64_t id)
{
	struct run *r = ctx;
	if (id >= 1 && id <= r->ntimers)
		r->timers[id - 1].live = false;
}

static void host_request_run(void *ctx) { ((struct run *)ctx)->run_pending = true; }

static struct holding *holding_get(struct run *r, int32_t fw, int32_t role, int32_t agent,
				   bool create)
{
	for (size_t i = 0; i < r->nh; i++)
		if (r->h[i].fw == fw && r->h[i].role == role && r->h[i].agent == agent)
			return &r->h[i];
	if (!create)
		return NULL;
	mc_xgrow(&r->h, &r->h_cap, r->nh + 1, sizeof *r->h);
	struct holding *h = &r->h[r->nh++];
	memset(h, 0, sizeof *h);
	h->fw = fw;
	h->role = role;
	h->agent = agent;
	return h;
}

static void host_offer(void *ctx, int32_t fw, const struct mc_offer *o, size_t n)
{
	struct run *r = ctx;
	for (size_t i = 0; i < n; i++) {
		mc_xgrow(&r->act, &r->act_cap, r->nact + 1, sizeof *r->act);
		r->act[r->nact++] = (struct actual){fw, o[i].role, o[i].agent, o[i].resources};
		struct holding *h = holding_get(r, fw, o[i].role, o[i].agent, true);
		mc_resources_add(&h->offered, &o[i].resources);
		if (r->verbose) {
			char b[RESBUF];
			printf("%s: t=%.3fs offer %s role %s agent %s: %s\n", r->file,
			       mc_time_to_sec(r->now), r->fws.s[fw], mc_role_name(o[i].role),
			       r->agents.s[o[i].agent], fmt_res(&o[i].resources, b));
		}
	}
}

static uint32_t host_random(void *ctx) { return mc_rng_u32(((struct run *)ctx)->rng); }

static void host_explain(void *ctx, const struct mc_explain *e)
{
	struct run *r = ctx;
	printf("%s: t=%.3fs explain stage %d agent %s role %s framework %s: %s", r->file,
	       mc_time_to_sec(e->time), e->stage, e->agent >= 0 ? r->agents.s[e->agent] : "-",
	       mc_role_name(e->role), e->framework >= 0 ? r->fws.s[e->framework] : "-",
	       mc_alloc_outcome_name(e->outcome));
	if (e->outcome == MC_OUTCOME_FILTERED)
		printf(" (until t=%.3fs)", mc_time_to_sec(e->detail_time));
	if (e->outcome == MC_OUTCOME_HEADROOM && e->detail_role >= 0)
		printf(" (for role %s)", mc_role_name(e->detail_role));
	putchar('\n');
}

static void settle(struct run *r)
{
	if (r->run_pending) {
		r->run_pending = false;
		mc_alloc_run(r->a, r->now);
	}
}

/* Fires timers due by `until` in (time, creation) order, then moves there. */
static void advance_to(struct run *r, mc_time_t until)
{
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < r->ntimers; i++)
			if (r->timers[i].live && r->timers[i].at <= until &&
			    (best == SIZE_MAX || r->timers[i].at < r->timers[best].at))
				best = i;
		if (best == SIZE_MAX)
			break;
		struct timer t = r->timers[best];
		r->timers[best].live = false;
		if (t.at > r->now)
			r->now = t.at;
		t.fire(t.obj, t.data);
		settle(r);
	}
	r->now = until;
	settle(r);
}

/* ---- allocator steps ---------------------------------------------------------------- */

typedef int (*step_fn)(struct run *r, const yaml_node_t *step, yaml_node_t *v);

#define CHECK(map, what, ...)                                                          \
	do {                                                                           \
		static const char *const allowed_[] = {__VA_ARGS__, NULL};             \
		int rc_ = mc_yaml_check_map(&r->y, map, what, allowed_, &r->err);      \
		if (rc_)                                                               \
			return rc_;                                                    \
	} while (0)
#define TRY(x)                      \
	do {                        \
		int rc_ = (x);      \
		if (rc_)            \
			return rc_; \
	} while (0)

static void report_rc(struct run *r, const yaml_node_t *step, const char *what, int rc)
{
	if (rc)
		fail(r, step, "expected %s to succeed, got %s", what, mc_strerror(rc));
}

static int st_add_agent(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "add_agent", "id", "resources", "used", "attributes");
	yaml_node_t *n;
	int32_t id;
	struct mc_resources total;
	TRY(need(r, v, "id", "add_agent", &n));
	TRY(get_name(r, n, "add_agent.id", &r->agents, &id));
	TRY(need(r, v, "resources", "add_agent", &n));
	TRY(mc_yaml_resources(&r->y, n, "add_agent.resources", &total, &r->err));
	yaml_node_t *used = mc_yaml_get(&r->y, v, "used");
	yaml_node_t *attrs = mc_yaml_get(&r->y, v, "attributes");
	if (attrs && attrs->type != YAML_MAPPING_NODE)
		return mc_yaml_errorf(&r->y, attrs, 0, &r->err, MC_EPARSE,
				      "add_agent.attributes: expected a mapping");
	if (used && used->type != YAML_MAPPING_NODE)
		return mc_yaml_errorf(&r->y, used, 0, &r->err, MC_EPARSE,
				      "add_agent.used: expected a mapping {framework: resources}");
	if (r->exec)
		report_rc(r, step, "add_agent", mc_alloc_add_agent(r->a, r->now, id, &total));
	for (int k = 0; used && k < mc_yaml_map_len(used); k++) {
		yaml_node_t *key, *val;
		mc_yaml_map_pair(&r->y, used, k, &key, &val);
		int32_t fw;
		struct mc_resources res;
		TRY(get_name(r, key, "add_agent.used", &r->fws, &fw));
		TRY(mc_yaml_resources(&r->y, val, "add_agent.used", &res, &r->err));
		if (!r->exec)
			continue;
		if (r->fw_role0[fw] < 0) {
			fail(r, key, "expected framework %s to be added before it uses resources",
			     r->fws.s[fw]);
			continue;
		}
		int32_t role = r->fw_role0[fw];
		report_rc(r, step, "add_agent used", mc_alloc_add_used(r->a, id, fw, role, &res));
		struct holding *h = holding_get(r, fw, role, id, true);
		mc_resources_add(&h->allocated, &res);
	}
	return 0;
}

static void drop_holdings(struct run *r, int32_t fw, int32_t agent)
{
	size_t k = 0;
	for (size_t i = 0; i < r->nh; i++)
		if (!((fw < 0 || r->h[i].fw == fw) && (agent < 0 || r->h[i].agent == agent)))
			r->h[k++] = r->h[i];
	r->nh = k;
}

static int st_remove_agent(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "remove_agent", "id");
	yaml_node_t *n;
	int32_t id;
	TRY(need(r, v, "id", "remove_agent", &n));
	TRY(get_name(r, n, "remove_agent.id", &r->agents, &id));
	if (r->exec) {
		report_rc(r, step, "remove_agent", mc_alloc_remove_agent(r->a, r->now, id));
		drop_holdings(r, -1, id);
	}
	return 0;
}

static int st_update_agent(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "update_agent", "id", "resources");
	yaml_node_t *n;
	int32_t id;
	struct mc_resources total;
	TRY(need(r, v, "id", "update_agent", &n));
	TRY(get_name(r, n, "update_agent.id", &r->agents, &id));
	TRY(need(r, v, "resources", "update_agent", &n));
	TRY(mc_yaml_resources(&r->y, n, "update_agent.resources", &total, &r->err));
	if (r->exec)
		report_rc(r, step, "update_agent", mc_alloc_update_agent(r->a, r->now, id, &total));
	return 0;
}

static int st_reserve(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "reserve", "agent", "role", "resources");
	yaml_node_t *n;
	int32_t id, role;
	struct mc_resources res;
	TRY(need(r, v, "agent", "reserve", &n));
	TRY(get_name(r, n, "reserve.agent", &r->agents, &id));
	TRY(need(r, v, "role", "reserve", &n));
	TRY(get_role(r, n, "reserve.role", &role));
	TRY(need(r, v, "resources", "reserve", &n));
	TRY(mc_yaml_resources(&r->y, n, "reserve.resources", &res, &r->err));
	if (res.nresv)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE,
				      "reserve.resources: give unreserved quantities");
	if (r->exec)
		report_rc(r, step, "reserve", mc_alloc_reserve(r->a, id, role, &res.unres));
	return 0;
}

static int get_roles(struct run *r, const yaml_node_t *n, const char *what, int32_t *roles,
		     int *nroles)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE, "%s: expected a list of roles",
				      what);
	int len = mc_yaml_seq_len(n);
	if (len > MC_ALLOC_MAX_ROLES)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_ERANGE, "%s: at most %d roles", what,
				      MC_ALLOC_MAX_ROLES);
	for (int i = 0; i < len; i++)
		TRY(get_role(r, mc_yaml_seq_item(&r->y, n, i), what, &roles[i]));
	*nroles = len;
	return 0;
}

static int st_add_framework(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "add_framework", "id", "roles", "active", "capabilities", "suppressed_roles",
	      "min_allocatable");
	static const char *const caps[] = {"GPU_RESOURCES", "MULTI_ROLE", "REVOCABLE_RESOURCES",
					   "SHARED_RESOURCES", "PARTITION_AWARE", "REGION_AWARE",
					   "RESERVATION_REFINEMENT", "TASK_KILLING_STATE", NULL};
	yaml_node_t *n;
	int32_t id, roles[MC_ALLOC_MAX_ROLES], sup[MC_ALLOC_MAX_ROLES];
	int nroles = 0, nsup = 0;
	bool active = true;
	unsigned capbits = 0;
	struct mc_min_allocatable min;
	TRY(need(r, v, "id", "add_framework", &n));
	TRY(get_name(r, n, "add_framework.id", &r->fws, &id));
	TRY(need(r, v, "roles", "add_framework", &n));
	TRY(get_roles(r, n, "add_framework.roles", roles, &nroles));
	if (nroles == 0)
		return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE, "add_framework.roles: empty");
	if ((n = mc_yaml_get(&r->y, v, "active")))
		TRY(mc_yaml_bool(&r->y, n, "add_framework.active", &active, &r->err));
	if ((n = mc_yaml_get(&r->y, v, "capabilities"))) {
		if (n->type != YAML_SEQUENCE_NODE)
			return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE,
					      "add_framework.capabilities: expected a list");
		for (int i = 0; i < mc_yaml_seq_len(n); i++) {
			int c;
			TRY(mc_yaml_enum(&r->y, mc_yaml_seq_item(&r->y, n, i),
					 "add_framework.capabilities", caps, &c, &r->err));
			if (c == 0)
				capbits |= MC_CAP_GPU_RESOURCES;
		}
	}
	if ((n = mc_yaml_get(&r->y, v, "suppressed_roles")))
		TRY(get_roles(r, n, "add_framework.suppressed_roles", sup, &nsup));
	yaml_node_t *mn = mc_yaml_get(&r->y, v, "min_allocatable");
	if (mn)
		TRY(parse_min_alloc(r, mn, "add_framework.min_allocatable", &min));
	if (!r->exec)
		return 0;
	r->fw_role0[id] = roles[0];
	int rc = mc_alloc_add_framework(r->a, r->now, id, r->fws.s[id], roles, nroles, capbits,
					false, mn ? &min : NULL);
	report_rc(r, step, "add_framework", rc);
	if (rc)
		return 0;
	if (nsup)
		report_rc(r, step, "suppress", mc_alloc_suppress(r->a, r->now, id, sup, nsup));
	if (active)
		report_rc(r, step, "activate", mc_alloc_activate_framework(r->a, r->now, id));
	return 0;
}

static int fw_only(struct run *r, const yaml_node_t *v, const char *what, int32_t *fw)
{
	static const char *const allowed[] = {"id", NULL};
	TRY(mc_yaml_check_map(&r->y, v, what, allowed, &r->err));
	yaml_node_t *n;
	TRY(need(r, v, "id", what, &n));
	return get_name(r, n, what, &r->fws, fw);
}

static int st_remove_framework(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	int32_t fw;
	TRY(fw_only(r, v, "remove_framework", &fw));
	if (r->exec) {
		report_rc(r, step, "remove_framework", mc_alloc_remove_framework(r->a, r->now, fw));
		drop_holdings(r, fw, -1);
	}
	return 0;
}

static int st_activate(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	int32_t fw;
	TRY(fw_only(r, v, "activate_framework", &fw));
	if (r->exec)
		report_rc(r, step, "activate_framework",
			  mc_alloc_activate_framework(r->a, r->now, fw));
	return 0;
}

static int st_deactivate(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	int32_t fw;
	TRY(fw_only(r, v, "deactivate_framework", &fw));
	if (r->exec)
		report_rc(r, step, "deactivate_framework",
			  mc_alloc_deactivate_framework(r->a, r->now, fw));
	return 0;
}

static int suppress_revive(struct run *r, const yaml_node_t *step, yaml_node_t *v, bool revive)
{
	const char *what = revive ? "revive" : "suppress";
	static const char *const allowed[] = {"framework", "roles", NULL};
	TRY(mc_yaml_check_map(&r->y, v, what, allowed, &r->err));
	yaml_node_t *n;
	int32_t fw, roles[MC_ALLOC_MAX_ROLES];
	int nroles = 0;
	TRY(need(r, v, "framework", what, &n));
	TRY(get_name(r, n, what, &r->fws, &fw));
	if ((n = mc_yaml_get(&r->y, v, "roles")))
		TRY(get_roles(r, n, what, roles, &nroles));
	if (r->exec)
		report_rc(r, step, what,
			  revive ? mc_alloc_revive(r->a, r->now, fw, nroles ? roles : NULL, nroles)
				 : mc_alloc_suppress(r->a, r->now, fw, nroles ? roles : NULL, nroles));
	return 0;
}

static int st_suppress(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return suppress_revive(r, s, v, false);
}
static int st_revive(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return suppress_revive(r, s, v, true);
}

static int st_decline(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "decline", "framework", "agent", "resources", "refuse_seconds");
	yaml_node_t *n;
	int32_t fw, agent = -1;
	struct mc_resources res;
	bool have_res = false;
	mc_time_t refuse = 5 * MC_SEC;
	TRY(need(r, v, "framework", "decline", &n));
	TRY(get_name(r, n, "decline.framework", &r->fws, &fw));
	if ((n = mc_yaml_get(&r->y, v, "agent")))
		TRY(get_name(r, n, "decline.agent", &r->agents, &agent));
	if ((n = mc_yaml_get(&r->y, v, "resources"))) {
		TRY(mc_yaml_resources(&r->y, n, "decline.resources", &res, &r->err));
		have_res = true;
	}
	if ((n = mc_yaml_get(&r->y, v, "refuse_seconds"))) {
		const char *s = mc_yaml_scalar(n);
		if (s && !strcmp(s, "none"))
			refuse = 0;
		else
			TRY(mc_yaml_duration(&r->y, n, "decline.refuse_seconds", 0,
					     400LL * 24 * MC_HOUR, &refuse, &r->err));
	}
	if (!r->exec)
		return 0;
	bool any = false;
	for (size_t i = 0; i < r->nh; i++) {
		struct holding *h = &r->h[i];
		if (h->fw != fw || (agent >= 0 && h->agent != agent) || mc_resources_is_empty(&h->offered))
			continue;
		struct mc_resources give = have_res ? res : h->offered;
		if (!mc_resources_contains(&h->offered, &give))
			continue;
		int rc = mc_alloc_recover(r->a, r->now, fw, h->role, h->agent, &give, refuse);
		report_rc(r, step, "decline", rc);
		mc_resources_subtract(&h->offered, &give);
		any = true;
		if (have_res)
			break;
	}
	if (!any)
		fail(r, step, "expected %s to hold offers to decline, got none matching",
		     r->fws.s[fw]);
	return 0;
}

static int launch_recover(struct run *r, const yaml_node_t *step, yaml_node_t *v, bool launch)
{
	const char *what = launch ? "launch" : "recover";
	static const char *const allowed[] = {"framework", "agent", "resources", NULL};
	TRY(mc_yaml_check_map(&r->y, v, what, allowed, &r->err));
	yaml_node_t *n;
	int32_t fw, agent;
	struct mc_resources res;
	TRY(need(r, v, "framework", what, &n));
	TRY(get_name(r, n, what, &r->fws, &fw));
	TRY(need(r, v, "agent", what, &n));
	TRY(get_name(r, n, what, &r->agents, &agent));
	TRY(need(r, v, "resources", what, &n));
	TRY(mc_yaml_resources(&r->y, n, what, &res, &r->err));
	if (!r->exec)
		return 0;
	for (size_t i = 0; i < r->nh; i++) {
		struct holding *h = &r->h[i];
		if (h->fw != fw || h->agent != agent)
			continue;
		struct mc_resources *from = launch ? &h->offered : &h->allocated;
		if (!mc_resources_contains(from, &res))
			continue;
		int rc = launch ? mc_alloc_launch(r->a, r->now, fw, h->role, agent, &res)
				: mc_alloc_recover(r->a, r->now, fw, h->role, agent, &res, 0);
		report_rc(r, step, what, rc);
		mc_resources_subtract(from, &res);
		if (launch)
			mc_resources_add(&h->allocated, &res);
		return 0;
	}
	char b[RESBUF];
	fail(r, step, "expected %s to hold %s %s on %s, got less", r->fws.s[fw],
	     launch ? "offered" : "allocated", fmt_res(&res, b), r->agents.s[agent]);
	return 0;
}

static int st_launch(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return launch_recover(r, s, v, true);
}
static int st_recover(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return launch_recover(r, s, v, false);
}

/* A quota limit: names listed (even with 0) are limits, others unlimited. */
static int parse_limit(struct run *r, const yaml_node_t *n, const char *what, struct mc_resvec *out,
		       bool listed[MC_RES_MAX])
{
	struct mc_resources res;
	TRY(mc_yaml_resources(&r->y, n, what, &res, &r->err));
	mc_resources_sum(&res, out);
	const char *s = mc_yaml_scalar(n);
	for (int i = 0; i < MC_RES_MAX; i++)
		listed[i] = false;
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *name = p;
		while (*p && *p != ':' && *p != '(' && *p != ';' && *p != ' ')
			p++;
		int idx = mc_res_lookup(name, (size_t)(p - name));
		if (idx >= 0)
			listed[idx] = true;
		while (*p && *p != ';')
			p++;
	}
	return 0;
}

static int st_set_quota(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "set_quota", "role", "guarantee", "limit");
	yaml_node_t *n;
	int32_t role;
	struct mc_resources g;
	struct mc_resvec gv, limit;
	bool unlimited = false, listed[MC_RES_MAX];
	TRY(need(r, v, "role", "set_quota", &n));
	TRY(get_role(r, n, "set_quota.role", &role));
	TRY(need(r, v, "guarantee", "set_quota", &n));
	TRY(mc_yaml_resources(&r->y, n, "set_quota.guarantee", &g, &r->err));
	mc_resources_sum(&g, &gv);
	TRY(parse_limit(r, n, "set_quota.guarantee", &limit, listed));
	if ((n = mc_yaml_get(&r->y, v, "limit"))) {
		const char *s = mc_yaml_scalar(n);
		if (s && !strcmp(s, "none"))
			unlimited = true;
		else
			TRY(parse_limit(r, n, "set_quota.limit", &limit, listed));
	}
	if (r->exec)
		report_rc(r, step, "set_quota",
			  mc_alloc_set_quota_limits(r->a, role, &gv, &limit,
						    unlimited ? NULL : listed));
	return 0;
}

static int st_set_weight(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "set_weight", "role", "weight");
	yaml_node_t *n;
	int32_t role;
	double w;
	TRY(need(r, v, "role", "set_weight", &n));
	TRY(get_role(r, n, "set_weight.role", &role));
	TRY(need(r, v, "weight", "set_weight", &n));
	TRY(mc_yaml_double(&r->y, n, "set_weight.weight", 1e-9, 1e9, &w, &r->err));
	if (r->exec)
		report_rc(r, step, "set_weight", mc_alloc_set_weight(r->a, role, w));
	return 0;
}

static int st_advance(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	(void)step;
	mc_time_t d;
	TRY(mc_yaml_duration(&r->y, v, "advance", 0, 400LL * 24 * MC_HOUR, &d, &r->err));
	if (r->exec)
		advance_to(r, r->now + d);
	return 0;
}

struct expected {
	int32_t fw, role, agent; /* role/agent -1 = any */
	bool any_res;
	struct mc_resources res;
};

static void fmt_triple(struct run *r, char *buf, size_t size, int32_t fw, int32_t role,
		       int32_t agent, const struct mc_resources *res)
{
	char b[RESBUF];
	snprintf(buf, size, "{%s %s %s %s}", r->fws.s[fw], role >= 0 ? mc_role_name(role) : "any",
		 agent >= 0 ? r->agents.s[agent] : "any", res ? fmt_res(res, b) : "any");
}

static bool matches(const struct expected *e, const struct actual *a)
{
	return e->fw == a->fw && (e->role < 0 || e->role == a->role) &&
	       (e->agent < 0 || e->agent == a->agent) &&
	       (e->any_res || mc_resources_equal(&e->res, &a->res));
}

/* Kuhn's augmenting path for a maximum matching of expected -> actual. */
static bool augment(const struct expected *ex, const struct actual *ac, size_t nac, size_t i,
		    int *match_ac, bool *seen)
{
	for (size_t j = 0; j < nac; j++) {
		if (seen[j] || !matches(&ex[i], &ac[j]))
			continue;
		seen[j] = true;
		if (match_ac[j] < 0 || augment(ex, ac, nac, (size_t)match_ac[j], match_ac, seen)) {
			match_ac[j] = (int)i;
			return true;
		}
	}
	return false;
}

static int st_expect_offers(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(&r->y, v, 0, &r->err, MC_EPARSE,
				      "expect_offers: expected a list (possibly empty)");
	int nex = mc_yaml_seq_len(v);
	struct expected *ex = mc_xcalloc((size_t)nex + 1, sizeof *ex);
	int rc = 0;
	for (int i = 0; i < nex && !rc; i++) {
		yaml_node_t *it = mc_yaml_seq_item(&r->y, v, i), *n;
		static const char *const allowed[] = {"framework", "role", "agent", "resources", NULL};
		struct expected *e = &ex[i];
		e->role = e->agent = -1;
		if ((rc = mc_yaml_check_map(&r->y, it, "expect_offers item", allowed, &r->err)))
			break;
		if ((rc = need(r, it, "framework", "expect_offers item", &n)) ||
		    (rc = get_name(r, n, "expect_offers.framework", &r->fws, &e->fw)))
			break;
		if ((n = mc_yaml_get(&r->y, it, "role")) && !is_any(n) &&
		    (rc = get_role(r, n, "expect_offers.role", &e->role)))
			break;
		if ((rc = need(r, it, "agent", "expect_offers item", &n)))
			break;
		if (!is_any(n) && (rc = get_name(r, n, "expect_offers.agent", &r->agents, &e->agent)))
			break;
		if ((rc = need(r, it, "resources", "expect_offers item", &n)))
			break;
		if (is_any(n))
			e->any_res = true;
		else
			rc = mc_yaml_resources(&r->y, n, "expect_offers.resources", &e->res, &r->err);
	}
	if (rc || !r->exec) {
		free(ex);
		return rc;
	}
	int *match_ac = mc_xmalloc((r->nact + 1) * sizeof *match_ac);
	bool *seen = mc_xmalloc(r->nact + 1);
	bool *ex_ok = mc_xcalloc((size_t)nex + 1, 1);
	for (size_t j = 0; j < r->nact; j++)
		match_ac[j] = -1;
	for (int i = 0; i < nex; i++) {
		memset(seen, 0, r->nact + 1);
		augment(ex, r->act, r->nact, (size_t)i, match_ac, seen);
	}
	bool ok = true;
	for (size_t j = 0; j < r->nact; j++) {
		if (match_ac[j] < 0)
			ok = false;
		else
			ex_ok[match_ac[j]] = true;
	}
	for (int i = 0; i < nex; i++)
		if (!ex_ok[i])
			ok = false;
	if (!ok) {
		size_t cap = 256 + (size_t)(nex + (int)r->nact) * (RESBUF + 64);
		char *msg = mc_xmalloc(cap), item[RESBUF + 64];
		size_t len = (size_t)snprintf(msg, cap, "expected offers [");
		for (int i = 0; i < nex; i++) {
			fmt_triple(r, item, sizeof item, ex[i].fw, ex[i].role, ex[i].agent,
				   ex[i].any_res ? NULL : &ex[i].res);
			len += (size_t)snprintf(msg + len, cap - len, "%s%s%s", i ? ", " : "",
						ex_ok[i] ? "" : "MISSING ", item);
		}
		len += (size_t)snprintf(msg + len, cap - len, "] got [");
		for (size_t j = 0; j < r->nact; j++) {
			fmt_triple(r, item, sizeof item, r->act[j].fw, r->act[j].role, r->act[j].agent,
				   &r->act[j].res);
			len += (size_t)snprintf(msg + len, cap - len, "%s%s%s", j ? ", " : "",
						match_ac[j] < 0 ? "UNEXPECTED " : "", item);
		}
		snprintf(msg + len, cap - len, "]");
		fail(r, step, "%s", msg);
		free(msg);
	}
	free(match_ac);
	free(seen);
	free(ex_ok);
	free(ex);
	r->nact = 0;
	return 0;
}

static int st_expect_allocation(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	if (!v || v->type != YAML_MAPPING_NODE)
		return mc_yaml_errorf(&r->y, v, 0, &r->err, MC_EPARSE,
				      "expect_allocation: expected a mapping {framework: resources}");
	for (int k = 0; k < mc_yaml_map_len(v); k++) {
		yaml_node_t *key, *val;
		mc_yaml_map_pair(&r->y, v, k, &key, &val);
		int32_t fw;
		struct mc_resources want;
		TRY(get_name(r, key, "expect_allocation", &r->fws, &fw));
		TRY(mc_yaml_resources(&r->y, val, "expect_allocation", &want, &r->err));
		if (!r->exec)
			continue;
		struct mc_resources got;
		mc_resources_clear(&got);
		for (size_t i = 0; i < r->nh; i++)
			if (r->h[i].fw == fw) {
				mc_resources_add(&got, &r->h[i].offered);
				mc_resources_add(&got, &r->h[i].allocated);
			}
		char b1[RESBUF], b2[RESBUF];
		if (!mc_resources_equal(&got, &want)) {
			fail(r, step, "expected allocation of %s %s got %s", r->fws.s[fw],
			     fmt_res(&want, b1), fmt_res(&got, b2));
			continue;
		}
		struct mc_resvec q, s;
		mc_alloc_framework_allocation(r->a, fw, &q);
		mc_resources_sum(&got, &s);
		if (!mc_resvec_equal(&q, &s)) {
			mc_resvec_format(&q, b1, sizeof b1);
			fail(r, step, "expected the allocator to report %s for %s, got %s",
			     fmt_res(&got, b2), r->fws.s[fw], b1);
		}
	}
	return 0;
}

/* ---- sorter steps ------------------------------------------------------------------ */

static int client_of(struct run *r, const yaml_node_t *v, const char *what, int32_t *id)
{
	yaml_node_t *n;
	TRY(need(r, v, "client", what, &n));
	return get_name(r, n, what, &r->clients, id);
}

static bool sorter_has(struct run *r, const yaml_node_t *step, int32_t id)
{
	if (r->sops->contains(r->sorter, id))
		return true;
	fail(r, step, "expected client %s to be in the sorter, got no such client", r->clients.s[id]);
	return false;
}

static int st_pool(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	(void)step;
	struct mc_resources res;
	TRY(mc_yaml_resources(&r->y, v, "pool", &res, &r->err));
	if (r->exec) {
		mc_resources_sum(&res, &r->pool);
		r->sops->total_changed(r->sorter);
	}
	return 0;
}

static int st_sadd(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "add", "client", "weight");
	int32_t id;
	double w = 1.0;
	yaml_node_t *n;
	TRY(client_of(r, v, "add", &id));
	if ((n = mc_yaml_get(&r->y, v, "weight")))
		TRY(mc_yaml_double(&r->y, n, "add.weight", 1e-9, 1e9, &w, &r->err));
	if (!r->exec)
		return 0;
	if (r->sops->contains(r->sorter, id)) {
		fail(r, step, "expected a new client, got %s already present", r->clients.s[id]);
		return 0;
	}
	r->sops->add(r->sorter, id, r->clients.s[id]);
	if (mc_yaml_get(&r->y, v, "weight"))
		r->sops->set_weight(r->sorter, r->clients.s[id], w);
	r->sops->activate(r->sorter, id);
	return 0;
}

static int salloc(struct run *r, const yaml_node_t *step, yaml_node_t *v, bool alloc)
{
	const char *what = alloc ? "allocate" : "unallocate";
	static const char *const allowed[] = {"client", "resources", NULL};
	TRY(mc_yaml_check_map(&r->y, v, what, allowed, &r->err));
	int32_t id;
	yaml_node_t *n;
	struct mc_resources res;
	TRY(client_of(r, v, what, &id));
	TRY(need(r, v, "resources", what, &n));
	TRY(mc_yaml_resources(&r->y, n, what, &res, &r->err));
	if (!r->exec || !sorter_has(r, step, id))
		return 0;
	struct mc_resvec q;
	mc_resources_sum(&res, &q);
	if (alloc) {
		r->sops->allocated(r->sorter, id, &q);
	} else {
		if (!mc_resvec_contains(r->sops->allocation(r->sorter, id), &q)) {
			fail(r, step, "expected client %s to hold what it gives back, got less",
			     r->clients.s[id]);
			return 0;
		}
		r->sops->unallocated(r->sorter, id, &q);
	}
	return 0;
}

static int st_allocate(struct run *r, const yaml_node_t *s, yaml_node_t *v) { return salloc(r, s, v, true); }
static int st_unallocate(struct run *r, const yaml_node_t *s, yaml_node_t *v) { return salloc(r, s, v, false); }

static int sclient_op(struct run *r, const yaml_node_t *step, yaml_node_t *v, const char *what,
		      void (*op)(struct mc_sorter *, int32_t))
{
	static const char *const allowed[] = {"client", NULL};
	TRY(mc_yaml_check_map(&r->y, v, what, allowed, &r->err));
	int32_t id;
	TRY(client_of(r, v, what, &id));
	if (r->exec && sorter_has(r, step, id))
		op(r->sorter, id);
	return 0;
}

static int st_sremove(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return sclient_op(r, s, v, "remove", r->sops ? r->sops->remove : NULL);
}
static int st_sactivate(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return sclient_op(r, s, v, "activate", r->sops ? r->sops->activate : NULL);
}
static int st_sdeactivate(struct run *r, const yaml_node_t *s, yaml_node_t *v)
{
	return sclient_op(r, s, v, "deactivate", r->sops ? r->sops->deactivate : NULL);
}

static int st_sweight(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	CHECK(v, "set_weight", "client", "weight");
	int32_t id;
	double w;
	yaml_node_t *n;
	TRY(client_of(r, v, "set_weight", &id));
	TRY(need(r, v, "weight", "set_weight", &n));
	TRY(mc_yaml_double(&r->y, n, "set_weight.weight", 1e-9, 1e9, &w, &r->err));
	if (r->exec && sorter_has(r, step, id))
		r->sops->set_weight(r->sorter, r->clients.s[id], w);
	return 0;
}

static int st_expect_order(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return mc_yaml_errorf(&r->y, v, 0, &r->err, MC_EPARSE,
				      "expect_order: expected a list of clients");
	int n = mc_yaml_seq_len(v);
	int32_t want[256];
	if (n > 256)
		return mc_yaml_errorf(&r->y, v, 0, &r->err, MC_ERANGE, "expect_order: too long");
	for (int i = 0; i < n; i++)
		TRY(get_name(r, mc_yaml_seq_item(&r->y, v, i), "expect_order", &r->clients, &want[i]));
	if (!r->exec)
		return 0;
	size_t got_n;
	const int32_t *got = r->sops->sort(r->sorter, &got_n);
	bool ok = got_n == (size_t)n;
	for (int i = 0; ok && i < n; i++)
		ok = got[i] == want[i];
	if (!ok) {
		char a[2048], b[2048];
		size_t la = 0, lb = 0;
		a[0] = b[0] = '\0';
		for (int i = 0; i < n && la < sizeof a; i++)
			la += (size_t)snprintf(a + la, sizeof a - la, "%s%s", i ? ", " : "",
					       r->clients.s[want[i]]);
		for (size_t i = 0; i < got_n && lb < sizeof b; i++)
			lb += (size_t)snprintf(b + lb, sizeof b - lb, "%s%s", i ? ", " : "",
					       r->clients.s[got[i]]);
		fail(r, step, "expected order [%s] got [%s]", a, b);
	}
	return 0;
}

static int st_expect_count(struct run *r, const yaml_node_t *step, yaml_node_t *v)
{
	int64_t want;
	TRY(mc_yaml_int(&r->y, v, "expect_count", 0, 1000000, &want, &r->err));
	if (r->exec) {
		size_t got = r->sops->count(r->sorter);
		if (got != (size_t)want)
			fail(r, step, "expected count %lld got %zu", (long long)want, got);
	}
	return 0;
}

/* ---- files --------------------------------------------------------------------------- */

static const struct {
	const char *name;
	step_fn fn;
} alloc_steps[] = {
	{"add_agent", st_add_agent},
	{"remove_agent", st_remove_agent},
	{"update_agent", st_update_agent},
	{"reserve", st_reserve},
	{"add_framework", st_add_framework},
	{"remove_framework", st_remove_framework},
	{"activate_framework", st_activate},
	{"deactivate_framework", st_deactivate},
	{"suppress", st_suppress},
	{"revive", st_revive},
	{"decline", st_decline},
	{"launch", st_launch},
	{"recover", st_recover},
	{"set_quota", st_set_quota},
	{"set_weight", st_set_weight},
	{"advance", st_advance},
	{"expect_offers", st_expect_offers},
	{"expect_allocation", st_expect_allocation},
	{NULL, NULL},
}, sorter_steps[] = {
	{"pool", st_pool},
	{"add", st_sadd},
	{"allocate", st_allocate},
	{"unallocate", st_unallocate},
	{"remove", st_sremove},
	{"deactivate", st_sdeactivate},
	{"activate", st_sactivate},
	{"set_weight", st_sweight},
	{"expect_order", st_expect_order},
	{"expect_count", st_expect_count},
	{NULL, NULL},
};

static int run_steps(struct run *r, const yaml_node_t *steps, bool sorter)
{
	int n = mc_yaml_seq_len(steps);
	for (int i = 0; i < n; i++) {
		yaml_node_t *s = mc_yaml_seq_item(&r->y, steps, i);
		if (!s || s->type != YAML_MAPPING_NODE || mc_yaml_map_len(s) != 1)
			return mc_yaml_errorf(&r->y, s, 0, &r->err, MC_EPARSE,
					      "steps.%d: expected a mapping with one step, like "
					      "'- advance: 1s'",
					      i);
		yaml_node_t *key, *val;
		mc_yaml_map_pair(&r->y, s, 0, &key, &val);
		const char *name = mc_yaml_scalar(key);
		step_fn fn = NULL;
		char list[512];
		size_t len = 0;
		list[0] = '\0';
		for (int k = 0; (sorter ? sorter_steps : alloc_steps)[k].name; k++) {
			const char *sn = (sorter ? sorter_steps : alloc_steps)[k].name;
			if (name && !strcmp(name, sn))
				fn = (sorter ? sorter_steps : alloc_steps)[k].fn;
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", sn);
		}
		if (!fn)
			return mc_yaml_errorf(&r->y, key, 0, &r->err, MC_EPARSE,
					      "unknown %s step '%s' (known: %s)",
					      sorter ? "sorter" : "allocator", name ? name : "?", list);
		int rc = fn(r, s, val);
		if (rc)
			return rc;
		if (r->exec && !sorter)
			settle(r);
	}
	return 0;
}

struct file_config {
	bool sorter;
	struct mc_alloc_config ac;
	uint64_t seed;
	const char *sorter_name;
};

static int parse_config(struct run *r, const yaml_node_t *root, struct file_config *fc)
{
	static const char *const kinds[] = {"allocator", "sorter", NULL};
	static const char *const sorters[] = {"drf", "random", NULL};
	yaml_node_t *n = mc_yaml_get(&r->y, root, "kind");
	int kind = 0;
	if (n)
		TRY(mc_yaml_enum(&r->y, n, "kind", kinds, &kind, &r->err));
	fc->sorter = kind == 1;
	mc_alloc_config_defaults(&fc->ac);
	fc->seed = 1;
	fc->sorter_name = "drf";
	yaml_node_t *c = mc_yaml_get(&r->y, root, "config");
	if (!c || mc_yaml_is_null(c))
		return 0;
	if (fc->sorter) {
		CHECK(c, "config", "sorter", "seed");
	} else {
		CHECK(c, "config", "allocation_interval", "min_allocatable", "role_sorter",
		      "framework_sorter", "fair_sharing_excluded", "filter_gpu_resources", "seed");
	}
	int e;
	if ((n = mc_yaml_get(&r->y, c, "seed")))
		TRY(mc_yaml_uint64(&r->y, n, "config.seed", &fc->seed, &r->err));
	if ((n = mc_yaml_get(&r->y, c, "sorter"))) {
		TRY(mc_yaml_enum(&r->y, n, "config.sorter", sorters, &e, &r->err));
		fc->sorter_name = sorters[e];
	}
	if ((n = mc_yaml_get(&r->y, c, "allocation_interval")))
		TRY(mc_yaml_duration(&r->y, n, "config.allocation_interval", 1, 400LL * 24 * MC_HOUR,
				     &fc->ac.allocation_interval, &r->err));
	if ((n = mc_yaml_get(&r->y, c, "min_allocatable")))
		TRY(parse_min_alloc(r, n, "config.min_allocatable", &fc->ac.min_allocatable));
	if ((n = mc_yaml_get(&r->y, c, "role_sorter"))) {
		TRY(mc_yaml_enum(&r->y, n, "config.role_sorter", sorters, &e, &r->err));
		fc->ac.role_sorter = sorters[e];
	}
	if ((n = mc_yaml_get(&r->y, c, "framework_sorter"))) {
		TRY(mc_yaml_enum(&r->y, n, "config.framework_sorter", sorters, &e, &r->err));
		fc->ac.framework_sorter = sorters[e];
	}
	if ((n = mc_yaml_get(&r->y, c, "filter_gpu_resources")))
		TRY(mc_yaml_bool(&r->y, n, "config.filter_gpu_resources",
				 &fc->ac.filter_gpu_resources, &r->err));
	if ((n = mc_yaml_get(&r->y, c, "fair_sharing_excluded"))) {
		if (n->type != YAML_SEQUENCE_NODE)
			return mc_yaml_errorf(&r->y, n, 0, &r->err, MC_EPARSE,
					      "config.fair_sharing_excluded: expected a list of names");
		for (int i = 0; i < mc_yaml_seq_len(n); i++) {
			yaml_node_t *it = mc_yaml_seq_item(&r->y, n, i);
			const char *s;
			TRY(mc_yaml_string(&r->y, it, "config.fair_sharing_excluded", &s, &r->err));
			int idx = mc_res_intern(s, strlen(s), MC_RES_SCALAR);
			if (idx < 0)
				return mc_yaml_errorf(&r->y, it, 0, &r->err, MC_EPARSE,
						      "config.fair_sharing_excluded: bad name '%s'", s);
			fc->ac.fair_sharing_excluded[idx] = true;
		}
	}
	return 0;
}

static void run_free(struct run *r)
{
	if (r->a)
		mc_alloc_free(r->a);
	if (r->sorter)
		r->sops->free(r->sorter);
	if (r->rng)
		gsl_rng_free(r->rng);
	free(r->timers);
	free(r->h);
	free(r->act);
	mc_yaml_release(&r->y);
}

/* Runs one file: 0 passed, 1 failed, 2 bad input. */
static int run_file(const char *path, bool verbose, bool explain)
{
	struct run *r = mc_xcalloc(1, sizeof *r);
	r->file = path;
	r->verbose = verbose;
	r->explain = explain;
	for (int i = 0; i < MAX_NAMES; i++)
		r->fw_role0[i] = -1;
	int status = 0;
	struct file_config fc;
	yaml_node_t *root = NULL, *steps = NULL;
	if (mc_yaml_load_file(&r->y, path, &r->err))
		goto bad;
	root = mc_yaml_root(&r->y);
	static const char *const top[] = {"name", "kind", "config", "steps", NULL};
	if (!root) {
		mc_yaml_errorf(&r->y, NULL, 0, &r->err, MC_EPARSE, "empty file");
		goto bad;
	}
	if (mc_yaml_check_map(&r->y, root, "", top, &r->err) || parse_config(r, root, &fc))
		goto bad;
	steps = mc_yaml_get(&r->y, root, "steps");
	if (!steps || steps->type != YAML_SEQUENCE_NODE) {
		mc_yaml_errorf(&r->y, steps ? steps : root, 0, &r->err, MC_EPARSE,
			       "steps: expected a list of steps");
		goto bad;
	}
	if (fc.sorter)
		r->sops = mc_sorter_lookup(fc.sorter_name);
	if (run_steps(r, steps, fc.sorter))
		goto bad;
	/* executing pass */
	r->exec = true;
	r->rng = mc_rng_new(fc.seed, "allocator");
	if (fc.sorter) {
		r->sorter = r->sops->new(true, NULL, &r->pool, mc_rng_u32, r->rng);
	} else {
		struct mc_alloc_host host = {
			.ctx = r,
			.timer_start = host_timer_start,
			.timer_cancel = host_timer_cancel,
			.request_run = host_request_run,
			.offer = host_offer,
			.random = host_random,
			.explain = explain ? host_explain : NULL,
		};
		r->a = mc_alloc_new(&fc.ac, &host, 0);
		if (!r->a) {
			mc_yaml_errorf(&r->y, root, 0, &r->err, MC_EINVAL, "cannot create the allocator");
			goto bad;
		}
	}
	if (run_steps(r, steps, fc.sorter))
		goto bad;
	status = r->failures ? 1 : 0;
	run_free(r);
	free(r);
	return status;
bad:
	fflush(stdout);
	fprintf(stderr, "%s\n", r->err.msg);
	run_free(r);
	free(r);
	return 2;
}

int mc__cmd_scenario(int argc, char **argv)
{
	bool verbose = false, explain = false;
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose = true;
		else if (!strcmp(argv[i], "--explain"))
			explain = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: mesocosm scenario FILE.yaml [FILE.yaml ...] [-v] [--explain]\n");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mesocosm scenario: unknown option '%s'\n", argv[i]);
			return 2;
		} else
			nfiles++;
	}
	if (!nfiles) {
		fprintf(stderr, "usage: mesocosm scenario FILE.yaml [FILE.yaml ...] [-v] [--explain]\n");
		return 2;
	}
	int passed = 0, failed = 0, worst = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		int st = run_file(argv[i], verbose, explain);
		if (st == 0)
			passed++;
		else
			failed++;
		if (st > worst)
			worst = st;
	}
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return worst;
}
