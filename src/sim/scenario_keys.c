/* sim/scenario_keys.c  The keys of a scenario's [sim], [queue] and
 * [agents] sections: each checks its values (count, range, form) and
 * stores them in the conf being built.  Keys that may appear once are
 * tracked by a bit each (scenario_once); "type" and "relax" repeat.
 * Cross-references (queues, skills) are stored by name and line for
 * sim_conf_check().  O(values) per key.
 */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"
#include "sim/scenario.h"

static int overflow_action(struct scenario_parser *p, const char *key,
			   const struct scenario_tok *tv, unsigned n,
			   enum acd_overflow_action *ap)
{
	static const char *names[ACD_OVF_COUNT] = {
		"none", "queue", "callback", "voicemail", "disconnect"
	};
	char e[SCENARIO_ECHO_MAX + 4];

	if (scenario_want(p, key, n, 1, 2))
		return EINVAL;
	for (int i = 0; i < ACD_OVF_COUNT; i++) {
		if (!scenario_tok_is(&tv[0], names[i]))
			continue;
		if ((i == ACD_OVF_QUEUE) != (n == 2))
			return scenario_err(p, "%s: \"queue\" takes the "
					    "queue's name, the other actions "
					    "nothing", key);
		if (n == 2) {
			if (scenario_name(p, &tv[1], p->q->overflow_queue,
					  "queue"))
				return EINVAL;
			p->q->overflow_line = p->line;
		}
		*ap = (enum acd_overflow_action)i;
		return 0;
	}
	return scenario_err(p, "%s: unknown action \"%s\"; expected none, "
			    "queue NAME, callback, voicemail or disconnect",
			    key, scenario_echo(e, &tv[0]));
}

static int empty_rule(struct scenario_parser *p, const char *key,
		      const struct scenario_tok *tv, unsigned n,
		      enum acd_empty_rule *rp)
{
	char e[SCENARIO_ECHO_MAX + 4];

	if (scenario_want(p, key, n, 1, 1))
		return EINVAL;
	if (scenario_tok_is(&tv[0], "allow"))
		*rp = ACD_EMPTY_ALLOW;
	else if (scenario_tok_is(&tv[0], "logged-in"))
		*rp = ACD_EMPTY_LOGGED_IN;
	else if (scenario_tok_is(&tv[0], "ready"))
		*rp = ACD_EMPTY_READY;
	else
		return scenario_err(p, "%s: unknown rule \"%s\"; expected "
				    "allow, logged-in or ready", key,
				    scenario_echo(e, &tv[0]));
	return 0;
}

static int strategy(struct scenario_parser *p, const struct scenario_tok *t,
		    enum acd_strategy *sp)
{
	char name[SIM_NAME_MAX + 1], e[SCENARIO_ECHO_MAX + 4], list[256] = "";
	size_t off = 0;

	if (t->l <= SIM_NAME_MAX) {
		memcpy(name, t->p, t->l);
		name[t->l] = '\0';
		if (!acd_strategy_parse(name, sp))
			return 0;
	}
	for (int i = 0; i < ACD_STRAT_COUNT && off < sizeof(list); i++) {
		int n = re_snprintf(list + off, sizeof(list) - off, "%s%s",
				    i ? ", " : "",
				    acd_strategy_name((enum acd_strategy)i));

		if (n < 0)
			break;
		off += (size_t)n;
	}
	return scenario_err(p, "unknown strategy \"%s\"; expected one of: %s",
			    scenario_echo(e, t), list);
}

