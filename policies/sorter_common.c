/*
 * sorter_common.c - the client tree shared by the DRF and random sorters
 * (Mesos sorter/drf and sorter/random keep the same tree), the DRF share,
 * the incremental repositioning that keeps DRF children sorted, and the
 * sorter registry.
 *
 * Invariants: see sorter_int.h. Node 0 is the root and never freed. A
 * client's leaf is `cnode[id]`; a client whose path also has descendants is
 * the virtual leaf "path/." of the internal node "path".
 */
#include <stdlib.h>
#include <string.h>

#include "mesocosm/error.h"
#include "policies/sorter_int.h"

/* ---- helpers ----------------------------------------------------------------- */

static double weight_of(const struct mc_sorter *s, const char *path)
{
	for (size_t i = 0; i < s->nweights; i++)
		if (!strcmp(s->weights[i].path, path))
			return s->weights[i].w;
	return 1.0;
}

static bool less_node(const struct mc_sorter *s, int32_t a, int32_t b)
{
	const struct mc__snode *x = &s->nodes[a], *y = &s->nodes[b];
	if (x->share != y->share)
		return x->share < y->share;
	if (x->count != y->count)
		return x->count < y->count;
	return x->nkey < y->nkey;
}

/* ---- name ranks: nkey keeps bytewise path order in one integer ---------------- */

