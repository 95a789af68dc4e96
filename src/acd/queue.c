/* acd/queue.c  Queues, their classes of waiting contacts, memberships.
 *
 * A class holds the contacts of one channel with one set of skill
 * requirements (sorted, one level per skill), and a slot for each member
 * agent qualified for it.  Classes are made when a contact needs one;
 * making one scans the queue's members, O(members).  Lookup scans the
 * queue's classes, O(classes), which stay few: distinct requirement sets
 * times relaxation stages.  Above QUEUE_CLASS_SOFT classes, unused ones are
 * freed when a new one is needed.
 *
 * Memberships link an agent to a queue with its priority there, weight
 * and order; each member owns the slots of the classes it qualifies for.
 * The queue counts members logged in and ready, which the join and leave
 * rules read in O(1).
 */

#include <errno.h>
#include <string.h>
#include "acd_int.h"

enum { QUEUE_CLASS_SOFT = 64 };

void acd_queue_conf_init(struct acd_queue_conf *conf)
{
	if (!conf)
		return;
	memset(conf, 0, sizeof(*conf));
	conf->strategy = ACD_STRAT_LONGEST_IDLE;
	conf->sl_target_ms = 20000;
	conf->sl_percent = 80;
	conf->empty_action = ACD_OVF_DISCONNECT;
	conf->missed_delay_ms = 2000;
}

static int conf_check(struct acd *acd, const char *id,
		      const struct acd_queue_conf *c, const struct acd_queue *q)
{
	if ((unsigned)c->strategy >= ACD_STRAT_COUNT)
		return acd_fail(acd, EINVAL, "queue \"%s\": unknown strategy",
				id);
	if (c->sl_percent > 100)
		return acd_fail(acd, ERANGE, "queue \"%s\": service level %u%%"
				" is above 100%%", id, c->sl_percent);
	if ((unsigned)c->overflow >= ACD_OVF_COUNT ||
	    (unsigned)c->empty_action >= ACD_OVF_COUNT)
		return acd_fail(acd, EINVAL, "queue \"%s\": unknown overflow "
				"action", id);
	if ((unsigned)c->join >= ACD_EMPTY_COUNT ||
	    (unsigned)c->leave >= ACD_EMPTY_COUNT)
		return acd_fail(acd, EINVAL, "queue \"%s\": unknown join or "
				"leave rule", id);
	if ((c->overflow == ACD_OVF_QUEUE ||
	     c->empty_action == ACD_OVF_QUEUE) &&
	    (!c->overflow_queue || c->overflow_queue == q ||
	     c->overflow_queue->acd != acd || c->overflow_queue->detached))
		return acd_fail(acd, EINVAL, "queue \"%s\": overflow to a "
				"queue needs another queue of this engine",
				id);
	if (c->nrelax > ACD_RELAX_MAX)
		return acd_fail(acd, ENOSPC, "queue \"%s\": more than %d "
				"relaxation rules", id, ACD_RELAX_MAX);
	for (unsigned i = 0; i < c->nrelax; i++) {
		const struct acd_relax *r = &c->relax[i];

		if (i && r->after_ms < c->relax[i - 1].after_ms)
			return acd_fail(acd, EINVAL, "queue \"%s\": relaxation "
					"rule %u is earlier than the one "
					"before it", id, i + 1);
		if (!r->all && r->skill >= acd->nskills)
			return acd_fail(acd, ENOENT, "queue \"%s\": relaxation "
					"rule %u names unknown skill %u",
					id, i + 1, r->skill);
		if (r->level > ACD_LEVEL_MAX)
			return acd_fail(acd, ERANGE, "queue \"%s\": relaxation "
					"rule %u: level %u is above %d",
					id, i + 1, r->level, ACD_LEVEL_MAX);
	}
	return 0;
}

static void queue_destructor(void *arg)
{
	struct acd_queue *q = arg;

	mem_deref(q->id);
}

/**
 * Create a queue.
 *
 * @return 0, EINVAL, EEXIST, ENOENT, ERANGE, ENOSPC or ENOMEM
 */