static int queue_type(struct scenario_parser *p, const struct scenario_tok *tv,
		      unsigned n)
{
	struct sim_type t;
	double share, prio;
	bool neg;
	struct scenario_tok pt;
	int err;

	memset(&t, 0, sizeof(t));
	if (n < 3 || n > 3 + ACD_REQ_MAX)
		return scenario_err(p, "type: expected NAME SHARE PRIORITY "
				    "[SKILL:LEVEL ...] with at most %d skills",
				    ACD_REQ_MAX);
	if (scenario_name(p, &tv[0], t.name, "type"))
		return EINVAL;
	if (scenario_num(p, &tv[1], 1e-6, 1e6, "type share", &share))
		return EINVAL;
	pt = tv[2];
	neg = pt.l > 1 && pt.p[0] == '-';
	if (neg) {
		pt.p++;
		pt.l--;
	}
	if (scenario_num(p, &pt, 0, neg ? -(double)ACD_PRIO_MIN :
			 ACD_PRIO_MAX, "type priority", &prio) ||
	    prio != floor(prio))
		return scenario_err(p, "type \"%s\": priority must be an "
				    "integer %d .. %d", t.name, ACD_PRIO_MIN,
				    ACD_PRIO_MAX);
	t.share = share;
	t.priority = (int32_t)(neg ? -prio : prio);
	t.line = p->line;
	for (unsigned i = 3; i < n; i++) {
		struct sim_ref *r = &t.req[t.nreq];
		long lv;

		if (scenario_pair(p, &tv[i], "skill", r->name, ACD_LEVEL_MIN,
				  ACD_LEVEL_MAX, -1, &lv))
			return EINVAL;
		for (unsigned k = 0; k < t.nreq; k++)
			if (!strcmp(t.req[k].name, r->name))
				return scenario_err(p, "type \"%s\": skill "
						    "\"%s\" twice", t.name,
						    r->name);
		r->value = (uint8_t)lv;
		r->line = p->line;
		t.nreq++;
	}
	err = sim_type_add(p->q, &t);
	if (err == EEXIST)
		return scenario_err(p, "type \"%s\" defined twice", t.name);
	if (err == ENOSPC)
		return scenario_err(p, "more than %d types", SIM_TYPE_MAX);
	if (err)
		return scenario_err(p, "type \"%s\": cannot add (error %d)",
				    t.name, err);
	return 0;
}

static int queue_relax(struct scenario_parser *p,
		       const struct scenario_tok *tv, unsigned n)
{
	struct sim_relax *r;
	long lv;

	if (scenario_want(p, "relax", n, 2, 2))
		return EINVAL;
	if (p->q->nrelax >= ACD_RELAX_MAX)
		return scenario_err(p, "more than %d relax rules",
				    ACD_RELAX_MAX);
	r = &p->q->relax[p->q->nrelax];
	memset(r, 0, sizeof(*r));
	if (scenario_dur(p, &tv[0], 1.0, SIM_DUR_MAX, "relax", &r->after_s))
		return EINVAL;
	if (tv[1].l >= 2 && tv[1].p[0] == '*' && tv[1].p[1] == ':') {
		struct scenario_tok lvt = {tv[1].p + 2, tv[1].l - 2};
		uint32_t v;

		if (scenario_uint(p, &lvt, 0, ACD_LEVEL_MAX, "relax level",
				  &v))
			return EINVAL;
		str_ncpy(r->skill.name, "*", sizeof(r->skill.name));
		lv = v;
	}
	else if (scenario_pair(p, &tv[1], "skill", r->skill.name, 0,
			       ACD_LEVEL_MAX, -1, &lv)) {
		return EINVAL;
	}
	r->skill.value = (uint8_t)lv;
	r->skill.line = p->line;
	p->q->nrelax++;
	return 0;
}