static size_t name_lower_bound(const struct mc_sorter *s, const char *path)
{
	size_t lo = 0, hi = s->nbyname;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->nodes[s->byname[mid]].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void name_insert(struct mc_sorter *s, int32_t i)
{
	size_t k = name_lower_bound(s, s->nodes[i].path);
	mc_xgrow(&s->byname, &s->bncap, s->nbyname + 1, sizeof *s->byname);
	memmove(&s->byname[k + 1], &s->byname[k], (s->nbyname - k) * sizeof *s->byname);
	s->byname[k] = i;
	s->nbyname++;
	uint64_t lo = k > 0 ? s->nodes[s->byname[k - 1]].nkey : 0;
	uint64_t hi = k + 1 < s->nbyname ? s->nodes[s->byname[k + 1]].nkey : UINT64_MAX;
	if (hi - lo >= 2) {
		s->nodes[i].nkey = lo + (hi - lo) / 2;
		return;
	}
	/* no room between the neighbours: spread every key out again, O(n) */
	uint64_t step = UINT64_MAX / (s->nbyname + 1);
	for (size_t j = 0; j < s->nbyname; j++)
		s->nodes[s->byname[j]].nkey = (j + 1) * step;
}

static void name_remove(struct mc_sorter *s, int32_t i)
{
	size_t k = name_lower_bound(s, s->nodes[i].path);
	while (k < s->nbyname && s->byname[k] != i)
		k++;
	MC_ASSERT(k < s->nbyname);
	memmove(&s->byname[k], &s->byname[k + 1], (s->nbyname - k - 1) * sizeof *s->byname);
	s->nbyname--;
}

/* Renames node i (its rank moves with it). Takes ownership of `path`. */
static void node_rename(struct mc_sorter *s, int32_t i, char *path)
{
	name_remove(s, i);
	free(s->nodes[i].path);
	s->nodes[i].path = path;
	name_insert(s, i);
}

double mc__sorter_node_share(const struct mc_sorter *s, const struct mc__snode *n)
{
	double share = 0;
	const struct mc_resvec *t = s->total;
	for (int i = 0; i < MC_RES_MAX; i++) {
		if (s->excluded[i] || t->q[i] <= 0 || mc_res_kind_of(i) != MC_RES_SCALAR)
			continue;
		/* Mesos's scalars are doubles equal to thousandths / 1000.0. */
		double f = ((double)n->alloc.q[i] / 1000.0) / ((double)t->q[i] / 1000.0);
		if (f > share)
			share = f;
	}
	return share / n->weight;
}

void mc__sorter_reserve_buf(struct mc_sorter *s, size_t n)
{
	if (n <= s->bufcap)
		return;
	size_t nb = s->bufcap ? s->bufcap : 16;
	while (nb < n)
		nb *= 2;
	s->out = mc_xrealloc(s->out, nb * sizeof *s->out);
	s->tmp = mc_xrealloc(s->tmp, nb * sizeof *s->tmp);
	s->keys = mc_xrealloc(s->keys, nb * sizeof *s->keys);
	s->tkeys = mc_xrealloc(s->tkeys, nb * sizeof *s->tkeys);
	s->bufcap = nb;
}

static int32_t node_new(struct mc_sorter *s, int32_t parent, const char *path, size_t len)
{
	int32_t i;
	if (s->free_node >= 0) {
		i = s->free_node;
		s->free_node = s->nodes[i].next_free;
	} else {
		mc_xgrow(&s->nodes, &s->ncap, s->nnodes + 1, sizeof *s->nodes);
		i = (int32_t)s->nnodes++;
	}
	struct mc__snode *n = &s->nodes[i];
	memset(n, 0, sizeof *n);
	n->live = true;
	n->parent = parent;
	n->client = -1;
	n->vleaf = -1;
	n->path = mc_xmalloc(len + 1);
	memcpy(n->path, path, len);
	n->path[len] = '\0';
	n->weight = weight_of(s, n->path);
	name_insert(s, i);
	return i;
}

static void node_free(struct mc_sorter *s, int32_t i)
{
	name_remove(s, i);
	struct mc__snode *n = &s->nodes[i];
	free(n->path);
	free(n->kids);
	memset(n, 0, sizeof *n);
	n->next_free = s->free_node;
	s->free_node = i;
}

static void kid_append(struct mc_sorter *s, int32_t parent, int32_t kid)
{
	struct mc__snode *p = &s->nodes[parent];
	if (p->nkids == p->kcap) {
		p->kcap = p->kcap ? p->kcap * 2 : 4;
		p->kids = mc_xrealloc(p->kids, (size_t)p->kcap * sizeof *p->kids);
	}
	p->kids[p->nkids++] = kid;
	s->dirty = true;
}

static int kid_index(const struct mc_sorter *s, int32_t parent, int32_t kid)
{
	const struct mc__snode *p = &s->nodes[parent];
	for (int k = 0; k < p->nkids; k++)
		if (p->kids[k] == kid)
			return k;
	MC_BUG("sorter: node not among its parent's children");
}

static void kid_remove(struct mc_sorter *s, int32_t parent, int32_t kid)
{
	struct mc__snode *p = &s->nodes[parent];
	int k = kid_index(s, parent, kid);
	memmove(&p->kids[k], &p->kids[k + 1], (size_t)(p->nkids - k - 1) * sizeof *p->kids);
	p->nkids--;
}

/* The child of `parent` whose path is path[0..len), or -1. */
static int32_t kid_find(const struct mc_sorter *s, int32_t parent, const char *path, size_t len)
{
	const struct mc__snode *p = &s->nodes[parent];
	for (int k = 0; k < p->nkids; k++) {
		const char *kp = s->nodes[p->kids[k]].path;
		if (!strncmp(kp, path, len) && kp[len] == '\0')
			return p->kids[k];
	}
	return -1;
}

/* Turns leaf `leaf` into an internal node of the same path whose virtual
 * leaf "path/." carries the client. Returns the internal node. */
static int32_t leaf_to_internal(struct mc_sorter *s, int32_t leaf)
{
	struct mc__snode *l = &s->nodes[leaf];
	int32_t parent = l->parent;
	int32_t in = node_new(s, parent, l->path, strlen(l->path));
	l = &s->nodes[leaf];
	struct mc__snode *n = &s->nodes[in];
	n->alloc = l->alloc;
	n->count = l->count;
	n->vleaf = leaf;
	struct mc__snode *p = &s->nodes[parent];
	p->kids[kid_index(s, parent, leaf)] = in;
	size_t len = strlen(l->path);
	char *vp = mc_xmalloc(len + 3);
	memcpy(vp, l->path, len);
	memcpy(vp + len, "/.", 3);
	node_rename(s, leaf, vp);
	l = &s->nodes[leaf];
	l->weight = weight_of(s, vp);
	l->parent = in;
	kid_append(s, in, leaf);
	s->ninternal++;
	return in;
}

/* ---- lifecycle ------------------------------------------------------------------ */

struct mc_sorter *mc__sorter_new(const struct mc_sorter_ops *ops, bool keep_sorted, bool hier,
                                 const bool *excluded, const struct mc_resvec *total,
                                 uint32_t (*rand)(void *), void *rand_ctx)
{
	struct mc_sorter *s = mc_xcalloc(1, sizeof *s);
	s->ops = ops;
	s->keep_sorted = keep_sorted;
	s->hier = hier;
	if (excluded)
		memcpy(s->excluded, excluded, sizeof s->excluded);
	s->total = total;
	s->rand = rand;
	s->rand_ctx = rand_ctx;
	s->free_node = -1;
	int32_t root = node_new(s, -1, "", 0);
	(void)root;
	s->dirty = true;
	return s;
}

void mc__sorter_free(struct mc_sorter *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].live) {
			free(s->nodes[i].path);
			free(s->nodes[i].kids);
		}
	for (size_t i = 0; i < s->nweights; i++)
		free(s->weights[i].path);
	free(s->weights);
	free(s->byname);
	free(s->nodes);
	free(s->cnode);
	free(s->out);
	free(s->keys);
	free(s->tkeys);
	free(s->tmp);
	free(s);
}