int acd_queue_add(struct acd_queue **qp, struct acd *acd, const char *id,
		  const struct acd_queue_conf *conf)
{
	struct acd_queue_conf def;
	struct acd_queue *q;
	int err;

	if (!acd)
		return EINVAL;
	if (!id || !*id || strlen(id) > ACD_ID_MAX)
		return acd_fail(acd, EINVAL, "queue: id must be 1 to %d "
				"bytes", ACD_ID_MAX);
	if (acd_queue_find(acd, id))
		return acd_fail(acd, EEXIST, "queue \"%s\": already exists",
				id);
	if (!conf) {
		acd_queue_conf_init(&def);
		conf = &def;
	}
	err = conf_check(acd, id, conf, NULL);
	if (err)
		return err;
	q = mem_zalloc(sizeof(*q), queue_destructor);
	if (!q)
		return ENOMEM;
	err = str_dup(&q->id, id);
	if (err) {
		mem_deref(q);
		return err;
	}
	q->acd = acd;
	q->conf = *conf;
	hash_append(acd->queues, hash_joaat_str(id), &q->le, q);
	++acd->nqueues;
	if (q->conf.sticky_ms > acd->sticky_max_ms)
		acd->sticky_max_ms = q->conf.sticky_ms;
	if (qp)
		*qp = q;
	return 0;
}

/* The ordering key depends on aging: re-place every waiting contact.
 * O(n log n), on a settings change only. */
static void rekey_contacts(struct acd_queue *q)
{
	struct le *le;

	LIST_FOREACH(&q->classes, le) {
		struct acd_class *cls = le->data;

		cls->aging_ms = q->conf.aging_ms;
	}
	LIST_FOREACH(&q->present, le) {
		struct acd_contact *c = le->data;
		struct otree *t;

		if (!c->node.in)
			continue;
		t = c->reserved_for ? &c->reserved_for->reserved
				    : &c->cls->waitq;
		otree_remove(t, &c->node);
		c->node.k1 = queue_order_key(q, c);
		otree_insert(t, &c->node);
	}
}

/**
 * Change a queue's settings.  Agents are re-ordered by the new strategy
 * at once; waiting contacts see new timers (relaxation, maximum wait)
 * from their next timer on.
 *
 * @return 0 or the errors of acd_queue_add()
 */
int acd_queue_conf_set(struct acd_queue *q, const struct acd_queue_conf *c)
{
	struct le *le;
	bool aging;
	int err;

	if (!q || !c || q->detached)
		return EINVAL;
	err = conf_check(q->acd, q->id, c, q);
	if (err)
		return err;
	acd_enter(q->acd, q->acd->now);
	aging = q->conf.aging_ms != c->aging_ms;
	q->conf = *c;
	if (aging)
		rekey_contacts(q);
	if (c->sticky_ms > q->acd->sticky_max_ms)
		q->acd->sticky_max_ms = c->sticky_ms;
	LIST_FOREACH(&q->members, le) {
		struct acd_member *m = le->data;

		route_agent_sync(m->a);
	}
	LIST_FOREACH(&q->members, le) {
		struct acd_member *m = le->data;

		route_agent(m->a);
	}
	acd_leave(q->acd);
	return 0;
}

static bool queue_cmp(struct le *le, void *arg)
{
	const struct acd_queue *q = le->data;

	return !strcmp(q->id, arg);
}

struct acd_queue *acd_queue_find(const struct acd *acd, const char *id)
{
	struct le *le;

	if (!acd || !id)
		return NULL;
	le = hash_lookup(acd->queues, hash_joaat_str(id), queue_cmp,
			 (void *)id);
	return le ? le->data : NULL;
}

const char *acd_queue_id(const struct acd_queue *q)
{
	return q ? q->id : NULL;
}

const struct acd_queue_conf *acd_queue_conf(const struct acd_queue *q)
{
	return q ? &q->conf : NULL;
}

static bool overflow_user(struct le *le, void *arg)
{
	const struct acd_queue *o = le->data;

	return o != arg && (o->conf.overflow_queue == arg);
}

