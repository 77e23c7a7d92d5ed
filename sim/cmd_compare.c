/*
 * cmd_compare.c - `mesocosm compare RUN_DIR... [-o OUT]`: the headline
 * metrics of several runs side by side (one column per run), read from
 * each run's summary.json; with -o, overlaid plots (utilization over time of
 * every run on one chart per resource) drawn by gnuplot from their
 * timeseries.csv with scripts/compare.gp.
 *
 * Bad input (missing or malformed summary.json, another schema) is reported
 * as `file:line:col: message` and exit status 2; nothing is written then.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mesocosm/error.h"
#include "sim/cli.h"
#include "sim/json.h"

extern char **environ;

#ifndef MC_SOURCE_DIR
#define MC_SOURCE_DIR "."
#endif

#define MAX_SUMMARY_BYTES (64u << 20)

struct run {
	const char *dir;
	struct mc_json_doc doc;
};

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = mc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Reads a whole file (at most `max` bytes). Returns NULL with errno set. */
static char *read_all(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = mc_xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = mc_xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

static int load_run(struct run *r)
{
	char *path = join(r->dir, "summary.json");
	size_t len;
	char *text = read_all(path, MAX_SUMMARY_BYTES, &len);
	if (!text) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(path);
		return MC_EIO;
	}
	int line, col;
	char msg[160];
	int rc = mc_json_parse(&r->doc, text, len, &line, &col, msg, sizeof msg);
	free(text);
	if (rc) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, line, col, msg);
		free(path);
		return rc;
	}
	const struct mc_json_value *s = mc_json_get(r->doc.root, "schema");
	if (!s || s->type != MC_JSON_STRING || strncmp(s->str, "mesocosm.summary/", 17)) {
		int l = s ? s->line : 1, c = s ? s->col : 1;
		fprintf(stderr, "%s:%d:%d: not a mesocosm summary (\"schema\" should be "
				"\"mesocosm.summary/1\")\n", path, l, c);
		mc_json_doc_release(&r->doc);
		free(path);
		return MC_EPARSE;
	}
	free(path);
	return 0;
}

static void cell(const struct mc_json_value *v, char *buf, size_t n)
{
	if (!v || v->type == MC_JSON_NULL)
		snprintf(buf, n, "-");
	else if (v->type == MC_JSON_NUMBER)
		snprintf(buf, n, "%.6g", v->num);
	else if (v->type == MC_JSON_STRING)
		snprintf(buf, n, "%s", v->str);
	else if (v->type == MC_JSON_TRUE || v->type == MC_JSON_FALSE)
		snprintf(buf, n, "%s", v->type == MC_JSON_TRUE ? "yes" : "no");
	else
		snprintf(buf, n, "...");
}

static const char *const rows[][2] = {
	{"experiment", "experiment"},
	{"policy", "policy"},
	{"seed", "seed"},
	{"complete", "complete"},
	{"simulated s", "simulated_seconds"},
	{"agents", "agents"},
	{"frameworks", "frameworks"},
	{"tasks submitted", "tasks.submitted"},
	{"tasks finished", "tasks.finished"},
	{"tasks failed", "tasks.failed"},
	{"tasks lost", "tasks.lost"},
	{"pending at end", "tasks.pending_at_end"},
	{"jobs completed", "jobs.completed"},
	{"cpus allocated", "utilization.cpus.allocated"},
	{"cpus offered unused", "utilization.cpus.offered_unused"},
	{"mem allocated", "utilization.mem.allocated"},
	{"mem offered unused", "utilization.mem.offered_unused"},
	{"sched delay mean s", "latency.task_scheduling_delay.mean"},
	{"sched delay p50 s", "latency.task_scheduling_delay.p50"},
	{"sched delay p99 s", "latency.task_scheduling_delay.p99"},
	{"job completion mean s", "latency.job_completion.mean"},
	{"job completion p99 s", "latency.job_completion.p99"},
	{"jain index mean", "fairness.jain_index_mean"},
	{"allocation runs", "allocator.runs"},
	{"offers made", "allocator.offers_made"},
	{"offers declined", "allocator.offers_declined"},
	{"offers rescinded", "allocator.offers_rescinded"},
};

static const char *base_name(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	const char *s = p + n;
	while (s > p && s[-1] != '/')
		s--;
	return s;
}

