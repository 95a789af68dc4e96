/* tests/unit/test_engine.c  Randomized property tests of the whole engine
 * (src/acd): random models driven through the public interface, every
 * property checked after every step.
 *
 * A run builds a model: six queues (every strategy; skills with best
 * match and relaxation; maximum wait overflowing to another queue, to a
 * callback offer, to voicemail, to a disconnect or to nothing; a maximum
 * of waiting contacts; join and leave rules; wrap-up; ring timeout; rest
 * after a miss; aging; sticky routing) and ten agents (voice-only,
 * chat-and-email or blended: voice 1 exclusive, chat 3, email 2; skills;
 * memberships with priorities and weights; some answer from the event
 * handler, calling back into the engine).  Then random calls at advancing
 * times: arrivals (channel, priority, requirements, customer), answers,
 * misses, abandons, ends, transfers, callbacks; log-in, ready, not ready
 * with reasons, log-out; wrap-up end and extension; skill, membership and
 * queue-setting changes; agents removed and added anew; ticks; calls with
 * a time in the past; calls made without a tick first, so that timers
 * fire inside them; and calls that must fail.
 *
 * The test keeps its own model of every agent and contact, built from its
 * calls and from the events alone, and compares it with the engine after
 * every step:
 *   - acd_invariants(), the engine's self-check;
 *   - capacity per channel; an exclusive contact is its agent's only one;
 *   - one offer per contact at a time, except in ring-all queues; offers
 *     only to members logged in, ready, not resting and qualified;
 *   - no contact waits while an agent could take it (a sticky hold
 *     excuses it for its time);
 *   - exactly one CONTACT_ENDED per contact, with an outcome that fits
 *     what happened, and nothing after it but its agent's WRAPUP_ENDED;
 *     the engine acts on its own only through timers;
 *   - agent states: the events chain (from = the previous to, dur_ms =
 *     the time since the previous event), the state and reason follow
 *     from the agent's contacts and presence, durations add up to the
 *     logged-in time;
 *   - timers: ring timeouts and wrap-ups end at their due time, maximum
 *     wait and relaxation are never late, acd_next_timer() is never later
 *     than a deadline the model knows, nothing is left once all is over;
 *   - queue statistics, position and estimated wait; join and leave
 *     rules;
 *   - a failing call returns its errno, names the object in
 *     acd_errmsg() and changes nothing: agent and contact states, counts,
 *     durations, queue statistics and settings, timers, clock, events.
 * test_engine_fifo_within_priority runs one queue with one class (one
 * channel, no skills, no aging), where the order of offers and every
 * position are exact.  Each sequence ends by ending every contact and
 * logging everyone out (sometimes also removing every agent and queue, or
 * freeing the engine with everything live) and frees the engine, so the
 * sanitizer build finds leaks.
 *
 * The model follows acd.h and docs/acd.md, not the code.  It does not
 * predict which agent a strategy picks (only that the agent may take the
 * contact), and it keeps one handle-time average per plausible averaging
 * window.  The agent's side of an end or a transfer is told by no event
 * of its own, so the model does it before the call.
 *
 * Replay.  Seeds are fixed: SB_SEED sets the base seed, SB_SEQ runs one
 * sequence, SB_STEPS sets the long run's steps, SB_TRACE=1 prints every
 * call and event.  A failure names the seed, the sequence and the step.
 * Costs: each step checks the whole model, O(contacts * agents).
 */

#include <inttypes.h>
#include <time.h>
#include "harness.h"

enum {
	M_AGENTS   = 10,
	M_QUEUES   = 6,
	M_SKILLS   = 4,
	M_WORKS    = 16,
	M_CUST     = 4,
	M_REASONS  = 4,
	M_LIVE_MAX = 80,   /* arrivals pause at this many live contacts */
	M_AHT      = 8,    /* averaging windows tried: 4, 8 .. 512 */
};

/* index = the engine's reason index: "missed" is registered first */
static const char *reason_names[M_REASONS] = {
	"missed", "break", "lunch", "training"
};

enum m_cst {
	M_QUEUED = 0,
	M_OFFERED,
	M_CONNECTED,
	M_LIMBO,           /* between queues, or not yet in one */
};

enum m_wk { WK_OFFER, WK_BUSY, WK_WRAP };

enum m_pend { P_NONE, P_NOT_READY, P_LOGOUT };

enum call {
	CALL_NONE = 0, CALL_TICK, CALL_ENQUEUE, CALL_ANSWER, CALL_MISS,
	CALL_ABANDON, CALL_END, CALL_TRANSFER, CALL_CALLBACK,
	CALL_WRAPUP_END, CALL_OTHER,
};

enum mode { MODE_MAIN, MODE_FIFO };

/* One agent's part in one contact, as the model sees it. */
struct m_work {
	uint32_t c;
	enum m_wk kind;
	enum acd_channel ch;
	int q;                 /* the contact's queue when offered */
	uint64_t since;
	uint64_t due;          /* ring timeout or wrap-up end; 0: none */
	uint64_t talk;         /* wrap-up: the contact's talk time */
	uint64_t seq;          /* wrap-up: order armed, for equal dues */
	uint64_t wid;          /* order made: the agent's list order */
};

struct m_agent {
	struct acd_agent *a;
	char id[16];
	struct acd_agent_conf conf;
	uint8_t level[M_SKILLS];
	bool member[M_QUEUES];
	bool logged, ready;
	bool auto_answer;      /* answers from the event handler */
	enum m_pend pending;
	int reason, pending_reason;
	unsigned missed;
	uint64_t rest_until;
	struct m_work w[M_WORKS];
	unsigned nw;
	/* from the AGENT_STATE events */
	enum acd_agent_state last_to;
	uint64_t last_t;
	uint64_t dur[ACD_AGENT_STATE_COUNT];
	uint64_t login_at, login_ms;
	char ev_reason[32];    /* of the last event to NOT_READY */
	bool ev_reason_null;
};

struct m_queue {
	struct acd_queue *q;
	char id[16];
	struct acd_queue_conf conf;
	int ovf;               /* overflow queue, -1: none */
	uint64_t entered, answered, in_sl, abandoned, overflowed;
	/* the average handle time is exponentially weighted over a window
	 * the engine chooses: one average per window that still fits */
	uint64_t aht[M_AHT];
	unsigned aht_fits;
};

struct m_contact {
	struct acd_contact *c; /* kept after the end, used only while live
				* or while a wrap-up holds it */
	int q;
	enum acd_channel ch;
	int32_t prio;
	struct acd_skill_req req0[ACD_REQ_MAX], req[ACD_REQ_MAX];
	unsigned nreq0, nreq, stage;
	enum m_cst st;
	uint64_t offers;       /* bit per agent */
	int agent;             /* connected to */
	uint64_t order;        /* join order, for FIFO */
	uint64_t arrived;      /* place in line: arrival or transfer */
	uint64_t sorder;       /* ... and its order */
	uint64_t entered, answered_at, talk;
	uint64_t reserved_until;
	bool left;             /* agent side of end/transfer done */
	bool maxwait_done;
	bool ovf_pending;
	enum acd_overflow_reason ovf_why;
	enum acd_overflow_action ovf_action;
	int customer;
	bool ended;
	size_t live;           /* index in world.live */
};

struct m_sticky {
	bool set;
	int agent;
	uint64_t at;
};

struct world {
	const char *test;
	enum mode mode;
	uint64_t base, seed, rng;
	unsigned seq, step;
	struct acd *acd;
	uint64_t now;
	bool trace;
	/* FIFO mode */
	enum acd_channel fifo_ch;
	bool fifo_prio;

	struct m_queue q[M_QUEUES];
	unsigned nq;
	struct m_agent a[M_AGENTS];
	unsigned na;
	struct m_contact *c;
	uint32_t *live;
	size_t nc, capc, nlive;
	struct m_sticky sticky[M_CUST];
	uint32_t sticky_max;
	uint64_t order, sorder, wseq;
	uint32_t ended[64];    /* ended since the last check */
	unsigned nended;
	struct {
		int a;
		uint32_t c;
	} autos[64];           /* answered from the handler, not yet told */
	unsigned nautos;

	/* events */
	uint64_t evid, evtime, nev;
	enum call call;
	int call_a, call_q;
	long call_c;
	enum acd_miss call_miss;
	unsigned call_hits;    /* the call's own answer or miss events */
	unsigned call_timeouts; /* ring timeouts of its offer */

	/* totals, for the summary */
	uint64_t nsteps, noffers, nfail, nloose, nglitch, nsticky;
	uint64_t outcomes[ACD_OUT_COUNT];
	uint64_t types[ACD_EV_COUNT];

	char op[160];
};

static void die(const struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void die(const struct world *w, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("%s: %s\n  at step %u, t=%" PRIu64 " ms, during: %s\n"
		 "  replay: SB_SEED=%" PRIu64 " SB_SEQ=%u (sequence seed "
		 "%#" PRIx64 "), SB_TRACE=1 to see every call",
		 w->test, msg, w->step, w->now, w->op, w->base, w->seq,
		 w->seed);
}

static void trace(struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace(struct world *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->op, sizeof(w->op), fmt, ap);
	va_end(ap);
	if (w->trace)
		fprintf(stderr, "[%u] t=%" PRIu64 " %s\n", w->step, w->now,
			w->op);
}

/* Random numbers: splitmix64, one stream per sequence. */
static uint64_t rnd(struct world *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rn(struct world *w, unsigned n)
{
	return n ? (unsigned)(rnd(w) % n) : 0;
}

static bool chance(struct world *w, unsigned pct)
{
	return rn(w, 100) < pct;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return def;
	return v;
}

static uint64_t bit(int i)
{
	return (uint64_t)1 << i;
}

static const char *err_name(int err)
{
	return err ? strerror(err) : "0";
}

/* Lookups */

static int agent_idx(const struct world *w, const struct acd_agent *a)
{
	for (unsigned i = 0; i < w->na; i++)
		if (w->a[i].a == a)
			return (int)i;
	return -1;
}

static int queue_idx(const struct world *w, const struct acd_queue *q)
{
	for (unsigned i = 0; i < w->nq; i++)
		if (w->q[i].q == q)
			return (int)i;
	return -1;
}

static long contact_idx(const struct world *w, const struct acd_contact *c)
{
	const char *id = acd_contact_id(c);
	unsigned long v;
	char *end;

	if (!id || id[0] != 'c')
		return -1;
	v = strtoul(id + 1, &end, 10);
	if (*end || v >= w->nc)
		return -1;
	return (long)v;
}

static const char *queue_name(const struct world *w, int qi)
{
	return qi >= 0 ? w->q[qi].id : "(none)";
}

/* The model's agents */

static int work_find(const struct m_agent *ma, uint32_t c, enum m_wk kind)
{
	for (unsigned i = 0; i < ma->nw; i++)
		if (ma->w[i].c == c && ma->w[i].kind == kind)
			return (int)i;
	return -1;
}

static unsigned work_count(const struct m_agent *ma, enum acd_channel ch)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ma->nw; i++)
		n += ma->w[i].ch == ch;
	return n;
}

static bool work_any(const struct m_agent *ma, enum m_wk kind)
{
	for (unsigned i = 0; i < ma->nw; i++)
		if (ma->w[i].kind == kind)
			return true;
	return false;
}

static bool excl(const struct m_agent *ma, enum acd_channel ch)
{
	return ma->conf.exclusive & (1u << ch);
}

static void agent_logged_out(struct m_agent *ma)
{
	ma->logged = false;
	ma->ready = false;
	ma->reason = -1;
	ma->pending = P_NONE;
	ma->rest_until = 0;
}

/* The agent's last work item ended: what it asked for meanwhile. */
static void agent_idle(struct m_agent *ma)
{
	if (ma->nw)
		return;
	if (ma->pending == P_NOT_READY) {
		ma->ready = false;
		ma->reason = ma->pending_reason;
		ma->pending = P_NONE;
	}
	else if (ma->pending == P_LOGOUT) {
		agent_logged_out(ma);
	}
}

static void work_remove(struct m_agent *ma, int k)
{
	ma->w[k] = ma->w[--ma->nw];
	agent_idle(ma);
}

static void work_add(const struct world *w, struct m_agent *ma,
		     const struct m_work *wk)
{
	if (ma->nw >= M_WORKS)
		die(w, "agent %s: more work items than the model holds",
		    ma->id);
	ma->w[ma->nw++] = *wk;
}

static enum acd_agent_state agent_derive(const struct m_agent *ma)
{
	if (!ma->logged)
		return ACD_AGENT_LOGGED_OUT;
	if (work_any(ma, WK_BUSY))
		return ACD_AGENT_BUSY;
	if (work_any(ma, WK_OFFER))
		return ACD_AGENT_OFFERED;
	if (work_any(ma, WK_WRAP))
		return ACD_AGENT_WRAPUP;
	return ma->ready ? ACD_AGENT_AVAILABLE : ACD_AGENT_NOT_READY;
}

static bool qualifies(const struct m_agent *ma, const struct m_contact *mc)
{
	if (!ma->conf.cap[mc->ch])
		return false;
	for (unsigned i = 0; i < mc->nreq; i++)
		if (ma->level[mc->req[i].skill] < mc->req[i].level)
			return false;
	return true;
}

/* Could agent ma be offered contact mc (in its queue) at time t?  NULL if
 * so, else why not. */
static const char *cannot_take(const struct m_agent *ma,
			       const struct m_contact *mc, uint64_t t)
{
	if (mc->q < 0 || !ma->member[mc->q])
		return "is not a member of the queue";
	if (!ma->logged)
		return "is logged out";
	if (!ma->ready)
		return "is not ready";
	if (ma->pending != P_NONE)
		return "has a not-ready or log-out pending";
	if (t < ma->rest_until)
		return "rests after a missed offer";
	if (!qualifies(ma, mc))
		return "does not qualify (channel or skills)";
	for (unsigned i = 0; i < ma->nw; i++)
		if (excl(ma, ma->w[i].ch))
			return "has an exclusive contact";
	if (excl(ma, mc->ch) && ma->nw)
		return "is not free for an exclusive channel";
	if (work_count(ma, mc->ch) >= ma->conf.cap[mc->ch])
		return "is at capacity on the channel";
	return NULL;
}

/* The model's contacts */

static uint32_t contact_new(struct world *w)
{
	struct m_contact *mc;

	if (w->nc == w->capc) {
		size_t cap = w->capc ? w->capc * 2 : 256;
		void *c = realloc(w->c, cap * sizeof(*w->c));
		void *l;

		assert_non_null(c);
		w->c = c;
		l = realloc(w->live, cap * sizeof(*w->live));
		assert_non_null(l);
		w->live = l;
		w->capc = cap;
	}
	mc = &w->c[w->nc];
	memset(mc, 0, sizeof(*mc));
	mc->q = -1;
	mc->agent = -1;
	mc->customer = -1;
	mc->st = M_LIMBO;
	mc->live = w->nlive;
	w->live[w->nlive++] = (uint32_t)w->nc;
	return (uint32_t)w->nc++;
}

static void live_remove(struct world *w, uint32_t ci)
{
	size_t i = w->c[ci].live;
	uint32_t last = w->live[--w->nlive];

	w->live[i] = last;
	w->c[last].live = i;
}

