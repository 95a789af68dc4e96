/* sim/print.c  A simulation report as a table (79 columns) or as JSON.
 *
 * Both go through a struct re_printf, so they print to a file, a buffer
 * (mbuf) or a socket alike.  Numbers are formatted with libc's snprintf
 * into small buffers first: libre's %f truncates instead of rounding
 * (3.14159 prints 3.141589), and it has no %g.  Nothing here reads a
 * clock, so the same report prints the same bytes.
 *
 * JSON: one object; every rate is {"mean": x, "hw": h} with h the 99%
 * half-width; figures that cannot be estimated (no arrivals, fewer than
 * two batches) are null.  Names are escaped although sim_name_valid()
 * admits no character that needs it.  docs/simulator.md lists the fields.
 *
 * O(queues + types + agents) output.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"

/* v with prec decimals and a unit; "-" when it cannot be given. */
static const char *num(char buf[40], double v, int prec, const char *unit)
{
	if (!isfinite(v))
		return "-";
	(void)snprintf(buf, 40, "%.*f%s", prec, v, unit);
	return buf;
}

static const char *pct(char buf[40], double v, int prec)
{
	return num(buf, isfinite(v) ? v * 100.0 : v, prec, "%");
}

static const char *pm(char buf[40], double hw, int prec, double scale,
		      const char *unit)
{
	if (!isfinite(hw))
		return "";
	(void)snprintf(buf, 40, "+/- %.*f%s", prec, hw * scale, unit);
	return buf;
}

const char *sim_dist_name(enum sim_dist d)
{
	switch (d) {
	case SIM_DIST_EXP:       return "exp";
	case SIM_DIST_LOGNORMAL: return "lognormal";
	case SIM_DIST_FIXED:     return "fixed";
	default:                 return "?";
	}
}

/* One line: label, simulated value, half-width, theory; no trailing
 * blanks when the last columns are empty. */
static int line(struct re_printf *pf, const char *label, const char *v,
		const char *hw, const char *th)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "  %-14s %12s  %-14s %12s", label,
			 v, hw, th);

	if (n < 0)
		return EINVAL;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	return re_hprintf(pf, "%b\n", buf, (size_t)n);
}

static int rates(struct re_printf *pf, const struct sim_ci *p_wait,
		 const struct sim_ci *asa, const struct sim_ci *sl,
		 const struct sim_ci *p_ab, const struct sim_ci *occ,
		 const struct erlang_out *th, const char *sl_label)
{
	char a[40], b[40], t[40];
	int err = 0;

	err |= line(pf, "P(wait)", num(a, p_wait->mean, 4, ""),
		    pm(b, p_wait->hw, 4, 1, ""),
		    th ? num(t, th->p_wait, 4, "") : "");
	err |= line(pf, "ASA", num(a, asa->mean, 2, " s"),
		    pm(b, asa->hw, 2, 1, " s"),
		    th ? num(t, th->asa_s, 2, " s") : "");
	err |= line(pf, sl_label, pct(a, sl->mean, 2),
		    pm(b, sl->hw, 2, 100, "%"), th ? pct(t, th->sl, 2) : "");
	err |= line(pf, "P(abandon)", pct(a, p_ab->mean, 2),
		    pm(b, p_ab->hw, 2, 100, "%"),
		    th ? pct(t, th->p_abandon, 2) : "");
	err |= line(pf, "occupancy", pct(a, occ->mean, 2),
		    pm(b, occ->hw, 2, 100, "%"),
		    th ? pct(t, th->occupancy, 2) : "");
	return err;
}