int scenario_key_sim(struct scenario_parser *p, const char *key,
		     const struct scenario_tok *tv, unsigned n)
{
	struct sim_conf *c = p->conf;
	char e[SCENARIO_ECHO_MAX + 4];
	uint64_t s = 0;
	uint32_t v;

	if (scenario_want(p, key, n, 1, 1))
		return EINVAL;
	if (!strcmp(key, "hours")) {
		if (scenario_once(p, 0, key) ||
		    scenario_num(p, &tv[0], 1e-3, SIM_HOURS_MAX, key,
				 &c->hours))
			return EINVAL;
		return 0;
	}
	if (!strcmp(key, "warmup")) {
		if (scenario_once(p, 1, key) ||
		    scenario_num(p, &tv[0], 0, SIM_HOURS_MAX, key,
				 &c->warmup_h))
			return EINVAL;
		return 0;
	}
	if (!strcmp(key, "batches")) {
		if (scenario_once(p, 2, key) ||
		    scenario_uint(p, &tv[0], SIM_BATCH_MIN, SIM_BATCH_MAX, key,
				  &v))
			return EINVAL;
		c->batches = v;
		return 0;
	}
	if (strcmp(key, "seed"))
		return scenario_err(p, "unknown key \"%s\"; expected hours, "
				    "warmup, seed or batches", key);
	if (scenario_once(p, 3, key))
		return EINVAL;
	if (!tv[0].l || tv[0].l > 20)
		goto badseed;
	for (size_t i = 0; i < tv[0].l; i++) {
		unsigned d = (unsigned)(tv[0].p[i] - '0');

		if (d > 9 || s > (UINT64_MAX - d) / 10)
			goto badseed;
		s = s * 10 + d;
	}
	c->seed = s;
	return 0;
 badseed:
	return scenario_err(p, "seed: bad number \"%s\"; expected 0 .. "
			    "18446744073709551615", scenario_echo(e, &tv[0]));
}

static int queue_calls(struct scenario_parser *p,
		       const struct scenario_tok *tv, unsigned n)
{
	struct sim_queue *q = p->q;

	if (n != 3 || !scenario_tok_is(&tv[1], "per"))
		return scenario_err(p, "calls: expected N per DURATION, e.g. "
				    "360 per 1800");
	if (scenario_num(p, &tv[0], 0, SIM_CALLS_MAX, "calls", &q->calls) ||
	    scenario_dur(p, &tv[2], 1.0, SIM_DUR_MAX, "calls", &q->interval_s))
		return EINVAL;
	if (q->interval_s < 1e-3)
		return scenario_err(p, "calls: the interval must be above 0");
	return 0;
}

static int queue_handle(struct scenario_parser *p,
			const struct scenario_tok *tv, unsigned n)
{
	struct sim_queue *q = p->q;
	char e[SCENARIO_ECHO_MAX + 4];

	if (scenario_want(p, "handle", n, 1, 2))
		return EINVAL;
	if (scenario_tok_is(&tv[0], "lognormal")) {
		if (n != 2)
			return scenario_err(p, "handle: lognormal needs its "
					    "standard deviation, e.g. "
					    "lognormal 120");
		if (scenario_dur(p, &tv[1], 1.0, SIM_DUR_MAX, "handle",
			&q->handle_sd_s))
			return EINVAL;
		if (!(q->handle_sd_s > 0))
			return scenario_err(p, "handle: the standard "
					    "deviation must be above 0");
		q->handle = SIM_DIST_LOGNORMAL;
		return 0;
	}
	if (n != 1)
		return scenario_err(p, "handle: only lognormal takes a value");
	if (scenario_tok_is(&tv[0], "exp"))
		q->handle = SIM_DIST_EXP;
	else if (scenario_tok_is(&tv[0], "fixed"))
		q->handle = SIM_DIST_FIXED;
	else
		return scenario_err(p, "handle: unknown distribution \"%s\"; "
				    "expected exp, lognormal SD or fixed",
				    scenario_echo(e, &tv[0]));
	return 0;
}

static int queue_sl(struct scenario_parser *p, const struct scenario_tok *t)
{
	struct acd_queue_conf *a = &p->q->acd;
	struct scenario_tok pc = *t, tt = {NULL, 0};
	uint32_t v;
	double s;

	for (size_t i = 0; i < pc.l; i++) {
		if (pc.p[i] == '/') {
			tt.p = pc.p + i + 1;
			tt.l = pc.l - i - 1;
			pc.l = i;
			break;
		}
	}
	if (!tt.p)
		return scenario_err(p, "sl: expected PERCENT/SECONDS, e.g. "
				    "80/20");
	if (scenario_uint(p, &pc, 1, 100, "sl percent", &v) ||
	    scenario_dur(p, &tt, 1.0, SIM_DUR_MAX, "sl target", &s))
		return EINVAL;
	a->sl_percent = (uint8_t)v;
	a->sl_target_ms = scenario_ms(s);
	return 0;
}

