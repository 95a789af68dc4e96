/* acd/agent.c  Agents: presence, skills, work items and the state machine.
 *
 * An agent's presence is what it asked for (logged in or out; ready or
 * not ready with a reason).  Its work items are the contacts it is offered,
 * talking to, or wrapping up.  The state users see is derived from both
 * (acd.h: BUSY over OFFERED over WRAPUP over presence), recomputed by
 * agent_update() after every change, which emits ACD_EV_AGENT_STATE with
 * the time spent in the old state.  Not ready and log-out asked for while
 * work is in progress are pending: the agent gets no new offers and the
 * change happens when its last work item ends.
 *
 * Capacity: per channel, plus exclusive channels (voice by default) that
 * need the agent free of everything and block everything else.  The mask
 * of channels an agent can take right now (`routable`) decides whether its
 * slots sit in the classes' heaps (route.c).
 *
 * Costs: state changes O(works + slots * log n); skills O(skills) to
 * change, O(log skills) to look up.
 */

#include <errno.h>
#include <string.h>
#include "acd_int.h"

void acd_agent_conf_init(struct acd_agent_conf *conf)
{
	if (!conf)
		return;
	memset(conf, 0, sizeof(*conf));
	conf->cap[ACD_CH_VOICE] = 1;
	conf->cap[ACD_CH_CALLBACK] = 1;
	conf->cap[ACD_CH_OUTBOUND] = 1;
	conf->cap[ACD_CH_CHAT] = 3;
	conf->cap[ACD_CH_EMAIL] = 2;
	conf->exclusive = acd_bit(ACD_CH_VOICE) | acd_bit(ACD_CH_CALLBACK) |
		acd_bit(ACD_CH_OUTBOUND);
	conf->max_missed = 3;
}

static uint32_t agent_hkey(const void *data)
{
	return hash_joaat_str(((const struct acd_agent *)data)->id);
}

static void agent_destructor(void *arg)
{
	struct acd_agent *a = arg;

	mem_deref(a->id);
	mem_deref(a->skills);
	mem_deref(a->refs);
}

/**
 * Create an agent, logged out.
 *
 * @return 0, EINVAL, EEXIST or ENOMEM
 */
int acd_agent_add(struct acd_agent **ap, struct acd *acd, const char *id,
		  const struct acd_agent_conf *conf)
{
	struct acd_agent_conf def;
	struct acd_agent *a;
	unsigned total = 0;
	int err;

	if (!acd)
		return EINVAL;
	if (!id || !*id || strlen(id) > ACD_ID_MAX)
		return acd_fail(acd, EINVAL, "agent: id must be 1 to %d bytes",
				ACD_ID_MAX);
	if (acd_agent_find(acd, id))
		return acd_fail(acd, EEXIST, "agent \"%s\": already exists",
				id);
	if (!conf) {
		acd_agent_conf_init(&def);
		conf = &def;
	}
	for (int ch = 0; ch < ACD_CH_COUNT; ch++) {
		if (conf->cap[ch] > ACD_CAP_MAX)
			return acd_fail(acd, ERANGE, "agent \"%s\": %s capacity"
					" %u is above %d", id,
					acd_channel_name(ch), conf->cap[ch],
					ACD_CAP_MAX);
		total += conf->cap[ch];
	}
	if (!total)
		return acd_fail(acd, EINVAL, "agent \"%s\": zero capacity on "
				"every channel", id);
	if (conf->exclusive >> ACD_CH_COUNT)
		return acd_fail(acd, EINVAL, "agent \"%s\": unknown channel in"
				" exclusive mask", id);
	err = minheap_reserve(&acd->timers, 1);
	if (err)
		return err;
	a = mem_zalloc(sizeof(*a), agent_destructor);
	if (!a) {
		minheap_unreserve(&acd->timers, 1);
		return ENOMEM;
	}
	err = str_dup(&a->id, id);
	if (err) {
		minheap_unreserve(&acd->timers, 1);
		mem_deref(a);
		return err;
	}
	a->acd = acd;
	a->conf = *conf;
	a->reason = -1;
	a->pending_reason = -1;
	a->state = ACD_AGENT_LOGGED_OUT;
	a->state_since = acd->now;
	a->created = acd->now;
	acd_timer_init(&a->rest, ACD_TMR_REST, a);
	hash_append(acd->agents, hash_joaat_str(id), &a->le, a);
	++acd->nagents;
	acd_hash_grow(&acd->agents, acd->nagents, agent_hkey);
	if (ap)
		*ap = a;
	return 0;
}

