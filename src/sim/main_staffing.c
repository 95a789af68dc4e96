/* sim/main_staffing.c  switchboard-staffing: how many agents a queue needs.
 *
 * A command-line front to acd/erlang.c.  Three modes: solve for the fewest
 * agents meeting the goals (the default), evaluate one agent count
 * (--agents N), or tabulate a range (--range LO:HI).  Output is a table
 * for people or, with --json, one JSON object for scripts.
 *
 * Every flag takes its value as the next argument or after '='.  Numbers
 * are parsed whole with strtod/strtoul and their end pointer, then range
 * checked; anything else (junk, a sign on a count, "nan", a flag given
 * twice) is a usage error.  Exit codes: 0 done; 1 the goals cannot be
 * met, or the agents asked for miss them or are unstable; 2 usage error.
 */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "acd/erlang.h"

/* Exit codes. */
enum {
	STAFFING_OK = 0,
	STAFFING_UNMET = 1,
	STAFFING_USAGE = 2,
};

enum { STAFFING_ROWS_MAX = 1000 };      /* rows in one --range */

static const char *prog = "switchboard-staffing";

/* Flags, in the order of flags[] and --help. */
enum {
	F_CALLS, F_INTERVAL, F_AHT, F_SL_TARGET, F_SL, F_PATIENCE, F_MAX_ASA,
	F_MAX_ABANDON, F_MAX_OCCUPANCY, F_SHRINKAGE, F_AGENTS, F_RANGE,
	F_JSON, F_HELP, F_COUNT
};

struct staffing {
	struct erlang_in in;
	struct erlang_goal goal;
	unsigned lo, hi;                /* agents to evaluate; 0: solve */
	bool json;
	bool given[F_COUNT];            /* no flag twice */
};

enum flag_kind {
	FLAG_NONNEG,                    /* >= 0 */
	FLAG_POSITIVE,                  /* > 0 */
	FLAG_PERCENT,                   /* > 0 and <= 100, '%' allowed */
	FLAG_SHRINKAGE,                 /* >= 0 and < 100, '%' allowed */
	FLAG_AGENTS,                    /* 1..ERLANG_AGENTS_MAX */
	FLAG_RANGE,                     /* LO:HI */
	FLAG_SWITCH,                    /* no value */
};

struct flag {
	const char *name;
	enum flag_kind kind;
	const char *arg;                /* for --help */
	const char *help;
};

/* Help lines wrap at '\n', indented under the first. */
static const struct flag flags[] = {
	{ "calls", FLAG_NONNEG, "N",
	  "calls offered in one interval (required)" },
	{ "interval", FLAG_POSITIVE, "S",
	  "interval length in seconds (default 1800)" },
	{ "aht", FLAG_POSITIVE, "S",
	  "mean handle time in seconds: talk, hold and\n"
	  "wrap-up (required)" },
	{ "sl-target", FLAG_NONNEG, "S",
	  "service-level threshold T in seconds (default 20)" },
	{ "sl", FLAG_PERCENT, "PCT",
	  "goal: at least PCT% of ALL calls answered within T" },
	{ "patience", FLAG_NONNEG, "S",
	  "mean caller patience in seconds: Erlang A,\n"
	  "callers abandon; 0 or absent: Erlang C, they\n"
	  "wait forever" },
	{ "max-asa", FLAG_POSITIVE, "S",
	  "goal: average speed of answer at most S seconds" },
	{ "max-abandon", FLAG_PERCENT, "PCT",
	  "goal: at most PCT% of calls abandon (needs\n"
	  "--patience)" },
	{ "max-occupancy", FLAG_PERCENT, "PCT",
	  "goal: agents busy at most PCT% of their time" },
	{ "shrinkage", FLAG_SHRINKAGE, "PCT",
	  "share of paid time off the phones (breaks,\n"
	  "training): scheduled = ceil(agents / (1 -\n"
	  "PCT/100)); default 0" },
	{ "agents", FLAG_AGENTS, "N",
	  "evaluate N agents instead of solving" },
	{ "range", FLAG_RANGE, "LO:HI",
	  "evaluate every N from LO to HI, a row each\n"
	  "(1000 rows at most)" },
	{ "json", FLAG_SWITCH, NULL,
	  "print one JSON object instead of the table" },
	{ "help", FLAG_SWITCH, NULL, "print this help and exit" },
};

