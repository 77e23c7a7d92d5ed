/*
 * mesocosm/types.h - the basic vocabulary shared by every module.
 *
 * Simulated time is an int64_t count of microseconds (the Google traces'
 * unit), never a double. MC_TIME_NEVER stands for "no time" (a timer that is
 * not armed, an event that did not happen).
 */
#ifndef MESOCOSM_TYPES_H
#define MESOCOSM_TYPES_H

#include <stdint.h>

typedef int64_t mc_time_t;

#define MC_USEC 1LL
#define MC_MSEC 1000LL
#define MC_SEC 1000000LL
#define MC_MIN (60LL * MC_SEC)
#define MC_HOUR (60LL * MC_MIN)
#define MC_TIME_NEVER INT64_MAX

/* Seconds as a double, for output only (never for arithmetic on time). */
static inline double mc_time_to_sec(mc_time_t t) { return (double)t / (double)MC_SEC; }

/*
 * Parses a duration: "500ms", "1s", "2m", "1h", "250us", "1.5s", or a bare
 * number of seconds ("5", "0.5"). Returns 0 and sets *out, or MC_EPARSE /
 * MC_ERANGE. Rounds to the nearest microsecond. O(length).
 */
int mc_duration_parse(const char *text, mc_time_t *out);

#endif