static void relax_apply(struct m_contact *mc, const struct acd_relax *r)
{
	unsigned k = 0;

	for (unsigned i = 0; i < mc->nreq; i++) {
		struct acd_skill_req q = mc->req[i];

		if (r->all || q.skill == r->skill) {
			if (!r->level)
				continue;
			if (q.level > r->level)
				q.level = r->level;
		}
		mc->req[k++] = q;
	}
	mc->nreq = k;
}

static bool relax_changes(const struct m_contact *mc,
			  const struct acd_relax *r)
{
	struct m_contact x = *mc;

	relax_apply(&x, r);
	return x.nreq != mc->nreq ||
		memcmp(x.req, mc->req, x.nreq * sizeof(x.req[0]));
}

static bool rule_met(const struct world *w, int qi, enum acd_empty_rule r)
{
	unsigned logged = 0, ready = 0;

	for (unsigned i = 0; i < w->na; i++) {
		const struct m_agent *ma = &w->a[i];

		if (!ma->member[qi] || !ma->logged)
			continue;
		++logged;
		ready += ma->ready && ma->pending == P_NONE;
	}
	switch (r) {

	case ACD_EMPTY_LOGGED_IN:
		return logged > 0;

	case ACD_EMPTY_READY:
		return ready > 0;

	default:
		return true;
	}
}

static unsigned queue_waiting(const struct world *w, int qi)
{
	unsigned n = 0;

	for (size_t i = 0; i < w->nlive; i++) {
		const struct m_contact *mc = &w->c[w->live[i]];

		n += mc->q == qi && mc->st == M_QUEUED;
	}
	return n;
}

static void aht_note(struct m_queue *mq, uint64_t ms)
{
	for (unsigned i = 0; i < M_AHT; i++) {
		uint64_t n = 4u << i;

		if (!mq->aht[i])
			mq->aht[i] = ms ? ms : 1;
		else
			mq->aht[i] = (mq->aht[i] * (n - 1) + ms) / n;
	}
}

/* Would the engine hold contact mc for the agent who last served its
 * customer?  (acd.h: sticky routing.)  Holding only excuses the contact
 * from the routing check, so erring towards "yes" is safe. */
static void sticky_reserve(struct world *w, struct m_contact *mc,
			   uint64_t t)
{
	const struct m_queue *mq = &w->q[mc->q];
	const struct m_sticky *s;
	const struct m_agent *ma;

	mc->reserved_until = 0;
	if (mc->customer < 0 || !mq->conf.sticky_ms)
		return;
	s = &w->sticky[mc->customer];
	if (!s->set || s->at + mq->conf.sticky_ms < t)
		return;
	ma = &w->a[s->agent];
	if (!ma->member[mc->q] || !ma->logged || !ma->ready ||
	    ma->pending != P_NONE || !qualifies(ma, mc))
		return;
	mc->reserved_until = t + mq->conf.sticky_ms;
	++w->nsticky;
}

static bool fifo_better(const struct m_contact *x, const struct m_contact *y)
{
	if (x->prio != y->prio)
		return x->prio > y->prio;
	return x->order < y->order;
}

/* FIFO mode: the contact offered must be the best waiting one. */
static void fifo_check(const struct world *w, uint32_t ci)
{
	const struct m_contact *mc = &w->c[ci];

	for (size_t i = 0; i < w->nlive; i++) {
		uint32_t j = w->live[i];
		const struct m_contact *o = &w->c[j];

		if (j == ci || o->st != M_QUEUED || o->q != mc->q)
			continue;
		if (fifo_better(o, mc))
			die(w, "c%u offered before c%u, which waits ahead of "
			    "it (priority %d vs %d, joined #%" PRIu64 " vs #%"
			    PRIu64 ")", ci, j, mc->prio, o->prio, mc->order,
			    o->order);
	}
}

/* Events */

static void ev_agent_state(struct world *w, const struct acd_event *ev,
			   int ai)
{
	struct m_agent *ma = &w->a[ai];

	if ((unsigned)ev->to >= ACD_AGENT_STATE_COUNT)
		die(w, "agent %s: state event to unknown state %d", ma->id,
		    ev->to);
	if (ev->from != ma->last_to)
		die(w, "agent %s: state event %s -> %s, but the last one went "
		    "to %s", ma->id, acd_agent_state_name(ev->from),
		    acd_agent_state_name(ev->to),
		    acd_agent_state_name(ma->last_to));
	if (ev->dur_ms != ev->time - ma->last_t)
		die(w, "agent %s: state event says %" PRIu64 " ms in %s, but "
		    "the previous state event was %" PRIu64 " ms before",
		    ma->id, ev->dur_ms, acd_agent_state_name(ev->from),
		    ev->time - ma->last_t);
	if (ev->from == ev->to && ev->to != ACD_AGENT_NOT_READY)
		die(w, "agent %s: state event %s -> %s", ma->id,
		    acd_agent_state_name(ev->from),
		    acd_agent_state_name(ev->to));
	/* AVAILABLE for no time at all, straight to NOT_READY or out:
	 * harmless, counted for the report */
	if (ev->from == ACD_AGENT_AVAILABLE && !ev->dur_ms &&
	    (ev->to == ACD_AGENT_NOT_READY || ev->to == ACD_AGENT_LOGGED_OUT))
		++w->nglitch;
	ma->dur[ev->from] += ev->dur_ms;
	if (ev->from == ACD_AGENT_LOGGED_OUT)
		ma->login_at = ev->time;
	if (ev->to == ACD_AGENT_LOGGED_OUT)
		ma->login_ms += ev->time - ma->login_at;
	ma->last_to = ev->to;
	ma->last_t = ev->time;
	if (ev->to == ACD_AGENT_NOT_READY) {
		h_copy(ma->ev_reason, ev->reason);
		ma->ev_reason_null = !ev->reason;
	}
}

static void ev_queued(struct world *w, const struct acd_event *ev,
		      uint32_t ci, int qi)
{
	struct m_contact *mc = &w->c[ci];

	if (mc->st != M_LIMBO)
		die(w, "c%u queued in %s while already in %s", ci,
		    queue_name(w, qi), queue_name(w, mc->q));
	if (mc->offers || mc->agent >= 0)
		die(w, "c%u queued with offers or an agent", ci);
	if (!rule_met(w, qi, w->q[qi].conf.join))
		die(w, "c%u joined %s, whose join rule is not met", ci,
		    w->q[qi].id);
	++w->q[qi].entered;
	mc->q = qi;
	mc->st = M_QUEUED;
	mc->entered = ev->time;
	mc->order = ++w->order;
	memcpy(mc->req, mc->req0, sizeof(mc->req));
	mc->nreq = mc->nreq0;
	mc->stage = 0;
	mc->maxwait_done = false;
	mc->ovf_pending = false;
	mc->left = false;
	sticky_reserve(w, mc, ev->time);
}

/* An agent whose phone answers by itself: the handler calls back into
 * the engine; that call's events follow those already pending (acd.h). */
static void auto_answer(struct world *w, const struct acd_event *ev,
			uint32_t ci, int ai)
{
	int err;

	w->autos[w->nautos].a = ai;
	w->autos[w->nautos].c = ci;
	++w->nautos;
	err = acd_offer_answer(ev->contact, ev->agent, w->now);
	if (w->trace)
		fprintf(stderr, "      (handler: answer c%u by %s: %s)\n", ci,
			w->a[ai].id, err_name(err));
	/* EPERM: no longer offered; EINVAL: ended later in the same call
	 * (its ENDED event is still pending) */
	if (err && err != EPERM && err != EINVAL)
		die(w, "acd_offer_answer from the handler: %s",
		    err_name(err));
	if (err)
		--w->nautos;
	if (acd_now(w->acd) != w->now)
		die(w, "a call from the handler moved the clock");
}

static void ev_offered(struct world *w, const struct acd_event *ev,
		       uint32_t ci, int qi, int ai)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[ai];
	const struct m_queue *mq = &w->q[qi];
	struct m_work wk;
	const char *why;

	if (qi != mc->q)
		die(w, "c%u offered from %s, but it is in %s", ci, mq->id,
		    queue_name(w, mc->q));
	if (mc->st == M_OFFERED) {
		if (mq->conf.strategy != ACD_STRAT_RING_ALL)
			die(w, "c%u offered to %s while offered to another "
			    "agent, in %s (%s)", ci, ma->id, mq->id,
			    acd_strategy_name(mq->conf.strategy));
	}
	else if (mc->st != M_QUEUED) {
		die(w, "c%u offered to %s while not waiting", ci, ma->id);
	}
	if (mc->offers & bit(ai))
		die(w, "c%u offered twice to %s", ci, ma->id);
	if (ev->wait_ms != ev->time - mc->entered)
		die(w, "c%u offered with wait %" PRIu64 " ms, joined %" PRIu64
		    " ms before", ci, ev->wait_ms, ev->time - mc->entered);
	why = cannot_take(ma, mc, ev->time);
	if (why)
		die(w, "c%u (%s) offered to agent %s, who %s", ci,
		    acd_channel_name(mc->ch), ma->id, why);
	if (w->mode == MODE_FIFO && mc->st == M_QUEUED)
		fifo_check(w, ci);
	memset(&wk, 0, sizeof(wk));
	wk.c = ci;
	wk.kind = WK_OFFER;
	wk.ch = mc->ch;
	wk.q = qi;
	wk.since = ev->time;
	wk.wid = ++w->wseq;
	if (mq->conf.offer_timeout_ms)
		wk.due = ev->time + mq->conf.offer_timeout_ms;
	work_add(w, ma, &wk);
	mc->offers |= bit(ai);
	mc->st = M_OFFERED;
	mc->reserved_until = 0;
	++w->noffers;
	if (ma->auto_answer && w->nautos < 64 && chance(w, 60))
		auto_answer(w, ev, ci, ai);
}

static int offer_of(const struct world *w, const struct acd_event *ev,
		    uint32_t ci, int ai)
{
	int k = work_find(&w->a[ai], ci, WK_OFFER);

	if (k < 0 || !(w->c[ci].offers & bit(ai)))
		die(w, "%s: c%u was not offered to %s",
		    acd_event_name(ev->type), ci, w->a[ai].id);
	if (ev->ring_ms != ev->time - w->a[ai].w[k].since)
		die(w, "%s: c%u rang %" PRIu64 " ms at %s, the event says %"
		    PRIu64, acd_event_name(ev->type), ci,
		    ev->time - w->a[ai].w[k].since, w->a[ai].id, ev->ring_ms);
	return k;
}

static void ev_missed(struct world *w, const struct acd_event *ev,
		      uint32_t ci, int ai)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[ai];
	int k = offer_of(w, ev, ci, ai);
	const struct m_queue *mq = &w->q[ma->w[k].q];
	bool by_call = w->call == CALL_MISS && w->call_a == ai &&
		w->call_c == (long)ci && ev->miss == w->call_miss;

	if (by_call)
		++w->call_hits;
	else if (w->call_a == ai && w->call_c == (long)ci)
		++w->call_timeouts;
	if (!by_call && !(ev->miss == ACD_MISS_TIMEOUT && ma->w[k].due &&
			  ev->time == ma->w[k].due))
		die(w, "c%u missed by %s (%s) at t=%" PRIu64 ", neither by "
		    "the call nor at its ring timeout (due %" PRIu64 ")", ci,
		    ma->id, acd_miss_name(ev->miss), ev->time, ma->w[k].due);
	work_remove(ma, k);
	mc->offers &= ~bit(ai);
	if (!mc->offers)
		mc->st = M_QUEUED;

	++ma->missed;
	if (mq->conf.missed_delay_ms && ma->logged)
		ma->rest_until = ev->time + mq->conf.missed_delay_ms;
	/* acd.h: not ready "missed" after max_missed misses in a row; a
	 * not-ready or log-out already asked for stays as asked. */
	if (ma->conf.max_missed && ma->missed >= ma->conf.max_missed &&
	    ma->logged && ma->ready && ma->pending == P_NONE) {
		ma->missed = 0;
		if (ma->nw) {
			ma->pending = P_NOT_READY;
			ma->pending_reason = 0;
		}
		else {
			ma->ready = false;
			ma->reason = 0;
		}
	}
}

static void ev_cancelled(struct world *w, const struct acd_event *ev,
			 uint32_t ci, int ai)
{
	struct m_contact *mc = &w->c[ci];
	int k;

	if (mc->st != M_CONNECTED &&
	    (w->call != CALL_ABANDON || w->call_c != (long)ci))
		die(w, "offer of c%u to %s cancelled, but c%u was neither "
		    "answered nor abandoned", ci, w->a[ai].id, ci);
	k = offer_of(w, ev, ci, ai);
	work_remove(&w->a[ai], k);
	mc->offers &= ~bit(ai);
}

static void ev_answered(struct world *w, const struct acd_event *ev,
			uint32_t ci, int ai)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[ai];
	struct m_queue *mq = &w->q[mc->q];
	uint64_t wait = ev->time - mc->entered;
	int k;

	if (w->call == CALL_ANSWER && w->call_a == ai &&
	    w->call_c == (long)ci) {
		++w->call_hits;
	}
	else {
		unsigned i;

		for (i = 0; i < w->nautos; i++)
			if (w->autos[i].a == ai && w->autos[i].c == ci)
				break;
		if (i == w->nautos)
			die(w, "c%u answered by %s without the call", ci,
			    ma->id);
		w->autos[i] = w->autos[--w->nautos];
	}
	k = offer_of(w, ev, ci, ai);
	if (ev->wait_ms != wait)
		die(w, "c%u answered after %" PRIu64 " ms in %s, event says %"
		    PRIu64, ci, wait, mq->id, ev->wait_ms);
	ma->w[k].kind = WK_BUSY;
	ma->w[k].since = ev->time;
	ma->w[k].due = 0;
	mc->offers &= ~bit(ai);
	mc->st = M_CONNECTED;
	mc->agent = ai;
	mc->answered_at = ev->time;
	ma->missed = 0;
	++mq->answered;
	if (wait <= mq->conf.sl_target_ms)
		++mq->in_sl;
}

static void ev_relaxed(struct world *w, const struct acd_event *ev,
		       uint32_t ci)
{
	struct m_contact *mc = &w->c[ci];
	const struct acd_queue_conf *qc = &w->q[mc->q].conf;

	if (mc->st != M_QUEUED || ev->rule < (int)mc->stage ||
	    ev->rule >= (int)qc->nrelax)
		die(w, "c%u relaxed by rule %d while %s at stage %u", ci,
		    ev->rule, mc->st == M_QUEUED ? "waiting" : "not waiting",
		    mc->stage);
	if (ev->time < mc->entered + qc->relax[ev->rule].after_ms)
		die(w, "c%u relaxed by rule %d early", ci, ev->rule);
	for (; (int)mc->stage < ev->rule; mc->stage++)
		if (relax_changes(mc, &qc->relax[mc->stage]))
			die(w, "c%u: relaxation rule %u changed its "
			    "requirements without an event", ci, mc->stage);
	if (!relax_changes(mc, &qc->relax[ev->rule]))
		die(w, "c%u relaxed by rule %d, which changes nothing", ci,
		    ev->rule);
	relax_apply(mc, &qc->relax[ev->rule]);
	mc->stage = (unsigned)ev->rule + 1;
	if (ev->wait_ms != ev->time - mc->entered)
		die(w, "c%u relaxed: wait %" PRIu64 ", expected %" PRIu64, ci,
		    ev->wait_ms, ev->time - mc->entered);
}

