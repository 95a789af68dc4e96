/* acd/acd_int.h  The engine's private model, shared by the files of src/acd only.
 *
 * Routing structures.  A queue's waiting contacts are split into classes:
 * contacts of one channel with the same skill requirements.  Each class
 * keeps
 *   - waitq: its queued contacts, an order-statistic tree on the queue's
 *     ordering key (priority with aging, then arrival), and
 *   - agents: a min-heap of slots, one per member agent qualified for the
 *     class and able to take its channel right now, ordered by the queue's
 *     strategy.
 * Routing keeps one invariant after every call (acd_invariants() checks
 * it): no class has both a waiting contact and an available slot.  So a
 * contact that joins a class is offered to the top of `agents` at once or
 * waits, and an agent that frees up looks only at the heads of the classes
 * it has slots in, best first.  Both are O(log n) in the number of waiting
 * contacts and agents, times the classes an agent has slots in.
 *
 * Lifetime.  Agents, queues and contacts are libre mem objects.  Removal
 * (or a contact's end) detaches the object from every structure at once;
 * the memory lives on while pending events or wrap-ups hold references,
 * so destructors only free what the object owns.
 */

#ifndef SB_ACD_INT_H
#define SB_ACD_INT_H

#include <stddef.h>
#include "libre.h"
#include "acd.h"
#include "minheap.h"
#include "otree.h"

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

static inline uint32_t acd_bit(enum acd_channel ch)
{
	return 1u << ch;
}

enum acd_timer_kind {
	ACD_TMR_CONTACT = 1,  /* relax, max wait, sticky release */
	ACD_TMR_WORK,         /* offer timeout, wrap-up end */
	ACD_TMR_REST,         /* agent's rest after a missed offer ends */
};

struct acd_timer {
	struct minheap_node hn;
	uint64_t due;
	uint64_t seq;              /* ties: first armed fires first */
	enum acd_timer_kind kind;
	void *obj;                 /* borrowed: contact, work or agent */
};

struct acd_class {
	/* route_agent() reads these three first: one cache line */
	struct otree waitq;
	enum acd_channel ch;
	uint32_t aging_ms;         /* the queue's, copied */
	struct le le;              /* queue->classes */
	struct acd_queue *q;       /* borrowed */
	uint8_t nreq;
	struct acd_skill_req req[ACD_REQ_MAX];
	struct minheap agents;     /* of struct acd_slot */
	struct list slots;         /* every slot, available or not */
	uint32_t ncontacts;        /* live contacts pointing here */
	uint64_t vclock;           /* random strategies' virtual clock */
};

struct acd_member {
	struct le le_agent;        /* agent->members */
	struct le le_queue;        /* queue->members */
	struct acd_agent *a;       /* borrowed */
	struct acd_queue *q;       /* borrowed */
	struct list slots;         /* struct acd_slot, owned */
	uint8_t prio;
	uint16_t weight;
	uint32_t order;
	uint64_t last_offer;       /* round robin: engine's offer seq */
	uint64_t answered;         /* fewest contacts */
	bool counted_in;           /* counted in q->nlogged */
	bool counted_ready;        /* counted in q->nready */
	bool dropped;              /* agent_presence_counts(): check rules */
};

struct acd_slot {
	struct minheap_node hn;    /* in cls->agents */
	struct le le_class;        /* cls->slots */
	struct le le_member;       /* m->slots */
	struct le le_ring;         /* route_class(): ring-all round */
	struct acd_class *cls;     /* borrowed */
	struct acd_member *m;      /* borrowed */
	uint32_t score;            /* skill match: sum of levels */
	uint64_t key[3];
};

/* An agent's slots in one array, for route_agent()'s scan. */
struct acd_slotref {
	struct acd_class *cls;
	struct acd_member *m;
	uint8_t prio;
};

enum acd_work_state {
	ACD_WORK_OFFERED = 0,
	ACD_WORK_BUSY,
	ACD_WORK_WRAPUP,
};

/* One agent's part in one contact: an offer, a conversation, a wrap-up. */
struct acd_work {
	struct le le_agent;        /* agent->works */
	struct le le_contact;      /* contact->works, until it ends */
	struct acd_agent *a;       /* borrowed */
	struct acd_contact *c;     /* owned reference */
	struct acd_queue *q;       /* owned reference: the contact's queue */
	enum acd_work_state st;
	enum acd_channel ch;
	uint64_t since;
	uint64_t talk_ms;          /* of the conversation before wrap-up */
	uint64_t wrapup_due;
	struct acd_timer tmr;
};

