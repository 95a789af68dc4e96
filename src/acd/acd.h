/* acd/acd.h  The automatic call distributor: who handles which contact.
 *
 * Pure engine: no sockets, no threads, no clock reads.  Every call takes
 * `now`, a monotonic time in milliseconds chosen by the caller (libre's
 * tmr_jiffies() in the server, the virtual clock in the simulator).  Time
 * that goes backwards is clamped to the last time seen.
 *
 * Objects.  Skills and not-ready reasons are named and registered once.
 * Queues and agents are created by id and owned by the engine; the pointers
 * returned stay valid until removed.  An agent joins queues through a
 * membership (priority, weight, order).  A contact (call, callback, chat,
 * email, outbound) is created by acd_contact_enqueue() and owned by the
 * engine: it stays valid until the event handler has seen its
 * ACD_EV_CONTACT_ENDED, after which it is freed.
 *
 * Events.  Every transition and every decision is an acd_event passed to
 * the handler given to acd_alloc().  Events raised during one call are
 * delivered in order before that call returns; the handler may call back
 * into the engine, and the events of that nested call follow those already
 * pending.  The engine decides, the caller acts: ACD_EV_CONTACT_OFFERED
 * means "ring this agent", ACD_EV_CONTACT_OVERFLOW with an action means
 * "carry out this action".
 *
 * Errors are errno values; the engine keeps a message naming the objects
 * involved for the last error (acd_errmsg()).  A failing call makes no
 * change of its own; timers due by its `now` still fire first, since that
 * time has passed (answering at the very millisecond a ring timeout is
 * due fails with EPERM, after the timeout's events).
 *   EINVAL     bad argument (NULL, out-of-range number, unknown enum)
 *   ERANGE     skill level or priority outside its range
 *   ENOENT     unknown id (skill, reason, agent, queue)
 *   EEXIST     duplicate id
 *   EPERM      the transition is not valid in the object's current state
 *   EALREADY   the object is already in the requested state
 *   EBUSY      the object is in use (remove an agent that is logged in)
 *   ENOSPC     a fixed-size table is full (skills, reasons, requirements)
 *   ENOMEM     out of memory
 */

#ifndef SB_ACD_H
#define SB_ACD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acd;
struct acd_agent;
struct acd_queue;
struct acd_contact;

enum {
	ACD_SKILL_MAX     = 1024,  /* skills per engine */
	ACD_REASON_MAX    = 64,    /* not-ready reasons per engine */
	ACD_LEVEL_MIN     = 1,     /* skill levels, 1 (basic) .. 10 (expert) */
	ACD_LEVEL_MAX     = 10,
	ACD_REQ_MAX       = 8,     /* skill requirements per contact */
	ACD_RELAX_MAX     = 8,     /* relaxation rules per queue */
	ACD_PRIO_MIN      = -1000, /* contact priority; higher is served first */
	ACD_PRIO_MAX      = 1000,
	ACD_ID_MAX        = 127,   /* bytes in any id */
	ACD_CAP_MAX       = 16,    /* per-channel capacity of one agent */
};

enum acd_channel {
	ACD_CH_VOICE = 0,
	ACD_CH_CALLBACK,
	ACD_CH_CHAT,
	ACD_CH_EMAIL,
	ACD_CH_OUTBOUND,
	ACD_CH_COUNT
};

/* The agent's state as users see it.  With several contacts at once the
 * most engaged one wins: BUSY over OFFERED over WRAPUP over the presence
 * the agent chose (AVAILABLE or NOT_READY). */
enum acd_agent_state {
	ACD_AGENT_LOGGED_OUT = 0,
	ACD_AGENT_AVAILABLE,
	ACD_AGENT_OFFERED,
	ACD_AGENT_BUSY,
	ACD_AGENT_WRAPUP,
	ACD_AGENT_NOT_READY,
	ACD_AGENT_STATE_COUNT
};

enum acd_contact_state {
	ACD_CONTACT_QUEUED = 0,
	ACD_CONTACT_OFFERED,
	ACD_CONTACT_CONNECTED,
	ACD_CONTACT_ENDED
};

/* How a contact left the engine; exactly one per contact. */
enum acd_outcome {
	ACD_OUT_NONE = 0,          /* still live */
	ACD_OUT_COMPLETED,         /* answered, then ended */
	ACD_OUT_ABANDONED_QUEUE,   /* caller left while waiting */
	ACD_OUT_ABANDONED_RINGING, /* caller left while an agent was offered */
	ACD_OUT_OVERFLOWED,        /* sent out of the engine by a queue rule */
	ACD_OUT_TIMED_OUT,         /* reached the queue's maximum wait */
	ACD_OUT_TRANSFERRED,       /* transferred out of the engine */
	ACD_OUT_COUNT
};