static void staffing_help(void)
{
	printf("Usage: %s --calls N --aht S [options]\n\n"
	       "Agents needed for a call queue, by Erlang C (callers wait "
	       "forever) or\nErlang A (callers abandon after an exponential "
	       "patience).  Solves for the\nfewest agents on the phones "
	       "meeting every goal given, or evaluates\n--agents N or "
	       "--range LO:HI.\n\n", prog);
	for (size_t i = 0; i < F_COUNT; i++) {
		const struct flag *f = &flags[i];
		int w = printf("  --%s%s%s", f->name, f->arg ? " " : "",
			       f->arg ? f->arg : "");

		printf("%*s", w < 24 ? 24 - w : 1, "");
		for (const char *c = f->help; *c; c++)
			if (*c == '\n')
				printf("\n%24s", "");
			else
				putchar(*c);
		printf("\n");
	}
	printf("\nPercentages are 0 to 100; a trailing %% is allowed.  "
	       "Definitions:\n"
	       "  load A     calls / interval * aht, in Erlangs\n"
	       "  P(wait)    share of calls that find every agent busy\n"
	       "  ASA        mean wait of the answered calls, zero waits "
	       "included\n"
	       "  SL         share of ALL calls answered within T "
	       "(abandoned ones count\n"
	       "             against it)\n"
	       "  abandon    share of calls that hang up before an answer\n"
	       "  occupancy  load carried (A * (1 - abandon)) / agents\n"
	       "\nExit status: 0 done; 1 the goals cannot be met, or the "
	       "agents evaluated\nmiss them or are unstable; 2 usage "
	       "error.\n"
	       "\nExample: 360 calls per half hour, 4 minutes each, 80%% "
	       "within 15 s,\n30%% shrinkage:\n"
	       "  %s --calls 360 --interval 1800 --aht 240 \\\n"
	       "      --sl-target 15 --sl 80 --shrinkage 30\n"
	       "gives 55 agents on the phones (P(wait) 0.2387, ASA 8.18 s, "
	       "84.6%% within\n15 s), 79 to schedule.  Add --patience 120 "
	       "for Erlang A, --json for\nscripts.\n", prog);
}

/* Print "prog: --flag: "val" what" (the parts given) and a pointer to
 * --help; return the usage exit code. */
static int usage_error(const char *flag, const char *val, const char *what)
{
	fprintf(stderr, "%s: ", prog);
	if (flag && val)
		fprintf(stderr, "--%s: \"%s\" %s\n", flag, val, what);
	else if (flag)
		fprintf(stderr, "--%s %s\n", flag, what);
	else if (val)
		fprintf(stderr, "\"%s\" %s\n", val, what);
	else
		fprintf(stderr, "%s\n", what);
	fprintf(stderr, "Try '%s --help'.\n", prog);

	return STAFFING_USAGE;
}

/* A whole decimal number filling [s, end): strtoul alone would take
 * spaces, a sign (and wrap "-1"), or stop early. */
static int parse_unsigned(unsigned long *v, const char *s, const char *end)
{
	char *stop;

	if (s == end || !isdigit((unsigned char)*s))
		return EINVAL;
	errno = 0;
	*v = strtoul(s, &stop, 10);
	if (stop != end)
		return EINVAL;

	return errno;
}

static int parse_agents(unsigned *v, const char *flag, const char *s,
			const char *end, const char *whole)
{
	unsigned long n;
	int err = parse_unsigned(&n, s, end);

	if (err == EINVAL)
		return usage_error(flag, whole, "is not a whole number of "
				   "agents");
	if (err || n < 1 || n > ERLANG_AGENTS_MAX)
		return usage_error(flag, whole, "is out of range (1 to "
				   "100000 agents)");
	*v = (unsigned)n;

	return 0;
}

/* A decimal number: strtod alone would also take spaces, "inf", "nan"
 * and hexadecimal. */
static bool is_decimal(const char *s, const char *end, double *v)
{
	char *stop;

	if (*s == '-' || *s == '+')
		s++;
	if (s >= end || !(isdigit((unsigned char)*s) || *s == '.'))
		return false;
	for (const char *c = s; c < end; c++)
		if (*c == 'x' || *c == 'X')
			return false;
	errno = 0;
	*v = strtod(s, &stop);

	return stop == end;
}

