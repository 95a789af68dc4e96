/* acd/erlang.h  Staffing from queueing theory: Erlang C and Erlang A.
 *
 * Erlang C (M/M/N): Poisson arrivals, exponential handle times, N agents,
 * callers wait forever.  Erlang A (M/M/N+M): the same, and each caller
 * abandons after an exponential patience.  Pure math on doubles, no I/O.
 */

#ifndef SB_ERLANG_H
#define SB_ERLANG_H

#include <stdbool.h>

struct erlang_in {
	double calls;          /* arrivals in one interval */
	double interval_s;     /* interval length, s (e.g. 1800) */
	double aht_s;          /* mean handle time, s */
	double sl_target_s;    /* service-level threshold T, s */
	double patience_s;     /* mean patience, s; 0: Erlang C */
};

struct erlang_out {
	unsigned agents;       /* N evaluated (on the phones) */
	double load;           /* offered load A = rate * aht, Erlangs */
	double p_wait;         /* P(an arrival waits at all) */
	double asa_s;          /* mean wait of answered calls */
	double sl;             /* share of arrivals answered within T */
	double p_abandon;      /* share of arrivals that abandon (A only) */
	double occupancy;      /* busy share of the N agents */
	unsigned scheduled;    /* agents to schedule given shrinkage */
};

/* Most agents erlang_eval() evaluates and erlang_staff() tries. */
enum { ERLANG_AGENTS_MAX = 100000 };

/* Goals for erlang_staff(); a goal of 0 is not checked. */
struct erlang_goal {
	double sl;             /* minimum service level (0..1), e.g. 0.80 */
	double max_asa_s;      /* maximum ASA */
	double max_abandon;    /* maximum P(abandon) (0..1), Erlang A */
	double max_occupancy;  /* maximum occupancy (0..1) */
	double shrinkage;      /* share of paid time off the phones, 0..<1 */
};

int erlang_eval(struct erlang_out *out, const struct erlang_in *in,
		unsigned agents);
int erlang_staff(struct erlang_out *out, const struct erlang_in *in,
		 const struct erlang_goal *goal);
int erlang_schedule(unsigned *scheduled, unsigned agents, double shrinkage);

#endif