static int queue_table(struct re_printf *pf, const struct sim_queue_report *q)
{
	const struct erlang_out *th = q->has_theory ? &q->theory : NULL;
	char a[40], b[40], c[40], label[48];
	int err = 0;

	err |= re_hprintf(pf, "\nqueue \"%s\": %u agents, SL goal %u%% in "
			  "%s\n", q->name, q->agents, q->sl_goal,
			  num(a, q->sl_target_s, q->sl_target_s ==
			      floor(q->sl_target_s) ? 0 : 1, " s"));
	err |= line(pf, "", "simulated", "99% CI", th ? (q->erlang_a ?
						"Erlang A" : "Erlang C") : "");
	err |= re_hprintf(pf, "  %-14s %12llu\n  %-14s %12llu\n"
			  "  %-14s %12llu\n  %-14s %12llu\n"
			  "  %-14s %12llu\n", "arrivals",
			  (unsigned long long)q->arrivals, "answered",
			  (unsigned long long)q->answered, "abandoned",
			  (unsigned long long)q->abandoned, "overflowed",
			  (unsigned long long)q->overflowed, "unfinished",
			  (unsigned long long)q->unfinished);
	(void)snprintf(label, sizeof(label), "SL (%s)",
		       num(a, q->sl_target_s, q->sl_target_s ==
			   floor(q->sl_target_s) ? 0 : 1, " s"));
	err |= rates(pf, &q->p_wait, &q->asa_s, &q->sl, &q->p_abandon,
		     &q->occupancy, th, label);
	err |= re_hprintf(pf, "  %-14s %12s  (talk %s + wrap-up %s)\n",
			  "AHT", num(a, q->aht_s, 1, " s"),
			  num(b, q->talk_s, 1, " s"),
			  num(c, q->wrap_s, 1, " s"));
	if (q->ewt_n)
		err |= re_hprintf(pf, "  %-14s %12s  mean abs. error, %s bias "
				  "(actual - told), %llu callers\n",
				  "est. wait", num(a, q->ewt_mae_s, 1, " s"),
				  num(b, q->ewt_bias_s, 1, " s"),
				  (unsigned long long)q->ewt_n);
	err |= re_hprintf(pf, "  %-14s %12s  offered, %s carried\n", "load",
			  num(a, q->offered_erl, 2, " Erl"),
			  num(b, q->carried_erl, 2, " Erl"));
	for (unsigned i = 0; i < q->ntypes; i++) {
		const struct sim_type_report *t = &q->types[i];

		err |= re_hprintf(pf, "  type %-9s %llu arrivals, SL %s, ASA "
				  "%s, abandoned %s\n", t->name,
				  (unsigned long long)t->arrivals,
				  pct(a, t->sl, 1), num(b, t->asa_s, 1, " s"),
				  pct(c, t->p_abandon, 2));
	}
	return err;
}

/**
 * Print the report as a table: the run, each queue with its rates and
 * their intervals (and the Erlang prediction where it applies), all
 * queues together, then one line per agent group.
 *
 * @return 0 or the printer's error
 */
int sim_report_table(struct re_printf *pf, const struct sim_report *r)
{
	char a[40], b[40], c[40], d[40];
	int err = 0;

	if (!pf || !r)
		return EINVAL;
	err |= re_hprintf(pf, "Switchboard ACD simulation, seed %llu\n",
			  (unsigned long long)r->seed);
	err |= re_hprintf(pf, "measured %s after %s of warm-up, in %u "
			  "batches of %s\n", num(a, r->hours, 2, " h"),
			  num(b, r->warmup_h, 2, " h"), r->batches,
			  num(c, r->batch_s, 0, " s"));
	err |= re_hprintf(pf, "events: %llu calendar, %llu engine calls, "
			  "%llu engine events\n",
			  (unsigned long long)r->cal_events,
			  (unsigned long long)r->engine_calls,
			  (unsigned long long)r->engine_events);
	err |= re_hprintf(pf, "ended at %s; intervals: 99%%, Student t over "
			  "the batches\n", num(d, r->end_s / 3600.0, 2, " h"));
	for (unsigned i = 0; i < r->nqueues; i++)
		err |= queue_table(pf, &r->queues[i]);
	if (r->nqueues > 1) {
		err |= re_hprintf(pf, "\nall queues: %llu arrivals, %llu "
				  "unfinished\n",
				  (unsigned long long)r->arrivals,
				  (unsigned long long)r->unfinished);
		err |= rates(pf, &r->p_wait, &r->asa_s, &r->sl,
			     &r->p_abandon, &r->occupancy, NULL,
			     "SL (own goal)");
	}
	err |= re_hprintf(pf, "\n%-16s %6s %9s %10s %8s %8s %9s\n", "agents",
			  "count", "answered", "occupancy", "min", "max",
			  "AHT");
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct sim_group_report *g = &r->groups[i];

		err |= re_hprintf(pf, "%-16s %6u %9llu %10s %8s %8s %9s\n",
				  g->name, g->count,
				  (unsigned long long)g->answered,
				  pct(a, g->occupancy, 1),
				  pct(b, g->occ_min, 1), pct(c, g->occ_max, 1),
				  num(d, g->aht_s, 1, " s"));
	}
	return err;
}

/**
 * Print one line per agent: id, group, answered, staffed hours,
 * occupancy, AHT.
 *
 * @return 0 or the printer's error
 */
