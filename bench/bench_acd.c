/* bench/bench_acd.c  Routing engine (src/acd) at contact-center scale:
 * latency of each routing decision and heap bytes per waiting contact.
 *
 * Never run by `make check`.  Usage: bench_acd --help; how to build and
 * read it: bench/README.md; results: docs/PERFORMANCE.md.
 *
 * Model (public API only, fixed seed).  S skills, Q queues, A agents.
 * Each queue has four skills of its own (a primary, three secondaries)
 * and 3 to 5 requirement classes over them; class 0 is "primary >= 1",
 * which every member has, the others ask one or two of the four skills
 * at level 1 to 6.  Strategies: 70 % longest-idle, the rest round-robin,
 * fewest-contacts, least-talk, linear and weighted-random; a fifth of the
 * queues prefer the best skill match, a tenth age priorities, three
 * tenths have a maximum wait of one hour (so contacts arm timers; none
 * fires within a run), all have a 30 s offer timeout.  Each agent joins 3
 * to 5 queues (a fifth of memberships at priority 2), with each queue's
 * primary skill at level 1..10 and each secondary with probability 1/2.
 * Voice only: one contact makes an agent busy.
 *
 * Two groups.  The engine never lets a class hold both a waiting contact
 * and an available agent, so a contact is routed at once only in a class
 * where nobody waits.  The model is therefore split: the backlog group
 * (90 % of queues and agents) holds the N waiting contacts; the staffed
 * group (10 %, whose agents join only its queues) keeps agents free.
 *
 * Method, for each N of --waiting, on a fresh engine:
 *   1. build, log every agent in; one contact per (queue, class) so that
 *      every class exists (kept if an agent took it, else abandoned);
 *      then contacts until every agent is busy (enqueue + answer);
 *   2. enqueue N waiting contacts into the backlog group and measure the
 *      heap growth (mallinfo2: in-use arena bytes + mmapped blocks) / N;
 *   3. steady state, each loop warmed up (samples / 10) then timed
 *      `samples` times, one clock_gettime(CLOCK_MONOTONIC) pair around
 *      each engine call, the engine's clock advancing 1 ms per iteration:
 *      A  backlog: a random busy agent's contact ends (wrap-up 0) and the
 *         engine offers it the best waiting contact across its queues:
 *         "(a) end -> offer" (or "end -> none" when nothing waits for
 *         it); the offer is answered ("answer"); arrivals keep N waiting
 *         ("enqueue -> wait", or "(b)" when an agent was free);
 *      B  staffed: a contact arrives for a class in which a qualified
 *         agent is available and is offered at once: "(b) enqueue ->
 *         offer"; answered; a random busy staffed agent ends its contact
 *         and finds nothing waiting: "end -> idle";
 *      P  acd_contact_position() of random waiting contacts.
 * --contact-buckets passes acd_conf.contact_buckets through, to see what
 * the size of the engine's contact id hash costs.
 * The event handler copies five fields into a ring; the bench's own
 * bookkeeping runs between the timed calls.  Everything the bench needs
 * is allocated before step 2, so the heap growth is the engine's.
 */

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "libre.h"
#include "acd/acd.h"

/* The engine's self-check (src/acd/check.c), run once per N after the
 * timed loops, outside them. */
int acd_invariants(const struct acd *acd, char *buf, size_t sz);

enum {
	QSKILLS   = 4,     /* skills of a queue */
	CLS_MAX   = 5,     /* requirement classes of a queue */
	AQ_MIN    = 3,     /* queues per agent */
	AQ_MAX    = 5,
	ASK_MAX   = AQ_MAX * QSKILLS,
	NMAX      = 16,    /* values in --waiting */
	RING      = 4096,  /* events recorded per engine call */
	NONE      = 0xffffffffu,
};

static const uint32_t target_p50_ns = 2000;
static const uint32_t target_p99_ns = 20000;
static const uint32_t target_bytes  = 512;

enum op {
	OP_END_OFFER = 0,
	OP_ENQ_OFFER,
	OP_ANSWER,
	OP_ENQ_WAIT,
	OP_END_NONE,
	OP_END_IDLE,
	OP_POSITION,
	OP_COUNT
};

static const char *op_name[OP_COUNT] = {
	"(a) end -> offer waiting",
	"(b) enqueue -> offer",
	"answer",
	"enqueue -> wait",
	"end -> none (backlog)",
	"end -> idle (staffed)",
	"position",
};

static const char *op_key[OP_COUNT] = {
	"end_offer", "enq_offer", "answer", "enq_wait", "end_none",
	"end_idle", "position",
};

struct opts {
	uint32_t agents, queues, skills;
	uint32_t waiting[NMAX];
	unsigned nwaiting;
	uint32_t samples;
	uint64_t seed;
	uint32_t buckets;          /* acd_conf.contact_buckets, 0 default */
};

struct bq {                        /* a queue as the bench made it */
	struct acd_queue *q;
	uint16_t skill[QSKILLS];
	unsigned ncls;
	struct acd_skill_req req[CLS_MAX][2];
	unsigned nreq[CLS_MAX];
	unsigned weight[CLS_MAX];
	unsigned wsum;
};

struct ba {                        /* an agent as the bench made it */
	struct acd_agent *a;
	int grp;                   /* 0 backlog, 1 staffed */
	unsigned nq;
	uint32_t q[AQ_MAX];
	unsigned nsk;
	struct acd_skill_req sk[ASK_MAX];
	struct acd_contact *c;     /* connected contact, else NULL */
};

