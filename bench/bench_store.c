/* bench/bench_store.c  The store's writer (src/store): records committed
 * per second, group commit in WAL mode with synchronous=FULL.
 *
 * Never run by `make check`.  Usage: bench_store --help.  It reaches
 * sbstore through sbcore (CMakeLists.txt links every bench with it).
 *
 * Method, in a fresh database under --dir (removed afterwards):
 *   1. call records: --calls store_call_end records, each with 3 offers
 *      and 1 hold and 12 strings (about 400 bytes), queued as fast as one
 *      thread can, then store_flush;
 *   2. events: --events store_event records the same way;
 *   3. paced events: --paced events, one store_flush every --every
 *      records: the latency of a small batch (a commit and its fsync).
 * For each: the producer's cost per record (the loop's side: copy and
 * queue), records committed per second from the first record queued to
 * the flush's return, transactions (batches) and records per batch.
 * In the paced run the producer's time includes its flushes.
 * The disk decides the result: the file system is printed; /tmp on
 * tmpfs makes fsync free and the numbers meaningless for a server.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "libre.h"
#include "store/store.h"

struct opts {
	unsigned calls, events, paced, every;
	const char *dir;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_store [--calls N] [--events N] [--paced N]"
		" [--every N] [--dir DIR]\n"
		"  --calls N   call records, 3 offers each (default 50000)\n"
		"  --events N  event records (default 200000)\n"
		"  --paced N   events flushed every --every (default 2000)\n"
		"  --every N   (default 10)\n"
		"  --dir DIR   where the database goes (default /var/tmp)\n");
}

static int num(const char *s, unsigned *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n > 100000000)
		return EINVAL;
	*v = (unsigned)n;
	return 0;
}

static int opts_parse(struct opts *o, int argc, char **argv)
{
	*o = (struct opts){ 50000, 200000, 2000, 10, "/var/tmp" };
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int err = 0;

		if (!strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!v)
			return EINVAL;
		if (!strcmp(a, "--calls"))
			err = num(v, &o->calls);
		else if (!strcmp(a, "--events"))
			err = num(v, &o->events);
		else if (!strcmp(a, "--paced"))
			err = num(v, &o->paced);
		else if (!strcmp(a, "--every"))
			err = num(v, &o->every);
		else if (!strcmp(a, "--dir"))
			o->dir = v;
		else
			return EINVAL;
		if (err)
			return err;
	}
	return o->every ? 0 : EINVAL;
}

static const char *fs_name(long type)
{
	switch (type) {

	case 0xEF53:     return "ext2/3/4";
	case 0x01021994: return "tmpfs (fsync is free: not a disk)";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794C7630: return "overlayfs";
	default:         return "other";
	}
}

static void print_machine(const struct opts *o)
{
	char line[256] = "unknown\n", cmd[512];
	struct statfs sfs;
	struct utsname u;
	FILE *f;

	printf("bench_store: store writer benchmark\n");
	if (!uname(&u))
		printf("machine:  %s %s %s %s\n", u.sysname, u.nodename,
		       u.release, u.machine);
	printf("cpus:     %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "model name", 10)) {
				printf("cpu:     %s", strchr(line, ':') + 1);
				break;
			}
		}
		fclose(f);
	}
	snprintf(line, sizeof(line), "unknown\n");
	snprintf(cmd, sizeof(cmd), "git -C \"$(dirname '%s')\" rev-parse "
		 "--short HEAD 2>/dev/null", __FILE__);
	f = popen(cmd, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			snprintf(line, sizeof(line), "unknown\n");
		pclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("commit:   %s", line);
	snprintf(cmd, sizeof(cmd), "git --no-optional-locks -C \"$(dirname "
		 "'%s')/..\" status --porcelain --untracked-files=no -- "
		 "src/store 2>/dev/null | wc -l", __FILE__);
	f = popen(cmd, "r");
	if (f) {
		char n[32] = "0";
		long k = fgets(n, sizeof(n), f) ? strtol(n, NULL, 10) : 0;

		if (k > 0)
			printf(" (+ uncommitted changes in %ld files of "
			       "src/store)", k);
		pclose(f);
	}
	printf("\n");
#ifdef __clang__
	printf("build:    clang %s", __clang_version__);
#else
	printf("build:    gcc %s", __VERSION__);
#endif
#ifdef __OPTIMIZE__
	printf(", optimised\n");
#else
	printf(", NOT optimised\n");
#endif
	printf("sqlite:   %s, WAL, synchronous=FULL\n", sqlite3_libversion());
	if (!statfs(o->dir, &sfs))
		printf("dir:      %s on %s (0x%lx)\n", o->dir,
		       fs_name((long)sfs.f_type), (unsigned long)sfs.f_type);
	printf("params:   --calls %u --events %u --paced %u --every %u\n",
	       o->calls, o->events, o->paced, o->every);
}

static void report(const char *what, struct store *st, unsigned n,
		   double t0, double t_queued, double t_done,
		   const struct store_stats *before)
{
	struct store_stats ss;
	uint64_t batches;

	store_stats(st, &ss);
	batches = ss.batches - before->batches;
	printf("%-14s %9u records  queue %6.0f ns/rec  committed %9.0f "
	       "rec/s  %6" PRIu64 " txns  %8.1f rec/txn  %7.3f ms/txn\n",
	       what, n, (t_queued - t0) * 1e9 / n, n / (t_done - t0),
	       batches, batches ? (double)n / (double)batches : 0.0,
	       batches ? (t_done - t0) * 1e3 / (double)batches : 0.0);
	if (ss.failed != before->failed || ss.dropped != before->dropped)
		printf("  WARNING: %" PRIu64 " failed, %" PRIu64 " dropped\n",
		       ss.failed - before->failed,
		       ss.dropped - before->dropped);
}

static void bench_calls(struct store *st, unsigned n)
{
	struct store_offer offers[3] = {
		{"agent-1001", 0, 0, "no-answer"},
		{"agent-1002", 0, 0, "busy"},
		{"agent-1003", 0, 0, "answered"},
	};
	struct store_hold hold = {0, 0, "agent"};
	struct store_call c = {
		.sip_callid = "a84b4c76e66710@pc33.example.com",
		.caller = "+14155550100", .dialled = "+18005550199",
		.flow = "main", .outcome = "answered", .queue = "support",
		.agent = "agent-1003", .ended_by = "caller",
		.recording = "/var/lib/switchboard/rec/node1-00000000.wav",
		.vars = "{\"lang\":\"en\",\"tier\":\"gold\"}",
		.offers = offers, .noffers = 3, .holds = &hold, .nholds = 1 };
	struct store_stats before;
	double t0, t1, t2;
	int64_t base = 1700000000000;

	store_stats(st, &before);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		char id[32];

		snprintf(id, sizeof(id), "node1-%08u", i);
		c.id = id;
		c.arrival = base + i;
		c.ivr_end = c.arrival + 8000;
		c.queue_entry = c.ivr_end + 10;
		for (int k = 0; k < 3; k++) {
			offers[k].start = c.queue_entry + 1000 * k;
			offers[k].end = offers[k].start + 900;
		}
		c.answer = offers[2].end;
		hold.start = c.answer + 30000;
		hold.end = hold.start + 15000;
		c.end = c.answer + 180000;
		if (store_call_end(st, &c)) {
			fprintf(stderr, "store_call_end failed\n");
			exit(1);
		}
	}
	t1 = now_s();
	(void)store_flush(st);  /* failures are counted and reported */
	t2 = now_s();
	report("call records", st, n, t0, t1, t2, &before);
}

