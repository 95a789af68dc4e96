/* sim/sim.c  One simulation run: set-up, the calendar loop, and every
 * call into the engine.
 *
 * sim_run() builds a fresh engine from the conf (skills, queues, agents
 * with their memberships), schedules each queue's first arrival and each
 * agent's shift, and loops: pop the soonest calendar event (calendar.h),
 * move the clock there, carry it out with at most one engine call, then
 * ask the engine for its next timer: due now, acd_tick() at once; later,
 * one calendar entry at that time (entries for an earlier due time become
 * stale and are skipped when they come out).
 *
 * Calendar events: a queue's next arrival; a caller's patience running
 * out; an agent answering an offer after its ring delay; a call ending
 * after its talk time; a shift starting or ending; a callback accepted;
 * the engine's timer.  Events that name a contact carry its slot and
 * generation, so an event for a contact that has moved on (answered
 * before its patience ran out, offer withdrawn) is skipped and not
 * counted.  The engine's events come back through events.c, which keeps
 * the simulator's view in step and schedules what follows; measure.c
 * keeps the books.
 *
 * A caller's talk time and patience are drawn at arrival, from the
 * queue's own random streams, so runs that differ only in staffing see
 * the same callers.  Contacts live in a pool of slots (an array grown by
 * doubling, a free list through it) and a contact's engine id is its slot
 * number; agents and queues map back from the engine's pointers through a
 * small open-addressing table: the steady state allocates nothing here.
 *
 * Any failing engine call stops the run with EPROTO and a message saying
 * what, when and on which objects.  After the measured period arrivals
 * stop and the run drains until every measured contact has ended and its
 * wrap-up is over (at most 24 simulated hours more; contacts still
 * unanswered then count as unfinished).
 *
 * Costs per simulated call: about four calendar operations (O(log n) in
 * pending events), three or four engine calls, O(1) bookkeeping.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "libre.h"
#include "sim/run.h"

/* The first failure wins; it stops the run.  libc's vsnprintf for the
 * compiler's format check and %f (libre's truncates). */
int sim_fail(struct sim *s, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (s->err)
		return s->err;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->err = EPROTO;
	if (s->errbuf && s->errsz)
		(void)snprintf(s->errbuf, s->errsz, "at %.6f s: %s",
			       (double)s->now / US, msg);
	return s->err;
}

static const char *engine_msg(const struct sim *s)
{
	const char *m = acd_errmsg(s->acd);

	return m && *m ? m : "(no message)";
}

/* ---- pointer -> index maps (open addressing, fixed after set-up) ---- */

static int ptrmap_init(struct ptrmap *m, uint32_t n)
{
	uint32_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	m->key = mem_zalloc(cap * sizeof(*m->key), NULL);
	m->val = mem_zalloc(cap * sizeof(*m->val), NULL);
	m->mask = cap - 1;
	return m->key && m->val ? 0 : ENOMEM;
}

static void ptrmap_reset(struct ptrmap *m)
{
	m->key = mem_deref(m->key);
	m->val = mem_deref(m->val);
}

static void ptrmap_put(struct ptrmap *m, const void *p, uint32_t v)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	uint32_t i = (uint32_t)((x * 0x9e3779b97f4a7c15ULL) >> 32) & m->mask;

	while (m->key[i] && m->key[i] != p)
		i = (i + 1) & m->mask;
	m->key[i] = p;
	m->val[i] = v;
}

/* ---- contact slots ---- */

static int slot_alloc(struct sim *s, uint32_t *idxp)
{
	uint32_t i;

	if (s->free_slot == NONE) {
		if (s->nslot == s->capslot) {
			uint32_t cap = s->capslot ? s->capslot * 2 : 1024;
			struct slot *v;

			if (s->capslot >= (1u << 30))
				return ENOMEM;
			v = mem_reallocarray(s->slot, cap, sizeof(*v), NULL);
			if (!v)
				return ENOMEM;
			s->slot = v;
			s->capslot = cap;
		}
		memset(&s->slot[s->nslot], 0, sizeof(s->slot[0]));
		s->free_slot = s->nslot++;
		s->slot[s->free_slot].next_free = NONE;
	}
	i = s->free_slot;
	s->free_slot = s->slot[i].next_free;
	*idxp = i;
	return 0;
}

