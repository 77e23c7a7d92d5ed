/*
 * output_report.c - report.html: the headline metrics as tables and the
 * plots embedded as base64 PNG data URIs, so the one file is readable in a
 * browser on its own (moved, mailed, attached to an issue).
 *
 * It holds simulated results only (no wall-clock figures), written in a
 * fixed order, so reruns give the same bytes as long as gnuplot does.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "sim/metrics_int.h"

static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void base64_file(FILE *out, FILE *in)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char b[3];
	size_t n, col = 0;
	while ((n = fread(b, 1, 3, in)) > 0) {
		unsigned v = (unsigned)b[0] << 16 | (n > 1 ? (unsigned)b[1] << 8 : 0) | (n > 2 ? b[2] : 0);
		fputc(tbl[(v >> 18) & 63], out);
		fputc(tbl[(v >> 12) & 63], out);
		fputc(n > 1 ? tbl[(v >> 6) & 63] : '=', out);
		fputc(n > 2 ? tbl[v & 63] : '=', out);
		if ((col += 4) >= 76) {
			fputc('\n', out);
			col = 0;
		}
		if (n < 3)
			break;
	}
}

static void cell_real(FILE *f, double v, const char *fmt)
{
	fputs("<td>", f);
	if (isnan(v))
		fputs("&ndash;", f);
	else
		fprintf(f, fmt, v);
	fputs("</td>", f);
}

static void lat_row(FILE *f, const char *name, const struct mc__lat *l)
{
	fprintf(f, "<tr><th>%s</th><td>%llu</td>", name, (unsigned long long)l->n);
	bool e = l->n == 0;
	cell_real(f, e ? NAN : mc__lat_mean_s(l), "%.6g");
	cell_real(f, e ? NAN : mc__lat_quantile_us(l, 0.5) / MC_SEC, "%.6g");
	cell_real(f, e ? NAN : mc__lat_quantile_us(l, 0.9) / MC_SEC, "%.6g");
	cell_real(f, e ? NAN : mc__lat_quantile_us(l, 0.99) / MC_SEC, "%.6g");
	cell_real(f, e ? NAN : mc_time_to_sec(l->max), "%.6g");
	fputs("</tr>\n", f);
}

static void embed_plot(FILE *f, const char *dir, const char *name, const char *caption)
{
	size_t n = strlen(dir) + strlen(name) + 16;
	char *path = mc_xmalloc(n);
	snprintf(path, n, "%s/plots/%s.png", dir, name);
	FILE *in = fopen(path, "rb");
	free(path);
	if (!in)
		return;
	fprintf(f, "<figure><img alt=\"%s\" src=\"data:image/png;base64,\n", caption);
	base64_file(f, in);
	fclose(in);
	fprintf(f, "\"><figcaption>%s (also plots/%s.svg)</figcaption></figure>\n", caption, name);
}

int mc__output_report(const struct mc_metrics *m, const char *dir, const struct mc_run_info *info,
		      bool plots)
{
	size_t n = strlen(dir) + 16;
	char *path = mc_xmalloc(n);
	snprintf(path, n, "%s/report.html", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mesocosm: %s: %s\n", path, strerror(errno));
		free(path);
		return MC_EIO;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mesocosm: ", f);
	html_text(f, info->experiment);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
	      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
	      "padding:2px 8px;text-align:right}th{background:#f4f4f4}img{max-width:100%}"
	      "</style></head><body>\n<h1>", f);
	html_text(f, info->experiment);
	fputs("</h1>\n<p>", f);
	fprintf(f, "mesocosm %s, policy <b>", MC_VERSION);
	html_text(f, info->policy);
	fprintf(f, "</b>, seed %llu, %.6g simulated seconds, %lld agents, %zu frameworks%s.</p>\n",
		(unsigned long long)info->seed, mc__run_seconds(m), (long long)m->agents_max, m->nfws,
		info->complete ? "" : " &mdash; <b>incomplete run (interrupted)</b>");

	fputs("<h2>Tasks</h2>\n<table><tr><th>submitted</th><th>launched</th><th>finished</th>"
	      "<th>failed</th><th>killed</th><th>lost</th><th>pending at end</th>"
	      "<th>running at end</th><th>jobs submitted</th><th>jobs completed</th></tr>\n<tr>", f);
	uint64_t vals[] = {m->c.submitted, m->c.launched, m->c.ended[0], m->c.ended[1], m->c.ended[2],
			   m->c.ended[3], m->c.pending, m->c.running, m->c.jobs_submitted,
			   m->c.jobs_completed};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		fprintf(f, "<td>%llu</td>", (unsigned long long)vals[i]);
	fputs("</tr></table>\n", f);

	fputs("<h2>Utilization (time-weighted mean fraction of the cluster)</h2>\n<table><tr>"
	      "<th>resource</th><th>allocated</th><th>offered but unused</th><th>used</th></tr>\n", f);
	for (int k = 0; k < m->nres; k++) {
		fputs("<tr><th>", f);
		html_text(f, mc_res_name(m->res[k]));
		fputs("</th>", f);
		for (int w = 0; w < 3; w++)
			cell_real(f, mc__util_mean(m, k, w), "%.4f");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);

	fputs("<h2>Latency (seconds of simulated time)</h2>\n<table><tr><th></th><th>count</th>"
	      "<th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>\n", f);
	lat_row(f, "task scheduling delay", &m->sched);
	lat_row(f, "task run time", &m->runtime);
	lat_row(f, "job completion", &m->jct);
	lat_row(f, "job first launch", &m->job_first);
	lat_row(f, "free to offer", &m->free_offer);
	lat_row(f, "offer response", &m->offer_resp);
	lat_row(f, "allocation run", &m->alloc_dur);
	fputs("</table>\n", f);

	fputs("<h2>Frameworks</h2>\n<table><tr><th>framework</th><th>role</th><th>submitted</th>"
	      "<th>finished</th><th>delay mean (s)</th><th>delay p99 (s)</th><th>busyness</th>"
	      "<th>dominant share mean</th><th>final</th><th>starvation episodes</th>"
	      "<th>longest (s)</th></tr>\n", f);
	double secs = mc__run_seconds(m);
	for (size_t i = 0; i < m->nfws; i++) {
		const struct mc__fw *fw = &m->fws[i];
		fputs("<tr><th>", f);
		html_text(f, fw->name);
		fputs("</th><td>", f);
		html_text(f, mc_role_name(fw->role));
		fprintf(f, "</td><td>%llu</td><td>%llu</td>", (unsigned long long)fw->submitted,
			(unsigned long long)fw->ended[MC_TASK_FINISHED]);
		cell_real(f, mc__lat_mean_s(&fw->sched), "%.6g");
		cell_real(f, fw->sched.n ? mc__lat_quantile_us(&fw->sched, 0.99) / MC_SEC : NAN, "%.6g");
		cell_real(f, secs > 0 ? mc_time_to_sec(fw->busy_total) / secs : NAN, "%.4f");
		cell_real(f, mc__fw_share_mean(m, i), "%.4f");
		cell_real(f, fw->share, "%.4f");
		fprintf(f, "<td>%llu</td>", (unsigned long long)fw->starve_episodes);
		cell_real(f, mc_time_to_sec(fw->starve_longest), "%.6g");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	fputs("<p>Jain's index over roles with pending demand (time-weighted): ", f);
	if (m->jain_run_t > 0)
		fprintf(f, "%.4f", m->jain_run / m->jain_run_t);
	else
		fputs("&ndash;", f);
	fputs(". Allocator: ", f);
	fprintf(f, "%llu runs, %llu offers made, %llu declined, %llu rescinded.</p>\n",
		(unsigned long long)m->alloc_runs, (unsigned long long)m->offers_made,
		(unsigned long long)m->offers_end[MC_OFFER_DECLINED],
		(unsigned long long)m->offers_end[MC_OFFER_RESCINDED]);

	if (plots) {
		fputs("<h2>Plots</h2>\n", f);
		embed_plot(f, dir, "utilization", "Cluster utilization over time");
		embed_plot(f, dir, "dominant_shares", "Dominant share per framework over time");
		embed_plot(f, dir, "delay_cdf", "Task scheduling delay CDF");
		embed_plot(f, dir, "jct_by_size", "Job completion time by job size");
	}
	fputs("<p>Full figures: summary.json; time series: timeseries.csv; per task: "
	      "tasks.msgpack (see docs/outputs.md).</p>\n</body></html>\n", f);
	int rc = 0;
	if (ferror(f))
		rc = MC_EIO;
	if (fclose(f) != 0)
		rc = MC_EIO;
	if (rc)
		fprintf(stderr, "mesocosm: %s: write failed\n", path);
	free(path);
	return rc;
}
