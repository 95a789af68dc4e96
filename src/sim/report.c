/* sim/report.c  From a run's books (sim_int.h) to a struct sim_report.
 *
 * Every rate is a ratio estimate over the batches with its 99% interval
 * (stats.c).  Per-type and per-agent figures are plain totals.  A queue
 * gets the Erlang prediction (acd/erlang.h) when the run fits the model:
 * Poisson arrivals (always), exponential talk time, no wrap-up, one class
 * of contacts, no queue rule that removes or refuses callers, and agents
 * that serve this queue only, answer at once and are on shift the whole
 * run.  With patience the model is Erlang A, otherwise Erlang C.
 *
 * O(queues x batches + agents).
 */

#include <errno.h>
#include <math.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"
#include "sim/sim_int.h"
#include "sim/stats.h"

static void report_destructor(void *arg)
{
	struct sim_report *r = arg;

	for (unsigned i = 0; i < r->nqueues; i++)
		mem_deref(r->queues[i].types);
	mem_deref(r->queues);
	mem_deref(r->groups);
	mem_deref(r->agents);
}

static double ratio(double y, double x)
{
	return x > 0 ? y / x : NAN;
}

/* The five interval estimates of one row (a queue, or nq: all). */
static void row_cis(const struct sim_acc *acc, unsigned row, double *y,
		    double *x, struct sim_ci *p_wait, struct sim_ci *asa,
		    struct sim_ci *sl, struct sim_ci *p_ab, struct sim_ci *occ)
{
	const struct sim_batch *b = &acc->b[(size_t)row * acc->nb];
	unsigned n = acc->nb;

	for (unsigned i = 0; i < n; i++) {
		y[i] = b[i].waited;
		x[i] = b[i].arrivals;
	}
	stats_ratio(p_wait, y, x, n);
	for (unsigned i = 0; i < n; i++)
		y[i] = b[i].in_sl;
	stats_ratio(sl, y, x, n);
	for (unsigned i = 0; i < n; i++)
		y[i] = b[i].abandoned;
	stats_ratio(p_ab, y, x, n);
	for (unsigned i = 0; i < n; i++) {
		y[i] = b[i].wait_s;
		x[i] = b[i].answered;
	}
	stats_ratio(asa, y, x, n);
	for (unsigned i = 0; i < n; i++) {
		y[i] = b[i].busy_s;
		x[i] = b[i].staffed_s;
	}
	stats_ratio(occ, y, x, n);
}

static bool group_serves(const struct sim_agents *g, unsigned qi)
{
	for (unsigned k = 0; k < g->nqueues; k++)
		if (g->queues[k].idx == qi)
			return true;
	return false;
}

static void theory(const struct sim_conf *c, unsigned qi,
		   struct sim_queue_report *qr)
{
	const struct sim_queue *q = c->queues[qi];
	const struct acd_queue_conf *a = &q->acd;
	double end_s = (c->warmup_h + c->hours) * 3600.0;
	struct erlang_in in;
	unsigned n = 0;

	if (!(q->calls > 0) || q->handle != SIM_DIST_EXP || a->wrapup_ms ||
	    q->ntypes > 1 || (q->ntypes == 1 && q->types[0].nreq) ||
	    a->max_wait_ms || a->max_waiting || a->offer_timeout_ms ||
	    a->join != ACD_EMPTY_ALLOW || a->leave != ACD_EMPTY_ALLOW)
		return;
	for (unsigned gi = 0; gi < c->ngroups; gi++) {
		const struct sim_agents *g = c->groups[gi];
		bool other = false;

		if (!group_serves(g, qi))
			continue;
		for (unsigned k = 0; k < g->nqueues; k++)
			other |= g->queues[k].idx != qi;
		if (other || g->ring_s > 0 || g->shift_start_s > 0 ||
		    (g->shift_end_s > 0 && g->shift_end_s < end_s))
			return;
		n += g->count;
	}
	for (unsigned k = 0; k < c->nqueues; k++)
		if (k != qi && c->queues[k]->overflow_idx == qi)
			return;    /* callers arrive from elsewhere too */
	memset(&in, 0, sizeof(in));
	in.calls = q->calls;
	in.interval_s = q->interval_s;
	in.aht_s = q->aht_s;
	in.sl_target_s = a->sl_target_ms / 1000.0;
	in.patience_s = q->patience_s;
	if (!n || erlang_eval(&qr->theory, &in, n))
		return;
	qr->has_theory = true;
	qr->erlang_a = q->patience_s > 0;
}