static bool agent_cmp(struct le *le, void *arg)
{
	const struct acd_agent *a = le->data;

	return !strcmp(a->id, arg);
}

struct acd_agent *acd_agent_find(const struct acd *acd, const char *id)
{
	struct le *le;

	if (!acd || !id)
		return NULL;
	le = hash_lookup(acd->agents, hash_joaat_str(id), agent_cmp,
			 (void *)id);
	return le ? le->data : NULL;
}

const char *acd_agent_id(const struct acd_agent *a)
{
	return a ? a->id : NULL;
}

enum acd_agent_state acd_agent_state(const struct acd_agent *a)
{
	return a ? a->state : ACD_AGENT_LOGGED_OUT;
}

const char *acd_agent_reason(const struct acd_agent *a)
{
	if (!a || a->state != ACD_AGENT_NOT_READY || a->reason < 0)
		return NULL;
	return a->acd->reasons[a->reason];
}

unsigned acd_agent_contacts(const struct acd_agent *a, enum acd_channel ch)
{
	return a && (unsigned)ch < ACD_CH_COUNT ? a->n[ch] : 0;
}

/* Unlink from everything; the memory lives while events hold it. */
void agent_detach(struct acd_agent *a)
{
	struct acd *acd = a->acd;
	struct otree_node *n;
	struct le *le;

	if (a->detached)
		return;
	while ((le = list_head(&a->members))) {
		struct acd_member *m = le->data;

		queue_member_slots_clear(m);
		if (m->counted_in)
			--m->q->nlogged;
		if (m->counted_ready)
			--m->q->nready;
		list_unlink(&m->le_agent);
		list_unlink(&m->le_queue);
		mem_deref(m);
	}
	while ((le = list_head(&a->works))) {
		struct acd_work *w = le->data;

		acd_timer_cancel(acd, &w->tmr);
		minheap_unreserve(&acd->timers, 1);
		list_unlink(&w->le_agent);
		list_unlink(&w->le_contact);
		mem_deref(w);
	}
	while ((le = list_head(&a->sticky))) {
		struct acd_sticky *s = le->data;

		list_unlink(&s->le_agent);
		list_unlink(&s->le_age);
		hash_unlink(&s->le);
		mem_deref(s);
	}
	/* only the engine's teardown finds contacts still waiting for a
	 * detached agent (log-out releases them): no routing here */
	while ((n = otree_first(&a->reserved))) {
		otree_remove(&a->reserved, n);
		container_of(n, struct acd_contact, node)->reserved_for = NULL;
	}
	acd_timer_cancel(acd, &a->rest);
	minheap_unreserve(&acd->timers, 1);
	list_unlink(&a->le_dirty);
	hash_unlink(&a->le);
	--acd->nagents;
	a->detached = true;
}

/**
 * Remove a logged-out agent with no work in progress.
 *
 * @return 0, EINVAL or EBUSY
 */
int acd_agent_remove(struct acd_agent *a)
{
	if (!a || a->detached)
		return EINVAL;
	if (a->logged_in || !list_isempty(&a->works))
		return acd_fail(a->acd, EBUSY, "agent \"%s\": logged in; log "
				"out first", a->id);
	agent_detach(a);
	mem_deref(a);
	return 0;
}

