/*
 * mesocosm/resources.h - resource quantities in Mesos's notation.
 *
 * Text form (Mesos's own): `name:value` pairs separated by ';', a static or
 * dynamic reservation as `name(role):value`, e.g.
 *     "cpus:2;mem:1024;cpus(role1):4;ports:[31000-32000]"
 * Scalars are fixed point with 3 decimals: a value x is stored as
 * llround(x * 1000) thousandths (Mesos's rule), so every comparison and sum
 * is exact. Zero-valued entries vanish. An empty string is no resources.
 *
 * Names are interned process-wide into dense indices 0..MC_RES_MAX-1 (cpus,
 * mem, disk, gpus and ports are pre-interned as 0..4), so a quantity vector
 * is a small fixed array and nothing on a hot path touches strings. RANGES
 * (ports) and SET resources are modelled by their element count: DRF ignores
 * them, the min-allocatable check counts their elements, and offers carry
 * them whole.
 *
 * Roles are interned process-wide too: role id 0 is "*" (unreserved); a
 * hierarchical role "a/b/c" interns its ancestors and records its parent, so
 * ancestry checks are O(depth).
 *
 * Storage: every type here is plain data owned by the caller; nothing
 * allocates except the interning tables (grown once per new name/role).
 */
#ifndef MESOCOSM_RESOURCES_H
#define MESOCOSM_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_RES_MAX 8       /* distinct resource names per process */
#define MC_RES_MAX_RESV 8  /* reserved roles held by one mc_resources */
#define MC_RES_SCALE 1000  /* fixed-point thousandths */

enum mc_res_kind { MC_RES_SCALAR = 0, MC_RES_RANGES = 1, MC_RES_SET = 2 };

enum { MC_RES_CPUS = 0, MC_RES_MEM = 1, MC_RES_DISK = 2, MC_RES_GPUS = 3, MC_RES_PORTS = 4 };

#define MC_ROLE_ANY 0      /* the role id of "*" (unreserved) */
#define MC_ROLE_NONE (-1)

/* Quantities indexed by interned name, in thousandths (elements x 1000 for
 * RANGES/SET). 64 bytes: one cache line. */
struct mc_resvec {
	int64_t q[MC_RES_MAX];
};

/* A bag of resources: unreserved quantities plus up to MC_RES_MAX_RESV
 * reservations, each for one role. Reservation slots [0, nresv) are kept
 * sorted by role id with no empty slot, so two equal bags have equal used
 * parts; slots past nresv hold garbage and are never read. */
struct mc_resources {
	struct mc_resvec unres;
	int nresv;
	int32_t resv_role[MC_RES_MAX_RESV];
	struct mc_resvec resv[MC_RES_MAX_RESV];
};

/* Where parsing failed: 1-based column within the parsed text, and why. */
struct mc_parse_error {
	int col;
	char msg[160];
};

/* ---- names and roles (process-wide tables) ---------------------------- */

/* Interns a resource name of `len` bytes. Returns its index (>= 0), or
 * MC_ENOSPC when MC_RES_MAX names are taken, MC_EINVAL when the name was
 * interned before with another kind. O(MC_RES_MAX). */
int mc_res_intern(const char *name, size_t len, enum mc_res_kind kind);
/* Index of a name already interned, or MC_ENOENT. */
int mc_res_lookup(const char *name, size_t len);
const char *mc_res_name(int idx);
enum mc_res_kind mc_res_kind_of(int idx);
/* Number of names interned so far. */
int mc_res_count(void);

/* Interns a role ("*", "a", "a/b"). Returns its id (>= 0) or MC_EINVAL for
 * an empty path component, MC_EPARSE for characters Mesos forbids.
 * Interns ancestors first. Amortised O(length + roles) on a new role. */
int32_t mc_role_intern(const char *name, size_t len);
int32_t mc_role_lookup(const char *name, size_t len);   /* or MC_ENOENT */
const char *mc_role_name(int32_t role);
int32_t mc_role_parent(int32_t role);                    /* MC_ROLE_NONE for top-level */
int mc_role_count(void);
/* True when `anc` is `role` or one of its ancestors. O(depth). */
bool mc_role_is_self_or_ancestor(int32_t anc, int32_t role);
/* The top-level role of `role` (itself if top-level). O(depth). */
int32_t mc_role_top(int32_t role);

/* ---- quantity vectors (inline: they are the hot path) ------------------ */

