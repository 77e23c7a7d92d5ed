/*
 * yamlutil.c - libyaml document helpers (see yamlutil.h).
 *
 * Invariants: a loaded struct mc_yaml holds one libyaml document whose
 * nodes keep libyaml's 0-based marks, converted to 1-based only when an
 * error is formatted. Nodes created by mc_yaml_set_path() are tagged with
 * start_mark.index == OVERRIDE_MARK and start_mark.line == the index of the
 * override in y->overrides, so their errors name the override instead of a
 * file position.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mesocosm/error.h"
#include "sim/yamlutil.h"

#define OVERRIDE_MARK  ((size_t)-1)
#define COPY_MAX_DEPTH 64

static int set_err(struct mc_yaml_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_err(struct mc_yaml_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int parser_error(struct mc_yaml *y, yaml_parser_t *p, struct mc_yaml_error *err)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	int code = MC_EPARSE;
	if (p->error == YAML_MEMORY_ERROR)
		MC_BUG("libyaml out of memory");
	if (p->context)
		return set_err(err, code, "%s:%zu:%zu: %s (%s)", y->file, p->problem_mark.line + 1,
		               p->problem_mark.column + 1, problem, p->context);
	return set_err(err, code, "%s:%zu:%zu: %s", y->file, p->problem_mark.line + 1,
	               p->problem_mark.column + 1, problem);
}

static int load(struct mc_yaml *y, yaml_parser_t *p, struct mc_yaml_error *err)
{
	if (!yaml_parser_load(p, &y->doc)) {
		int rc = parser_error(y, p, err);
		yaml_parser_delete(p);
		free(y->file);
		y->file = NULL;
		return rc;
	}
	yaml_parser_delete(p);
	y->loaded = true;
	return 0;
}

int mc_yaml_load_file(struct mc_yaml *y, const char *path, struct mc_yaml_error *err)
{
	memset(y, 0, sizeof *y);
	FILE *f = fopen(path, "rb");
	if (!f)
		return set_err(err, MC_EIO, "%s: cannot open: %s", path, strerror(errno));
	y->file = mc_xstrdup(path);
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		MC_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_file(&p, f);
	int rc = load(y, &p, err);
	if (!rc && ferror(f)) {
		rc = set_err(err, MC_EIO, "%s: read error", path);
		mc_yaml_release(y);
	}
	fclose(f);
	return rc;
}

int mc_yaml_load_string(struct mc_yaml *y, const char *name, const char *text, size_t len,
                        struct mc_yaml_error *err)
{
	memset(y, 0, sizeof *y);
	y->file = mc_xstrdup(name);
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		MC_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	return load(y, &p, err);
}

void mc_yaml_release(struct mc_yaml *y)
{
	if (!y)
		return;
	if (y->loaded)
		yaml_document_delete(&y->doc);
	free(y->file);
	for (int k = 0; k < y->noverrides; k++)
		free(y->overrides[k]);
	free(y->overrides);
	memset(y, 0, sizeof *y);
}

yaml_node_t *mc_yaml_root(struct mc_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *mc_yaml_node(struct mc_yaml *y, int id)
{
	return y->loaded ? yaml_document_get_node(&y->doc, id) : NULL;
}

int mc_yaml_errorf(const struct mc_yaml *y, const yaml_node_t *node, int coloff,
                   struct mc_yaml_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *file = y->file ? y->file : "(config)";
	if (!node) {
		snprintf(err->msg, sizeof err->msg, "%s: %s", file, msg);
	} else if (node->start_mark.index == OVERRIDE_MARK) {
		size_t k = node->start_mark.line;
		const char *ov = (int)k < y->noverrides ? y->overrides[k] : "?";
		snprintf(err->msg, sizeof err->msg, "--set %s: %s", ov, msg);
	} else {
		size_t col = node->start_mark.column + 1;
		if (node->type == YAML_SCALAR_NODE && coloff > 0) {
			yaml_scalar_style_t st = node->data.scalar.style;
			if (st == YAML_PLAIN_SCALAR_STYLE)
				col += (size_t)coloff;
			else if (st == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			         st == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
				col += (size_t)coloff + 1;
		}
		snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: %s", file,
		         node->start_mark.line + 1, col, msg);
	}
	return code;
}

/* ---- structure ----------------------------------------------------------- */