uint8_t agent_level(const struct acd_agent *a, uint16_t skill)
{
	unsigned lo = 0, hi = a->nskills;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (a->skills[mid].skill == skill)
			return a->skills[mid].level;
		if (a->skills[mid].skill < skill)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

bool agent_qualifies(const struct acd_agent *a, const struct acd_class *cls,
		     uint32_t *scorep)
{
	uint32_t score = 0;

	if (!a->conf.cap[cls->ch])
		return false;
	for (unsigned i = 0; i < cls->nreq; i++) {
		uint8_t lvl = agent_level(a, cls->req[i].skill);

		if (lvl < cls->req[i].level)
			return false;
		score += lvl;
	}
	*scorep = score;
	return true;
}

static void release_reserved(struct acd_agent *a)
{
	struct otree_node *n;

	while ((n = otree_first(&a->reserved)))
		contact_unreserve(container_of(n, struct acd_contact, node));
}

/**
 * Set an agent's level in a skill; level 0 removes the skill.  Takes
 * effect for routing at once.
 *
 * @return 0, EINVAL, ENOENT, ERANGE or ENOMEM
 */
int acd_agent_skill_set(struct acd_agent *a, uint16_t skill, uint8_t level)
{
	struct acd *acd;
	unsigned i;
	struct le *le;
	int err = 0;

	if (!a || a->detached)
		return EINVAL;
	acd = a->acd;
	if (skill >= acd->nskills)
		return acd_fail(acd, ENOENT, "agent \"%s\": unknown skill %u",
				a->id, skill);
	if (level > ACD_LEVEL_MAX)
		return acd_fail(acd, ERANGE, "agent \"%s\": skill \"%s\" level"
				" %u is outside %d..%d", a->id,
				acd->skills[skill], level, ACD_LEVEL_MIN,
				ACD_LEVEL_MAX);
	for (i = 0; i < a->nskills && a->skills[i].skill < skill; i++)
		;
	if (i < a->nskills && a->skills[i].skill == skill) {
		if (a->skills[i].level == level)
			return 0;
		if (level) {
			a->skills[i].level = level;
		}
		else {
			memmove(&a->skills[i], &a->skills[i + 1],
				(a->nskills - i - 1) * sizeof(*a->skills));
			--a->nskills;
		}
	}
	else if (level) {
		struct acd_skill_req *v;

		v = mem_reallocarray(a->skills, a->nskills + 1u,
				     sizeof(*v), NULL);
		if (!v)
			return ENOMEM;
		a->skills = v;
		memmove(&v[i + 1], &v[i], (a->nskills - i) * sizeof(*v));
		v[i].skill = skill;
		v[i].level = level;
		++a->nskills;
	}
	else {
		return 0;
	}

	acd_enter(acd, acd->now);
	/* a contact held for this agent may no longer fit it */
	release_reserved(a);
	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;
		int e;

		queue_member_slots_clear(m);
		e = queue_member_slots(m);
		if (e)
			err = e;
	}
	route_agent(a);
	acd_leave(acd);
	return err ? acd_fail(acd, err, "agent \"%s\": out of memory "
			      "re-indexing skills", a->id) : 0;
}

static enum acd_agent_state derive(const struct acd_agent *a)
{
	bool offered = false, wrapup = false;
	struct le *le;

	if (!a->logged_in)
		return ACD_AGENT_LOGGED_OUT;
	LIST_FOREACH(&a->works, le) {
		const struct acd_work *w = le->data;

		if (w->st == ACD_WORK_BUSY)
			return ACD_AGENT_BUSY;
		if (w->st == ACD_WORK_OFFERED)
			offered = true;
		else
			wrapup = true;
	}
	if (offered)
		return ACD_AGENT_OFFERED;
	if (wrapup)
		return ACD_AGENT_WRAPUP;
	return a->ready ? ACD_AGENT_AVAILABLE : ACD_AGENT_NOT_READY;
}

static uint32_t routable_mask(const struct acd_agent *a)
{
	uint32_t mask = 0;

	if (!a->logged_in || !a->ready || a->pending != ACD_PEND_NONE ||
	    a->rest_until > a->acd->now || a->nexcl)
		return 0;
	for (int ch = 0; ch < ACD_CH_COUNT; ch++) {
		if (a->n[ch] >= a->conf.cap[ch])
			continue;
		if ((a->conf.exclusive & acd_bit(ch)) && a->ntotal)
			continue;
		mask |= acd_bit(ch);
	}
	return mask;
}

static void set_state(struct acd_agent *a, enum acd_agent_state st,
		      bool force)
{
	struct acd *acd = a->acd;
	struct acd_event *ev;
	enum acd_agent_state from = a->state;
	uint64_t dur;

	if (st == from && !force)
		return;
	dur = acd->now - a->state_since;
	a->dur[from] += dur;
	a->state = st;
	a->state_since = acd->now;
	ev = acd_emit(acd, ACD_EV_AGENT_STATE, a, NULL, NULL);
	ev->from = from;
	ev->to = st;
	ev->dur_ms = dur;
	if (st == ACD_AGENT_NOT_READY && a->reason >= 0)
		ev->reason = acd->reasons[a->reason];
}

/* Recompute the visible state and the routing mask.  Slots of channels
 * the agent can no longer take leave the heaps at once; adding slots (or
 * re-keying them) waits until route_agent() has looked for work, or the
 * end of the call: an agent that frees up and takes the next contact at
 * once never touches the heaps. */