static void ev_overflow(struct world *w, const struct acd_event *ev,
			uint32_t ci, int qi)
{
	struct m_contact *mc = &w->c[ci];
	struct m_queue *mq = &w->q[qi];
	enum acd_overflow_action want = mq->conf.overflow;

	switch (ev->ovf_reason) {

	case ACD_OVR_MAX_WAIT:
		if (mc->st != M_QUEUED || mc->q != qi ||
		    !mq->conf.max_wait_ms || mc->ch == ACD_CH_CALLBACK ||
		    mc->maxwait_done)
			die(w, "c%u: maximum wait fired in %s, but it does "
			    "not apply", ci, mq->id);
		if (ev->time < mc->entered + mq->conf.max_wait_ms)
			die(w, "c%u: maximum wait fired early", ci);
		if (ev->wait_ms != ev->time - mc->entered)
			die(w, "c%u: overflow wait %" PRIu64 ", expected %"
			    PRIu64, ci, ev->wait_ms, ev->time - mc->entered);
		break;

	case ACD_OVR_FULL:
		if (mc->st != M_LIMBO || !mq->conf.max_waiting ||
		    queue_waiting(w, qi) < mq->conf.max_waiting)
			die(w, "c%u refused by %s as full with %u waiting of "
			    "%u", ci, mq->id, queue_waiting(w, qi),
			    mq->conf.max_waiting);
		break;

	case ACD_OVR_NO_AGENTS:
		want = mq->conf.empty_action;
		if (mc->st == M_LIMBO && rule_met(w, qi, mq->conf.join))
			die(w, "c%u refused by %s's join rule, which is met",
			    ci, mq->id);
		if (mc->st == M_QUEUED && mc->q != qi)
			die(w, "c%u evicted from %s, but it waits in %s", ci,
			    mq->id, queue_name(w, mc->q));
		if (mc->st == M_QUEUED && rule_met(w, qi, mq->conf.leave))
			die(w, "c%u evicted by %s's leave rule, which is met",
			    ci, mq->id);
		if (mc->st == M_QUEUED && mc->ch == ACD_CH_CALLBACK)
			die(w, "callback c%u evicted by the leave rule", ci);
		if (mc->st == M_OFFERED || mc->st == M_CONNECTED)
			die(w, "c%u evicted while offered or connected", ci);
		break;

	default:
		die(w, "c%u: unknown overflow reason %d", ci, ev->ovf_reason);
	}
	if (ev->action != want)
		die(w, "c%u overflow from %s: action %s, configured %s", ci,
		    mq->id, acd_overflow_action_name(ev->action),
		    acd_overflow_action_name(want));
	if (want == ACD_OVF_QUEUE ? ev->target != w->q[mq->ovf].q
				  : ev->target != NULL)
		die(w, "c%u overflow from %s: wrong target", ci, mq->id);
	++mq->overflowed;
	if (mc->st == M_LIMBO)         /* refused on joining */
		++mq->entered;
	mc->ovf_why = ev->ovf_reason;
	mc->ovf_action = ev->action;
	if (ev->ovf_reason == ACD_OVR_MAX_WAIT &&
	    (want == ACD_OVF_NONE || want == ACD_OVF_CALLBACK)) {
		mc->maxwait_done = true;       /* stays waiting */
		return;
	}
	mc->ovf_pending = true;
	mc->st = M_LIMBO;
	mc->reserved_until = 0;
}

static void ev_callback(struct world *w, uint32_t ci)
{
	struct m_contact *mc = &w->c[ci];

	if (w->call != CALL_CALLBACK || w->call_c != (long)ci)
		die(w, "c%u became a callback without the call", ci);
	if (mc->st != M_QUEUED || mc->ch != ACD_CH_VOICE)
		die(w, "c%u became a callback while not a waiting call", ci);
	mc->ch = ACD_CH_CALLBACK;
	mc->reserved_until = 0;
}

static void ev_transferred(struct world *w, const struct acd_event *ev,
			   uint32_t ci, int ai)
{
	struct m_contact *mc = &w->c[ci];

	if (w->call != CALL_TRANSFER || w->call_c != (long)ci)
		die(w, "c%u transferred without the call", ci);
	if (mc->st != M_CONNECTED || !mc->left || ai != mc->agent)
		die(w, "c%u transferred while not connected to %s", ci,
		    ai >= 0 ? w->a[ai].id : "(none)");
	if (ev->talk_ms != mc->talk)
		die(w, "c%u transferred after %" PRIu64 " ms of talk, event "
		    "says %" PRIu64, ci, mc->talk, ev->talk_ms);
	if (w->call_q >= 0 ? ev->target != w->q[w->call_q].q
			   : ev->target != NULL)
		die(w, "c%u transferred to the wrong queue", ci);
	mc->st = M_LIMBO;
	mc->agent = -1;
}

static void ev_ended(struct world *w, const struct acd_event *ev,
		     uint32_t ci, int ai)
{
	struct m_contact *mc = &w->c[ci];
	enum acd_outcome out = ev->outcome;
	bool call = w->call_c == (long)ci;
	bool ok;

	if (out <= ACD_OUT_NONE || out >= ACD_OUT_COUNT)
		die(w, "c%u ended with outcome %d", ci, out);
	if (mc->offers)
		die(w, "c%u ended while still offered", ci);
	switch (out) {

	case ACD_OUT_COMPLETED:
		ok = call && w->call == CALL_END && mc->st == M_CONNECTED &&
			mc->left && ai == mc->agent && ev->talk_ms == mc->talk;
		break;

	case ACD_OUT_TRANSFERRED:
		ok = call && w->call == CALL_TRANSFER && w->call_q < 0 &&
			mc->st == M_LIMBO && mc->left;
		break;

	case ACD_OUT_ABANDONED_QUEUE:
	case ACD_OUT_ABANDONED_RINGING:
		ok = call && w->call == CALL_ABANDON &&
			mc->st == (out == ACD_OUT_ABANDONED_QUEUE ? M_QUEUED
							      : M_OFFERED) &&
			ev->wait_ms == ev->time - mc->entered;
		if (ok)
			++w->q[mc->q].abandoned;
		break;

	case ACD_OUT_TIMED_OUT:
		ok = mc->ovf_pending && mc->ovf_why == ACD_OVR_MAX_WAIT &&
			(mc->ovf_action == ACD_OVF_VOICEMAIL ||
			 mc->ovf_action == ACD_OVF_DISCONNECT);
		break;

	default:
		ok = mc->ovf_pending && !(mc->ovf_why == ACD_OVR_MAX_WAIT &&
					  (mc->ovf_action == ACD_OVF_VOICEMAIL
					   || mc->ovf_action ==
					   ACD_OVF_DISCONNECT));
		break;
	}
	if (!ok)
		die(w, "c%u ended %s, which does not fit (state %d, call %d, "
		    "last overflow %s)", ci, acd_outcome_name(out), mc->st,
		    w->call, mc->ovf_pending ?
		    acd_overflow_action_name(mc->ovf_action) : "none");
	++w->outcomes[out];
	if (w->nended < 64)
		w->ended[w->nended++] = ci;
	mc->ended = true;
	mc->agent = -1;
	live_remove(w, ci);
}

static void ev_wrapup_ended(struct world *w, const struct acd_event *ev,
			    uint32_t ci, int ai)
{
	struct m_agent *ma = &w->a[ai];
	int k = work_find(ma, ci, WK_WRAP);
	const struct m_work *wk;
	bool by_call;

	/* A transferred contact may come back to the same agent: two
	 * wrap-ups of one contact.  Timers due together fire in arming
	 * order; acd_agent_wrapup_end() ends them in the agent's order. */
	for (unsigned i = 0; i < ma->nw; i++) {
		const struct m_work *x = &ma->w[i], *y = &ma->w[k];

		if (x->c != ci || x->kind != WK_WRAP || (int)i == k)
			continue;
		if (x->due == ev->time ? y->due != ev->time || x->seq < y->seq
				       : y->due != ev->time && x->wid < y->wid)
			k = (int)i;
	}

	if (k < 0)
		die(w, "wrap-up of %s for c%u ended, but there is none",
		    ma->id, ci);
	wk = &ma->w[k];
	by_call = w->call == CALL_WRAPUP_END && w->call_a == ai &&
		(w->call_c < 0 || w->call_c == (long)ci) &&
		ev->time == w->now && ev->time <= wk->due;
	if (ev->time != wk->due && !by_call)
		die(w, "wrap-up of %s for c%u ended at t=%" PRIu64 ", due %"
		    PRIu64, ma->id, ci, ev->time, wk->due);
	if (ev->dur_ms != ev->time - wk->since)
		die(w, "wrap-up of %s for c%u: %" PRIu64 " ms, event says %"
		    PRIu64, ma->id, ci, ev->time - wk->since, ev->dur_ms);
	aht_note(&w->q[wk->q], wk->talk + ev->dur_ms);
	work_remove(ma, k);
}

static void trace_event(const struct world *w, const struct acd_event *ev)
{
	fprintf(stderr, "    #%" PRIu64 " t=%" PRIu64 " %s", ev->id, ev->time,
		acd_event_name(ev->type));
	if (ev->agent)
		fprintf(stderr, " agent=%s", acd_agent_id(ev->agent));
	if (ev->contact)
		fprintf(stderr, " contact=%s", acd_contact_id(ev->contact));
	if (ev->queue)
		fprintf(stderr, " queue=%s", acd_queue_id(ev->queue));
	switch (ev->type) {

	case ACD_EV_AGENT_STATE:
		fprintf(stderr, " %s->%s dur=%" PRIu64 "%s%s",
			acd_agent_state_name(ev->from),
			acd_agent_state_name(ev->to), ev->dur_ms,
			ev->reason ? " reason=" : "",
			ev->reason ? ev->reason : "");
		break;

	case ACD_EV_CONTACT_ENDED:
		fprintf(stderr, " %s", acd_outcome_name(ev->outcome));
		break;

	case ACD_EV_CONTACT_OVERFLOW:
		fprintf(stderr, " %s reason=%d target=%s",
			acd_overflow_action_name(ev->action), ev->ovf_reason,
			ev->target ? acd_queue_id(ev->target) : "-");
		break;

	case ACD_EV_OFFER_MISSED:
		fprintf(stderr, " %s", acd_miss_name(ev->miss));
		break;

	case ACD_EV_CONTACT_RELAXED:
		fprintf(stderr, " rule=%d", ev->rule);
		break;

	default:
		break;
	}
	fprintf(stderr, "\n");
	(void)w;
}

static void on_event(const struct acd_event *ev, void *arg)
{
	struct world *w = arg;
	int ai = -1, qi = -1;
	long ci = -1;

	++w->nev;
	if ((unsigned)ev->type < ACD_EV_COUNT)
		++w->types[ev->type];
	if (w->trace)
		trace_event(w, ev);
	if (ev->id != w->evid + 1)
		die(w, "event id %" PRIu64 " follows %" PRIu64, ev->id,
		    w->evid);
	w->evid = ev->id;
	if (ev->time < w->evtime || ev->time > w->now)
		die(w, "event %s at t=%" PRIu64 ", outside [%" PRIu64 ", %"
		    PRIu64 "]", acd_event_name(ev->type), ev->time, w->evtime,
		    w->now);
	w->evtime = ev->time;
	if (ev->agent && (ai = agent_idx(w, ev->agent)) < 0)
		die(w, "event %s names an unknown agent",
		    acd_event_name(ev->type));
	if (ev->queue && (qi = queue_idx(w, ev->queue)) < 0)
		die(w, "event %s names an unknown queue",
		    acd_event_name(ev->type));
	if (ev->contact && (ci = contact_idx(w, ev->contact)) < 0)
		die(w, "event %s names an unknown contact",
		    acd_event_name(ev->type));
	if (ci >= 0 && w->c[ci].ended && ev->type != ACD_EV_WRAPUP_ENDED)
		die(w, "event %s about c%ld after its end",
		    acd_event_name(ev->type), ci);

	switch (ev->type) {

	case ACD_EV_AGENT_STATE:
		if (ai < 0)
			die(w, "agent state event without agent");
		ev_agent_state(w, ev, ai);
		return;

	case ACD_EV_WRAPUP_ENDED:
		if (ai < 0 || ci < 0)
			die(w, "wrap-up ended without agent or contact");
		ev_wrapup_ended(w, ev, (uint32_t)ci, ai);
		return;

	default:
		break;
	}
	if (ci < 0 || qi < 0)
		die(w, "event %s without contact or queue",
		    acd_event_name(ev->type));
	switch (ev->type) {

	case ACD_EV_CONTACT_QUEUED:
		ev_queued(w, ev, (uint32_t)ci, qi);
		break;

	case ACD_EV_CONTACT_OFFERED:
	case ACD_EV_OFFER_MISSED:
	case ACD_EV_OFFER_CANCELLED:
	case ACD_EV_CONTACT_ANSWERED:
		if (ai < 0)
			die(w, "event %s without agent",
			    acd_event_name(ev->type));
		if (ev->type == ACD_EV_CONTACT_OFFERED)
			ev_offered(w, ev, (uint32_t)ci, qi, ai);
		else if (ev->type == ACD_EV_OFFER_MISSED)
			ev_missed(w, ev, (uint32_t)ci, ai);
		else if (ev->type == ACD_EV_OFFER_CANCELLED)
			ev_cancelled(w, ev, (uint32_t)ci, ai);
		else
			ev_answered(w, ev, (uint32_t)ci, ai);
		break;

	case ACD_EV_CONTACT_RELAXED:
		ev_relaxed(w, ev, (uint32_t)ci);
		break;

	case ACD_EV_CONTACT_OVERFLOW:
		ev_overflow(w, ev, (uint32_t)ci, qi);
		break;

	case ACD_EV_CONTACT_CALLBACK:
		ev_callback(w, (uint32_t)ci);
		break;

	case ACD_EV_CONTACT_TRANSFERRED:
		ev_transferred(w, ev, (uint32_t)ci, ai);
		break;

	case ACD_EV_CONTACT_ENDED:
		ev_ended(w, ev, (uint32_t)ci, ai);
		break;

	default:
		die(w, "unknown event type %d", ev->type);
	}
}

/* Checks after every step */

