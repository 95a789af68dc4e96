/* sim/sim_int.h  What a run measured, shared by sim.c (which fills it) and
 * report.c (which turns it into a struct sim_report).
 *
 * Everything is a sum over the measured period [warm-up, warm-up + hours):
 * contacts count in the batch and queue they arrived in, whenever their
 * outcome comes; agent time counts in the batch it was spent in.  Counts
 * are doubles in batches (they feed ratio estimates) and integers in
 * totals (they are printed).
 */

#ifndef SB_SIM_INT_H
#define SB_SIM_INT_H

#include "sim/sim.h"

/* One queue (or all queues) in one batch. */
struct sim_batch {
	double arrivals, waited, answered, in_sl, abandoned;
	double wait_s;             /* sum over answered contacts */
	double busy_s;             /* agents offered, talking, wrapping */
	double staffed_s;          /* agents logged in, not NOT_READY */
};

struct sim_qacc {
	uint64_t arrivals, answered, in_sl, waited, abandoned, overflowed;
	uint64_t unfinished, completed;
	double talk_s, wrap_s;     /* sums over completed contacts */
	uint64_t ewt_n;            /* answered waiters with an estimate */
	double ewt_err_s, ewt_abs_s;  /* sums of (actual - estimate), |.| */
};

struct sim_tacc {
	uint64_t arrivals, answered, in_sl, abandoned;
	double wait_s;
};

struct sim_aacc {
	double busy_s, staffed_s;
	uint64_t answered, completed;
	double talk_s, wrap_s;
};

struct sim_acc {
	unsigned nq, nb, na;
	double batch_s, end_s;
	struct sim_batch *b;       /* (nq + 1) x nb, row nq: all queues */
	struct sim_qacc *q;        /* nq + 1 */
	struct sim_tacc *t;        /* every queue's types, queue by queue */
	unsigned *toff;            /* queue -> first index in t */
	struct sim_aacc *a;        /* na, in conf order */
	uint64_t cal_events, engine_calls, engine_events;
};

/* report.c */
int  report_build(struct sim_report **rp, const struct sim_conf *conf,
		  const struct sim_acc *acc);

#endif