void agent_update(struct acd_agent *a)
{
	uint32_t mask = routable_mask(a);
	uint32_t lost = a->routable & ~mask;

	set_state(a, derive(a), false);
	if (mask == a->routable && !(mask && a->rekey)) {
		a->rekey = false;
		return;
	}
	a->routable = mask;
	a->rekey = false;
	if (lost)
		route_agent_drop(a);
	if (!mask)
		list_unlink(&a->le_dirty);      /* nothing to insert */
	else if (!a->le_dirty.list)
		list_append(&a->acd->dirty, &a->le_dirty, a);
}

/* Bring the agent's slots in line with its mask and keys now. */
void agent_settle(struct acd_agent *a)
{
	if (!a->le_dirty.list)
		return;
	list_unlink(&a->le_dirty);
	route_agent_sync(a);
}

/* Keep the queues' counts of members logged in and ready up to date.
 * All counts first, then the leave rules: a contact evicted from one
 * queue may overflow into another of this agent's queues, whose count
 * must already be right. */
void agent_presence_counts(struct acd_agent *a)
{
	bool in = a->logged_in;
	bool ready = in && a->ready && a->pending == ACD_PEND_NONE;
	bool dropped = false;
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct acd_member *m = le->data;

		m->dropped = false;
		if (m->counted_in != in) {
			m->q->nlogged += in ? 1 : -1;
			m->counted_in = in;
			m->dropped |= !in;
		}
		if (m->counted_ready != ready) {
			m->q->nready += ready ? 1 : -1;
			m->counted_ready = ready;
			m->dropped |= !ready;
		}
		dropped |= m->dropped;
	}
	if (!dropped)
		return;
	le = list_head(&a->members);
	while (le) {
		struct acd_member *m = le->data;

		le = le->next;
		if (m->dropped) {
			m->dropped = false;
			queue_empty_check(m->q);
		}
	}
}


static void do_logout(struct acd_agent *a)
{
	struct acd *acd = a->acd;

	a->logged_in = false;
	a->ready = false;
	a->reason = -1;
	a->pending = ACD_PEND_NONE;
	a->logged_in_ms += acd->now - a->login_at;
	acd_timer_cancel(acd, &a->rest);
	a->rest_until = 0;
	agent_update(a);
	release_reserved(a);
	agent_presence_counts(a);
}

void agent_go_not_ready(struct acd_agent *a, int reason)
{
	bool same = !a->ready && a->reason == reason;

	a->ready = false;
	a->reason = reason;
	a->pending = ACD_PEND_NONE;
	set_state(a, derive(a), !same);
	a->routable = routable_mask(a);
	route_agent_sync(a);
	release_reserved(a);
	agent_presence_counts(a);
}

/* The agent's last work item ended: apply what it asked for meanwhile. */
void agent_apply_pending(struct acd_agent *a)
{
	if (a->ntotal)
		return;
	switch (a->pending) {

	case ACD_PEND_NOT_READY:
		agent_go_not_ready(a, a->pending_reason);
		break;

	case ACD_PEND_LOGOUT:
		do_logout(a);
		break;

	default:
		break;
	}
}

/**
 * Log an agent in, ready or not ready.
 *
 * @return 0, EINVAL or EALREADY
 */
int acd_agent_login(struct acd_agent *a, bool ready, uint64_t now)
{
	struct acd *acd;

	if (!a || a->detached)
		return EINVAL;
	acd = a->acd;
	if (a->logged_in)
		return acd_fail(acd, EALREADY, "agent \"%s\": already logged "
				"in", a->id);
	acd_enter(acd, now);
	a->logged_in = true;
	a->ready = ready;
	a->reason = -1;
	a->pending = ACD_PEND_NONE;
	a->login_at = acd->now;
	a->idle_since = acd->now;
	a->rekey = true;
	a->missed = 0;
	agent_update(a);
	agent_presence_counts(a);
	route_agent(a);
	acd_leave(acd);
	return 0;
}

/**
 * Make an agent ready; cancels a pending not-ready or log-out.
 *
 * @return 0, EINVAL, EPERM (logged out) or EALREADY
 */
int acd_agent_ready(struct acd_agent *a, uint64_t now)
{
	struct acd *acd;

	if (!a || a->detached)
		return EINVAL;
	acd = a->acd;
	if (!a->logged_in)
		return acd_fail(acd, EPERM, "agent \"%s\": logged out; log in"
				" first", a->id);
	if (a->ready && a->pending == ACD_PEND_NONE)
		return acd_fail(acd, EALREADY, "agent \"%s\": already ready",
				a->id);
	acd_enter(acd, now);
	if (!a->ready) {
		a->ready = true;
		a->reason = -1;
		a->missed = 0;
		if (!a->ntotal)
			a->idle_since = acd->now;
		a->rekey = true;
	}
	a->pending = ACD_PEND_NONE;
	agent_update(a);
	agent_presence_counts(a);
	route_agent(a);
	acd_leave(acd);
	return 0;
}

