/* sim/sim.h  The ACD simulator: a discrete-event simulation that drives the
 * real routing engine (acd/) and measures what callers and agents get.
 *
 * A run is described by a struct sim_conf, built in code (sim_conf_alloc,
 * sim_queue_add, sim_agents_add...) or read from a scenario file
 * (sim_scenario_load).  sim_run() plays it against a fresh engine and
 * returns a struct sim_report: per queue service level, ASA, P(wait),
 * P(abandon), occupancy and AHT with 99% confidence intervals from batch
 * means, per agent occupancy and handle times, and, for queues that fit
 * its assumptions, what Erlang C or Erlang A predicts.
 *
 * Model.  Each queue has Poisson arrivals; each caller brings a talk time
 * (exponential, lognormal or fixed) and a patience (exponential; 0 never
 * abandons), drawn at arrival from the queue's own random streams, so runs
 * that differ only in staffing see the same callers.  Agents log in ready
 * at the start of their shift and log out at its end; they answer an
 * offer after their ring delay and end the call after its talk time; the
 * engine runs wrap-up, timers and every routing decision.
 *
 * Time.  The simulator's clock is int64 microseconds; the engine is told
 * the floor in milliseconds.  Waits and talk times are measured on the
 * simulator's clock, so the engine's millisecond grain does not bias them.
 *
 * Definitions (the same as acd/erlang.h), over contacts that arrive after
 * the warm-up and before the end of the measured period:
 *   P(wait)    share of arrivals not offered during their own enqueue call
 *              (and never put back in line after a missed offer)
 *   ASA        mean arrival-to-answer time of answered contacts
 *   SL         share of ALL arrivals answered within the queue's target
 *   P(abandon) share of arrivals that hung up before being answered
 *   occupancy  time agents are offered, talking or in wrap-up divided by
 *              their logged-in time that is not NOT_READY
 *   AHT        mean talk time plus mean wrap-up time of answered contacts
 *
 * Determinism.  Same conf and seed, byte-identical report: the random
 * numbers are xoshiro256** (sim/rng.h), ties in the calendar go first-in,
 * first-out, and nothing reads the wall clock.
 *
 * Ownership.  Confs and reports are libre mem objects: mem_deref() them.
 */

#ifndef SB_SIM_H
#define SB_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "acd/acd.h"
#include "acd/erlang.h"

struct re_printf;

enum {
	SIM_NAME_MAX    = 63,      /* bytes in a skill, queue, type, prefix */
	SIM_QUEUE_MAX   = 256,     /* queues per run */
	SIM_TYPE_MAX    = 32,      /* contact types per queue */
	SIM_GROUP_MAX   = 1024,    /* agent groups per run */
	SIM_AGENT_MAX   = 100000,  /* agents per run */
	SIM_MEMBER_MAX  = 32,      /* queues per agent group */
	SIM_GSKILL_MAX  = 64,      /* skills per agent group */
	SIM_BATCH_MIN   = 2,
	SIM_BATCH_MAX   = 1000,
};

/* Limits on numbers, shared by the parser and sim_conf_check(). */
#define SIM_HOURS_MAX     100000.0   /* measured + warm-up hours */
#define SIM_DUR_MAX       604800.0   /* any duration, s (one week) */
#define SIM_CALLS_MAX     10000000.0 /* calls per interval */

enum sim_dist {
	SIM_DIST_EXP = 0,          /* exponential with mean aht */
	SIM_DIST_LOGNORMAL,        /* lognormal with mean aht, sd handle_sd */
	SIM_DIST_FIXED,            /* always aht */
	SIM_DIST_COUNT
};

/* A reference by name, resolved by sim_conf_check(); `line` (0: built in
 * code) is the scenario line that made it, for error messages. */
struct sim_ref {
	char name[SIM_NAME_MAX + 1];
	uint8_t value;             /* skill level or member priority */
	unsigned line;
	uint32_t idx;              /* resolved: skill or queue index */
};