/* Keys of a queue that take one duration, and where it goes. */
static int queue_dur(struct scenario_parser *p, const char *key,
		     const struct scenario_tok *t)
{
	struct sim_queue *q = p->q;
	struct acd_queue_conf *a = &q->acd;
	static const char *names[] = {
		"aht", "patience", "wrapup", "max-wait", "offer-timeout",
		"missed-delay", "aging"
	};
	unsigned i;
	double s;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return scenario_err(p, "unknown key \"%s\"", key);
	if (scenario_once(p, 16 + i, key) ||
	    scenario_dur(p, t, 1.0, SIM_DUR_MAX, key, &s))
		return EINVAL;
	switch (i) {
	case 0:
		if (s < 1e-3)
			return scenario_err(p, "aht: must be above 0");
		q->aht_s = s;
		break;
	case 1: q->patience_s = s; break;
	case 2: a->wrapup_ms = scenario_ms(s); break;
	case 3: a->max_wait_ms = scenario_ms(s); break;
	case 4: a->offer_timeout_ms = scenario_ms(s); break;
	case 5: a->missed_delay_ms = scenario_ms(s); break;
	default: a->aging_ms = scenario_ms(s); break;
	}
	return 0;
}

int scenario_key_queue(struct scenario_parser *p, const char *key,
		       const struct scenario_tok *tv, unsigned n)
{
	struct acd_queue_conf *a = &p->q->acd;
	char e[SCENARIO_ECHO_MAX + 4];
	uint32_t v;

	if (!strcmp(key, "type"))
		return queue_type(p, tv, n);
	if (!strcmp(key, "relax"))
		return queue_relax(p, tv, n);
	if (!strcmp(key, "calls"))
		return scenario_once(p, 0, key) ? EINVAL :
			queue_calls(p, tv, n);
	if (!strcmp(key, "handle"))
		return scenario_once(p, 1, key) ? EINVAL :
			queue_handle(p, tv, n);
	if (!strcmp(key, "overflow"))
		return scenario_once(p, 2, key) ? EINVAL :
			overflow_action(p, key, tv, n, &a->overflow);
	if (!strcmp(key, "empty-action")) {
		if (scenario_once(p, 3, key) ||
		    overflow_action(p, key, tv, n, &a->empty_action))
			return EINVAL;
		if (a->empty_action == ACD_OVF_NONE)
			return scenario_err(p, "empty-action: \"none\" is not "
					    "an action here");
		return 0;
	}
	if (!strcmp(key, "join"))
		return scenario_once(p, 4, key) ? EINVAL :
			empty_rule(p, key, tv, n, &a->join);
	if (!strcmp(key, "leave"))
		return scenario_once(p, 5, key) ? EINVAL :
			empty_rule(p, key, tv, n, &a->leave);
	if (scenario_want(p, key, n, 1, 1))
		return EINVAL;
	if (!strcmp(key, "strategy"))
		return scenario_once(p, 6, key) ? EINVAL :
			strategy(p, &tv[0], &a->strategy);
	if (!strcmp(key, "sl"))
		return scenario_once(p, 7, key) ? EINVAL : queue_sl(p, &tv[0]);
	if (!strcmp(key, "skill-match")) {
		if (scenario_once(p, 8, key))
			return EINVAL;
		if (scenario_tok_is(&tv[0], "yes"))
			a->skill_match = true;
		else if (scenario_tok_is(&tv[0], "no"))
			a->skill_match = false;
		else
			return scenario_err(p, "skill-match: expected yes or "
					    "no, not \"%s\"",
					    scenario_echo(e, &tv[0]));
		return 0;
	}
	if (!strcmp(key, "max-waiting")) {
		if (scenario_once(p, 9, key) ||
		    scenario_uint(p, &tv[0], 0, 10000000, key, &v))
			return EINVAL;
		a->max_waiting = v;
		return 0;
	}
	return queue_dur(p, key, &tv[0]);
}