static int queues_build(struct sim_report *r, const struct sim_conf *c,
			const struct sim_acc *acc, double *y, double *x)
{
	double meas_s = c->hours * 3600.0;

	r->queues = mem_zalloc(c->nqueues * sizeof(*r->queues), NULL);
	if (!r->queues)
		return ENOMEM;
	r->nqueues = c->nqueues;
	for (unsigned i = 0; i < c->nqueues; i++) {
		const struct sim_queue *q = c->queues[i];
		const struct sim_qacc *qa = &acc->q[i];
		struct sim_queue_report *qr = &r->queues[i];
		const struct sim_batch *b = &acc->b[(size_t)i * acc->nb];
		double busy = 0;

		str_ncpy(qr->name, q->name, sizeof(qr->name));
		for (unsigned gi = 0; gi < c->ngroups; gi++)
			if (group_serves(c->groups[gi], i))
				qr->agents += c->groups[gi]->count;
		qr->sl_target_s = q->acd.sl_target_ms / 1000.0;
		qr->sl_goal = q->acd.sl_percent;
		qr->arrivals = qa->arrivals;
		qr->answered = qa->answered;
		qr->answered_in_sl = qa->in_sl;
		qr->waited = qa->waited;
		qr->abandoned = qa->abandoned;
		qr->overflowed = qa->overflowed;
		qr->unfinished = qa->unfinished;
		qr->completed = qa->completed;
		qr->ewt_n = qa->ewt_n;
		qr->ewt_bias_s = ratio(qa->ewt_err_s, (double)qa->ewt_n);
		qr->ewt_mae_s = ratio(qa->ewt_abs_s, (double)qa->ewt_n);
		row_cis(acc, i, y, x, &qr->p_wait, &qr->asa_s, &qr->sl,
			&qr->p_abandon, &qr->occupancy);
		qr->talk_s = ratio(qa->talk_s, (double)qa->completed);
		qr->wrap_s = ratio(qa->wrap_s, (double)qa->completed);
		qr->aht_s = qr->talk_s + qr->wrap_s;
		qr->offered_erl = qa->completed ?
			(double)qa->arrivals / meas_s * qr->aht_s : 0;
		for (unsigned k = 0; k < acc->nb; k++)
			busy += b[k].busy_s;
		qr->carried_erl = busy / meas_s;
		theory(c, i, qr);

		if (!q->ntypes)
			continue;
		qr->types = mem_zalloc(q->ntypes * sizeof(*qr->types), NULL);
		if (!qr->types)
			return ENOMEM;
		qr->ntypes = q->ntypes;
		for (unsigned k = 0; k < q->ntypes; k++) {
			const struct sim_tacc *ta = &acc->t[acc->toff[i] + k];
			struct sim_type_report *tr = &qr->types[k];

			str_ncpy(tr->name, q->types[k].name, sizeof(tr->name));
			tr->arrivals = ta->arrivals;
			tr->answered = ta->answered;
			tr->answered_in_sl = ta->in_sl;
			tr->abandoned = ta->abandoned;
			tr->asa_s = ratio(ta->wait_s, (double)ta->answered);
			tr->sl = ratio((double)ta->in_sl,
				       (double)ta->arrivals);
			tr->p_abandon = ratio((double)ta->abandoned,
					      (double)ta->arrivals);
		}
	}
	return 0;
}

