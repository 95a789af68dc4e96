/* acd/check.c  Self-check of the engine's invariants, for tests.
 *
 * Walks every queue, class, agent and contact: O(size of the model), so it
 * is for tests and debugging, never for the hot path.  Checked:
 *   - no class has both a waiting contact and an available slot (routing
 *     never stalls while an agent could serve);
 *   - an agent's per-channel counts match its work items and stay within
 *     capacity; exclusive channels are alone;
 *   - a slot is in its heap iff its agent can take the class's channel;
 *   - a contact's state matches its work items: QUEUED has none, OFFERED
 *     has offers only (several only for ring-all), CONNECTED one busy;
 *   - queue counters equal what the contacts say;
 *   - an agent's state durations add up to the time since its creation.
 */

#include <errno.h>
#include <string.h>
#include "acd_int.h"

struct ctx {
	const struct acd *acd;
	char *buf;
	size_t sz;
	int err;
};

static bool fail(struct ctx *x, const char *what, const char *id)
{
	if (!x->err && x->buf && x->sz)
		(void)re_snprintf(x->buf, x->sz, "%s: %s", id, what);
	x->err = EFAULT;
	return true;
}

static bool check_agent(struct le *le, void *arg)
{
	struct ctx *x = arg;
	const struct acd_agent *a = le->data;
	unsigned n[ACD_CH_COUNT] = {0}, total = 0, excl = 0, heaped = 0;
	uint64_t sum = 0, dur[ACD_AGENT_STATE_COUNT];
	struct le *l, *ls;

	LIST_FOREACH(&a->works, l) {
		const struct acd_work *w = l->data;

		++n[w->ch];
		++total;
		if (a->conf.exclusive & acd_bit(w->ch))
			++excl;
		if (w->a != a)
			return fail(x, "work of another agent", a->id);
	}
	for (int ch = 0; ch < ACD_CH_COUNT; ch++) {
		if (n[ch] != a->n[ch])
			return fail(x, "channel count drifted", a->id);
		if (n[ch] > a->conf.cap[ch])
			return fail(x, "above capacity", a->id);
	}
	if (total != a->ntotal || excl != a->nexcl)
		return fail(x, "work count drifted", a->id);
	if (excl && total > 1)
		return fail(x, "exclusive contact not alone", a->id);
	if (!a->logged_in && total)
		return fail(x, "logged out with work", a->id);
	LIST_FOREACH(&a->members, l) {
		const struct acd_member *m = l->data;

		LIST_FOREACH(&m->slots, ls) {
			const struct acd_slot *s = ls->data;
			bool want = a->routable & acd_bit(s->cls->ch);

			if (want != minheap_contains(&s->hn))
				return fail(x, "slot in heap disagrees with "
					    "availability", a->id);
			heaped += minheap_contains(&s->hn);
		}
	}
	if (heaped != a->nheaped)
		return fail(x, "heaped slot count drifted", a->id);
	acd_agent_durations(a, x->acd->now, dur);
	for (int i = 0; i < ACD_AGENT_STATE_COUNT; i++)
		sum += dur[i];
	if (sum != x->acd->now - a->created)
		return fail(x, "state durations do not add up", a->id);
	if (sum - dur[ACD_AGENT_LOGGED_OUT] !=
	    acd_agent_logged_in_ms(a, x->acd->now))
		return fail(x, "durations differ from logged-in time", a->id);
	return false;
}

static bool check_contact(struct le *le, void *arg)
{
	struct ctx *x = arg;
	const struct acd_contact *c = le->data;
	unsigned offers = 0, busy = 0;
	struct le *l;

	LIST_FOREACH(&c->works, l) {
		const struct acd_work *w = l->data;

		if (w->c != c)
			return fail(x, "work of another contact", c->id);
		if (w->st == ACD_WORK_OFFERED)
			++offers;
		else if (w->st == ACD_WORK_BUSY)
			++busy;
	}
	switch (c->st) {

	case ACD_CONTACT_QUEUED:
		if (offers || busy)
			return fail(x, "queued with work", c->id);
		if (!c->node.in)
			return fail(x, "queued but not in line", c->id);
		break;

	case ACD_CONTACT_OFFERED:
		if (!offers || busy)
			return fail(x, "offered without offers", c->id);
		if (offers > 1 && c->q->conf.strategy != ACD_STRAT_RING_ALL)
			return fail(x, "offered to two agents", c->id);
		if (c->node.in)
			return fail(x, "offered but still in line", c->id);
		break;

	case ACD_CONTACT_CONNECTED:
		if (busy != 1 || offers)
			return fail(x, "connected without one agent", c->id);
		break;

	default:
		return fail(x, "ended but still live", c->id);
	}
	return false;
}

static bool check_queue(struct le *le, void *arg)
{
	struct ctx *x = arg;
	const struct acd_queue *q = le->data;
	uint32_t waiting = 0, nlogged = 0, nready = 0;
	struct le *l;

	LIST_FOREACH(&q->classes, l) {
		const struct acd_class *cls = l->data;

		waiting += otree_count(&cls->waitq);
		if (otree_count(&cls->waitq) && minheap_top(&cls->agents))
			return fail(x, "a contact waits while a qualified "
				    "agent is available", q->id);
	}
	LIST_FOREACH(&q->members, l) {
		const struct acd_member *m = l->data;

		nlogged += m->counted_in;
		nready += m->counted_ready;
		if (m->counted_in != m->a->logged_in)
			return fail(x, "member logged-in count drifted",
				    q->id);
	}
	if (nlogged != q->nlogged || nready != q->nready)
		return fail(x, "agent counts drifted", q->id);
	/* reserved (sticky) contacts wait outside the classes */
	if (waiting > q->waiting)
		return fail(x, "waiting count drifted", q->id);
	if (q->waiting + q->offered + q->connected > q->live)
		return fail(x, "live count drifted", q->id);
	return false;
}

int acd_invariants(const struct acd *acd, char *buf, size_t sz)
{
	struct ctx x = {acd, buf, sz, 0};

	if (!acd)
		return EINVAL;
	if (buf && sz)
		buf[0] = '\0';
	hash_apply(acd->agents, check_agent, &x);
	hash_apply(acd->contacts, check_contact, &x);
	hash_apply(acd->queues, check_queue, &x);
	return x.err;
}
