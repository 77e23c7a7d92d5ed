/*
 * trace_feed.h - replaying a workload trace into the models (see
 * sim/trace_feed.c for the mapping of records to agents and jobs).
 */
#ifndef MC_SIM_TRACE_FEED_H
#define MC_SIM_TRACE_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "models/models.h"
#include "sim/config.h"

struct mc__trace_feed;

/* Opens the trace `t` and schedules its first record. fixed_fw >= 0 sends
 * every job to that framework; otherwise t's mapping rules apply, with
 * fw_base[i] the dense id of config framework i's first replica. With
 * `machines`, machine records build agents (dense ids from 0) with
 * agent_defaults for everything but their total. Nothing is scheduled at or
 * after `until`. Returns 0 or the reader's error with errbuf filled. */
int mc__trace_feed_open(struct mc__trace_feed **out, struct mc__world *w,
			const struct mc_config_trace *t, int fixed_fw, const int32_t *fw_base,
			bool machines, const struct mc__agent_params *agent_defaults,
			mc_time_t until, char *errbuf, size_t n);
bool mc__trace_feed_done(const struct mc__trace_feed *f);
/* 0, or the error that stopped the feed with its "file:line: message". */
int mc__trace_feed_error(const struct mc__trace_feed *f, const char **msg);
void mc__trace_feed_free(struct mc__trace_feed *f);

#endif
