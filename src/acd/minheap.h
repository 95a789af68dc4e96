/* acd/minheap.h  Indexed binary min-heap of embedded nodes.
 *
 * Each element embeds a struct minheap_node that remembers its index, so
 * push, pop, remove and fix (after a key change) are all O(log n) and top
 * is O(1).  The heap stores pointers only; it never owns the elements.
 * Storage grows by doubling; minheap_reserve() grows it ahead of time so
 * that a later push cannot fail (the engine reserves one place per object
 * that may be pushed, when the object is created).
 */

#ifndef SB_MINHEAP_H
#define SB_MINHEAP_H

#include <stdbool.h>
#include <stdint.h>

enum { MINHEAP_NONE = UINT32_MAX };

struct minheap_node {
	uint32_t idx;              /* MINHEAP_NONE when not in a heap */
};

typedef bool (minheap_less_h)(const struct minheap_node *a,
			      const struct minheap_node *b);

struct minheap {
	struct minheap_node **v;
	uint32_t n;
	uint32_t cap;
	uint32_t want;             /* places reserved by minheap_reserve() */
	minheap_less_h *less;
};

void minheap_init(struct minheap *h, minheap_less_h *less);
void minheap_reset(struct minheap *h);
int  minheap_reserve(struct minheap *h, uint32_t n);
void minheap_unreserve(struct minheap *h, uint32_t n);
int  minheap_push(struct minheap *h, struct minheap_node *x);
void minheap_remove(struct minheap *h, struct minheap_node *x);
void minheap_fix(struct minheap *h, struct minheap_node *x);
struct minheap_node *minheap_pop(struct minheap *h);

static inline struct minheap_node *minheap_top(const struct minheap *h)
{
	return h->n ? h->v[0] : NULL;
}

static inline bool minheap_contains(const struct minheap_node *x)
{
	return x->idx != MINHEAP_NONE;
}

#endif