const char *mc_yaml_scalar(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

bool mc_yaml_is_null(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)node->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

static const char *label(const char *what)
{
	return what && *what ? what : "the top level";
}

int mc_yaml_check_map(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                      const char *const *allowed, struct mc_yaml_error *err)
{
	if (!node || node->type != YAML_MAPPING_NODE)
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE, "%s: expected a mapping, got %s",
		                      label(what), node ? node_type_name(node) : "nothing");
	int n = mc_yaml_map_len(node);
	for (int k = 0; k < n; k++) {
		yaml_node_t *key, *val;
		mc_yaml_map_pair(y, node, k, &key, &val);
		const char *ks = mc_yaml_scalar(key);
		if (!ks)
			return mc_yaml_errorf(y, key, 0, err, MC_EPARSE, "%s: keys must be scalars",
			                      label(what));
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, ks))
				ok = true;
		if (!ok) {
			char list[300];
			size_t used = 0;
			list[0] = '\0';
			for (const char *const *a = allowed; *a && used < sizeof list; a++) {
				int w = snprintf(list + used, sizeof list - used, "%s%s",
				                 a == allowed ? "" : ", ", *a);
				if (w < 0)
					break;
				used += (size_t)w;
			}
			return mc_yaml_errorf(y, key, 0, err, MC_EPARSE,
			                      "unknown key '%s' in %s (allowed: %s)", ks,
			                      label(what), list);
		}
		for (int j = 0; j < k; j++) {
			yaml_node_t *k2, *v2;
			mc_yaml_map_pair(y, node, j, &k2, &v2);
			const char *s2 = mc_yaml_scalar(k2);
			if (s2 && !strcmp(s2, ks))
				return mc_yaml_errorf(y, key, 0, err, MC_EPARSE,
				                      "duplicate key '%s' in %s", ks, label(what));
		}
	}
	return 0;
}

int mc_yaml_map_len(const yaml_node_t *map)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	return (int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

void mc_yaml_map_pair(struct mc_yaml *y, const yaml_node_t *map, int k, yaml_node_t **key,
                      yaml_node_t **value)
{
	yaml_node_pair_t *pr = &map->data.mapping.pairs.start[k];
	*key = mc_yaml_node(y, pr->key);
	*value = mc_yaml_node(y, pr->value);
}

yaml_node_t *mc_yaml_get(struct mc_yaml *y, const yaml_node_t *map, const char *key)
{
	int n = mc_yaml_map_len(map);
	yaml_node_t *found = NULL;
	for (int k = 0; k < n; k++) {
		yaml_node_t *kn, *vn;
		mc_yaml_map_pair(y, map, k, &kn, &vn);
		const char *ks = mc_yaml_scalar(kn);
		if (ks && !strcmp(ks, key))
			found = vn; /* the last one wins (overrides append) */
	}
	return found;
}

int mc_yaml_seq_len(const yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *mc_yaml_seq_item(struct mc_yaml *y, const yaml_node_t *seq, int k)
{
	if (k < 0 || k >= mc_yaml_seq_len(seq))
		return NULL;
	return mc_yaml_node(y, seq->data.sequence.items.start[k]);
}

/* ---- typed scalars ------------------------------------------------------- */

static int need_scalar(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                       const char *expected, const char **s, struct mc_yaml_error *err)
{
	*s = mc_yaml_scalar(node);
	if (!*s)
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE, "%s: expected %s, got %s",
		                      label(what), expected,
		                      node ? node_type_name(node) : "nothing");
	return 0;
}

int mc_yaml_string(struct mc_yaml *y, const yaml_node_t *node, const char *what, const char **out,
                   struct mc_yaml_error *err)
{
	return need_scalar(y, node, what, "a string", out, err);
}

int mc_yaml_int(struct mc_yaml *y, const yaml_node_t *node, const char *what, int64_t lo,
                int64_t hi, int64_t *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "an integer", &s, err);
	if (rc)
		return rc;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || isspace((unsigned char)*s))
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE,
		                      "%s: expected an integer, got '%s'", label(what), s);
	if (errno == ERANGE || v < lo || v > hi)
		return mc_yaml_errorf(y, node, 0, err, MC_ERANGE,
		                      "%s: %s is out of range [%lld, %lld]", label(what), s,
		                      (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

int mc_yaml_uint64(struct mc_yaml *y, const yaml_node_t *node, const char *what, uint64_t *out,
                   struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "an unsigned integer", &s, err);
	if (rc)
		return rc;
	if (*s == '-')
		return mc_yaml_errorf(y, node, 0, err, MC_ERANGE,
		                      "%s: must not be negative (got %s)", label(what), s);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || !isdigit((unsigned char)*s))
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE,
		                      "%s: expected an unsigned integer, got '%s'", label(what), s);
	if (errno == ERANGE)
		return mc_yaml_errorf(y, node, 0, err, MC_ERANGE, "%s: %s is too large",
		                      label(what), s);
	*out = v;
	return 0;
}

