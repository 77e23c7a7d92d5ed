/*
 * rundir.c - atomic creation and replacement of run directories (see
 * rundir.h). Invariant: while a struct mc_rundir is live, tmp_path names a
 * directory this process created with mkdtemp() and nobody else writes.
 */
#include "sim/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mesocosm/error.h"

/* Splits path into a heap "parent" ("." when none) and a pointer to its
 * last component (inside `path`, which must have no trailing slash). */
static char *parent_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return mc_xstrdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return mc_xstrdup("/");
	size_t n = (size_t)(slash - path);
	char *p = mc_xmalloc(n + 1);
	memcpy(p, path, n);
	p[n] = '\0';
	return p;
}

static char *sibling(const char *path, const char *tag)
{
	const char *base;
	char *parent = parent_of(path, &base);
	size_t n = strlen(parent) + strlen(base) + strlen(tag) + 16;
	char *s = mc_xmalloc(n);
	snprintf(s, n, "%s/.%s.%s-XXXXXX", parent, base, tag);
	free(parent);
	return s;
}

int mc_rundir_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : MC_EIO;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 ? 0 : MC_EIO;
	DIR *d = opendir(path);
	if (!d)
		return MC_EIO;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *child = mc_xmalloc(n);
		snprintf(child, n, "%s/%s", path, e->d_name);
		if (mc_rundir_remove_tree(child) != 0)
			rc = MC_EIO;
		free(child);
	}
	closedir(d);
	if (rmdir(path) != 0)
		rc = MC_EIO;
	return rc;
}

/* 1: a directory that is empty or holds summary.json; 0: something else
 * (a file, another directory); -1: it does not exist. */
static int looks_like_rundir(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int entries = 0, summary = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		entries++;
		if (!strcmp(e->d_name, "summary.json"))
			summary = 1;
	}
	closedir(d);
	return entries == 0 || summary;
}

static int check_target(const char *path, bool force)
{
	int kind = looks_like_rundir(path);
	if (kind < 0)
		return 0;
	if (!force) {
		fprintf(stderr, "%s: already exists (use --force to replace a run directory)\n", path);
		return MC_EEXIST;
	}
	if (kind == 0) {
		fprintf(stderr, "%s: exists and is not a run directory (no summary.json); "
				"refusing to replace it\n", path);
		return MC_EEXIST;
	}
	return 0;
}

int mc_rundir_create(struct mc_rundir *rd, const char *path, bool force)
{
	memset(rd, 0, sizeof *rd);
	size_t n = path ? strlen(path) : 0;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && path[0] == '/') || (n == 1 && path[0] == '.') ||
	    (n == 2 && !strncmp(path, "..", 2)) || (n >= 2 && !strncmp(path + n - 2, "/.", 2)) ||
	    (n >= 3 && !strncmp(path + n - 3, "/..", 3))) {
		fprintf(stderr, "%s: not usable as a run directory name\n", path ? path : "(null)");
		return MC_EINVAL;
	}
	char *final_path = mc_xmalloc(n + 1);
	memcpy(final_path, path, n);
	final_path[n] = '\0';
	int rc = check_target(final_path, force);
	if (rc) {
		free(final_path);
		return rc;
	}
	char *tmp = sibling(final_path, "tmp");
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "%s: cannot create a temporary run directory: %s\n", final_path,
			strerror(errno));
		free(tmp);
		free(final_path);
		return MC_EIO;
	}
	rd->final_path = final_path;
	rd->tmp_path = tmp;
	rd->force = force;
	return 0;
}

const char *mc_rundir_path(const struct mc_rundir *rd) { return rd->tmp_path; }

static void release(struct mc_rundir *rd)
{
	free(rd->final_path);
	free(rd->tmp_path);
	memset(rd, 0, sizeof *rd);
}

void mc_rundir_abort(struct mc_rundir *rd)
{
	if (rd->tmp_path && mc_rundir_remove_tree(rd->tmp_path) != 0)
		fprintf(stderr, "%s: could not remove the temporary run directory\n", rd->tmp_path);
	release(rd);
}

int mc_rundir_commit(struct mc_rundir *rd)
{
	const char *final_path = rd->final_path;
	/* mkdtemp gives 0700; a published run is as readable as other files. */
	mode_t mask = umask(0);
	umask(mask);
	chmod(rd->tmp_path, 0777 & ~mask);

	int rc = check_target(final_path, rd->force);
	if (rc) {
		mc_rundir_abort(rd);
		return rc;
	}
	char *old = NULL;
	if (looks_like_rundir(final_path) == 1) {
		/* Move the old run aside onto a fresh empty directory (rename
		 * replaces an empty directory), then move the new one in. */
		old = sibling(final_path, "old");
		if (!mkdtemp(old) || rename(final_path, old) != 0) {
			fprintf(stderr, "%s: cannot move the old run directory aside: %s\n", final_path,
				strerror(errno));
			if (old)
				rmdir(old);
			free(old);
			mc_rundir_abort(rd);
			return MC_EIO;
		}
	}
	if (rename(rd->tmp_path, final_path) != 0) {
		int e = errno;
		fprintf(stderr, "%s: cannot publish the run directory: %s\n", final_path, strerror(e));
		if (old && rename(old, final_path) != 0)
			fprintf(stderr, "%s: the old run directory is left at %s\n", final_path, old);
		free(old);
		mc_rundir_abort(rd);
		return e == EEXIST || e == ENOTEMPTY ? MC_EEXIST : MC_EIO;
	}
	if (old) {
		if (mc_rundir_remove_tree(old) != 0)
			fprintf(stderr, "%s: could not remove the replaced run directory\n", old);
		free(old);
	}
	release(rd);
	return 0;
}