/* ---- clients ----------------------------------------------------------------------- */

void mc__sorter_add(struct mc_sorter *s, int32_t id, const char *name)
{
	MC_ASSERT(id >= 0);
	if ((size_t)id >= s->ccap) {
		size_t old = s->ccap, n = old ? old : 16;
		while (n <= (size_t)id)
			n *= 2;
		s->cnode = mc_xrealloc(s->cnode, n * sizeof *s->cnode);
		for (size_t i = old; i < n; i++)
			s->cnode[i] = -1;
		s->ccap = n;
	}
	MC_ASSERT(s->cnode[id] < 0);
	size_t len = strlen(name);
	int32_t node = 0;
	size_t start = 0;
	if (s->hier) {
		/* walk the ancestors "a", "a/b", ... creating or converting them */
		for (size_t i = 0; i < len; i++) {
			if (name[i] != '/')
				continue;
			int32_t k = kid_find(s, node, name, i);
			if (k < 0) {
				k = node_new(s, node, name, i);
				kid_append(s, node, k);
				s->ninternal++;
			} else if (s->nodes[k].client >= 0) {
				k = leaf_to_internal(s, k);
			}
			node = k;
			start = i + 1;
		}
	}
	(void)start;
	int32_t leaf;
	/* Flat sorters (frameworks) may hold equal names: they tie-break by
	 * their distinct name ranks. Paths in a tree are unique. */
	int32_t same = s->hier ? kid_find(s, node, name, len) : -1;
	if (same >= 0) {
		MC_ASSERT(s->nodes[same].client < 0 && s->nodes[same].vleaf < 0);
		/* "a" arrives after "a/b": the client is the virtual leaf "a/." */
		char *vp = mc_xmalloc(len + 3);
		memcpy(vp, name, len);
		memcpy(vp + len, "/.", 3);
		leaf = node_new(s, same, vp, len + 2);
		free(vp);
		s->nodes[same].vleaf = leaf;
		kid_append(s, same, leaf);
	} else {
		leaf = node_new(s, node, name, len);
		kid_append(s, node, leaf);
	}
	s->nodes[leaf].client = id;
	s->cnode[id] = leaf;
	s->nclients++;
	s->dirty = true;
}

/* Adds sign*q to a node and its ancestors (root included). */
static void propagate(struct mc_sorter *s, int32_t node, const struct mc_resvec *q, int sign)
{
	for (int32_t n = node; n >= 0; n = s->nodes[n].parent) {
		if (sign > 0)
			mc_resvec_add(&s->nodes[n].alloc, q);
		else
			mc_resvec_sub(&s->nodes[n].alloc, q);
	}
}