/* Elements 0..universe-1, O(1) add, delete and uniform pick. */
struct set {
	uint32_t *v;
	uint32_t *pos;
	uint32_t n;
};

struct rec {
	enum acd_event_type type;
	enum acd_agent_state from, to;
	struct acd_agent *a;
	struct acd_contact *c;
};

struct offer {
	uint32_t agent;
	struct acd_contact *c;
};

struct samples {
	uint64_t *v;
	size_t n, cap, dropped;
};

struct dist {
	size_t n;
	uint64_t p50, p90, p99, p999, max;
};

struct result {                    /* one N */
	uint32_t n;
	double bytes_per_contact;
	size_t model_bytes;
	long leak_bytes;
	struct dist st[OP_COUNT];
};

struct bench {
	struct opts o;
	uint64_t rng;
	struct acd *acd;
	uint64_t now;              /* the engine's clock, ms */
	struct bq *q;
	uint32_t nq, nq_backlog;
	struct ba *a;
	uint32_t na, na_backlog;
	struct set busy[2], avail[2], waiting;
	struct acd_contact **ct;   /* by contact number ("c<n>") */
	uint32_t ctcap, nct;
	struct rec ring[RING];
	unsigned nrec;
	bool ring_full;
	struct offer offers[RING];
	unsigned noffer;
	uint64_t unexpected;       /* events the model should not raise */
	uint64_t overflows;
	uint64_t queued_staffed;   /* (b) arrivals that waited instead */
	bool recording;
	struct samples s[OP_COUNT];
};

static void die(const char *what)
{
	fprintf(stderr, "bench_acd: %s\n", what);
	exit(1);
}

