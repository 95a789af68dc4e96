/* acd/contact.c  Contacts: arrival, offers and their results, the end.
 *
 * Life cycle (acd.h): QUEUED -> OFFERED -> CONNECTED -> ENDED, with
 * OFFERED -> QUEUED when an offer is missed, and ENDED reached from any
 * state by exactly one outcome.  contact_finish() is the only way to
 * ENDED: it emits ACD_EV_CONTACT_ENDED, detaches the contact and drops the
 * engine's reference (the event and any wrap-up keep the memory).
 *
 * Place in line.  A contact's key in its class is fixed when it joins
 * (queue_order_key: priority with aging, then arrival sequence), so moving
 * to another class (relaxed requirements, callback, sticky release) or to
 * an overflow queue keeps its place.  A transfer joins anew.
 *
 * One timer per contact covers what can happen while it waits: the next
 * relaxation rule, the maximum wait, the end of a sticky reservation.
 */

#include <errno.h>
#include <string.h>
#include "acd_int.h"

static void set_state(struct acd_contact *c, enum acd_contact_state st)
{
	struct acd_queue *q = c->q;

	if (q) {
		switch (c->st) {
		case ACD_CONTACT_QUEUED:    --q->waiting;   break;
		case ACD_CONTACT_OFFERED:   --q->offered;   break;
		case ACD_CONTACT_CONNECTED: --q->connected; break;
		default: break;
		}
		switch (st) {
		case ACD_CONTACT_QUEUED:    ++q->waiting;   break;
		case ACD_CONTACT_OFFERED:   ++q->offered;   break;
		case ACD_CONTACT_CONNECTED: ++q->connected; break;
		default: break;
		}
	}
	c->st = st;
}

static uint32_t contact_hkey(const void *data)
{
	return ((const struct acd_contact *)data)->hkey;
}

static void contact_destructor(void *arg)
{
	struct acd_contact *c = arg;

	mem_deref(c->customer);
}

static int req_normalise(struct acd *acd, struct acd_skill_req *out,
			 const struct acd_skill_req *in, unsigned n,
			 unsigned *np, const char *id)
{
	unsigned k = 0;

	if (n > ACD_REQ_MAX)
		return acd_fail(acd, ENOSPC, "contact \"%s\": more than %d "
				"skill requirements", id, ACD_REQ_MAX);
	for (unsigned i = 0; i < n; i++) {
		unsigned j;

		if (in[i].skill >= acd->nskills)
			return acd_fail(acd, ENOENT, "contact \"%s\": unknown "
					"skill %u", id, in[i].skill);
		if (in[i].level < ACD_LEVEL_MIN || in[i].level > ACD_LEVEL_MAX)
			return acd_fail(acd, ERANGE, "contact \"%s\": skill "
					"\"%s\" level %u is outside %d..%d",
					id, acd->skills[in[i].skill],
					in[i].level, ACD_LEVEL_MIN,
					ACD_LEVEL_MAX);
		/* insertion sort; a repeated skill keeps the higher level */
		for (j = 0; j < k && out[j].skill < in[i].skill; j++)
			;
		if (j < k && out[j].skill == in[i].skill) {
			if (in[i].level > out[j].level)
				out[j].level = in[i].level;
			continue;
		}
		memmove(&out[j + 1], &out[j], (k - j) * sizeof(*out));
		out[j] = in[i];
		++k;
	}
	*np = k;
	return 0;
}

/* Leave the current queue's structures (not the engine). */
static void leave_queue(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	struct acd_queue *q = c->q;

	if (!q)
		return;
	if (c->reserved_for)
		otree_remove(&c->reserved_for->reserved, &c->node);
	else if (c->cls)
		otree_remove(&c->cls->waitq, &c->node);
	c->reserved_for = NULL;
	acd_timer_cancel(acd, &c->tmr);
	set_state(c, ACD_CONTACT_ENDED);
	list_unlink(&c->le_present);
	queue_class_put(c->cls);
	c->cls = NULL;
	--q->live;
	c->q = NULL;
}

