/* acd/route.c  Routing decisions: which agent for a contact, which
 * contact for an agent.
 *
 * See acd_int.h for the classes and the invariant (no class has both a
 * waiting contact and an available slot).  Two entry points keep it:
 *   route_class(cls)  a contact joined the class: offer waiting contacts
 *                     to the top slots while both exist.  O(log n) each.
 *   route_agent(a)    an agent may take more: among the heads of the
 *                     classes it has slots in (and contacts reserved for
 *                     it), offer the most deserving: first by the agent's
 *                     priority for the queue, then by effective contact
 *                     priority (with aging), then by arrival.  O(slots).
 *
 * Slot order in a class (smallest first): the member's priority for the
 * queue, then the best skill match when the queue asks for it, then the
 * strategy's key, then the member's order.  Keys are computed when a slot
 * enters its heap; anything that changes them re-syncs the agent.  Random
 * strategies race exponential clocks: a slot entering the heap gets the
 * class's virtual clock plus Exp(1)/weight, and picking the minimum is a
 * draw in proportion to weight among the slots present (memorylessness).
 */

#include <errno.h>
#include "acd_int.h"

bool route_slot_less(const struct minheap_node *a,
		     const struct minheap_node *b)
{
	const struct acd_slot *x = container_of(a, struct acd_slot, hn);
	const struct acd_slot *y = container_of(b, struct acd_slot, hn);

	for (int i = 0; i < 3; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i];
	return false;
}

static void slot_key(struct acd_slot *s)
{
	const struct acd_member *m = s->m;
	const struct acd_queue *q = m->q;
	struct acd_agent *a = m->a;
	uint64_t k;

	s->key[0] = (uint64_t)m->prio << 32;
	if (q->conf.skill_match)
		s->key[0] |= (uint32_t)(ACD_REQ_MAX * ACD_LEVEL_MAX) -
			s->score;
	switch (q->conf.strategy) {

	case ACD_STRAT_ROUND_ROBIN:
		k = m->last_offer;
		break;

	case ACD_STRAT_FEWEST_CONTACTS:
		k = m->answered;
		break;

	case ACD_STRAT_LEAST_TALK:
		k = a->talk_ms;
		break;

	case ACD_STRAT_LINEAR:
		k = m->order;
		break;

	case ACD_STRAT_RANDOM:
	case ACD_STRAT_WEIGHTED_RANDOM: {
		double w = q->conf.strategy == ACD_STRAT_RANDOM ? 1.0
							       : m->weight;
		k = s->cls->vclock +
			(uint64_t)(acd_rand_exp(a->acd) * 1e9 / w);
		break;
	}

	default:
		k = a->idle_since;
		break;
	}
	s->key[1] = k;
	s->key[2] = m->order;
}

/* Take a slot out of its class's heap, counting it out of its agent's. */
void route_slot_remove(struct acd_slot *s)
{
	if (!minheap_contains(&s->hn))
		return;
	minheap_remove(&s->cls->agents, &s->hn);
	--s->m->a->nheaped;
}

/* Put the slot in its class's heap iff its agent can take the channel. */
void route_slot_sync(struct acd_slot *s)
{
	struct acd_class *cls = s->cls;
	bool want = s->m->a->routable & acd_bit(cls->ch);

	route_slot_remove(s);
	if (!want)
		return;
	slot_key(s);
	(void)minheap_push(&cls->agents, &s->hn);   /* place reserved */
	++s->m->a->nheaped;
}

/* Take out of the heaps the slots whose channel the agent lost. */
void route_agent_drop(struct acd_agent *a)
{
	struct le *le, *ls;

	if (!a->nheaped)
		return;
	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		LIST_FOREACH(&m->slots, ls) {
			struct acd_slot *s = ls->data;

			if (!(a->routable & acd_bit(s->cls->ch)))
				route_slot_remove(s);
		}
	}
}

void route_agent_sync(struct acd_agent *a)
{
	struct le *le, *ls;

	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		LIST_FOREACH(&m->slots, ls)
			route_slot_sync(ls->data);
	}
}

static void work_destructor(void *arg)
{
	struct acd_work *w = arg;

	mem_deref(w->c);
	mem_deref(w->q);
}

/* Offer contact c (queued) to agent a, a member of c's queue. */
void route_offer(struct acd_contact *c, struct acd_agent *a,
		 struct acd_member *m)
{
	struct acd *acd = a->acd;
	struct acd_queue *q = c->q;
	struct acd_work *w;
	struct acd_event *ev;

	w = mem_zalloc(sizeof(*w), work_destructor);
	if (!w || minheap_reserve(&acd->timers, 1)) {
		/* The contact keeps waiting; the agent stays available. */
		mem_deref(w);
		(void)acd_fail(acd, ENOMEM, "contact \"%s\": out of memory "
			       "offering to agent \"%s\"", c->id, a->id);
		return;
	}
	w->a = a;
	w->c = mem_ref(c);
	w->q = mem_ref(q);
	w->st = ACD_WORK_OFFERED;
	w->ch = c->ch;
	w->since = acd->now;
	acd_timer_init(&w->tmr, ACD_TMR_WORK, w);
	list_append(&a->works, &w->le_agent, w);
	list_append(&c->works, &w->le_contact, w);
	++a->n[w->ch];
	++a->ntotal;
	if (a->conf.exclusive & acd_bit(w->ch))
		++a->nexcl;
	m->last_offer = ++acd->offer_seq;
	a->rekey = true;