static void die_engine(const struct bench *b, const char *call, int err)
{
	fprintf(stderr, "bench_acd: %s: %s (%s)\n", call, strerror(err),
		acd_errmsg(b->acd));
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static uint64_t clock_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);   /* cannot fail here */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* In-use heap: arena chunks plus mmapped blocks (big arrays). */
static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* splitmix64: the bench's own random stream, apart from the engine's. */
static uint64_t rnd(struct bench *b)
{
	uint64_t z = (b->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(struct bench *b, uint32_t n)
{
	return (uint32_t)(((rnd(b) >> 32) * (uint64_t)n) >> 32);
}

static void set_init(struct set *s, uint32_t universe)
{
	s->v = xcalloc(universe, sizeof(*s->v));
	s->pos = xcalloc(universe, sizeof(*s->pos));
	memset(s->pos, 0xff, (universe ? universe : 1) * sizeof(*s->pos));
	s->n = 0;
}

static void set_free(struct set *s)
{
	free(s->v);
	free(s->pos);
	memset(s, 0, sizeof(*s));
}

static void set_add(struct set *s, uint32_t x)
{
	if (s->pos[x] != NONE)
		return;
	s->pos[x] = s->n;
	s->v[s->n++] = x;
}

static void set_del(struct set *s, uint32_t x)
{
	uint32_t i = s->pos[x], last;

	if (i == NONE)
		return;
	last = s->v[--s->n];
	s->v[i] = last;
	s->pos[last] = i;
	s->pos[x] = NONE;
}

static uint32_t set_pick(struct bench *b, const struct set *s)
{
	return s->v[rnd_below(b, s->n)];
}

static void record(struct bench *b, enum op op, uint64_t ns)
{
	struct samples *s = &b->s[op];

	if (!b->recording)
		return;
	if (s->n < s->cap)
		s->v[s->n++] = ns;
	else
		++s->dropped;
}

/* Ids are "a<n>" and "c<n>": the number indexes the bench's tables. */
static uint32_t id_num(const char *id)
{
	uint32_t n = 0;

	if (!id)
		return NONE;
	for (const char *p = id + 1; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint32_t)(*p - '0');
	return n;
}

/* As short as possible: it runs inside the timed calls. */
static void on_event(const struct acd_event *ev, void *arg)
{
	struct bench *b = arg;
	struct rec *r;

	if (b->nrec == RING) {
		b->ring_full = true;
		return;
	}
	r = &b->ring[b->nrec++];
	r->type = ev->type;
	r->from = ev->from;
	r->to = ev->to;
	r->a = ev->agent;
	r->c = ev->contact;
}

/* Apply the events of the last call to the bench's view.  A contact named
 * by QUEUED or OFFERED is alive here: no contact of this model ends in the
 * call that queues or offers it. */
static void drain(struct bench *b)
{
	if (b->ring_full)
		die("more than 4096 events in one engine call");
	for (unsigned i = 0; i < b->nrec; i++) {
		const struct rec *r = &b->ring[i];
		uint32_t ai;

		switch (r->type) {

		case ACD_EV_CONTACT_QUEUED:
			set_add(&b->waiting, id_num(acd_contact_id(r->c)));
			break;

		case ACD_EV_CONTACT_OFFERED:
			set_del(&b->waiting, id_num(acd_contact_id(r->c)));
			b->offers[b->noffer].agent =
				id_num(acd_agent_id(r->a));
			b->offers[b->noffer].c = r->c;
			++b->noffer;
			break;

		case ACD_EV_AGENT_STATE:
			ai = id_num(acd_agent_id(r->a));
			if (r->from == ACD_AGENT_AVAILABLE)
				set_del(&b->avail[b->a[ai].grp], ai);
			if (r->to == ACD_AGENT_AVAILABLE)
				set_add(&b->avail[b->a[ai].grp], ai);
			break;

		case ACD_EV_CONTACT_OVERFLOW:
			++b->overflows;
			break;

		case ACD_EV_CONTACT_ANSWERED:
		case ACD_EV_CONTACT_ENDED:
			break;

		default:
			++b->unexpected;
			break;
		}
	}
	b->nrec = 0;
}

static void answer_all(struct bench *b)
{
	while (b->noffer) {
		struct offer o = b->offers[--b->noffer];
		struct ba *ag = &b->a[o.agent];
		uint64_t t0, t1;
		int err;

		t0 = clock_ns();
		err = acd_offer_answer(o.c, ag->a, b->now);
		t1 = clock_ns();
		if (err)
			die_engine(b, "acd_offer_answer", err);
		record(b, OP_ANSWER, t1 - t0);
		ag->c = o.c;
		set_add(&b->busy[ag->grp], o.agent);
		drain(b);
	}
}

static unsigned agent_level(const struct ba *ag, uint16_t skill)
{
	for (unsigned i = 0; i < ag->nsk; i++)
		if (ag->sk[i].skill == skill)
			return ag->sk[i].level;
	return 0;
}

static bool qualifies(const struct ba *ag, const struct bq *q, unsigned k)
{
	for (unsigned i = 0; i < q->nreq[k]; i++)
		if (agent_level(ag, q->req[k][i].skill) < q->req[k][i].level)
			return false;
	return true;
}

static int32_t rnd_prio(struct bench *b)
{
	uint32_t r = rnd_below(b, 100);

	if (r < 60)
		return 0;
	if (r < 90)
		return 1 + (int32_t)rnd_below(b, 3);
	return 5 + (int32_t)rnd_below(b, 5);
}

/* A new contact in queue qi, class k.  Returns the call's time in ns and
 * whether the contact was offered at once. */
static uint64_t arrive(struct bench *b, uint32_t qi, unsigned k,
		       int32_t prio, bool *offeredp)
{
	struct acd_contact_params p;
	struct acd_contact *c = NULL;
	char id[16];
	uint32_t num;
	uint64_t t0, t1;
	int err;

	if (b->nct >= b->ctcap)
		die("contact table full (too many arrivals for --samples)");
	num = b->nct++;
	(void)re_snprintf(id, sizeof(id), "c%u", num);  /* fits */
	memset(&p, 0, sizeof(p));
	p.id = id;
	p.channel = ACD_CH_VOICE;
	p.priority = prio;
	p.req = b->q[qi].req[k];
	p.nreq = b->q[qi].nreq[k];
	t0 = clock_ns();
	err = acd_contact_enqueue(&c, b->acd, b->q[qi].q, &p, b->now);
	t1 = clock_ns();
	if (err)
		die_engine(b, "acd_contact_enqueue", err);
	b->ct[num] = c;
	drain(b);
	*offeredp = b->waiting.pos[num] == NONE;
	return t1 - t0;
}

static void arrive_backlog(struct bench *b)
{
	uint32_t qi = rnd_below(b, b->nq_backlog);
	const struct bq *q = &b->q[qi];
	uint32_t w = rnd_below(b, q->wsum);
	unsigned k = 0;
	bool offered;
	uint64_t ns;

	while (w >= q->weight[k]) {
		w -= q->weight[k];
		++k;
	}
	ns = arrive(b, qi, k, rnd_prio(b), &offered);
	record(b, offered ? OP_ENQ_OFFER : OP_ENQ_WAIT, ns);
	answer_all(b);
}

/* A contact for a class that available agent ai qualifies for. */
static bool arrive_for(struct bench *b, uint32_t ai)
{
	const struct ba *ag = &b->a[ai];
	uint32_t cq[AQ_MAX * CLS_MAX];
	unsigned ck[AQ_MAX * CLS_MAX], n = 0, pick;
	bool offered;
	uint64_t ns;

	for (unsigned i = 0; i < ag->nq; i++) {
		const struct bq *q = &b->q[ag->q[i]];

		for (unsigned k = 0; k < q->ncls; k++) {
			if (!qualifies(ag, q, k))
				continue;
			cq[n] = ag->q[i];
			ck[n++] = k;
		}
	}
	if (!n)
		die("agent qualifies for no class (model bug)");
	pick = rnd_below(b, n);
	ns = arrive(b, cq[pick], ck[pick], rnd_prio(b), &offered);
	if (offered)
		record(b, OP_ENQ_OFFER, ns);
	answer_all(b);
	return offered;
}

/* A random busy agent of group g ends its contact; returns the time and
 * whether the engine offered that agent a waiting contact. */
static uint64_t end_one(struct bench *b, int g, bool *offeredp)
{
	uint32_t ai = set_pick(b, &b->busy[g]);
	struct ba *ag = &b->a[ai];
	struct acd_contact *c = ag->c;
	uint64_t t0, t1;
	int err;

	ag->c = NULL;
	set_del(&b->busy[g], ai);
	t0 = clock_ns();
	err = acd_contact_end(c, b->now);
	t1 = clock_ns();
	if (err)
		die_engine(b, "acd_contact_end", err);
	drain(b);
	*offeredp = false;
	for (unsigned i = 0; i < b->noffer; i++)
		if (b->offers[i].agent == ai)
			*offeredp = true;
	return t1 - t0;
}

static void pick_distinct_u16(struct bench *b, uint16_t *v, unsigned n,
			      uint32_t range)
{
	for (unsigned i = 0; i < n; i++) {
		bool dup;

		do {
			v[i] = (uint16_t)rnd_below(b, range);
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= v[j] == v[i];
		} while (dup);
	}
}

static void make_queue(struct bench *b, uint32_t qi)
{
	struct bq *bq = &b->q[qi];
	struct acd_queue_conf qc;
	uint32_t r;
	char id[16];
	int err;

	pick_distinct_u16(b, bq->skill, QSKILLS, b->o.skills);
	bq->ncls = 3 + rnd_below(b, CLS_MAX - 2);
	bq->req[0][0].skill = bq->skill[0];
	bq->req[0][0].level = 1;
	bq->nreq[0] = 1;
	bq->weight[0] = 40;
	bq->wsum = 40;
	for (unsigned k = 1; k < bq->ncls; k++) {
		uint16_t pick[2];
		unsigned n = 1 + rnd_below(b, 2);

		pick_distinct_u16(b, pick, n, QSKILLS);
		for (unsigned i = 0; i < n; i++) {
			bq->req[k][i].skill = bq->skill[pick[i]];
			bq->req[k][i].level = (uint8_t)(1 + rnd_below(b, 6));
		}
		if (n == 2 && bq->req[k][1].skill < bq->req[k][0].skill) {
			struct acd_skill_req t = bq->req[k][0];

			bq->req[k][0] = bq->req[k][1];
			bq->req[k][1] = t;
		}
		bq->nreq[k] = n;
		bq->weight[k] = 10 + rnd_below(b, 21);
		bq->wsum += bq->weight[k];
	}

	acd_queue_conf_init(&qc);
	r = rnd_below(b, 100);
	qc.strategy = r < 70 ? ACD_STRAT_LONGEST_IDLE :
		      r < 78 ? ACD_STRAT_ROUND_ROBIN :
		      r < 84 ? ACD_STRAT_FEWEST_CONTACTS :
		      r < 90 ? ACD_STRAT_LEAST_TALK :
		      r < 95 ? ACD_STRAT_LINEAR : ACD_STRAT_WEIGHTED_RANDOM;
	qc.skill_match = rnd_below(b, 5) == 0;
	qc.aging_ms = rnd_below(b, 10) == 0 ? 10000 : 0;
	qc.max_wait_ms = rnd_below(b, 10) < 3 ? 3600000 : 0;
	qc.overflow = ACD_OVF_NONE;
	qc.offer_timeout_ms = 30000;
	qc.wrapup_ms = 0;
	(void)re_snprintf(id, sizeof(id), "q%u", qi);
	err = acd_queue_add(&bq->q, b->acd, id, &qc);
	if (err)
		die_engine(b, "acd_queue_add", err);
}

static void skill_note(struct ba *ag, uint16_t skill, uint8_t level)
{
	for (unsigned i = 0; i < ag->nsk; i++) {
		if (ag->sk[i].skill == skill) {
			if (level > ag->sk[i].level)
				ag->sk[i].level = level;
			return;
		}
	}
	ag->sk[ag->nsk].skill = skill;
	ag->sk[ag->nsk].level = level;
	++ag->nsk;
}

static void make_agent(struct bench *b, uint32_t ai)
{
	struct ba *ag = &b->a[ai];
	uint32_t q0, nq;
	char id[16];
	int err;

	ag->grp = ai >= b->na_backlog;
	q0 = ag->grp ? b->nq_backlog : 0;
	nq = ag->grp ? b->nq - b->nq_backlog : b->nq_backlog;
	ag->nq = AQ_MIN + rnd_below(b, AQ_MAX - AQ_MIN + 1);
	if (ag->nq > nq)
		ag->nq = nq;
	for (unsigned i = 0; i < ag->nq; i++) {
		bool dup;

		do {
			ag->q[i] = q0 + rnd_below(b, nq);
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= ag->q[j] == ag->q[i];
		} while (dup);
	}
	for (unsigned i = 0; i < ag->nq; i++) {
		const struct bq *q = &b->q[ag->q[i]];

		skill_note(ag, q->skill[0], (uint8_t)(1 + rnd_below(b, 10)));
		for (unsigned j = 1; j < QSKILLS; j++)
			if (rnd_below(b, 2))
				skill_note(ag, q->skill[j],
					   (uint8_t)(1 + rnd_below(b, 10)));
	}

	(void)re_snprintf(id, sizeof(id), "a%u", ai);
	err = acd_agent_add(&ag->a, b->acd, id, NULL);
	if (err)
		die_engine(b, "acd_agent_add", err);
	for (unsigned i = 0; i < ag->nsk; i++) {
		err = acd_agent_skill_set(ag->a, ag->sk[i].skill,
					  ag->sk[i].level);
		if (err)
			die_engine(b, "acd_agent_skill_set", err);
	}
	for (unsigned i = 0; i < ag->nq; i++) {
		struct acd_member_conf mc;

		acd_member_conf_init(&mc);
		mc.priority = rnd_below(b, 5) == 0 ? 2 : 1;
		mc.weight = (uint16_t)(1 + rnd_below(b, 5));
		err = acd_member_add(ag->a, b->q[ag->q[i]].q, &mc);
		if (err)
			die_engine(b, "acd_member_add", err);
	}
}

/* Step 1: model, every class made, every agent busy. */
static void build(struct bench *b)
{
	struct acd_conf conf = {.seed = b->o.seed,
				.contact_buckets = b->o.buckets};
	int err;

	err = acd_alloc(&b->acd, &conf, on_event, b);
	if (err) {
		fprintf(stderr, "bench_acd: acd_alloc: %s\n", strerror(err));
		exit(1);
	}
	for (uint32_t s = 0; s < b->o.skills; s++) {
		char name[16];

		(void)re_snprintf(name, sizeof(name), "skill%u", s);
		err = acd_skill_add(b->acd, name, NULL);
		if (err)
			die_engine(b, "acd_skill_add", err);
	}
	for (uint32_t qi = 0; qi < b->nq; qi++)
		make_queue(b, qi);
	for (uint32_t ai = 0; ai < b->na; ai++)
		make_agent(b, ai);
	for (uint32_t ai = 0; ai < b->na; ai++) {
		err = acd_agent_login(b->a[ai].a, true, b->now);
		if (err)
			die_engine(b, "acd_agent_login", err);
		drain(b);
	}

	/* Every (queue, class) once, so classes are not created (and
	 * counted as contact memory) in step 2. */
	for (uint32_t qi = 0; qi < b->nq; qi++) {
		for (unsigned k = 0; k < b->q[qi].ncls; k++) {
			uint32_t num = b->nct;
			bool offered;

			++b->now;
			(void)arrive(b, qi, k, 0, &offered);
			answer_all(b);
			if (offered)
				continue;
			set_del(&b->waiting, num);
			err = acd_contact_abandon(b->ct[num], b->now);
			if (err)
				die_engine(b, "acd_contact_abandon", err);
			drain(b);
		}
	}
	while (b->avail[0].n || b->avail[1].n) {
		int g = b->avail[0].n ? 0 : 1;

		++b->now;
		if (!arrive_for(b, set_pick(b, &b->avail[g])))
			die("an available agent was not offered a contact "
			    "it qualifies for");
	}
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

	return a < c ? -1 : a > c;
}

static uint64_t rank(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)ceil(p * (double)n);

	return v[i ? i - 1 : 0];
}

static struct dist summarise(struct samples *s)
{
	struct dist st = {.n = s->n};

	if (!s->n)
		return st;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	st.p50 = rank(s->v, s->n, 0.50);
	st.p90 = rank(s->v, s->n, 0.90);
	st.p99 = rank(s->v, s->n, 0.99);
	st.p999 = rank(s->v, s->n, 0.999);
	st.max = s->v[s->n - 1];
	return st;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void print_row(const char *name, const struct dist *st)
{
	if (!st->n) {
		printf("  %-26s %9s\n", name, "-");
		return;
	}
	printf("  %-26s %9zu %9.3f %9.3f %9.3f %9.3f %9.3f\n", name, st->n,
	       us(st->p50), us(st->p90), us(st->p99), us(st->p999),
	       us(st->max));
}

static uint32_t waiting_in_engine(const struct bench *b)
{
	uint32_t n = 0;

	for (uint32_t qi = 0; qi < b->nq; qi++) {
		struct acd_queue_stats st;

		acd_queue_stats(b->q[qi].q, &st);
		n += st.waiting;
	}
	return n;
}

static void run(struct bench *b, uint32_t n, struct result *res)
{
	uint32_t warm = b->o.samples / 10, pool;
	size_t base, m0, m1;
	char msg[256];
	uint64_t pos_sum = 0;

	memset(res, 0, sizeof(*res));
	res->n = n;
	b->rng = b->o.seed;
	b->now = 0;
	b->nct = 0;
	b->nrec = b->noffer = 0;
	b->unexpected = b->overflows = b->queued_staffed = 0;
	b->recording = false;
	b->ctcap = b->na + b->nq * CLS_MAX + n +
		3 * (warm + b->o.samples) + 16;
	b->ct = xcalloc(b->ctcap, sizeof(*b->ct));
	b->q = xcalloc(b->nq, sizeof(*b->q));
	b->a = xcalloc(b->na, sizeof(*b->a));
	for (int g = 0; g < 2; g++) {
		set_init(&b->busy[g], b->na);
		set_init(&b->avail[g], b->na);
	}
	set_init(&b->waiting, b->ctcap);
	for (int op = 0; op < OP_COUNT; op++) {
		b->s[op].cap = 3 * (size_t)b->o.samples;
		b->s[op].v = xcalloc(b->s[op].cap, sizeof(uint64_t));
		b->s[op].n = b->s[op].dropped = 0;
	}

	base = heap_used();
	build(b);
	res->model_bytes = heap_used() - base;

	/* Step 2: N waiting, heap growth per contact. */
	m0 = heap_used();
	while (b->waiting.n < n) {
		++b->now;
		arrive_backlog(b);
	}
	m1 = heap_used();
	res->bytes_per_contact = ((double)m1 - (double)m0) / n;
	if (waiting_in_engine(b) != n)
		die("engine's waiting count differs from the bench's");

	/* Step 3A: backlog steady state. */
	for (uint32_t it = 0; it < warm + b->o.samples; it++) {
		bool offered;
		uint64_t ns;

		b->recording = it >= warm;
		++b->now;
		if (!b->busy[0].n)
			die("no busy backlog agent left");
		ns = end_one(b, 0, &offered);
		record(b, offered ? OP_END_OFFER : OP_END_NONE, ns);
		answer_all(b);
		while (b->waiting.n < n)
			arrive_backlog(b);
	}

	/* Step 3B: staffed group, half its agents kept available. */
	b->recording = false;
	pool = (b->na - b->na_backlog) / 2;
	while (b->avail[1].n < pool && b->busy[1].n) {
		bool offered;

		++b->now;
		(void)end_one(b, 1, &offered);
		answer_all(b);
	}
	for (uint32_t it = 0; it < warm + b->o.samples; it++) {
		bool offered;
		uint64_t ns;

		b->recording = it >= warm;
		++b->now;
		if (!b->avail[1].n || !b->busy[1].n)
			die("staffed group has no available or no busy agent");
		if (!arrive_for(b, set_pick(b, &b->avail[1])))
			++b->queued_staffed;
		ns = end_one(b, 1, &offered);
		record(b, offered ? OP_END_OFFER : OP_END_IDLE, ns);
		answer_all(b);
	}

	/* Step 3P: position of random waiting contacts. */
	for (uint32_t it = 0; it < warm + b->o.samples && b->waiting.n;
	     it++) {
		struct acd_contact *c = b->ct[set_pick(b, &b->waiting)];
		uint32_t pos;
		uint64_t ewt, t0, t1;
		int err;

		b->recording = it >= warm;
		t0 = clock_ns();
		err = acd_contact_position(c, b->now, &pos, &ewt);
		t1 = clock_ns();
		if (err)
			die_engine(b, "acd_contact_position", err);
		record(b, OP_POSITION, t1 - t0);
		if (b->recording)
			pos_sum += pos;
	}
	b->recording = false;

	if (acd_invariants(b->acd, msg, sizeof(msg))) {
		fprintf(stderr, "bench_acd: engine invariant broken: %s\n",
			msg);
		exit(1);
	}
	if (waiting_in_engine(b) != n)
		die("waiting count drifted from N");

	for (int op = 0; op < OP_COUNT; op++)
		res->st[op] = summarise(&b->s[op]);

	printf("\nN = %" PRIu32 " waiting contacts\n", n);
	printf("  model: %" PRIu32 " agents busy, %" PRIu32 " queues; "
	       "engine heap %.1f MiB before the waiting contacts\n",
	       b->na, b->nq, (double)res->model_bytes / 1048576.0);
	printf("  memory: %+.1f MiB for %" PRIu32 " waiting contacts = "
	       "%.0f bytes per waiting contact\n",
	       ((double)m1 - (double)m0) / 1048576.0, n,
	       res->bytes_per_contact);
	printf("  mean position of the sampled contacts: %.0f\n",
	       res->st[OP_POSITION].n ?
	       (double)pos_sum / (double)res->st[OP_POSITION].n : 0.0);
	printf("  checks: invariants ok, waiting = N, unexpected events %"
	       PRIu64 ", overflows %" PRIu64 ", (b) arrivals that waited %"
	       PRIu64 "\n", b->unexpected, b->overflows, b->queued_staffed);
	printf("  %-26s %9s %9s %9s %9s %9s %9s\n", "operation (us)",
	       "samples", "p50", "p90", "p99", "p99.9", "max");
	for (int op = 0; op < OP_COUNT; op++) {
		print_row(op_name[op], &res->st[op]);
		if (b->s[op].dropped)
			printf("  %-26s (%zu samples beyond the buffer "
			       "dropped)\n", "", b->s[op].dropped);
	}

	b->acd = mem_deref(b->acd);
	res->leak_bytes = (long)heap_used() - (long)base;
	printf("  heap after releasing the engine: %+ld bytes (chunks "
	       "parked in glibc's thread cache count as in use)\n",
	       res->leak_bytes);
	for (int op = 0; op < OP_COUNT; op++)
		free(b->s[op].v);
	set_free(&b->waiting);
	for (int g = 0; g < 2; g++) {
		set_free(&b->busy[g]);
		set_free(&b->avail[g]);
	}
	free(b->a);
	free(b->q);
	free(b->ct);
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_acd [options]\n"
		"Routing engine benchmark: latency of each decision and heap "
		"bytes per waiting\ncontact (see bench/README.md).\n"
		"  --agents N           agents, all logged in (default "
		"10000)\n"
		"  --queues N           queues (default 500)\n"
		"  --skills N           skills (default 200)\n"
		"  --waiting L          waiting contacts, comma list "
		"(default 1000,10000,100000)\n"
		"  --samples N          timed calls per loop (default "
		"100000)\n"
		"  --seed N             model and traffic seed (default 1)\n"
		"  --contact-buckets N  acd_conf.contact_buckets, the "
		"engine's contact id\n"
		"                       hash size (default 0: the engine's "
		"default)\n"
		"  --help               this text\n");
}

static int parse_u64(const char *s, uint64_t min, uint64_t max,
		     uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || *s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return EINVAL;
	*v = x;
	return 0;
}

static int parse_list(const char *s, struct opts *o)
{
	char buf[256], *tok, *save = NULL;

	if (!s || strlen(s) >= sizeof(buf))
		return EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	o->nwaiting = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (o->nwaiting == NMAX ||
		    parse_u64(tok, 1, 10000000, &v))
			return EINVAL;
		o->waiting[o->nwaiting++] = (uint32_t)v;
	}
	return o->nwaiting ? 0 : EINVAL;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	const struct {
		const char *name;
		uint64_t min, max;
		uint32_t *u32;
		uint64_t *u64;
	} num[] = {
		{"--agents",         20, 1000000,       &o->agents, NULL},
		{"--queues",         20, 100000,        &o->queues, NULL},
		{"--skills",    QSKILLS, ACD_SKILL_MAX, &o->skills, NULL},
		{"--samples",       100, 10000000,      &o->samples, NULL},
		{"--seed",            0, UINT64_MAX,    NULL,       &o->seed},
		{"--contact-buckets", 0, 1u << 24,      &o->buckets, NULL},
	};
	int i = 1;

	while (i < argc) {
		const char *arg = argv[i], *val = i + 1 < argc ?
			argv[i + 1] : NULL;
		bool known = false;
		int err = 0;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(arg, "--waiting")) {
			known = true;
			err = parse_list(val, o);
		}
		for (size_t k = 0; k < sizeof(num) / sizeof(num[0]); k++) {
			uint64_t v = 0;

			if (strcmp(arg, num[k].name))
				continue;
			known = true;
			err = parse_u64(val, num[k].min, num[k].max, &v);
			if (err)
				break;
			if (num[k].u32)
				*num[k].u32 = (uint32_t)v;
			else
				*num[k].u64 = v;
		}
		if (!known) {
			fprintf(stderr, "bench_acd: unknown option \"%s\"; "
				"see --help\n", arg);
			return EINVAL;
		}
		if (err) {
			fprintf(stderr, "bench_acd: %s needs a number in "
				"range (a comma list for --waiting), got "
				"\"%s\"; see --help\n", arg,
				val ? val : "nothing");
			return EINVAL;
		}
		i += 2;
	}
	return 0;
}

