/*
 * config.h - the experiment config: a YAML experiment file loaded into plain,
 * validated structs that the runner reads directly (framework i, agent group
 * j). docs/experiment-format.md documents every key, its default and unit.
 *
 * Invariants after a successful mc_config_load()/mc_config_init():
 *   - every field holds a valid value: either the file's or the documented
 *     default (the Mesos default where Mesos has one); nothing is left to
 *     the runner to default;
 *   - times are mc_time_t microseconds; resource quantities are fixed-point
 *     struct mc_resources / mc_resvec; distributions are parsed struct
 *     mc_dist (MC_DIST_TIME ones sample seconds);
 *   - strings are NUL-terminated heap copies owned by the config; file
 *     paths (trace paths) are already resolved relative to the experiment
 *     file's directory;
 *   - framework names (after replica expansion, see below) are unique, and
 *     every framework a trace mapping names exists.
 *
 * Required keys: none at the top level except that the experiment must have
 * at least one framework and some agents (agent groups or agents.from_trace).
 * Inside list items: agent groups need `count` and `resources`; frameworks
 * need `name`; a synthetic workload needs `arrival`, `task_duration` and
 * `task_resources`; a trace workload needs `path` and `format`.
 *
 * Lifecycle: caller-owned storage, mc_config_init()/mc_config_load() then
 * mc_config_release(). Not thread-safe (it interns resource and role names
 * in the process-wide tables of resources.h).
 */
#ifndef MC_SIM_CONFIG_H
#define MC_SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mesocosm/dist.h"
#include "mesocosm/resources.h"
#include "mesocosm/types.h"

#define MC_CONFIG_MIN_ALLOC_MAX 8 /* alternatives in allocator.min_allocatable */

/* Default hard cap on simulated time when `duration` is not given. */
#define MC_CONFIG_DEFAULT_MAX_DURATION (40LL * 24 * MC_HOUR)

/* ---- allocator ----------------------------------------------------------- */

struct mc_config_quota {
	char *role;                 /* top-level role ("*" allowed) */
	struct mc_resvec guarantee; /* default: none (all zero) */
	bool has_limit;             /* false: unlimited (Mesos's DEFAULT_QUOTA) */
	struct mc_resvec limit;
};

struct mc_config_weight {
	char *role;
	double weight; /* > 0; roles not listed weigh 1.0 */
};

struct mc_config_allocator {
	char *policy;                  /* "hierarchical" */
	char *role_sorter;             /* "drf" | "random"; default "drf" */
	char *framework_sorter;        /* "drf" | "random"; default "drf" */
	mc_time_t allocation_interval; /* 1 s (Mesos --allocation_interval) */
	/* OR-list of AND-sets ("cpus:0.01|mem:32", Mesos's default): an offer is
	 * made when the resources contain at least one alternative. */
	int n_min_allocatable;
	struct mc_resvec min_allocatable[MC_CONFIG_MIN_ALLOC_MAX];
	/* Resource names excluded from DRF shares (Mesos
	 * --fair_sharing_excluded_resource_names); default empty. Names are
	 * interned: fair_sharing_excluded_idx[k] is the resources.h index. */
	int n_fair_sharing_excluded;
	char **fair_sharing_excluded;
	int *fair_sharing_excluded_idx;
	bool filter_gpu_resources; /* true */
	mc_time_t offer_timeout;   /* 0 = offers never time out (Mesos default: none) */
	int nquotas;
	struct mc_config_quota *quotas;
	int nweights;
	struct mc_config_weight *weights;
};

/* ---- master -------------------------------------------------------------- */

enum mc_config_processing_profile {
	MC_PROCESSING_NONE = 0, /* "none": only per_message / per_run, if given */
	MC_PROCESSING_MESOS17,  /* "mesos-1.7": per-run cost from published cycle times */
};

struct mc_config_failover {
	int standbys;                 /* 0: no master failover modelled */
	mc_time_t detection_delay;    /* 10 s: leader loss -> new leader elected */
	int n_at;                     /* failovers injected at these times */
	mc_time_t *at;                /* sorted ascending */
	mc_time_t recovery_timeout;   /* 10 m: agents that did not re-register are removed */
	double agent_recovery_factor; /* 0.8: fraction of agents that re-register, 0..1 */
};

struct mc_config_master {
	mc_time_t agent_ping_timeout;              /* 15 s */
	int max_agent_ping_timeouts;               /* 5 */
	mc_time_t agent_reregister_timeout;        /* 10 min */
	mc_time_t framework_failover_timeout;      /* 0 s */
	enum mc_config_processing_profile profile; /* none */
	bool has_per_message;                      /* false: messages cost nothing */
	struct mc_dist per_message;                /* seconds per message (MC_DIST_TIME) */
	bool has_per_run;                          /* false: allocation runs cost nothing */
	struct mc_dist per_run;                    /* seconds per allocation run */
	struct mc_config_failover failover;
};