void contact_detach(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	struct le *le;

	if (c->detached)
		return;
	leave_queue(c);
	while ((le = list_head(&c->works)))
		list_unlink(le);
	minheap_unreserve(&acd->timers, 1);
	hash_unlink(&c->le);
	--acd->ncontacts;
	c->detached = true;
}

void contact_finish(struct acd_contact *c, enum acd_outcome out)
{
	struct acd *acd = c->acd;
	struct acd_event *ev;
	uint64_t wait;

	wait = (c->answered_at ? c->answered_at : acd->now) - c->entered;
	ev = acd_emit(acd, ACD_EV_CONTACT_ENDED, NULL, c, c->q);
	ev->outcome = out;
	ev->wait_ms = wait;
	ev->talk_ms = c->talk_ms;
	if (c->agent)
		ev->agent = mem_ref(c->agent);
	c->outcome = out;
	contact_detach(c);
	c->st = ACD_CONTACT_ENDED;
	mem_deref(c);           /* the engine's; the event holds one */
}

/* Next thing that can happen to a waiting contact, if any. */
static void contact_arm(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	const struct acd_queue_conf *qc = &c->q->conf;
	uint64_t due = UINT64_MAX;

	if (c->st != ACD_CONTACT_QUEUED) {
		acd_timer_cancel(acd, &c->tmr);
		return;
	}
	if (c->stage < qc->nrelax)
		due = c->entered + qc->relax[c->stage].after_ms;
	if (qc->max_wait_ms && !c->maxwait_done && c->ch != ACD_CH_CALLBACK &&
	    c->entered + qc->max_wait_ms < due)
		due = c->entered + qc->max_wait_ms;
	if (c->reserved_for && c->reserve_until < due)
		due = c->reserve_until;
	if (due == UINT64_MAX)
		acd_timer_cancel(acd, &c->tmr);
	else
		acd_timer_arm(acd, &c->tmr, due);
}

/* Put a queued contact in its class (or the sticky agent's line). */
static void place(struct acd_contact *c)
{
	c->node.k1 = queue_order_key(c->q, c);
	c->node.k2 = c->seq;
	if (c->reserved_for)
		otree_insert(&c->reserved_for->reserved, &c->node);
	else
		otree_insert(&c->cls->waitq, &c->node);
}

static bool may_reserve(const struct acd_contact *c, struct acd_agent **ap)
{
	struct acd *acd = c->acd;
	struct acd_sticky *s;
	struct acd_member *m;
	struct le *le;

	if (!c->customer || !c->q->conf.sticky_ms)
		return false;
	s = agent_sticky_find(acd, c->customer);
	if (!s || s->at + c->q->conf.sticky_ms < acd->now)
		return false;
	m = queue_member_find(s->a, c->q);
	if (!m || !s->a->logged_in || !s->a->ready ||
	    s->a->pending != ACD_PEND_NONE)
		return false;
	LIST_FOREACH(&m->slots, le) {
		const struct acd_slot *sl = le->data;

		if (sl->cls == c->cls) {
			*ap = s->a;
			return true;
		}
	}
	return false;
}

/* Join queue q (stats, rules, class) and route.  On return the contact
 * may already be offered, moved on, or finished. */
