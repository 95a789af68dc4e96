/* tests/unit/test_route.c  Routing decisions (src/acd/route.c): every
 * strategy, skills and best match, relaxation keeping place, priority and
 * aging, the agent's queue priority and fairness across its queues. */

#include "harness.h"

static const char *offered_to(const struct h *h, const char *contact)
{
	const struct h_rec *r = h_last(h, ACD_EV_CONTACT_OFFERED, contact);

	return r ? r->agent : "";
}

/* Answer and end contact `id` at `now` so its agent frees up. */
static void serve(struct h *h, struct acd_contact *c, uint64_t now)
{
	struct acd_agent *a = acd_agent_find(h->acd, offered_to(h,
					     acd_contact_id(c)));

	assert_non_null(a);
	assert_int_equal(0, acd_offer_answer(c, a, now));
	assert_int_equal(0, acd_contact_end(c, now));
	h_check(h);
}

static enum acd_strategy strat;
static void set_strategy(struct acd_queue_conf *qc)
{
	qc->strategy = strat;
}

static struct acd_queue *strategy_queue(struct h *h, enum acd_strategy s)
{
	strat = s;
	return h_queue(h, "q", set_strategy);
}

static void test_route_longest_idle(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_LONGEST_IDLE);
	struct acd_contact *c;
	(void)state;

	h_agent(h, "a", q, true, 100);
	h_agent(h, "b", q, true, 200);
	h_agent(h, "c", q, true, 300);
	c = h_call(h, q, "c1", 0, 1000);
	assert_string_equal("a", offered_to(h, "c1"));
	serve(h, c, 1500);      /* a idle again since 1500 */
	c = h_call(h, q, "c2", 0, 2000);
	assert_string_equal("b", offered_to(h, "c2"));
	serve(h, c, 2000);
	c = h_call(h, q, "c3", 0, 3000);
	assert_string_equal("c", offered_to(h, "c3"));
	serve(h, c, 3000);
	c = h_call(h, q, "c4", 0, 4000);
	assert_string_equal("a", offered_to(h, "c4"));
	h_free(h);
}

static void test_route_round_robin(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_ROUND_ROBIN);
	const char *want = "abcabca";
	char id[16];
	(void)state;

	h_agent(h, "a", q, true, 0);
	h_agent(h, "b", q, true, 0);
	h_agent(h, "c", q, true, 0);
	for (int i = 0; want[i]; i++) {
		char who[2] = {want[i], 0};
		struct acd_contact *c;

		snprintf(id, sizeof(id), "c%d", i);
		c = h_call(h, q, id, 0, 1000 + i);
		assert_string_equal(who, offered_to(h, id));
		serve(h, c, 1000 + i);
	}
	h_free(h);
}

static void test_route_fewest_contacts(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_FEWEST_CONTACTS);
	struct acd_contact *c;
	(void)state;

	h_agent(h, "a", q, true, 0);
	h_agent(h, "b", q, true, 0);
	/* a answers two, b one; the next goes to b, then a or b by order */
	c = h_call(h, q, "c1", 0, 10);
	assert_string_equal("a", offered_to(h, "c1"));
	serve(h, c, 10);
	c = h_call(h, q, "c2", 0, 20);
	assert_string_equal("b", offered_to(h, "c2"));
	serve(h, c, 20);
	c = h_call(h, q, "c3", 0, 30);
	assert_string_equal("a", offered_to(h, "c3"));
	serve(h, c, 30);
	c = h_call(h, q, "c4", 0, 40);
	assert_string_equal("b", offered_to(h, "c4"));
	h_free(h);
}

static void test_route_least_talk(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_LEAST_TALK);
	struct acd_agent *a, *b;
	struct acd_contact *c;
	(void)state;

	a = h_agent(h, "a", q, true, 0);
	b = h_agent(h, "b", q, true, 0);
	c = h_call(h, q, "c1", 0, 10);
	assert_string_equal("a", offered_to(h, "c1"));
	assert_int_equal(0, acd_offer_answer(c, a, 10));
	c = h_call(h, q, "c2", 0, 20);
	assert_int_equal(0, acd_offer_answer(c, b, 20));
	assert_int_equal(0, acd_contact_end(c, 30));       /* b: 10 ms */
	assert_int_equal(0, acd_contact_end(
		acd_contact_find(h->acd, "c1"), 1000));    /* a: 990 ms */
	c = h_call(h, q, "c3", 0, 2000);
	assert_string_equal("b", offered_to(h, "c3"));
	h_free(h);
}