/* ---- agents -------------------------------------------------------------- */

/* An attribute; the value is a template expanded per agent by
 * mc_config_attr_expand() ("r{i%10}" -> "r3" for the group's 13th agent). */
struct mc_config_attr {
	char *key;
	char *value;
};

struct mc_config_agent_group {
	int line;                      /* 1-based line of the item in the file (0 if none) */
	int count;                     /* required, >= 1 */
	struct mc_resources resources; /* required; per agent */
	int nattrs;
	struct mc_config_attr *attrs; /* optional; simple key -> value strings */
	char *name_prefix;            /* default "agent": agents are named "<prefix>-<i>", i
	                               * counting from 0 across the group */
	bool has_mtbf;                /* false: never fails */
	struct mc_dist mtbf;          /* seconds between failures (MC_DIST_TIME) */
	bool has_mttr;                /* false: a failed agent never comes back */
	struct mc_dist mttr;          /* seconds to repair (MC_DIST_TIME) */
};

/* ---- workloads ----------------------------------------------------------- */

enum mc_config_workload_kind {
	MC_WORKLOAD_NONE = 0, /* jobs come from the global trace mapping, or none */
	MC_WORKLOAD_SYNTHETIC,
	MC_WORKLOAD_TRACE,
};

enum mc_config_trace_format {
	MC_TRACE_NATIVE = 0,
	MC_TRACE_GOOGLE2011,
	MC_TRACE_GOOGLE2019,
	MC_TRACE_ALIBABA2018,
	MC_TRACE_SWF,
	MC_TRACE_SWIM,
};

enum mc_config_map_by {
	MC_MAP_USER = 0, /* match: the trace's user name (exact) */
	MC_MAP_PRIORITY, /* match: "p" or "lo-hi" (inclusive) priority range */
	MC_MAP_CLASS,    /* match: the scheduling class (exact text) */
};

struct mc_config_map_rule {
	char *match;     /* as written */
	int64_t lo, hi;  /* MC_MAP_PRIORITY: the parsed inclusive range */
	char *framework; /* an (expanded) framework name */
	int fw_index;    /* index into mc_config.frameworks of the entry named */
	int fw_replica;  /* replica within that entry (0 when count == 1) */
};

struct mc_config_synthetic {
	struct mc_dist arrival;       /* required; inter-arrival seconds (MC_DIST_TIME) */
	int64_t jobs;                 /* 0 = keep arriving until `duration` */
	struct mc_dist tasks_per_job; /* default const(1); draws rounded, at least 1 */
	struct mc_dist task_duration; /* required; seconds (MC_DIST_TIME) */
	/* required (at least one): per interned resource index, the request
	 * distribution in the resource's unit (cpus, MB of mem, ...). */
	bool has_task_res[MC_RES_MAX];
	struct mc_dist task_res[MC_RES_MAX];
	/* locality.replicas: each task's input lives on this many distinct
	 * agents drawn uniformly (its preferred locations); 0 (default): none. */
	int locality_replicas; /* 0..MC_CONFIG_MAX_LOCALITY_REPLICAS */
};
#define MC_CONFIG_MAX_LOCALITY_REPLICAS 3

struct mc_config_trace {
	char *path;                         /* required; resolved */
	enum mc_config_trace_format format; /* required */
	enum mc_config_map_by map_by;       /* default user */
	int nrules;
	struct mc_config_map_rule *rules; /* first match wins */
	char *map_default;                /* framework for unmatched jobs; NULL = drop them */
	int map_default_index, map_default_replica;
	double time_scale; /* 1.0; > 0; trace times are multiplied by it */
	mc_time_t start;   /* 0: trace time that becomes simulated time 0 */
	mc_time_t end;     /* MC_TIME_NEVER: ignore records after this */
};

struct mc_config_workload {
	enum mc_config_workload_kind kind;
	struct mc_config_synthetic synthetic; /* kind == MC_WORKLOAD_SYNTHETIC */
	struct mc_config_trace trace;         /* kind == MC_WORKLOAD_TRACE */
};

/* ---- frameworks ---------------------------------------------------------- */

enum mc_config_fw_kind {
	MC_FW_BATCH = 0,
	MC_FW_SERVICE,
	MC_FW_GANG,
	MC_FW_TRACE,
};

enum mc_config_placement {
	MC_PLACE_FIRST_FIT = 0,
	MC_PLACE_RANDOM_FIT,
};

/*
 * One `frameworks` item. With count > 1 it stands for `count` identical
 * frameworks named "<name>-1" .. "<name>-<count>" (see
 * mc_config_framework_name()); with count == 1 the name is used as is.
 */
