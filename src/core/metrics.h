/* core/metrics.h  The parts of /metrics that need no center, so they are
 * tested alone: label escaping, the wait histogram, and the fixed list
 * of call outcomes counted by core/metrics.c.  metrics_print() and the
 * hooks the calls use are in core.h.
 */

#ifndef SB_CORE_METRICS_H
#define SB_CORE_METRICS_H

#include <stdint.h>

struct re_printf;

/* Outcomes of ended calls, as call records write them.  Any other string
 * counts as METRICS_OUT_OTHER, so a new outcome in call*.c never indexes
 * out of the array; add it here to see it by name. */
enum metrics_outcome {
	METRICS_OUT_ANSWERED = 0,
	METRICS_OUT_ABANDONED_QUEUE,
	METRICS_OUT_ABANDONED_RINGING,
	METRICS_OUT_ABANDONED_IVR,
	METRICS_OUT_OVERFLOWED,
	METRICS_OUT_TIMED_OUT,
	METRICS_OUT_TRANSFERRED,
	METRICS_OUT_REJECTED,
	METRICS_OUT_FAILED,
	METRICS_OUT_INTERRUPTED,
	METRICS_OUT_HUNG_UP,          /* hung up through the API, unanswered */
	METRICS_OUT_OTHER,
	METRICS_OUT_COUNT
};

/* Fixed buckets: 1, 5, 10, 20, 30, 60, 120, 300 s and +Inf. */
enum { METRICS_HIST_BUCKETS = 9 };

/* Observations are capped here: a longer wait is a clock fault, and the
 * cap keeps the millisecond sum far from overflowing. */
#define METRICS_HIST_CAP 1e9

/* A Prometheus histogram with fixed bounds.  n[] counts each bucket
 * alone (not cumulated) so an observation touches one slot; the
 * cumulative counts Prometheus wants are summed when printed.  The sum
 * is kept in whole milliseconds, the resolution of call times, so it
 * prints exactly (no float drift over millions of calls). */
struct metrics_hist {
	uint64_t n[METRICS_HIST_BUCKETS];
	uint64_t count;
	uint64_t sum_ms;
};

enum metrics_outcome metrics_outcome(const char *outcome);
const char *metrics_outcome_name(enum metrics_outcome o);

/* Count one observation: it goes in the first bucket whose upper bound
 * is >= seconds (a value on a bound counts in that bound's bucket); the
 * sum grows by seconds rounded to the millisecond.  Negative and NaN
 * values count as 0, values over METRICS_HIST_CAP as the cap.
 * O(buckets), no allocation. */
void metrics_hist_observe(struct metrics_hist *h, double seconds);
/* Cumulative count of bucket i (observations <= its bound); the last
 * bucket (+Inf) equals h->count.  0 when i is out of range. */
uint64_t metrics_hist_cumulative(const struct metrics_hist *h, unsigned i);
/* The bucket's `le` label value ("1", ..., "+Inf"); NULL out of range. */
const char *metrics_hist_le(unsigned i);
/* The family: HELP, TYPE, NAME_bucket{le=...} lines (cumulative),
 * NAME_sum in seconds with three decimals, NAME_count.
 * @return 0 or the printer's errno */
int metrics_hist_print(struct re_printf *pf, const char *name,
		       const char *help, const struct metrics_hist *h);

/* Write s as a label value, without the quotes: backslash, double quote
 * and newline become \\, \" and \n (exposition format 0.0.4).  NULL
 * writes nothing.  Usable with "%H".
 * @return 0 or the printer's errno */
int metrics_label_escape(struct re_printf *pf, const char *s);

#endif