enum acd_strategy {
	ACD_STRAT_LONGEST_IDLE = 0, /* agent idle the longest (default) */
	ACD_STRAT_ROUND_ROBIN,      /* agent offered least recently here */
	ACD_STRAT_FEWEST_CONTACTS,  /* fewest contacts answered from here */
	ACD_STRAT_LEAST_TALK,       /* least talk time since log-in */
	ACD_STRAT_RING_ALL,         /* offer to every qualified agent */
	ACD_STRAT_LINEAR,           /* fixed member order */
	ACD_STRAT_RANDOM,           /* uniformly at random */
	ACD_STRAT_WEIGHTED_RANDOM,  /* at random, by member weight */
	ACD_STRAT_COUNT
};

enum acd_overflow_action {
	ACD_OVF_NONE = 0,    /* keep waiting */
	ACD_OVF_QUEUE,       /* move to the overflow queue, keeping place */
	ACD_OVF_CALLBACK,    /* offer the caller a callback; stays queued */
	ACD_OVF_VOICEMAIL,   /* leave the engine to voicemail */
	ACD_OVF_DISCONNECT,  /* leave the engine with a message */
	ACD_OVF_COUNT
};

enum acd_overflow_reason {
	ACD_OVR_MAX_WAIT = 0, /* waited the queue's maximum */
	ACD_OVR_FULL,         /* the queue had its maximum waiting */
	ACD_OVR_NO_AGENTS,    /* join or leave rule: nobody to serve */
	ACD_OVR_COUNT
};

/* When a contact may join a queue, and when waiting ones must leave. */
enum acd_empty_rule {
	ACD_EMPTY_ALLOW = 0,  /* join/stay whatever the agents do */
	ACD_EMPTY_LOGGED_IN,  /* needs a member logged in */
	ACD_EMPTY_READY,      /* needs a member logged in and not NOT_READY */
	ACD_EMPTY_COUNT
};

enum acd_miss {
	ACD_MISS_NO_ANSWER = 0,
	ACD_MISS_REJECTED,
	ACD_MISS_BUSY,
	ACD_MISS_TIMEOUT,     /* the queue's offer timeout, raised by the engine */
	ACD_MISS_COUNT
};

enum acd_event_type {
	ACD_EV_AGENT_STATE = 0, /* from -> to, dur_ms spent in from, reason */
	ACD_EV_CONTACT_QUEUED,  /* entered queue (arrival, overflow, transfer) */
	ACD_EV_CONTACT_OFFERED, /* offered to agent: ring it */
	ACD_EV_OFFER_MISSED,    /* agent did not take it (miss); re-queued */
	ACD_EV_OFFER_CANCELLED, /* offer withdrawn (answered elsewhere, gone) */
	ACD_EV_CONTACT_ANSWERED,/* connected to agent; wait_ms, ring_ms */
	ACD_EV_CONTACT_RELAXED, /* skill requirements relaxed (rule index) */
	ACD_EV_CONTACT_OVERFLOW,/* a queue rule fired: action, reason, target */
	ACD_EV_CONTACT_CALLBACK,/* became a callback, same place in line */
	ACD_EV_CONTACT_TRANSFERRED, /* left agent for target queue or out */
	ACD_EV_CONTACT_ENDED,   /* terminal: outcome, wait/ring/talk ms */
	ACD_EV_WRAPUP_ENDED,    /* agent's wrap-up for contact finished */
	ACD_EV_COUNT
};

struct acd_event {
	uint64_t id;                  /* monotonic, from 1 */
	uint64_t time;                /* ms, the engine's clock */
	enum acd_event_type type;
	struct acd_agent *agent;      /* NULL when none */
	struct acd_contact *contact;  /* NULL when none */
	struct acd_queue *queue;      /* the contact's queue, when any */

	/* ACD_EV_AGENT_STATE */
	enum acd_agent_state from, to;
	const char *reason;           /* not-ready reason, else NULL */
	uint64_t dur_ms;              /* time spent in `from` */

	/* contact events */
	enum acd_outcome outcome;     /* ENDED */
	enum acd_miss miss;           /* OFFER_MISSED */
	enum acd_overflow_action action;   /* OVERFLOW */
	enum acd_overflow_reason ovf_reason;
	struct acd_queue *target;     /* OVERFLOW to queue, TRANSFERRED */
	int rule;                     /* RELAXED: relaxation rule index */
	uint64_t wait_ms;             /* queued time so far (ANSWERED, ENDED) */
	uint64_t ring_ms;             /* OFFERED->ANSWERED/MISSED time */
	uint64_t talk_ms;             /* ENDED, TRANSFERRED: connected time */
};