static void test_route_linear(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_LINEAR);
	struct acd_member_conf mc;
	struct acd_agent *a;
	const char *ids[] = {"x", "y", "z"};
	uint32_t order[] = {30, 10, 20};
	struct acd_contact *c;
	(void)state;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(0, acd_agent_add(&a, h->acd, ids[i], NULL));
		acd_member_conf_init(&mc);
		mc.order = order[i];
		assert_int_equal(0, acd_member_add(a, q, &mc));
		assert_int_equal(0, acd_agent_login(a, true, i));
	}
	/* always the first free in member order: y, then y again */
	c = h_call(h, q, "c1", 0, 100);
	assert_string_equal("y", offered_to(h, "c1"));
	serve(h, c, 200);
	c = h_call(h, q, "c2", 0, 300);
	assert_string_equal("y", offered_to(h, "c2"));
	(void)h_call(h, q, "c3", 0, 400);
	assert_string_equal("z", offered_to(h, "c3"));
	h_free(h);
}

static void random_counts(enum acd_strategy s, const uint16_t w[3],
			  unsigned counts[3], unsigned n)
{
	struct h *h = h_new(42);
	struct acd_queue *q = strategy_queue(h, s);
	const char *ids[] = {"a", "b", "c"};
	struct acd_member_conf mc;
	char id[16];

	for (int i = 0; i < 3; i++) {
		struct acd_agent *a;

		assert_int_equal(0, acd_agent_add(&a, h->acd, ids[i], NULL));
		acd_member_conf_init(&mc);
		mc.weight = w[i];
		assert_int_equal(0, acd_member_add(a, q, &mc));
		assert_int_equal(0, acd_agent_login(a, true, 0));
	}
	for (unsigned i = 0; i < n; i++) {
		struct acd_contact *c;
		const char *who;

		snprintf(id, sizeof(id), "c%u", i);
		c = h_call(h, q, id, 0, 10 + i);
		who = offered_to(h, id);
		counts[who[0] - 'a']++;
		serve(h, c, 10 + i);
		h->n = 0;
	}
	h_free(h);
}

static void test_route_random(void **state)
{
	const uint16_t w[3] = {1, 1, 1};
	unsigned counts[3] = {0};
	(void)state;

	random_counts(ACD_STRAT_RANDOM, w, counts, 3000);
	/* uniform: each near 1000 (sd ~26); fixed seed */
	for (int i = 0; i < 3; i++)
		assert_true(counts[i] > 880 && counts[i] < 1120);
}

static void test_route_weighted_random(void **state)
{
	const uint16_t w[3] = {1, 2, 5};
	unsigned counts[3] = {0};
	(void)state;

	random_counts(ACD_STRAT_WEIGHTED_RANDOM, w, counts, 8000);
	/* expected 1000, 2000, 5000 */
	assert_true(counts[0] > 880 && counts[0] < 1120);
	assert_true(counts[1] > 1840 && counts[1] < 2160);
	assert_true(counts[2] > 4820 && counts[2] < 5180);
}

static void test_route_ring_all(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = strategy_queue(h, ACD_STRAT_RING_ALL);
	struct acd_agent *a, *b, *c3;
	struct acd_contact *c;
	(void)state;

	a = h_agent(h, "a", q, true, 0);
	b = h_agent(h, "b", q, true, 0);
	c3 = h_agent(h, "c", q, false, 0);
	c = h_call(h, q, "c1", 0, 100);
	assert_int_equal(2, h_count(h, ACD_EV_CONTACT_OFFERED));
	assert_int_equal(ACD_AGENT_OFFERED, acd_agent_state(a));
	assert_int_equal(ACD_AGENT_OFFERED, acd_agent_state(b));
	assert_int_equal(ACD_AGENT_NOT_READY, acd_agent_state(c3));
	/* b answers first: a's ringing is cancelled */
	assert_int_equal(0, acd_offer_answer(c, b, 200));
	assert_string_equal("a", h_last(h, ACD_EV_OFFER_CANCELLED,
					 "c1")->agent);
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(EPERM, acd_offer_answer(c, a, 210));
	/* one missing leaves the other ringing */
	c = h_call(h, q, "c2", 0, 300);
	assert_int_equal(0, acd_agent_ready(c3, 300));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c));
	assert_int_equal(0, acd_offer_miss(c, a, ACD_MISS_REJECTED, 400));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c));
	h_check(h);
	h_free(h);
}