int sim_report_agents(struct re_printf *pf, const struct sim_report *r)
{
	char a[40], b[40], c[40];
	int err = 0;

	if (!pf || !r)
		return EINVAL;
	err |= re_hprintf(pf, "\n%-20s %-16s %9s %9s %10s %9s\n", "agent",
			  "group", "answered", "staffed", "occupancy", "AHT");
	for (unsigned i = 0; i < r->nagents; i++) {
		const struct sim_agent_report *ag = &r->agents[i];

		err |= re_hprintf(pf, "%-20s %-16s %9llu %9s %10s %9s\n",
				  ag->id, r->groups[ag->group].name,
				  (unsigned long long)ag->answered,
				  num(a, ag->staffed_s / 3600.0, 2, " h"),
				  pct(b, ag->occupancy, 1),
				  num(c, ag->aht_s, 1, " s"));
	}
	return err;
}

/* ---- JSON ---- */

static const char *jnum(char buf[40], double v)
{
	if (!isfinite(v))
		return "null";
	(void)snprintf(buf, 40, "%.6g", v);
	return buf;
}

static int jstr(struct re_printf *pf, const char *s)
{
	int err = re_hprintf(pf, "\"");

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			err |= re_hprintf(pf, "\\%c", ch);
		else if (ch < 0x20)
			err |= re_hprintf(pf, "\\u%04x", ch);
		else
			err |= re_hprintf(pf, "%c", ch);
	}
	return err | re_hprintf(pf, "\"");
}

static int jci(struct re_printf *pf, const char *key, const struct sim_ci *ci)
{
	char a[40], b[40];

	return re_hprintf(pf, "\"%s\":{\"mean\":%s,\"hw\":%s}", key,
			  jnum(a, ci->mean), jnum(b, ci->hw));
}

static int jrates(struct re_printf *pf, const struct sim_ci *p_wait,
		  const struct sim_ci *asa, const struct sim_ci *sl,
		  const struct sim_ci *p_ab, const struct sim_ci *occ)
{
	int err = 0;

	err |= jci(pf, "p_wait", p_wait);
	err |= re_hprintf(pf, ",");
	err |= jci(pf, "asa_s", asa);
	err |= re_hprintf(pf, ",");
	err |= jci(pf, "sl", sl);
	err |= re_hprintf(pf, ",");
	err |= jci(pf, "p_abandon", p_ab);
	err |= re_hprintf(pf, ",");
	err |= jci(pf, "occupancy", occ);
	return err;
}

static int jqueue(struct re_printf *pf, const struct sim_queue_report *q)
{
	char a[40], b[40], c[40], d[40], e[40];
	int err = 0;

	err |= re_hprintf(pf, "{\"name\":");
	err |= jstr(pf, q->name);
	err |= re_hprintf(pf, ",\"agents\":%u,\"sl_target_s\":%s,"
			  "\"sl_goal\":%u,\"arrivals\":%llu,\"answered\":%llu,"
			  "\"answered_in_sl\":%llu,\"waited\":%llu,"
			  "\"abandoned\":%llu,\"overflowed\":%llu,"
			  "\"unfinished\":%llu,\"completed\":%llu,",
			  q->agents, jnum(a, q->sl_target_s), q->sl_goal,
			  (unsigned long long)q->arrivals,
			  (unsigned long long)q->answered,
			  (unsigned long long)q->answered_in_sl,
			  (unsigned long long)q->waited,
			  (unsigned long long)q->abandoned,
			  (unsigned long long)q->overflowed,
			  (unsigned long long)q->unfinished,
			  (unsigned long long)q->completed);
	err |= jrates(pf, &q->p_wait, &q->asa_s, &q->sl, &q->p_abandon,
		      &q->occupancy);
	err |= re_hprintf(pf, ",\"ewt_n\":%llu,\"ewt_mae_s\":%s,"
			  "\"ewt_bias_s\":%s", (unsigned long long)q->ewt_n,
			  jnum(a, q->ewt_n ? q->ewt_mae_s : NAN),
			  jnum(b, q->ewt_n ? q->ewt_bias_s : NAN));
	err |= re_hprintf(pf, ",\"aht_s\":%s,\"talk_s\":%s,\"wrap_s\":%s,"
			  "\"offered_erl\":%s,\"carried_erl\":%s,\"theory\":",
			  jnum(a, q->aht_s), jnum(b, q->talk_s),
			  jnum(c, q->wrap_s), jnum(d, q->offered_erl),
			  jnum(e, q->carried_erl));
	if (q->has_theory) {
		const struct erlang_out *t = &q->theory;

		err |= re_hprintf(pf, "{\"model\":\"%s\",\"agents\":%u,"
				  "\"p_wait\":%s,\"asa_s\":%s,\"sl\":%s,"
				  "\"p_abandon\":%s,\"occupancy\":%s}",
				  q->erlang_a ? "erlang-a" : "erlang-c",
				  t->agents, jnum(a, t->p_wait),
				  jnum(b, t->asa_s), jnum(c, t->sl),
				  jnum(d, t->p_abandon),
				  jnum(e, t->occupancy));
	}
	else {
		err |= re_hprintf(pf, "null");
	}
	err |= re_hprintf(pf, ",\"types\":[");
	for (unsigned i = 0; i < q->ntypes; i++) {
		const struct sim_type_report *t = &q->types[i];

		err |= re_hprintf(pf, "%s{\"name\":", i ? "," : "");
		err |= jstr(pf, t->name);
		err |= re_hprintf(pf, ",\"arrivals\":%llu,\"answered\":%llu,"
				  "\"answered_in_sl\":%llu,\"abandoned\":%llu,"
				  "\"asa_s\":%s,\"sl\":%s,\"p_abandon\":%s}",
				  (unsigned long long)t->arrivals,
				  (unsigned long long)t->answered,
				  (unsigned long long)t->answered_in_sl,
				  (unsigned long long)t->abandoned,
				  jnum(a, t->asa_s), jnum(b, t->sl),
				  jnum(c, t->p_abandon));
	}
	return err | re_hprintf(pf, "]}");
}

