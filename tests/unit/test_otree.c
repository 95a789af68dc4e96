/* tests/unit/test_otree.c  The order-statistic treap (src/acd/otree.c)
 * against a sorted array, over random inserts and removals; fixed seed,
 * SB_SEED overrides. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "acd/otree.h"

enum { N = 4000 };

static uint64_t seed(void)
{
	const char *s = getenv("SB_SEED");

	return s ? strtoull(s, NULL, 10) : 12345;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_otree_matches_sorted_array(void **state)
{
	static struct otree_node nodes[N];
	struct otree t = {0};
	uint64_t x = seed() | 1;
	unsigned live = 0;
	(void)state;

	for (unsigned i = 0; i < N; i++) {
		nodes[i].k1 = (int64_t)(rnd(&x) % 50) - 25;  /* many ties */
		nodes[i].k2 = i;
	}
	for (unsigned step = 0; step < 40000; step++) {
		struct otree_node *n = &nodes[rnd(&x) % N];
		const struct otree_node *f;
		uint32_t rank = 0, want = 0;

		if (n->in) {
			otree_remove(&t, n);
			--live;
		}
		else {
			otree_insert(&t, n);
			++live;
		}
		if (otree_count(&t) != live)
			fail_msg("seed %llu step %u: count %u != %u",
				 (unsigned long long)seed(), step,
				 otree_count(&t), live);
		/* rank of a random key, and the minimum */
		n = &nodes[rnd(&x) % N];
		f = otree_first(&t);
		for (unsigned i = 0; i < N; i++) {
			const struct otree_node *m = &nodes[i];

			if (!m->in)
				continue;
			if (m->k1 < n->k1 || (m->k1 == n->k1 && m->k2 < n->k2))
				++want;
			if (f && (m->k1 < f->k1 ||
				  (m->k1 == f->k1 && m->k2 < f->k2)))
				fail_msg("seed %llu step %u: first is not the "
					 "minimum", (unsigned long long)seed(),
					 step);
		}
		rank = otree_rank(&t, n->k1, n->k2);
		if (rank != want)
			fail_msg("seed %llu step %u: rank %u != %u",
				 (unsigned long long)seed(), step, rank, want);
		if (step % 4000 == 3999)
			x ^= step;
	}
}

static void test_otree_empty(void **state)
{
	struct otree t = {0};
	struct otree_node a = {.k1 = 1, .k2 = 1};
	(void)state;

	assert_null(otree_first(&t));
	assert_int_equal(0, otree_rank(&t, 0, 0));
	otree_remove(&t, &a);          /* not in: no effect */
	otree_insert(&t, &a);
	otree_insert(&t, &a);          /* already in: no effect */
	assert_int_equal(1, otree_count(&t));
	assert_ptr_equal(&a, otree_first(&t));
	otree_remove(&t, &a);
	assert_int_equal(0, otree_count(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_otree_matches_sorted_array),
		cmocka_unit_test(test_otree_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