static uint16_t sk_es, sk_fr;

static void skills_setup(struct h *h)
{
	assert_int_equal(0, acd_skill_add(h->acd, "spanish", &sk_es));
	assert_int_equal(0, acd_skill_add(h->acd, "french", &sk_fr));
}

static struct acd_contact *skilled_call(struct h *h, struct acd_queue *q,
					const char *id, uint16_t skill,
					uint8_t level, uint64_t now)
{
	struct acd_skill_req req = {skill, level};
	struct acd_contact_params p = {.id = id, .req = &req, .nreq = 1};
	struct acd_contact *c;

	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, now));
	h_check(h);
	return c;
}

static void test_route_skills(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q;
	struct acd_agent *b;
	struct acd_contact *c;
	(void)state;

	skills_setup(h);
	q = h_queue(h, "q", NULL);
	(void)h_agent(h, "a", q, true, 0);   /* idle longest, no Spanish */
	b = h_agent(h, "b", q, true, 10);
	assert_int_equal(0, acd_agent_skill_set(b, sk_es, 3));
	c = skilled_call(h, q, "c1", sk_es, 5, 100);
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	/* a plain call still goes to a, and c1 keeps waiting */
	(void)h_call(h, q, "plain", 0, 110);
	assert_string_equal("a", offered_to(h, "plain"));
	/* b learns: c1 is offered at once */
	assert_int_equal(0, acd_agent_skill_set(b, sk_es, 6));
	assert_string_equal("b", offered_to(h, "c1"));
	h_check(h);
	h_free(h);
}

static void best_match(struct acd_queue_conf *qc)
{
	qc->skill_match = true;
}

static void test_route_best_skill_match(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q;
	struct acd_agent *a, *b, *c;
	(void)state;

	skills_setup(h);
	q = h_queue(h, "q", best_match);
	a = h_agent(h, "a", q, true, 0);
	b = h_agent(h, "b", q, true, 10);
	c = h_agent(h, "c", q, true, 20);
	assert_int_equal(0, acd_agent_skill_set(a, sk_es, 4));
	assert_int_equal(0, acd_agent_skill_set(b, sk_es, 9));
	assert_int_equal(0, acd_agent_skill_set(c, sk_es, 7));
	(void)skilled_call(h, q, "c1", sk_es, 3, 100);
	assert_string_equal("b", offered_to(h, "c1"));
	(void)skilled_call(h, q, "c2", sk_es, 3, 110);
	assert_string_equal("c", offered_to(h, "c2"));
	h_free(h);
}

static void relax(struct acd_queue_conf *qc)
{
	qc->relax[0] = (struct acd_relax){.after_ms = 30000, .all = true,
					  .level = 3};
	qc->relax[1] = (struct acd_relax){.after_ms = 60000, .skill = 0,
					  .level = 0};
	qc->nrelax = 2;
}

static void test_route_relaxation(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q;
	struct acd_agent *a, *b;
	struct acd_contact *c1, *c2;
	uint32_t pos;
	(void)state;

	skills_setup(h);       /* spanish = 0, as rule 2 names */
	q = h_queue(h, "q", relax);
	a = h_agent(h, "a", q, false, 0);
	b = h_agent(h, "b", q, false, 0);
	assert_int_equal(0, acd_agent_skill_set(a, sk_es, 3));
	c1 = skilled_call(h, q, "c1", sk_es, 8, 1000);
	c2 = skilled_call(h, q, "c2", sk_es, 8, 2000);
	assert_int_equal(0, acd_agent_ready(a, 3000));
	assert_int_equal(0, acd_agent_ready(b, 3000));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c1));

	/* 30 s: level 3 accepted, c1 first (place kept), to a */
	assert_int_equal(0, acd_tick(h->acd, 30999));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c1));
	assert_int_equal(0, acd_tick(h->acd, 31000));
	assert_non_null(h_last(h, ACD_EV_CONTACT_RELAXED, "c1"));
	assert_string_equal("a", offered_to(h, "c1"));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c2));
	assert_int_equal(0, acd_contact_position(c2, 31000, &pos, NULL));
	assert_int_equal(1, pos);
	h_check(h);

	/* 60 s after c2 entered: Spanish dropped, b takes it */
	assert_int_equal(0, acd_tick(h->acd, 62000));
	assert_string_equal("b", offered_to(h, "c2"));
	h_check(h);
	h_free(h);
}

