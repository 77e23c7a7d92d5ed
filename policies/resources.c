/*
 * resources.c - Mesos resource notation, fixed-point quantities, and the
 * process-wide tables of resource names and roles.
 *
 * Invariants: a struct mc_resources keeps its reservations sorted by role id
 * with no all-zero slot, so equal bags are equal field by field; quantities
 * are thousandths and never negative after a successful parse.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/resources.h"

#define MAX_VALUE 1e12

/* ---- names ------------------------------------------------------------------ */

static struct {
	char name[32];
	enum mc_res_kind kind;
} names[MC_RES_MAX] = {
    {"cpus", MC_RES_SCALAR}, {"mem", MC_RES_SCALAR},   {"disk", MC_RES_SCALAR},
    {"gpus", MC_RES_SCALAR}, {"ports", MC_RES_RANGES},
};
static int nnames = 5;

int mc_res_lookup(const char *name, size_t len)
{
	for (int i = 0; i < nnames; i++)
		if (strlen(names[i].name) == len && !memcmp(names[i].name, name, len))
			return i;
	return MC_ENOENT;
}

int mc_res_intern(const char *name, size_t len, enum mc_res_kind kind)
{
	int i = mc_res_lookup(name, len);
	if (i >= 0)
		return names[i].kind == kind ? i : MC_EINVAL;
	if (len == 0 || len >= sizeof names[0].name)
		return MC_EINVAL;
	if (nnames == MC_RES_MAX)
		return MC_ENOSPC;
	memcpy(names[nnames].name, name, len);
	names[nnames].name[len] = '\0';
	names[nnames].kind = kind;
	return nnames++;
}

const char *mc_res_name(int idx)
{
	return idx >= 0 && idx < nnames ? names[idx].name : "?";
}
enum mc_res_kind mc_res_kind_of(int idx)
{
	return idx >= 0 && idx < nnames ? names[idx].kind : MC_RES_SCALAR;
}
int mc_res_count(void)
{
	return nnames;
}

/* ---- roles ------------------------------------------------------------------- */

struct role {
	char *name;
	int32_t parent;
};
static struct role *roles;
static size_t nroles, roles_cap;

static void roles_init(void)
{
	if (nroles)
		return;
	mc_xgrow(&roles, &roles_cap, 1, sizeof *roles);
	roles[0].name = mc_xstrdup("*");
	roles[0].parent = MC_ROLE_NONE;
	nroles = 1;
}

int32_t mc_role_lookup(const char *name, size_t len)
{
	roles_init();
	for (size_t i = 0; i < nroles; i++)
		if (strlen(roles[i].name) == len && !memcmp(roles[i].name, name, len))
			return (int32_t)i;
	return MC_ENOENT;
}

static bool role_char_ok(char c)
{
	/* Mesos forbids whitespace, '/', '\\' within a component, and control
	 * characters; a component may not be "." or ".." nor start with '-'. */
	return c > ' ' && c != 127 && c != '\\' && c != '(' && c != ')' && c != ';' && c != ':';
}

int32_t mc_role_intern(const char *name, size_t len)
{
	int32_t id = mc_role_lookup(name, len);
	if (id >= 0)
		return id;
	if (len == 0)
		return MC_EINVAL;
	if (len == 1 && name[0] == '*')
		return MC_ROLE_ANY;
	/* validate components */
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '/') {
			size_t clen = i - start;
			if (clen == 0)
				return MC_EINVAL;
			if ((clen == 1 && name[start] == '.') ||
			    (clen == 2 && name[start] == '.' && name[start + 1] == '.') ||
			    name[start] == '-' || (clen == 1 && name[start] == '*'))
				return MC_EPARSE;
			start = i + 1;
		} else if (!role_char_ok(name[i])) {
			return MC_EPARSE;
		}
	}
	int32_t parent = MC_ROLE_NONE;
	const char *slash = NULL;
	for (size_t i = len; i-- > 0;)
		if (name[i] == '/') {
			slash = name + i;
			break;
		}
	if (slash) {
		parent = mc_role_intern(name, (size_t)(slash - name));
		if (parent < 0)
			return parent;
	}
	mc_xgrow(&roles, &roles_cap, nroles + 1, sizeof *roles);
	char *copy = mc_xmalloc(len + 1);
	memcpy(copy, name, len);
	copy[len] = '\0';
	roles[nroles].name = copy;
	roles[nroles].parent = parent;
	return (int32_t)nroles++;
}

const char *mc_role_name(int32_t role)
{
	roles_init();
	return role >= 0 && (size_t)role < nroles ? roles[role].name : "?";
}

int32_t mc_role_parent(int32_t role)
{
	roles_init();
	return role >= 0 && (size_t)role < nroles ? roles[role].parent : MC_ROLE_NONE;
}