static void join(struct acd_contact *c, struct acd_queue *q)
{
	struct acd *acd = c->acd;
	struct acd_agent *sticky = NULL;
	struct acd_event *ev;
	struct acd_class *cls;
	int err;

	++q->entered;
	if (!queue_may_join(q)) {
		c->q = q;
		++q->live;
		contact_overflow(c, ACD_OVR_NO_AGENTS, q->conf.empty_action);
		return;
	}
	if (q->conf.max_waiting && q->waiting >= q->conf.max_waiting) {
		c->q = q;
		++q->live;
		contact_overflow(c, ACD_OVR_FULL, q->conf.overflow);
		return;
	}
	memcpy(c->req, c->req0, sizeof(c->req));
	c->nreq = c->nreq0;
	c->stage = 0;
	c->maxwait_done = false;
	err = queue_class_get(&cls, q, c->ch, c->req, c->nreq);
	if (err) {
		(void)acd_fail(acd, err, "contact \"%s\": out of memory "
			       "joining queue \"%s\"", c->id, q->id);
		c->q = q;
		++q->live;
		contact_finish(c, ACD_OUT_OVERFLOWED);
		return;
	}
	c->q = q;
	c->cls = cls;
	c->entered = acd->now;
	++q->live;
	list_append(&q->present, &c->le_present, c);
	c->st = ACD_CONTACT_ENDED;      /* so set_state counts it in */
	set_state(c, ACD_CONTACT_QUEUED);
	ev = acd_emit(acd, ACD_EV_CONTACT_QUEUED, NULL, c, q);
	ev->wait_ms = c->queued_ms;

	if (may_reserve(c, &sticky)) {
		c->reserved_for = sticky;
		c->reserve_until = acd->now + q->conf.sticky_ms;
	}
	place(c);
	contact_arm(c);
	if (sticky)
		route_agent(sticky);
	if (c->st == ACD_CONTACT_QUEUED && !c->reserved_for)
		route_class(c->cls);
}

static void move_to(struct acd_contact *c, struct acd_queue *to)
{
	struct acd_queue *from = c->q;

	if (from && c->st == ACD_CONTACT_QUEUED)
		c->queued_ms += c->acd->now - c->entered;
	leave_queue(c);
	if (++c->hops > 16) {
		c->q = from;
		++from->live;
		contact_finish(c, ACD_OUT_OVERFLOWED);
		return;
	}
	join(c, to);
}

/* A queue rule fired for c: tell the caller, then carry out what is the
 * engine's part of it. */
void contact_overflow(struct acd_contact *c, enum acd_overflow_reason why,
		      enum acd_overflow_action action)
{
	struct acd *acd = c->acd;
	struct acd_queue *q = c->q;
	struct acd_event *ev;
	bool joined = c->cls != NULL;

	ev = acd_emit(acd, ACD_EV_CONTACT_OVERFLOW, NULL, c, q);
	ev->ovf_reason = why;
	ev->action = action;
	ev->wait_ms = joined ? acd->now - c->entered : 0;
	if (action == ACD_OVF_QUEUE)
		ev->target = mem_ref(q->conf.overflow_queue);
	++q->overflowed;

	switch (action) {

	case ACD_OVF_QUEUE:
		move_to(c, q->conf.overflow_queue);
		break;

	case ACD_OVF_NONE:
	case ACD_OVF_CALLBACK:
		/* A waiting contact stays: the caller may offer a callback.
		 * One that could not join has nowhere to stay. */
		if (joined && why == ACD_OVR_MAX_WAIT)
			break;
		contact_finish(c, ACD_OUT_OVERFLOWED);
		break;

	default:
		contact_finish(c, why == ACD_OVR_MAX_WAIT ? ACD_OUT_TIMED_OUT
			       : ACD_OUT_OVERFLOWED);
		break;
	}
}

/**
 * A contact arrives at a queue.  Routing happens at once: the events say
 * whether it was offered, waits, or was refused by a queue rule.
 *
 * @param cp   Receives the contact (valid until its ENDED event is seen)
 *
 * @return 0, EINVAL, EEXIST, ENOENT, ERANGE, ENOSPC or ENOMEM
 */