void mc__sorter_remove(struct mc_sorter *s, int32_t id)
{
	MC_ASSERT(mc__sorter_contains(s, id));
	int32_t leaf = s->cnode[id];
	struct mc_resvec a = s->nodes[leaf].alloc;
	propagate(s, s->nodes[leaf].parent, &a, -1);
	int32_t parent = s->nodes[leaf].parent;
	kid_remove(s, parent, leaf);
	if (s->nodes[parent].vleaf == leaf)
		s->nodes[parent].vleaf = -1;
	node_free(s, leaf);
	s->cnode[id] = -1;
	s->nclients--;
	/* drop internal nodes left empty; collapse "x" whose only child is its
	 * virtual leaf back into a leaf */
	for (int32_t n = parent; n > 0;) {
		struct mc__snode *p = &s->nodes[n];
		int32_t up = p->parent;
		if (p->nkids == 0) {
			kid_remove(s, up, n);
			node_free(s, n);
			s->ninternal--;
		} else if (p->nkids == 1 && p->vleaf >= 0 && p->kids[0] == p->vleaf) {
			int32_t v = p->vleaf;
			struct mc__snode *vn = &s->nodes[v];
			node_rename(s, v, mc_xstrdup(p->path));
			vn = &s->nodes[v];
			p = &s->nodes[n];
			vn->weight = weight_of(s, vn->path);
			vn->parent = up;
			s->nodes[up].kids[kid_index(s, up, n)] = v;
			p->nkids = 0;
			node_free(s, n);
			s->ninternal--;
		} else {
			break;
		}
		n = up;
	}
	s->dirty = true;
}

void mc__sorter_activate(struct mc_sorter *s, int32_t id)
{
	MC_ASSERT(mc__sorter_contains(s, id));
	s->nodes[s->cnode[id]].active = true;
}

void mc__sorter_deactivate(struct mc_sorter *s, int32_t id)
{
	MC_ASSERT(mc__sorter_contains(s, id));
	s->nodes[s->cnode[id]].active = false;
}

void mc__sorter_set_weight(struct mc_sorter *s, const char *path, double w)
{
	if (!(w > 0))
		w = 1.0;
	size_t i;
	for (i = 0; i < s->nweights; i++)
		if (!strcmp(s->weights[i].path, path))
			break;
	if (i == s->nweights) {
		mc_xgrow(&s->weights, &s->wcap, s->nweights + 1, sizeof *s->weights);
		s->weights[i].path = mc_xstrdup(path);
		s->nweights++;
	}
	s->weights[i].w = w;
	for (size_t n = 0; n < s->nnodes; n++)
		if (s->nodes[n].live && !strcmp(s->nodes[n].path, path))
			s->nodes[n].weight = w;
	s->dirty = true;
}

void mc__sorter_total_changed(struct mc_sorter *s)
{
	s->dirty = true;
}

/* ---- allocations ------------------------------------------------------------------------ */

/* Index of node n in its parent's sorted kids (keys unchanged). */
static int find_sorted(const struct mc_sorter *s, int32_t n)
{
	const struct mc__snode *p = &s->nodes[s->nodes[n].parent];
	int lo = 0, hi = p->nkids;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (less_node(s, p->kids[mid], n))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nkids && p->kids[lo] == n)
		return lo;
	return kid_index(s, s->nodes[n].parent, n); /* not reached while sorted */
}

static void insert_sorted(struct mc_sorter *s, int32_t n)
{
	struct mc__snode *p = &s->nodes[s->nodes[n].parent];
	int lo = 0, hi = p->nkids;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (less_node(s, p->kids[mid], n))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&p->kids[lo + 1], &p->kids[lo], (size_t)(p->nkids - lo) * sizeof *p->kids);
	p->kids[lo] = n;
	p->nkids++;
}

/* Applies sign*q (and count += inc) to leaf and ancestors, keeping kids
 * sorted at every level when the sorter is clean. */
static void change(struct mc_sorter *s, int32_t id, const struct mc_resvec *q, int sign,
                   uint64_t inc)
{
	MC_ASSERT(mc__sorter_contains(s, id));
	bool resort = s->keep_sorted && !s->dirty;
	for (int32_t n = s->cnode[id]; n >= 0; n = s->nodes[n].parent) {
		struct mc__snode *x = &s->nodes[n];
		int32_t parent = x->parent;
		int pos = -1;
		if (resort && parent >= 0)
			pos = find_sorted(s, n);
		if (q) {
			if (sign > 0)
				mc_resvec_add(&x->alloc, q);
			else
				mc_resvec_sub(&x->alloc, q);
		}
		x->count += inc;
		if (!resort || parent < 0)
			continue;
		x->share = mc__sorter_node_share(s, x);
		struct mc__snode *p = &s->nodes[parent];
		/* move n to its new place: only its own key changed */
		int k = pos;
		bool right = sign > 0 || (!q && inc);
		int step = 0;
		if (right) {
			while (k + 1 < p->nkids && step < 8 && less_node(s, p->kids[k + 1], n))
				k++, step++;
		} else {
			while (k > 0 && step < 8 && less_node(s, n, p->kids[k - 1]))
				k--, step++;
		}
		if (step == 8) {
			/* a long move: binary search instead of walking on */
			memmove(&p->kids[pos], &p->kids[pos + 1],
			        (size_t)(p->nkids - pos - 1) * sizeof *p->kids);
			p->nkids--;
			insert_sorted(s, n);
			continue;
		}
		if (right)
			memmove(&p->kids[pos], &p->kids[pos + 1],
			        (size_t)(k - pos) * sizeof *p->kids);
		else
			memmove(&p->kids[k + 1], &p->kids[k], (size_t)(pos - k) * sizeof *p->kids);
		p->kids[k] = n;
	}
}

