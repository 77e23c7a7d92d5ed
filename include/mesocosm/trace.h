/*
 * mesocosm/trace.h - workload traces as a stream of records.
 *
 * A reader turns a trace (the native msgpack format, a real trace in one of
 * the supported raw formats, or the synthetic generator) into records in
 * non-decreasing time order: machine events and task submissions, plus
 * task-end records for tasks whose run time was not known when they were
 * submitted. Memory is bounded by what is in flight (open tasks, a reorder
 * window), never by the length of the trace. gzip input is read directly.
 *
 * Units: time and durations are int64 microseconds (mc_time_t). Resource
 * quantities are struct mc_resvec fixed-point thousandths in Mesos units:
 * cpus in cores, mem and disk in MB. Normalised traces (Google, Alibaba) are
 * scaled by the machine size in struct mc_trace_options.
 *
 * Record times are the trace's own times (Google: us since 600 s before the
 * window; SWF: s since UnixStartTime converted to us; ...), never shifted:
 * the runner maps trace time to simulated time.
 *
 * Lifecycle: mc_trace_open*() / mc_synth_open() create a reader, freed by
 * mc_trace_close(). mc_trace_writer_open() / mc_trace_writer_close() (or
 * _abort) for the native writer. Not thread-safe per handle; separate
 * handles are independent (they intern resource names through resources.h,
 * which is process-wide: cpus/mem/disk/gpus are pre-interned, so readers
 * never add names).
 */
#ifndef MESOCOSM_TRACE_H
#define MESOCOSM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesocosm/dist.h"
#include "mesocosm/resources.h"
#include "mesocosm/types.h"

/* Version of the native format written by this code (docs/trace-format.md). */
#define MC_TRACE_VERSION 1

/* Trace formats. The values match enum mc_config_trace_format in
 * sim/config.h, so a config format can be cast to this type. */
enum mc_trace_format {
	MC_TFMT_NATIVE = 0,
	MC_TFMT_GOOGLE2011 = 1,
	MC_TFMT_GOOGLE2019 = 2,
	MC_TFMT_ALIBABA2018 = 3,
	MC_TFMT_SWF = 4,
	MC_TFMT_SWIM = 5,
	MC_TFMT_SYNTH = 6, /* only through mc_synth_open() */
};

/* "native", "google2011", "google2019", "alibaba2018", "swf", "swim",
 * "synth". Never NULL ("?" for an unknown value). */
const char *mc_trace_format_name(enum mc_trace_format f);
/* Parses a format name. Returns 0 or MC_ENOENT. */
int mc_trace_format_parse(const char *name, enum mc_trace_format *out);

/* ---- records ------------------------------------------------------------- */

enum mc_trec_type {
	MC_TREC_MACHINE = 1,  /* a machine is added, removed or changed */
	MC_TREC_TASK = 2,     /* one or more identical tasks are submitted */
	MC_TREC_TASK_END = 3, /* a task submitted with duration -1 ends */
};

enum mc_tmach_event { MC_TMACH_ADD = 0, MC_TMACH_REMOVE = 1, MC_TMACH_UPDATE = 2 };

/* How a task attempt ended in the trace. */
enum mc_tend {
	MC_TEND_UNKNOWN = 0, /* still running at the end of the trace, or not said */
	MC_TEND_FINISHED = 1,
	MC_TEND_FAILED = 2,
	MC_TEND_KILLED = 3,
	MC_TEND_EVICTED = 4,
	MC_TEND_LOST = 5,
};

#define MC_TRACE_MAX_DEPS 15

struct mc_trace_machine {
	uint64_t id;                  /* the trace's machine id */
	enum mc_tmach_event event;    /* ADD / REMOVE / UPDATE */
	uint64_t platform;            /* platform id or hash; 0 = unknown */
	struct mc_resources capacity; /* unreserved only; all zero for REMOVE */
};