int acd_contact_enqueue(struct acd_contact **cp, struct acd *acd,
			struct acd_queue *q,
			const struct acd_contact_params *p, uint64_t now)
{
	struct acd_skill_req req[ACD_REQ_MAX];
	struct acd_contact *c;
	unsigned nreq = 0;
	size_t len;
	int err = 0;

	if (!acd || !p)
		return EINVAL;
	if (!q || q->detached || q->acd != acd)
		return acd_fail(acd, EINVAL, "contact: no such queue");
	if (!p->id || !*p->id || strlen(p->id) > ACD_ID_MAX)
		return acd_fail(acd, EINVAL, "contact: id must be 1 to %d "
				"bytes", ACD_ID_MAX);
	if ((unsigned)p->channel >= ACD_CH_COUNT)
		return acd_fail(acd, EINVAL, "contact \"%s\": unknown channel",
				p->id);
	if (p->priority < ACD_PRIO_MIN || p->priority > ACD_PRIO_MAX)
		return acd_fail(acd, ERANGE, "contact \"%s\": priority %d is "
				"outside %d..%d", p->id, p->priority,
				ACD_PRIO_MIN, ACD_PRIO_MAX);
	if (p->customer && strlen(p->customer) > ACD_ID_MAX)
		return acd_fail(acd, EINVAL, "contact \"%s\": customer key "
				"longer than %d bytes", p->id, ACD_ID_MAX);
	if (p->nreq && !p->req)
		return acd_fail(acd, EINVAL, "contact \"%s\": requirements "
				"missing", p->id);
	err = req_normalise(acd, req, p->req, p->nreq, &nreq, p->id);
	if (err)
		return err;
	if (acd_contact_find(acd, p->id))
		return acd_fail(acd, EEXIST, "contact \"%s\": already exists",
				p->id);
	err = minheap_reserve(&acd->timers, 1);
	if (err)
		return err;
	/* the id lives in the same allocation, right after the struct */
	len = strlen(p->id);
	c = mem_zalloc(sizeof(*c) + len + 1, contact_destructor);
	if (!c) {
		minheap_unreserve(&acd->timers, 1);
		return ENOMEM;
	}
	c->id = (char *)(c + 1);
	memcpy(c->id, p->id, len + 1);
	if (p->customer && *p->customer)
		err = str_dup(&c->customer, p->customer);
	if (err) {
		minheap_unreserve(&acd->timers, 1);
		mem_deref(c);
		return err;
	}
	acd_enter(acd, now);
	c->acd = acd;
	c->ch = p->channel;
	c->prio = p->priority;
	memcpy(c->req0, req, nreq * sizeof(*req));
	c->nreq0 = (uint8_t)nreq;
	c->seq = ++acd->seq;
	c->arrived = acd->now;
	c->entered = acd->now;
	c->st = ACD_CONTACT_ENDED;
	acd_timer_init(&c->tmr, ACD_TMR_CONTACT, c);
	c->hkey = hash_joaat_str(c->id);
	hash_append(acd->contacts, c->hkey, &c->le, c);
	++acd->ncontacts;
	acd_hash_grow(&acd->contacts, acd->ncontacts, contact_hkey);
	if (cp)
		*cp = c;
	join(c, q);
	acd_leave(acd);
	return 0;
}

struct contact_key {
	uint32_t h;
	const char *id;
};

static bool contact_cmp(struct le *le, void *arg)
{
	const struct acd_contact *c = le->data;
	const struct contact_key *k = arg;

	return c->hkey == k->h && !strcmp(c->id, k->id);
}

struct acd_contact *acd_contact_find(const struct acd *acd, const char *id)
{
	struct contact_key k;
	struct le *le;

	if (!acd || !id)
		return NULL;
	k.h = hash_joaat_str(id);
	k.id = id;
	le = hash_lookup(acd->contacts, k.h, contact_cmp, &k);
	return le ? le->data : NULL;
}

const char *acd_contact_id(const struct acd_contact *c)
{
	return c ? c->id : NULL;
}

enum acd_contact_state acd_contact_state(const struct acd_contact *c)
{
	return c ? c->st : ACD_CONTACT_ENDED;
}

enum acd_channel acd_contact_channel(const struct acd_contact *c)
{
	return c ? c->ch : ACD_CH_VOICE;
}

struct acd_queue *acd_contact_queue(const struct acd_contact *c)
{
	return c ? c->q : NULL;
}

struct acd_agent *acd_contact_agent(const struct acd_contact *c)
{
	return c ? c->agent : NULL;
}

static struct acd_work *offer_find(const struct acd_contact *c,
				   const struct acd_agent *a)
{
	struct le *le;

	LIST_FOREACH(&c->works, le) {
		struct acd_work *w = le->data;

		if (w->a == a && w->st == ACD_WORK_OFFERED)
			return w;
	}
	return NULL;
}

