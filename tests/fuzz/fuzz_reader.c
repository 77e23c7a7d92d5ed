/*
 * fuzz_reader.c - libFuzzer harness for one trace reader, chosen at compile
 * time: -DFUZZ_FORMAT=MC_TFMT_SWF -DFUZZ_FILE='"jobs.swf"' (see run.sh).
 *
 * The input is written to a file of that name in a private temporary
 * directory and read to the end (or to the first error). With FUZZ_SPLIT
 * set, the input is cut at the first line "===" and the part before it is
 * written to FUZZ_SPLIT (a second table, e.g. Google machine_events).
 * Any crash, sanitizer report, leak or hang is a bug; errors are fine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mesocosm/trace.h"

static char dir[64];

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

static void cleanup(void)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/mc-fuzz-%ld", (long)getpid());
		char cmd[96];
		snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
		if (system(cmd) != 0)
			abort();
		atexit(cleanup);
	}
#ifdef FUZZ_SPLIT
	const uint8_t *cut = NULL;
	for (size_t i = 0; i + 4 <= size; i++)
		if (!memcmp(data + i, "===\n", 4) && (i == 0 || data[i - 1] == '\n')) {
			cut = data + i;
			break;
		}
	if (cut) {
		write_file(FUZZ_SPLIT, data, (size_t)(cut - data));
		size -= (size_t)(cut - data) + 4;
		data = cut + 4;
	} else {
		write_file(FUZZ_SPLIT, data, 0);
	}
#endif
	write_file(FUZZ_FILE, data, size);
	struct mc_trace_options o;
	mc_trace_options_init(&o);
	o.skip_bad = size > 0 && (data[0] & 1);
	o.lookahead = 10 * MC_SEC;
	char err[600];
	struct mc_trace_reader *r;
	if (mc_trace_open(dir, FUZZ_FORMAT, &o, &r, err, sizeof err) == 0) {
		struct mc_trace_record rec;
		mc_time_t last = INT64_MIN;
		long n = 0;
		while (mc_trace_next(r, &rec) == 1 && n++ < 10000000) {
			if (rec.time < last)
				abort();
			last = rec.time;
		}
		(void)mc_trace_header(r);
		mc_trace_close(r);
	}
	return 0;
}