static int parse_number(double *v, const struct flag *f, const char *s)
{
	const char *end = s + strlen(s);
	bool pct = f->kind == FLAG_PERCENT || f->kind == FLAG_SHRINKAGE;

	if (pct && end > s && end[-1] == '%')
		end--;
	if (!is_decimal(s, end, v))
		return usage_error(f->name, s, "is not a number");
	if (errno == ERANGE || !isfinite(*v))
		return usage_error(f->name, s, "is out of range");
	if (*s == '-')
		*v = -*v;
	if (*v == 0)
		*v = 0;                 /* not -0 */

	switch (f->kind) {

	case FLAG_NONNEG:
		if (*v < 0)
			return usage_error(f->name, s, "is negative");
		break;

	case FLAG_POSITIVE:
		if (!(*v > 0))
			return usage_error(f->name, s, "must be above 0");
		break;

	case FLAG_PERCENT:
		if (!(*v > 0) || *v > 100)
			return usage_error(f->name, s, "must be above 0 and "
					   "at most 100 (percent)");
		*v /= 100;
		break;

	case FLAG_SHRINKAGE:
		if (*v < 0 || !(*v < 100))
			return usage_error(f->name, s, "must be 0 or more "
					   "and below 100 (percent)");
		*v /= 100;
		break;

	default:
		break;
	}

	return 0;
}

static int parse_range(struct staffing *st, const char *s)
{
	const char *colon = strchr(s, ':');
	int err;

	if (!colon)
		return usage_error("range", s, "is not LO:HI");
	err = parse_agents(&st->lo, "range", s, colon, s);
	if (!err)
		err = parse_agents(&st->hi, "range", colon + 1,
				   colon + strlen(colon), s);
	if (err)
		return err;
	if (st->lo > st->hi)
		return usage_error("range", s, "has LO above HI");
	if (st->hi - st->lo >= STAFFING_ROWS_MAX)
		return usage_error("range", s, "has more than 1000 rows");

	return 0;
}

static int parse_value(struct staffing *st, size_t i, const char *val)
{
	double *dst[F_COUNT] = {
		[F_CALLS] = &st->in.calls,
		[F_INTERVAL] = &st->in.interval_s,
		[F_AHT] = &st->in.aht_s,
		[F_SL_TARGET] = &st->in.sl_target_s,
		[F_SL] = &st->goal.sl,
		[F_PATIENCE] = &st->in.patience_s,
		[F_MAX_ASA] = &st->goal.max_asa_s,
		[F_MAX_ABANDON] = &st->goal.max_abandon,
		[F_MAX_OCCUPANCY] = &st->goal.max_occupancy,
		[F_SHRINKAGE] = &st->goal.shrinkage,
	};

	if (i == F_AGENTS) {
		int err = parse_agents(&st->lo, flags[i].name, val,
				       val + strlen(val), val);

		st->hi = st->lo;
		return err;
	}
	if (i == F_RANGE)
		return parse_range(st, val);

	return parse_number(dst[i], &flags[i], val);
}

/* The inputs together: what each flag alone cannot check. */
static int staffing_check(const struct staffing *st)
{
	const struct erlang_goal *g = &st->goal;
	unsigned sched;

	if (!st->given[F_CALLS])
		return usage_error("calls", NULL, "is required");
	if (!st->given[F_AHT])
		return usage_error("aht", NULL, "is required");
	if (st->given[F_AGENTS] && st->given[F_RANGE])
		return usage_error(NULL, NULL, "give --agents or --range, "
				   "not both");
	if (st->given[F_MAX_ABANDON] && !(st->in.patience_s > 0))
		return usage_error("max-abandon", NULL, "needs --patience: "
				   "without it callers never abandon");
	if (!st->lo && !g->sl && !g->max_asa_s && !g->max_abandon &&
	    !g->max_occupancy)
		return usage_error(NULL, NULL, "no goal: give --sl, "
				   "--max-asa, --max-abandon or "
				   "--max-occupancy, or evaluate with "
				   "--agents or --range");
	/* so that no schedule below overflows */
	if (erlang_schedule(&sched, ERLANG_AGENTS_MAX, g->shrinkage))
		return usage_error("shrinkage", NULL, "is too close to 100");

	return 0;
}