static void cancel_offers(struct acd_contact *c, struct acd_work *keep)
{
	struct le *le = list_head(&c->works);

	while (le) {
		struct acd_work *w = le->data;
		struct acd_agent *a = w->a;
		struct acd_event *ev;

		le = le->next;
		if (w == keep || w->st != ACD_WORK_OFFERED)
			continue;
		ev = acd_emit(c->acd, ACD_EV_OFFER_CANCELLED, a, c, c->q);
		ev->ring_ms = c->acd->now - w->since;
		agent_work_remove(w);
		route_agent(a);
	}
}

static int offer_check(struct acd_contact *c, struct acd_agent *a,
		       struct acd_work **wp)
{
	if (!c || !a || a->acd != c->acd)
		return EINVAL;
	if (c->detached)     /* ended earlier in this call (from a handler) */
		return acd_fail(c->acd, EPERM, "contact \"%s\": ended",
				c->id);
	*wp = offer_find(c, a);
	if (!*wp)
		return acd_fail(c->acd, EPERM, "contact \"%s\": not offered "
				"to agent \"%s\" (%s)", c->id, a->id,
				acd_contact_state_name(c->st));
	return 0;
}

/**
 * The agent took the contact.  Other agents ringing for it (ring-all)
 * are cancelled.
 *
 * @return 0, EINVAL or EPERM (not offered to this agent)
 */
int acd_offer_answer(struct acd_contact *c, struct acd_agent *a,
		     uint64_t now)
{
	struct acd_member *m;
	struct acd_queue *q;
	struct acd_event *ev;
	struct acd_work *w;
	struct acd *acd;
	uint64_t wait;
	int err;

	err = offer_check(c, a, &w);
	if (err)
		return err;
	acd = c->acd;
	acd_enter(acd, now);
	if (c->detached || !(w = offer_find(c, a))) {
		/* a timer due by `now` took the offer away; the contact may
		 * be gone once its events are delivered, so name it first */
		err = acd_fail(acd, EPERM, "contact \"%s\": offer to agent "
			       "\"%s\" timed out", c->id, a->id);
		acd_leave(acd);
		return err;
	}
	q = c->q;
	acd_timer_cancel(acd, &w->tmr);
	w->st = ACD_WORK_BUSY;
	ev = acd_emit(acd, ACD_EV_CONTACT_ANSWERED, a, c, q);
	wait = acd->now - c->entered;
	ev->wait_ms = wait;
	ev->ring_ms = acd->now - w->since;
	w->since = acd->now;
	c->answered_at = acd->now;
	c->agent = a;
	set_state(c, ACD_CONTACT_CONNECTED);
	list_unlink(&c->le_present);
	++q->answered;
	if (wait <= q->conf.sl_target_ms)
		++q->answered_in_sl;
	m = queue_member_find(a, q);
	if (m)
		++m->answered;
	a->rekey = true;
	a->missed = 0;
	queue_class_put(c->cls);
	c->cls = NULL;
	acd_timer_cancel(acd, &c->tmr);
	agent_update(a);
	cancel_offers(c, w);
	acd_leave(acd);
	return 0;
}

/**
 * The agent did not take the contact (no answer, rejected, busy).  The
 * contact goes back to its place in line; the agent rests for the queue's
 * missed_delay_ms, and after max_missed misses in a row goes not ready
 * with reason "missed".
 *
 * @return 0, EINVAL or EPERM (not offered to this agent)
 */
int acd_offer_miss(struct acd_contact *c, struct acd_agent *a,
		   enum acd_miss miss, uint64_t now)
{
	struct acd_work *w;
	struct acd *acd;
	int err;

	if ((unsigned)miss >= ACD_MISS_COUNT)
		return EINVAL;
	err = offer_check(c, a, &w);
	if (err)
		return err;
	acd = c->acd;
	acd_enter(acd, now);
	w = offer_find(c, a);
	if (!c->detached && w)
		contact_missed(w, miss);
	acd_leave(acd);
	return 0;
}