static void print_table(struct run *runs, int n, FILE *out)
{
	char buf[64];
	fprintf(out, "%-22s", "");
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s", base_name(runs[i].dir));
		size_t l = strlen(name);
		while (l > 0 && name[l - 1] == '/')
			name[--l] = '\0';
		fprintf(out, " %16.16s", name);
	}
	fputc('\n', out);
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		fprintf(out, "%-22s", rows[r][0]);
		for (int i = 0; i < n; i++) {
			cell(mc_json_path(runs[i].doc.root, rows[r][1]), buf, sizeof buf);
			fprintf(out, " %16.16s", buf);
		}
		fputc('\n', out);
	}
	/* Final dominant shares per role, for roles of the first run. */
	const struct mc_json_value *fin = mc_json_path(runs[0].doc.root, "fairness.dominant_share_final");
	if (fin && fin->type == MC_JSON_OBJECT) {
		for (const struct mc_json_value *c = fin->child; c; c = c->next) {
			char label[64];
			snprintf(label, sizeof label, "share %s", c->key);
			fprintf(out, "%-22.22s", label);
			for (int i = 0; i < n; i++) {
				const struct mc_json_value *f =
					mc_json_path(runs[i].doc.root, "fairness.dominant_share_final");
				cell(mc_json_get(f, c->key), buf, sizeof buf);
				fprintf(out, " %16.16s", buf);
			}
			fputc('\n', out);
		}
	}
}

/* 1-based column of `name` in the CSV header of path, or 0. */
static int csv_column(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1 << 14];
	int col = 0;
	if (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		int i = 1;
		for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ","), i++)
			if (!strcmp(tok, name)) {
				col = i;
				break;
			}
	}
	fclose(f);
	return col;
}

static void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static int run_gnuplot(const char *vars, const char *tmpl)
{
	char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)tmpl, NULL};
	pid_t pid;
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int overlay_plots(struct run *runs, int n, const char *out)
{
	if (mkdir(out, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		return 1;
	}
	const char *sdir = getenv("MESOCOSM_SCRIPTS");
	if (!sdir || !*sdir)
		sdir = MC_SOURCE_DIR "/scripts";
	char *tmpl = join(sdir, "compare.gp");
	static const char *const res[] = {"cpus", "mem"};
	int failed = 0, drawn = 0;
	for (int r = 0; r < 2; r++) {
		char colname[64];
		snprintf(colname, sizeof colname, "%s_allocated_frac", res[r]);
		char *vars;
		size_t len;
		FILE *v = open_memstream(&vars, &len);
		int k = 0;
		for (int i = 0; i < n; i++) {
			char *csv = join(runs[i].dir, "timeseries.csv");
			int col = csv_column(csv, colname);
			if (col > 0) {
				k++;
				fprintf(v, "f%d=", k);
				gp_quote(v, csv);
				fprintf(v, "; c%d=%d; t%d=", k, col, k);
				gp_quote(v, base_name(runs[i].dir));
				fputs("; ", v);
			}
			free(csv);
		}
		char *ob = join(out, colname);
		fprintf(v, "n=%d; res='%s'; outbase=", k, res[r]);
		gp_quote(v, ob);
		free(ob);
		fclose(v);
		if (k > 0) {
			if (run_gnuplot(vars, tmpl) != 0)
				failed++;
			else
				drawn++;
		}
		free(vars);
	}
	free(tmpl);
	if (failed) {
		fprintf(stderr, "mesocosm compare: gnuplot failed (is it installed? templates in %s)\n",
			sdir);
		return 1;
	}
	if (!drawn)
		fprintf(stderr, "mesocosm compare: no run has a timeseries.csv: no plots\n");
	else
		printf("\nplots written to %s/\n", out);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mesocosm compare RUN_DIR... [-o OUT_DIR]\n\n"
		   "Prints the headline metrics of each run's summary.json side by side.\n"
		   "With -o, also writes OUT_DIR/{cpus,mem}_allocated_frac.{png,svg}: the\n"
		   "utilization over time of every run on one chart (needs gnuplot).\n");
}

int mc__cmd_compare(int argc, char **argv)
{
	const char *out = NULL;
	const char **dirs = mc_xcalloc((size_t)argc + 1, sizeof *dirs);
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			free(dirs);
			return 0;
		}
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mesocosm compare: -o needs a directory\n");
				free(dirs);
				return 2;
			}
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mesocosm compare: unknown option '%s'\n", argv[i]);
			usage(stderr);
			free(dirs);
			return 2;
		} else {
			dirs[n++] = argv[i];
		}
	}
	if (n == 0) {
		usage(stderr);
		free(dirs);
		return 2;
	}
	struct run *runs = mc_xcalloc((size_t)n, sizeof *runs);
	int rc = 0, loaded = 0;
	for (int i = 0; i < n && !rc; i++) {
		runs[i].dir = dirs[i];
		if (load_run(&runs[i]) != 0)
			rc = 2;
		else
			loaded++;
	}
	if (!rc) {
		print_table(runs, n, stdout);
		if (out)
			rc = overlay_plots(runs, n, out);
	}
	for (int i = 0; i < loaded; i++)
		mc_json_doc_release(&runs[i].doc);
	free(runs);
	free(dirs);
	return rc;
}
