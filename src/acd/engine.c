/* acd/engine.c  The engine object: registries, clock, timers, events.
 *
 * Clock.  Every public call enters through acd_enter(now): time is clamped
 * to be monotonic, then every timer due by `now` fires in due order with
 * the engine's clock set to its due time, so events carry exact times even
 * when the caller ticks late.  acd_leave() delivers pending events once the
 * outermost call is done.
 *
 * Timers.  One min-heap of struct acd_timer embedded in contacts, works
 * and agents; arming never allocates (a place is reserved when the owner
 * is created).  O(log n) arm, cancel and fire.
 *
 * Events.  acd_emit() appends to a growing array and takes a reference on
 * the objects named, so an object removed before delivery stays readable.
 * Delivery copies each event out before calling the handler, which may
 * call back into the engine and append more; they are delivered in order
 * by the same loop.  Cost O(1) amortised per event.
 */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <math.h>
#include "acd_int.h"

static bool timer_less(const struct minheap_node *a,
		       const struct minheap_node *b)
{
	const struct acd_timer *x = (const void *)a, *y = (const void *)b;

	return x->due < y->due || (x->due == y->due && x->seq < y->seq);
}

static bool detach_agent(struct le *le, void *arg)
{
	struct acd_agent *a = le->data;
	(void)arg;

	agent_detach(a);
	mem_deref(a);
	return false;
}

static bool detach_contact(struct le *le, void *arg)
{
	struct acd_contact *c = le->data;
	(void)arg;

	contact_detach(c);
	mem_deref(c);
	return false;
}

static bool detach_queue(struct le *le, void *arg)
{
	struct acd_queue *q = le->data;
	(void)arg;

	queue_detach(q);
	mem_deref(q);
	return false;
}

static bool free_sticky(struct le *le, void *arg)
{
	struct acd_sticky *s = le->data;
	(void)arg;

	list_unlink(&s->le_agent);
	list_unlink(&s->le_age);
	hash_unlink(&s->le);
	mem_deref(s);
	return false;
}

static void ev_release(struct acd_event *ev)
{
	mem_deref(ev->agent);
	mem_deref(ev->contact);
	mem_deref(ev->queue);
	mem_deref(ev->target);
}

