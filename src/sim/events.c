/* sim/events.c  The engine's events, as the simulator sees them.
 *
 * The handler keeps the simulator's view of every contact (queued,
 * offered, connected, ended) and agent (state, the contact offered or
 * connected, an open wrap-up) in step with the engine, schedules what
 * follows (an offer schedules the answer after the agent's ring delay, an
 * answer the end after the talk time, a callback offer its acceptance)
 * and feeds the books (measure.c).  It never calls into the engine.
 *
 * It also holds the engine to its word: an agent offered a second contact
 * while it has one, an answer without a pending offer, a state change
 * from a state the agent was not in, a contact ended twice or named by an
 * id the simulator never gave, events for a contact after its end.  Each
 * stops the run through sim_fail() with what happened, when and to whom.
 *
 * A contact's engine id is its slot number: parsing it maps an event back
 * in O(digits).  Agents and queues map through a pointer table.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "sim/run.h"

static void slot_free(struct sim *s, uint32_t i)
{
	struct slot *sl = &s->slot[i];

	sl->gen++;
	sl->st = SLOT_FREE;
	sl->c = NULL;
	sl->next_free = s->free_slot;
	s->free_slot = i;
}

static uint32_t contact_slot(struct sim *s, const struct acd_contact *c)
{
	const char *id = acd_contact_id(c);
	uint64_t v = 0;
	size_t i;

	if (!id || !id[0])
		goto bad;
	for (i = 0; id[i]; i++) {
		if (id[i] < '0' || id[i] > '9' || i >= 10)
			goto bad;
		v = v * 10 + (uint64_t)(id[i] - '0');
	}
	if (v >= s->nslot)
		goto bad;
	return (uint32_t)v;
 bad:
	(void)sim_fail(s, "engine event names contact \"%s\", which the "
		       "simulator never created", id ? id : "(null)");
	return NONE;
}

static uint32_t agent_of(struct sim *s, const struct acd_event *ev)
{
	uint32_t ai = ev->agent ? ptrmap_get(&s->amap, ev->agent) : NONE;

	if (ai == NONE)
		(void)sim_fail(s, "%s event without a known agent",
			       acd_event_name(ev->type));
	return ai;
}

/* The agent's wrap-up is over: WRAPUP_ENDED, or its state leaving
 * WRAPUP, whichever the engine delivers first. */
static void wrap_close(struct sim *s, uint32_t ai)
{
	struct agent *ag = &s->ag[ai];
	double w;

	if (!ag->wrap_pending)
		return;
	ag->wrap_pending = false;
	if (!ag->wrap_measured)
		return;
	w = (double)(s->now - ag->wrap_start) / US;
	s->acc->q[ag->wrap_q].wrap_s += w;
	s->acc->q[s->nq].wrap_s += w;
	s->acc->a[ai].wrap_s += w;
	s->pending--;
}

static void on_agent_state(struct sim *s, const struct acd_event *ev)
{
	uint32_t ai = agent_of(s, ev);
	struct agent *ag;

	if (ai == NONE)
		return;
	ag = &s->ag[ai];
	if (ev->from != ag->st || (unsigned)ev->to >= ACD_AGENT_STATE_COUNT) {
		(void)sim_fail(s, "agent \"%s\": state event %s -> %s, but it"
			       " was %s", acd_agent_id(ag->a),
			       acd_agent_state_name(ev->from),
			       acd_agent_state_name(ev->to),
			       acd_agent_state_name(ag->st));
		return;
	}
	measure_agent_close(s, ai, s->now);
	if (ag->st == ACD_AGENT_WRAPUP && ev->to != ACD_AGENT_BUSY &&
	    ev->to != ACD_AGENT_OFFERED)
		wrap_close(s, ai);
	ag->st = ev->to;
}

static void on_offered(struct sim *s, const struct acd_event *ev,
		       uint32_t si)
{
	struct slot *sl = &s->slot[si];
	uint32_t ai = agent_of(s, ev), qi;
	struct agent *ag;

	if (ai == NONE)
		return;
	ag = &s->ag[ai];
	if (ag->offer != NONE || ag->conn != NONE) {
		(void)sim_fail(s, "agent \"%s\" offered contact %u while it "
			       "still has contact %u %s", acd_agent_id(ag->a),
			       si, ag->offer != NONE ? ag->offer : ag->conn,
			       ag->offer != NONE ? "offered" : "connected");
		return;
	}
	if (sl->st != SLOT_QUEUED && sl->st != SLOT_OFFERED) {
		(void)sim_fail(s, "contact %u offered to agent \"%s\" while "
			       "not waiting", si, acd_agent_id(ag->a));
		return;
	}
	ag->offer = si;
	ag->offer_gen = sl->gen;
	ag->offer_serial++;
	qi = ev->queue ? ptrmap_get(&s->qmap, ev->queue) : NONE;
	ag->work_q = qi == NONE ? -1 : (int)qi;
	sl->noffers++;
	sl->st = SLOT_OFFERED;
	if (s->enq_slot == si)
		sl->immediate = true;
	(void)sim_push(s, s->now + ag->ring_us, EV_ANSWER, ai,
		       ag->offer_serial, 0);
}