static void test_route_priority(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "a", q, false, 0);
	(void)state;

	(void)h_call(h, q, "low", 0, 100);
	(void)h_call(h, q, "vip", 10, 200);
	(void)h_call(h, q, "low2", 0, 300);
	assert_int_equal(0, acd_agent_ready(a, 400));
	assert_string_equal("a", offered_to(h, "vip"));
	assert_string_equal("", offered_to(h, "low"));
	h_free(h);
}

static void aging(struct acd_queue_conf *qc)
{
	qc->aging_ms = 1000;    /* +1 priority per second waited */
}

static void test_route_aging(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", aging);
	struct acd_agent *a = h_agent(h, "a", q, false, 0);
	(void)state;

	(void)h_call(h, q, "old", 0, 0);       /* eff 0 + 20 at 20 s */
	(void)h_call(h, q, "vip", 10, 15000);  /* eff 10 + 5 */
	assert_int_equal(0, acd_agent_ready(a, 20000));
	assert_string_equal("a", offered_to(h, "old"));
	h_free(h);
}

static void test_route_queue_priority_and_fairness(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q1 = h_queue(h, "q1", NULL);
	struct acd_queue *q2 = h_queue(h, "q2", NULL);
	struct acd_queue *q3 = h_queue(h, "q3", NULL);
	struct acd_member_conf mc;
	struct acd_agent *a;
	struct acd_contact *c;
	(void)state;

	assert_int_equal(0, acd_agent_add(&a, h->acd, "a", NULL));
	acd_member_conf_init(&mc);
	mc.priority = 2;
	assert_int_equal(0, acd_member_add(a, q1, &mc));
	assert_int_equal(0, acd_member_add(a, q3, &mc));
	mc.priority = 1;
	assert_int_equal(0, acd_member_add(a, q2, &mc));
	assert_int_equal(0, acd_agent_login(a, false, 0));

	(void)h_call(h, q1, "q1-old", 0, 100);
	(void)h_call(h, q3, "q3-new", 0, 150);
	(void)h_call(h, q2, "q2-new", 0, 200);
	/* q2 is the agent's first queue: served first though newer */
	assert_int_equal(0, acd_agent_ready(a, 300));
	assert_string_equal("a", offered_to(h, "q2-new"));
	c = acd_contact_find(h->acd, "q2-new");
	serve(h, c, 400);
	/* q1 and q3 rank equal for the agent: the longest waiting first */
	assert_string_equal("a", offered_to(h, "q1-old"));
	assert_string_equal("", offered_to(h, "q3-new"));
	h_free(h);
}

static void test_route_fifo_within_priority(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "a", q, false, 0);
	char id[16];
	(void)state;

	for (int i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "c%02d", i);
		(void)h_call(h, q, id, 0, 100 + i);
	}
	assert_int_equal(0, acd_agent_ready(a, 1000));
	for (int i = 0; i < 50; i++) {
		struct acd_contact *c;

		snprintf(id, sizeof(id), "c%02d", i);
		c = acd_contact_find(h->acd, id);
		assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c));
		serve(h, c, 2000 + i);
	}
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_longest_idle),
		cmocka_unit_test(test_route_round_robin),
		cmocka_unit_test(test_route_fewest_contacts),
		cmocka_unit_test(test_route_least_talk),
		cmocka_unit_test(test_route_linear),
		cmocka_unit_test(test_route_random),
		cmocka_unit_test(test_route_weighted_random),
		cmocka_unit_test(test_route_ring_all),
		cmocka_unit_test(test_route_skills),
		cmocka_unit_test(test_route_best_skill_match),
		cmocka_unit_test(test_route_relaxation),
		cmocka_unit_test(test_route_priority),
		cmocka_unit_test(test_route_aging),
		cmocka_unit_test(test_route_queue_priority_and_fairness),
		cmocka_unit_test(test_route_fifo_within_priority),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