/**
 * Remove a queue that has no members, no live contacts and is no other
 * queue's overflow target.
 *
 * @return 0, EINVAL or EBUSY
 */
int acd_queue_remove(struct acd_queue *q)
{
	struct acd *acd;
	struct le *le;

	if (!q || q->detached)
		return EINVAL;
	acd = q->acd;
	if (!list_isempty(&q->members) || q->live)
		return acd_fail(acd, EBUSY, "queue \"%s\": has members or "
				"contacts; remove them first", q->id);
	le = hash_apply(acd->queues, overflow_user, q);
	if (le)
		return acd_fail(acd, EBUSY, "queue \"%s\": queue \"%s\" "
				"overflows to it", q->id,
				((struct acd_queue *)le->data)->id);
	queue_detach(q);
	mem_deref(q);
	return 0;
}

static void class_free(struct acd_class *cls)
{
	struct le *le;

	while ((le = list_head(&cls->slots))) {
		struct acd_slot *s = le->data;

		s->m->a->refs_stale = true;
		route_slot_remove(s);
		list_unlink(&s->le_class);
		list_unlink(&s->le_member);
		mem_deref(s);
	}
	list_unlink(&cls->le);
	minheap_reset(&cls->agents);
	--cls->q->nclasses;
	mem_deref(cls);
}

void queue_detach(struct acd_queue *q)
{
	struct le *le;

	if (q->detached)
		return;
	while ((le = list_head(&q->members))) {
		struct acd_member *m = le->data;

		queue_member_slots_clear(m);
		list_unlink(&m->le_agent);
		list_unlink(&m->le_queue);
		mem_deref(m);
	}
	while ((le = list_head(&q->classes)))
		class_free(le->data);
	hash_unlink(&q->le);
	--q->acd->nqueues;
	q->detached = true;
}

void acd_queue_stats(const struct acd_queue *q, struct acd_queue_stats *st)
{
	struct le *le;

	if (!q || !st)
		return;
	memset(st, 0, sizeof(*st));
	st->waiting = q->waiting;
	st->offered = q->offered;
	st->connected = q->connected;
	st->agents_logged_in = q->nlogged;
	st->agents_ready = q->nready;
	st->entered = q->entered;
	st->answered = q->answered;
	st->answered_in_sl = q->answered_in_sl;
	st->abandoned = q->abandoned;
	st->overflowed = q->overflowed;
	st->aht_ms = q->aht_ms;
	st->oldest_since = UINT64_MAX;
	le = list_head(&q->present);
	if (le)
		st->oldest_since = ((struct acd_contact *)le->data)->entered;
}

void queue_aht_note(struct acd_queue *q, uint64_t handle_ms)
{
	/* Exponentially weighted, about the last 128 contacts: shorter
	 * windows made estimated waits noisier in the simulator. */
	if (!q->aht_ms)
		q->aht_ms = handle_ms ? handle_ms : 1;
	else
		q->aht_ms = (q->aht_ms * 127 + handle_ms) / 128;
}

int64_t queue_order_key(const struct acd_queue *q,
			const struct acd_contact *c)
{
	if (q->conf.aging_ms)
		return (int64_t)c->arrived -
			(int64_t)c->prio * (int64_t)q->conf.aging_ms;
	return -(int64_t)c->prio;
}

/* Classes */

static bool class_matches(const struct acd_class *cls, enum acd_channel ch,
			  const struct acd_skill_req *req, unsigned nreq)
{
	if (cls->ch != ch || cls->nreq != nreq)
		return false;
	for (unsigned i = 0; i < nreq; i++)
		if (cls->req[i].skill != req[i].skill ||
		    cls->req[i].level != req[i].level)
			return false;
	return true;
}

static void slot_destructor(void *arg)
{
	struct acd_slot *s = arg;

	minheap_unreserve(&s->cls->agents, 1);
}