/* Contact id <-> slot: the id is the slot number in decimal. */
static char *slot_id(char buf[12], uint32_t i)
{
	char tmp[12];
	int n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return buf;
}

/* ---- engine calls ---- */

int sim_push(struct sim *s, int64_t t, enum ev_kind k, uint32_t obj,
	     uint32_t gen, uint32_t aux)
{
	int err = calendar_push(&s->cal, t, k, obj, gen, aux);

	if (err && !s->err) {
		s->err = err;
		if (s->errbuf && s->errsz)
			(void)snprintf(s->errbuf, s->errsz, "calendar: out of"
				       " memory");
	}
	return err;
}

static bool do_arrival(struct sim *s, uint32_t qi)
{
	struct qrt *q = &s->q[qi];
	const struct sim_queue *cq = q->cq;
	struct acd_contact_params p;
	struct acd_contact *c = NULL;
	struct slot *sl;
	double talk, pat = 0;
	int64_t gap;
	uint32_t i, type = 0, gen;
	char id[12];
	int err;

	if (s->now >= s->end_us)
		return false;      /* arrivals stop with the measured period */
	gap = (int64_t)llround(rng_exp(&q->arr, q->mean_gap_us));
	(void)sim_push(s, s->now + gap, EV_ARRIVAL, qi, 0, 0);

	/* the caller: always the same draws in the same order */
	if (cq->ntypes > 1) {
		double u = rng_unit(&q->caller) * q->share_sum, acc = 0;

		for (type = 0; type + 1 < cq->ntypes; type++) {
			acc += cq->types[type].share;
			if (u <= acc)
				break;
		}
	}
	switch (cq->handle) {
	case SIM_DIST_LOGNORMAL:
		talk = rng_lognormal(&q->caller, q->mu, q->sigma);
		break;
	case SIM_DIST_FIXED:
		talk = cq->aht_s * US;
		break;
	case SIM_DIST_EXP:
	default:
		talk = rng_exp(&q->caller, cq->aht_s * US);
		break;
	}
	if (cq->patience_s > 0)
		pat = rng_exp(&q->caller, cq->patience_s * US);

	err = slot_alloc(s, &i);
	if (err) {
		s->err = err;
		return true;
	}
	sl = &s->slot[i];
	gen = sl->gen;
	sl->c = NULL;
	sl->arrived = s->now;
	sl->answered = 0;
	sl->talk_us = (int64_t)llround(talk);
	sl->q = (uint16_t)qi;
	sl->type = (uint16_t)type;
	sl->st = SLOT_QUEUED;
	sl->noffers = 0;
	sl->immediate = false;
	sl->callback = false;
	sl->answered_flag = false;
	sl->agent = NONE;
	sl->measured = s->now >= s->warm_us;
	sl->batch = (uint16_t)measure_batch(s, s->now);
	if (sl->measured) {
		struct sim_batch *bq = measure_row(s, qi, sl->batch);

		bq->arrivals += 1;
		measure_row(s, s->nq, sl->batch)->arrivals += 1;
		s->acc->q[qi].arrivals++;
		s->acc->q[s->nq].arrivals++;
		s->acc->t[s->acc->toff[qi] + type].arrivals++;
		s->pending++;
	}

	memset(&p, 0, sizeof(p));
	p.id = slot_id(id, i);
	p.channel = ACD_CH_VOICE;
	if (cq->ntypes) {
		p.priority = cq->types[type].priority;
		p.req = q->req[type];
		p.nreq = cq->types[type].nreq;
	}
	s->enq_slot = i;
	s->acc->engine_calls++;
	err = acd_contact_enqueue(&c, s->acd, q->aq, &p, s->now_ms);
	s->enq_slot = NONE;
	if (err) {
		(void)sim_fail(s, "acd_contact_enqueue(queue \"%s\", contact "
			       "%s) failed: %s: %s", cq->name, id,
			       strerror(err), engine_msg(s));
		return true;
	}
	sl = &s->slot[i];
	if (sl->gen != gen)
		return true;       /* ended inside the call (overflow...) */
	if (!sl->c)
		sl->c = c;
	else if (sl->c != c)
		(void)sim_fail(s, "contact %s: acd_contact_enqueue() returned "
			       "another object than its events named", id);
	sl->ewt_us = -1;
	if (acd_contact_state(c) == ACD_CONTACT_QUEUED) {
		uint64_t ewt_ms;

		/* what a caller would be told on arrival; scored on answer */
		if (!acd_contact_position(c, s->now_ms, NULL, &ewt_ms) &&
		    ewt_ms != UINT64_MAX)
			sl->ewt_us = (int64_t)ewt_ms * 1000;
	}
	if (pat > 0)
		(void)sim_push(s, s->now + (int64_t)llround(pat), EV_ABANDON,
			       i, gen, 0);
	return true;
}

