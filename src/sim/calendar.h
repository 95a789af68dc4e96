/* sim/calendar.h  The simulator's pending events, soonest first.
 *
 * A binary min-heap of events stored by value (32 bytes, no pointers) in
 * one array, ordered by (time, sequence number): events due at the same
 * microsecond come out in the order they were pushed, which keeps runs
 * reproducible.  The array is the pool: it grows by doubling and never
 * shrinks, so a run in steady state pushes and pops without allocating.
 * Push and pop are O(log n) moves of 32-byte values.
 *
 * There is no removal: an event that became pointless (a caller's patience
 * runs out after they were answered) stays in the heap and is recognised
 * as stale when it comes out, through the generation number it carries.
 */

#ifndef SB_SIM_CALENDAR_H
#define SB_SIM_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

struct cal_ev {
	int64_t t;                 /* due, simulator microseconds */
	uint64_t seq;              /* push order: ties first-in first-out */
	uint32_t type;             /* the caller's event kind */
	uint32_t obj;              /* object index (contact slot, agent...) */
	uint32_t gen;              /* object generation when pushed */
	uint32_t aux;              /* second index (e.g. the agent offered) */
};

struct calendar {
	struct cal_ev *v;
	uint32_t n;
	uint32_t cap;
	uint64_t seq;
};

int  calendar_init(struct calendar *cal, uint32_t cap);
void calendar_reset(struct calendar *cal);
int  calendar_push(struct calendar *cal, int64_t t, uint32_t type,
		   uint32_t obj, uint32_t gen, uint32_t aux);
bool calendar_pop(struct calendar *cal, struct cal_ev *ev);

static inline const struct cal_ev *calendar_top(const struct calendar *cal)
{
	return cal->n ? &cal->v[0] : NULL;
}

#endif