/*
 * A task submission. A record stands for `count` >= 1 identical tasks with
 * indices task_index .. task_index + count - 1 (SWF jobs, Alibaba tasks with
 * many instances, and anything with identical tasks are written compactly:
 * a consumer must honour `count`).
 *
 * duration: the run time in the trace, measured from when the task started
 * (Google: terminal event - SCHEDULE); the runner runs the task for that long
 * after it launches it. -1 means unknown: a MC_TREC_TASK_END record for the
 * same (job_id, task_index, attempt) may follow at the trace's end time; if
 * none does, the task runs until the end of the simulation.
 *
 * A Google task resubmitted after EVICT/FAIL/KILL appears again with the
 * same job_id and task_index and attempt + 1; the earlier attempt's
 * end_state says how it ended.
 */
struct mc_trace_task {
	uint64_t job_id;          /* the trace's job id */
	uint32_t task_index;      /* first task index within the job (0-based) */
	uint32_t count;           /* identical tasks in this record, >= 1 */
	uint32_t job_tasks;       /* total tasks of the job if the trace says, else 0 */
	uint32_t attempt;         /* 0 for the first submission */
	mc_time_t duration;       /* us, or -1 unknown (see above) */
	mc_time_t orig_wait;      /* the trace's own submit -> start wait, or -1 unknown */
	struct mc_resvec request; /* per task */
	int32_t priority;         /* the trace's priority (Google 0..11 / 0..450; SWF queue) */
	int32_t sched_class;      /* Google scheduling class 0..3; -1 unknown */
	uint32_t user;            /* interned per reader: mc_trace_user_name(); 0 = unknown */
	enum mc_tend end_state;
	uint32_t dag_id; /* 0: not in a DAG; else the task's number in its job's DAG */
	uint32_t ndeps;  /* dag_ids (same job) that must finish before this task starts */
	uint32_t deps[MC_TRACE_MAX_DEPS];
};

/* The end of a task that was submitted with duration -1. */
struct mc_trace_task_end {
	uint64_t job_id;
	uint32_t task_index;
	uint32_t attempt;
	enum mc_tend end_state;
};

struct mc_trace_record {
	enum mc_trec_type type;
	mc_time_t time; /* the event's trace time, us; non-decreasing along a stream */
	union {
		struct mc_trace_machine machine; /* MC_TREC_MACHINE */
		struct mc_trace_task task;       /* MC_TREC_TASK */
		struct mc_trace_task_end end;    /* MC_TREC_TASK_END */
	};
};

/* ---- header ---------------------------------------------------------------- */

/* Rows a reader skipped or things it assumed, counted by reason. */
struct mc_trace_count {
	char reason[96];
	uint64_t count;
};

/*
 * What is known about a stream. For the native format it is the file's
 * header record. For a raw format read directly, counts grow while the
 * stream is read and are final once mc_trace_next() has returned 0.
 */
struct mc_trace_header {
	int version;       /* native format version (MC_TRACE_VERSION for raw readers) */
	char time_unit[8]; /* always "us" */
	char source[128];  /* the original format and file ("google2011: task_events/...") */
	size_t nnotes;
	char **notes; /* assumptions the reader made, one sentence each */
	size_t ncounts;
	struct mc_trace_count *counts; /* rows dropped and why ("dropped: ...") */
	uint64_t machines;             /* machine records (native: as written; raw: so far) */
	uint64_t tasks;                /* tasks (sum of counts) */
	uint64_t records;              /* records of every type */
};

/* ---- options ---------------------------------------------------------------- */

struct mc_trace_options {
	bool skip_bad;          /* count and skip malformed rows instead of failing (false) */
	double machine_cpus;    /* cores of a machine of normalised CPU 1.0 (32) */
	double machine_mem_mb;  /* MB of a machine of normalised memory 1.0 (131072 = 128 GiB) */
	double machine_disk_mb; /* MB of normalised disk 1.0 (Google), 0 = ignore disk (0) */
	/* Google: how long (trace time) a submitted task waits for its end to be
	 * read before it is emitted with duration -1 (1 h). Bounds memory. */
	mc_time_t lookahead;
	/* Google: keep tasks whose events are at time 0 (before the window) as
	 * submissions at time 0 (true); false drops them. */
	bool keep_prefill;
	/* SWF: cores per processor (1) and MB of memory per task when the log
	 * gives none (0 = no memory request). Machines: one per node of the
	 * header's MaxNodes with MaxProcs/MaxNodes processors each, or
	 * swf_machines of swf_procs_per_machine when set (0 = from the header). */
	double swf_cpus_per_proc;
	double swf_default_mem_mb;
	int64_t swf_machines;
	int64_t swf_procs_per_machine;
	/* SWIM: HDFS block size (128 MiB), processing rate per task in MB/s (50)
	 * that turns bytes into durations, and the per-task request. */
	int64_t swim_block_bytes;
	double swim_mb_per_s;
	struct mc_resvec swim_task_request; /* cpus:1;mem:1024 */
};