/* @return 0, STAFFING_USAGE, or -1 for --help */
static int staffing_parse(struct staffing *st, int argc, char **argv)
{
	memset(st, 0, sizeof(*st));
	st->in.interval_s = 1800;
	st->in.sl_target_s = 20;

	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a], *val = NULL, *eq;
		size_t i, len;
		int err;

		if (strncmp(arg, "--", 2) != 0)
			return usage_error(NULL, arg, "is not a flag; flags "
					   "start with --");
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		for (i = 0; i < F_COUNT; i++)
			if (strlen(flags[i].name) == len &&
			    !strncmp(flags[i].name, arg, len))
				break;
		if (i == F_COUNT)
			return usage_error(NULL, argv[a], "is not a known "
					   "flag");
		if (i == F_HELP)
			return -1;
		if (st->given[i])
			return usage_error(flags[i].name, NULL,
					   "is given twice");
		st->given[i] = true;

		if (flags[i].kind == FLAG_SWITCH) {
			if (eq)
				return usage_error(flags[i].name, NULL,
						   "takes no value");
			st->json = true;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (a + 1 < argc)
			val = argv[++a];
		else
			return usage_error(flags[i].name, NULL,
					   "needs a value");
		err = parse_value(st, i, val);
		if (err)
			return err;
	}

	return staffing_check(st);
}

static bool staffing_has_goal(const struct erlang_goal *g)
{
	return g->sl > 0 || g->max_asa_s > 0 || g->max_abandon > 0 ||
	       g->max_occupancy > 0;
}

static bool staffing_meets(const struct erlang_out *o,
			   const struct erlang_goal *g)
{
	return (!(g->sl > 0) || o->sl >= g->sl) &&
	       (!(g->max_asa_s > 0) || o->asa_s <= g->max_asa_s) &&
	       (!(g->max_abandon > 0) || o->p_abandon <= g->max_abandon) &&
	       (!(g->max_occupancy > 0) || o->occupancy <= g->max_occupancy);
}

/* One evaluated row: the figures, or why there are none. */
struct row {
	struct erlang_out o;
	int err;               /* ERANGE: no steady state, or too long */
	bool meets;
};

/* Why a row has no figures. */
static const char *row_why(const struct staffing *st)
{
	return st->in.patience_s > 0 ?
		"queue too long to compute (patience far above the AHT)" :
		"unstable: Erlang C needs more agents than the load";
}

static void print_json(const struct staffing *st, const struct row *rows,
		       size_t n, bool met, const char *error)
{
	const struct erlang_goal *g = &st->goal;
	const char *mode = !st->lo ? "solve" :
		st->given[F_RANGE] ? "range" : "agents";

	printf("{\"model\": \"%s\", \"mode\": \"%s\",\n",
	       st->in.patience_s > 0 ? "erlang-a" : "erlang-c", mode);
	printf(" \"calls\": %.10g, \"interval_s\": %.10g, \"aht_s\": %.10g, "
	       "\"sl_target_s\": %.10g, \"patience_s\": %.10g,\n",
	       st->in.calls, st->in.interval_s, st->in.aht_s,
	       st->in.sl_target_s, st->in.patience_s);
	printf(" \"load\": %.10g,\n",
	       st->in.calls / st->in.interval_s * st->in.aht_s);
	printf(" \"goals\": {\"sl\": %.10g, \"max_asa_s\": %.10g, "
	       "\"max_abandon\": %.10g, \"max_occupancy\": %.10g, "
	       "\"shrinkage\": %.10g},\n", g->sl, g->max_asa_s,
	       g->max_abandon, g->max_occupancy, g->shrinkage);
	printf(" \"met\": %s,\n", met ? "true" : "false");
	if (error)
		printf(" \"error\": \"%s\",\n", error);
	printf(" \"rows\": [");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%s\n  {\"agents\": %u, ", i ? "," : "", r->o.agents);
		if (r->err) {
			printf("\"error\": \"%s\"%s}", row_why(st),
			       staffing_has_goal(g) ? ", \"meets\": false" :
			       "");
			continue;
		}
		printf("\"scheduled\": %u, \"p_wait\": %.10g, "
		       "\"asa_s\": %.10g, \"sl\": %.10g, "
		       "\"p_abandon\": %.10g, \"occupancy\": %.10g",
		       r->o.scheduled, r->o.p_wait, r->o.asa_s, r->o.sl,
		       r->o.p_abandon, r->o.occupancy);
		if (staffing_has_goal(g))
			printf(", \"meets\": %s", r->meets ? "true" : "false");
		printf("}");
	}
	printf("%s]}\n", n ? "\n " : "");
}

static void print_goals(const struct staffing *st)
{
	const struct erlang_goal *g = &st->goal;
	const char *sep = " ";

	if (!staffing_has_goal(g))
		return;
	printf("Goals:");
	if (g->sl > 0) {
		printf("%s%g%% of calls answered within %g s", sep,
		       g->sl * 100, st->in.sl_target_s);
		sep = ", ";
	}
	if (g->max_asa_s > 0) {
		printf("%sASA at most %g s", sep, g->max_asa_s);
		sep = ", ";
	}
	if (g->max_abandon > 0) {
		printf("%sabandon at most %g%%", sep, g->max_abandon * 100);
		sep = ", ";
	}
	if (g->max_occupancy > 0)
		printf("%soccupancy at most %g%%", sep,
		       g->max_occupancy * 100);
	printf("\n");
}

