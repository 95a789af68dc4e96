/* sim/measure.c  The books of a run: what callers got, what agents did.
 *
 * Contacts count in the queue and batch of their arrival, once, when
 * their first outcome comes (answered, or gone unanswered); agent time is
 * integrated per agent when its state changes, clipped to the measured
 * period and split at batch boundaries, into the agent, the batch's
 * all-queues row, each of the agent's queues (staffed time) and the queue
 * of its latest offer (busy time).  sim_int.h says what each sum means.
 *
 * O(1) per contact; O(queues of the agent + batches spanned) per agent
 * state change.
 */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/run.h"

uint32_t measure_batch(const struct sim *s, int64_t t)
{
	int64_t b = (t - s->warm_us) / s->batch_us;

	if (b < 0)
		return 0;
	return b >= (int64_t)s->acc->nb ? s->acc->nb - 1 : (uint32_t)b;
}

struct sim_batch *measure_row(struct sim *s, unsigned q, uint32_t b)
{
	return &s->acc->b[(size_t)q * s->acc->nb + b];
}

static bool state_staffed(enum acd_agent_state st)
{
	return st != ACD_AGENT_LOGGED_OUT && st != ACD_AGENT_NOT_READY;
}

static bool state_busy(enum acd_agent_state st)
{
	return st == ACD_AGENT_OFFERED || st == ACD_AGENT_BUSY ||
		st == ACD_AGENT_WRAPUP;
}

/* Close the agent's current state interval at t, counting its measured
 * part into the agent, its queues and the batches it spans. */
void measure_agent_close(struct sim *s, uint32_t ai, int64_t t)
{
	struct agent *ag = &s->ag[ai];
	int64_t t0 = ag->since > s->warm_us ? ag->since : s->warm_us;
	int64_t t1 = t < s->end_us ? t : s->end_us;
	bool busy = state_busy(ag->st);
	const uint32_t *mq = &s->agq[s->agq_off[ag->group]];
	unsigned nmq = ag->g->nqueues;
	struct sim_aacc *aa = &s->acc->a[ai];

	ag->since = t;
	if (t1 <= t0 || !state_staffed(ag->st))
		return;
	aa->staffed_s += (double)(t1 - t0) / US;
	if (busy)
		aa->busy_s += (double)(t1 - t0) / US;
	for (uint32_t b = measure_batch(s, t0); t0 < t1; b++) {
		int64_t bend = s->warm_us + (int64_t)(b + 1) * s->batch_us;
		double seg;

		if (b + 1 >= s->acc->nb || bend > t1)
			bend = t1;
		seg = (double)(bend - t0) / US;
		measure_row(s, s->nq, b)->staffed_s += seg;
		if (busy) {
			measure_row(s, s->nq, b)->busy_s += seg;
			if (ag->work_q >= 0)
				measure_row(s, (unsigned)ag->work_q,
					    b)->busy_s += seg;
		}
		for (unsigned k = 0; k < nmq; k++)
			measure_row(s, mq[k], b)->staffed_s += seg;
		t0 = bend;
	}
}

/* A measured contact's first outcome: answered, or gone unanswered. */
void measure_resolve(struct sim *s, struct slot *sl, bool answered,
		    bool abandoned)
{
	struct sim_batch *bq = measure_row(s, sl->q, sl->batch);
	struct sim_batch *ba = measure_row(s, s->nq, sl->batch);
	struct sim_qacc *qa = &s->acc->q[sl->q], *all = &s->acc->q[s->nq];
	struct sim_tacc *ta = &s->acc->t[s->acc->toff[sl->q] + sl->type];
	bool waited = !sl->immediate;

	if (!sl->measured)
		return;
	if (waited) {
		bq->waited += 1;
		ba->waited += 1;
		qa->waited++;
		all->waited++;
	}
	if (answered) {
		int64_t w = sl->answered - sl->arrived;
		double ws = (double)w / US;
		bool in_sl = w <= s->q[sl->q].sl_us;

		bq->answered += 1;
		ba->answered += 1;
		bq->wait_s += ws;
		ba->wait_s += ws;
		qa->answered++;
		all->answered++;
		ta->answered++;
		ta->wait_s += ws;
		if (in_sl) {
			bq->in_sl += 1;
			ba->in_sl += 1;
			qa->in_sl++;
			all->in_sl++;
			ta->in_sl++;
		}
		s->acc->a[sl->agent].answered++;
		if (sl->ewt_us >= 0) {
			double e = (double)(w - sl->ewt_us) / US;

			qa->ewt_n++;
			qa->ewt_err_s += e;
			qa->ewt_abs_s += fabs(e);
			all->ewt_n++;
			all->ewt_err_s += e;
			all->ewt_abs_s += fabs(e);
		}
	}
	else if (abandoned) {
		bq->abandoned += 1;
		ba->abandoned += 1;
		qa->abandoned++;
		all->abandoned++;
		ta->abandoned++;
	}
}