static int reason_find(const struct acd *acd, const char *name)
{
	for (int i = 0; i < acd->nreasons; i++)
		if (!strcmp(acd->reasons[i], name))
			return i;
	return -1;
}

/**
 * Make an agent not ready, with a registered reason (or NULL).  With work
 * in progress it takes effect when the last work item ends; meanwhile the
 * agent gets no new offers.
 *
 * @return 0, EINVAL, ENOENT (reason), EPERM (logged out) or EALREADY
 */
int acd_agent_not_ready(struct acd_agent *a, const char *reason,
			uint64_t now)
{
	struct acd *acd;
	int r = -1;

	if (!a || a->detached)
		return EINVAL;
	acd = a->acd;
	if (reason) {
		r = reason_find(acd, reason);
		if (r < 0)
			return acd_fail(acd, ENOENT, "agent \"%s\": unknown "
					"not-ready reason \"%s\"", a->id,
					reason);
	}
	if (!a->logged_in)
		return acd_fail(acd, EPERM, "agent \"%s\": logged out; log in"
				" first", a->id);
	if (a->ntotal) {
		if (a->pending == ACD_PEND_NOT_READY && a->pending_reason == r)
			return acd_fail(acd, EALREADY, "agent \"%s\": already"
					" going not ready", a->id);
		acd_enter(acd, now);
		a->pending = ACD_PEND_NOT_READY;
		a->pending_reason = r;
		agent_update(a);
		release_reserved(a);
		agent_presence_counts(a);
		acd_leave(acd);
		return 0;
	}
	if (!a->ready && a->reason == r)
		return acd_fail(acd, EALREADY, "agent \"%s\": already not "
				"ready", a->id);
	acd_enter(acd, now);
	agent_go_not_ready(a, r);
	acd_leave(acd);
	return 0;
}

/**
 * Log an agent out; with work in progress, when the last item ends.
 *
 * @return 0, EINVAL or EALREADY
 */
int acd_agent_logout(struct acd_agent *a, uint64_t now)
{
	struct acd *acd;

	if (!a || a->detached)
		return EINVAL;
	acd = a->acd;
	if (!a->logged_in || a->pending == ACD_PEND_LOGOUT)
		return acd_fail(acd, EALREADY, "agent \"%s\": already logged "
				"out", a->id);
	acd_enter(acd, now);
	if (a->ntotal) {
		a->pending = ACD_PEND_LOGOUT;
		agent_update(a);
		release_reserved(a);
		agent_presence_counts(a);
	}
	else {
		do_logout(a);
	}
	acd_leave(acd);
	return 0;
}

/* Drop a work item from its agent (and contact); the agent's state is
 * updated, routing is the caller's. */
void agent_work_remove(struct acd_work *w)
{
	struct acd_agent *a = w->a;
	struct acd *acd = a->acd;

	acd_timer_cancel(acd, &w->tmr);
	minheap_unreserve(&acd->timers, 1);
	list_unlink(&w->le_agent);
	list_unlink(&w->le_contact);
	--a->n[w->ch];
	--a->ntotal;
	if (a->conf.exclusive & acd_bit(w->ch))
		--a->nexcl;
	mem_deref(w);
	if (!a->ntotal)
		a->idle_since = acd->now;
	a->rekey = true;
	if (!a->ntotal && a->pending != ACD_PEND_NONE)
		agent_apply_pending(a);  /* straight there: no 0 ms available */
	else
		agent_update(a);
}

void agent_wrapup_finish(struct acd_work *w)
{
	struct acd_agent *a = w->a;
	struct acd_contact *c = w->c;
	struct acd *acd = a->acd;
	struct acd_event *ev;
	uint64_t dur = acd->now - w->since;

	ev = acd_emit(acd, ACD_EV_WRAPUP_ENDED, a, c, w->q);
	ev->dur_ms = dur;
	if (!w->q->detached)
		queue_aht_note(w->q, w->talk_ms + dur);
	agent_work_remove(w);
	route_agent(a);
}