int mc_yaml_double(struct mc_yaml *y, const yaml_node_t *node, const char *what, double lo,
                   double hi, double *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "a number", &s, err);
	if (rc)
		return rc;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || isspace((unsigned char)*s))
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE, "%s: expected a number, got '%s'",
		                      label(what), s);
	if (errno == ERANGE || !isfinite(v) || v < lo || v > hi)
		return mc_yaml_errorf(y, node, 0, err, MC_ERANGE, "%s: %s is out of range [%g, %g]",
		                      label(what), s, lo, hi);
	*out = v;
	return 0;
}

int mc_yaml_bool(struct mc_yaml *y, const yaml_node_t *node, const char *what, bool *out,
                 struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "true or false", &s, err);
	if (rc)
		return rc;
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (int k = 0; k < 3; k++) {
		if (!strcasecmp(s, yes[k])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[k])) {
			*out = false;
			return 0;
		}
	}
	return mc_yaml_errorf(y, node, 0, err, MC_EPARSE, "%s: expected true or false, got '%s'",
	                      label(what), s);
}

static void fmt_duration(mc_time_t t, char *buf, size_t n)
{
	if (t == MC_TIME_NEVER)
		snprintf(buf, n, "forever");
	else if (t % MC_SEC == 0)
		snprintf(buf, n, "%llds", (long long)(t / MC_SEC));
	else
		snprintf(buf, n, "%lldus", (long long)t);
}

int mc_yaml_duration(struct mc_yaml *y, const yaml_node_t *node, const char *what, mc_time_t lo,
                     mc_time_t hi, mc_time_t *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "a duration", &s, err);
	if (rc)
		return rc;
	mc_time_t t;
	rc = mc_duration_parse(s, &t);
	if (rc == MC_EPARSE) {
		if (strchr(s, '-'))
			return mc_yaml_errorf(y, node, 0, err, MC_ERANGE,
			                      "%s: a duration must not be negative (got '%s')",
			                      label(what), s);
		return mc_yaml_errorf(y, node, 0, err, MC_EPARSE,
		                      "%s: bad duration '%s' (expected e.g. 500ms, 1s, 2m, 1h)",
		                      label(what), s);
	}
	if (rc || t < lo || t > hi) {
		char a[32], b[32];
		fmt_duration(lo, a, sizeof a);
		fmt_duration(hi, b, sizeof b);
		return mc_yaml_errorf(y, node, 0, err, MC_ERANGE,
		                      "%s: duration '%s' is out of range [%s, %s]", label(what), s,
		                      a, b);
	}
	*out = t;
	return 0;
}

int mc_yaml_resources(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                      struct mc_resources *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "resources like \"cpus:8;mem:32768\"", &s, err);
	if (rc)
		return rc;
	struct mc_parse_error pe = {0};
	rc = mc_resources_parse(out, s, &pe);
	if (rc)
		return mc_yaml_errorf(y, node, pe.col > 0 ? pe.col - 1 : 0, err,
		                      rc == MC_ERANGE || rc == MC_ENOSPC ? MC_ERANGE : MC_EPARSE,
		                      "%s: bad resources '%s': %s", label(what), s, pe.msg);
	return 0;
}

int mc_yaml_dist(struct mc_yaml *y, const yaml_node_t *node, const char *what, int flags,
                 const char *base_dir, struct mc_dist *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "a distribution like \"exp(30)\"", &s, err);
	if (rc)
		return rc;
	struct mc_parse_error pe = {0};
	rc = mc_dist_parse(out, s, flags, base_dir, &pe);
	if (rc)
		return mc_yaml_errorf(y, node, pe.col > 0 ? pe.col - 1 : 0, err,
		                      rc == MC_ERANGE ? MC_ERANGE : MC_EPARSE,
		                      "%s: bad distribution '%s': %s", label(what), s, pe.msg);
	return 0;
}