typedef void (acd_event_h)(const struct acd_event *ev, void *arg);

struct acd_conf {
	uint64_t seed;             /* random strategies; 0 picks a fixed one */
	uint32_t contact_buckets;  /* first size of the contact id hash
				    * (grows x4 as needed); 0 = 4096 */
};

/* Skill requirement of a contact: the agent needs `skill` at >= level. */
struct acd_skill_req {
	uint16_t skill;
	uint8_t level;
};

/* After `after_ms` of waiting in the queue, requirements on `skill` (or on
 * every skill when `all`) accept agents down to `level`; level 0 drops the
 * requirement.  Rules apply in order of after_ms; the contact keeps its
 * place in line. */
struct acd_relax {
	uint32_t after_ms;
	bool all;
	uint16_t skill;
	uint8_t level;
};

struct acd_queue_conf {
	enum acd_strategy strategy;
	bool skill_match;          /* prefer the best skill match first */
	uint32_t sl_target_ms;     /* service level: answered within ... */
	uint8_t sl_percent;        /* ... for this share of contacts */
	uint32_t max_waiting;      /* 0: no limit */
	uint32_t max_wait_ms;      /* 0: no limit */
	enum acd_overflow_action overflow;  /* when either limit is hit */
	struct acd_queue *overflow_queue;   /* for ACD_OVF_QUEUE (borrowed) */
	enum acd_empty_rule join;  /* refuse joining when nobody can serve */
	enum acd_empty_rule leave; /* evict waiting contacts likewise */
	enum acd_overflow_action empty_action; /* for join/leave refusals */
	uint32_t wrapup_ms;        /* after each contact; 0: none */
	uint32_t offer_timeout_ms; /* engine-side ring timeout; 0: none */
	uint32_t missed_delay_ms;  /* agent rests after a missed offer */
	uint32_t aging_ms;         /* +1 priority per aging_ms waited; 0 off */
	uint32_t sticky_ms;        /* wait this long for the last agent */
	struct acd_relax relax[ACD_RELAX_MAX];
	unsigned nrelax;
};

struct acd_agent_conf {
	uint8_t cap[ACD_CH_COUNT]; /* contacts at once, per channel */
	uint32_t exclusive;        /* bit per channel: needs the agent alone */
	uint16_t max_missed;       /* not ready after this many misses; 0 off */
};

struct acd_member_conf {
	uint8_t priority;          /* 1 (first) .. 255; agent's queue order */
	uint16_t weight;           /* ACD_STRAT_WEIGHTED_RANDOM, >= 1 */
	uint32_t order;            /* ACD_STRAT_LINEAR position; 0: append */
};

struct acd_contact_params {
	const char *id;            /* unique among live contacts */
	enum acd_channel channel;
	int32_t priority;          /* ACD_PRIO_MIN .. ACD_PRIO_MAX */
	const struct acd_skill_req *req;
	unsigned nreq;
	const char *customer;      /* sticky routing key (ANI, customer id) */
};

struct acd_queue_stats {
	uint32_t waiting;          /* queued, not offered */
	uint32_t offered;          /* being offered right now */
	uint32_t connected;
	uint32_t agents_logged_in; /* members */
	uint32_t agents_ready;     /* members logged in, not NOT_READY */
	uint64_t oldest_since;     /* queue-entry time of the longest waiter */
	uint64_t entered, answered, answered_in_sl, abandoned, overflowed;
	uint64_t aht_ms;           /* recent average handle time (talk+wrap) */
};

/* Engine */
int  acd_alloc(struct acd **acdp, const struct acd_conf *conf,
	       acd_event_h *eh, void *arg);
int  acd_tick(struct acd *acd, uint64_t now);
uint64_t acd_next_timer(const struct acd *acd);   /* UINT64_MAX: none */
uint64_t acd_now(const struct acd *acd);
const char *acd_errmsg(const struct acd *acd);
int  acd_skill_add(struct acd *acd, const char *name, uint16_t *idp);
int  acd_skill_find(const struct acd *acd, const char *name, uint16_t *idp);
const char *acd_skill_name(const struct acd *acd, uint16_t id);
int  acd_reason_add(struct acd *acd, const char *name);