/* First line of a command's output, or "unknown". */
static void cmd_line(const char *cmd, char *buf, size_t sz)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	snprintf(buf, sz, "unknown");
	if (!f)
		return;
	if (fgets(buf, (int)sz, f)) {
		n = strcspn(buf, "\n");
		buf[n] = '\0';
	}
	if (!*buf)
		snprintf(buf, sz, "unknown");
	(void)pclose(f);   /* a failed command already left "unknown" */
}

/* The source tree: two levels above this file, when its path is sane. */
static void src_dir(char *buf, size_t sz)
{
	const char *f = __FILE__, *s;
	size_t n;

	snprintf(buf, sz, ".");
	if (strpbrk(f, "'\\\"$`"))
		return;
	s = strstr(f, "bench/bench_acd.c");
	if (!s || s == f)
		return;
	n = (size_t)(s - f);
	if (n >= sz)
		return;
	memcpy(buf, f, n);
	buf[n] = '\0';
}

static void print_machine(const struct opts *o)
{
	struct utsname u;
	char line[512], dir[256], cmd[512];
	FILE *f;

	printf("bench_acd: ACD routing engine benchmark\n");
	if (!uname(&u))
		printf("machine:  %s %s %s %s %s\n", u.sysname, u.nodename,
		       u.release, u.version, u.machine);
	printf("cpus:     %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "model name", 10)) {
				printf("cpu:     %s", strchr(line, ':') + 1);
				break;
			}
		}
		fclose(f);
	}
	src_dir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD 2>/dev/null",
		 dir);
	cmd_line(cmd, line, sizeof(line));
	printf("commit:   %s", line);
	snprintf(cmd, sizeof(cmd), "git --no-optional-locks -C '%s' status "
		 "--porcelain --untracked-files=no -- src/acd 2>/dev/null | "
		 "wc -l", dir);
	cmd_line(cmd, line, sizeof(line));
	if (strcmp(line, "0") && strcmp(line, "unknown"))
		printf(" (+ uncommitted changes in %s files of src/acd)",
		       line);
	printf("\n");