static void check_agent(struct world *w, struct m_agent *ma)
{
	uint64_t d[ACD_AGENT_STATE_COUNT], sum = 0, li, mli;
	enum acd_agent_state st, want;
	unsigned nexcl = 0;

	for (unsigned i = 0; i < ma->nw; i++)
		nexcl += excl(ma, ma->w[i].ch);
	for (int ch = 0; ch < ACD_CH_COUNT; ch++) {
		unsigned got = acd_agent_contacts(ma->a, ch);

		if (got != work_count(ma, ch))
			die(w, "agent %s has %u %s contacts, the events say "
			    "%u", ma->id, got, acd_channel_name(ch),
			    work_count(ma, ch));
		if (got > ma->conf.cap[ch])
			die(w, "agent %s has %u %s contacts, capacity %u",
			    ma->id, got, acd_channel_name(ch),
			    ma->conf.cap[ch]);
	}
	if (nexcl && ma->nw > 1)
		die(w, "agent %s has an exclusive contact and %u others",
		    ma->id, ma->nw - 1);
	if (!ma->logged && ma->nw)
		die(w, "agent %s: logged out with work", ma->id);

	st = acd_agent_state(ma->a);
	want = agent_derive(ma);
	if (st != want)
		die(w, "agent %s is %s, expected %s (logged %d ready %d "
		    "pending %d, %u work items)", ma->id,
		    acd_agent_state_name(st), acd_agent_state_name(want),
		    ma->logged, ma->ready, ma->pending, ma->nw);
	if (st != ma->last_to)
		die(w, "agent %s is %s, its last state event says %s",
		    ma->id, acd_agent_state_name(st),
		    acd_agent_state_name(ma->last_to));
	if (st == ACD_AGENT_NOT_READY) {
		const char *r = acd_agent_reason(ma->a);
		const char *mr = ma->reason >= 0 ? reason_names[ma->reason]
						 : NULL;

		if ((r == NULL) != (mr == NULL) || (r && strcmp(r, mr)))
			die(w, "agent %s not ready for \"%s\", expected "
			    "\"%s\"", ma->id, r ? r : "", mr ? mr : "");
		if (ma->ev_reason_null != !r ||
		    (r && strcmp(r, ma->ev_reason)))
			die(w, "agent %s not ready for \"%s\", its event said"
			    " \"%s\"", ma->id, r ? r : "", ma->ev_reason);
	}

	acd_agent_durations(ma->a, w->now, d);
	for (int s = 0; s < ACD_AGENT_STATE_COUNT; s++) {
		uint64_t m = ma->dur[s] +
			(s == (int)ma->last_to ? w->now - ma->last_t : 0);

		if (d[s] != m)
			die(w, "agent %s: %" PRIu64 " ms %s, the events say %"
			    PRIu64, ma->id, d[s],
			    acd_agent_state_name((enum acd_agent_state)s), m);
		sum += d[s];
	}
	li = acd_agent_logged_in_ms(ma->a, w->now);
	mli = ma->login_ms + (ma->last_to != ACD_AGENT_LOGGED_OUT ?
			      w->now - ma->login_at : 0);
	if (li != mli || li != sum - d[ACD_AGENT_LOGGED_OUT])
		die(w, "agent %s: logged in %" PRIu64 " ms, the events say %"
		    PRIu64 ", durations %" PRIu64, ma->id, li, mli,
		    sum - d[ACD_AGENT_LOGGED_OUT]);
}

/* Place in line (acd.h): priority, gaining one point per aging_ms
 * waited since arrival, then arrival. */
static bool line_before(const struct world *w, const struct m_contact *x,
			const struct m_contact *y)
{
	uint32_t aging = w->q[y->q].conf.aging_ms;
	int64_t kx, ky;

	if (aging) {
		kx = (int64_t)x->arrived - (int64_t)x->prio * aging;
		ky = (int64_t)y->arrived - (int64_t)y->prio * aging;
	}
	else {
		kx = -(int64_t)x->prio;
		ky = -(int64_t)y->prio;
	}
	if (kx != ky)
		return kx < ky;
	return x->sorder < y->sorder;
}

/* Estimated wait: position times the handle time over ready agents. */
static void check_ewt(const struct world *w, const struct m_contact *mc,
		      uint32_t pos, uint64_t ewt)
{
	const struct m_queue *mq = &w->q[mc->q];
	struct acd_queue_stats st;
	uint64_t want = 0, aht;
	unsigned ready = 0;

	acd_queue_stats(mq->q, &st);
	aht = st.aht_ms;           /* checked by check_queue() */

	for (unsigned i = 0; i < w->na; i++) {
		const struct m_agent *ma = &w->a[i];

		ready += ma->member[mc->q] && ma->logged && ma->ready &&
			ma->pending == P_NONE;
	}
	if (mc->st == M_QUEUED)
		want = !aht || !ready ? UINT64_MAX
			: (uint64_t)pos * aht / ready;
	if (ewt != want)
		die(w, "c%ld: estimated wait %" PRIu64 ", expected %" PRIu64
		    " (position %u, handle time %" PRIu64 " ms, %u ready)",
		    (long)(mc - w->c), ewt, want, pos, aht, ready);
}

static void check_contact(struct world *w, uint32_t ci)
{
	static const enum acd_contact_state map[] = {
		ACD_CONTACT_QUEUED, ACD_CONTACT_OFFERED, ACD_CONTACT_CONNECTED
	};
	const struct m_contact *mc = &w->c[ci];
	struct acd_agent *want_agent = NULL;
	uint32_t pos;
	uint64_t ewt;
	char id[24];

	if (mc->st == M_LIMBO)
		die(w, "c%u is in no queue after the call", ci);
	if (acd_contact_state(mc->c) != map[mc->st])
		die(w, "c%u is %s, the events say %s", ci,
		    acd_contact_state_name(acd_contact_state(mc->c)),
		    acd_contact_state_name(map[mc->st]));
	if ((mc->st == M_OFFERED) != (mc->offers != 0))
		die(w, "c%u: model offers disagree with its state", ci);
	if (acd_contact_queue(mc->c) != w->q[mc->q].q)
		die(w, "c%u is in %s, the events say %s", ci,
		    acd_queue_id(acd_contact_queue(mc->c)), w->q[mc->q].id);
	if (mc->st == M_CONNECTED)
		want_agent = w->a[mc->agent].a;
	if (acd_contact_agent(mc->c) != want_agent)
		die(w, "c%u: wrong agent", ci);
	if (acd_contact_channel(mc->c) != mc->ch)
		die(w, "c%u is %s, expected %s", ci,
		    acd_channel_name(acd_contact_channel(mc->c)),
		    acd_channel_name(mc->ch));
	snprintf(id, sizeof(id), "c%u", ci);
	if (acd_contact_find(w->acd, id) != mc->c)
		die(w, "c%u: acd_contact_find does not find it", ci);
	if (acd_contact_position(mc->c, w->now, &pos, &ewt))
		die(w, "c%u: no position", ci);
	if (mc->st != M_QUEUED) {
		if (pos)
			die(w, "c%u not waiting, but at position %u", ci, pos);
		check_ewt(w, mc, pos, ewt);
		return;
	}
	if (w->mode == MODE_FIFO) {
		uint32_t want = 1;

		for (size_t i = 0; i < w->nlive; i++) {
			const struct m_contact *o = &w->c[w->live[i]];

			want += o->st == M_QUEUED && fifo_better(o, mc);
		}
		if (pos != want)
			die(w, "c%u at position %u, expected %u", ci, pos,
			    want);
	}
	else if (!pos) {
		die(w, "c%u waits at position 0", ci);
	}
	else if (!w->q[mc->q].conf.sticky_ms) {
		uint32_t want = 1;

		for (size_t i = 0; i < w->nlive; i++) {
			const struct m_contact *o = &w->c[w->live[i]];

			want += o->st == M_QUEUED && o->q == mc->q &&
				line_before(w, o, mc);
		}
		if (pos != want)
			die(w, "c%u at position %u in %s, expected %u", ci,
			    pos, w->q[mc->q].id, want);
	}
	check_ewt(w, mc, pos, ewt);
}

static void check_queue(struct world *w, int qi)
{
	struct m_queue *mq = &w->q[qi];
	struct acd_queue_stats st;
	uint32_t n[3] = {0, 0, 0}, logged = 0, ready = 0;
	uint64_t oldest = UINT64_MAX;

	acd_queue_stats(mq->q, &st);
	for (size_t i = 0; i < w->nlive; i++) {
		uint32_t ci = w->live[i];
		const struct m_contact *mc = &w->c[ci];

		if (mc->q != qi)
			continue;
		++n[mc->st];
		if (mc->st != M_CONNECTED && mc->entered < oldest)
			oldest = mc->entered;
		if (mc->st == M_QUEUED && mc->ch != ACD_CH_CALLBACK &&
		    !rule_met(w, qi, mq->conf.leave))
			die(w, "c%u waits in %s, whose leave rule is not met",
			    ci, mq->id);
	}
	for (unsigned i = 0; i < w->na; i++) {
		const struct m_agent *ma = &w->a[i];

		if (!ma->member[qi] || !ma->logged)
			continue;
		++logged;
		ready += ma->ready && ma->pending == P_NONE;
	}
	if (st.waiting != n[M_QUEUED] || st.offered != n[M_OFFERED] ||
	    st.connected != n[M_CONNECTED])
		die(w, "%s: %u waiting, %u offered, %u connected; the events "
		    "say %u, %u, %u", mq->id, st.waiting, st.offered,
		    st.connected, n[0], n[1], n[2]);
	if (st.agents_logged_in != logged || st.agents_ready != ready)
		die(w, "%s: %u agents logged in, %u ready; expected %u, %u",
		    mq->id, st.agents_logged_in, st.agents_ready, logged,
		    ready);
	if (st.entered != mq->entered)
		die(w, "%s: %" PRIu64 " entered, the events say %" PRIu64,
		    mq->id, st.entered, mq->entered);
	if (st.answered != mq->answered || st.answered_in_sl != mq->in_sl ||
	    st.abandoned != mq->abandoned || st.overflowed != mq->overflowed)
		die(w, "%s: answered %" PRIu64 " (%" PRIu64 " in SL), "
		    "abandoned %" PRIu64 ", overflowed %" PRIu64 "; the events"
		    " say %" PRIu64 " (%" PRIu64 "), %" PRIu64 ", %" PRIu64,
		    mq->id, st.answered, st.answered_in_sl, st.abandoned,
		    st.overflowed, mq->answered, mq->in_sl, mq->abandoned,
		    mq->overflowed);
	for (unsigned i = 0; i < M_AHT; i++)
		if (st.aht_ms != mq->aht[i])
			mq->aht_fits &= ~(1u << i);
	if (!mq->aht_fits)
		die(w, "%s: average handle time %" PRIu64 " ms, the events "
		    "say %" PRIu64 " (over ~16), %" PRIu64 " (~128)", mq->id,
		    st.aht_ms, mq->aht[2], mq->aht[5]);
	if (st.oldest_since != oldest)
		die(w, "%s: oldest waiting since %" PRIu64 ", expected %"
		    PRIu64, mq->id, st.oldest_since, oldest);
}

/* Nobody waits while an agent could take the contact. */
static void check_routing(struct world *w)
{
	for (size_t i = 0; i < w->nlive; i++) {
		uint32_t ci = w->live[i];
		const struct m_contact *mc = &w->c[ci];

		if (mc->st != M_QUEUED || mc->reserved_until > w->now)
			continue;
		for (unsigned k = 0; k < w->na; k++)
			if (!cannot_take(&w->a[k], mc, w->now))
				die(w, "c%u (%s, %u requirements) waits in %s "
				    "while agent %s could take it", ci,
				    acd_channel_name(mc->ch), mc->nreq,
				    w->q[mc->q].id, w->a[k].id);
	}
}

static void check_all(struct world *w)
{
	char msg[256];

	if (acd_invariants(w->acd, msg, sizeof(msg)))
		die(w, "acd_invariants: %s", msg);
	if (acd_now(w->acd) != w->now)
		die(w, "engine clock %" PRIu64, acd_now(w->acd));
	for (unsigned i = 0; i < w->na; i++)
		check_agent(w, &w->a[i]);
	for (unsigned i = 0; i < w->nq; i++)
		check_queue(w, (int)i);
	for (size_t i = 0; i < w->nlive; i++)
		check_contact(w, w->live[i]);
	check_routing(w);
	for (unsigned i = 0; i < w->nended; i++) {
		char id[24];

		snprintf(id, sizeof(id), "c%u", w->ended[i]);
		if (acd_contact_find(w->acd, id))
			die(w, "%s ended, but acd_contact_find finds it", id);
	}
	w->nended = 0;
}

/* After a tick to `now`: nothing due by now is left undone. */
static void check_timers(struct world *w)
{
	uint64_t next = acd_next_timer(w->acd), due = UINT64_MAX;

	if (next <= w->now)
		die(w, "a timer due at %" PRIu64 " is still pending", next);
	for (size_t i = 0; i < w->nlive; i++) {
		uint32_t ci = w->live[i];
		const struct m_contact *mc = &w->c[ci];
		const struct acd_queue_conf *qc;

		if (mc->st != M_QUEUED)
			continue;
		qc = &w->q[mc->q].conf;
		if (qc->max_wait_ms && !mc->maxwait_done &&
		    mc->ch != ACD_CH_CALLBACK) {
			uint64_t d = mc->entered + qc->max_wait_ms;

			if (d <= w->now)
				die(w, "c%u still waits in %s past its "
				    "maximum wait (due %" PRIu64 ")", ci,
				    w->q[mc->q].id, d);
			if (d < due)
				due = d;
		}
		for (unsigned s = mc->stage; s < qc->nrelax; s++) {
			if (mc->entered + qc->relax[s].after_ms > w->now)
				break;
			if (relax_changes(mc, &qc->relax[s]))
				die(w, "c%u: relaxation rule %u is overdue",
				    ci, s);
		}
	}
	for (unsigned i = 0; i < w->na; i++) {
		const struct m_agent *ma = &w->a[i];

		for (unsigned k = 0; k < ma->nw; k++) {
			const struct m_work *wk = &ma->w[k];

			if (!wk->due)
				continue;
			if (wk->due <= w->now)
				die(w, "agent %s: %s of c%u overdue (due %"
				    PRIu64 ")", ma->id, wk->kind == WK_WRAP ?
				    "wrap-up" : "ring timeout", wk->c,
				    wk->due);
			if (wk->due < due)
				due = wk->due;
		}
		if (ma->rest_until > w->now && ma->rest_until < due)
			due = ma->rest_until;
	}
	if (next > due)
		die(w, "acd_next_timer() is %" PRIu64 ", but something is due "
		    "at %" PRIu64, next, due);
}

/* Snapshots: what a failing call must leave as it was. */

struct snap {
	enum acd_agent_state st[M_AGENTS];
	const char *reason[M_AGENTS];
	unsigned n[M_AGENTS][ACD_CH_COUNT];
	uint64_t dur[M_AGENTS][ACD_AGENT_STATE_COUNT];
	uint64_t login[M_AGENTS];
	struct acd_queue_stats qs[M_QUEUES];
	struct acd_queue_conf qc[M_QUEUES];
	uint64_t contacts, next, now, nev;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static void snap_take(const struct world *w, struct snap *s)
{
	uint64_t h = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < w->na; i++) {
		const struct acd_agent *a = w->a[i].a;

		s->st[i] = acd_agent_state(a);
		s->reason[i] = acd_agent_reason(a);
		for (int ch = 0; ch < ACD_CH_COUNT; ch++)
			s->n[i][ch] = acd_agent_contacts(a, ch);
		acd_agent_durations(a, w->now, s->dur[i]);
		s->login[i] = acd_agent_logged_in_ms(a, w->now);
	}
	for (unsigned i = 0; i < w->nq; i++) {
		acd_queue_stats(w->q[i].q, &s->qs[i]);
		s->qc[i] = *acd_queue_conf(w->q[i].q);
	}
	for (size_t i = 0; i < w->nlive; i++) {
		const struct acd_contact *c = w->c[w->live[i]].c;
		uint32_t pos = 0;
		uint64_t ewt = 0;

		(void)acd_contact_position(c, w->now, &pos, &ewt);
		h = mix(h, w->live[i]);
		h = mix(h, acd_contact_state(c));
		h = mix(h, (uintptr_t)acd_contact_queue(c));
		h = mix(h, (uintptr_t)acd_contact_agent(c));
		h = mix(h, acd_contact_channel(c));
		h = mix(h, pos);
		h = mix(h, ewt);
	}
	s->contacts = h;
	s->next = acd_next_timer(w->acd);
	s->now = acd_now(w->acd);
	s->nev = w->nev;
}

