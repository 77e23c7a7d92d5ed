/*
 * validate.c - what the validation experiments share: run an experiment
 * (YAML text or a loaded config) into a scratch run directory with the
 * ordinary runner, and read its tasks.msgpack back with msgpack-c's
 * streaming unpacker.
 *
 * The records are kept in one growing array (a validation run has at most
 * some tens of thousands of task attempts); framework names come from the
 * stream's header, so callers find frameworks by name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msgpack.h>

#include "mesocosm/error.h"
#include "sim/rundir.h"
#include "sim/metrics.h"
#include "sim/runner.h"
#include "sim/validate.h"

static int errf(char *err, size_t n, int rc, const char *fmt, ...)
{
	if (err && n) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int mc__validate_tmpdir(char *buf, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(buf, n, "%s/mesocosm-validate-XXXXXX", tmp) >= n)
		return MC_EIO;
	return mkdtemp(buf) ? 0 : MC_EIO;
}

void mc__vrun_release(struct mc__vrun *r)
{
	if (!r)
		return;
	free(r->recs);
	for (int i = 0; i < r->nfws; i++)
		free(r->fw_names[i]);
	free(r->fw_names);
	memset(r, 0, sizeof *r);
}

int mc__vrun_fw(const struct mc__vrun *r, const char *name)
{
	for (int i = 0; i < r->nfws; i++)
		if (!strcmp(r->fw_names[i], name))
			return i;
	return -1;
}

static bool is_int(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
	       o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
}

static int64_t as_int(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)o->via.u64 : o->via.i64;
}

static bool key_is(const msgpack_object *k, const char *s)
{
	size_t n = strlen(s);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	       !memcmp(k->via.str.ptr, s, n);
}

/* The header map: takes the framework names and checks the field order. */
static int read_header(const msgpack_object *h, struct mc__vrun *out, const char *path, char *err,
                       size_t n)
{
	static const char *const fields[] = {"framework", "job",    "index", "attempt", "submit_us",
	                                     "launch_us", "end_us", "state", "agent"};
	if (h->type != MSGPACK_OBJECT_MAP)
		return errf(err, n, MC_EPARSE, "%s: the first object is not the header map", path);
	bool have_fields = false;
	for (uint32_t i = 0; i < h->via.map.size; i++) {
		const msgpack_object *k = &h->via.map.ptr[i].key, *v = &h->via.map.ptr[i].val;
		if (key_is(k, "fields")) {
			if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size < 9)
				return errf(err, n, MC_EPARSE, "%s: header 'fields' too short",
				            path);
			for (int f = 0; f < 9; f++)
				if (!key_is(&v->via.array.ptr[f], fields[f]))
					return errf(err, n, MC_EPARSE,
					            "%s: header field %d is not '%s'", path, f,
					            fields[f]);
			have_fields = true;
		} else if (key_is(k, "frameworks")) {
			if (v->type != MSGPACK_OBJECT_ARRAY)
				return errf(err, n, MC_EPARSE, "%s: header 'frameworks' not a list",
				            path);
			out->nfws = (int)v->via.array.size;
			out->fw_names = mc_xcalloc((size_t)out->nfws + 1, sizeof *out->fw_names);
			for (int f = 0; f < out->nfws; f++) {
				const msgpack_object *s = &v->via.array.ptr[f];
				if (s->type != MSGPACK_OBJECT_STR)
					return errf(err, n, MC_EPARSE,
					            "%s: framework name %d not a string", path, f);
				char *name = mc_xmalloc(s->via.str.size + 1);
				memcpy(name, s->via.str.ptr, s->via.str.size);
				name[s->via.str.size] = '\0';
				out->fw_names[f] = name;
			}
		}
	}
	if (!have_fields)
		return errf(err, n, MC_EPARSE, "%s: header without 'fields'", path);
	return 0;
}