static int slot_add(struct acd_member *m, struct acd_class *cls,
		    uint32_t score)
{
	struct acd_slot *s;
	int err;

	err = minheap_reserve(&cls->agents, 1);
	if (err)
		return err;
	s = mem_zalloc(sizeof(*s), slot_destructor);
	if (!s) {
		minheap_unreserve(&cls->agents, 1);
		return ENOMEM;
	}
	s->hn.idx = MINHEAP_NONE;
	s->cls = cls;
	s->m = m;
	s->score = score;
	list_append(&cls->slots, &s->le_class, s);
	list_append(&m->slots, &s->le_member, s);
	m->a->refs_stale = true;
	route_slot_sync(s);
	return 0;
}

static void class_gc(struct acd_queue *q)
{
	struct le *le = list_head(&q->classes);

	while (le && q->nclasses >= QUEUE_CLASS_SOFT) {
		struct acd_class *cls = le->data;

		le = le->next;
		if (!cls->ncontacts && !otree_count(&cls->waitq))
			class_free(cls);
	}
}

/**
 * Find or make the class for (channel, requirements) in a queue and count
 * one more contact in it.  `req` must be normalised (sorted by skill).
 *
 * @return 0 or ENOMEM
 */
int queue_class_get(struct acd_class **clsp, struct acd_queue *q,
		    enum acd_channel ch, const struct acd_skill_req *req,
		    unsigned nreq)
{
	struct acd_class *cls;
	struct le *le;
	int err = 0;

	LIST_FOREACH(&q->classes, le) {
		cls = le->data;
		if (class_matches(cls, ch, req, nreq))
			goto out;
	}
	if (q->nclasses >= QUEUE_CLASS_SOFT)
		class_gc(q);
	cls = mem_zalloc(sizeof(*cls), NULL);
	if (!cls)
		return ENOMEM;
	cls->q = q;
	cls->ch = ch;
	cls->aging_ms = q->conf.aging_ms;
	cls->nreq = (uint8_t)nreq;
	memcpy(cls->req, req, nreq * sizeof(*req));
	minheap_init(&cls->agents, route_slot_less);
	list_append(&q->classes, &cls->le, cls);
	++q->nclasses;
	LIST_FOREACH(&q->members, le) {
		struct acd_member *m = le->data;
		uint32_t score;

		if (!agent_qualifies(m->a, cls, &score))
			continue;
		err = slot_add(m, cls, score);
		if (err) {
			class_free(cls);
			return err;
		}
	}
 out:
	++cls->ncontacts;
	*clsp = cls;
	return 0;
}

void queue_class_put(struct acd_class *cls)
{
	if (cls && cls->ncontacts)
		--cls->ncontacts;
}

/* Make the slots of every class of the member's queue it qualifies for. */
int queue_member_slots(struct acd_member *m)
{
	struct le *le;
	int err;

	LIST_FOREACH(&m->q->classes, le) {
		struct acd_class *cls = le->data;
		uint32_t score;

		if (!agent_qualifies(m->a, cls, &score))
			continue;
		err = slot_add(m, cls, score);
		if (err) {
			queue_member_slots_clear(m);
			return err;
		}
	}
	return 0;
}

void queue_member_slots_clear(struct acd_member *m)
{
	struct le *le;

	m->a->refs_stale = true;
	while ((le = list_head(&m->slots))) {
		struct acd_slot *s = le->data;

		route_slot_remove(s);
		list_unlink(&s->le_class);
		list_unlink(&s->le_member);
		mem_deref(s);
	}
}

static bool rule_met(enum acd_empty_rule rule, const struct acd_queue *q)
{
	switch (rule) {

	case ACD_EMPTY_LOGGED_IN:
		return q->nlogged > 0;

	case ACD_EMPTY_READY:
		return q->nready > 0;

	default:
		return true;
	}
}

bool queue_may_join(const struct acd_queue *q)
{
	return rule_met(q->conf.join, q);
}

bool queue_may_stay(const struct acd_queue *q)
{
	return rule_met(q->conf.leave, q);
}