static void snap_cmp(const struct world *w, const struct snap *a,
		     const struct snap *b, const char *what)
{
	for (unsigned i = 0; i < w->na; i++) {
		if (a->st[i] != b->st[i] || a->reason[i] != b->reason[i] ||
		    memcmp(a->n[i], b->n[i], sizeof(a->n[i])) ||
		    memcmp(a->dur[i], b->dur[i], sizeof(a->dur[i])) ||
		    a->login[i] != b->login[i])
			die(w, "failing %s changed agent %s", what,
			    w->a[i].id);
	}
	for (unsigned i = 0; i < w->nq; i++)
		if (memcmp(&a->qs[i], &b->qs[i], sizeof(a->qs[i])) ||
		    memcmp(&a->qc[i], &b->qc[i], sizeof(a->qc[i])))
			die(w, "failing %s changed queue %s", what,
			    w->q[i].id);
	if (a->contacts != b->contacts)
		die(w, "failing %s changed a contact", what);
	if (a->next != b->next || a->now != b->now)
		die(w, "failing %s changed the timers or the clock", what);
	if (a->nev != b->nev)
		die(w, "failing %s raised %" PRIu64 " events", what,
		    b->nev - a->nev);
}

/* The call returned `got`; `want` predicted.  A failure must change
 * nothing and leave a message naming the object (`id`, when given). */
static void result(struct world *w, int want, int got,
		   const struct snap *before, const char *what,
		   const char *id)
{
	struct snap after;

	if (got != want)
		die(w, "%s returned %s, expected %s", what, err_name(got),
		    err_name(want));
	if (!want)
		return;
	++w->nfail;
	snap_take(w, &after);
	snap_cmp(w, before, &after, what);
	if (id && want != EINVAL && !strstr(acd_errmsg(w->acd), id))
		die(w, "failing %s: message \"%s\" does not name %s", what,
		    acd_errmsg(w->acd), id);
}

static void call_begin(struct world *w, enum call call, int a, long c)
{
	w->call = call;
	w->call_a = a;
	w->call_c = c;
	w->call_q = -1;
	w->call_hits = 0;
	w->call_timeouts = 0;
}

static void call_end(struct world *w)
{
	if (w->nautos)
		die(w, "an answer from the handler returned 0, but no "
		    "ANSWERED event followed");
	w->call = CALL_NONE;
	w->call_a = -1;
	w->call_c = -1;
}

/* The time passed to a call: now, or at times a little in the past,
 * which the engine clamps to its clock (acd.h). */
static uint64_t when(struct world *w, bool loose)
{
	uint64_t back;

	if (loose || !chance(w, 5))
		return w->now;
	back = rn(w, 5000);
	return back < w->now ? w->now - back : 0;
}

/* Operations.  Each predicts the call's result from the model; those
 * whose effect is not told by events update the model first. */

static void do_tick(struct world *w)
{
	uint64_t nev = w->nev;
	int err;

	trace(w, "tick");
	call_begin(w, CALL_TICK, -1, -1);
	err = acd_tick(w->acd, w->now);
	call_end(w);
	if (err)
		die(w, "acd_tick: %s", err_name(err));
	check_timers(w);
	if (w->nev != nev)
		check_all(w);
}

static enum acd_channel pick_channel(struct world *w)
{
	unsigned r = rn(w, 100);

	if (r < 45)
		return ACD_CH_VOICE;
	if (r < 70)
		return ACD_CH_CHAT;
	if (r < 85)
		return ACD_CH_EMAIL;
	if (r < 92)
		return ACD_CH_CALLBACK;
	return ACD_CH_OUTBOUND;
}

static void op_arrive(struct world *w)
{
	static const int32_t prios[] = {0, 0, 0, 0, 1, 2, 5, -3};
	struct acd_contact_params p;
	struct acd_contact *c = NULL;
	struct m_contact *mc;
	char id[24], cust[16];
	unsigned qi;
	uint32_t ci;
	int err;

	if (w->nlive >= M_LIVE_MAX) {
		do_tick(w);
		return;
	}
	qi = w->mode == MODE_FIFO ? 0 : rn(w, w->nq);
	ci = contact_new(w);
	mc = &w->c[ci];
	memset(&p, 0, sizeof(p));
	if (w->mode == MODE_FIFO) {
		mc->ch = w->fifo_ch;
		mc->prio = w->fifo_prio ? prios[4 + rn(w, 4)] : 0;
	}
	else {
		unsigned r = rn(w, 100);

		mc->ch = pick_channel(w);
		mc->prio = prios[rn(w, 8)];
		mc->nreq0 = r < 50 ? 0 : r < 85 ? 1 : 2;
		for (unsigned i = 0; i < mc->nreq0; i++) {
			mc->req0[i].skill = (uint16_t)rn(w, M_SKILLS);
			mc->req0[i].level = (uint8_t)(1 + rn(w, 7));
		}
		if (chance(w, 50)) {
			mc->customer = (int)rn(w, M_CUST);
			snprintf(cust, sizeof(cust), "cust%d", mc->customer);
			p.customer = cust;
		}
	}
	snprintf(id, sizeof(id), "c%u", ci);
	mc->arrived = w->now;
	mc->sorder = ++w->sorder;
	p.id = id;
	p.channel = mc->ch;
	p.priority = mc->prio;
	p.req = mc->req0;
	p.nreq = mc->nreq0;
	trace(w, "enqueue %s in %s: %s, priority %d, %u requirements%s%s",
	      id, w->q[qi].id, acd_channel_name(mc->ch), mc->prio, mc->nreq0,
	      p.customer ? ", customer " : "", p.customer ? p.customer : "");
	call_begin(w, CALL_ENQUEUE, -1, (long)ci);
	err = acd_contact_enqueue(&c, w->acd, w->q[qi].q, &p, when(w, false));
	call_end(w);
	if (err)
		die(w, "acd_contact_enqueue: %s (%s)", err_name(err),
		    acd_errmsg(w->acd));
	mc = &w->c[ci];
	mc->c = c;
	if (!mc->ended && mc->st == M_LIMBO)
		die(w, "%s neither queued nor ended", id);
}

static void do_answer(struct world *w, uint32_t ci, int ai, bool loose)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[ai];
	int want = mc->offers & bit(ai) ? 0 : EPERM;
	struct snap s;
	int err;

	trace(w, "answer c%u by %s%s", ci, ma->id, loose ? " (late)" : "");
	if (want && !loose)
		snap_take(w, &s);
	call_begin(w, CALL_ANSWER, ai, (long)ci);
	err = acd_offer_answer(mc->c, ma->a, when(w, loose));
	call_end(w);
	mc = &w->c[ci];
	if (loose) {
		if (err == 0 && w->call_hits == 1)
			return;
		if (err == EPERM && !w->call_hits && w->call_timeouts)
			return;
		die(w, "late acd_offer_answer returned %s", err_name(err));
	}
	result(w, want, err, &s, "acd_offer_answer", ma->id);
	if (!want && w->call_hits != 1)
		die(w, "acd_offer_answer returned 0 without an answer");
}

static void do_miss(struct world *w, uint32_t ci, int ai,
		    enum acd_miss miss, bool loose)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[ai];
	int want = mc->offers & bit(ai) ? 0 : EPERM;
	struct snap s;
	int err;

	if ((unsigned)miss >= ACD_MISS_COUNT)
		want = EINVAL;
	trace(w, "miss c%u by %s (%s)%s", ci, ma->id, acd_miss_name(miss),
	      loose ? " (late)" : "");
	if (want && !loose)
		snap_take(w, &s);
	call_begin(w, CALL_MISS, ai, (long)ci);
	w->call_miss = miss;
	err = acd_offer_miss(mc->c, ma->a, miss, when(w, loose));
	call_end(w);
	if (loose) {
		if (err == 0 && w->call_hits <= 1 &&
		    w->call_hits + w->call_timeouts >= 1)
			return;
		die(w, "late acd_offer_miss returned %s", err_name(err));
	}
	result(w, want, err, &s, "acd_offer_miss", ma->id);
	if (!want && w->call_hits != 1)
		die(w, "acd_offer_miss returned 0 without a miss");
}

static void do_abandon(struct world *w, uint32_t ci, bool loose)
{
	struct m_contact *mc = &w->c[ci];
	int want = mc->st == M_QUEUED || mc->st == M_OFFERED ? 0 : EPERM;
	char id[24];
	struct snap s;
	int err;

	snprintf(id, sizeof(id), "c%u", ci);
	trace(w, "abandon %s%s", id, loose ? " (late)" : "");
	if (want && !loose)
		snap_take(w, &s);
	call_begin(w, CALL_ABANDON, -1, (long)ci);
	err = acd_contact_abandon(mc->c, when(w, loose));
	call_end(w);
	if (!err && !w->c[ci].ended)
		die(w, "acd_contact_abandon returned 0, %s lives on", id);
	if (!loose)
		result(w, want, err, &s, "acd_contact_abandon", id);
	else if (err)
		die(w, "late acd_contact_abandon returned %s", err_name(err));
}

/* The agent's side of an end or transfer happens first in the call and
 * is told by no event of its own: do it in the model beforehand. */
static void agent_leaves(struct world *w, uint32_t ci)
{
	struct m_contact *mc = &w->c[ci];
	struct m_agent *ma = &w->a[mc->agent];
	struct m_queue *mq = &w->q[mc->q];
	int k = work_find(ma, ci, WK_BUSY);

	if (k < 0)
		die(w, "c%u connected, but %s is not busy with it", ci,
		    ma->id);
	mc->talk = w->now - mc->answered_at;
	mc->left = true;
	if (mc->customer >= 0 && w->sticky_max) {
		w->sticky[mc->customer].set = true;
		w->sticky[mc->customer].agent = mc->agent;
		w->sticky[mc->customer].at = w->now;
	}
	if (mq->conf.wrapup_ms) {
		ma->w[k].kind = WK_WRAP;
		ma->w[k].since = w->now;
		ma->w[k].due = w->now + mq->conf.wrapup_ms;
		ma->w[k].talk = mc->talk;
		ma->w[k].seq = ++w->wseq;
	}
	else {
		aht_note(mq, mc->talk);
		work_remove(ma, k);
	}
}