static struct slot *slot_live(struct sim *s, const struct cal_ev *ev)
{
	struct slot *sl = &s->slot[ev->obj];

	return sl->gen == ev->gen && sl->st != SLOT_FREE ? sl : NULL;
}

/* The agent picks up the offer it got ring_s ago, unless that offer was
 * withdrawn or missed meanwhile (even if the same contact was offered to
 * it again since: each offer has its own serial number). */
static bool do_answer(struct sim *s, const struct cal_ev *ev)
{
	struct agent *ag = &s->ag[ev->obj];
	uint32_t si = ag->offer;
	int err;

	if (si == NONE || ag->offer_serial != ev->gen)
		return false;
	s->acc->engine_calls++;
	err = acd_offer_answer(s->slot[si].c, ag->a, s->now_ms);
	if (err)
		(void)sim_fail(s, "acd_offer_answer(contact %u, agent \"%s\") "
			       "failed: %s: %s", si, acd_agent_id(ag->a),
			       strerror(err), engine_msg(s));
	return true;
}

static bool do_end(struct sim *s, const struct cal_ev *ev)
{
	struct slot *sl = slot_live(s, ev);
	int err;

	if (!sl || sl->st != SLOT_CONNECTED)
		return false;
	s->acc->engine_calls++;
	err = acd_contact_end(sl->c, s->now_ms);
	if (err)
		(void)sim_fail(s, "acd_contact_end(contact %u) failed: %s: %s",
			       ev->obj, strerror(err), engine_msg(s));
	return true;
}

static bool do_abandon(struct sim *s, const struct cal_ev *ev)
{
	struct slot *sl = slot_live(s, ev);
	int err;

	if (!sl || sl->callback ||
	    (sl->st != SLOT_QUEUED && sl->st != SLOT_OFFERED))
		return false;      /* answered, or a callback by now */
	s->acc->engine_calls++;
	err = acd_contact_abandon(sl->c, s->now_ms);
	if (err)
		(void)sim_fail(s, "acd_contact_abandon(contact %u) failed: %s:"
			       " %s", ev->obj, strerror(err), engine_msg(s));
	return true;
}

static bool do_callback(struct sim *s, const struct cal_ev *ev)
{
	struct slot *sl = slot_live(s, ev);
	int err;

	if (!sl || sl->callback ||
	    (sl->st != SLOT_QUEUED && sl->st != SLOT_OFFERED))
		return false;
	s->acc->engine_calls++;
	err = acd_contact_callback(sl->c, s->now_ms);
	if (err)
		(void)sim_fail(s, "acd_contact_callback(contact %u) failed: "
			       "%s: %s", ev->obj, strerror(err),
			       engine_msg(s));
	return true;
}

static void do_shift(struct sim *s, uint32_t ai, bool login)
{
	struct agent *ag = &s->ag[ai];
	int err;

	s->acc->engine_calls++;
	if (login)
		err = acd_agent_login(ag->a, true, s->now_ms);
	else
		err = acd_agent_logout(ag->a, s->now_ms);
	if (err)
		(void)sim_fail(s, "acd_agent_%s(agent \"%s\") failed: %s: %s",
			       login ? "login" : "logout", acd_agent_id(ag->a),
			       strerror(err), engine_msg(s));
}