static void print_table(const struct staffing *st, const struct row *rows,
			size_t n, bool met, const char *error)
{
	bool goals = staffing_has_goal(&st->goal);

	if (st->in.patience_s > 0)
		printf("Erlang A (mean patience %g s)", st->in.patience_s);
	else
		printf("Erlang C (no abandonment)");
	printf(": %g calls per %g s, AHT %g s, load %.2f Erlangs\n",
	       st->in.calls, st->in.interval_s, st->in.aht_s,
	       st->in.calls / st->in.interval_s * st->in.aht_s);
	print_goals(st);
	if (st->goal.shrinkage > 0)
		printf("Shrinkage %g%%: scheduled = agents / %g, rounded "
		       "up\n", st->goal.shrinkage * 100,
		       1 - st->goal.shrinkage);

	if (n)
		printf("\n%7s %10s %8s %8s %8s %8s %10s%s\n", "agents",
		       "scheduled", "P(wait)", "ASA s", "SL", "abandon",
		       "occupancy", goals ? "  goals" : "");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (r->err) {
			printf("%7u  %s\n", r->o.agents, row_why(st));
			continue;
		}
		printf("%7u %10u %8.4f %8.2f %7.1f%% %7.2f%% %9.1f%%%s\n",
		       r->o.agents, r->o.scheduled, r->o.p_wait, r->o.asa_s,
		       r->o.sl * 100, r->o.p_abandon * 100,
		       r->o.occupancy * 100,
		       !goals ? "" : r->meets ? "  met" : "  missed");
	}
	printf("\n");
	if (n)
		printf("SL: share of all calls answered within %g s.\n",
		       st->in.sl_target_s);
	if (error && !(n && rows[0].err))     /* not shown in its row */
		printf("%s\n", error);
	else if (!st->lo)
		printf("%u agents on the phones meet the goals; schedule "
		       "%u.\n", rows[0].o.agents, rows[0].o.scheduled);
	else if (goals && !met)
		printf("No agent count shown meets the goals.\n");
}

static int staffing_eval_rows(const struct staffing *st, struct row *rows,
			      size_t *np, bool *met)
{
	size_t n = 0;

	*met = false;
	for (unsigned a = st->lo; a <= st->hi; a++) {
		struct row *r = &rows[n++];

		memset(r, 0, sizeof(*r));
		r->err = erlang_eval(&r->o, &st->in, a);
		r->o.agents = a;
		if (r->err == ERANGE)
			continue;
		if (r->err)
			return r->err;
		r->err = erlang_schedule(&r->o.scheduled, a,
					 st->goal.shrinkage);
		if (r->err)
			return r->err;
		r->meets = staffing_meets(&r->o, &st->goal);
		*met = *met || r->meets;
	}
	*np = n;

	return 0;
}

int main(int argc, char **argv)
{
	static struct row rows[STAFFING_ROWS_MAX];
	struct staffing st;
	const char *error = NULL;
	size_t n = 0;
	bool met = true;
	int err;

	err = staffing_parse(&st, argc, argv);
	if (err < 0) {
		staffing_help();
		return STAFFING_OK;
	}
	if (err)
		return err;

	if (!st.lo) {
		err = erlang_staff(&rows[0].o, &st.in, &st.goal);
		if (err == ERANGE) {
			error = "No agent count up to 100000 meets the goals.";
			met = false;
		}
		else if (!err) {
			n = 1;
			rows[0].meets = true;
		}
	}
	else {
		err = staffing_eval_rows(&st, rows, &n, &met);
		if (!err && !staffing_has_goal(&st.goal))
			met = true;
		if (!err && !st.given[F_RANGE] && rows[0].err) {
			error = row_why(&st);
			met = false;
		}
	}
	if (err && err != ERANGE) {
		/* the flags are checked: only a product can overflow */
		fprintf(stderr, "%s: the load (calls / interval * aht) or "
			"1 / patience is out of range\n", prog);
		return STAFFING_USAGE;
	}

	if (st.json)
		print_json(&st, rows, n, met, error);
	else
		print_table(&st, rows, n, met, error);

	return met ? STAFFING_OK : STAFFING_UNMET;
}