static void do_end(struct world *w, uint32_t ci)
{
	struct m_contact *mc = &w->c[ci];
	int want = mc->st == M_CONNECTED ? 0 : EPERM;
	char id[24];
	struct snap s;
	int err;

	snprintf(id, sizeof(id), "c%u", ci);
	trace(w, "end %s", id);
	if (want)
		snap_take(w, &s);
	else
		agent_leaves(w, ci);
	call_begin(w, CALL_END, -1, (long)ci);
	err = acd_contact_end(mc->c, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_contact_end", id);
	if (!err && !w->c[ci].ended)
		die(w, "acd_contact_end returned 0, %s lives on", id);
}

static void do_transfer(struct world *w, uint32_t ci, int qi)
{
	struct m_contact *mc = &w->c[ci];
	int want = mc->st == M_CONNECTED ? 0 : EPERM;
	char id[24];
	struct snap s;
	int err;

	snprintf(id, sizeof(id), "c%u", ci);
	trace(w, "transfer %s to %s", id, qi < 0 ? "outside" : w->q[qi].id);
	if (want)
		snap_take(w, &s);
	else
		agent_leaves(w, ci);
	if (!want && qi >= 0) {
		mc->arrived = w->now;
		mc->sorder = ++w->sorder;
	}
	call_begin(w, CALL_TRANSFER, -1, (long)ci);
	w->call_q = qi;
	err = acd_contact_transfer(mc->c, qi < 0 ? NULL : w->q[qi].q,
				   when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_contact_transfer", id);
}

static void do_callback(struct world *w, uint32_t ci)
{
	struct m_contact *mc = &w->c[ci];
	int want = mc->st == M_QUEUED && mc->ch == ACD_CH_VOICE ? 0 : EPERM;
	char id[24];
	struct snap s;
	int err;

	snprintf(id, sizeof(id), "c%u", ci);
	trace(w, "callback %s", id);
	if (want)
		snap_take(w, &s);
	call_begin(w, CALL_CALLBACK, -1, (long)ci);
	err = acd_contact_callback(mc->c, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_contact_callback", id);
}

static void do_login(struct world *w, int ai, bool ready)
{
	struct m_agent *ma = &w->a[ai];
	int want = ma->logged ? EALREADY : 0;
	struct snap s;
	int err;

	trace(w, "login %s %s", ma->id, ready ? "ready" : "not ready");
	if (want) {
		snap_take(w, &s);
	}
	else {
		ma->logged = true;
		ma->ready = ready;
		ma->reason = -1;
		ma->pending = P_NONE;
		ma->missed = 0;
	}
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_login(ma->a, ready, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_agent_login", ma->id);
}

static void do_ready(struct world *w, int ai)
{
	struct m_agent *ma = &w->a[ai];
	int want = 0;
	struct snap s;
	int err;

	if (!ma->logged)
		want = EPERM;
	else if (ma->ready && ma->pending == P_NONE)
		want = EALREADY;
	trace(w, "ready %s", ma->id);
	if (want) {
		snap_take(w, &s);
	}
	else {
		if (!ma->ready) {
			ma->ready = true;
			ma->reason = -1;
			ma->missed = 0;
		}
		ma->pending = P_NONE;
	}
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_ready(ma->a, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_agent_ready", ma->id);
}

/* reason: -1 none, 0..M_REASONS-1 registered, M_REASONS unknown */
static void do_not_ready(struct world *w, int ai, int reason)
{
	struct m_agent *ma = &w->a[ai];
	const char *name = reason < 0 ? NULL : reason < M_REASONS ?
		reason_names[reason] : "nap";
	int want = 0;
	struct snap s;
	int err;

	if (reason >= M_REASONS)
		want = ENOENT;
	else if (!ma->logged)
		want = EPERM;
	else if (ma->nw && ma->pending == P_NOT_READY &&
		 ma->pending_reason == reason)
		want = EALREADY;
	else if (!ma->nw && !ma->ready && ma->reason == reason)
		want = EALREADY;
	trace(w, "not ready %s (%s)", ma->id, name ? name : "no reason");
	if (want) {
		snap_take(w, &s);
	}
	else if (ma->nw) {
		ma->pending = P_NOT_READY;
		ma->pending_reason = reason;
	}
	else {
		ma->ready = false;
		ma->reason = reason;
		ma->pending = P_NONE;
	}
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_not_ready(ma->a, name, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_agent_not_ready", ma->id);
}

static void do_logout(struct world *w, int ai)
{
	struct m_agent *ma = &w->a[ai];
	int want = !ma->logged || ma->pending == P_LOGOUT ? EALREADY : 0;
	struct snap s;
	int err;

	trace(w, "logout %s", ma->id);
	if (want)
		snap_take(w, &s);
	else if (ma->nw)
		ma->pending = P_LOGOUT;
	else
		agent_logged_out(ma);
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_logout(ma->a, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_agent_logout", ma->id);
}

static bool wrap_match(const struct m_agent *ma, long ci)
{
	for (unsigned i = 0; i < ma->nw; i++)
		if (ma->w[i].kind == WK_WRAP &&
		    (ci < 0 || ma->w[i].c == (uint32_t)ci))
			return true;
	return false;
}

/* ci: the contact's wrap-up only, or -1 for all.  The contact must be
 * live or held by one of this agent's wrap-ups. */
static void do_wrapup_end(struct world *w, int ai, long ci, bool loose)
{
	struct m_agent *ma = &w->a[ai];
	struct acd_contact *c = ci >= 0 ? w->c[ci].c : NULL;
	int want = wrap_match(ma, ci) ? 0 : EPERM;
	struct snap s;
	int err;

	trace(w, "wrap-up end %s, c%ld%s", ma->id, ci, loose ? " (late)" : "");
	if (want && !loose)
		snap_take(w, &s);
	call_begin(w, CALL_WRAPUP_END, ai, ci);
	err = acd_agent_wrapup_end(ma->a, c, when(w, loose));
	call_end(w);
	if (wrap_match(ma, ci))
		die(w, "acd_agent_wrapup_end returned %s, wrap-up goes on",
		    err_name(err));
	if (!loose)
		result(w, want, err, &s, "acd_agent_wrapup_end", ma->id);
	else if (err && err != EPERM)
		die(w, "late acd_agent_wrapup_end returned %s",
		    err_name(err));
}

static void do_wrapup_extend(struct world *w, int ai, long ci,
			     uint32_t extra)
{
	struct m_agent *ma = &w->a[ai];
	struct acd_contact *c = ci >= 0 ? w->c[ci].c : NULL;
	int want = !extra ? EINVAL : wrap_match(ma, ci) ? 0 : EPERM;
	struct snap s;
	int err;

	trace(w, "wrap-up extend %s, c%ld, by %u ms", ma->id, ci, extra);
	if (want) {
		snap_take(w, &s);
	}
	else {
		/* re-armed in the agent's list order */
		uint64_t from = w->wseq;

		for (;;) {
			int k = -1;

			for (unsigned i = 0; i < ma->nw; i++)
				if (ma->w[i].kind == WK_WRAP &&
				    (ci < 0 || ma->w[i].c == (uint32_t)ci) &&
				    ma->w[i].seq <= from &&
				    (k < 0 || ma->w[i].wid < ma->w[k].wid))
					k = (int)i;
			if (k < 0)
				break;
			ma->w[k].due += extra;
			ma->w[k].seq = ++w->wseq;
		}
	}
	call_begin(w, CALL_OTHER, ai, ci);
	err = acd_agent_wrapup_extend(ma->a, c, extra, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_agent_wrapup_extend", ma->id);
}

static void do_skill(struct world *w, int ai, unsigned skill, unsigned lvl)
{
	struct m_agent *ma = &w->a[ai];
	int want = 0;
	struct snap s;
	int err;

	if (skill >= M_SKILLS)
		want = ENOENT;
	else if (lvl > ACD_LEVEL_MAX)
		want = ERANGE;
	trace(w, "skill %s: %u = %u", ma->id, skill, lvl);
	if (want)
		snap_take(w, &s);
	else
		ma->level[skill] = (uint8_t)lvl;
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_skill_set(ma->a, (uint16_t)skill, (uint8_t)lvl);
	call_end(w);
	result(w, want, err, &s, "acd_agent_skill_set", ma->id);
}

static void do_member(struct world *w, int ai, int qi, bool add,
		      unsigned prio, unsigned weight)
{
	struct m_agent *ma = &w->a[ai];
	struct acd_member_conf mcf;
	int want = 0;
	struct snap s;
	int err;

	if (add && ma->member[qi])
		want = EEXIST;
	else if (add && (prio < 1 || weight < 1))
		want = ERANGE;
	else if (!add && !ma->member[qi])
		want = ENOENT;
	trace(w, "member %s %s %s (priority %u, weight %u)",
	      add ? "add" : "remove", ma->id, w->q[qi].id, prio, weight);
	if (want)
		snap_take(w, &s);
	else
		ma->member[qi] = add;
	acd_member_conf_init(&mcf);
	mcf.priority = (uint8_t)prio;
	mcf.weight = (uint16_t)weight;
	call_begin(w, CALL_OTHER, ai, -1);
	if (add)
		err = acd_member_add(ma->a, w->q[qi].q, &mcf);
	else
		err = acd_member_remove(ma->a, w->q[qi].q);
	call_end(w);
	result(w, want, err, &s, add ? "acd_member_add" : "acd_member_remove",
	       ma->id);
}

/* Random choices of operations */

static long pick_contact(struct world *w, unsigned states, bool voice)
{
	size_t n = w->nlive, start;

	if (!n)
		return -1;
	start = rn(w, (unsigned)n);
	for (size_t i = 0; i < n; i++) {
		uint32_t ci = w->live[(start + i) % n];
		const struct m_contact *mc = &w->c[ci];

		if (!(states & (1u << mc->st)))
			continue;
		if (voice && mc->ch != ACD_CH_VOICE)
			continue;
		return ci;
	}
	return -1;
}

static int pick_offered_to(struct world *w, const struct m_contact *mc,
			   bool offered)
{
	unsigned start = rn(w, w->na);

	for (unsigned i = 0; i < w->na; i++) {
		unsigned k = (start + i) % w->na;

		if (!(mc->offers & bit((int)k)) == !offered)
			return (int)k;
	}
	return -1;
}

static bool a_logged_out(const struct m_agent *ma)
{
	return !ma->logged;
}

static bool a_unready(const struct m_agent *ma)
{
	return ma->logged && (!ma->ready || ma->pending != P_NONE);
}

static bool a_logged(const struct m_agent *ma)
{
	return ma->logged && ma->pending != P_LOGOUT;
}

static bool a_wrapping(const struct m_agent *ma)
{
	return work_any(ma, WK_WRAP);
}

/* Usually an agent for which pred holds; any agent otherwise, so the
 * calls that must fail get their share. */
static int pick_agent(struct world *w, bool (*pred)(const struct m_agent *),
		      unsigned pct)
{
	unsigned start = rn(w, w->na);

	if (chance(w, pct)) {
		for (unsigned i = 0; i < w->na; i++) {
			unsigned k = (start + i) % w->na;

			if (pred(&w->a[k]))
				return (int)k;
		}
	}
	return (int)start;
}

static long wrap_contact(struct world *w, const struct m_agent *ma)
{
	unsigned start = rn(w, ma->nw ? ma->nw : 1);

	for (unsigned i = 0; i < ma->nw; i++) {
		const struct m_work *wk = &ma->w[(start + i) % ma->nw];

		if (wk->kind == WK_WRAP)
			return wk->c;
	}
	return -1;
}

static void op_offer(struct world *w, bool answer, bool loose)
{
	static const enum acd_miss misses[] = {
		ACD_MISS_NO_ANSWER, ACD_MISS_REJECTED, ACD_MISS_BUSY
	};
	long ci = pick_contact(w, 1u << M_OFFERED, false);
	int ai;

	if (ci < 0) {
		do_tick(w);
		return;
	}
	ai = pick_offered_to(w, &w->c[ci], true);
	if (answer)
		do_answer(w, (uint32_t)ci, ai, loose);
	else
		do_miss(w, (uint32_t)ci, ai, misses[rn(w, 3)], loose);
}

static void op_contact(struct world *w, int op, bool loose);

enum op {
	OP_ARRIVE, OP_ANSWER, OP_MISS, OP_ABANDON, OP_END, OP_TRANSFER,
	OP_CALLBACK, OP_LOGIN, OP_READY, OP_NOT_READY, OP_LOGOUT,
	OP_WRAP_END, OP_WRAP_EXTEND, OP_SKILL, OP_MEMBER, OP_TICK,
	OP_INVALID, OP_CONF, OP_REPLACE, OP_COUNT
};

static void op_contact(struct world *w, int op, bool loose)
{
	long ci;

	switch (op) {

	case OP_ABANDON:
		ci = pick_contact(w, 1u << M_QUEUED | 1u << M_OFFERED, false);
		if (ci >= 0)
			do_abandon(w, (uint32_t)ci, loose);
		break;

	case OP_END:
		ci = pick_contact(w, 1u << M_CONNECTED, false);
		if (ci >= 0)
			do_end(w, (uint32_t)ci);
		break;

	case OP_TRANSFER:
		ci = pick_contact(w, 1u << M_CONNECTED, false);
		if (ci < 0)
			break;
		if (w->mode == MODE_FIFO)
			do_transfer(w, (uint32_t)ci, chance(w, 50) ? 0 : -1);
		else
			do_transfer(w, (uint32_t)ci, chance(w, 30) ? -1 :
				    (int)rn(w, w->nq));
		break;

	default:
		ci = pick_contact(w, 1u << M_QUEUED, true);
		if (ci >= 0)
			do_callback(w, (uint32_t)ci);
		break;
	}
	if (ci < 0)
		do_tick(w);
}

static void op_wrapup(struct world *w, bool extend, bool loose)
{
	int ai = pick_agent(w, a_wrapping, 95);
	const struct m_agent *ma = &w->a[ai];
	long ci = chance(w, 50) ? wrap_contact(w, ma) : -1;

	if (extend)
		do_wrapup_extend(w, ai, ci, 1 + rn(w, 5000));
	else
		do_wrapup_end(w, ai, ci, loose);
}

static void op_member(struct world *w)
{
	int ai = (int)rn(w, w->na);
	int qi = (int)rn(w, w->nq);
	unsigned prio = 1 + rn(w, 3);
	unsigned weight = 1 + rn(w, 5);

	do_member(w, ai, qi, !w->a[ai].member[qi], prio, weight);
}

/* Calls that must fail, beyond those the operations above make. */

static void bad_enqueue(struct world *w)
{
	struct acd_skill_req req[ACD_REQ_MAX + 1];
	struct acd_contact_params p;
	struct acd_queue *q = w->q[rn(w, w->nq)].q;
	struct acd_contact *c = NULL;
	char id[ACD_ID_MAX + 8];
	const char *what;
	unsigned kind = rn(w, 10);
	int want, err;
	struct snap s;

	memset(&p, 0, sizeof(p));
	memset(req, 0, sizeof(req));
	for (unsigned i = 0; i <= ACD_REQ_MAX; i++) {
		req[i].skill = (uint16_t)(i % M_SKILLS);
		req[i].level = 1;
	}
	snprintf(id, sizeof(id), "x%" PRIu64, w->nev);
	p.id = id;
	p.channel = ACD_CH_CHAT;
	switch (kind) {

	case 0:
		what = "priority above the maximum";
		p.priority = ACD_PRIO_MAX + 1;
		want = ERANGE;
		break;

	case 1:
		what = "priority below the minimum";
		p.priority = ACD_PRIO_MIN - 1;
		want = ERANGE;
		break;

	case 2:
		what = "skill level 0";
		req[0].level = 0;
		p.req = req;
		p.nreq = 1;
		want = ERANGE;
		break;

	case 3:
		what = "skill level 11";
		req[0].level = ACD_LEVEL_MAX + 1;
		p.req = req;
		p.nreq = 1;
		want = ERANGE;
		break;

	case 4:
		what = "unknown skill";
		req[1].skill = 999;
		p.req = req;
		p.nreq = 2;
		want = ENOENT;
		break;

	case 5:
		what = "unknown channel";
		p.channel = ACD_CH_COUNT;
		want = EINVAL;
		break;

	case 6:
		what = "too many requirements";
		p.req = req;
		p.nreq = ACD_REQ_MAX + 1;
		want = ENOSPC;
		break;

	case 7:
		what = "id too long";
		memset(id, 'x', ACD_ID_MAX + 1);
		id[ACD_ID_MAX + 1] = '\0';
		want = EINVAL;
		break;

	case 8:
		what = "no queue";
		q = NULL;
		want = EINVAL;
		break;

	default: {
		long ci = pick_contact(w, 7, false);

		if (ci < 0) {
			do_tick(w);
			return;
		}
		what = "duplicate id";
		snprintf(id, sizeof(id), "c%ld", ci);
		want = EEXIST;
		break;
	}
	}
	trace(w, "enqueue %s: %s", id, what);
	snap_take(w, &s);
	call_begin(w, CALL_ENQUEUE, -1, -1);
	err = acd_contact_enqueue(&c, w->acd, q, &p, when(w, false));
	call_end(w);
	result(w, want, err, &s, "acd_contact_enqueue", id);
	if (want != EEXIST && acd_contact_find(w->acd, id))
		die(w, "failing acd_contact_enqueue left %s behind", id);
	if (c)
		die(w, "failing acd_contact_enqueue set the contact");
}

static void bad_conf(struct world *w)
{
	struct acd_queue_conf qc;
	struct acd_agent_conf ac;
	struct acd_agent *a = NULL;
	struct acd_queue *q = NULL;
	unsigned qi = rn(w, w->nq);
	unsigned kind = rn(w, 10);
	char id[32];
	int want, err;
	struct snap s;

	qc = w->q[qi].conf;
	acd_agent_conf_init(&ac);
	snprintf(id, sizeof(id), "%s", kind < 5 ? w->q[qi].id : "");
	if (kind >= 7 && kind <= 8)
		snprintf(id, sizeof(id), "y%" PRIu64, w->nev);
	trace(w, "bad configuration %u", kind);
	snap_take(w, &s);
	call_begin(w, CALL_OTHER, -1, -1);
	switch (kind) {

	case 0:
		qc.overflow = ACD_OVF_QUEUE;
		qc.overflow_queue = w->q[qi].q;
		want = EINVAL;
		err = acd_queue_conf_set(w->q[qi].q, &qc);
		break;

	case 1:
		qc.sl_percent = 101;
		want = ERANGE;
		err = acd_queue_conf_set(w->q[qi].q, &qc);
		break;

	case 2:
		qc.nrelax = 2;
		qc.relax[0].after_ms = 2000;
		qc.relax[1].after_ms = 1000;
		want = EINVAL;
		err = acd_queue_conf_set(w->q[qi].q, &qc);
		break;

	case 3:
		qc.nrelax = 1;
		qc.relax[0].all = false;
		qc.relax[0].skill = 999;
		want = ENOENT;
		err = acd_queue_conf_set(w->q[qi].q, &qc);
		break;

	case 4:
		qc.strategy = ACD_STRAT_COUNT;
		want = EINVAL;
		err = acd_queue_conf_set(w->q[qi].q, &qc);
		break;

	case 5:
		want = EEXIST;
		err = acd_queue_add(&q, w->acd, w->q[qi].id, NULL);
		snprintf(id, sizeof(id), "%s", w->q[qi].id);
		break;

	case 6:
		want = EEXIST;
		err = acd_agent_add(&a, w->acd, w->a[0].id, NULL);
		snprintf(id, sizeof(id), "%s", w->a[0].id);
		break;

	case 7:
		ac.cap[ACD_CH_CHAT] = ACD_CAP_MAX + 1;
		want = ERANGE;
		err = acd_agent_add(&a, w->acd, id, &ac);
		break;

	case 8:
		memset(ac.cap, 0, sizeof(ac.cap));
		want = EINVAL;
		err = acd_agent_add(&a, w->acd, id, &ac);
		break;

	default:
		want = EEXIST;
		err = chance(w, 50) ? acd_skill_add(w->acd, "skill1", NULL)
				    : acd_reason_add(w->acd, "lunch");
		snprintf(id, sizeof(id), "%s", err == EEXIST ? "" : "?");
		break;
	}
	call_end(w);
	result(w, want, err, &s, "configuration call", id);
	if (a || q)
		die(w, "failing configuration call set its object");
	if (kind >= 7 && kind <= 8 && acd_agent_find(w->acd, id))
		die(w, "failing acd_agent_add left %s behind", id);
}

static void bad_remove(struct world *w)
{
	int ai = pick_agent(w, a_logged, 100);
	struct m_agent *ma = &w->a[ai];
	struct snap s;
	int err;

	if (ma->logged && chance(w, 50)) {
		trace(w, "remove logged-in agent %s", ma->id);
		snap_take(w, &s);
		call_begin(w, CALL_OTHER, ai, -1);
		err = acd_agent_remove(ma->a);
		call_end(w);
		result(w, EBUSY, err, &s, "acd_agent_remove", ma->id);
		return;
	}
	for (unsigned qi = 0; qi < w->nq; qi++) {
		struct acd_queue_stats st;
		bool used = false;

		acd_queue_stats(w->q[qi].q, &st);
		for (unsigned k = 0; k < w->na; k++)
			used |= w->a[k].member[qi];
		for (unsigned k = 0; k < w->nq; k++)
			used |= w->q[k].ovf == (int)qi;
		used |= st.waiting + st.offered + st.connected > 0;
		if (!used)
			continue;
		trace(w, "remove queue %s in use", w->q[qi].id);
		snap_take(w, &s);
		call_begin(w, CALL_OTHER, -1, -1);
		err = acd_queue_remove(w->q[qi].q);
		call_end(w);
		result(w, EBUSY, err, &s, "acd_queue_remove", w->q[qi].id);
		return;
	}
	do_tick(w);
}

static void op_invalid(struct world *w)
{
	int ai = (int)rn(w, w->na);
	struct m_agent *ma = &w->a[ai];
	long ci;

	switch (rn(w, 12)) {

	case 0:         /* answer or miss by an agent not offered it */
		ci = pick_contact(w, 7, false);
		ai = ci < 0 ? -1 : pick_offered_to(w, &w->c[ci], false);
		if (ai < 0)
			break;
		if (chance(w, 50))
			do_answer(w, (uint32_t)ci, ai, false);
		else
			do_miss(w, (uint32_t)ci, ai, ACD_MISS_REJECTED, false);
		return;

	case 1:         /* unknown miss reason */
		ci = pick_contact(w, 1u << M_OFFERED, false);
		if (ci < 0)
			break;
		do_miss(w, (uint32_t)ci, pick_offered_to(w, &w->c[ci], true),
			ACD_MISS_COUNT, false);
		return;

	case 2:         /* presence calls that do not fit the state */
		if (!ma->logged) {
			switch (rn(w, 3)) {
			case 0:  do_ready(w, ai);                   break;
			case 1:  do_not_ready(w, ai, 1);            break;
			default: do_logout(w, ai);                  break;
			}
		}
		else if (ma->pending == P_LOGOUT && chance(w, 50)) {
			do_logout(w, ai);
		}
		else if (ma->ready && ma->pending == P_NONE && chance(w, 50)) {
			do_ready(w, ai);
		}
		else {
			do_login(w, ai, true);
		}
		return;

	case 3:
		do_not_ready(w, ai, M_REASONS);
		return;

	case 4:         /* the same not-ready again */
		if (ma->logged && !ma->nw && !ma->ready)
			do_not_ready(w, ai, ma->reason);
		else if (ma->logged && ma->nw && ma->pending == P_NOT_READY)
			do_not_ready(w, ai, ma->pending_reason);
		else
			break;
		return;

	case 5:         /* contact calls that do not fit the state */
		ci = pick_contact(w, 7, false);
		if (ci < 0)
			break;
		if (w->c[ci].st == M_CONNECTED)
			chance(w, 50) ? do_abandon(w, (uint32_t)ci, false)
				      : do_callback(w, (uint32_t)ci);
		else if (chance(w, 50))
			do_end(w, (uint32_t)ci);
		else
			do_transfer(w, (uint32_t)ci, (int)rn(w, w->nq));
		return;

	case 6:         /* wrap-up calls with nothing to end or extend */
		ci = pick_contact(w, 7, false);
		if (chance(w, 30))
			do_wrapup_extend(w, ai, -1, 0);
		else if (!a_wrapping(ma))
			do_wrapup_end(w, ai, -1, false);
		else if (ci >= 0 && !wrap_match(ma, ci))
			do_wrapup_end(w, ai, ci, false);
		else
			break;
		return;

	case 7:
		bad_enqueue(w);
		return;

	case 8: {       /* memberships */
		int qi = (int)rn(w, w->nq);

		if (ma->member[qi])
			do_member(w, ai, qi, true, 1, 1);
		else if (chance(w, 50))
			do_member(w, ai, qi, true, 0, 1);
		else
			do_member(w, ai, qi, false, 1, 1);
		return;
	}

	case 9:
		if (chance(w, 50))
			do_skill(w, ai, 999, 5);
		else
			do_skill(w, ai, rn(w, M_SKILLS), ACD_LEVEL_MAX + 1);
		return;

	case 10:
		bad_remove(w);
		return;

	default:
		bad_conf(w);
		return;
	}
	do_tick(w);
}

/* One step: time passes, then one random call, then every check. */

static const unsigned weights_main[OP_COUNT] = {
	[OP_ARRIVE] = 16, [OP_ANSWER] = 16, [OP_MISS] = 4, [OP_ABANDON] = 4,
	[OP_END] = 12, [OP_TRANSFER] = 2, [OP_CALLBACK] = 2, [OP_LOGIN] = 3,
	[OP_READY] = 4, [OP_NOT_READY] = 3, [OP_LOGOUT] = 2,
	[OP_WRAP_END] = 3, [OP_WRAP_EXTEND] = 1, [OP_SKILL] = 2,
	[OP_MEMBER] = 2, [OP_TICK] = 5, [OP_INVALID] = 5, [OP_CONF] = 1,
	[OP_REPLACE] = 1,
};

static const unsigned weights_fifo[OP_COUNT] = {
	[OP_ARRIVE] = 16, [OP_ANSWER] = 16, [OP_MISS] = 5, [OP_ABANDON] = 4,
	[OP_END] = 12, [OP_TRANSFER] = 2, [OP_LOGIN] = 3, [OP_READY] = 4,
	[OP_NOT_READY] = 3, [OP_LOGOUT] = 2, [OP_WRAP_END] = 3,
	[OP_WRAP_EXTEND] = 1, [OP_MEMBER] = 1, [OP_TICK] = 5,
	[OP_INVALID] = 5,
};

static void op_conf(struct world *w);
static void op_replace(struct world *w);

static void step(struct world *w)
{
	const unsigned *weights = w->mode == MODE_FIFO ? weights_fifo
						       : weights_main;
	unsigned wt[OP_COUNT], total = 0, r, op, dt = rn(w, 100);
	bool loose;
	int ai;

	++w->step;
	++w->nsteps;
	if (dt < 65)
		w->now += 1 + rn(w, 2000);
	else if (dt < 73)
		w->now += 2000 + rn(w, 8000);
	else if (dt < 75)
		w->now += 10000 + rn(w, 60000);
	memcpy(wt, weights, sizeof(wt));
	if (w->nlive > M_LIVE_MAX / 2)
		wt[OP_ABANDON] += 12;
	for (op = 0; op < OP_COUNT; op++)
		total += wt[op];
	r = rn(w, total);
	for (op = 0; op < OP_COUNT - 1 && r >= wt[op]; op++)
		r -= wt[op];

	/* Sometimes call without ticking first: timers due by now then
	 * fire inside the call, before it acts. */
	loose = (op == OP_ANSWER || op == OP_MISS || op == OP_ABANDON ||
		 op == OP_WRAP_END) && chance(w, 10);
	if (loose)
		++w->nloose;
	else
		do_tick(w);

	switch (op) {

	case OP_ARRIVE:
		op_arrive(w);
		break;

	case OP_ANSWER:
	case OP_MISS:
		op_offer(w, op == OP_ANSWER, loose);
		break;

	case OP_ABANDON:
		op_contact(w, (int)op, loose);
		break;

	case OP_END:
	case OP_TRANSFER:
	case OP_CALLBACK:
		op_contact(w, (int)op, false);
		break;

	case OP_LOGIN:
		ai = pick_agent(w, a_logged_out, 85);
		do_login(w, ai, chance(w, 75));
		break;

	case OP_READY:
		do_ready(w, pick_agent(w, a_unready, 85));
		break;

	case OP_NOT_READY:
		ai = pick_agent(w, a_logged, 85);
		do_not_ready(w, ai, (int)rn(w, M_REASONS + 1) - 1);
		break;

	case OP_LOGOUT:
		do_logout(w, pick_agent(w, a_logged, 85));
		break;

	case OP_WRAP_END:
	case OP_WRAP_EXTEND:
		op_wrapup(w, op == OP_WRAP_EXTEND, loose);
		break;

	case OP_SKILL: {
		unsigned skill;

		ai = (int)rn(w, w->na);
		skill = rn(w, M_SKILLS);
		do_skill(w, ai, skill, rn(w, ACD_LEVEL_MAX + 1));
		break;
	}

	case OP_MEMBER:
		op_member(w);
		break;

	case OP_INVALID:
		op_invalid(w);
		break;

	case OP_CONF:
		op_conf(w);
		break;

	case OP_REPLACE:
		op_replace(w);
		break;

	default:
		do_tick(w);
		break;
	}
	check_all(w);
}

/* Set-up */

static const enum acd_strategy nonring[] = {
	ACD_STRAT_LONGEST_IDLE, ACD_STRAT_ROUND_ROBIN,
	ACD_STRAT_FEWEST_CONTACTS, ACD_STRAT_LEAST_TALK, ACD_STRAT_LINEAR,
	ACD_STRAT_RANDOM, ACD_STRAT_WEIGHTED_RANDOM,
};

static enum acd_strategy any_nonring(struct world *w)
{
	return nonring[rn(w, sizeof(nonring) / sizeof(nonring[0]))];
}

static void queue_make(struct world *w, unsigned i,
		       const struct acd_queue_conf *qc, int ovf)
{
	struct m_queue *mq = &w->q[i];
	int err;

	memset(mq, 0, sizeof(*mq));
	mq->aht_fits = (1u << M_AHT) - 1;
	snprintf(mq->id, sizeof(mq->id), "q%u", i);
	mq->conf = *qc;
	mq->ovf = ovf;
	if (ovf >= 0)
		mq->conf.overflow_queue = w->q[ovf].q;
	err = acd_queue_add(&mq->q, w->acd, mq->id, &mq->conf);
	if (err)
		die(w, "acd_queue_add %s: %s", mq->id, acd_errmsg(w->acd));
	if (mq->conf.sticky_ms > w->sticky_max)
		w->sticky_max = mq->conf.sticky_ms;
}

static void agent_make(struct world *w, unsigned i,
		       const struct acd_agent_conf *ac)
{
	struct m_agent *ma = &w->a[i];
	int err;

	memset(ma, 0, sizeof(*ma));
	snprintf(ma->id, sizeof(ma->id), "a%u", i);
	ma->conf = *ac;
	ma->reason = -1;
	ma->pending_reason = -1;
	ma->last_to = ACD_AGENT_LOGGED_OUT;
	ma->last_t = acd_now(w->acd);
	err = acd_agent_add(&ma->a, w->acd, ma->id, ac);
	if (err)
		die(w, "acd_agent_add %s: %s", ma->id, acd_errmsg(w->acd));
	if (w->na < i + 1)
		w->na = i + 1;
}

static void agent_fresh(struct world *w, unsigned i);

static void setup_main(struct world *w)
{
	struct acd_queue_conf qc;

	w->nq = 6;

	/* q1: ring-all; a member must be logged in to join; gone after
	 * 90 s */
	acd_queue_conf_init(&qc);
	qc.strategy = ACD_STRAT_RING_ALL;
	qc.wrapup_ms = 3000;
	qc.offer_timeout_ms = 10000;
	qc.missed_delay_ms = 1000;
	qc.max_wait_ms = 90000;
	qc.overflow = ACD_OVF_DISCONNECT;
	qc.join = ACD_EMPTY_LOGGED_IN;
	qc.empty_action = ACD_OVF_VOICEMAIL;
	queue_make(w, 1, &qc, -1);

	/* q3: weighted random, at most 5 waiting, sticky, skill 1 dropped
	 * after 15 s, no wrap-up */
	acd_queue_conf_init(&qc);
	qc.strategy = ACD_STRAT_WEIGHTED_RANDOM;
	qc.max_waiting = 5;
	qc.overflow = ACD_OVF_VOICEMAIL;
	qc.sticky_ms = 30000;
	qc.offer_timeout_ms = 12000;
	qc.relax[0] = (struct acd_relax){15000, false, 1, 0};
	qc.nrelax = 1;
	queue_make(w, 3, &qc, -1);

	/* q0: skills relaxed in two stages, to q1 after 60 s, sticky */
	acd_queue_conf_init(&qc);
	qc.strategy = any_nonring(w);
	qc.skill_match = chance(w, 50);
	qc.relax[0] = (struct acd_relax){10000, false, 0, 3};
	qc.relax[1] = (struct acd_relax){25000, true, 0, 0};
	qc.nrelax = 2;
	qc.max_wait_ms = 60000;
	qc.overflow = ACD_OVF_QUEUE;
	qc.wrapup_ms = 5000;
	qc.offer_timeout_ms = 15000;
	qc.sticky_ms = 20000;
	queue_make(w, 0, &qc, 1);

	/* q2: aging; a callback offer after 45 s; joining and staying need
	 * a ready member, else to q3 */
	acd_queue_conf_init(&qc);
	qc.strategy = chance(w, 50) ? ACD_STRAT_RANDOM : any_nonring(w);
	qc.aging_ms = 10000;
	qc.max_wait_ms = 45000;
	qc.overflow = ACD_OVF_CALLBACK;
	qc.join = ACD_EMPTY_READY;
	qc.leave = ACD_EMPTY_READY;
	qc.empty_action = ACD_OVF_QUEUE;
	qc.wrapup_ms = 2000;
	qc.offer_timeout_ms = 20000;
	qc.missed_delay_ms = 0;
	qc.sticky_ms = 15000;
	queue_make(w, 2, &qc, 3);

	/* q4: keeps waiting after 30 s; no ring timeout; aging; sticky */
	acd_queue_conf_init(&qc);
	qc.strategy = any_nonring(w);
	qc.max_wait_ms = 30000;
	qc.overflow = ACD_OVF_NONE;
	qc.join = ACD_EMPTY_READY;
	qc.leave = ACD_EMPTY_LOGGED_IN;
	qc.empty_action = ACD_OVF_DISCONNECT;
	qc.wrapup_ms = 4000;
	qc.aging_ms = 5000;
	qc.sticky_ms = 10000;
	qc.missed_delay_ms = 3000;
	queue_make(w, 4, &qc, -1);

	/* q5: best skill match, relaxed to level 1 after 5 s, to q0 after
	 * 20 s */
	acd_queue_conf_init(&qc);
	qc.strategy = chance(w, 30) ? ACD_STRAT_RING_ALL : any_nonring(w);
	qc.skill_match = true;
	qc.relax[0] = (struct acd_relax){5000, true, 0, 1};
	qc.nrelax = 1;
	qc.max_wait_ms = 20000;
	qc.overflow = ACD_OVF_QUEUE;
	qc.wrapup_ms = 1000;
	qc.offer_timeout_ms = 8000;
	qc.missed_delay_ms = 500;
	queue_make(w, 5, &qc, 0);

	for (unsigned i = 0; i < M_AGENTS; i++)
		agent_fresh(w, i);
}

/* A new agent of a random kind, with random skills and memberships. */
static void agent_fresh(struct world *w, unsigned i)
{
	static const uint16_t max_missed[] = {0, 2, 3};
	struct acd_agent_conf ac;

	acd_agent_conf_init(&ac);
	switch (rn(w, 3)) {

	case 0:         /* voice, callback and outbound only */
		ac.cap[ACD_CH_CHAT] = 0;
		ac.cap[ACD_CH_EMAIL] = 0;
		break;

	case 1:         /* chat and email only */
		ac.cap[ACD_CH_VOICE] = 0;
		ac.cap[ACD_CH_CALLBACK] = 0;
		ac.cap[ACD_CH_OUTBOUND] = 0;
		break;

	default:        /* blended: voice 1 exclusive, chat 3, email 2 */
		break;
	}
	ac.max_missed = max_missed[rn(w, 3)];
	agent_make(w, i, &ac);
	w->a[i].auto_answer = chance(w, 20);
	for (unsigned s = 0; s < M_SKILLS; s++)
		if (chance(w, 70))
			do_skill(w, (int)i, s, 1 + rn(w, 10));
	for (unsigned qi = 0; qi < w->nq; qi++) {
		unsigned prio, weight;

		if (!chance(w, 45))
			continue;
		prio = 1 + rn(w, 3);
		weight = 1 + rn(w, 5);
		do_member(w, (int)i, (int)qi, true, prio, weight);
	}
	if (chance(w, 70))
		do_login(w, (int)i, chance(w, 80));
}

/* Change what a queue's settings change only from now on: strategy,
 * skill match, wrap-up, ring timeout, rest after a miss, service level,
 * maximum waiting, join rule.  Ring-all stays ring-all. */
static void op_conf(struct world *w)
{
	static const enum acd_empty_rule rules[] = {
		ACD_EMPTY_ALLOW, ACD_EMPTY_LOGGED_IN, ACD_EMPTY_READY
	};
	unsigned qi = rn(w, w->nq);
	struct m_queue *mq = &w->q[qi];
	struct acd_queue_conf qc = mq->conf;
	int err;

	if (qc.strategy != ACD_STRAT_RING_ALL)
		qc.strategy = any_nonring(w);
	qc.skill_match = chance(w, 50);
	qc.wrapup_ms = chance(w, 30) ? 0 : 500 + rn(w, 5000);
	qc.offer_timeout_ms = chance(w, 20) ? 0 : 3000 + rn(w, 15000);
	qc.missed_delay_ms = chance(w, 30) ? 0 : rn(w, 3000);
	qc.sl_target_ms = 1000 + rn(w, 30000);
	qc.max_waiting = chance(w, 50) ? 0 : 2 + rn(w, 8);
	/* a join rule weaker than the leave rule would let contacts wait
	 * where the leave rule says nobody can serve */
	qc.join = rules[qc.leave + rn(w, ACD_EMPTY_COUNT - qc.leave)];
	trace(w, "configure %s: %s, wrap-up %u, ring %u, rest %u, max "
	      "waiting %u, join %d", mq->id, acd_strategy_name(qc.strategy),
	      qc.wrapup_ms, qc.offer_timeout_ms, qc.missed_delay_ms,
	      qc.max_waiting, qc.join);
	mq->conf = qc;
	call_begin(w, CALL_OTHER, -1, -1);
	err = acd_queue_conf_set(mq->q, &qc);
	call_end(w);
	if (err)
		die(w, "acd_queue_conf_set %s: %s (%s)", mq->id, err_name(err),
		    acd_errmsg(w->acd));
	if (memcmp(acd_queue_conf(mq->q), &qc, sizeof(qc)))
		die(w, "acd_queue_conf of %s differs from what was set",
		    mq->id);
}

/* Remove a logged-out agent and add a new one under its id. */
static void op_replace(struct world *w)
{
	int ai = pick_agent(w, a_logged_out, 100);
	struct m_agent *ma = &w->a[ai];
	int err;

	if (ma->logged) {
		do_tick(w);
		return;
	}
	trace(w, "remove agent %s and add it anew", ma->id);
	call_begin(w, CALL_OTHER, ai, -1);
	err = acd_agent_remove(ma->a);
	call_end(w);
	if (err)
		die(w, "acd_agent_remove %s: %s (%s)", ma->id, err_name(err),
		    acd_errmsg(w->acd));
	for (unsigned k = 0; k < M_CUST; k++)
		if (w->sticky[k].agent == ai)
			w->sticky[k].set = false;
	agent_fresh(w, (unsigned)ai);
}

/* One queue, one class: one channel, no skills, no aging, no rules. */
static void setup_fifo(struct world *w)
{
	static const uint16_t max_missed[] = {0, 2, 3};
	struct acd_queue_conf qc;
	struct acd_agent_conf ac;

	w->nq = 1;
	w->fifo_ch = chance(w, 50) ? ACD_CH_VOICE : ACD_CH_CHAT;
	w->fifo_prio = chance(w, 50);
	acd_queue_conf_init(&qc);
	qc.strategy = any_nonring(w);
	qc.offer_timeout_ms = 8000;
	qc.wrapup_ms = chance(w, 70) ? 2000 : 0;
	qc.missed_delay_ms = chance(w, 50) ? 1000 : 0;
	queue_make(w, 0, &qc, -1);
	for (unsigned i = 0; i < 5; i++) {
		acd_agent_conf_init(&ac);
		memset(ac.cap, 0, sizeof(ac.cap));
		ac.cap[w->fifo_ch] = w->fifo_ch == ACD_CH_VOICE ? 1 : 3;
		ac.exclusive = w->fifo_ch == ACD_CH_VOICE ?
			1u << ACD_CH_VOICE : 0;
		ac.max_missed = max_missed[rn(w, 3)];
		agent_make(w, i, &ac);
		w->a[i].auto_answer = chance(w, 20);
		do_member(w, (int)i, 0, true, 1, 1 + rn(w, 3));
		if (chance(w, 70))
			do_login(w, (int)i, chance(w, 80));
	}
}

/* Tear-down */

/* End every contact and log everyone out. */
static void drain(struct world *w)
{
	uint32_t *ids = NULL;

	for (unsigned round = 0; round < 4 && w->nlive; round++) {
		size_t n = w->nlive;

		++w->step;
		do_tick(w);
		ids = realloc(ids, (n ? n : 1) * sizeof(*ids));
		assert_non_null(ids);
		memcpy(ids, w->live, n * sizeof(*ids));
		for (size_t i = 0; i < n; i++) {
			const struct m_contact *mc = &w->c[ids[i]];

			if (mc->ended)
				continue;
			if (mc->st == M_CONNECTED)
				do_end(w, ids[i]);
			else
				do_abandon(w, ids[i], false);
			check_all(w);
		}
	}
	free(ids);
	for (unsigned i = 0; i < w->na; i++) {
		if (a_wrapping(&w->a[i]))
			do_wrapup_end(w, (int)i, -1, false);
		if (a_logged(&w->a[i]))
			do_logout(w, (int)i);
		check_all(w);
	}
	trace(w, "drained");
	if (w->nlive)
		die(w, "%zu contacts left after ending them all", w->nlive);
	for (unsigned i = 0; i < w->na; i++)
		if (w->a[i].logged || w->a[i].nw ||
		    acd_agent_state(w->a[i].a) != ACD_AGENT_LOGGED_OUT)
			die(w, "agent %s still logged in", w->a[i].id);
	for (size_t i = 0; i < w->nc; i++)
		if (!w->c[i].ended)
			die(w, "c%zu never ended", i);
	if (acd_next_timer(w->acd) != UINT64_MAX)
		die(w, "a timer is due at %" PRIu64 " with no contact and "
		    "nobody logged in", acd_next_timer(w->acd));
}

/* Remove every agent and queue through the interface. */
static void remove_all(struct world *w)
{
	char msg[256];
	bool left = true;
	int err;

	for (unsigned i = 0; i < w->na; i++) {
		struct m_agent *ma = &w->a[i];

		if (chance(w, 50))
			for (unsigned qi = 0; qi < w->nq; qi++)
				if (ma->member[qi])
					do_member(w, (int)i, (int)qi, false,
						  1, 1);
		trace(w, "remove agent %s", ma->id);
		err = acd_agent_remove(ma->a);
		if (err)
			die(w, "acd_agent_remove %s: %s", ma->id,
			    acd_errmsg(w->acd));
		ma->a = NULL;
	}
	for (unsigned round = 0; round < M_QUEUES && left; round++) {
		left = false;
		for (unsigned qi = 0; qi < w->nq; qi++) {
			struct m_queue *mq = &w->q[qi];

			if (!mq->q)
				continue;
			trace(w, "remove queue %s", mq->id);
			err = acd_queue_remove(mq->q);
			if (err == EBUSY) {
				left = true;
				continue;
			}
			if (err)
				die(w, "acd_queue_remove %s: %s", mq->id,
				    acd_errmsg(w->acd));
			mq->q = NULL;
			for (unsigned k = 0; k < w->nq; k++)
				if (w->q[k].q && w->q[k].ovf == (int)qi)
					die(w, "%s removed while %s overflows "
					    "to it", mq->id, w->q[k].id);
		}
	}
	if (left)
		die(w, "queues left after removing them all");
	if (acd_invariants(w->acd, msg, sizeof(msg)))
		die(w, "acd_invariants after removal: %s", msg);
	if (acd_queue_find(w->acd, "q0") || acd_agent_find(w->acd, "a0"))
		die(w, "removed objects still found");
}

/* Runs */

struct totals {
	uint64_t seqs, steps, events, offers, fails, loose, glitch, sticky;
	uint64_t outcomes[ACD_OUT_COUNT];
	uint64_t types[ACD_EV_COUNT];
};

static uint64_t seq_seed(uint64_t base, unsigned seq)
{
	struct world w;

	w.rng = base ^ ((uint64_t)seq * 0xd1342543de82ef95ULL);
	return rnd(&w);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sequence(const char *test, enum mode mode, unsigned seq,
		     unsigned steps, struct totals *t)
{
	struct world *w = calloc(1, sizeof(*w));
	struct acd_conf conf;
	unsigned how;
	int err;

	assert_non_null(w);
	w->test = test;
	w->mode = mode;
	w->base = env_u64("SB_SEED", 20240601);
	w->seq = seq;
	w->seed = seq_seed(w->base, seq);
	w->rng = w->seed;
	w->trace = env_u64("SB_TRACE", 0) != 0;
	w->call_a = -1;
	w->call_c = -1;
	w->call_q = -1;
	snprintf(w->op, sizeof(w->op), "set-up");
	if (w->trace)
		fprintf(stderr, "%s: sequence %u, seed %#" PRIx64 "\n", test,
			seq, w->seed);
	memset(&conf, 0, sizeof(conf));
	conf.seed = w->seed | 1;
	err = acd_alloc(&w->acd, &conf, on_event, w);
	assert_int_equal(0, err);
	for (unsigned s = 0; s < M_SKILLS; s++) {
		char name[16];
		uint16_t id;

		snprintf(name, sizeof(name), "skill%u", s);
		assert_int_equal(0, acd_skill_add(w->acd, name, &id));
		assert_int_equal(s, id);
	}
	for (unsigned r = 1; r < M_REASONS; r++)
		assert_int_equal(0, acd_reason_add(w->acd, reason_names[r]));
	if (mode == MODE_FIFO)
		setup_fifo(w);
	else
		setup_main(w);
	check_all(w);

	while (w->step < steps)
		step(w);

	how = rn(w, 10);
	if (how == 0) {
		/* the engine frees whatever is still live */
		trace(w, "free the engine with %zu contacts live", w->nlive);
	}
	else {
		drain(w);
		if (how < 5)
			remove_all(w);
	}
	w->acd = mem_deref(w->acd);

	++t->seqs;
	t->steps += w->nsteps;
	t->events += w->nev;
	t->offers += w->noffers;
	t->fails += w->nfail;
	t->loose += w->nloose;
	t->glitch += w->nglitch;
	t->sticky += w->nsticky;
	for (int i = 0; i < ACD_OUT_COUNT; i++)
		t->outcomes[i] += w->outcomes[i];
	for (int i = 0; i < ACD_EV_COUNT; i++)
		t->types[i] += w->types[i];
	free(w->c);
	free(w->live);
	free(w);
}

static void report(const char *test, const struct totals *t, double secs)
{
	print_message("%s: %" PRIu64 " sequences, %" PRIu64 " steps, %"
		      PRIu64 " events, %" PRIu64 " offers, %" PRIu64
		      " failing calls, %" PRIu64 " late calls in %.2f s "
		      "(%.0f steps/s)\n", test, t->seqs, t->steps, t->events,
		      t->offers, t->fails, t->loose, secs,
		      secs > 0 ? (double)t->steps / secs : 0.0);
	print_message("%s: ended completed %" PRIu64 ", abandoned %" PRIu64
		      "+%" PRIu64 ", timed out %" PRIu64 ", overflowed %"
		      PRIu64 ", transferred %" PRIu64 "; zero-length "
		      "available states %" PRIu64 "\n", test,
		      t->outcomes[ACD_OUT_COMPLETED],
		      t->outcomes[ACD_OUT_ABANDONED_QUEUE],
		      t->outcomes[ACD_OUT_ABANDONED_RINGING],
		      t->outcomes[ACD_OUT_TIMED_OUT],
		      t->outcomes[ACD_OUT_OVERFLOWED],
		      t->outcomes[ACD_OUT_TRANSFERRED], t->glitch);
	print_message("%s: events:", test);
	for (int i = 0; i < ACD_EV_COUNT; i++)
		print_message(" %s %" PRIu64, acd_event_name(i), t->types[i]);
	print_message("; sticky holds %" PRIu64 "\n", t->sticky);
}

/* nseq sequences of min..max steps; SB_SEQ picks one. */
static void run_many(const char *test, enum mode mode, unsigned first,
		     unsigned nseq, unsigned min, unsigned max)
{
	const char *only = getenv("SB_SEQ");
	uint64_t base = env_u64("SB_SEED", 20240601);
	struct totals t;
	double t0 = seconds();

	memset(&t, 0, sizeof(t));
	for (unsigned s = first; s < first + nseq; s++) {
		if (only && *only && env_u64("SB_SEQ", 0) != s)
			continue;
		sequence(test, mode, s,
			 min + (unsigned)(seq_seed(base ^ 1, s) %
					  (max - min + 1)), &t);
	}
	if (t.seqs)
		report(test, &t, seconds() - t0);
}

static void test_engine_random_sequences(void **state)
{
	(void)state;
	run_many("test_engine_random_sequences", MODE_MAIN, 0, 1500, 20, 300);
}

static void test_engine_fifo_within_priority(void **state)
{
	(void)state;
	run_many("test_engine_fifo_within_priority", MODE_FIFO, 100000, 500,
		 20, 300);
}

static void test_engine_long_run(void **state)
{
	unsigned steps = (unsigned)env_u64("SB_STEPS", 200000);
	(void)state;

	run_many("test_engine_long_run", MODE_MAIN, 999999, 1, steps, steps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_random_sequences),
		cmocka_unit_test(test_engine_fifo_within_priority),
		cmocka_unit_test(test_engine_long_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