static void engine_timer(struct sim *s)
{
	uint64_t due = acd_next_timer(s->acd);
	unsigned loops = 0;

	while (due != UINT64_MAX && due <= s->now_ms) {
		int err;

		if (++loops > TICK_LOOP_MAX) {
			(void)sim_fail(s, "acd_next_timer() is still %llu ms "
				       "after %d acd_tick() calls at %llu ms",
				       (unsigned long long)due, TICK_LOOP_MAX,
				       (unsigned long long)s->now_ms);
			return;
		}
		s->acc->engine_calls++;
		err = acd_tick(s->acd, s->now_ms);
		if (err) {
			(void)sim_fail(s, "acd_tick() failed: %s: %s",
				       strerror(err), engine_msg(s));
			return;
		}
		due = acd_next_timer(s->acd);
	}
	if (due == UINT64_MAX || due == s->tmr_due)
		return;
	if (due > (uint64_t)INT64_MAX / 1000) {
		(void)sim_fail(s, "acd_next_timer() returned %llu ms",
			       (unsigned long long)due);
		return;
	}
	s->tmr_due = due;
	(void)sim_push(s, (int64_t)due * 1000, EV_TIMER, 0, 0, 0);
}

/* ---- set-up ---- */

static void acc_destructor(void *arg)
{
	struct sim_acc *acc = arg;

	mem_deref(acc->b);
	mem_deref(acc->q);
	mem_deref(acc->t);
	mem_deref(acc->toff);
	mem_deref(acc->a);
}

static int acc_alloc(struct sim *s, const struct sim_conf *c,
		     unsigned nagents)
{
	struct sim_acc *acc;
	unsigned nt = 0;

	acc = mem_zalloc(sizeof(*acc), acc_destructor);
	if (!acc)
		return ENOMEM;
	s->acc = acc;
	acc->nq = c->nqueues;
	acc->nb = c->batches;
	acc->na = nagents;
	for (unsigned i = 0; i < c->nqueues; i++)
		nt += c->queues[i]->ntypes ? c->queues[i]->ntypes : 1;
	acc->b = mem_zalloc((size_t)(acc->nq + 1) * acc->nb *
			    sizeof(*acc->b), NULL);
	acc->q = mem_zalloc((acc->nq + 1) * sizeof(*acc->q), NULL);
	acc->t = mem_zalloc(nt * sizeof(*acc->t), NULL);
	acc->toff = mem_zalloc(acc->nq * sizeof(*acc->toff), NULL);
	acc->a = mem_zalloc((nagents ? nagents : 1) * sizeof(*acc->a), NULL);
	if (!acc->b || !acc->q || !acc->t || !acc->toff || !acc->a)
		return ENOMEM;
	nt = 0;
	for (unsigned i = 0; i < c->nqueues; i++) {
		acc->toff[i] = nt;
		nt += c->queues[i]->ntypes ? c->queues[i]->ntypes : 1;
	}
	return 0;
}