static int refs(struct scenario_parser *p, const char *key,
		const struct scenario_tok *tv, unsigned n, bool queues)
{
	struct sim_agents *g = p->g;

	if (!n)
		return scenario_err(p, "%s: expected at least one value", key);
	for (unsigned i = 0; i < n; i++) {
		char name[SIM_NAME_MAX + 1];
		long v;
		int err;

		if (queues)
			err = scenario_pair(p, &tv[i], "queue", name, 1, 255,
					    1, &v);
		else
			err = scenario_pair(p, &tv[i], "skill", name,
					    ACD_LEVEL_MIN, ACD_LEVEL_MAX, -1,
					    &v);
		if (err)
			return EINVAL;
		if (queues)
			err = sim_agents_queue(g, name, (uint8_t)v);
		else
			err = sim_agents_skill(g, name, (uint8_t)v);
		if (err == EEXIST)
			return scenario_err(p, "%s: \"%s\" twice", key, name);
		if (err == ENOSPC)
			return scenario_err(p, "%s: more than %d", key,
					    queues ? SIM_MEMBER_MAX :
					    SIM_GSKILL_MAX);
		if (err)
			return scenario_err(p, "%s: \"%s\": cannot add (error "
					    "%d)", key, name, err);
		if (queues)
			g->queues[g->nqueues - 1].line = p->line;
		else
			g->skills[g->nskills - 1].line = p->line;
	}
	return 0;
}

static int agents_shift(struct scenario_parser *p,
			const struct scenario_tok *t)
{
	struct sim_agents *g = p->g;
	struct scenario_tok a = *t, b = {NULL, 0};
	const double hi = SIM_HOURS_MAX * 3600.0;

	if (scenario_tok_is(t, "all")) {
		g->shift_start_s = g->shift_end_s = 0;
		return 0;
	}
	for (size_t i = 0; i < a.l; i++) {
		if (a.p[i] == '-') {
			b.p = a.p + i + 1;
			b.l = a.l - i - 1;
			a.l = i;
			break;
		}
	}
	if (!b.p)
		return scenario_err(p, "shift: expected START-END in hours "
				    "(or with s, m, h), e.g. 0-8h, or all");
	if (scenario_dur(p, &a, 3600.0, hi, "shift", &g->shift_start_s) ||
	    scenario_dur(p, &b, 3600.0, hi, "shift", &g->shift_end_s))
		return EINVAL;
	if (!(g->shift_end_s > g->shift_start_s))
		return scenario_err(p, "shift: must end after it starts");
	return 0;
}

int scenario_key_agents(struct scenario_parser *p, const char *key,
			const struct scenario_tok *tv, unsigned n)
{
	struct sim_agents *g = p->g;

	if (!strcmp(key, "queues"))
		return scenario_once(p, 0, key) ? EINVAL :
			refs(p, key, tv, n, true);
	if (!strcmp(key, "skills"))
		return scenario_once(p, 1, key) ? EINVAL :
			refs(p, key, tv, n, false);
	if (scenario_want(p, key, n, 1, 1))
		return EINVAL;
	if (!strcmp(key, "count"))
		return scenario_once(p, 2, key) ? EINVAL :
			scenario_uint(p, &tv[0], 1, SIM_AGENT_MAX, key,
				      &g->count);
	if (!strcmp(key, "first"))
		return scenario_once(p, 3, key) ? EINVAL :
			scenario_uint(p, &tv[0], 0, 999999999, key, &g->first);
	if (!strcmp(key, "ring"))
		return scenario_once(p, 4, key) ? EINVAL :
			scenario_dur(p, &tv[0], 1.0, SIM_DUR_MAX, key,
				     &g->ring_s);
	if (!strcmp(key, "shift"))
		return scenario_once(p, 5, key) ? EINVAL :
			agents_shift(p, &tv[0]);
	if (!strcmp(key, "max-missed")) {
		uint32_t v;

		if (scenario_once(p, 6, key) ||
		    scenario_uint(p, &tv[0], 0, UINT16_MAX, key, &v))
			return EINVAL;
		g->acd.max_missed = (uint16_t)v;
		return 0;
	}
	return scenario_err(p, "unknown key \"%s\"; expected count, first, "
			    "queues, skills, shift, ring or max-missed", key);
}