struct mc_config_framework {
	int line;                           /* 1-based line of the item in the file (0 if none) */
	char *name;                         /* required */
	enum mc_config_fw_kind kind;        /* batch */
	char *role;                         /* "*" */
	int32_t role_id;                    /* role interned (resources.h) */
	int count;                          /* 1 */
	mc_time_t refuse;                   /* refuse_seconds: 5 s (Mesos Filters default) */
	bool suppress_when_idle;            /* false */
	bool revive_on_new_work;            /* true */
	mc_time_t t_job;                    /* decision_time.per_job: 0.1 s */
	mc_time_t t_task;                   /* decision_time.per_task: 5 ms */
	enum mc_config_placement placement; /* first_fit */
	mc_time_t locality_delay;           /* delay_scheduling.locality_delay: 0 = off */
	bool unique_host;                   /* constraints.unique_host: false (service) */
	int rack_spread;                    /* constraints.rack_spread: 0 = off, else min racks */
	bool gpu_capable;                   /* capabilities contains GPU_RESOURCES */
	int max_attempts;                   /* resubmissions of a failed/lost task: 0 */
	mc_time_t failover_timeout;         /* FrameworkInfo.failover_timeout; -1: the master's */
	mc_time_t hold_offers;              /* keep unused offers this long: 0 (decline at once) */
	struct mc_config_workload workload; /* kind NONE unless given */
};

/* ---- network ------------------------------------------------------------- */

struct mc_config_partition {
	int nranges;
	int32_t (*ranges)[2]; /* inclusive agent-id ranges [lo, hi] */
	mc_time_t from, to;   /* from < to */
};

struct mc_config_network {
	struct mc_dist master_agent;     /* one-way seconds; const(0.5ms) */
	struct mc_dist master_framework; /* one-way seconds; const(1ms) */
	double loss;                     /* 0.0; message loss probability in [0, 1) */
	int npartitions;
	struct mc_config_partition *partitions;
};

/* ---- failure injection --------------------------------------------------- */

/*
 * One `failures` item: at time `at`, some agents crash like machines do:
 * silently, their tasks dying with them, so only the master's health checks
 * find out (tasks LOST after max_agent_ping_timeouts x agent_ping_timeout).
 * Which agents: exactly one of `fraction` (of all the agents the runner
 * built, rounded to nearest, at least 1), `count`, or the explicit `agents`
 * ranges. The first two are drawn from the experiment seed (random stream
 * "failures/<item index>"), so the same seed fails the same agents.
 * sim/validate_inject.c applies them.
 */
struct mc_config_failure {
	int line;                /* 1-based line of the item in the file (0 if none) */
	mc_time_t at;            /* required */
	double fraction;         /* in (0, 1] when given, else 0 */
	int count;               /* >= 1 when given, else 0 */
	int nranges;             /* explicit agents when > 0 */
	int32_t (*ranges)[2];    /* inclusive agent-id ranges [lo, hi] */
	mc_time_t recover_after; /* MC_TIME_NEVER (default): the agents never come back */
	char *framework;         /* a framework's scheduler crashes instead (all its replicas) */
};

/* ---- maintenance windows --------------------------------------------------- */

/*
 * One `maintenance` item: a window in which some agents are taken out for
 * maintenance, as Mesos's maintenance primitives and agent draining do.
 * From start - drain the agents are deactivated (no new offers, their
 * outstanding offers rescinded); at `start` the tasks still running there
 * are killed (KILLED) and the machines go down; at start + duration they
 * come back empty and register again. sim/maintenance.c applies them.
 *
 * Which agents: the candidates are the agents of group `group` (an index
 * into agent_groups, resolved from the group's name_prefix or index), or
 * every agent when group is -1. Among the candidates, at most one of
 * `fraction` (rounded to nearest, at least 1), `count` (both drawn from the
 * seed, random stream "maintenance/<item index>"), or explicit `agents`
 * ranges (indices within the group, or agent ids without a group); none of
 * them means every candidate (allowed only with a group).
 */
struct mc_config_maintenance {
	int line;             /* 1-based line of the item in the file (0 if none) */
	int group;            /* agent group index, or -1: all agents */
	double fraction;      /* in (0, 1] when given, else 0 */
	int count;            /* >= 1 when given, else 0 */
	int nranges;          /* explicit agents when > 0 */
	int32_t (*ranges)[2]; /* inclusive [lo, hi]: group indices, or agent ids */
	mc_time_t start;      /* required: the agents go down */
	mc_time_t duration;   /* required, > 0: they come back at start + duration */
	mc_time_t drain;      /* 0 (default): deactivated from start - drain; <= start */
};

/* ---- outputs ------------------------------------------------------------- */