void contact_missed(struct acd_work *w, enum acd_miss miss)
{
	struct acd_contact *c = w->c;
	struct acd_agent *a = w->a;
	struct acd *acd = a->acd;
	struct acd_queue *q = c->q;
	struct acd_event *ev;
	bool requeue;

	ev = acd_emit(acd, ACD_EV_OFFER_MISSED, a, c, q);
	ev->miss = miss;
	ev->ring_ms = acd->now - w->since;
	mem_ref(c);
	agent_work_remove(w);
	requeue = list_isempty(&c->works);
	if (requeue) {
		set_state(c, ACD_CONTACT_QUEUED);
		place(c);
	}

	++a->missed;
	if (q->conf.missed_delay_ms && a->logged_in) {
		a->rest_until = acd->now + q->conf.missed_delay_ms;
		acd_timer_arm(acd, &a->rest, a->rest_until);
	}
	if (a->conf.max_missed && a->missed >= a->conf.max_missed &&
	    a->logged_in && a->ready && a->pending == ACD_PEND_NONE) {
		a->missed = 0;
		if (a->ntotal) {
			a->pending = ACD_PEND_NOT_READY;
			a->pending_reason = ACD_REASON_MISSED;
			agent_update(a);
			agent_presence_counts(a);
		}
		else {
			/* not the public call: its acd_enter() would fire
			 * other timers due now in the middle of this one */
			agent_go_not_ready(a, ACD_REASON_MISSED);
		}
	}
	else {
		agent_update(a);
	}
	/* nobody left to serve it while it rang (c->q: the rules above may
	 * have moved it already) */
	if (requeue && c->st == ACD_CONTACT_QUEUED && c->ch != ACD_CH_CALLBACK &&
	    !queue_may_stay(c->q))
		contact_overflow(c, ACD_OVR_NO_AGENTS,
				 c->q->conf.empty_action);
	if (requeue && c->st == ACD_CONTACT_QUEUED) {
		contact_arm(c);
		route_class(c->cls);
	}
	route_agent(a);
	mem_deref(c);
}

/**
 * The caller left before being connected.
 *
 * @return 0, EINVAL or EPERM (connected or ended: use acd_contact_end)
 */
int acd_contact_abandon(struct acd_contact *c, uint64_t now)
{
	struct acd *acd;
	enum acd_outcome out;

	if (!c || c->detached)
		return EINVAL;
	acd = c->acd;
	if (c->st != ACD_CONTACT_QUEUED && c->st != ACD_CONTACT_OFFERED)
		return acd_fail(acd, EPERM, "contact \"%s\": %s, cannot "
				"abandon", c->id,
				acd_contact_state_name(c->st));
	acd_enter(acd, now);
	if (c->detached) {
		acd_leave(acd);
		return 0;      /* a timer due by `now` ended it first */
	}
	out = c->st == ACD_CONTACT_QUEUED ? ACD_OUT_ABANDONED_QUEUE
					  : ACD_OUT_ABANDONED_RINGING;
	++c->q->abandoned;
	mem_ref(c);
	cancel_offers(c, NULL);
	if (!c->detached)
		contact_finish(c, out);
	mem_deref(c);
	acd_leave(acd);
	return 0;
}

/* The agent's side of a conversation that ends: wrap-up or free. */
static void agent_leaves(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	struct acd_work *w = NULL;
	struct acd_agent *a = c->agent;
	struct le *le;

	LIST_FOREACH(&c->works, le) {
		struct acd_work *x = le->data;

		if (x->st == ACD_WORK_BUSY)
			w = x;
	}
	c->talk_ms = acd->now - c->answered_at;
	a->talk_ms += c->talk_ms;
	a->rekey = true;
	agent_sticky_note(a, c->customer);
	if (!w)
		return;
	list_unlink(&w->le_contact);
	w->talk_ms = c->talk_ms;
	if (c->q && c->q->conf.wrapup_ms) {
		w->st = ACD_WORK_WRAPUP;
		w->since = acd->now;
		w->wrapup_due = acd->now + c->q->conf.wrapup_ms;
		acd_timer_arm(acd, &w->tmr, w->wrapup_due);
		agent_update(a);
	}
	else {
		if (c->q)
			queue_aht_note(c->q, c->talk_ms);
		agent_work_remove(w);
	}
}

