/* sim/calendar.c  The simulator's pending events (see calendar.h).
 *
 * Array heap, children of i at 2i+1 and 2i+2.  Both sifts move a hole
 * instead of swapping, so each level costs one 32-byte copy.  Pop uses
 * Floyd's variant: the hole left by the top goes down to a leaf along the
 * smaller children (one comparison a level instead of two), then the last
 * element sifts up from there, which it rarely does far, since it came
 * from the bottom.
 */

#include <errno.h>
#include <stdint.h>
#include "libre.h"
#include "sim/calendar.h"

static inline bool ev_less(const struct cal_ev *a, const struct cal_ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int calendar_init(struct calendar *cal, uint32_t cap)
{
	if (!cal)
		return EINVAL;
	cal->n = 0;
	cal->seq = 0;
	cal->cap = cap < 64 ? 64 : cap;
	cal->v = mem_reallocarray(NULL, cal->cap, sizeof(*cal->v), NULL);
	if (!cal->v) {
		cal->cap = 0;
		return ENOMEM;
	}
	return 0;
}

void calendar_reset(struct calendar *cal)
{
	if (!cal)
		return;
	cal->v = mem_deref(cal->v);
	cal->n = cal->cap = 0;
}

static void sift_up(struct cal_ev *v, uint32_t i, const struct cal_ev *x)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!ev_less(x, &v[p]))
			break;
		v[i] = v[p];
		i = p;
	}
	v[i] = *x;
}

/**
 * Add an event.
 *
 * @return 0, or ENOMEM when the heap could not grow (nothing changed)
 */
int calendar_push(struct calendar *cal, int64_t t, uint32_t type,
		  uint32_t obj, uint32_t gen, uint32_t aux)
{
	struct cal_ev x;

	if (cal->n == cal->cap) {
		struct cal_ev *v;
		uint32_t cap;

		if (cal->cap > UINT32_MAX / 2)
			return ENOMEM;
		cap = cal->cap ? cal->cap * 2 : 64;
		v = mem_reallocarray(cal->v, cap, sizeof(*v), NULL);
		if (!v)
			return ENOMEM;
		cal->v = v;
		cal->cap = cap;
	}
	x.t = t;
	x.seq = cal->seq++;
	x.type = type;
	x.obj = obj;
	x.gen = gen;
	x.aux = aux;
	sift_up(cal->v, cal->n++, &x);
	return 0;
}

/* Take the soonest event into *ev; false when there is none. */
bool calendar_pop(struct calendar *cal, struct cal_ev *ev)
{
	struct cal_ev *v = cal->v;
	uint32_t n, i = 0;

	if (!cal->n)
		return false;
	*ev = v[0];
	n = --cal->n;
	if (!n)
		return true;
	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_less(&v[c + 1], &v[c]))
			c++;
		v[i] = v[c];
		i = c;
	}
	sift_up(v, i, &v[n]);
	return true;
}
