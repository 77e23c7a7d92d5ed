/*
 * mesocosm/error.h - error codes, invariant checks and the one allocation
 * wrapper used everywhere.
 *
 * Library functions return int: 0 on success or a negative MC_E* code from
 * the X-macro list below; mc_strerror() names it. Broken invariants (bugs,
 * never bad input) go through MC_BUG(), which prints file and line and
 * aborts. Allocation failure aborts inside mc_xmalloc() and friends, so call
 * sites never check for NULL.
 */
#ifndef MESOCOSM_ERROR_H
#define MESOCOSM_ERROR_H

#include <stddef.h>

#define MC_ERRNO_MAP(X)                                             \
	X(INVAL, "invalid argument")                                \
	X(PARSE, "malformed input")                                 \
	X(RANGE, "value out of range")                              \
	X(NOENT, "no such entry")                                   \
	X(EXIST, "entry already exists")                            \
	X(NOSPC, "fixed capacity exhausted")                        \
	X(IO, "input/output error")                                 \
	X(NOTSUP, "not supported")                                  \
	X(INSUFFICIENT, "insufficient resources")                   \
	X(STATE, "operation not allowed in the current state")      \
	X(INTR, "interrupted")

enum mc_errno {
	MC_OK = 0,
#define MC_ERRNO_ENUM_(name, text) MC_E##name,
	MC__ERRNO_FIRST = -1000,
	MC_ERRNO_MAP(MC_ERRNO_ENUM_)
#undef MC_ERRNO_ENUM_
	MC__ERRNO_LAST
};

/* A human-readable name for a return code (0 or a negative MC_E* value).
 * Never returns NULL. */
const char *mc_strerror(int err);

/* Report a broken invariant and abort. Use for bugs, never for bad input. */
#define MC_BUG(...) mc__bug(__FILE__, __LINE__, __VA_ARGS__)
#define MC_ASSERT(cond)                                             \
	do {                                                        \
		if (!(cond))                                        \
			MC_BUG("assertion failed: %s", #cond);      \
	} while (0)

_Noreturn void mc__bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation that never returns NULL: on failure prints and aborts. */
void *mc_xmalloc(size_t size);
void *mc_xcalloc(size_t n, size_t size);
void *mc_xrealloc(void *ptr, size_t size);
/* Grows *ptr to hold at least `need` items of `size` bytes, doubling; updates *cap. */
void mc_xgrow(void *ptrp, size_t *cap, size_t need, size_t size);
char *mc_xstrdup(const char *s);

#endif
