/* tests/unit/test_minheap.c  The indexed heap (src/acd/minheap.c) against
 * a linear scan, over random push, remove, key change and pop; fixed
 * seed, SB_SEED overrides. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include "libre.h"
#include "acd/minheap.h"

enum { N = 2000 };

struct item {
	struct minheap_node hn;
	uint32_t key, id;
};

static bool less(const struct minheap_node *a, const struct minheap_node *b)
{
	const struct item *x = (const void *)a, *y = (const void *)b;

	return x->key < y->key || (x->key == y->key && x->id < y->id);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_minheap_matches_scan(void **state)
{
	static struct item it[N];
	const char *s = getenv("SB_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 10) : 777, x = seed | 1;
	struct minheap h;
	(void)state;

	minheap_init(&h, less);
	assert_int_equal(0, minheap_reserve(&h, N));
	for (unsigned i = 0; i < N; i++) {
		it[i].hn.idx = MINHEAP_NONE;
		it[i].id = i;
	}
	for (unsigned step = 0; step < 100000; step++) {
		struct item *p = &it[rnd(&x) % N], *best = NULL;
		unsigned op = rnd(&x) % 4;

		if (op == 0 && minheap_contains(&p->hn)) {
			minheap_remove(&h, &p->hn);
		}
		else if (op == 1 && minheap_contains(&p->hn)) {
			p->key = rnd(&x) % 1000;
			minheap_fix(&h, &p->hn);
		}
		else if (op == 2) {
			(void)minheap_pop(&h);
		}
		else if (!minheap_contains(&p->hn)) {
			p->key = rnd(&x) % 1000;
			assert_int_equal(0, minheap_push(&h, &p->hn));
		}
		for (unsigned i = 0; i < N; i++)
			if (minheap_contains(&it[i].hn) &&
			    (!best || less(&it[i].hn, &best->hn)))
				best = &it[i];
		if ((void *)minheap_top(&h) != (void *)best)
			fail_msg("seed %llu step %u: top is not the minimum",
				 (unsigned long long)seed, step);
	}
	minheap_reset(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minheap_matches_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