/* Fills *o with the defaults documented above. O(1). */
void mc_trace_options_init(struct mc_trace_options *o);

/* ---- reading ---------------------------------------------------------------- */

struct mc_trace_reader;

/*
 * Opens a trace for reading. `paths` are files or directories (a directory
 * stands for the files under it, sorted by name; Google tables are found by
 * the names machine_events, task_events, job_events, ... in their path or by
 * column count). `opts` may be NULL for the defaults. On success *out is a
 * reader the caller frees with mc_trace_close(). On error returns MC_EIO
 * (unreadable), MC_EPARSE (bad header) or MC_EINVAL (bad argument) with
 * "file:line: message" in errbuf (size n). O(1) plus the header.
 */
int mc_trace_open_files(const char *const *paths, size_t npaths, enum mc_trace_format format,
                        const struct mc_trace_options *opts, struct mc_trace_reader **out,
                        char *errbuf, size_t n);
/* mc_trace_open_files() with one path. */
int mc_trace_open(const char *path, enum mc_trace_format format,
                  const struct mc_trace_options *opts, struct mc_trace_reader **out, char *errbuf,
                  size_t n);

/*
 * Reads the next record into *rec. Returns 1 (a record), 0 (end of trace)
 * or a negative MC_E* code (MC_EPARSE malformed input, MC_EIO read error or
 * truncated file, MC_ERANGE a number out of range) with the message
 * "file:line: what is wrong" available from mc_trace_error(); after an error
 * every call returns the same error. No allocation per record once warm;
 * amortised O(log in-flight) for readers that reorder.
 */
int mc_trace_next(struct mc_trace_reader *r, struct mc_trace_record *rec);

/* The last error message ("" if none). Valid until the reader is closed. */
const char *mc_trace_error(const struct mc_trace_reader *r);

/* The stream's header (see struct mc_trace_header for when counts are
 * final). Owned by the reader. */
const struct mc_trace_header *mc_trace_header(const struct mc_trace_reader *r);

/* The user name of an interned user id (0 -> ""), owned by the reader; ""
 * for an id the reader never produced. O(1). */
const char *mc_trace_user_name(const struct mc_trace_reader *r, uint32_t user);

/* Frees the reader and everything it owns. NULL is a no-op. */
void mc_trace_close(struct mc_trace_reader *r);

/* ---- synthetic workloads ---------------------------------------------------- */

#define MC_SYNTH_MAX_MACHINE_GROUPS 16

struct mc_synth_machine_group {
	int64_t count;
	struct mc_resvec capacity;
};

/*
 * A synthetic workload. Jobs arrive with inter-arrival times from
 * `arrival`, each with round(tasks_per_job) >= 1 tasks (capped at
 * max_tasks_per_job); all of a job's tasks share one request drawn per job
 * (per resource from request[r] where has_request[r]); each task gets its own
 * duration. priority/sched_class/user are drawn per job: user uniformly over
 * `users` names "user<k>" weighted by a geometric law of parameter
 * user_skew (0 = uniform), priority from a probability table over
 * priorities[], sched_class uniformly in 0..max_class. Distributions in
 * seconds (MC_DIST_TIME) for time, Mesos units for requests.
 *
 * Machines: groups of identical machines, all added at time 0.
 *
 * The stream stops after `jobs` jobs (0: unlimited) or at `horizon`
 * (MC_TIME_NEVER: unlimited), whichever comes first; at least one must be
 * set.
 */