static int setup_queues(struct sim *s, const struct sim_conf *c)
{
	int err = 0;

	s->q = mem_zalloc(c->nqueues * sizeof(*s->q), NULL);
	if (!s->q)
		return ENOMEM;
	s->nq = c->nqueues;
	for (unsigned i = 0; i < c->nqueues; i++) {
		const struct sim_queue *cq = c->queues[i];
		struct qrt *q = &s->q[i];
		struct acd_queue_conf qc = cq->acd;
		unsigned nt = cq->ntypes ? cq->ntypes : 1;

		q->cq = cq;
		rng_stream(&q->arr, c->seed, 2 * (uint64_t)i + 1);
		rng_stream(&q->caller, c->seed, 2 * (uint64_t)i + 2);
		q->mean_gap_us = cq->calls > 0 ?
			cq->interval_s / cq->calls * US : 0;
		if (cq->handle == SIM_DIST_LOGNORMAL) {
			double m = cq->aht_s * US, sd = cq->handle_sd_s * US;
			double s2 = log(1.0 + (sd * sd) / (m * m));

			q->sigma = sqrt(s2);
			q->mu = log(m) - s2 / 2.0;
		}
		q->sl_us = (int64_t)qc.sl_target_ms * 1000;
		for (unsigned k = 0; k < cq->ntypes; k++)
			q->share_sum += cq->types[k].share;
		q->req = mem_zalloc(nt * sizeof(*q->req), NULL);
		if (!q->req)
			return ENOMEM;
		for (unsigned k = 0; k < cq->ntypes; k++) {
			const struct sim_type *t = &cq->types[k];

			for (unsigned r = 0; r < t->nreq; r++) {
				uint32_t sk = t->req[r].idx;

				q->req[k][r].skill = s->skill_id[sk];
				q->req[k][r].level = t->req[r].value;
			}
		}
		/* overflow targets are set once every queue exists */
		qc.overflow_queue = NULL;
		if (qc.overflow == ACD_OVF_QUEUE)
			qc.overflow = ACD_OVF_NONE;
		if (qc.empty_action == ACD_OVF_QUEUE)
			qc.empty_action = ACD_OVF_DISCONNECT;
		qc.nrelax = cq->nrelax;
		for (unsigned k = 0; k < cq->nrelax; k++) {
			const struct sim_relax *r = &cq->relax[k];

			memset(&qc.relax[k], 0, sizeof(qc.relax[k]));
			qc.relax[k].after_ms =
				(uint32_t)llround(r->after_s * 1000.0);
			qc.relax[k].all = !strcmp(r->skill.name, "*");
			if (!qc.relax[k].all)
				qc.relax[k].skill = s->skill_id[r->skill.idx];
			qc.relax[k].level = r->skill.value;
		}
		err = acd_queue_add(&q->aq, s->acd, cq->name, &qc);
		if (err)
			return sim_fail(s, "acd_queue_add(\"%s\") failed: %s: "
					"%s", cq->name, strerror(err),
					engine_msg(s));
		ptrmap_put(&s->qmap, q->aq, i);
	}
	/* overflow targets, now that every queue exists */
	for (unsigned i = 0; i < c->nqueues; i++) {
		struct acd_queue_conf qc;

		if (c->queues[i]->overflow_idx == UINT32_MAX)
			continue;
		qc = *acd_queue_conf(s->q[i].aq);
		qc.overflow = c->queues[i]->acd.overflow;
		qc.empty_action = c->queues[i]->acd.empty_action;
		qc.overflow_queue = s->q[c->queues[i]->overflow_idx].aq;
		err = acd_queue_conf_set(s->q[i].aq, &qc);
		if (err)
			return sim_fail(s, "acd_queue_conf_set(\"%s\") failed:"
					" %s: %s", c->queues[i]->name,
					strerror(err), engine_msg(s));
	}
	return 0;
}

static int setup_agents(struct sim *s, const struct sim_conf *c)
{
	unsigned ai = 0, nm = 0;
	int err;

	s->agq_off = mem_zalloc(c->ngroups * sizeof(*s->agq_off), NULL);
	for (unsigned gi = 0; gi < c->ngroups; gi++)
		nm += c->groups[gi]->nqueues;
	s->agq = mem_zalloc((nm ? nm : 1) * sizeof(*s->agq), NULL);
	s->ag = mem_zalloc((s->na ? s->na : 1) * sizeof(*s->ag), NULL);
	if (!s->agq_off || !s->agq || !s->ag)
		return ENOMEM;
	nm = 0;
	for (unsigned gi = 0; gi < c->ngroups; gi++) {
		const struct sim_agents *g = c->groups[gi];

		s->agq_off[gi] = nm;
		for (unsigned k = 0; k < g->nqueues; k++)
			s->agq[nm++] = g->queues[k].idx;
	}
	for (unsigned gi = 0; gi < c->ngroups; gi++) {
		const struct sim_agents *g = c->groups[gi];
		int64_t start = (int64_t)llround(g->shift_start_s * US);
		int64_t end = (int64_t)llround(g->shift_end_s * US);

		for (uint32_t n = 0; n < g->count; n++, ai++) {
			struct agent *ag = &s->ag[ai];
			char id[ACD_ID_MAX + 1];

			(void)re_snprintf(id, sizeof(id), "%s%u", g->prefix,
					  g->first + n);
			err = acd_agent_add(&ag->a, s->acd, id, &g->acd);
			if (err)
				return sim_fail(s, "acd_agent_add(\"%s\") "
						"failed: %s: %s", id,
						strerror(err), engine_msg(s));
			ag->g = g;
			ag->group = gi;
			ag->st = ACD_AGENT_LOGGED_OUT;
			ag->ring_us = (int64_t)llround(g->ring_s * US);
			ag->offer = ag->conn = NONE;
			ag->work_q = -1;
			ptrmap_put(&s->amap, ag->a, ai);
			for (unsigned k = 0; k < g->nskills; k++) {
				err = acd_agent_skill_set(ag->a,
					s->skill_id[g->skills[k].idx],
					g->skills[k].value);
				if (err)
					return sim_fail(s, "agent \"%s\": "
						"acd_agent_skill_set(\"%s\") "
						"failed: %s: %s", id,
						g->skills[k].name,
						strerror(err), engine_msg(s));
			}
			for (unsigned k = 0; k < g->nqueues; k++) {
				struct acd_member_conf mc;

				acd_member_conf_init(&mc);
				mc.priority = g->queues[k].value;
				err = acd_member_add(ag->a,
					s->q[g->queues[k].idx].aq, &mc);
				if (err)
					return sim_fail(s, "agent \"%s\": "
						"acd_member_add(\"%s\") "
						"failed: %s: %s", id,
						g->queues[k].name,
						strerror(err), engine_msg(s));
			}
			if (sim_push(s, start, EV_LOGIN, ai, 0, 0))
				return s->err;
			if (end > 0 && sim_push(s, end, EV_LOGOUT, ai, 0, 0))
				return s->err;
		}
	}
	return 0;
}