#ifdef __clang__
	printf("build:    clang %s", __clang_version__);
#else
	printf("build:    gcc %s", __VERSION__);
#endif
#ifdef __OPTIMIZE__
	printf(", optimised (the engine is built like this file)\n");
#else
	printf(", NOT optimised: use a Release build\n");
#endif
	printf("params:   --agents %" PRIu32 " --queues %" PRIu32
	       " --skills %" PRIu32 " --samples %" PRIu32 " --seed %"
	       PRIu64 " --contact-buckets %" PRIu32 " --waiting ",
	       o->agents, o->queues, o->skills, o->samples, o->seed,
	       o->buckets);
	for (unsigned i = 0; i < o->nwaiting; i++)
		printf("%s%" PRIu32, i ? "," : "", o->waiting[i]);
	printf("\n");
}

/* Cost of the clock pair itself, included in every sample. */
static uint64_t clock_overhead(void)
{
	enum { N = 100001 };
	static uint64_t v[N];
	struct samples s = {.v = v, .n = N, .cap = N};

	for (int i = 0; i < N; i++) {
		uint64_t t0 = clock_ns();

		v[i] = clock_ns() - t0;
	}
	return summarise(&s).p50;
}

/* What the machine takes away: gaps of 10 us or more in a clock loop,
 * 0.5 s.  On a shared VM these are interrupts and the host's doing; they
 * set p99.9 and max of every operation, at the same rate per second. */
