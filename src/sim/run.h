/* sim/run.h  The state of one simulation run, shared by the files that
 * carry it out: sim.c (set-up, the calendar loop, calls into the engine),
 * events.c (the engine's events) and measure.c (the books).  Private to
 * src/sim; see sim.c for how a run works.
 */

#ifndef SB_SIM_RUN_H
#define SB_SIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/sim.h"
#include "sim/sim_int.h"
#include "sim/calendar.h"
#include "sim/rng.h"

enum ev_kind {
	EV_ARRIVAL = 1,  /* obj: queue */
	EV_ABANDON,      /* obj, gen: contact */
	EV_ANSWER,       /* obj: agent; gen: its offer serial */
	EV_END,          /* obj, gen: contact */
	EV_CALLBACK,     /* obj, gen: contact */
	EV_LOGIN,        /* obj: agent */
	EV_LOGOUT,       /* obj: agent */
	EV_TIMER,        /* the engine's next timer; t is its due time */
};

enum slot_state {
	SLOT_FREE = 0,
	SLOT_QUEUED,
	SLOT_OFFERED,
	SLOT_CONNECTED,
};

enum {
	NONE = UINT32_MAX,
	TICK_LOOP_MAX = 1000,      /* acd_tick() calls at one instant */
};

#define US 1000000.0
#define DRAIN_US ((int64_t)24 * 3600 * 1000000)

struct slot {
	struct acd_contact *c;     /* borrowed: the engine's, while live */
	int64_t arrived;
	int64_t answered;
	int64_t talk_us;
	int64_t ewt_us;            /* engine's wait estimate on arrival, -1 */
	uint32_t gen;
	uint32_t next_free;
	uint32_t agent;            /* who answered */
	uint16_t q, type;
	uint16_t batch;
	uint8_t st;                /* enum slot_state */
	uint8_t noffers;
	bool measured;
	bool immediate;            /* offered during its own enqueue call */
	bool callback;             /* became a callback: no more patience */
	bool answered_flag;
};

struct agent {
	struct acd_agent *a;       /* borrowed: owned by the engine */
	const struct sim_agents *g;/* borrowed: the conf's group */
	uint32_t group;
	enum acd_agent_state st;
	int64_t since;
	int64_t ring_us;
	uint32_t offer;            /* slot offered, NONE */
	uint32_t offer_gen;        /* that slot's generation */
	uint32_t offer_serial;     /* offers so far: names each one */
	uint32_t conn;             /* slot connected, NONE */
	int work_q;                /* queue of the latest offer, -1 */
	bool wrap_pending;
	bool wrap_measured;
	uint16_t wrap_q;
	int64_t wrap_start;
};

struct qrt {
	struct acd_queue *aq;      /* borrowed: owned by the engine */
	const struct sim_queue *cq;/* borrowed: the conf's queue */
	struct rng arr;            /* inter-arrival times */
	struct rng caller;         /* type, talk time, patience */
	double mean_gap_us;        /* 0: no arrivals */
	double mu, sigma;          /* lognormal parameters, in us */
	double share_sum;
	int64_t sl_us;
	struct acd_skill_req (*req)[ACD_REQ_MAX];  /* per type */
};

struct ptrmap {
	const void **key;
	uint32_t *val;
	uint32_t mask;
};

struct sim {
	const struct sim_conf *conf;
	struct acd *acd;
	struct calendar cal;
	struct sim_acc *acc;
	struct qrt *q;
	unsigned nq;
	struct agent *ag;
	unsigned na;
	uint32_t *agq;             /* member queue lists, per agent group */
	unsigned *agq_off;         /* group -> first in agq */
	struct slot *slot;
	uint32_t nslot, capslot, free_slot;
	struct ptrmap amap, qmap;
	uint16_t *skill_id;

	int64_t now;
	uint64_t now_ms;
	int64_t warm_us, end_us, stop_us, batch_us;
	uint64_t tmr_due;          /* the engine timer in the calendar */
	uint32_t enq_slot;         /* slot inside acd_contact_enqueue() */
	uint64_t pending;          /* measured contacts live + wraps open */
	bool closing;

	int err;
	char *errbuf;
	size_t errsz;
};

/* sim.c */
int  sim_fail(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int  sim_push(struct sim *s, int64_t t, enum ev_kind k, uint32_t obj,
	      uint32_t gen, uint32_t aux);

/* events.c */
void events_handler(const struct acd_event *ev, void *arg);

/* measure.c */
uint32_t measure_batch(const struct sim *s, int64_t t);
struct sim_batch *measure_row(struct sim *s, unsigned q, uint32_t b);
void measure_agent_close(struct sim *s, uint32_t ai, int64_t t);
void measure_resolve(struct sim *s, struct slot *sl, bool answered,
		     bool abandoned);

static inline uint32_t ptrmap_get(const struct ptrmap *m, const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	uint32_t i = (uint32_t)((x * 0x9e3779b97f4a7c15ULL) >> 32) & m->mask;

	while (m->key[i]) {
		if (m->key[i] == p)
			return m->val[i];
		i = (i + 1) & m->mask;
	}
	return NONE;
}

#endif