	if (c->st == ACD_CONTACT_QUEUED) {
		if (c->reserved_for)
			otree_remove(&c->reserved_for->reserved, &c->node);
		else
			otree_remove(&c->cls->waitq, &c->node);
		c->reserved_for = NULL;
		acd_timer_cancel(acd, &c->tmr);
		--q->waiting;
		++q->offered;
		c->st = ACD_CONTACT_OFFERED;
		c->offered_at = acd->now;
	}
	if (q->conf.offer_timeout_ms)
		acd_timer_arm(acd, &w->tmr,
			      acd->now + q->conf.offer_timeout_ms);

	ev = acd_emit(acd, ACD_EV_CONTACT_OFFERED, a, c, q);
	ev->wait_ms = acd->now - c->entered;
	agent_update(a);
}

void route_class(struct acd_class *cls)
{
	struct otree_node *n;
	struct minheap_node *top;

	while ((n = otree_first(&cls->waitq)) &&
	       (top = minheap_top(&cls->agents))) {
		struct acd_contact *c = container_of(n, struct acd_contact,
						     node);
		struct acd_slot *s = container_of(top, struct acd_slot, hn);

		if (cls->q->conf.strategy == ACD_STRAT_RING_ALL) {
			/* Every available qualified agent rings at once, each
			 * once: an agent with room for more (chat) stays
			 * available, so take the slots out first. */
			struct list ring = LIST_INIT;
			struct le *le;

			while ((top = minheap_top(&cls->agents))) {
				s = container_of(top, struct acd_slot, hn);
				route_slot_remove(s);
				list_append(&ring, &s->le_ring, s);
			}
			while ((le = list_head(&ring))) {
				s = le->data;
				list_unlink(le);
				route_offer(c, s->m->a, s->m);
				agent_settle(s->m->a);
			}
			continue;
		}
		if (cls->q->conf.strategy == ACD_STRAT_RANDOM ||
		    cls->q->conf.strategy == ACD_STRAT_WEIGHTED_RANDOM)
			cls->vclock = s->key[1];
		route_offer(c, s->m->a, s->m);
		/* still available (room for more): re-key it before the next */
		agent_settle(s->m->a);
	}
}

/* Rebuild the agent's array of slots; on ENOMEM it stays stale and
 * route_agent() walks the lists instead. */
static void refs_build(struct acd_agent *a)
{
	struct acd_slotref *v;
	struct le *le, *ls;
	uint32_t n = 0;

	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		n += list_count(&m->slots);
	}
	if (n > a->nrefs || !a->refs) {
		v = mem_reallocarray(a->refs, n ? n : 1, sizeof(*v), NULL);
		if (!v)
			return;
		a->refs = v;
	}
	n = 0;
	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		LIST_FOREACH(&m->slots, ls) {
			struct acd_slot *s = ls->data;

			a->refs[n].cls = s->cls;
			a->refs[n].m = m;
			a->refs[n].prio = m->prio;
			++n;
		}
	}
	a->nrefs = n;
	a->refs_stale = false;
}

struct pick {
	const struct otree_node *node;
	struct acd_class *cls;
	struct acd_member *m;
	uint8_t prio;
	double eff;
};

/* Effective priority of a class head from its ordering key alone:
 * k1 = -prio without aging, arrived - prio * aging with it. */
static double head_eff(const struct acd_class *cls,
		       const struct otree_node *n, uint64_t now)
{
	if (!cls->aging_ms)
		return (double)-n->k1;
	return ((double)now - (double)n->k1) / cls->aging_ms;
}

/* Consider the head of cls, reached through member m. */
static void consider(struct pick *p, struct acd_class *cls,
		     struct acd_member *m, uint8_t prio, uint32_t mask,
		     uint64_t now)
{
	const struct otree_node *n;
	double eff;

	if (!(mask & acd_bit(cls->ch)))
		return;
	n = otree_first(&cls->waitq);
	if (!n)
		return;
	if (p->node) {
		if (prio != p->prio) {
			if (prio > p->prio)
				return;
		}
		else {
			eff = head_eff(cls, n, now);
			if (eff < p->eff ||
			    (eff == p->eff && n->k2 > p->node->k2))
				return;
			p->eff = eff;
			goto take;
		}
	}
	p->eff = head_eff(cls, n, now);
 take:
	p->node = n;
	p->cls = cls;
	p->m = m;
	p->prio = prio;
}

void route_agent(struct acd_agent *a)
{
	struct acd *acd = a->acd;

	while (a->routable && !a->detached) {
		struct pick p = {0};
		struct otree_node *n;
		struct le *le, *ls;

		/* Contacts waiting for this agent (sticky) come first. */
		n = otree_first(&a->reserved);
		if (n) {
			struct acd_contact *c;
			struct acd_member *bm;

			c = container_of(n, struct acd_contact, node);
			bm = queue_member_find(a, c->q);
			if (!bm) {
				contact_unreserve(c);
				continue;
			}
			if (a->routable & acd_bit(c->ch)) {
				route_offer(c, a, bm);
				continue;
			}
		}
		if (a->refs_stale)
			refs_build(a);
		if (!a->refs_stale) {
			for (uint32_t i = 0; i < a->nrefs; i++)
				consider(&p, a->refs[i].cls, a->refs[i].m,
					 a->refs[i].prio, a->routable,
					 acd->now);
		}
		else {
			LIST_FOREACH(&a->members, le) {
				struct acd_member *m = le->data;

				LIST_FOREACH(&m->slots, ls) {
					struct acd_slot *s = ls->data;

					consider(&p, s->cls, m, m->prio,
						 a->routable, acd->now);
				}
			}
		}
		if (!p.node)
			break;
		route_offer(container_of(p.node, struct acd_contact, node),
			    a, p.m);
	}
	agent_settle(a);
}