static int read_record(const msgpack_object *o, struct mc__vrun *out, size_t *cap, const char *path,
                       char *err, size_t n)
{
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 9)
		return errf(err, n, MC_EPARSE, "%s: record %zu is not an array of 9+ fields", path,
		            out->nrecs);
	const msgpack_object *a = o->via.array.ptr;
	static const int must_int[] = {0, 1, 2, 3, 4, 6, 7};
	for (size_t i = 0; i < sizeof must_int / sizeof must_int[0]; i++)
		if (!is_int(&a[must_int[i]]))
			return errf(err, n, MC_EPARSE, "%s: record %zu field %d is not an integer",
			            path, out->nrecs, must_int[i]);
	mc_xgrow(&out->recs, cap, out->nrecs + 1, sizeof *out->recs);
	struct mc__vrec *r = &out->recs[out->nrecs++];
	r->fw = (int32_t)as_int(&a[0]);
	r->job = as_int(&a[1]);
	r->index = (uint32_t)as_int(&a[2]);
	r->attempt = (uint32_t)as_int(&a[3]);
	r->submit = as_int(&a[4]);
	r->launch = is_int(&a[5]) ? as_int(&a[5]) : MC_TIME_NEVER;
	r->end = as_int(&a[6]);
	r->state = (int)as_int(&a[7]);
	r->agent = is_int(&a[8]) ? (int32_t)as_int(&a[8]) : -1;
	if (r->fw < 0 || r->fw >= out->nfws || r->state < 0 || r->state >= MC_TASK_END_COUNT)
		return errf(err, n, MC_EPARSE, "%s: record %zu: framework or state out of range",
		            path, out->nrecs - 1);
	return 0;
}

int mc__vrun_read_tasks(const char *path, struct mc__vrun *out, char *err, size_t n)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return errf(err, n, MC_EIO, "%s: %s", path, strerror(errno));
	msgpack_unpacker up;
	if (!msgpack_unpacker_init(&up, 1 << 16)) {
		fclose(f);
		return errf(err, n, MC_EIO, "%s: cannot create an unpacker", path);
	}
	msgpack_unpacked res;
	msgpack_unpacked_init(&res);
	size_t cap = 0;
	bool header = false;
	int rc = 0;
	for (;;) {
		if (!msgpack_unpacker_reserve_buffer(&up, 1 << 16)) {
			rc = errf(err, n, MC_EIO, "%s: out of unpacker buffer", path);
			break;
		}
		size_t got = fread(msgpack_unpacker_buffer(&up), 1, 1 << 16, f);
		msgpack_unpacker_buffer_consumed(&up, got);
		msgpack_unpack_return ret;
		while (!rc && (ret = msgpack_unpacker_next(&up, &res)) == MSGPACK_UNPACK_SUCCESS) {
			if (!header) {
				rc = read_header(&res.data, out, path, err, n);
				header = true;
			} else {
				rc = read_record(&res.data, out, &cap, path, err, n);
			}
		}
		if (!rc && ret == MSGPACK_UNPACK_PARSE_ERROR)
			rc = errf(err, n, MC_EPARSE, "%s: malformed MessagePack after record %zu",
			          path, out->nrecs);
		if (rc || got == 0)
			break;
	}
	if (!rc && ferror(f))
		rc = errf(err, n, MC_EIO, "%s: read error", path);
	if (!rc && !header)
		rc = errf(err, n, MC_EPARSE, "%s: empty (no header)", path);
	if (!rc && msgpack_unpacker_message_size(&up) != msgpack_unpacker_parsed_size(&up))
		rc = errf(err, n, MC_EPARSE, "%s: truncated last record", path);
	msgpack_unpacked_destroy(&res);
	msgpack_unpacker_destroy(&up);
	fclose(f);
	if (rc)
		mc__vrun_release(out);
	return rc;
}

int mc__validate_run_config(const char *dir, const struct mc_config *c, struct mc__vrun *out,
                            char *err, size_t n)
{
	char rundir[4096], tasks[4200];
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	struct mc_run_options o = {.out_dir = rundir, .force = true, .quiet = true};
	int rc = mc_run_experiment(c, &o);
	if (rc)
		return errf(err, n, rc, "%s: the run failed: %s", c->path ? c->path : c->name,
		            mc_strerror(rc));
	snprintf(tasks, sizeof tasks, "%s/tasks.msgpack", rundir);
	return mc__vrun_read_tasks(tasks, out, err, n);
}

int mc__validate_run_yaml(const char *dir, const char *yaml, struct mc__vrun *out, char *err,
                          size_t n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/experiment.yaml", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return errf(err, n, MC_EIO, "%s: %s", path, strerror(errno));
	fputs(yaml, f);
	if (fclose(f) != 0)
		return errf(err, n, MC_EIO, "%s: write error", path);
	struct mc_config c;
	int rc = mc_config_load(&c, path, err, n);
	if (rc)
		return rc;
	rc = mc__validate_run_config(dir, &c, out, err, n);
	mc_config_release(&c);
	return rc;
}
