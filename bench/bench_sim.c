/* bench/bench_sim.c  How fast the ACD simulator runs the real engine.
 *
 * Runs fixed scenarios with fixed seeds and prints, for each, the
 * simulated events per wall-clock second: calendar events carried out
 * plus calls into the engine that change its state (the unit the
 * simulator's goal of 1 million a second is stated in), and beside them
 * the engine's own events delivered and the simulated calls per second.
 *
 *   single   one queue, 55 agents, 360 calls per 1800 s (the Erlang test
 *            case), 2000 simulated hours
 *   large    20 queues, 2000 agents in 20 teams with 3 queue memberships
 *            and 2 of 10 skills each, typed contacts with skill
 *            requirements and priorities, patience, wrap-up, lognormal
 *            talk times; 50 simulated hours
 *
 * Usage: bench_sim [SCALE]   (SCALE multiplies the simulated hours, 1)
 * Prints the machine (uname, nproc), the commit when the source tree's
 * .git can be read, the parameters and the results; copy them to
 * docs/PERFORMANCE.md.  Never run by `make check`.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "libre.h"
#include "sim/sim.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The commit, from <tree>/.git next to this file; "unknown" otherwise. */
static void commit_get(char *out, size_t sz)
{
	const char *file = __FILE__, *tail = "bench/bench_sim.c";
	size_t n = strlen(file), t = strlen(tail);
	char path[1024], line[256];
	FILE *f;

	snprintf(out, sz, "unknown");
	if (n < t || strcmp(&file[n - t], tail))
		return;
	snprintf(path, sizeof(path), "%.*s.git/HEAD", (int)(n - t), file);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "ref: ", 5)) {
		snprintf(out, sz, "%s", line);
		return;
	}
	snprintf(path, sizeof(path), "%.*s.git/%s", (int)(n - t), file,
		 line + 5);
	f = fopen(path, "r");
	if (!f) {
		snprintf(out, sz, "%s (no commit yet)", line + 5);
		return;
	}
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, sz, "%s", line);
	}
	fclose(f);
}

static struct sim_conf *single(double scale)
{
	struct sim_conf *c = NULL;

	if (sim_conf_single(&c, 360, 1800, 240, 55, 0, 15))
		return NULL;
	c->hours = 2000 * scale;
	c->warmup_h = 2;
	c->batches = 25;
	c->seed = 1;
	return c;
}

static struct sim_conf *large(double scale)
{
	struct sim_conf *c = NULL;
	char name[32];
	int err;

	if (sim_conf_alloc(&c))
		return NULL;
	c->hours = 50 * scale;
	c->warmup_h = 1;
	c->batches = 20;
	c->seed = 1;
	err = 0;
	for (int k = 0; k < 10 && !err; k++) {
		snprintf(name, sizeof(name), "skill%d", k);
		err = sim_skill_add(c, name);
	}
	for (int i = 0; i < 20 && !err; i++) {
		struct sim_queue *q;
		struct sim_type t;

		snprintf(name, sizeof(name), "queue%d", i);
		err = sim_queue_add(&q, c, name);
		if (err)
			break;
		/* about 92 Erlangs of talk and wrap-up per queue */
		q->calls = 1180;
		q->interval_s = 1800;
		q->aht_s = 130;
		q->handle = SIM_DIST_LOGNORMAL;
		q->handle_sd_s = 90;
		q->patience_s = 150;
		q->acd.wrapup_ms = 10000;
		memset(&t, 0, sizeof(t));
		snprintf(t.name, sizeof(t.name), "plain");
		t.share = 60;
		err = sim_type_add(q, &t);
		snprintf(t.name, sizeof(t.name), "skilled");
		t.share = 40;
		t.priority = 5;
		t.nreq = 1;
		snprintf(t.req[0].name, sizeof(t.req[0].name), "skill%d",
			 i % 10);
		t.req[0].value = 3;
		if (!err)
			err = sim_type_add(q, &t);
	}
	for (int g = 0; g < 20 && !err; g++) {
		struct sim_agents *a;

		snprintf(name, sizeof(name), "team%d-", g);
		err = sim_agents_add(&a, c, name, 100, 1001);
		for (int k = 0; k < 3 && !err; k++) {
			snprintf(name, sizeof(name), "queue%d", (g + 7 * k) %
				 20);
			err = sim_agents_queue(a, name, (uint8_t)(k + 1));
		}
		for (int k = 0; k < 2 && !err; k++) {
			snprintf(name, sizeof(name), "skill%d", (g + 3 * k) %
				 10);
			err = sim_agents_skill(a, name, (uint8_t)(5 + k));
		}
	}
	if (err) {
		mem_deref(c);
		return NULL;
	}
	return c;
}

static int bench(const char *label, struct sim_conf *c)
{
	struct sim_report *r = NULL;
	char err[512];
	double t0, dt, ev;
	unsigned agents = 0;
	int e;

	if (!c) {
		fprintf(stderr, "bench_sim: %s: cannot build the scenario\n",
			label);
		return 1;
	}
	for (unsigned i = 0; i < c->ngroups; i++)
		agents += c->groups[i]->count;
	printf("\n%s: %u queues, %u agents, %.0f + %.0f simulated hours, "
	       "seed %llu\n", label, c->nqueues, agents, c->warmup_h,
	       c->hours, (unsigned long long)c->seed);
	t0 = now_s();
	e = sim_run(&r, c, err, sizeof(err));
	dt = now_s() - t0;
	if (e) {
		fprintf(stderr, "bench_sim: %s: %s\n", label, err);
		mem_deref(c);
		return 1;
	}
	ev = (double)(r->cal_events + r->engine_calls);
	printf("  wall time        %10.3f s\n", dt);
	printf("  calendar events  %10llu\n",
	       (unsigned long long)r->cal_events);
	printf("  engine calls     %10llu\n",
	       (unsigned long long)r->engine_calls);
	printf("  engine events    %10llu\n",
	       (unsigned long long)r->engine_events);
	printf("  simulated calls  %10llu (measured period)\n",
	       (unsigned long long)r->arrivals);
	printf("  => %.2f million simulated events/s (calendar + engine "
	       "calls)\n", ev / dt / 1e6);
	printf("     %.2f million engine events/s, %.0f simulated calls/s, "
	       "%.0f simulated hours/s\n", (double)r->engine_events / dt /
	       1e6, (double)r->arrivals / dt,
	       (c->hours + c->warmup_h) / dt);
	printf("  P(wait) %.4f, ASA %.2f s, P(abandon) %.4f, occupancy "
	       "%.4f\n", r->p_wait.mean, r->asa_s.mean, r->p_abandon.mean,
	       r->occupancy.mean);
	mem_deref(r);
	mem_deref(c);
	return 0;
}

int main(int argc, char *argv[])
{
	struct utsname u;
	char commit[512];
	double scale = 1.0;
	int rc = 0;

	if (argc > 1) {
		char *end;

		scale = strtod(argv[1], &end);
		if (*end || !(scale > 0 && scale <= 100)) {
			fprintf(stderr, "usage: bench_sim [SCALE 0..100]\n");
			return 2;
		}
	}
	commit_get(commit, sizeof(commit));
	if (uname(&u) == 0)
		printf("machine: %s %s %s %s\n", u.sysname, u.release,
		       u.version, u.machine);
	printf("nproc: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("commit: %s\n", commit);
	printf("scale: %g (simulated hours x scale)\n", scale);
	rc |= bench("single", single(scale));
	rc |= bench("large", large(scale));
	return rc;
}
