/* acd/minheap.c  Indexed binary min-heap (see minheap.h).
 *
 * Classic array heap: children of i are 2i+1 and 2i+2.  Every move writes
 * the element's new index back into its node, which is what makes removal
 * of an arbitrary element O(log n): swap the last element into its place,
 * then sift it up or down.
 */

#include <errno.h>
#include "libre.h"
#include "minheap.h"

static void heap_set(struct minheap *h, uint32_t i, struct minheap_node *x)
{
	h->v[i] = x;
	x->idx = i;
}

static void sift_up(struct minheap *h, uint32_t i)
{
	struct minheap_node *x = h->v[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!h->less(x, h->v[p]))
			break;
		heap_set(h, i, h->v[p]);
		i = p;
	}
	heap_set(h, i, x);
}

static void sift_down(struct minheap *h, uint32_t i)
{
	struct minheap_node *x = h->v[i];

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m;

		if (l >= h->n)
			break;
		m = (r < h->n && h->less(h->v[r], h->v[l])) ? r : l;
		if (!h->less(h->v[m], x))
			break;
		heap_set(h, i, h->v[m]);
		i = m;
	}
	heap_set(h, i, x);
}

void minheap_init(struct minheap *h, minheap_less_h *less)
{
	h->v = NULL;
	h->n = h->cap = h->want = 0;
	h->less = less;
}

void minheap_reset(struct minheap *h)
{
	h->v = mem_deref(h->v);
	h->n = h->cap = h->want = 0;
}

static int grow(struct minheap *h, uint32_t need)
{
	struct minheap_node **v;
	uint32_t cap = h->cap ? h->cap : 8;

	if (need <= h->cap)
		return 0;
	while (cap < need) {
		if (cap > UINT32_MAX / 2)
			return ENOMEM;
		cap *= 2;
	}
	v = mem_reallocarray(h->v, cap, sizeof(*v), NULL);
	if (!v)
		return ENOMEM;
	h->v = v;
	h->cap = cap;
	return 0;
}

/**
 * Make sure `n` more elements can be pushed without allocating.
 *
 * @return 0, or ENOMEM (nothing changed)
 */
int minheap_reserve(struct minheap *h, uint32_t n)
{
	int err;

	if (n > UINT32_MAX - h->want)
		return ENOMEM;
	err = grow(h, h->want + n);
	if (err)
		return err;
	h->want += n;
	return 0;
}

void minheap_unreserve(struct minheap *h, uint32_t n)
{
	h->want = n > h->want ? 0 : h->want - n;
}

/**
 * Push an element that is in no heap.
 *
 * @return 0, or ENOMEM when no place was reserved and none could be had
 */
int minheap_push(struct minheap *h, struct minheap_node *x)
{
	int err = grow(h, h->n + 1);

	if (err)
		return err;
	h->v[h->n] = x;
	x->idx = h->n++;
	sift_up(h, x->idx);
	return 0;
}

void minheap_remove(struct minheap *h, struct minheap_node *x)
{
	uint32_t i = x->idx;
	struct minheap_node *last;

	if (i == MINHEAP_NONE || i >= h->n || h->v[i] != x)
		return;
	x->idx = MINHEAP_NONE;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	heap_set(h, i, last);
	minheap_fix(h, last);
}

/* Restore order after the key of x changed. */
void minheap_fix(struct minheap *h, struct minheap_node *x)
{
	uint32_t i = x->idx;

	if (i == MINHEAP_NONE)
		return;
	if (i > 0 && h->less(x, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct minheap_node *minheap_pop(struct minheap *h)
{
	struct minheap_node *x = minheap_top(h);

	if (x)
		minheap_remove(h, x);
	return x;
}
