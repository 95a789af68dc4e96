/* core/tmr_heap.c  libre's timers, kept in a binary heap instead of a
 * sorted list.
 *
 * Why.  libre 1.1.0 keeps every timer of a thread in one sorted linked
 * list; tmr_start() walks it from the end until it finds an earlier
 * timer.  A SIP server holds thousands of long timers (each UDP
 * transaction keeps a 32 s timer after it completes), and every short
 * timer started (retransmissions, ring timeouts, the media tick) walks
 * past all of them: at 200 calls/s the walk took 60% of the server's CPU
 * (docs/PERFORMANCE.md).
 *
 * How.  This file defines tmr_start, tmr_cancel, tmr_poll,
 * tmr_next_timeout, tmr_get_expire, tmr_status and tmr_debug with
 * libre's signatures and semantics.  Linked into the program, they
 * interpose libre's own: libre calls them through its PLT (its internal
 * calls are not bound at link time), so the SIP stack's timers land here
 * too.  tmr_init, tmr_jiffies and struct tmr stay libre's.
 *
 * Semantics kept: timers fire in order of (due time, start order), so two
 * timers due at the same millisecond fire in the order they were started,
 * as with libre's list; a handler may start, cancel or free any timer,
 * its own included; tmr_next_timeout() returns 0 when no timer runs, 1
 * when one is due, else the milliseconds to wait.
 *
 * Storage.  One heap per libre thread, found by the thread's timer list
 * (tmrl_get(), the key re_main() passes to tmr_poll()).  A running timer's
 * struct le, which only libre's tmr.c touched, holds our bookkeeping:
 * `list` points to its heap, `prev` is its index in the heap, `next` its
 * start sequence number, `data` the timer.  No allocation per timer; the
 * heap array doubles as needed.
 *
 * Costs: start and cancel O(log n), poll O(log n) per timer fired, next
 * timeout O(1).
 */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "libre.h"

/* libre's, not declared in its headers */
extern struct list *tmrl_get(void);

struct theap {
	struct list *key;         /* the thread's libre timer list */
	struct tmr **v;
	size_t n, cap;
	uint64_t seq;
};

enum { HEAPS_MAX = 64 };

static struct theap heaps[HEAPS_MAX];
static unsigned nheaps;
static pthread_mutex_t heaps_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct theap *cur;

static struct theap *heap_of(struct list *key)
{
	struct theap *h = NULL;

	if (cur && cur->key == key)
		return cur;
	pthread_mutex_lock(&heaps_lock);
	for (unsigned i = 0; i < nheaps; i++) {
		if (heaps[i].key == key) {
			h = &heaps[i];
			break;
		}
	}
	if (!h && nheaps < HEAPS_MAX) {
		h = &heaps[nheaps++];
		memset(h, 0, sizeof(*h));
		h->key = key;
	}
	pthread_mutex_unlock(&heaps_lock);
	if (!h)
		abort();        /* more libre threads than any use here */
	cur = h;
	return h;
}

static size_t idx(const struct tmr *t)
{
	return (size_t)(uintptr_t)t->le.prev;
}

static uint64_t seq(const struct tmr *t)
{
	return (uint64_t)(uintptr_t)t->le.next;
}

static void set_idx(struct tmr *t, size_t i)
{
	t->le.prev = (struct le *)(uintptr_t)i;
}

static bool before(const struct tmr *a, const struct tmr *b)
{
	return a->jfs < b->jfs || (a->jfs == b->jfs && seq(a) < seq(b));
}

static void place(struct theap *h, size_t i, struct tmr *t)
{
	h->v[i] = t;
	set_idx(t, i);
}

static void sift_up(struct theap *h, size_t i)
{
	struct tmr *t = h->v[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!before(t, h->v[p]))
			break;
		place(h, i, h->v[p]);
		i = p;
	}
	place(h, i, t);
}

static void sift_down(struct theap *h, size_t i)
{
	struct tmr *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], t))
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

static void heap_remove(struct theap *h, struct tmr *t)
{
	size_t i = idx(t);
	struct tmr *last;

	if (i >= h->n || h->v[i] != t)
		abort();        /* a timer freed while running: libre bug */
	last = h->v[--h->n];
	t->le.list = NULL;
	if (last != t) {
		place(h, i, last);
		if (i > 0 && before(last, h->v[(i - 1) / 2]))
			sift_up(h, i);
		else
			sift_down(h, i);
	}
}

static int heap_push(struct theap *h, struct tmr *t)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct tmr **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	t->le.list = (struct list *)(void *)h;
	t->le.next = (struct le *)(uintptr_t)++h->seq;
	t->le.data = t;
	place(h, h->n++, t);
	sift_up(h, h->n - 1);
	return 0;
}

void tmr_start(struct tmr *tmr, uint64_t delay, tmr_h *th, void *arg)
{
	struct theap *h;

	if (!tmr)
		return;
	h = heap_of(tmrl_get());
	if (tmr->th && tmr->le.list)
		heap_remove((struct theap *)(void *)tmr->le.list, tmr);
	tmr->th = th;
	tmr->arg = arg;
	if (!th)
		return;
	tmr->jfs = delay + tmr_jiffies();
	if (heap_push(h, tmr))
		abort();        /* out of memory: a lost timer is a hung call */
}

void tmr_cancel(struct tmr *tmr)
{
	tmr_start(tmr, 0, NULL, NULL);
}

void tmr_poll(struct list *tmrl)
{
	struct theap *h = heap_of(tmrl);
	const uint64_t jfs = tmr_jiffies();

	while (h->n) {
		struct tmr *t = h->v[0];
		tmr_h *th;
		void *arg;

		if (t->jfs > jfs)
			break;
		th = t->th;
		arg = t->arg;
		heap_remove(h, t);
		t->th = NULL;
		if (th)
			th(arg);
	}
}

uint64_t tmr_next_timeout(struct list *tmrl)
{
	struct theap *h = heap_of(tmrl);
	const uint64_t jif = tmr_jiffies();

	if (!h->n)
		return 0;
	if (h->v[0]->jfs <= jif)
		return 1;
	return h->v[0]->jfs - jif;
}

uint64_t tmr_get_expire(const struct tmr *tmr)
{
	uint64_t jfs;

	if (!tmr || !tmr->th)
		return 0;
	jfs = tmr_jiffies();
	return tmr->jfs > jfs ? tmr->jfs - jfs : 0;
}

int tmr_status(struct re_printf *pf, void *unused)
{
	struct theap *h = heap_of(tmrl_get());

	(void)unused;
	if (!h->n)
		return 0;
	return re_hprintf(pf, "Timers: %zu (heap, core/tmr_heap.c)\n", h->n);
}

void tmr_debug(void)
{
	(void)re_fprintf(stderr, "%H", tmr_status, NULL);
}

/* For tests: timers running in this thread. */
size_t tmr_heap_count(void);
size_t tmr_heap_count(void)
{
	return heap_of(tmrl_get())->n;
}

/* For tests: 0 when this thread's heap is consistent (heap order, each
 * timer's index and owner), else the first bad index + 1. */
size_t tmr_heap_check(void);
size_t tmr_heap_check(void)
{
	struct theap *h = heap_of(tmrl_get());

	for (size_t i = 0; i < h->n; i++) {
		const struct tmr *t = h->v[i];

		if (idx(t) != i || (void *)t->le.list != (void *)h || !t->th)
			return i + 1;
		if (i > 0 && before(t, h->v[(i - 1) / 2]))
			return i + 1;
	}
	return 0;
}