static int wrapup_each(struct acd_agent *a, struct acd_contact *c,
		       uint32_t extra_ms, bool end)
{
	struct le *le = list_head(&a->works);
	int n = 0;

	while (le) {
		struct acd_work *w = le->data;

		le = le->next;
		if (w->st != ACD_WORK_WRAPUP || (c && w->c != c))
			continue;
		++n;
		if (end) {
			agent_wrapup_finish(w);
		}
		else {
			w->wrapup_due += extra_ms;
			acd_timer_arm(a->acd, &w->tmr, w->wrapup_due);
		}
	}
	return n;
}

/**
 * End an agent's wrap-up early: for contact `c`, or all when c is NULL.
 *
 * @return 0, EINVAL or EPERM (not in wrap-up)
 */
int acd_agent_wrapup_end(struct acd_agent *a, struct acd_contact *c,
			 uint64_t now)
{
	int n;

	if (!a || a->detached)
		return EINVAL;
	acd_enter(a->acd, now);
	n = wrapup_each(a, c, 0, true);
	acd_leave(a->acd);
	return n ? 0 : acd_fail(a->acd, EPERM, "agent \"%s\": not in "
				"wrap-up", a->id);
}

/**
 * Extend an agent's wrap-up by extra_ms: for contact `c`, or all.
 *
 * @return 0, EINVAL or EPERM (not in wrap-up)
 */
int acd_agent_wrapup_extend(struct acd_agent *a, struct acd_contact *c,
			    uint32_t extra_ms, uint64_t now)
{
	int n;

	if (!a || a->detached || !extra_ms)
		return EINVAL;
	acd_enter(a->acd, now);
	n = wrapup_each(a, c, extra_ms, false);
	acd_leave(a->acd);
	return n ? 0 : acd_fail(a->acd, EPERM, "agent \"%s\": not in "
				"wrap-up", a->id);
}

void agent_rest_expired(struct acd_agent *a)
{
	a->rest_until = 0;
	agent_update(a);
	route_agent(a);
}

void acd_agent_durations(const struct acd_agent *a, uint64_t now,
			 uint64_t dur[ACD_AGENT_STATE_COUNT])
{
	if (!a || !dur)
		return;
	memcpy(dur, a->dur, sizeof(a->dur));
	if (now > a->state_since)
		dur[a->state] += now - a->state_since;
}

uint64_t acd_agent_logged_in_ms(const struct acd_agent *a, uint64_t now)
{
	if (!a)
		return 0;
	return a->logged_in_ms +
		(a->logged_in && now > a->login_at ? now - a->login_at : 0);
}

static bool sticky_cmp(struct le *le, void *arg)
{
	const struct acd_sticky *s = le->data;

	return !strcmp(s->customer, arg);
}

struct acd_sticky *agent_sticky_find(const struct acd *acd,
				     const char *customer)
{
	struct le *le;

	le = hash_lookup(acd->sticky, hash_joaat_str(customer), sticky_cmp,
			 (void *)customer);
	return le ? le->data : NULL;
}

static void sticky_destructor(void *arg)
{
	struct acd_sticky *s = arg;

	if (s->acd)
		--s->acd->nsticky;
	mem_deref(s->customer);
}

static uint32_t sticky_hkey(const void *data)
{
	return hash_joaat_str(((const struct acd_sticky *)data)->customer);
}

/* Remember who served this customer, and forget entries too old to use. */
void agent_sticky_note(struct acd_agent *a, const char *customer)
{
	struct acd *acd = a->acd;
	struct acd_sticky *s;
	struct le *le;

	if (!customer || !acd->sticky_max_ms)
		return;
	s = agent_sticky_find(acd, customer);
	if (!s) {
		s = mem_zalloc(sizeof(*s), sticky_destructor);
		if (s)
			s->acd = acd;
		if (!s || str_dup(&s->customer, customer)) {
			mem_deref(s);
			return;     /* only a preference is lost */
		}
		hash_append(acd->sticky, hash_joaat_str(customer), &s->le, s);
		++acd->nsticky;
		acd_hash_grow(&acd->sticky, acd->nsticky, sticky_hkey);
	}
	list_unlink(&s->le_agent);
	list_unlink(&s->le_age);
	s->a = a;
	s->at = acd->now;
	list_append(&a->sticky, &s->le_agent, s);
	list_append(&acd->sticky_age, &s->le_age, s);

	while ((le = list_head(&acd->sticky_age))) {
		struct acd_sticky *o = le->data;

		if (o->at + acd->sticky_max_ms >= acd->now)
			break;
		list_unlink(&o->le_agent);
		list_unlink(&o->le_age);
		hash_unlink(&o->le);
		mem_deref(o);
	}
}