/* Queues */
void acd_queue_conf_init(struct acd_queue_conf *conf);
int  acd_queue_add(struct acd_queue **qp, struct acd *acd, const char *id,
		   const struct acd_queue_conf *conf);
int  acd_queue_conf_set(struct acd_queue *q, const struct acd_queue_conf *c);
int  acd_queue_remove(struct acd_queue *q);
struct acd_queue *acd_queue_find(const struct acd *acd, const char *id);
const char *acd_queue_id(const struct acd_queue *q);
const struct acd_queue_conf *acd_queue_conf(const struct acd_queue *q);
void acd_queue_stats(const struct acd_queue *q, struct acd_queue_stats *st);

/* Agents */
void acd_agent_conf_init(struct acd_agent_conf *conf);
int  acd_agent_add(struct acd_agent **ap, struct acd *acd, const char *id,
		   const struct acd_agent_conf *conf);
int  acd_agent_remove(struct acd_agent *a);
struct acd_agent *acd_agent_find(const struct acd *acd, const char *id);
const char *acd_agent_id(const struct acd_agent *a);
enum acd_agent_state acd_agent_state(const struct acd_agent *a);
const char *acd_agent_reason(const struct acd_agent *a);
int  acd_agent_skill_set(struct acd_agent *a, uint16_t skill, uint8_t level);
void acd_member_conf_init(struct acd_member_conf *conf);
int  acd_member_add(struct acd_agent *a, struct acd_queue *q,
		    const struct acd_member_conf *conf);
int  acd_member_remove(struct acd_agent *a, struct acd_queue *q);
int  acd_agent_login(struct acd_agent *a, bool ready, uint64_t now);
int  acd_agent_ready(struct acd_agent *a, uint64_t now);
int  acd_agent_not_ready(struct acd_agent *a, const char *reason,
			 uint64_t now);
int  acd_agent_logout(struct acd_agent *a, uint64_t now);
int  acd_agent_wrapup_end(struct acd_agent *a, struct acd_contact *c,
			  uint64_t now);
int  acd_agent_wrapup_extend(struct acd_agent *a, struct acd_contact *c,
			     uint32_t extra_ms, uint64_t now);
/* Milliseconds spent in each state since the agent was created; the time
 * in the current state counts up to `now`. */
void acd_agent_durations(const struct acd_agent *a, uint64_t now,
			 uint64_t dur[ACD_AGENT_STATE_COUNT]);
uint64_t acd_agent_logged_in_ms(const struct acd_agent *a, uint64_t now);
unsigned acd_agent_contacts(const struct acd_agent *a, enum acd_channel ch);

/* Contacts */
int  acd_contact_enqueue(struct acd_contact **cp, struct acd *acd,
			 struct acd_queue *q,
			 const struct acd_contact_params *p, uint64_t now);
struct acd_contact *acd_contact_find(const struct acd *acd, const char *id);
const char *acd_contact_id(const struct acd_contact *c);
enum acd_contact_state acd_contact_state(const struct acd_contact *c);
enum acd_channel acd_contact_channel(const struct acd_contact *c);
struct acd_queue *acd_contact_queue(const struct acd_contact *c);
struct acd_agent *acd_contact_agent(const struct acd_contact *c);
int  acd_offer_answer(struct acd_contact *c, struct acd_agent *a,
		      uint64_t now);
int  acd_offer_miss(struct acd_contact *c, struct acd_agent *a,
		    enum acd_miss miss, uint64_t now);
int  acd_contact_abandon(struct acd_contact *c, uint64_t now);
int  acd_contact_end(struct acd_contact *c, uint64_t now);
int  acd_contact_transfer(struct acd_contact *c, struct acd_queue *q,
			  uint64_t now);
int  acd_contact_callback(struct acd_contact *c, uint64_t now);
int  acd_contact_position(const struct acd_contact *c, uint64_t now,
			  uint32_t *posp, uint64_t *ewt_msp);

/* Names, for logs and configuration files */
const char *acd_agent_state_name(enum acd_agent_state s);
const char *acd_contact_state_name(enum acd_contact_state s);
const char *acd_outcome_name(enum acd_outcome o);
const char *acd_strategy_name(enum acd_strategy s);
const char *acd_channel_name(enum acd_channel ch);
const char *acd_event_name(enum acd_event_type t);
const char *acd_overflow_action_name(enum acd_overflow_action a);
const char *acd_miss_name(enum acd_miss m);
int acd_strategy_parse(const char *name, enum acd_strategy *sp);
int acd_channel_parse(const char *name, enum acd_channel *chp);

#endif