static int setup(struct sim *s, const struct sim_conf *c)
{
	struct acd_conf ac;
	int err;

	s->conf = c;
	s->enq_slot = NONE;
	s->free_slot = NONE;
	s->tmr_due = UINT64_MAX;
	for (unsigned i = 0; i < c->ngroups; i++)
		s->na += c->groups[i]->count;
	s->warm_us = (int64_t)llround(c->warmup_h * 3600.0 * US);
	s->end_us = s->warm_us + (int64_t)llround(c->hours * 3600.0 * US);
	s->batch_us = (s->end_us - s->warm_us) / c->batches;
	s->stop_us = s->end_us + DRAIN_US;
	if (s->batch_us < 1)
		return sim_fail(s, "batches shorter than 1 us");
	err = acc_alloc(s, c, s->na);
	if (!err)
		err = calendar_init(&s->cal, 2 * s->na + 64);
	if (!err)
		err = ptrmap_init(&s->amap, s->na);
	if (!err)
		err = ptrmap_init(&s->qmap, c->nqueues);
	if (err)
		return err;
	s->acc->batch_s = (double)s->batch_us / US;
	s->skill_id = mem_zalloc((c->nskills ? c->nskills : 1) *
				 sizeof(*s->skill_id), NULL);
	if (!s->skill_id)
		return ENOMEM;

	memset(&ac, 0, sizeof(ac));
	ac.seed = rng_splitmix(&(uint64_t){c->seed});
	err = acd_alloc(&s->acd, &ac, events_handler, s);
	if (err)
		return sim_fail(s, "acd_alloc() failed: %s", strerror(err));
	for (unsigned i = 0; i < c->nskills; i++) {
		err = acd_skill_add(s->acd, c->skills[i], &s->skill_id[i]);
		if (err)
			return sim_fail(s, "acd_skill_add(\"%s\") failed: %s: "
					"%s", c->skills[i], strerror(err),
					engine_msg(s));
	}
	err = setup_queues(s, c);
	if (!err)
		err = setup_agents(s, c);
	if (err)
		return err;
	for (unsigned i = 0; i < s->nq; i++) {
		int64_t t;

		if (!(s->q[i].mean_gap_us > 0))
			continue;
		t = (int64_t)llround(rng_exp(&s->q[i].arr,
					     s->q[i].mean_gap_us));
		if (sim_push(s, t, EV_ARRIVAL, i, 0, 0))
			return s->err;
	}
	return 0;
}

/* ---- the loop ---- */

static void step_check(struct sim *s)
{
	char msg[256] = "";

	if (s->conf->steph(s->acd, msg, sizeof(msg), s->conf->step_arg))
		(void)sim_fail(s, "check after the step failed: %s",
			       msg[0] ? msg : "(no message)");
}

