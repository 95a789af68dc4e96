/* sim/main_sim.c  switchboard-sim: run the ACD simulator from the command
 * line, on a scenario file or on one queue described by flags.
 *
 * Parses argv strictly (every number checked for its characters and
 * range, every flag known, no flag twice), builds a struct sim_conf,
 * runs it and prints the report as a table or JSON on stdout.  Errors go
 * to stderr.  Exit status: 0 done; 1 the run failed (the engine broke a
 * promise, or out of memory); 2 bad usage or a bad scenario.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"

enum {
	EXIT_RUN = 1,
	EXIT_USAGE = 2,
};

static const char usage_text[] =
"usage: switchboard-sim --scenario FILE [RUN OPTIONS]\n"
"       switchboard-sim --calls N --agents N [QUEUE OPTIONS] [RUN OPTIONS]"
"\n\n"
"A discrete-event simulation that drives Switchboard's real ACD engine\n"
"with Poisson callers and simulated agents, and reports service level,\n"
"ASA, P(wait), abandonment, occupancy and AHT per queue and per agent,\n"
"with 99% confidence intervals from batch means.  For a single queue\n"
"that fits the model it also prints Erlang C (or, with patience,\n"
"Erlang A) for comparison.\n"
"\n"
"Run options:\n"
"  --scenario FILE    read queues, skills and agents from FILE\n"
"  --hours H          measured simulated hours (default 8, or [sim])\n"
"  --warmup H         unmeasured hours before them (default 1)\n"
"  --batches N        batches for the confidence intervals, 2..1000\n"
"                     (default 20)\n"
"  --seed N           random seed, 0..2^64-1 (default 1); the same seed\n"
"                     gives the same output, byte for byte\n"
"  --json             print JSON instead of a table\n"
"  --per-agent        add one table line per agent (JSON always has them)\n"
"  --help             this text\n"
"\n"
"Queue options (one queue \"q\", agents 1..N, without --scenario):\n"
"  --calls N          calls per interval, Poisson (required)\n"
"  --interval S       the interval, seconds (default 1800)\n"
"  --agents N         agents on the queue, 1..100000 (required)\n"
"  --aht S            mean talk time, seconds (default 240)\n"
"  --handle DIST      exp, lognormal or fixed (default exp)\n"
"  --handle-sd S      standard deviation for lognormal, seconds\n"
"  --patience S       mean patience, exponential; 0 never abandons\n"
"                     (default 0)\n"
"  --sl-target S      service-level threshold, seconds (default 20)\n"
"  --strategy NAME    longest-idle (default), round-robin,\n"
"                     fewest-contacts, least-talk, ring-all, linear,\n"
"                     random, weighted-random\n"
"  --wrapup S         wrap-up after each call, seconds (default 0)\n"
"\n"
"Scenario files are INI-like; '#' or ';' start comments; durations are\n"
"seconds unless suffixed s, m or h (shift: hours).  Sections and keys:\n"
"  [sim]           hours, warmup, seed, batches\n"
"  [skill NAME]    declares a skill\n"
"  [queue NAME]    calls = N per S, aht, handle = exp|lognormal SD|fixed,\n"
"                  patience, sl = PERCENT/S, strategy, wrapup, max-wait,\n"
"                  max-waiting, overflow = none|callback|voicemail|\n"
"                  disconnect|queue NAME, join/leave = allow|logged-in|\n"
"                  ready, empty-action, offer-timeout, missed-delay,\n"
"                  skill-match = yes|no, aging,\n"
"                  type = NAME SHARE PRIORITY [SKILL:LEVEL...] (repeat),\n"
"                  relax = AFTER SKILL:LEVEL or *:LEVEL (repeat)\n"
"  [agents PREFIX] count, first (ids PREFIX<first>...), queues =\n"
"                  NAME[:PRIORITY]..., skills = NAME:LEVEL..., shift =\n"
"                  START-END or all, ring = S (answer delay),\n"
"                  max-missed = N (not ready after N missed offers)\n"
"Example:\n"
"  [sim]\n"
"  hours = 8\n"
"  [skill spanish]\n"
"  [queue sales]\n"
"  calls = 360 per 1800\n"
"  aht = 240\n"
"  patience = 120\n"
"  sl = 80/20\n"
"  type = es 20 0 spanish:3\n"
"  type = en 80 0\n"
"  [agents a]\n"
"  count = 55\n"
"  first = 1001\n"
"  queues = sales:1\n"
"  skills = spanish:5\n"
"See docs/simulator.md for every key.\n"
"\n"
"Examples:\n"
"  switchboard-sim --calls 360 --agents 55 --hours 100\n"
"  switchboard-sim --scenario examples/demo.ini --json\n"
"\n"
"Exit status: 0 done, 1 the run failed, 2 bad usage or scenario.\n";

struct opts {
	const char *scenario;
	bool json, per_agent;
	bool has_hours, has_warmup, has_batches, has_seed;
	double hours, warmup;
	uint32_t batches;
	uint64_t seed;
	bool queue_flags;
	double calls, interval, aht, patience, sl_target, handle_sd, wrapup;
	uint32_t agents;
	enum sim_dist handle;
	enum acd_strategy strategy;
	bool has_calls, has_agents, has_handle_sd;
};

static int usage(const char *fmt, const char *arg)
{
	(void)re_fprintf(stderr, "switchboard-sim: ");
	(void)re_fprintf(stderr, fmt, arg);
	(void)re_fprintf(stderr, "\nTry 'switchboard-sim --help'.\n");
	return EXIT_USAGE;
}

/* Decimal: 1..12 digits, optional fraction of 1..9 digits, in [lo, hi]. */
static bool num_parse(const char *s, double lo, double hi, double *vp)
{
	double v = 0, scale = 1;
	size_t i = 0, n = 0, f = 0;

	while (s[i] >= '0' && s[i] <= '9') {
		if (++n > 12)
			return false;
		v = v * 10 + (s[i++] - '0');
	}
	if (!n)
		return false;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			if (++f > 9)
				return false;
			scale /= 10;
			v += (s[i++] - '0') * scale;
		}
		if (!f)
			return false;
	}
	if (s[i] || v < lo || v > hi)
		return false;
	*vp = v;
	return true;
}

