/* test_core_tmrheap.c  core/tmr_heap.c: libre's timers in a heap.
 *
 * Checks that timers fire in (due time, start order), that handlers may
 * start, cancel and restart timers, that the heap stays consistent
 * through random starts and cancels (fixed seed, SB_SEED overrides), and
 * that libre's own timers (a SIP client transaction) land in the heap,
 * i.e. the interposition works.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "libre.h"

size_t tmr_heap_count(void);
size_t tmr_heap_check(void);

static int setup(void **state)
{
	(void)state;
	return libre_init();
}

static int teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

struct fired {
	int order[64];
	unsigned n;
};

struct one {
	struct tmr t;
	struct fired *f;
	int id;
};

static void on_fire(void *arg)
{
	struct one *o = arg;

	o->f->order[o->f->n++] = o->id;
	if (o->f->n == 6)
		re_cancel();
}

static void guard(void *arg)
{
	(void)arg;
	re_cancel();
}

static void test_tmrheap_order(void **state)
{
	struct fired f = {{0}, 0};
	struct one o[6];
	struct tmr g;
	/* due: 30, 10, 10, 0, 30, 20 ms -> 3, 1, 2, 5, 0, 4 */
	const uint64_t delay[6] = {30, 10, 10, 0, 30, 20};
	const int want[6] = {3, 1, 2, 5, 0, 4};

	(void)state;
	tmr_init(&g);
	tmr_start(&g, 5000, guard, NULL);
	for (int i = 0; i < 6; i++) {
		tmr_init(&o[i].t);
		o[i].f = &f;
		o[i].id = i;
	}
	/* started within one millisecond, so equal delays are equal dues */
	for (int i = 0; i < 6; i++)
		tmr_start(&o[i].t, delay[i], on_fire, &o[i]);
	assert_int_equal(0, tmr_heap_check());
	assert_int_equal(0, re_main(NULL));
	tmr_cancel(&g);
	assert_int_equal(6, f.n);
	for (int i = 0; i < 6; i++)
		assert_int_equal(want[i], f.order[i]);
	assert_int_equal(0, tmr_heap_count());
}

struct chain {
	struct tmr a, b, c;
	int steps;
};

static void chain_c(void *arg)
{
	struct chain *ch = arg;

	ch->steps += 100;
	re_cancel();
}

static void chain_a(void *arg)
{
	struct chain *ch = arg;

	ch->steps++;
	tmr_cancel(&ch->b);                      /* cancel another */
	if (ch->steps < 3)
		tmr_start(&ch->a, 1, chain_a, ch);  /* restart itself */
	else
		tmr_start(&ch->c, 0, chain_c, ch);
}

static void chain_b(void *arg)
{
	struct chain *ch = arg;

	ch->steps += 1000;                       /* must never run */
}

static void test_tmrheap_handlers(void **state)
{
	struct chain ch;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	tmr_init(&ch.a);
	tmr_init(&ch.b);
	tmr_init(&ch.c);
	tmr_start(&ch.b, 20, chain_b, &ch);
	tmr_start(&ch.a, 1, chain_a, &ch);
	assert_true(tmr_isrunning(&ch.b));
	assert_int_equal(0, re_main(NULL));
	assert_int_equal(103, ch.steps);
	assert_false(tmr_isrunning(&ch.a));
	assert_false(tmr_isrunning(&ch.b));
	assert_int_equal(0, tmr_heap_count());
}

static void nop(void *arg)
{
	(void)arg;
}

static void test_tmrheap_random(void **state)
{
	enum { N = 300, OPS = 200000 };
	static struct tmr t[N];
	unsigned seed = 12345, running = 0;
	const char *env = getenv("SB_SEED");

	(void)state;
	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	srand(seed);
	for (int i = 0; i < N; i++)
		tmr_init(&t[i]);
	for (int op = 0; op < OPS; op++) {
		int i = rand() % N;

		if (rand() % 3 == 0)
			tmr_cancel(&t[i]);
		else
			tmr_start(&t[i], (uint64_t)(rand() % 100000 + 1000),
				  nop, NULL);
		if (op % 997 == 0 && tmr_heap_check()) {
			print_message("seed %u: heap broken at op %d\n", seed,
				      op);
			fail();
		}
	}
	for (int i = 0; i < N; i++)
		running += tmr_isrunning(&t[i]);
	assert_int_equal(running, tmr_heap_count());
	assert_int_equal(0, tmr_heap_check());
	for (int i = 0; i < N; i++)
		tmr_cancel(&t[i]);
	assert_int_equal(0, tmr_heap_count());
}

static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	(void)err;
	(void)msg;
	(void)arg;
}

static void test_tmrheap_libre_uses_it(void **state)
{
	struct sip *sip = NULL;
	struct sip_request *req = NULL;
	struct sa laddr;

	(void)state;
	assert_int_equal(0, tmr_heap_count());
	assert_int_equal(0, sip_alloc(&sip, NULL, 8, 8, 8, "t", NULL, NULL));
	sa_set_str(&laddr, "127.0.0.1", 0);
	assert_int_equal(0, sip_transp_add(sip, SIP_TRANSP_UDP, &laddr));
	/* a client transaction: libre starts its retransmission timers */
	assert_int_equal(0, sip_requestf(&req, sip, true, "OPTIONS",
		"sip:x@127.0.0.1:9", NULL, NULL, NULL, resp_handler,
		NULL, "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
		"Max-Forwards: 70\r\nTo: <sip:x@127.0.0.1>\r\n"
		"From: <sip:t@127.0.0.1>;tag=1\r\nCall-ID: tmrheap\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"));
	assert_true(tmr_heap_count() > 0);
	assert_int_equal(0, tmr_heap_check());
	mem_deref(req);
	sip_close(sip, true);
	mem_deref(sip);
	assert_int_equal(0, tmr_heap_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tmrheap_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tmrheap_handlers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tmrheap_random, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tmrheap_libre_uses_it,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