/* Leave rule: when nobody can serve, waiting contacts must go. */
void queue_empty_check(struct acd_queue *q)
{
	struct le *le;

	if (queue_may_stay(q))
		return;
	LIST_FOREACH(&q->classes, le) {
		struct acd_class *cls = le->data;
		struct otree_node *n;

		if (cls->ch == ACD_CH_CALLBACK)
			continue;   /* nobody is holding the line */
		while ((n = otree_first(&cls->waitq))) {
			struct acd_contact *c;

			c = container_of(n, struct acd_contact, node);
			contact_overflow(c, ACD_OVR_NO_AGENTS,
					 q->conf.empty_action);
		}
	}
	/* Contacts waiting for one agent (sticky) are in no class.  Moving
	 * one on may change this list: start over each time; they are few. */
 restart:
	LIST_FOREACH(&q->present, le) {
		struct acd_contact *c = le->data;

		if (c->st == ACD_CONTACT_QUEUED && c->reserved_for &&
		    c->ch != ACD_CH_CALLBACK) {
			contact_overflow(c, ACD_OVR_NO_AGENTS,
					 q->conf.empty_action);
			goto restart;
		}
	}
}

/* Memberships */

void acd_member_conf_init(struct acd_member_conf *conf)
{
	if (!conf)
		return;
	conf->priority = 1;
	conf->weight = 1;
	conf->order = 0;
}

static struct acd_member *member_find(const struct acd_agent *a,
				      const struct acd_queue *q)
{
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		if (m->q == q)
			return m;
	}
	return NULL;
}

struct acd_member *queue_member_find(const struct acd_agent *a,
				     const struct acd_queue *q)
{
	return member_find(a, q);
}

/**
 * Make an agent a member of a queue.
 *
 * @return 0, EINVAL, ERANGE, EEXIST or ENOMEM
 */
int acd_member_add(struct acd_agent *a, struct acd_queue *q,
		   const struct acd_member_conf *conf)
{
	struct acd_member_conf def;
	struct acd_member *m;
	struct acd *acd;
	int err;

	if (!a || !q || a->detached || q->detached || a->acd != q->acd)
		return EINVAL;
	acd = a->acd;
	if (!conf) {
		acd_member_conf_init(&def);
		conf = &def;
	}
	if (conf->priority < 1 || conf->weight < 1)
		return acd_fail(acd, ERANGE, "agent \"%s\" in queue \"%s\": "
				"priority and weight must be at least 1",
				a->id, q->id);
	if (member_find(a, q))
		return acd_fail(acd, EEXIST, "agent \"%s\": already a member "
				"of queue \"%s\"", a->id, q->id);
	m = mem_zalloc(sizeof(*m), NULL);
	if (!m)
		return ENOMEM;
	m->a = a;
	m->q = q;
	m->prio = conf->priority;
	m->weight = conf->weight;
	m->order = conf->order ? conf->order : ++acd->member_seq;
	list_append(&a->members, &m->le_agent, m);
	list_append(&q->members, &m->le_queue, m);
	err = queue_member_slots(m);
	if (err) {
		list_unlink(&m->le_agent);
		list_unlink(&m->le_queue);
		mem_deref(m);
		return err;
	}
	acd_enter(acd, acd->now);
	agent_presence_counts(a);
	route_agent(a);
	acd_leave(acd);
	return 0;
}

/**
 * Take an agent out of a queue.  Contacts it is handling go on.
 *
 * @return 0, EINVAL or ENOENT
 */
int acd_member_remove(struct acd_agent *a, struct acd_queue *q)
{
	struct acd_member *m;

	if (!a || !q)
		return EINVAL;
	m = member_find(a, q);
	if (!m)
		return acd_fail(a->acd, ENOENT, "agent \"%s\": not a member "
				"of queue \"%s\"", a->id, q->id);
	acd_enter(a->acd, a->acd->now);
	queue_member_slots_clear(m);
	if (m->counted_in)
		--q->nlogged;
	if (m->counted_ready)
		--q->nready;
	list_unlink(&m->le_agent);
	list_unlink(&m->le_queue);
	mem_deref(m);
	queue_empty_check(q);
	acd_leave(a->acd);
	return 0;
}