static bool u64_parse(const char *s, uint64_t *vp)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || i >= 20 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (!i)
		return false;
	*vp = v;
	return true;
}

/* One "--flag VALUE" (or a switch); returns 0, or an exit status. */
static int opt_one(struct opts *o, const char *flag, const char *val,
		   uint64_t *seen, unsigned bit)
{
	double v;

	if (*seen & (1ULL << bit))
		return usage("%s given twice", flag);
	*seen |= 1ULL << bit;
	if (!strcmp(flag, "--scenario")) {
		o->scenario = val;
		return 0;
	}
	if (!strcmp(flag, "--seed")) {
		o->has_seed = true;
		return u64_parse(val, &o->seed) ? 0 :
			usage("--seed: bad number \"%s\"", val);
	}
	if (!strcmp(flag, "--batches")) {
		o->has_batches = true;
		if (!num_parse(val, SIM_BATCH_MIN, SIM_BATCH_MAX, &v) ||
		    v != (uint32_t)v)
			return usage("--batches: expected an integer 2..1000, "
				     "not \"%s\"", val);
		o->batches = (uint32_t)v;
		return 0;
	}
	if (!strcmp(flag, "--agents")) {
		o->has_agents = o->queue_flags = true;
		if (!num_parse(val, 1, SIM_AGENT_MAX, &v) ||
		    v != (uint32_t)v)
			return usage("--agents: expected an integer "
				     "1..100000, not \"%s\"", val);
		o->agents = (uint32_t)v;
		return 0;
	}
	if (!strcmp(flag, "--handle")) {
		o->queue_flags = true;
		if (!strcmp(val, "exp"))
			o->handle = SIM_DIST_EXP;
		else if (!strcmp(val, "lognormal"))
			o->handle = SIM_DIST_LOGNORMAL;
		else if (!strcmp(val, "fixed"))
			o->handle = SIM_DIST_FIXED;
		else
			return usage("--handle: expected exp, lognormal or "
				     "fixed, not \"%s\"", val);
		return 0;
	}
	if (!strcmp(flag, "--strategy")) {
		o->queue_flags = true;
		return acd_strategy_parse(val, &o->strategy) ?
			usage("--strategy: unknown strategy \"%s\"", val) : 0;
	}
	if (!strcmp(flag, "--hours")) {
		o->has_hours = true;
		return num_parse(val, 1e-3, SIM_HOURS_MAX, &o->hours) ? 0 :
			usage("--hours: expected 0.001..100000, not \"%s\"",
			      val);
	}
	if (!strcmp(flag, "--warmup")) {
		o->has_warmup = true;
		return num_parse(val, 0, SIM_HOURS_MAX, &o->warmup) ? 0 :
			usage("--warmup: expected 0..100000, not \"%s\"", val);
	}
	if (!strcmp(flag, "--calls")) {
		o->has_calls = o->queue_flags = true;
		return num_parse(val, 1e-6, SIM_CALLS_MAX, &o->calls) ? 0 :
			usage("--calls: expected a number above 0 up to "
			      "10000000, not \"%s\"", val);
	}
	o->queue_flags = true;
	if (!num_parse(val, 0, SIM_DUR_MAX, &v))
		return usage("%s: expected seconds, 0..604800", flag);
	if (!strcmp(flag, "--interval"))
		o->interval = v;
	else if (!strcmp(flag, "--aht"))
		o->aht = v;
	else if (!strcmp(flag, "--patience"))
		o->patience = v;
	else if (!strcmp(flag, "--sl-target"))
		o->sl_target = v;
	else if (!strcmp(flag, "--handle-sd")) {
		o->handle_sd = v;
		o->has_handle_sd = true;
	}
	else
		o->wrapup = v;
	return 0;
}