static inline void mc_resvec_clear(struct mc_resvec *a)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		a->q[i] = 0;
}
static inline void mc_resvec_add(struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		a->q[i] += b->q[i];
}
static inline void mc_resvec_sub(struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		a->q[i] -= b->q[i];
}
/* a >= b in every name. */
static inline bool mc_resvec_contains(const struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (a->q[i] < b->q[i])
			return false;
	return true;
}
static inline bool mc_resvec_is_zero(const struct mc_resvec *a)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (a->q[i] != 0)
			return false;
	return true;
}
static inline bool mc_resvec_equal(const struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (a->q[i] != b->q[i])
			return false;
	return true;
}
/* a = min(a, b) per name. */
static inline void mc_resvec_min(struct mc_resvec *a, const struct mc_resvec *b)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (b->q[i] < a->q[i])
			a->q[i] = b->q[i];
}
/* a = max(a, 0) per name. */
static inline void mc_resvec_clamp0(struct mc_resvec *a)
{
	for (int i = 0; i < MC_RES_MAX; i++)
		if (a->q[i] < 0)
			a->q[i] = 0;
}

/* ---- bags of resources -------------------------------------------------- */

/* Empties r (unreserved zero, no reservation slots). Slots past nresv are
 * never read, so only the used part is written. O(1). */
static inline void mc_resources_clear(struct mc_resources *r)
{
	mc_resvec_clear(&r->unres);
	r->nresv = 0;
}
/* *dst = *src, copying only the used reservation slots (a bag is 600+
 * bytes, most of it unused slots). O(nresv). */
static inline void mc_resources_copy(struct mc_resources *dst, const struct mc_resources *src)
{
	dst->unres = src->unres;
	dst->nresv = src->nresv;
	for (int i = 0; i < src->nresv; i++) {
		dst->resv_role[i] = src->resv_role[i];
		dst->resv[i] = src->resv[i];
	}
}
bool mc_resources_is_empty(const struct mc_resources *r);
bool mc_resources_equal(const struct mc_resources *a, const struct mc_resources *b);

/*
 * Parses Mesos text notation into *out (cleared first). Accepts
 * `name:value`, `name(role):value`, `name:[a-b,c-d]` (RANGES) and
 * `name:{x,y}` (SET); whitespace around tokens is ignored; a trailing ';' is
 * allowed. Rejects negative, non-finite or over-large (>= 1e12) values,
 * empty names, duplicate-kind conflicts and too many names or reserved
 * roles. Returns 0, or MC_EPARSE / MC_ERANGE / MC_ENOSPC with *err filled
 * (err may be NULL). O(length).
 */
int mc_resources_parse(struct mc_resources *out, const char *text, struct mc_parse_error *err);

/* Formats as canonical text: unreserved names in index order, then each
 * reservation by role id; values with up to 3 decimals, no trailing zeros.
 * Returns the length that the full text needs (like snprintf). */
int mc_resources_format(const struct mc_resources *r, char *buf, size_t size);
/* Formats one vector (as unreserved). Same return convention. */
int mc_resvec_format(const struct mc_resvec *v, char *buf, size_t size);

/* Returns a pointer to the reservation vector for `role` in r, or NULL. */
const struct mc_resvec *mc_resources_reserved(const struct mc_resources *r, int32_t role);
/* Adds q to the reservation of `role` (MC_ROLE_ANY adds to unreserved).
 * Returns 0 or MC_ENOSPC. */
int mc_resources_add_reserved(struct mc_resources *r, int32_t role, const struct mc_resvec *q);

/* a += b. Returns 0 or MC_ENOSPC (too many reserved roles). */
int mc_resources_add(struct mc_resources *a, const struct mc_resources *b);
/* a -= b when a contains b; returns MC_EINSUFFICIENT (a unchanged) if not. */
int mc_resources_subtract(struct mc_resources *a, const struct mc_resources *b);
/* a contains b: every unreserved and every reserved quantity of b is <= a's. */
bool mc_resources_contains(const struct mc_resources *a, const struct mc_resources *b);
/* Sum of unreserved and all reserved quantities, per name (what DRF counts). */
void mc_resources_sum(const struct mc_resources *r, struct mc_resvec *out);
/* Shrinks the unreserved scalar quantities of r to at most `limit` per name;
 * reservations, RANGES and SETs are untouched. */
void mc_resources_shrink_unreserved(struct mc_resources *r, const struct mc_resvec *limit);
/* Keeps only what `role` may be offered: unreserved resources plus
 * reservations of `role` and its ancestors. */
void mc_resources_allocatable_to(struct mc_resources *r, int32_t role);
/* Deterministic total order (for sorting offers in output). */
int mc_resources_compare(const struct mc_resources *a, const struct mc_resources *b);

/* Fixed-point helpers: thousandths <-> double (for output and shares). */
static inline double mc_milli_to_double(int64_t m) { return (double)m / MC_RES_SCALE; }
/* llround(x * 1000), Mesos's rounding. */
int64_t mc_milli_from_double(double x);

#endif
