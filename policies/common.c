/*
 * common.c - the small utilities every part of mesocosm links against:
 * error names, the abort-on-failure allocator, MC_BUG, and duration parsing.
 * They live in the allocation core library because it is the bottom of the
 * dependency graph (include/ <- policies/ <- models/, traces/ <- sim/).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "mesocosm/types.h"

const char *mc_strerror(int err)
{
	switch (err) {
	case MC_OK:
		return "success";
#define MC_ERRNO_CASE_(name, text) \
	case MC_E##name:           \
		return text;
		MC_ERRNO_MAP(MC_ERRNO_CASE_)
#undef MC_ERRNO_CASE_
	default:
		return "unknown error";
	}
}

void mc__bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mesocosm: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *check_alloc(void *p, size_t size)
{
	if (!p && size) {
		fprintf(stderr, "mesocosm: out of memory allocating %zu bytes\n", size);
		abort();
	}
	return p;
}

void *mc_xmalloc(size_t size) { return check_alloc(malloc(size ? size : 1), size); }

void *mc_xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *mc_xrealloc(void *ptr, size_t size) { return check_alloc(realloc(ptr, size ? size : 1), size); }

void mc_xgrow(void *ptrp, size_t *cap, size_t need, size_t size)
{
	void **p = ptrp;
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	*p = mc_xrealloc(*p, ncap * size);
	*cap = ncap;
}

char *mc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(mc_xmalloc(n), s, n);
}

int mc_duration_parse(const char *text, mc_time_t *out)
{
	if (!text)
		return MC_EINVAL;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text || *text == '-' || *text == '+')
		return MC_EPARSE;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno == ERANGE || !isfinite(v))
		return end == text ? MC_EPARSE : MC_ERANGE;
	const char *unit = end;
	size_t ulen = strlen(unit);
	while (ulen && (unit[ulen - 1] == ' ' || unit[ulen - 1] == '\t'))
		ulen--;
	double scale;
	if (ulen == 0 || (ulen == 1 && unit[0] == 's'))
		scale = (double)MC_SEC;
	else if (ulen == 2 && !strncmp(unit, "ms", 2))
		scale = (double)MC_MSEC;
	else if (ulen == 2 && !strncmp(unit, "us", 2))
		scale = 1.0;
	else if (ulen == 1 && unit[0] == 'm')
		scale = (double)MC_MIN;
	else if (ulen == 1 && unit[0] == 'h')
		scale = (double)MC_HOUR;
	else if (ulen == 1 && unit[0] == 'd')
		scale = 24.0 * (double)MC_HOUR;
	else
		return MC_EPARSE;
	double us = v * scale;
	if (!(us < 9.0e18))
		return MC_ERANGE;
	*out = (mc_time_t)llround(us);
	return 0;
}