enum acd_pending {
	ACD_PEND_NONE = 0,
	ACD_PEND_NOT_READY,
	ACD_PEND_LOGOUT,
};

struct acd_agent {
	struct le le;              /* acd->agents hash */
	struct acd *acd;           /* borrowed */
	char *id;
	bool detached;
	struct acd_agent_conf conf;
	struct acd_skill_req *skills;  /* sorted by skill */
	uint16_t nskills;
	struct list members;
	struct list works;
	struct list sticky;        /* struct acd_sticky naming this agent */
	struct acd_slotref *refs;  /* every slot, rebuilt when stale */
	uint32_t nrefs;
	bool refs_stale;
	struct otree reserved;     /* contacts waiting for this agent */

	bool logged_in;
	bool ready;                /* presence: AVAILABLE, else NOT_READY */
	int reason;                /* not-ready reason index, -1 none */
	enum acd_pending pending;
	int pending_reason;

	enum acd_agent_state state;
	uint64_t state_since;
	uint64_t created;
	uint64_t dur[ACD_AGENT_STATE_COUNT];
	uint64_t login_at;
	uint64_t logged_in_ms;     /* closed sessions */

	uint8_t n[ACD_CH_COUNT];
	uint8_t ntotal;
	uint8_t nexcl;             /* works on exclusive channels */
	uint32_t routable;         /* channel bits it can take now */
	bool rekey;                /* slot keys changed: re-index */
	uint32_t nheaped;          /* slots in class heaps now */
	struct le le_dirty;        /* acd->dirty: slots to (re)insert */
	uint16_t missed;
	uint64_t rest_until;
	struct acd_timer rest;
	uint64_t idle_since;
	uint64_t talk_ms;
};

struct acd_queue {
	struct le le;              /* acd->queues hash */
	struct acd *acd;           /* borrowed */
	char *id;
	bool detached;
	struct acd_queue_conf conf;
	struct list members;
	struct list classes;
	uint32_t nclasses;
	uint32_t waiting, offered, connected, live;
	uint32_t nlogged, nready;
	uint64_t entered, answered, answered_in_sl, abandoned, overflowed;
	uint64_t aht_ms;           /* EWMA of talk + wrap-up, 0: none yet */
	struct list present;       /* contacts not yet answered, by entry */
};

struct acd_contact {
	struct le le;              /* acd->contacts hash */
	struct acd *acd;           /* borrowed */
	char *id;                  /* stored right after the struct */
	uint32_t hkey;             /* hash of id */
	char *customer;
	bool detached;
	struct acd_queue *q;       /* borrowed while live */
	struct acd_class *cls;     /* borrowed while live */
	enum acd_contact_state st;
	enum acd_outcome outcome;
	enum acd_channel ch;
	int32_t prio;
	uint8_t nreq;
	uint8_t stage;             /* relax rules applied */
	uint8_t nreq0;
	uint8_t hops;              /* overflow moves, bounded */
	struct acd_skill_req req[ACD_REQ_MAX];   /* now, after relaxing */
	struct acd_skill_req req0[ACD_REQ_MAX];  /* as the contact came */
	struct le le_present;      /* q->present */
	uint64_t seq;
	uint64_t arrived;          /* first queue entry: place in line */
	uint64_t entered;          /* this queue's entry */
	uint64_t queued_ms;        /* time queued in earlier queues */
	uint64_t offered_at;
	uint64_t answered_at;
	uint64_t talk_ms;
	struct otree_node node;    /* in cls->waitq or agent->reserved */
	struct acd_agent *reserved_for;  /* borrowed: sticky target */
	uint64_t reserve_until;
	bool maxwait_done;
	struct list works;         /* offers, then the conversation */
	struct acd_agent *agent;   /* borrowed: connected agent */
	struct acd_timer tmr;
};

/* customer -> last agent who served them, for sticky routing. */
struct acd_sticky {
	struct le le;              /* acd->sticky hash */
	struct le le_agent;        /* agent->sticky */
	struct le le_age;          /* acd->sticky_age, oldest first */
	char *customer;
	struct acd *acd;           /* borrowed */
	struct acd_agent *a;       /* borrowed; unlinked when a is removed */
	uint64_t at;
};