/**
 * Print the whole report, every agent included, as one JSON object.
 *
 * @return 0 or the printer's error
 */
int sim_report_json(struct re_printf *pf, const struct sim_report *r)
{
	char a[40], b[40], c[40], d[40];
	int err = 0;

	if (!pf || !r)
		return EINVAL;
	err |= re_hprintf(pf, "{\"seed\":%llu,\"hours\":%s,\"warmup_h\":%s,"
			  "\"batches\":%u,\"batch_s\":%s,\"confidence\":0.99,"
			  "\"end_s\":%s,\"events\":{\"calendar\":%llu,"
			  "\"engine_calls\":%llu,\"engine_events\":%llu},"
			  "\"all\":{\"arrivals\":%llu,\"unfinished\":%llu,",
			  (unsigned long long)r->seed, jnum(a, r->hours),
			  jnum(b, r->warmup_h), r->batches,
			  jnum(c, r->batch_s), jnum(d, r->end_s),
			  (unsigned long long)r->cal_events,
			  (unsigned long long)r->engine_calls,
			  (unsigned long long)r->engine_events,
			  (unsigned long long)r->arrivals,
			  (unsigned long long)r->unfinished);
	err |= jrates(pf, &r->p_wait, &r->asa_s, &r->sl, &r->p_abandon,
		      &r->occupancy);
	err |= re_hprintf(pf, "},\"queues\":[");
	for (unsigned i = 0; i < r->nqueues; i++) {
		err |= re_hprintf(pf, "%s", i ? "," : "");
		err |= jqueue(pf, &r->queues[i]);
	}
	err |= re_hprintf(pf, "],\"groups\":[");
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct sim_group_report *g = &r->groups[i];

		err |= re_hprintf(pf, "%s{\"name\":", i ? "," : "");
		err |= jstr(pf, g->name);
		err |= re_hprintf(pf, ",\"count\":%u,\"answered\":%llu,"
				  "\"occupancy\":%s,\"occupancy_min\":%s,"
				  "\"occupancy_max\":%s,\"aht_s\":%s}",
				  g->count, (unsigned long long)g->answered,
				  jnum(a, g->occupancy), jnum(b, g->occ_min),
				  jnum(c, g->occ_max), jnum(d, g->aht_s));
	}
	err |= re_hprintf(pf, "],\"agents\":[");
	for (unsigned i = 0; i < r->nagents; i++) {
		const struct sim_agent_report *ag = &r->agents[i];

		err |= re_hprintf(pf, "%s{\"id\":", i ? "," : "");
		err |= jstr(pf, ag->id);
		err |= re_hprintf(pf, ",\"group\":");
		err |= jstr(pf, r->groups[ag->group].name);
		err |= re_hprintf(pf, ",\"answered\":%llu,\"staffed_s\":%s,"
				  "\"occupancy\":%s,\"aht_s\":%s}",
				  (unsigned long long)ag->answered,
				  jnum(a, ag->staffed_s),
				  jnum(b, ag->occupancy), jnum(c, ag->aht_s));
	}
	return err | re_hprintf(pf, "]}\n");
}
