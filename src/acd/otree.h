/* acd/otree.h  Order-statistic tree of embedded nodes (a treap).
 *
 * Keys are (k1, k2) compared lexicographically and must be unique (k2 is
 * a sequence number).  Insert, remove and rank (how many keys are smaller)
 * are O(log n) expected; first and count are O(1).  Treap priorities are a
 * hash of k2, so the shape, and so the run, is deterministic.  The tree
 * never owns its elements.
 */

#ifndef SB_OTREE_H
#define SB_OTREE_H

#include <stdbool.h>
#include <stdint.h>

struct otree_node {
	struct otree_node *l, *r;
	uint32_t size;
	uint32_t prio;
	int64_t k1;
	uint64_t k2;
	bool in;                   /* linked in a tree */
};

struct otree {
	struct otree_node *root;
	struct otree_node *first;  /* cached minimum: O(1) otree_first */
};

void otree_insert(struct otree *t, struct otree_node *x);
void otree_remove(struct otree *t, struct otree_node *x);
uint32_t otree_rank(const struct otree *t, int64_t k1, uint64_t k2);

static inline struct otree_node *otree_first(const struct otree *t)
{
	return t->first;
}

static inline uint32_t otree_count(const struct otree *t)
{
	return t->root ? t->root->size : 0;
}

#endif