static void on_offer_gone(struct sim *s, const struct acd_event *ev,
			  uint32_t si, bool missed)
{
	struct slot *sl = &s->slot[si];
	uint32_t ai = agent_of(s, ev);
	struct agent *ag;

	if (ai == NONE)
		return;
	ag = &s->ag[ai];
	if (ag->offer != si) {
		(void)sim_fail(s, "%s for agent \"%s\" and contact %u, which "
			       "was not offered to it",
			       acd_event_name(ev->type), acd_agent_id(ag->a),
			       si);
		return;
	}
	ag->offer = NONE;
	if (sl->st == SLOT_FREE || sl->gen != ag->offer_gen)
		return;            /* the contact ended first */
	if (sl->noffers)
		sl->noffers--;
	if (missed)
		sl->immediate = false;   /* back in line: it waits */
	if (sl->st == SLOT_OFFERED && !sl->noffers)
		sl->st = SLOT_QUEUED;
}

static void on_answered(struct sim *s, const struct acd_event *ev,
			uint32_t si)
{
	struct slot *sl = &s->slot[si];
	uint32_t ai = agent_of(s, ev);
	struct agent *ag;

	if (ai == NONE)
		return;
	ag = &s->ag[ai];
	if (ag->offer != si || sl->st != SLOT_OFFERED) {
		(void)sim_fail(s, "contact %u answered by agent \"%s\" without"
			       " a pending offer to it", si,
			       acd_agent_id(ag->a));
		return;
	}
	ag->offer = NONE;
	ag->conn = si;
	if (sl->noffers)
		sl->noffers--;
	sl->st = SLOT_CONNECTED;
	sl->answered = s->now;
	sl->answered_flag = true;
	sl->agent = ai;
	measure_resolve(s, sl, true, false);
	(void)sim_push(s, s->now + sl->talk_us, EV_END, si, sl->gen, 0);
}

/* The wrap-up the engine runs after this contact: its current queue's. */
static uint32_t wrapup_ms(const struct sim *s, const struct acd_event *ev)
{
	uint32_t qi = ev->queue ? ptrmap_get(&s->qmap, ev->queue) : NONE;

	return qi == NONE ? 0 : s->q[qi].cq->acd.wrapup_ms;
}

static void on_ended(struct sim *s, const struct acd_event *ev, uint32_t si)
{
	struct slot *sl = &s->slot[si];
	struct sim_qacc *qa = &s->acc->q[sl->q], *all = &s->acc->q[s->nq];

	if (sl->st == SLOT_FREE) {
		(void)sim_fail(s, "contact %u ended twice", si);
		return;
	}
	switch (ev->outcome) {
	case ACD_OUT_COMPLETED: {
		struct agent *ag;
		double talk = (double)(s->now - sl->answered) / US;

		if (!sl->answered_flag || sl->agent == NONE ||
		    s->ag[sl->agent].conn != si) {
			(void)sim_fail(s, "contact %u completed but was not "
				       "connected", si);
			return;
		}
		ag = &s->ag[sl->agent];
		ag->conn = NONE;
		if (sl->measured) {
			qa->completed++;
			all->completed++;
			qa->talk_s += talk;
			all->talk_s += talk;
			s->acc->a[sl->agent].completed++;
			s->acc->a[sl->agent].talk_s += talk;
		}
		if (wrapup_ms(s, ev)) {
			if (ag->wrap_pending) {
				(void)sim_fail(s, "agent \"%s\": a new wrap-up"
					       " before the last one ended",
					       acd_agent_id(ag->a));
				return;
			}
			ag->wrap_pending = true;
			ag->wrap_measured = sl->measured;
			ag->wrap_q = sl->q;
			ag->wrap_start = s->now;
			if (sl->measured)
				s->pending++;
		}
		break;
	}
	case ACD_OUT_ABANDONED_QUEUE:
	case ACD_OUT_ABANDONED_RINGING:
		if (sl->answered_flag) {
			(void)sim_fail(s, "contact %u abandoned after it was "
				       "answered", si);
			return;
		}
		measure_resolve(s, sl, false, true);
		break;
	case ACD_OUT_OVERFLOWED:
	case ACD_OUT_TIMED_OUT:
	case ACD_OUT_TRANSFERRED:
		if (sl->answered_flag) {
			if (sl->agent != NONE && s->ag[sl->agent].conn == si)
				s->ag[sl->agent].conn = NONE;
			break;
		}
		measure_resolve(s, sl, false, false);
		if (sl->measured) {
			qa->overflowed++;
			all->overflowed++;
		}
		break;
	default:
		(void)sim_fail(s, "contact %u ended with outcome %d", si,
			       (int)ev->outcome);
		return;
	}
	if (sl->measured)
		s->pending--;
	slot_free(s, si);
}