/**
 * A connected contact ended; the agent goes to wrap-up.
 *
 * @return 0, EINVAL or EPERM (not connected)
 */
int acd_contact_end(struct acd_contact *c, uint64_t now)
{
	struct acd_agent *a;
	struct acd *acd;

	if (!c || c->detached)
		return EINVAL;
	acd = c->acd;
	if (c->st != ACD_CONTACT_CONNECTED)
		return acd_fail(acd, EPERM, "contact \"%s\": %s, not "
				"connected", c->id,
				acd_contact_state_name(c->st));
	acd_enter(acd, now);
	a = c->agent;
	agent_leaves(c);
	contact_finish(c, ACD_OUT_COMPLETED);
	route_agent(a);
	acd_leave(acd);
	return 0;
}

/**
 * The agent transferred a connected contact: to queue q, where it joins
 * anew, or out of the engine when q is NULL.  The agent goes to wrap-up.
 *
 * @return 0, EINVAL or EPERM (not connected)
 */
int acd_contact_transfer(struct acd_contact *c, struct acd_queue *q,
			 uint64_t now)
{
	struct acd_event *ev;
	struct acd_agent *a;
	struct acd *acd;

	if (!c || c->detached || (q && (q->detached || q->acd != c->acd)))
		return EINVAL;
	acd = c->acd;
	if (c->st != ACD_CONTACT_CONNECTED)
		return acd_fail(acd, EPERM, "contact \"%s\": %s, not "
				"connected", c->id,
				acd_contact_state_name(c->st));
	acd_enter(acd, now);
	a = c->agent;
	agent_leaves(c);
	ev = acd_emit(acd, ACD_EV_CONTACT_TRANSFERRED, a, c, c->q);
	ev->target = mem_ref(q);
	ev->talk_ms = c->talk_ms;
	if (!q) {
		contact_finish(c, ACD_OUT_TRANSFERRED);
	}
	else {
		leave_queue(c);
		c->agent = NULL;
		c->answered_at = 0;
		c->talk_ms = 0;
		c->hops = 0;
		c->queued_ms = 0;
		c->seq = ++acd->seq;
		c->arrived = acd->now;
		join(c, q);
	}
	route_agent(a);
	acd_leave(acd);
	return 0;
}

/**
 * A waiting voice caller chose to be called back: the contact becomes a
 * callback, keeps its place in line and no longer times out.
 *
 * @return 0, EINVAL, EPERM (not queued, or not voice) or ENOMEM
 */
int acd_contact_callback(struct acd_contact *c, uint64_t now)
{
	struct acd_class *cls;
	struct acd *acd;
	int err;

	if (!c || c->detached)
		return EINVAL;
	acd = c->acd;
	if (c->st != ACD_CONTACT_QUEUED || c->ch != ACD_CH_VOICE)
		return acd_fail(acd, EPERM, "contact \"%s\": only a queued "
				"voice contact can become a callback", c->id);
	err = queue_class_get(&cls, c->q, ACD_CH_CALLBACK, c->req, c->nreq);
	if (err)
		return err;
	acd_enter(acd, now);
	if (c->reserved_for)
		otree_remove(&c->reserved_for->reserved, &c->node);
	else
		otree_remove(&c->cls->waitq, &c->node);
	c->reserved_for = NULL;
	queue_class_put(c->cls);
	c->cls = cls;
	c->ch = ACD_CH_CALLBACK;
	(void)acd_emit(acd, ACD_EV_CONTACT_CALLBACK, NULL, c, c->q);
	place(c);
	contact_arm(c);
	route_class(cls);
	acd_leave(acd);
	return 0;
}

/* A reserved (sticky) contact goes back to its class, same place. */
void contact_unreserve(struct acd_contact *c)
{
	if (!c->reserved_for)
		return;
	otree_remove(&c->reserved_for->reserved, &c->node);
	c->reserved_for = NULL;
	place(c);
	contact_arm(c);
	route_class(c->cls);
}