static void machine_noise(void)
{
	enum { GAPMAX = 4096 };
	static uint64_t gap[GAPMAX];
	struct samples s = {.v = gap, .cap = GAPMAX};
	uint64_t start = clock_ns(), prev = start, lost = 0;
	struct dist d;

	while (prev - start < 500000000u) {
		uint64_t t = clock_ns();

		if (t - prev >= 10000) {
			lost += t - prev;
			if (s.n < s.cap)
				gap[s.n++] = t - prev;
		}
		prev = t;
	}
	if (!s.n) {
		printf("noise:    no pause of 10 us or more in 0.5 s\n");
		return;
	}
	d = summarise(&s);
	printf("noise:    %.0f pauses >= 10 us per second, median %.0f us, "
	       "max %.0f us, %.2f %% of the time\n", (double)s.n * 2.0,
	       us(d.p50), us(d.max), (double)lost / 5e6);
}

static const char *verdict(bool ok)
{
	return ok ? "met" : "MISSED";
}

/* p50 ~ N^e between two runs: e = 1 is linear, e near 0 logarithmic. */
static double growth(const struct result *r0, const struct result *r1,
		     enum op op)
{
	if (!r0->st[op].p50 || !r1->st[op].p50 || r0->n == r1->n)
		return NAN;
	return log((double)r1->st[op].p50 / (double)r0->st[op].p50) /
		log((double)r1->n / (double)r0->n);
}