struct mc_config_outputs {
	bool timeseries; /* true: timeseries.csv */
	bool tasks;      /* true: tasks.msgpack */
	bool tasks_csv;  /* false: tasks.csv */
	bool plots;      /* true: plots/ via gnuplot */
	bool report;     /* true: the text table on stdout */
};

/* ---- the whole config ---------------------------------------------------- */

struct mc__config_src; /* private: the YAML document kept for --set */

struct mc_config {
	char *path;                /* the experiment file as given (NULL for defaults) */
	char *base_dir;            /* its directory ("." for defaults) */
	char *name;                /* default: file name without directory and extension */
	uint64_t seed;             /* 1 */
	mc_time_t duration;        /* MC_TIME_NEVER: until the workload drains */
	mc_time_t max_duration;    /* hard cap: MC_CONFIG_DEFAULT_MAX_DURATION (40 days) */
	mc_time_t sample_interval; /* 10 s */

	struct mc_config_allocator allocator;
	struct mc_config_master master;

	bool agents_from_trace; /* machines come from workload.trace's machine table */
	int nagent_groups;
	struct mc_config_agent_group *agent_groups;

	int nframeworks; /* entries as written; see mc_config_framework_total() */
	struct mc_config_framework *frameworks;

	struct mc_config_workload workload; /* global: only kind TRACE (or NONE) */
	struct mc_config_network network;
	struct mc_config_outputs outputs;

	int nfailures; /* `failures`: agent crashes injected at given times */
	struct mc_config_failure *failures;

	int nmaintenance; /* `maintenance`: agent maintenance windows */
	struct mc_config_maintenance *maintenance;

	struct mc__config_src *src;
};

/*
 * Fills *c with the defaults and no agents or frameworks (it does not pass
 * validation as an experiment; useful for tests and tools). Release with
 * mc_config_release(). O(1).
 */
void mc_config_init(struct mc_config *c);

/*
 * Loads and validates the experiment file `path` into *c (overwritten).
 * Returns 0, or MC_EIO (unreadable), MC_EPARSE (YAML syntax, unknown key,
 * malformed value) or MC_ERANGE (value out of range / inconsistent), with
 * "file:line:col: message" in errbuf (size n; may be NULL). On error *c is
 * left released (safe to release again). O(file size).
 */
int mc_config_load(struct mc_config *c, const char *path, char *errbuf, size_t n);

/*
 * Applies one `--set key.path=value` override to a loaded config:
 * `keypath` is dot-separated ("allocator.allocation_interval",
 * "frameworks.0.refuse_seconds"; sequence items by 0-based index), `value`
 * is YAML text ("2s", "[gpus]", "{count: 3, resources: 'cpus:1'}"). Missing
 * mappings on the way are created. The whole config is re-validated; on
 * error *c is unchanged and errbuf holds "--set PATH=VALUE: message" (or the
 * file position for errors elsewhere). Returns 0, MC_EPARSE or MC_ERANGE.
 * Overrides apply in call order. It re-reads the experiment file and
 * replays the earlier overrides, so the file must still be readable
 * (MC_EIO otherwise). On a config from mc_config_init() every override is
 * validated as a whole experiment, so it fails until frameworks and agents
 * are set. O(config size).
 */
int mc_config_set(struct mc_config *c, const char *keypath, const char *value, char *errbuf,
                  size_t n);

/* Frees everything *c owns and leaves it zeroed. Safe on a zeroed config. */
void mc_config_release(struct mc_config *c);

/*
 * Writes the whole config (every key, defaults included, in the file's
 * nesting) as one JSON object, without a trailing newline, to `out`:
 * times in seconds (number), distributions in canonical text, resources in
 * Mesos text. Deterministic. Returns 0 or MC_EIO.
 */
int mc_config_echo_json(const struct mc_config *c, FILE *out);

/* Total number of frameworks after replica expansion (sum of counts). */
int mc_config_framework_total(const struct mc_config *c);

/* The name of replica `replica` (0-based) of framework entry `fw`: the name
 * itself when count == 1, else "<name>-<replica+1>". snprintf convention. */
int mc_config_framework_name(const struct mc_config *c, int fw, int replica, char *buf,
                             size_t size);

/* Total number of agents over all groups. */
int64_t mc_config_agent_total(const struct mc_config *c);

/*
 * Expands an attribute template for agent `i` (0-based within its group):
 * "{i}" -> i, "{i%N}" -> i mod N, "{i/N}" -> i div N; other text is copied.
 * snprintf convention; an unknown {...} form is copied literally (the loader
 * has rejected it already). O(length).
 */
int mc_config_attr_expand(const char *tmpl, int64_t i, char *buf, size_t size);

const char *mc_config_fw_kind_name(enum mc_config_fw_kind k);
const char *mc_config_trace_format_name(enum mc_config_trace_format f);

#endif