/* A kind of contact arriving at a queue. */
struct sim_type {
	char name[SIM_NAME_MAX + 1];
	double share;              /* weight among the queue's types */
	int32_t priority;          /* ACD_PRIO_MIN .. ACD_PRIO_MAX */
	struct sim_ref req[ACD_REQ_MAX];  /* skill:level needed */
	unsigned nreq;
	unsigned line;
};

/* A relaxation rule by skill name ("*" for every skill). */
struct sim_relax {
	double after_s;
	struct sim_ref skill;      /* value: level accepted; 0 drops it */
};

struct sim_queue {
	char name[SIM_NAME_MAX + 1];
	unsigned line;
	double calls;              /* arrivals per interval (Poisson) */
	double interval_s;
	double aht_s;              /* mean talk time; wrap-up comes on top */
	enum sim_dist handle;
	double handle_sd_s;        /* lognormal only */
	double patience_s;         /* mean, exponential; 0 never abandons */
	struct acd_queue_conf acd; /* overflow_queue is set by sim_run() */
	char overflow_queue[SIM_NAME_MAX + 1];  /* for ACD_OVF_QUEUE */
	unsigned overflow_line;
	struct sim_relax relax[ACD_RELAX_MAX];
	unsigned nrelax;
	struct sim_type *types;    /* none: one untyped stream */
	unsigned ntypes;
	uint32_t overflow_idx;     /* resolved overflow_queue */
};

/* `count` agents with ids PREFIX<first>, PREFIX<first+1>, ... */
struct sim_agents {
	char prefix[SIM_NAME_MAX + 1];
	unsigned line;
	uint32_t count;
	uint32_t first;
	struct sim_ref queues[SIM_MEMBER_MAX];   /* value: priority 1..255 */
	unsigned nqueues;
	struct sim_ref skills[SIM_GSKILL_MAX];   /* value: level 1..10 */
	unsigned nskills;
	double shift_start_s;      /* logs in ready */
	double shift_end_s;        /* logs out; 0: stays to the end */
	double ring_s;             /* delay before answering an offer */
	struct acd_agent_conf acd; /* capacities, max_missed */
};

struct sim_trace;
typedef void (sim_trace_h)(const struct sim_trace *tr, void *arg);

/* Called after every calendar step, engine calls done and events
 * delivered; a non-zero return (with a message in msg) stops the run with
 * EPROTO.  For tests: check the engine's invariants at every step. */
typedef int (sim_step_h)(const struct acd *acd, char *msg, size_t sz,
			 void *arg);

struct sim_conf {
	double hours;              /* measured period, h */
	double warmup_h;           /* before it, not measured */
	uint64_t seed;
	unsigned batches;          /* batch means over the measured period */
	char (*skills)[SIM_NAME_MAX + 1];
	unsigned nskills;
	struct sim_queue **queues;
	unsigned nqueues;
	struct sim_agents **groups;
	unsigned ngroups;
	sim_trace_h *traceh;       /* optional: every engine event */
	void *trace_arg;
	sim_step_h *steph;         /* optional: after every step */
	void *step_arg;
};

/* What a trace handler sees for every engine event, as it is delivered
 * (the event is valid during the call only).  Indexes are -1 when the
 * event names no such object. */
struct sim_trace {
	double t_s;                /* simulator clock */
	const struct acd_event *ev;
	int queue;                 /* the contact's arrival queue */
	int type;                  /* its type index in that queue */
	int agent;                 /* index in sim_report.agents */
	int group;                 /* the agent's group */
};

/* A point estimate and its 99% Student-t half-width; both NaN when there
 * is nothing to estimate, hw alone NaN with fewer than two batches. */
struct sim_ci {
	double mean;
	double hw;
};

struct sim_type_report {
	char name[SIM_NAME_MAX + 1];
	uint64_t arrivals, answered, answered_in_sl, abandoned;
	double asa_s, sl, p_abandon;
};