static int agents_build(struct sim_report *r, const struct sim_conf *c,
			const struct sim_acc *acc)
{
	unsigned ai = 0;

	r->groups = mem_zalloc(c->ngroups * sizeof(*r->groups), NULL);
	r->agents = mem_zalloc((acc->na ? acc->na : 1) * sizeof(*r->agents),
			       NULL);
	if (!r->groups || !r->agents)
		return ENOMEM;
	r->ngroups = c->ngroups;
	r->nagents = acc->na;
	for (unsigned gi = 0; gi < c->ngroups; gi++) {
		const struct sim_agents *g = c->groups[gi];
		struct sim_group_report *gr = &r->groups[gi];
		double busy = 0, staffed = 0, handle = 0;
		uint64_t completed = 0;

		if (g->prefix[0])
			str_ncpy(gr->name, g->prefix, sizeof(gr->name));
		else       /* unnamed: by its ids, 1001-1042 */
			(void)re_snprintf(gr->name, sizeof(gr->name),
					  "%u-%u", g->first,
					  g->first + g->count - 1);
		gr->count = g->count;
		gr->occ_min = NAN;
		gr->occ_max = NAN;
		for (uint32_t n = 0; n < g->count; n++, ai++) {
			const struct sim_aacc *aa = &acc->a[ai];
			struct sim_agent_report *ar = &r->agents[ai];

			(void)re_snprintf(ar->id, sizeof(ar->id), "%s%u",
					  g->prefix, g->first + n);
			ar->group = gi;
			ar->answered = aa->answered;
			ar->staffed_s = aa->staffed_s;
			ar->occupancy = ratio(aa->busy_s, aa->staffed_s);
			ar->aht_s = ratio(aa->talk_s + aa->wrap_s,
					  (double)aa->completed);
			gr->answered += aa->answered;
			busy += aa->busy_s;
			staffed += aa->staffed_s;
			handle += aa->talk_s + aa->wrap_s;
			completed += aa->completed;
			if (isnan(ar->occupancy))
				continue;
			if (isnan(gr->occ_min) || ar->occupancy < gr->occ_min)
				gr->occ_min = ar->occupancy;
			if (isnan(gr->occ_max) || ar->occupancy > gr->occ_max)
				gr->occ_max = ar->occupancy;
		}
		gr->occupancy = ratio(busy, staffed);
		gr->aht_s = ratio(handle, (double)completed);
	}
	return 0;
}

/**
 * Build the report of a finished run.
 *
 * @return 0 and *rp, or ENOMEM
 */
int report_build(struct sim_report **rp, const struct sim_conf *c,
		 const struct sim_acc *acc)
{
	struct sim_report *r;
	double *y, *x;
	int err;

	r = mem_zalloc(sizeof(*r), report_destructor);
	y = mem_zalloc(2 * acc->nb * sizeof(*y), NULL);
	if (!r || !y) {
		mem_deref(r);
		mem_deref(y);
		return ENOMEM;
	}
	x = y + acc->nb;
	r->seed = c->seed;
	r->hours = c->hours;
	r->warmup_h = c->warmup_h;
	r->batches = c->batches;
	r->batch_s = acc->batch_s;
	r->end_s = acc->end_s;
	r->cal_events = acc->cal_events;
	r->engine_calls = acc->engine_calls;
	r->engine_events = acc->engine_events;
	r->arrivals = acc->q[acc->nq].arrivals;
	r->unfinished = acc->q[acc->nq].unfinished;
	row_cis(acc, acc->nq, y, x, &r->p_wait, &r->asa_s, &r->sl,
		&r->p_abandon, &r->occupancy);
	err = queues_build(r, c, acc, y, x);
	if (!err)
		err = agents_build(r, c, acc);
	mem_deref(y);
	if (err)
		mem_deref(r);
	else
		*rp = r;
	return err;
}