static void relax_apply(struct acd_contact *c, const struct acd_relax *r)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->nreq; i++) {
		struct acd_skill_req q = c->req[i];

		if (r->all || q.skill == r->skill) {
			if (!r->level)
				continue;
			if (q.level > r->level)
				q.level = r->level;
		}
		c->req[k++] = q;
	}
	c->nreq = (uint8_t)k;
}

static void relax_due(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	const struct acd_queue_conf *qc = &c->q->conf;
	bool moved = false;

	while (c->stage < qc->nrelax &&
	       c->entered + qc->relax[c->stage].after_ms <= acd->now) {
		struct acd_skill_req before[ACD_REQ_MAX];
		struct acd_class *cls;
		struct acd_event *ev;
		unsigned nbefore = c->nreq;
		int rule = c->stage++;

		memcpy(before, c->req, sizeof(before));
		relax_apply(c, &qc->relax[rule]);
		if (c->nreq == nbefore &&
		    !memcmp(before, c->req, nbefore * sizeof(*before)))
			continue;
		if (queue_class_get(&cls, c->q, c->ch, c->req, c->nreq)) {
			memcpy(c->req, before, sizeof(before));
			c->nreq = (uint8_t)nbefore;
			continue;        /* stays where it is; logged */
		}
		if (!c->reserved_for)
			otree_remove(&c->cls->waitq, &c->node);
		queue_class_put(c->cls);
		c->cls = cls;
		if (!c->reserved_for)
			otree_insert(&cls->waitq, &c->node);
		ev = acd_emit(acd, ACD_EV_CONTACT_RELAXED, NULL, c, c->q);
		ev->rule = rule;
		ev->wait_ms = acd->now - c->entered;
		moved = true;
	}
	if (moved && !c->reserved_for)
		route_class(c->cls);
}

void contact_timer_expired(struct acd_contact *c)
{
	struct acd *acd = c->acd;
	const struct acd_queue_conf *qc;

	if (c->detached || c->st != ACD_CONTACT_QUEUED)
		return;
	mem_ref(c);
	if (c->reserved_for && c->reserve_until <= acd->now)
		contact_unreserve(c);
	if (c->st == ACD_CONTACT_QUEUED)
		relax_due(c);
	qc = c->q ? &c->q->conf : NULL;
	if (c->st == ACD_CONTACT_QUEUED && qc->max_wait_ms &&
	    !c->maxwait_done && c->ch != ACD_CH_CALLBACK &&
	    c->entered + qc->max_wait_ms <= acd->now) {
		c->maxwait_done = true;
		contact_overflow(c, ACD_OVR_MAX_WAIT, qc->overflow);
	}
	if (!c->detached && c->st == ACD_CONTACT_QUEUED)
		contact_arm(c);
	mem_deref(c);
}

void work_timer_expired(struct acd_work *w)
{
	if (w->st == ACD_WORK_OFFERED)
		contact_missed(w, ACD_MISS_TIMEOUT);
	else if (w->st == ACD_WORK_WRAPUP)
		agent_wrapup_finish(w);
}

/**
 * Where a waiting contact stands: position 1 is next; 0 when it is
 * offered or connected.  The estimated wait is position times the queue's
 * recent handle time over its ready agents; UINT64_MAX when unknown.
 * O(classes * log n).
 *
 * @return 0 or EINVAL
 */
int acd_contact_position(const struct acd_contact *c, uint64_t now,
			 uint32_t *posp, uint64_t *ewt_msp)
{
	const struct acd_queue *q;
	uint32_t pos = 0;
	uint64_t ewt = 0;
	struct le *le;

	(void)now;
	if (!c || c->detached || !c->q)
		return EINVAL;
	q = c->q;
	if (c->st == ACD_CONTACT_QUEUED) {
		LIST_FOREACH(&q->classes, le) {
			const struct acd_class *cls = le->data;

			pos += otree_rank(&cls->waitq, c->node.k1,
					  c->node.k2);
		}
		++pos;
		if (!q->aht_ms || !q->nready)
			ewt = UINT64_MAX;
		else
			ewt = (uint64_t)pos * q->aht_ms / q->nready;
	}
	if (posp)
		*posp = pos;
	if (ewt_msp)
		*ewt_msp = ewt;
	return 0;
}