int mc_role_count(void)
{
	roles_init();
	return (int)nroles;
}

bool mc_role_is_self_or_ancestor(int32_t anc, int32_t role)
{
	for (int32_t r = role; r >= 0; r = mc_role_parent(r))
		if (r == anc)
			return true;
	return false;
}

int32_t mc_role_top(int32_t role)
{
	int32_t r = role;
	while (r >= 0 && mc_role_parent(r) >= 0)
		r = mc_role_parent(r);
	return r;
}

/* ---- bags ------------------------------------------------------------------------ */

bool mc_resources_is_empty(const struct mc_resources *r)
{
	return r->nresv == 0 && mc_resvec_is_zero(&r->unres);
}

bool mc_resources_equal(const struct mc_resources *a, const struct mc_resources *b)
{
	if (a->nresv != b->nresv || !mc_resvec_equal(&a->unres, &b->unres))
		return false;
	for (int i = 0; i < a->nresv; i++)
		if (a->resv_role[i] != b->resv_role[i] ||
		    !mc_resvec_equal(&a->resv[i], &b->resv[i]))
			return false;
	return true;
}

const struct mc_resvec *mc_resources_reserved(const struct mc_resources *r, int32_t role)
{
	for (int i = 0; i < r->nresv; i++)
		if (r->resv_role[i] == role)
			return &r->resv[i];
	return NULL;
}

/* Removes reservation slots that became all zero, keeping the order. */
static void compact(struct mc_resources *r)
{
	int k = 0;
	for (int i = 0; i < r->nresv; i++) {
		if (mc_resvec_is_zero(&r->resv[i]))
			continue;
		if (k != i) {
			r->resv_role[k] = r->resv_role[i];
			r->resv[k] = r->resv[i];
		}
		k++;
	}
	for (int i = k; i < r->nresv; i++)
		mc_resvec_clear(&r->resv[i]);
	r->nresv = k;
}

int mc_resources_add_reserved(struct mc_resources *r, int32_t role, const struct mc_resvec *q)
{
	if (role == MC_ROLE_ANY) {
		mc_resvec_add(&r->unres, q);
		return 0;
	}
	if (mc_resvec_is_zero(q))
		return 0;
	int i = 0;
	while (i < r->nresv && r->resv_role[i] < role)
		i++;
	if (i < r->nresv && r->resv_role[i] == role) {
		mc_resvec_add(&r->resv[i], q);
		compact(r);
		return 0;
	}
	if (r->nresv == MC_RES_MAX_RESV)
		return MC_ENOSPC;
	memmove(&r->resv_role[i + 1], &r->resv_role[i],
	        (size_t)(r->nresv - i) * sizeof r->resv_role[0]);
	memmove(&r->resv[i + 1], &r->resv[i], (size_t)(r->nresv - i) * sizeof r->resv[0]);
	r->resv_role[i] = role;
	r->resv[i] = *q;
	r->nresv++;
	return 0;
}

int mc_resources_add(struct mc_resources *a, const struct mc_resources *b)
{
	/* fast path (the common case): every reserved role of b is in a */
	int hit = 0;
	for (int i = 0; i < b->nresv; i++)
		for (int j = 0; j < a->nresv; j++)
			if (a->resv_role[j] == b->resv_role[i]) {
				hit++;
				break;
			}
	if (hit == b->nresv) {
		mc_resvec_add(&a->unres, &b->unres);
		for (int i = 0; i < b->nresv; i++)
			for (int j = 0; j < a->nresv; j++)
				if (a->resv_role[j] == b->resv_role[i])
					mc_resvec_add(&a->resv[j], &b->resv[i]);
		compact(a);
		return 0;
	}
	struct mc_resources tmp = *a;
	mc_resvec_add(&tmp.unres, &b->unres);
	for (int i = 0; i < b->nresv; i++)
		if (mc_resources_add_reserved(&tmp, b->resv_role[i], &b->resv[i]))
			return MC_ENOSPC;
	*a = tmp;
	return 0;
}

bool mc_resources_contains(const struct mc_resources *a, const struct mc_resources *b)
{
	if (!mc_resvec_contains(&a->unres, &b->unres))
		return false;
	for (int i = 0; i < b->nresv; i++) {
		const struct mc_resvec *ra = mc_resources_reserved(a, b->resv_role[i]);
		if (!ra || !mc_resvec_contains(ra, &b->resv[i]))
			return false;
	}
	return true;
}

int mc_resources_subtract(struct mc_resources *a, const struct mc_resources *b)
{
	if (!mc_resources_contains(a, b))
		return MC_EINSUFFICIENT;
	mc_resvec_sub(&a->unres, &b->unres);
	for (int i = 0; i < b->nresv; i++)
		for (int j = 0; j < a->nresv; j++)
			if (a->resv_role[j] == b->resv_role[i])
				mc_resvec_sub(&a->resv[j], &b->resv[i]);
	compact(a);
	return 0;
}

