/*
 * rundir.h - the run directory, written atomically.
 *
 * A run writes everything under a temporary sibling of the target
 * (`PARENT/.NAME.tmp-XXXXXX`, same file system, so the final step is one
 * rename) and renames it to NAME only when every file is complete; on error
 * the temporary tree is removed, so no partial run directory ever appears
 * under NAME. An existing NAME is an error unless `force` is set; with
 * `force`, NAME is replaced only if it looks like a run directory (it holds
 * a summary.json or is empty), never any other directory or file: it is
 * renamed aside, the new one renamed in, and the old one then removed (if
 * the second rename fails the old one is put back).
 *
 * Lifecycle: mc_rundir_create() then exactly one of mc_rundir_commit() or
 * mc_rundir_abort(), which both release the struct. Not thread-safe.
 */
#ifndef MC_SIM_RUNDIR_H
#define MC_SIM_RUNDIR_H

#include <stdbool.h>

struct mc_rundir {
	char *final_path; /* NAME as given, trailing slashes removed */
	char *tmp_path;   /* the temporary directory being written */
	bool force;
};

/*
 * Checks the target and creates the temporary directory. Returns 0, or
 * MC_EEXIST (target exists and !force, or force but it is not a run
 * directory) or MC_EIO, with a "PATH: message" line on stderr; *rd is then
 * empty and needs no release. O(entries of an existing target).
 */
int mc_rundir_create(struct mc_rundir *rd, const char *path, bool force);
/* The directory to write files into (the temporary one). */
const char *mc_rundir_path(const struct mc_rundir *rd);
/*
 * Publishes the run: renames the temporary directory to the target
 * (replacing an old run directory when force). Returns 0, or MC_EEXIST /
 * MC_EIO with a message on stderr, in which case the temporary tree is
 * removed. Releases *rd either way. O(size of a replaced old run).
 */
int mc_rundir_commit(struct mc_rundir *rd);
/* Removes the temporary tree and releases *rd. Safe on an empty *rd. */
void mc_rundir_abort(struct mc_rundir *rd);
/* Removes a directory tree (no symlinks followed). Returns 0 or MC_EIO. */
int mc_rundir_remove_tree(const char *path);

#endif
