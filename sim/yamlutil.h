/*
 * yamlutil.h - helpers for reading YAML files with libyaml's document API:
 * load a file into a document, look keys up, check mappings against a list
 * of allowed keys, and parse typed scalars (integers, numbers, booleans,
 * durations, resources, distributions) with range checks.
 *
 * Every error is written into a caller-provided struct mc_yaml_error as
 * "file:line:col: message" with 1-based line and column (libyaml's marks are
 * 0-based) pointing at the offending node; nothing here prints. Nodes that
 * were added by mc_yaml_set_path() (command-line overrides) have no file
 * position: errors about them read "--set PATH=VALUE: message".
 *
 * Lifecycle: struct mc_yaml is caller-owned; mc_yaml_load_file() or
 * mc_yaml_load_string() fill it, mc_yaml_release() frees it (safe on a
 * zeroed or failed one). Node pointers stay valid until the document is
 * released or changed by mc_yaml_set_path() (which may move the node
 * array: look nodes up again afterwards).
 */
#ifndef MC_SIM_YAMLUTIL_H
#define MC_SIM_YAMLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "mesocosm/dist.h"
#include "mesocosm/resources.h"
#include "mesocosm/types.h"

struct mc_yaml_error {
	char msg[512];
};

struct mc_yaml {
	yaml_document_t doc;
	bool loaded;
	char *file; /* name used in messages (owned) */
	int noverrides;
	char **overrides; /* "PATH=VALUE" of each mc_yaml_set_path() call (owned) */
};

/*
 * Loads the first YAML document of `path` (the name used in messages too).
 * Returns 0, MC_EIO (cannot open or read) or MC_EPARSE (YAML syntax) with
 * *err filled. O(file size).
 */
int mc_yaml_load_file(struct mc_yaml *y, const char *path, struct mc_yaml_error *err);

/* Same, from `len` bytes of `text`, reported under the name `name`. */
int mc_yaml_load_string(struct mc_yaml *y, const char *name, const char *text, size_t len,
                        struct mc_yaml_error *err);

/* Frees the document and names; leaves *y zeroed. */
void mc_yaml_release(struct mc_yaml *y);

/* The root node, or NULL for an empty document. */
yaml_node_t *mc_yaml_root(struct mc_yaml *y);

/* Node by id (as stored in sequences and mapping pairs); NULL if out of range. */
yaml_node_t *mc_yaml_node(struct mc_yaml *y, int id);

/*
 * Writes "file:line:col: <fmt...>" about `node` into *err (node may be NULL:
 * then just "file: ..."); `coloff` (0-based) is added to the column, for
 * errors inside a single-line scalar (the quote, if any, is skipped).
 * Returns `code`, so callers can `return mc_yaml_errorf(...)`.
 */
int mc_yaml_errorf(const struct mc_yaml *y, const yaml_node_t *node, int coloff,
                   struct mc_yaml_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- structure ----------------------------------------------------------- */

/* The scalar's text (NUL-terminated, owned by the document), or NULL when
 * the node is not a scalar. */
const char *mc_yaml_scalar(const yaml_node_t *node);

/* True for an empty plain scalar, "~" or "null" (YAML's null). */
bool mc_yaml_is_null(const yaml_node_t *node);

/*
 * Checks that `node` is a mapping whose keys are scalars from the
 * NULL-terminated list `allowed`, each at most once. `what` names the
 * mapping in messages ("allocator", "frameworks.0"; "" for the top level).
 * Errors: MC_EPARSE "unknown key 'k' in what (allowed: a, b, c)", duplicate
 * key, or not a mapping. O(keys x allowed).
 */
int mc_yaml_check_map(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                      const char *const *allowed, struct mc_yaml_error *err);

/* The value node of scalar key `key` in mapping `map`, or NULL (also when
 * map is NULL or not a mapping). O(keys). */
yaml_node_t *mc_yaml_get(struct mc_yaml *y, const yaml_node_t *map, const char *key);

/* Number of items of a sequence (0 if not a sequence) and item k. */
int mc_yaml_seq_len(const yaml_node_t *seq);
yaml_node_t *mc_yaml_seq_item(struct mc_yaml *y, const yaml_node_t *seq, int k);

/* Number of pairs of a mapping (0 if not a mapping) and pair k's nodes. */
int mc_yaml_map_len(const yaml_node_t *map);
void mc_yaml_map_pair(struct mc_yaml *y, const yaml_node_t *map, int k, yaml_node_t **key,
                      yaml_node_t **value);

/* ---- typed scalars --------------------------------------------------------
 * Each checks that `node` is a scalar, parses it, checks the range, and on
 * error fills *err ("what: ...") at the node's position. Returns 0,
 * MC_EPARSE (malformed or not a scalar) or MC_ERANGE. O(length).
 */

/* A string (any scalar). *out is owned by the document. */
int mc_yaml_string(struct mc_yaml *y, const yaml_node_t *node, const char *what, const char **out,
                   struct mc_yaml_error *err);
/* A decimal integer in [lo, hi]. */
int mc_yaml_int(struct mc_yaml *y, const yaml_node_t *node, const char *what, int64_t lo,
                int64_t hi, int64_t *out, struct mc_yaml_error *err);
/* A decimal unsigned 64-bit integer. */
int mc_yaml_uint64(struct mc_yaml *y, const yaml_node_t *node, const char *what, uint64_t *out,
                   struct mc_yaml_error *err);
/* A finite number in [lo, hi]. */
int mc_yaml_double(struct mc_yaml *y, const yaml_node_t *node, const char *what, double lo,
                   double hi, double *out, struct mc_yaml_error *err);
/* true/false (also yes/no, on/off; any case). */
int mc_yaml_bool(struct mc_yaml *y, const yaml_node_t *node, const char *what, bool *out,
                 struct mc_yaml_error *err);
/* A duration ("500ms", "1s", "2m", "1h", "5") in [lo, hi] (mc_duration_parse). */
int mc_yaml_duration(struct mc_yaml *y, const yaml_node_t *node, const char *what, mc_time_t lo,
                     mc_time_t hi, mc_time_t *out, struct mc_yaml_error *err);
/* Resources in Mesos text (mc_resources_parse); the column points inside. */
int mc_yaml_resources(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                      struct mc_resources *out, struct mc_yaml_error *err);
/* A distribution (mc_dist_parse with flags and base_dir); on success the
 * caller owns *out (mc_dist_release). */
int mc_yaml_dist(struct mc_yaml *y, const yaml_node_t *node, const char *what, int flags,
                 const char *base_dir, struct mc_dist *out, struct mc_yaml_error *err);
/* One of the NULL-terminated `names`; *out is its index. The error lists them. */
int mc_yaml_enum(struct mc_yaml *y, const yaml_node_t *node, const char *what,
                 const char *const *names, int *out, struct mc_yaml_error *err);

/* ---- editing ------------------------------------------------------------- */

/*
 * Sets `keypath` (dot-separated keys; sequence items by 0-based index) to
 * the YAML value `value` in the document, creating missing mappings (and
 * the root mapping of an empty document). The new nodes report errors as
 * "--set KEYPATH=VALUE: ...". Errors: MC_EPARSE (bad value YAML, a path
 * step through a scalar, an index out of range), MC_EINVAL (empty path).
 * O(document size) (the value's nodes are copied in).
 */
int mc_yaml_set_path(struct mc_yaml *y, const char *keypath, const char *value,
                     struct mc_yaml_error *err);

#endif