void mc_resources_sum(const struct mc_resources *r, struct mc_resvec *out)
{
	*out = r->unres;
	for (int i = 0; i < r->nresv; i++)
		mc_resvec_add(out, &r->resv[i]);
}

void mc_resources_shrink_unreserved(struct mc_resources *r, const struct mc_resvec *limit)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (mc_res_kind_of(i) == MC_RES_SCALAR && r->unres.q[i] > limit->q[i])
			r->unres.q[i] = limit->q[i] > 0 ? limit->q[i] : 0;
}

void mc_resources_allocatable_to(struct mc_resources *r, int32_t role)
{
	for (int i = 0; i < r->nresv; i++)
		if (!mc_role_is_self_or_ancestor(r->resv_role[i], role))
			mc_resvec_clear(&r->resv[i]);
	compact(r);
}

static int vec_cmp(const struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (a->q[i] != b->q[i])
			return a->q[i] < b->q[i] ? -1 : 1;
	return 0;
}

int mc_resources_compare(const struct mc_resources *a, const struct mc_resources *b)
{
	int c = vec_cmp(&a->unres, &b->unres);
	if (c)
		return c;
	if (a->nresv != b->nresv)
		return a->nresv < b->nresv ? -1 : 1;
	for (int i = 0; i < a->nresv; i++) {
		if (a->resv_role[i] != b->resv_role[i])
			return a->resv_role[i] < b->resv_role[i] ? -1 : 1;
		if ((c = vec_cmp(&a->resv[i], &b->resv[i])))
			return c;
	}
	return 0;
}

int64_t mc_milli_from_double(double x)
{
	return (int64_t)llround(x * MC_RES_SCALE);
}

/* ---- parsing ------------------------------------------------------------------------ */

static int perr(struct mc_parse_error *err, const char *text, const char *at, int code,
                const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->col = (int)(at - text) + 1;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parses a non-negative decimal number at *pp; returns thousandths. */
static int parse_number(const char *text, const char **pp, int64_t *out, struct mc_parse_error *err)
{
	const char *p = *pp;
	if (*p == '-')
		return perr(err, text, p, MC_ERANGE, "negative value");
	if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '+'))
		return perr(err, text, p, MC_EPARSE, "expected a number");
	char *end;
	errno = 0;
	double v = strtod(p, &end);
	if (end == p)
		return perr(err, text, p, MC_EPARSE, "expected a number");
	if (errno == ERANGE || !isfinite(v) || v >= MAX_VALUE)
		return perr(err, text, p, MC_ERANGE, "value too large (limit 1e12)");
	if (v < 0)
		return perr(err, text, p, MC_ERANGE, "negative value");
	*out = mc_milli_from_double(v);
	*pp = end;
	return 0;
}

/* "[a-b,c-d]" -> number of elements. */
static int parse_ranges(const char *text, const char **pp, int64_t *count,
                        struct mc_parse_error *err)
{
	const char *p = *pp + 1; /* past '[' */
	int64_t n = 0;
	p = skip_ws(p);
	if (*p == ']') {
		*pp = p + 1;
		*count = 0;
		return 0;
	}
	for (;;) {
		p = skip_ws(p);
		char *end;
		errno = 0;
		if (!isdigit((unsigned char)*p))
			return perr(err, text, p, MC_EPARSE, "expected a range 'begin-end'");
		unsigned long long b = strtoull(p, &end, 10);
		if (errno || *end != '-')
			return perr(err, text, end, MC_EPARSE, "expected '-' in a range");
		p = end + 1;
		if (!isdigit((unsigned char)*p))
			return perr(err, text, p, MC_EPARSE, "expected the end of a range");
		unsigned long long e = strtoull(p, &end, 10);
		if (errno || e < b || e - b >= 1000000000ULL)
			return perr(err, text, p, MC_ERANGE, "bad range %llu-%llu", b, e);
		n += (int64_t)(e - b + 1);
		p = skip_ws(end);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']') {
			*pp = p + 1;
			*count = n;
			return 0;
		}
		return perr(err, text, p, MC_EPARSE, "expected ',' or ']' in ranges");
	}
}

/* "{a,b,c}" -> number of elements. */
static int parse_set(const char *text, const char **pp, int64_t *count, struct mc_parse_error *err)
{
	const char *p = *pp + 1;
	int64_t n = 0;
	bool item = false;
	for (; *p && *p != '}'; p++) {
		if (*p == ',') {
			if (!item)
				return perr(err, text, p, MC_EPARSE, "empty item in set");
			n++;
			item = false;
		} else if (*p != ' ' && *p != '\t') {
			item = true;
		}
	}
	if (*p != '}')
		return perr(err, text, p, MC_EPARSE, "unterminated set: expected '}'");
	if (item)
		n++;
	*pp = p + 1;
	*count = n;
	return 0;
}