static void print_summary(const struct bench *b, const struct result *r,
			  unsigned nr)
{
	const struct result *last = &r[nr - 1];
	const enum op dec[3] = {OP_END_OFFER, OP_ENQ_OFFER, OP_ENQ_WAIT};

	printf("\nGrowth with waiting contacts: p50 / p99 (us), then the "
	       "exponent e of p50 ~ N^e\nbetween successive N (1 is "
	       "linear, 0 flat)\n");
	printf("  %-26s", "operation");
	for (unsigned i = 0; i < nr; i++)
		printf(" %17" PRIu32, r[i].n);
	for (unsigned i = 1; i < nr; i++)
		printf("  e%u-%u", i - 1, i);
	printf("\n");
	for (int op = 0; op < OP_COUNT; op++) {
		printf("  %-26s", op_name[op]);
		for (unsigned i = 0; i < nr; i++) {
			if (r[i].st[op].n)
				printf("   %6.3f / %6.3f", us(r[i].st[op].p50),
				       us(r[i].st[op].p99));
			else
				printf(" %17s", "-");
		}
		for (unsigned i = 1; i < nr; i++) {
			double e = growth(&r[i - 1], &r[i], op);

			if (isnan(e))
				printf(" %6s", "-");
			else
				printf(" %6.2f", e);
		}
		printf("\n");
	}
	printf("  %-26s", "bytes per waiting contact");
	for (unsigned i = 0; i < nr; i++)
		printf(" %17.0f", r[i].bytes_per_contact);
	printf("\n");

	printf("\nTargets at N = %" PRIu32 " (%" PRIu32 " agents, %" PRIu32
	       " queues, %" PRIu32 " skills)\n", last->n, b->na, b->nq,
	       b->o.skills);
	for (int i = 0; i < 2; i++) {
		const struct dist *st = &last->st[dec[i]];

		if (!st->n) {
			printf("  %-26s no samples\n", op_name[dec[i]]);
			continue;
		}
		printf("  %-26s p50 %7.3f us <= %.0f: %-6s  p99 %7.3f us "
		       "<= %.0f: %s\n", op_name[dec[i]], us(st->p50),
		       us(target_p50_ns), verdict(st->p50 <= target_p50_ns),
		       us(st->p99), us(target_p99_ns),
		       verdict(st->p99 <= target_p99_ns));
	}
	printf("  %-26s %7.0f bytes <= %" PRIu32 ": %s\n",
	       "memory per waiting contact", last->bytes_per_contact,
	       target_bytes,
	       verdict(last->bytes_per_contact <= target_bytes));
	/* "Not linear": every step's exponent at most 0.5 (a tenfold N
	 * may cost at most ~3.2 times more). */
	for (int i = 0; i < 3 && nr > 1; i++) {
		double worst = -INFINITY;

		for (unsigned k = 1; k < nr; k++) {
			double e = growth(&r[k - 1], &r[k], dec[i]);

			if (!isnan(e) && e > worst)
				worst = e;
		}
		if (worst == -INFINITY)
			continue;
		printf("  %-26s p50 growth, worst step N^%.2f (linear is "
		       "N^1; target <= N^0.5): %s\n", op_name[dec[i]], worst,
		       verdict(worst <= 0.5));
	}

	printf("\n");
	for (unsigned i = 0; i < nr; i++) {
		printf("csv,%" PRIu32 ",bytes_per_contact,%.0f\n", r[i].n,
		       r[i].bytes_per_contact);
		for (int op = 0; op < OP_COUNT; op++) {
			const struct dist *st = &r[i].st[op];

			printf("csv,%" PRIu32 ",%s,%zu,%" PRIu64 ",%" PRIu64
			       ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			       r[i].n, op_key[op], st->n, st->p50, st->p90,
			       st->p99, st->p999, st->max);
		}
	}
}