int mc_yaml_enum(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                 const char *const *names, int *out, struct mc_yaml_error *err)
{
	const char *s;
	int rc = need_scalar(y, node, what, "a name", &s, err);
	if (rc)
		return rc;
	for (int k = 0; names[k]; k++)
		if (!strcmp(names[k], s)) {
			*out = k;
			return 0;
		}
	char list[300];
	size_t used = 0;
	list[0] = '\0';
	for (int k = 0; names[k] && used < sizeof list; k++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return mc_yaml_errorf(y, node, 0, err, MC_EPARSE,
	                      "%s: unknown value '%s' (expected one of: %s)", label(what), s, list);
}

/* ---- editing ------------------------------------------------------------- */

static void mark_override(struct mc_yaml *y, int id)
{
	yaml_node_t *n = yaml_document_get_node(&y->doc, id);
	n->start_mark.index = OVERRIDE_MARK;
	n->start_mark.line = (size_t)(y->noverrides - 1);
	n->start_mark.column = 0;
	n->end_mark = n->start_mark;
}

static int add_scalar(struct mc_yaml *y, const char *s, yaml_scalar_style_t style)
{
	int id = yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)s, (int)strlen(s), style);
	if (!id)
		MC_BUG("yaml_document_add_scalar failed");
	mark_override(y, id);
	return id;
}