/* Carry out one calendar event; false when it had become pointless. */
static bool step(struct sim *s, const struct cal_ev *ev)
{
	switch (ev->type) {
	case EV_ARRIVAL:  return do_arrival(s, ev->obj);
	case EV_ANSWER:   return do_answer(s, ev);
	case EV_END:      return do_end(s, ev);
	case EV_ABANDON:  return do_abandon(s, ev);
	case EV_CALLBACK: return do_callback(s, ev);
	case EV_LOGIN:    do_shift(s, ev->obj, true); return true;
	case EV_LOGOUT:   do_shift(s, ev->obj, false); return true;
	case EV_TIMER:    s->tmr_due = UINT64_MAX; return true;
	default:          return false;
	}
}

static void run(struct sim *s)
{
	struct cal_ev ev;

	while (!s->err) {
		const struct cal_ev *top = calendar_top(&s->cal);

		if (!top || top->t > s->stop_us ||
		    (top->t >= s->end_us && !s->pending))
			break;
		(void)calendar_pop(&s->cal, &ev);
		if (ev.type == EV_TIMER && (uint64_t)ev.t / 1000 != s->tmr_due)
			continue;  /* the engine's timer moved since */
		s->now = ev.t;
		s->now_ms = (uint64_t)ev.t / 1000;
		/* The engine's clock reaches now first: its timers due by
		 * then fire before anything the simulator does at now (an
		 * offer timing out at the millisecond of its answer is
		 * missed, as the engine would have it anyway). */
		engine_timer(s);
		if (s->err)
			break;
		if (!step(s, &ev))
			continue;
		s->acc->cal_events++;
		if (!s->err)
			engine_timer(s);
		if (!s->err && s->conf->steph)
			step_check(s);
	}
}

/* Close the books: agent time up to now, contacts never answered. */
static void finish(struct sim *s)
{
	int64_t t = s->now > s->end_us ? s->now : s->end_us;

	for (uint32_t i = 0; i < s->na; i++)
		measure_agent_close(s, i, t);
	for (uint32_t i = 0; i < s->nslot; i++) {
		struct slot *sl = &s->slot[i];

		if (sl->st == SLOT_FREE || !sl->measured || sl->answered_flag)
			continue;
		measure_resolve(s, sl, false, false);
		s->acc->q[sl->q].unfinished++;
		s->acc->q[s->nq].unfinished++;
	}
	s->acc->end_s = (double)s->now / US;
}

static void teardown(struct sim *s)
{
	s->closing = true;         /* the engine may report as it goes */
	s->acd = mem_deref(s->acd);
	calendar_reset(&s->cal);
	ptrmap_reset(&s->amap);
	ptrmap_reset(&s->qmap);
	for (unsigned i = 0; s->q && i < s->nq; i++)
		mem_deref(s->q[i].req);
	mem_deref(s->q);
	mem_deref(s->ag);
	mem_deref(s->agq);
	mem_deref(s->agq_off);
	mem_deref(s->slot);
	mem_deref(s->skill_id);
	mem_deref(s->acc);
}

/**
 * Run a simulation.  The conf is checked (names resolved) first; it must
 * not change during the run, and its trace handler, if any, sees every
 * engine event.
 *
 * @return 0 and *reportp (mem_deref it); EINVAL bad conf, message in err;
 *         EPROTO the engine failed a call or contradicted itself, message
 *         in err; ENOMEM
 */
int sim_run(struct sim_report **reportp, struct sim_conf *conf, char *err,
	    size_t errsz)
{
	struct sim s;
	int e;

	if (!reportp || !conf)
		return EINVAL;
	if (err && errsz)
		err[0] = '\0';
	e = sim_conf_check(conf, NULL, err, errsz);
	if (e)
		return e;
	memset(&s, 0, sizeof(s));
	s.errbuf = err;
	s.errsz = errsz;
	e = setup(&s, conf);
	if (!e) {
		run(&s);
		e = s.err;
	}
	if (!e) {
		finish(&s);
		e = report_build(reportp, conf, s.acc);
	}
	if (e == ENOMEM && err && errsz && !err[0])
		str_ncpy(err, "out of memory", errsz);
	teardown(&s);
	return e;
}
