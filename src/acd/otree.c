/* acd/otree.c  Order-statistic treap (see otree.h).
 *
 * A binary search tree on (k1, k2) that is also a max-heap on `prio`;
 * with random-looking priorities its expected depth is O(log n).  Each
 * node keeps its subtree size, which gives rank in one descent.  Recursion
 * depth is the tree depth (about 40 for a million nodes).
 */

#include <stddef.h>
#include "otree.h"

static bool key_less(const struct otree_node *a, const struct otree_node *b)
{
	return a->k1 < b->k1 || (a->k1 == b->k1 && a->k2 < b->k2);
}

static uint32_t size_of(const struct otree_node *n)
{
	return n ? n->size : 0;
}

static void update(struct otree_node *n)
{
	n->size = 1 + size_of(n->l) + size_of(n->r);
}

/* splitmix64 finaliser: a fixed, well-mixed priority per sequence. */
static uint32_t prio_of(uint64_t k)
{
	k += 0x9e3779b97f4a7c15ULL;
	k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ULL;
	k = (k ^ (k >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((k ^ (k >> 31)) >> 32);
}

/* Split t into keys < x (l) and keys >= x (r). */
static void split(struct otree_node *t, const struct otree_node *x,
		  struct otree_node **l, struct otree_node **r)
{
	if (!t) {
		*l = *r = NULL;
		return;
	}
	if (key_less(t, x)) {
		split(t->r, x, &t->r, r);
		*l = t;
	}
	else {
		split(t->l, x, l, &t->l);
		*r = t;
	}
	update(t);
}

static struct otree_node *merge(struct otree_node *l, struct otree_node *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->r = merge(l->r, r);
		update(l);
		return l;
	}
	r->l = merge(l, r->l);
	update(r);
	return r;
}

static struct otree_node *insert(struct otree_node *t, struct otree_node *x)
{
	if (!t)
		return x;
	if (x->prio > t->prio) {
		split(t, x, &x->l, &x->r);
		update(x);
		return x;
	}
	if (key_less(x, t))
		t->l = insert(t->l, x);
	else
		t->r = insert(t->r, x);
	update(t);
	return t;
}

static struct otree_node *erase(struct otree_node *t, struct otree_node *x)
{
	if (!t)
		return NULL;
	if (t == x)
		return merge(t->l, t->r);
	if (key_less(x, t))
		t->l = erase(t->l, x);
	else
		t->r = erase(t->r, x);
	update(t);
	return t;
}

void otree_insert(struct otree *t, struct otree_node *x)
{
	if (x->in)
		return;
	x->l = x->r = NULL;
	x->size = 1;
	x->prio = prio_of(x->k2);
	t->root = insert(t->root, x);
	x->in = true;
	if (!t->first || key_less(x, t->first))
		t->first = x;
}

void otree_remove(struct otree *t, struct otree_node *x)
{
	if (!x->in)
		return;
	t->root = erase(t->root, x);
	x->l = x->r = NULL;
	x->in = false;
	if (t->first == x) {
		struct otree_node *n = t->root;

		while (n && n->l)
			n = n->l;
		t->first = n;
	}
}

uint32_t otree_rank(const struct otree *t, int64_t k1, uint64_t k2)
{
	const struct otree_node *n = t->root;
	struct otree_node key = {.k1 = k1, .k2 = k2};
	uint32_t r = 0;

	while (n) {
		if (key_less(n, &key)) {
			r += size_of(n->l) + 1;
			n = n->r;
		}
		else {
			n = n->l;
		}
	}
	return r;
}