struct mc_synth_params {
	char profile[32];
	int64_t jobs;
	mc_time_t horizon;
	struct mc_dist arrival;       /* seconds */
	struct mc_dist tasks_per_job; /* count */
	uint32_t max_tasks_per_job;
	struct mc_dist duration; /* seconds */
	bool has_request[MC_RES_MAX];
	struct mc_dist request[MC_RES_MAX];
	uint32_t users;
	double user_skew;
	int npriorities;
	int32_t priorities[8];
	double priority_prob[8];
	int32_t max_class;
	int nmachine_groups;
	struct mc_synth_machine_group machine_groups[MC_SYNTH_MAX_MACHINE_GROUPS];
};

/*
 * Fills *p with a named profile: "simple" (100 machines of cpus:16;mem:65536,
 * Poisson arrivals every 10 s, 1..20 tasks, exp(300 s) durations, 1000 jobs),
 * or "google2011" (the Google 2011 cell: about 12,550 machines with the
 * trace's capacity mix at 32 cores / 128 GiB per 1.0, about 650k jobs and
 * 25M tasks over 29 days). Distributions are plain (no empirical files), so
 * the params own nothing until the caller replaces a dist; release with
 * mc_synth_params_release(). Returns 0 or MC_ENOENT (unknown profile).
 * `scale` (> 0, 1.0 = as named) multiplies the jobs, the machines and the
 * arrival rate, so a scaled cell keeps the load per machine and the span.
 */
int mc_synth_params_init(struct mc_synth_params *p, const char *profile, double scale);
/* Releases empirical tables held by the params' distributions. */
void mc_synth_params_release(struct mc_synth_params *p);
/* Names of the profiles, NULL-terminated. */
extern const char *const mc_synth_profiles[];

/*
 * A reader that generates the workload in process (no file): the same
 * records a native file would hold. Draws from mc_rng_new(seed,
 * "trace/synth"), so a seed gives the same stream everywhere. The params
 * are copied (distributions shallowly: the caller keeps empirical tables
 * alive until the reader is closed). Returns 0 or MC_EINVAL (no stopping
 * rule, no machines) with a message in errbuf. O(machine groups); each
 * record O(1) amortised.
 */
int mc_synth_open(const struct mc_synth_params *p, uint64_t seed, struct mc_trace_reader **out,
                  char *errbuf, size_t n);

/* ---- writing the native format ---------------------------------------------- */

struct mc_trace_writer;

/*
 * Starts writing a native trace to `path` ("-" is not supported; a name
 * ending in ".gz" is written gzip-compressed). Nothing appears at `path`
 * until mc_trace_writer_close() succeeds: records go to a temporary file
 * beside it, and close writes the header (which carries the final counts)
 * followed by the records, then renames. Returns 0 or MC_EIO with a message.
 */
int mc_trace_writer_open(const char *path, struct mc_trace_writer **out, char *errbuf, size_t n);

/* Names user id `user` (> 0) for the records that follow. Written once per
 * id; a task whose user was never named gets "u<id>". */
int mc_trace_writer_user(struct mc_trace_writer *w, uint32_t user, const char *name);

/* Appends one record. Times must not decrease (MC_EINVAL otherwise).
 * Returns 0, MC_EINVAL or MC_EIO. O(1), no allocation. */
int mc_trace_writer_put(struct mc_trace_writer *w, const struct mc_trace_record *rec);

/*
 * Finishes the file: header from *hdr (version and counts are filled in by
 * the writer; notes and drop counts are copied), then the records, then
 * renames into place. Frees the writer in every case. Returns 0 or MC_EIO
 * with a message (and no file at path).
 */
int mc_trace_writer_close(struct mc_trace_writer *w, const struct mc_trace_header *hdr,
                          char *errbuf, size_t n);
/* Discards everything written; no file appears. Frees the writer. */
void mc_trace_writer_abort(struct mc_trace_writer *w);

/*
 * Copies every record of `r` into a new native file at `path` with r's
 * header (the usual `trace convert`). Returns 0, or the reader's or
 * writer's error with its message in errbuf; on error no file appears.
 * O(records); memory bounded by the reader.
 */
int mc_trace_convert(struct mc_trace_reader *r, const char *path, char *errbuf, size_t n);

#endif