void mc__sorter_allocated(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	change(s, id, q, +1, 1);
}

void mc__sorter_unallocated(struct mc_sorter *s, int32_t id, const struct mc_resvec *q)
{
	change(s, id, q, -1, 0);
}

void mc__sorter_add_count(struct mc_sorter *s, int32_t id, uint64_t n)
{
	change(s, id, NULL, +1, n);
}

/* ---- full sort and traversal -------------------------------------------------------------- */

static void sort_kids(struct mc_sorter *s, int32_t *ids, size_t n)
{
	mc__sorter_reserve_buf(s, n);
	int32_t *tmp = s->tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = less_node(s, ids[j], ids[i]) ? ids[j++] : ids[i++];
			while (i < mid)
				tmp[k++] = ids[i++];
			while (j < hi)
				tmp[k++] = ids[j++];
		}
		memcpy(ids, tmp, n * sizeof *ids);
	}
}

void mc__sorter_resort(struct mc_sorter *s)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].live)
			s->nodes[i].share = mc__sorter_node_share(s, &s->nodes[i]);
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].live && s->nodes[i].nkids > 1)
			sort_kids(s, s->nodes[i].kids, (size_t)s->nodes[i].nkids);
	s->dirty = false;
}

static void collect(struct mc_sorter *s, int32_t n)
{
	const struct mc__snode *x = &s->nodes[n];
	for (int k = 0; k < x->nkids; k++) {
		int32_t c = x->kids[k];
		const struct mc__snode *y = &s->nodes[c];
		if (y->client >= 0) {
			if (y->active)
				s->out[s->nout++] = y->client;
		} else {
			collect(s, c);
		}
	}
}

void mc__sorter_collect(struct mc_sorter *s)
{
	mc__sorter_reserve_buf(s, s->nclients + 1);
	s->nout = 0;
	collect(s, 0);
}

/* ---- queries -------------------------------------------------------------------------------- */

double mc__sorter_share(struct mc_sorter *s, int32_t id)
{
	if (!mc__sorter_contains(s, id))
		return 0;
	return mc__sorter_node_share(s, &s->nodes[s->cnode[id]]);
}

double mc__sorter_path_share(struct mc_sorter *s, const char *path)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].live && !strcmp(s->nodes[i].path, path))
			return mc__sorter_node_share(s, &s->nodes[i]);
	return 0;
}

const struct mc_resvec *mc__sorter_allocation(struct mc_sorter *s, int32_t id)
{
	MC_ASSERT(mc__sorter_contains(s, id));
	return &s->nodes[s->cnode[id]].alloc;
}

uint64_t mc__sorter_alloc_count(struct mc_sorter *s, int32_t id)
{
	return mc__sorter_contains(s, id) ? s->nodes[s->cnode[id]].count : 0;
}

bool mc__sorter_contains(struct mc_sorter *s, int32_t id)
{
	return id >= 0 && (size_t)id < s->ccap && s->cnode[id] >= 0;
}

bool mc__sorter_is_active(struct mc_sorter *s, int32_t id)
{
	return mc__sorter_contains(s, id) && s->nodes[s->cnode[id]].active;
}

size_t mc__sorter_count(struct mc_sorter *s)
{
	return s->nclients;
}

const struct mc_sorter_ops *mc_sorter_lookup(const char *name)
{
	static const struct mc_sorter_ops *const all[] = {&mc_sorter_drf, &mc_sorter_random};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (name && !strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