static int add_mapping(struct mc_yaml *y)
{
	int id = yaml_document_add_mapping(&y->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
	if (!id)
		MC_BUG("yaml_document_add_mapping failed");
	mark_override(y, id);
	return id;
}

/* Copies node `sid` of `src` into y's document; returns the new id, or 0
 * when the value nests too deeply (aliases can make it a cycle). */
static int copy_node(struct mc_yaml *y, yaml_document_t *src, int sid, int depth)
{
	if (depth > COPY_MAX_DEPTH)
		return 0;
	yaml_node_t *sn = yaml_document_get_node(src, sid);
	int id = 0;
	switch (sn->type) {
	case YAML_SCALAR_NODE:
		id = add_scalar(y, (const char *)sn->data.scalar.value, sn->data.scalar.style);
		break;
	case YAML_SEQUENCE_NODE: {
		id = yaml_document_add_sequence(&y->doc, NULL, YAML_FLOW_SEQUENCE_STYLE);
		if (!id)
			MC_BUG("yaml_document_add_sequence failed");
		mark_override(y, id);
		int n = (int)(sn->data.sequence.items.top - sn->data.sequence.items.start);
		for (int k = 0; k < n; k++) {
			sn = yaml_document_get_node(src, sid);
			int c = copy_node(y, src, sn->data.sequence.items.start[k], depth + 1);
			if (!c)
				return 0;
			yaml_document_append_sequence_item(&y->doc, id, c);
		}
		break;
	}
	case YAML_MAPPING_NODE: {
		id = add_mapping(y);
		int n = (int)(sn->data.mapping.pairs.top - sn->data.mapping.pairs.start);
		for (int k = 0; k < n; k++) {
			sn = yaml_document_get_node(src, sid);
			yaml_node_pair_t pr = sn->data.mapping.pairs.start[k];
			int kc = copy_node(y, src, pr.key, depth + 1);
			int vc = kc ? copy_node(y, src, pr.value, depth + 1) : 0;
			if (!vc)
				return 0;
			yaml_document_append_mapping_pair(&y->doc, id, kc, vc);
		}
		break;
	}
	default:
		MC_BUG("empty YAML node");
	}
	return id;
}

static bool parse_index(const char *s, size_t len, int *out)
{
	if (len == 0 || len > 9)
		return false;
	int v = 0;
	for (size_t k = 0; k < len; k++) {
		if (!isdigit((unsigned char)s[k]))
			return false;
		v = v * 10 + (s[k] - '0');
	}
	*out = v;
	return true;
}

int mc_yaml_set_path(struct mc_yaml *y, const char *keypath, const char *value,
                     struct mc_yaml_error *err)
{
	if (!keypath || !*keypath || !value)
		return set_err(err, MC_EINVAL, "--set: expected KEY.PATH=VALUE");
	size_t ol = strlen(keypath) + strlen(value) + 2;
	char *ov = mc_xmalloc(ol);
	snprintf(ov, ol, "%s=%s", keypath, value);
	if (!y->loaded) {
		free(ov);
		return set_err(err, MC_EINVAL, "--set %s=%s: no document", keypath, value);
	}

	/* Parse the value on its own first, so a bad value changes nothing. */
	struct mc_yaml v;
	struct mc_yaml_error verr;
	int rc = mc_yaml_load_string(&v, "value", value, strlen(value), &verr);
	if (rc) {
		set_err(err, MC_EPARSE, "--set %s: bad YAML value: %s", ov, verr.msg);
		free(ov);
		return MC_EPARSE;
	}
	y->overrides = mc_xrealloc(y->overrides, (size_t)(y->noverrides + 1) * sizeof(char *));
	y->overrides[y->noverrides++] = ov;

	/* An empty document gets a root mapping first: the root is node 1. */
	if (!yaml_document_get_root_node(&y->doc) && add_mapping(y) != 1)
		MC_BUG("root mapping is not node 1");
	int vid;
	if (!mc_yaml_root(&v))
		vid = add_scalar(y, "", YAML_PLAIN_SCALAR_STYLE);
	else
		vid = copy_node(y, &v.doc, 1, 0);
	mc_yaml_release(&v);
	if (!vid)
		return set_err(err, MC_EPARSE, "--set %s: value nests too deeply", ov);

	/* Walk the path by node ids (adding nodes may move the node array). */
	int cur = 1;
	const char *p = keypath;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		bool last = !dot;
		if (len == 0)
			return set_err(err, MC_EPARSE, "--set %s: empty component in key path", ov);
		yaml_node_t *cn = yaml_document_get_node(&y->doc, cur);
		int next = 0;
		if (cn->type == YAML_SEQUENCE_NODE) {
			int idx;
			int n = (int)(cn->data.sequence.items.top - cn->data.sequence.items.start);
			if (!parse_index(p, len, &idx) || idx >= n)
				return set_err(
				    err, MC_EPARSE,
				    "--set %s: '%.*s' is not an index of the list (0..%d)", ov,
				    (int)len, p, n - 1);
			if (last) {
				cn->data.sequence.items.start[idx] = vid;
				return 0;
			}
			next = cn->data.sequence.items.start[idx];
			yaml_node_t *nn = yaml_document_get_node(&y->doc, next);
			if (mc_yaml_is_null(nn)) {
				int m = add_mapping(y);
				cn = yaml_document_get_node(&y->doc, cur);
				cn->data.sequence.items.start[idx] = m;
				next = m;
			} else if (nn->type == YAML_SCALAR_NODE) {
				return set_err(err, MC_EPARSE,
				               "--set %s: item %d holds a value, not a mapping", ov,
				               idx);
			}
		} else if (cn->type == YAML_MAPPING_NODE) {
			int n = (int)(cn->data.mapping.pairs.top - cn->data.mapping.pairs.start);
			int found = -1;
			for (int k = 0; k < n; k++) {
				yaml_node_t *kn = yaml_document_get_node(
				    &y->doc, cn->data.mapping.pairs.start[k].key);
				const char *ks = mc_yaml_scalar(kn);
				if (ks && strlen(ks) == len && !strncmp(ks, p, len))
					found = k;
			}
			if (found >= 0 && last) {
				cn->data.mapping.pairs.start[found].value = vid;
				return 0;
			}
			if (found >= 0) {
				next = cn->data.mapping.pairs.start[found].value;
				yaml_node_t *nn = yaml_document_get_node(&y->doc, next);
				if (mc_yaml_is_null(nn)) {
					int m = add_mapping(y);
					cn = yaml_document_get_node(&y->doc, cur);
					cn->data.mapping.pairs.start[found].value = m;
					next = m;
				} else if (nn->type == YAML_SCALAR_NODE) {
					return set_err(
					    err, MC_EPARSE,
					    "--set %s: '%.*s' holds a value, not a mapping", ov,
					    (int)len, p);
				}
			} else {
				char *key = mc_xmalloc(len + 1);
				memcpy(key, p, len);
				key[len] = '\0';
				int kid = add_scalar(y, key, YAML_PLAIN_SCALAR_STYLE);
				free(key);
				next = last ? vid : add_mapping(y);
				if (!yaml_document_append_mapping_pair(&y->doc, cur, kid, next))
					MC_BUG("yaml_document_append_mapping_pair failed");
				if (last)
					return 0;
			}
		} else {
			return set_err(err, MC_EPARSE,
			               "--set %s: cannot descend into a scalar at '%.*s'", ov,
			               (int)len, p);
		}
		cur = next;
		p = dot + 1;
	}
}