struct sim_queue_report {
	char name[SIM_NAME_MAX + 1];
	unsigned agents;           /* member agents */
	double sl_target_s;
	unsigned sl_goal;          /* percent */
	uint64_t arrivals, answered, answered_in_sl, waited;
	uint64_t abandoned;        /* hung up while queued or ringing */
	uint64_t overflowed;       /* left by a queue rule or timed out */
	uint64_t unfinished;       /* still unanswered when the run stopped */
	uint64_t completed;        /* answered and ended: AHT samples */
	struct sim_ci p_wait, asa_s, sl, p_abandon, occupancy;
	double aht_s, talk_s, wrap_s;
	/* The engine's estimated wait (acd_contact_position) told on arrival
	 * to contacts that had to wait, against the wait they then had, over
	 * the answered ones: mean error (actual - estimate) and mean
	 * absolute error, seconds. */
	uint64_t ewt_n;
	double ewt_bias_s, ewt_mae_s;
	double offered_erl;        /* arrival rate x measured AHT */
	double carried_erl;        /* mean agents busy with this queue */
	bool has_theory;
	bool erlang_a;             /* theory is Erlang A, else Erlang C */
	struct erlang_out theory;
	struct sim_type_report *types;
	unsigned ntypes;
};

struct sim_agent_report {
	char id[ACD_ID_MAX + 1];
	unsigned group;
	uint64_t answered;
	double staffed_s;          /* logged in, not NOT_READY, measured */
	double occupancy;          /* NaN when never logged in */
	double aht_s;              /* NaN when it completed none */
};

struct sim_group_report {
	char name[SIM_NAME_MAX + 1];
	unsigned count;
	uint64_t answered;
	double occupancy;          /* pooled over the group */
	double occ_min, occ_max;   /* over its agents */
	double aht_s;
};

struct sim_report {
	uint64_t seed;
	double hours, warmup_h;
	unsigned batches;
	double batch_s;
	double end_s;              /* simulator clock when the run stopped */
	uint64_t cal_events;       /* calendar events carried out */
	uint64_t engine_calls;     /* calls into acd_* that change state */
	uint64_t engine_events;    /* events the engine delivered */
	uint64_t arrivals, unfinished;
	struct sim_ci p_wait, asa_s, sl, p_abandon, occupancy;
	struct sim_queue_report *queues;
	unsigned nqueues;
	struct sim_group_report *groups;
	unsigned ngroups;
	struct sim_agent_report *agents;
	unsigned nagents;
};

/* Building a conf in code.  Names are copied; errors are errno values and
 * `err` (when given) receives a message. */
int  sim_conf_alloc(struct sim_conf **confp);
int  sim_skill_add(struct sim_conf *conf, const char *name);
int  sim_queue_add(struct sim_queue **qp, struct sim_conf *conf,
		   const char *name);
int  sim_type_add(struct sim_queue *q, const struct sim_type *type);
int  sim_agents_add(struct sim_agents **gp, struct sim_conf *conf,
		    const char *prefix, uint32_t count, uint32_t first);
int  sim_agents_queue(struct sim_agents *g, const char *queue,
		      uint8_t priority);
int  sim_agents_skill(struct sim_agents *g, const char *skill,
		      uint8_t level);
int  sim_conf_check(struct sim_conf *conf, const char *fname,
		    char *err, size_t errsz);
int  sim_conf_single(struct sim_conf **confp, double calls,
		     double interval_s, double aht_s, uint32_t agents,
		     double patience_s, double sl_target_s);
bool sim_name_valid(const char *name);

/* Scenario files (format: docs/simulator.md). */
int  sim_scenario_parse(struct sim_conf **confp, const char *buf,
			size_t len, const char *fname, char *err,
			size_t errsz);
int  sim_scenario_load(struct sim_conf **confp, const char *path,
		       char *err, size_t errsz);

/* Running */
int  sim_run(struct sim_report **reportp, struct sim_conf *conf,
	     char *err, size_t errsz);

/* Printing */
int  sim_report_table(struct re_printf *pf, const struct sim_report *r);
int  sim_report_agents(struct re_printf *pf, const struct sim_report *r);
int  sim_report_json(struct re_printf *pf, const struct sim_report *r);
const char *sim_dist_name(enum sim_dist d);

#endif