static void on_wrapup_ended(struct sim *s, const struct acd_event *ev)
{
	uint32_t ai = agent_of(s, ev);

	if (ai != NONE)
		wrap_close(s, ai);
}

static void trace(struct sim *s, const struct acd_event *ev, uint32_t si)
{
	struct sim_trace tr;
	uint32_t ai = ev->agent ? ptrmap_get(&s->amap, ev->agent) : NONE;

	tr.t_s = (double)s->now / US;
	tr.ev = ev;
	tr.queue = tr.type = tr.agent = tr.group = -1;
	if (si != NONE && s->slot[si].st != SLOT_FREE) {
		tr.queue = s->slot[si].q;
		tr.type = s->slot[si].type;
	}
	if (ai != NONE) {
		tr.agent = (int)ai;
		tr.group = (int)s->ag[ai].group;
	}
	s->conf->traceh(&tr, s->conf->trace_arg);
}

void events_handler(const struct acd_event *ev, void *arg)
{
	struct sim *s = arg;
	uint32_t si = NONE;

	if (s->closing || s->err)
		return;
	s->acc->engine_events++;
	/* An agent's events may name a contact that ended long ago, whose
	 * slot (so id) another contact has since; contact events may not. */
	if (ev->contact && ev->type != ACD_EV_AGENT_STATE &&
	    ev->type != ACD_EV_WRAPUP_ENDED) {
		si = contact_slot(s, ev->contact);
		if (si == NONE)
			return;
		if (s->slot[si].st != SLOT_FREE) {
			if (!s->slot[si].c)
				s->slot[si].c = ev->contact;
			else if (s->slot[si].c != ev->contact) {
				(void)sim_fail(s, "%s: contact %u is another "
					       "object than before",
					       acd_event_name(ev->type), si);
				return;
			}
		}
	}
	if (s->conf->traceh)
		trace(s, ev, si);
	if (si != NONE && s->slot[si].st == SLOT_FREE &&
	    ev->type != ACD_EV_OFFER_CANCELLED) {
		(void)sim_fail(s, "%s for contact %u after it ended",
			       acd_event_name(ev->type), si);
		return;
	}
	switch (ev->type) {
	case ACD_EV_AGENT_STATE:
		on_agent_state(s, ev);
		break;
	case ACD_EV_CONTACT_OFFERED:
		on_offered(s, ev, si);
		break;
	case ACD_EV_OFFER_MISSED:
	case ACD_EV_OFFER_CANCELLED:
		on_offer_gone(s, ev, si, ev->type == ACD_EV_OFFER_MISSED);
		break;
	case ACD_EV_CONTACT_ANSWERED:
		on_answered(s, ev, si);
		break;
	case ACD_EV_CONTACT_ENDED:
		on_ended(s, ev, si);
		break;
	case ACD_EV_WRAPUP_ENDED:
		on_wrapup_ended(s, ev);
		break;
	case ACD_EV_CONTACT_OVERFLOW:
		if (ev->action == ACD_OVF_CALLBACK && si != NONE)
			(void)sim_push(s, s->now, EV_CALLBACK, si,
				       s->slot[si].gen, 0);
		break;
	case ACD_EV_CONTACT_CALLBACK:
		if (si != NONE)
			s->slot[si].callback = true;
		break;
	case ACD_EV_CONTACT_QUEUED:
	case ACD_EV_CONTACT_RELAXED:
	case ACD_EV_CONTACT_TRANSFERRED:
	default:
		break;
	}
}