static void bench_events(struct store *st, unsigned n, unsigned every,
			 uint64_t *seq, const char *what)
{
	struct store_stats before;
	double t0, t1, t2;

	store_stats(st, &before);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		if (store_event(st, ++*seq, 1700000000000 + (int64_t)i,
				"agent-state", "agent-1003", "node1-00000042",
				"support", "ready->busy")) {
			fprintf(stderr, "store_event failed\n");
			exit(1);
		}
		if (every && i % every == every - 1)
			(void)store_flush(st);  /* counted */
	}
	t1 = now_s();
	(void)store_flush(st);
	t2 = now_s();
	report(what, st, n, t0, t1, t2, &before);
}

int main(int argc, char **argv)
{
	char dir[512], path[600], err[256];
	struct store *st;
	struct opts o;
	uint64_t seq = 0;

	if (opts_parse(&o, argc, argv)) {
		usage(stderr);
		return 2;
	}
	print_machine(&o);
	snprintf(dir, sizeof(dir), "%s/bench-store-XXXXXX", o.dir);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if (store_open(&st, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		rmdir(dir);
		return 1;
	}
	if (o.calls)
		bench_calls(st, o.calls);
	if (o.events)
		bench_events(st, o.events, 0, &seq, "events");
	if (o.paced)
		bench_events(st, o.paced, o.every, &seq, "events, paced");
	mem_deref(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bench.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bench.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