int main(int argc, char **argv)
{
	struct bench *b = xcalloc(1, sizeof(*b));
	struct result res[NMAX];

	b->o.agents = 10000;
	b->o.queues = 500;
	b->o.skills = 200;
	b->o.waiting[0] = 1000;
	b->o.waiting[1] = 10000;
	b->o.waiting[2] = 100000;
	b->o.nwaiting = 3;
	b->o.samples = 100000;
	b->o.seed = 1;
	if (parse_args(argc, argv, &b->o))
		return 2;

	b->nq = b->o.queues;
	b->nq_backlog = b->nq - b->nq / 10;
	b->na = b->o.agents;
	b->na_backlog = b->na - b->na / 10;

	print_machine(&b->o);
	printf("clock:    CLOCK_MONOTONIC, %.3f us per clock_gettime pair "
	       "(included in every sample)\n", us(clock_overhead()));
	machine_noise();
	printf("groups:   backlog %" PRIu32 " queues / %" PRIu32
	       " agents, staffed %" PRIu32 " queues / %" PRIu32 " agents\n",
	       b->nq_backlog, b->na_backlog, b->nq - b->nq_backlog,
	       b->na - b->na_backlog);
	fflush(stdout);

	for (unsigned i = 0; i < b->o.nwaiting; i++)
		run(b, b->o.waiting[i], &res[i]);
	print_summary(b, res, b->o.nwaiting);
	free(b);
	return 0;
}