static int opts_parse(struct opts *o, int argc, char *argv[])
{
	static const char *valued[] = {
		"--scenario", "--seed", "--batches", "--agents", "--handle",
		"--strategy", "--hours", "--warmup", "--calls", "--interval",
		"--aht", "--patience", "--sl-target", "--handle-sd",
		"--wrapup",
	};
	const unsigned nvalued = sizeof(valued) / sizeof(valued[0]);
	uint64_t seen = 0;

	memset(o, 0, sizeof(*o));
	o->interval = 1800;
	o->aht = 240;
	o->sl_target = 20;
	o->handle = SIM_DIST_EXP;
	o->strategy = ACD_STRAT_LONGEST_IDLE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		unsigned k;
		int st;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			(void)fputs(usage_text, stdout);
			return -1;
		}
		if (!strcmp(a, "--json") || !strcmp(a, "--per-agent")) {
			unsigned bit = a[2] == 'j' ? 40 : 41;

			if (seen & (1ULL << bit))
				return usage("%s given twice", a);
			seen |= 1ULL << bit;
			if (a[2] == 'j')
				o->json = true;
			else
				o->per_agent = true;
			continue;
		}
		for (k = 0; k < nvalued; k++)
			if (!strcmp(a, valued[k]))
				break;
		if (k == nvalued)
			return usage("unknown option \"%s\"", a);
		if (i + 1 >= argc)
			return usage("%s needs a value", a);
		st = opt_one(o, a, argv[++i], &seen, k);
		if (st)
			return st;
	}
	if (o->scenario && o->queue_flags)
		return usage("%s", "queue options (--calls, --agents, --aht..."
			     ") describe the one queue run without "
			     "--scenario; put them in the scenario instead");
	if (!o->scenario && (!o->has_calls || !o->has_agents))
		return usage("%s", "give --scenario FILE, or --calls N and "
			     "--agents N");
	if (!o->scenario && o->handle == SIM_DIST_LOGNORMAL &&
	    !(o->handle_sd > 0))
		return usage("%s", "--handle lognormal needs --handle-sd "
			     "above 0");
	if (!o->scenario && o->has_handle_sd &&
	    o->handle != SIM_DIST_LOGNORMAL)
		return usage("%s", "--handle-sd applies to --handle "
			     "lognormal only");
	if (!o->scenario && !(o->aht > 0))
		return usage("%s", "--aht must be above 0");
	if (!o->scenario && !(o->interval > 0))
		return usage("%s", "--interval must be above 0");
	return 0;
}

static int conf_build(struct sim_conf **confp, const struct opts *o)
{
	char err[512];
	struct sim_queue *q;
	int e;

	if (o->scenario) {
		e = sim_scenario_load(confp, o->scenario, err, sizeof(err));
		if (e == EINVAL)
			(void)re_fprintf(stderr, "switchboard-sim: %s\n", err);
		else if (e)
			(void)re_fprintf(stderr, "switchboard-sim: %s: %m\n",
					 o->scenario, e);
		return e ? EXIT_USAGE : 0;
	}
	e = sim_conf_single(confp, o->calls, o->interval, o->aht, o->agents,
			    o->patience, o->sl_target);
	if (e) {
		(void)re_fprintf(stderr, "switchboard-sim: cannot build the "
				 "queue: %m\n", e);
		return EXIT_USAGE;
	}
	q = (*confp)->queues[0];
	q->handle = o->handle;
	q->handle_sd_s = o->handle_sd;
	q->acd.strategy = o->strategy;
	q->acd.wrapup_ms = (uint32_t)(o->wrapup * 1000.0 + 0.5);
	return 0;
}

static int stdout_write(const char *p, size_t size, void *arg)
{
	return fwrite(p, 1, size, arg) == size ? 0 : EIO;
}

int main(int argc, char *argv[])
{
	struct re_printf pf = {stdout_write, stdout};
	struct sim_conf *conf = NULL;
	struct sim_report *rep = NULL;
	char err[512];
	struct opts o;
	int st, e;

	st = opts_parse(&o, argc, argv);
	if (st)
		return st < 0 ? 0 : st;
	st = conf_build(&conf, &o);
	if (st)
		return st;
	if (o.has_hours)
		conf->hours = o.hours;
	if (o.has_warmup)
		conf->warmup_h = o.warmup;
	if (o.has_batches)
		conf->batches = o.batches;
	if (o.has_seed)
		conf->seed = o.seed;

	e = sim_run(&rep, conf, err, sizeof(err));
	if (e) {
		(void)re_fprintf(stderr, "switchboard-sim: %s\n",
				 err[0] ? err : "run failed");
		mem_deref(conf);
		return e == EINVAL ? EXIT_USAGE : EXIT_RUN;
	}
	if (o.json) {
		e = sim_report_json(&pf, rep);
	}
	else {
		e = sim_report_table(&pf, rep);
		if (!e && o.per_agent)
			e = sim_report_agents(&pf, rep);
	}
	if (fflush(stdout) && !e)
		e = EIO;
	mem_deref(rep);
	mem_deref(conf);
	if (e) {
		(void)re_fprintf(stderr, "switchboard-sim: writing the report:"
				 " %m\n", e);
		return EXIT_RUN;
	}
	return 0;
}