struct acd {
	struct acd_conf conf;
	acd_event_h *eh;
	void *arg;
	uint64_t now;
	uint64_t seq;              /* contacts, timers */
	uint64_t offer_seq;
	uint32_t member_seq;
	uint64_t rng[4];
	struct hash *agents;
	struct hash *queues;
	struct hash *contacts;
	struct hash *sticky;
	struct list sticky_age;
	struct list dirty;         /* agents whose slots wait to be synced */
	uint32_t sticky_max_ms;
	uint32_t nagents, nqueues, ncontacts, nsticky;
	char *skills[ACD_SKILL_MAX];
	uint16_t nskills;
	char *reasons[ACD_REASON_MAX];
	int nreasons;
	struct minheap timers;

	struct acd_event *evq;     /* pending events */
	size_t evn, evhead, evcap;
	uint64_t evid;
	uint64_t ev_dropped;
	unsigned depth;
	bool flushing;

	char errmsg[256];
};

enum { ACD_REASON_MISSED = 0 };   /* registered by acd_alloc() */

/* engine.c */
int  acd_fail(struct acd *acd, int err, const char *fmt, ...);
void acd_hash_grow(struct hash **hp, uint32_t count,
		   uint32_t (*key)(const void *data));
void acd_enter(struct acd *acd, uint64_t now);
void acd_leave(struct acd *acd);
struct acd_event *acd_emit(struct acd *acd, enum acd_event_type type,
			   struct acd_agent *a, struct acd_contact *c,
			   struct acd_queue *q);
void acd_timer_init(struct acd_timer *t, enum acd_timer_kind kind,
		    void *obj);
void acd_timer_arm(struct acd *acd, struct acd_timer *t, uint64_t due);
void acd_timer_cancel(struct acd *acd, struct acd_timer *t);
uint64_t acd_rand(struct acd *acd);
double acd_rand_exp(struct acd *acd);

/* agent.c */
void agent_update(struct acd_agent *a);
void agent_settle(struct acd_agent *a);
void agent_presence_counts(struct acd_agent *a);
uint8_t agent_level(const struct acd_agent *a, uint16_t skill);
bool agent_qualifies(const struct acd_agent *a, const struct acd_class *cls,
		     uint32_t *scorep);
void agent_work_remove(struct acd_work *w);
void agent_wrapup_finish(struct acd_work *w);
void agent_rest_expired(struct acd_agent *a);
void agent_apply_pending(struct acd_agent *a);
void agent_go_not_ready(struct acd_agent *a, int reason);
void agent_detach(struct acd_agent *a);
void agent_sticky_note(struct acd_agent *a, const char *customer);
struct acd_sticky *agent_sticky_find(const struct acd *acd,
				     const char *customer);

/* queue.c */
int  queue_class_get(struct acd_class **clsp, struct acd_queue *q,
		     enum acd_channel ch, const struct acd_skill_req *req,
		     unsigned nreq);
void queue_class_put(struct acd_class *cls);
int  queue_member_slots(struct acd_member *m);
void queue_member_slots_clear(struct acd_member *m);
void queue_detach(struct acd_queue *q);
void queue_empty_check(struct acd_queue *q);
bool queue_may_join(const struct acd_queue *q);
bool queue_may_stay(const struct acd_queue *q);
struct acd_member *queue_member_find(const struct acd_agent *a,
				     const struct acd_queue *q);
void queue_aht_note(struct acd_queue *q, uint64_t handle_ms);
int64_t queue_order_key(const struct acd_queue *q, const
			struct acd_contact *c);

/* contact.c */
void contact_timer_expired(struct acd_contact *c);
void contact_requeue(struct acd_contact *c);
void contact_finish(struct acd_contact *c, enum acd_outcome out);
void contact_detach(struct acd_contact *c);
void contact_unreserve(struct acd_contact *c);
void contact_overflow(struct acd_contact *c, enum acd_overflow_reason why,
		      enum acd_overflow_action action);
void work_timer_expired(struct acd_work *w);
void contact_missed(struct acd_work *w, enum acd_miss miss);

/* route.c */
void route_slot_sync(struct acd_slot *s);
void route_slot_remove(struct acd_slot *s);
void route_agent_sync(struct acd_agent *a);
void route_agent_drop(struct acd_agent *a);
void route_class(struct acd_class *cls);
void route_agent(struct acd_agent *a);
void route_offer(struct acd_contact *c, struct acd_agent *a,
		 struct acd_member *m);
bool route_slot_less(const struct minheap_node *a,
		     const struct minheap_node *b);

/* for tests: 0 when every invariant holds, else EFAULT and a message */
int  acd_invariants(const struct acd *acd, char *buf, size_t sz);

#endif