int mc_resources_parse(struct mc_resources *out, const char *text, struct mc_parse_error *err)
{
	mc_resources_clear(out);
	if (!text)
		return 0;
	const char *p = text;
	for (;;) {
		p = skip_ws(p);
		if (*p == '\0')
			return 0;
		if (*p == ';') {
			p++;
			continue;
		}
		const char *name = p;
		while (*p && *p != ':' && *p != '(' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t nlen = (size_t)(p - name);
		if (nlen == 0)
			return perr(err, text, name, MC_EPARSE, "expected a resource name");
		int32_t role = MC_ROLE_ANY;
		p = skip_ws(p);
		if (*p == '(') {
			const char *r = ++p;
			while (*p && *p != ')')
				p++;
			if (*p != ')')
				return perr(err, text, r, MC_EPARSE,
				            "unterminated role: expected ')'");
			int32_t id = mc_role_intern(r, (size_t)(p - r));
			if (id < 0)
				return perr(err, text, r, MC_EPARSE, "invalid role '%.*s'",
				            (int)(p - r), r);
			role = id;
			p = skip_ws(p + 1);
		}
		if (*p != ':')
			return perr(err, text, p, MC_EPARSE, "expected ':' after '%.*s'", (int)nlen,
			            name);
		p = skip_ws(p + 1);
		int64_t q = 0;
		enum mc_res_kind kind;
		int rc;
		const char *vstart = p;
		if (*p == '[') {
			kind = MC_RES_RANGES;
			rc = parse_ranges(text, &p, &q, err);
			q *= MC_RES_SCALE;
		} else if (*p == '{') {
			kind = MC_RES_SET;
			rc = parse_set(text, &p, &q, err);
			q *= MC_RES_SCALE;
		} else {
			int known = mc_res_lookup(name, nlen);
			kind = known >= 0 ? mc_res_kind_of(known) : MC_RES_SCALAR;
			rc = parse_number(text, &p, &q, err);
		}
		if (rc)
			return rc;
		int idx = mc_res_intern(name, nlen, kind);
		if (idx == MC_ENOSPC)
			return perr(err, text, name, MC_ENOSPC,
			            "too many resource names (limit %d)", MC_RES_MAX);
		if (idx < 0)
			return perr(err, text, vstart, MC_EPARSE,
			            "'%.*s' was used before as another kind of resource", (int)nlen,
			            name);
		struct mc_resvec v;
		mc_resvec_clear(&v);
		v.q[idx] = q;
		if (mc_resources_add_reserved(out, role, &v))
			return perr(err, text, name, MC_ENOSPC,
			            "too many reserved roles in one resource set (limit %d)",
			            MC_RES_MAX_RESV);
		p = skip_ws(p);
		if (*p != ';' && *p != '\0')
			return perr(err, text, p, MC_EPARSE, "expected ';' between resources");
	}
}

/* ---- formatting ---------------------------------------------------------------------- */

struct buf {
	char *s;
	size_t size, len;
};

static void bput(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->len < b->size ? b->size - b->len : 0;
	int n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static void put_value(struct buf *b, int64_t m)
{
	int64_t ip = m / MC_RES_SCALE, fp = m % MC_RES_SCALE;
	if (fp == 0) {
		bput(b, "%lld", (long long)ip);
		return;
	}
	char frac[8];
	snprintf(frac, sizeof frac, "%03lld", (long long)fp);
	for (int i = 2; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	bput(b, "%lld.%s", (long long)ip, frac);
}

static void put_vec(struct buf *b, const struct mc_resvec *v, int32_t role)
{
	for (int i = 0; i < MC_RES_MAX; i++) {
		if (v->q[i] == 0)
			continue;
		if (b->len)
			bput(b, ";");
		bput(b, "%s", mc_res_name(i));
		if (role != MC_ROLE_ANY)
			bput(b, "(%s)", mc_role_name(role));
		bput(b, ":");
		put_value(b, v->q[i]);
	}
}

int mc_resvec_format(const struct mc_resvec *v, char *buf, size_t size)
{
	struct buf b = {buf, size, 0};
	if (size)
		buf[0] = '\0';
	put_vec(&b, v, MC_ROLE_ANY);
	return (int)b.len;
}

int mc_resources_format(const struct mc_resources *r, char *buf, size_t size)
{
	struct buf b = {buf, size, 0};
	if (size)
		buf[0] = '\0';
	put_vec(&b, &r->unres, MC_ROLE_ANY);
	for (int i = 0; i < r->nresv; i++)
		put_vec(&b, &r->resv[i], r->resv_role[i]);
	return (int)b.len;
}