static void destructor(void *arg)
{
	struct acd *acd = arg;

	hash_apply(acd->sticky, free_sticky, NULL);
	hash_apply(acd->agents, detach_agent, NULL);
	hash_apply(acd->contacts, detach_contact, NULL);
	hash_apply(acd->queues, detach_queue, NULL);
	for (size_t i = acd->evhead; i < acd->evn; i++)
		ev_release(&acd->evq[i]);
	mem_deref(acd->evq);
	minheap_reset(&acd->timers);
	mem_deref(acd->agents);
	mem_deref(acd->queues);
	mem_deref(acd->contacts);
	mem_deref(acd->sticky);
	for (unsigned i = 0; i < acd->nskills; i++)
		mem_deref(acd->skills[i]);
	for (int i = 0; i < acd->nreasons; i++)
		mem_deref(acd->reasons[i]);
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * Create an engine.
 *
 * @param acdp  Receives the engine; release it with mem_deref()
 * @param conf  Optional configuration (NULL: defaults)
 * @param eh    Event handler (may be NULL)
 * @param arg   Handler argument
 *
 * @return 0, EINVAL or ENOMEM
 */
int acd_alloc(struct acd **acdp, const struct acd_conf *conf,
	      acd_event_h *eh, void *arg)
{
	struct acd *acd;
	uint32_t buckets;
	uint64_t s;
	int err;

	if (!acdp)
		return EINVAL;
	acd = mem_zalloc(sizeof(*acd), destructor);
	if (!acd)
		return ENOMEM;
	if (conf)
		acd->conf = *conf;
	acd->eh = eh;
	acd->arg = arg;
	minheap_init(&acd->timers, timer_less);
	s = acd->conf.seed ? acd->conf.seed : 0x5eed5eed5eedULL;
	for (int i = 0; i < 4; i++)
		acd->rng[i] = splitmix(&s);
	buckets = acd->conf.contact_buckets ? acd->conf.contact_buckets
					    : 4096;
	err  = hash_alloc(&acd->agents, 1024);
	err |= hash_alloc(&acd->queues, 256);
	err |= hash_alloc(&acd->contacts, hash_valid_size(buckets));
	err |= hash_alloc(&acd->sticky, 1024);
	if (err) {
		err = ENOMEM;
		goto out;
	}
	err = acd_reason_add(acd, "missed");
 out:
	if (err)
		mem_deref(acd);
	else
		*acdp = acd;
	return err;
}

/**
 * Keep a hash table's chains short: once it holds more than twice as many
 * entries as buckets, move everything to one four times as large.  O(n)
 * then, so O(1) amortised per insert; on ENOMEM the old table stays.
 */
void acd_hash_grow(struct hash **hp, uint32_t count,
		   uint32_t (*key)(const void *data))
{
	uint32_t bsize = hash_bsize(*hp);
	struct hash *nh;

	if (count <= 2 * bsize || bsize >= (1u << 24))
		return;
	if (hash_alloc(&nh, bsize * 4))
		return;
	for (uint32_t i = 0; i < bsize; i++) {
		struct list *l = hash_list(*hp, i);
		struct le *le;

		while ((le = list_head(l))) {
			void *data = le->data;

			hash_unlink(le);
			hash_append(nh, key(data), le, data);
		}
	}
	mem_deref(*hp);
	*hp = nh;
}

/**
 * Record the message for a failing call and return its error.
 */
int acd_fail(struct acd *acd, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsnprintf(acd->errmsg, sizeof(acd->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *acd_errmsg(const struct acd *acd)
{
	return acd ? acd->errmsg : "no engine";
}

uint64_t acd_now(const struct acd *acd)
{
	return acd ? acd->now : 0;
}

/* xoshiro256** */
uint64_t acd_rand(struct acd *acd)
{
	uint64_t *s = acd->rng;
	uint64_t r = s[1] * 5, t = s[1] << 17;

	r = ((r << 7) | (r >> 57)) * 9;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return r;
}

double acd_rand_exp(struct acd *acd)
{
	double u = ((acd_rand(acd) >> 11) + 1) * 0x1.0p-53;  /* (0, 1] */

	return -log(u);
}

void acd_timer_init(struct acd_timer *t, enum acd_timer_kind kind,
		    void *obj)
{
	t->hn.idx = MINHEAP_NONE;
	t->kind = kind;
	t->obj = obj;
}

void acd_timer_arm(struct acd *acd, struct acd_timer *t, uint64_t due)
{
	t->due = due;
	t->seq = ++acd->seq;
	if (minheap_contains(&t->hn)) {
		minheap_fix(&acd->timers, &t->hn);
		return;
	}
	/* A place was reserved by the timer's owner. */
	(void)minheap_push(&acd->timers, &t->hn);
}

void acd_timer_cancel(struct acd *acd, struct acd_timer *t)
{
	minheap_remove(&acd->timers, &t->hn);
}

uint64_t acd_next_timer(const struct acd *acd)
{
	const struct acd_timer *t;

	if (!acd)
		return UINT64_MAX;
	t = (const void *)minheap_top(&acd->timers);
	return t ? t->due : UINT64_MAX;
}

static void timer_fire(struct acd_timer *t)
{
	switch (t->kind) {

	case ACD_TMR_CONTACT:
		contact_timer_expired(t->obj);
		break;

	case ACD_TMR_WORK:
		work_timer_expired(t->obj);
		break;

	case ACD_TMR_REST:
		agent_rest_expired(t->obj);
		break;
	}
}

static void run_timers(struct acd *acd, uint64_t now)
{
	struct acd_timer *t;

	while ((t = (void *)minheap_top(&acd->timers)) && t->due <= now) {
		minheap_remove(&acd->timers, &t->hn);
		if (t->due > acd->now)
			acd->now = t->due;
		timer_fire(t);
	}
}

static void flush(struct acd *acd)
{
	acd->flushing = true;
	while (acd->evhead < acd->evn) {
		struct acd_event ev = acd->evq[acd->evhead++];

		if (acd->eh)
			acd->eh(&ev, acd->arg);
		ev_release(&ev);
	}
	acd->evhead = acd->evn = 0;
	acd->flushing = false;
}

void acd_enter(struct acd *acd, uint64_t now)
{
	++acd->depth;
	if (now < acd->now)
		now = acd->now;
	run_timers(acd, now);
	acd->now = now;
}

/* Agents whose availability grew during the call look for work and
 * enter the heaps; done at depth 1 so that engine calls made on the way
 * (auto not-ready) do not settle or flush. */
static void settle(struct acd *acd)
{
	struct le *le;

	while ((le = list_head(&acd->dirty))) {
		struct acd_agent *a = le->data;

		list_unlink(&a->le_dirty);
		route_agent_sync(a);
		route_agent(a);
	}
}

void acd_leave(struct acd *acd)
{
	if (acd->depth == 1)
		settle(acd);
	if (--acd->depth == 0 && !acd->flushing)
		flush(acd);
}

/**
 * Fire every timer due by `now` and deliver the events.
 *
 * @return 0 or EINVAL
 */
int acd_tick(struct acd *acd, uint64_t now)
{
	if (!acd)
		return EINVAL;
	acd_enter(acd, now);
	acd_leave(acd);
	return 0;
}

struct acd_event *acd_emit(struct acd *acd, enum acd_event_type type,
			   struct acd_agent *a, struct acd_contact *c,
			   struct acd_queue *q)
{
	struct acd_event *ev;

	if (acd->evn == acd->evcap) {
		size_t cap = acd->evcap ? acd->evcap * 2 : 64;
		struct acd_event *v;

		v = mem_reallocarray(acd->evq, cap, sizeof(*v), NULL);
		if (!v) {
			static struct acd_event sink;

			++acd->ev_dropped;
			memset(&sink, 0, sizeof(sink));
			return &sink;
		}
		acd->evq = v;
		acd->evcap = cap;
	}
	ev = &acd->evq[acd->evn++];
	memset(ev, 0, sizeof(*ev));
	ev->id = ++acd->evid;
	ev->time = acd->now;
	ev->type = type;
	ev->agent = mem_ref(a);
	ev->contact = mem_ref(c);
	ev->queue = mem_ref(q);
	return ev;
}

/**
 * Register a skill.
 *
 * @return 0, EINVAL, EEXIST, ENOSPC or ENOMEM
 */
int acd_skill_add(struct acd *acd, const char *name, uint16_t *idp)
{
	uint16_t id;
	int err;

	if (!acd || !name || !*name || strlen(name) > ACD_ID_MAX)
		return acd ? acd_fail(acd, EINVAL, "skill: bad name") : EINVAL;
	if (acd_skill_find(acd, name, &id) == 0)
		return acd_fail(acd, EEXIST, "skill \"%s\": already exists",
				name);
	if (acd->nskills >= ACD_SKILL_MAX)
		return acd_fail(acd, ENOSPC, "skill \"%s\": more than %d "
				"skills", name, ACD_SKILL_MAX);
	err = str_dup(&acd->skills[acd->nskills], name);
	if (err)
		return err;
	if (idp)
		*idp = acd->nskills;
	++acd->nskills;
	return 0;
}

int acd_skill_find(const struct acd *acd, const char *name, uint16_t *idp)
{
	if (!acd || !name)
		return EINVAL;
	for (uint16_t i = 0; i < acd->nskills; i++) {
		if (!strcmp(acd->skills[i], name)) {
			if (idp)
				*idp = i;
			return 0;
		}
	}
	return ENOENT;
}

const char *acd_skill_name(const struct acd *acd, uint16_t id)
{
	return acd && id < acd->nskills ? acd->skills[id] : NULL;
}

/**
 * Register a not-ready reason ("break", "lunch"...).  "missed" exists
 * from the start: the engine uses it for automatic not-ready.
 *
 * @return 0, EINVAL, EEXIST, ENOSPC or ENOMEM
 */
int acd_reason_add(struct acd *acd, const char *name)
{
	if (!acd || !name || !*name || strlen(name) > ACD_ID_MAX)
		return acd ? acd_fail(acd, EINVAL, "reason: bad name")
			   : EINVAL;
	for (int i = 0; i < acd->nreasons; i++)
		if (!strcmp(acd->reasons[i], name))
			return acd_fail(acd, EEXIST, "reason \"%s\": already "
					"exists", name);
	if (acd->nreasons >= ACD_REASON_MAX)
		return acd_fail(acd, ENOSPC, "reason \"%s\": more than %d "
				"reasons", name, ACD_REASON_MAX);
	return str_dup(&acd->reasons[acd->nreasons++], name);
}

/* Names */

const char *acd_agent_state_name(enum acd_agent_state s)
{
	static const char *n[ACD_AGENT_STATE_COUNT] = {
		"logged-out", "available", "offered", "busy", "wrap-up",
		"not-ready"
	};
	return (unsigned)s < ACD_AGENT_STATE_COUNT ? n[s] : "?";
}

const char *acd_contact_state_name(enum acd_contact_state s)
{
	static const char *n[] = {"queued", "offered", "connected", "ended"};

	return (unsigned)s <= ACD_CONTACT_ENDED ? n[s] : "?";
}

const char *acd_outcome_name(enum acd_outcome o)
{
	static const char *n[ACD_OUT_COUNT] = {
		"none", "completed", "abandoned-queue", "abandoned-ringing",
		"overflowed", "timed-out", "transferred"
	};
	return (unsigned)o < ACD_OUT_COUNT ? n[o] : "?";
}

static const char *strategy_names[ACD_STRAT_COUNT] = {
	"longest-idle", "round-robin", "fewest-contacts", "least-talk",
	"ring-all", "linear", "random", "weighted-random"
};

const char *acd_strategy_name(enum acd_strategy s)
{
	return (unsigned)s < ACD_STRAT_COUNT ? strategy_names[s] : "?";
}

int acd_strategy_parse(const char *name, enum acd_strategy *sp)
{
	if (!name || !sp)
		return EINVAL;
	for (int i = 0; i < ACD_STRAT_COUNT; i++) {
		if (!strcmp(strategy_names[i], name)) {
			*sp = i;
			return 0;
		}
	}
	return ENOENT;
}

static const char *channel_names[ACD_CH_COUNT] = {
	"voice", "callback", "chat", "email", "outbound"
};

const char *acd_channel_name(enum acd_channel ch)
{
	return (unsigned)ch < ACD_CH_COUNT ? channel_names[ch] : "?";
}

int acd_channel_parse(const char *name, enum acd_channel *chp)
{
	if (!name || !chp)
		return EINVAL;
	for (int i = 0; i < ACD_CH_COUNT; i++) {
		if (!strcmp(channel_names[i], name)) {
			*chp = i;
			return 0;
		}
	}
	return ENOENT;
}

const char *acd_event_name(enum acd_event_type t)
{
	static const char *n[ACD_EV_COUNT] = {
		"agent-state", "contact-queued", "contact-offered",
		"offer-missed", "offer-cancelled", "contact-answered",
		"contact-relaxed", "contact-overflow", "contact-callback",
		"contact-transferred", "contact-ended", "wrapup-ended"
	};
	return (unsigned)t < ACD_EV_COUNT ? n[t] : "?";
}

const char *acd_overflow_action_name(enum acd_overflow_action a)
{
	static const char *n[ACD_OVF_COUNT] = {
		"none", "queue", "callback", "voicemail", "disconnect"
	};
	return (unsigned)a < ACD_OVF_COUNT ? n[a] : "?";
}

const char *acd_miss_name(enum acd_miss m)
{
	static const char *n[ACD_MISS_COUNT] = {
		"no-answer", "rejected", "busy", "timeout"
	};
	return (unsigned)m < ACD_MISS_COUNT ? n[m] : "?";
}
