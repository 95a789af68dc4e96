/* tests/unit/test_agent.c  The agent state machine (src/acd/agent.c):
 * every valid transition and its event, every invalid one refused with
 * its own error and no change, pending not-ready and log-out, automatic
 * not-ready after missed offers, wrap-up, capacity, durations. */

#include "harness.h"

static struct acd_agent *agent(struct h *h, const char *id)
{
	struct acd_agent *a;

	assert_int_equal(0, acd_agent_add(&a, h->acd, id, NULL));
	return a;
}

static void test_agent_transitions(void **state)
{
	struct h *h = h_new(1);
	struct acd_agent *a = agent(h, "1001");
	const struct h_rec *r;
	(void)state;

	assert_int_equal(0, acd_reason_add(h->acd, "break"));
	assert_int_equal(ACD_AGENT_LOGGED_OUT, acd_agent_state(a));

	/* logged out: only log-in is valid */
	assert_int_equal(EPERM, acd_agent_ready(a, 10));
	assert_int_equal(EPERM, acd_agent_not_ready(a, "break", 10));
	assert_int_equal(EALREADY, acd_agent_logout(a, 10));
	assert_int_equal(ACD_AGENT_LOGGED_OUT, acd_agent_state(a));
	assert_int_equal(0, h->n);

	assert_int_equal(0, acd_agent_login(a, false, 100));
	assert_int_equal(ACD_AGENT_NOT_READY, acd_agent_state(a));
	r = h_last(h, ACD_EV_AGENT_STATE, NULL);
	assert_int_equal(ACD_AGENT_LOGGED_OUT, r->from);
	assert_int_equal(ACD_AGENT_NOT_READY, r->to);
	assert_int_equal(100, r->dur);
	assert_int_equal(EALREADY, acd_agent_login(a, true, 150));

	assert_int_equal(0, acd_agent_ready(a, 200));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(100, h_last(h, ACD_EV_AGENT_STATE, NULL)->dur);
	assert_int_equal(EALREADY, acd_agent_ready(a, 250));

	assert_int_equal(ENOENT, acd_agent_not_ready(a, "nap", 300));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(0, acd_agent_not_ready(a, "break", 300));
	r = h_last(h, ACD_EV_AGENT_STATE, NULL);
	assert_int_equal(ACD_AGENT_NOT_READY, r->to);
	assert_string_equal("break", r->reason);
	assert_string_equal("break", acd_agent_reason(a));
	assert_int_equal(EALREADY, acd_agent_not_ready(a, "break", 310));
	/* a new reason while not ready is a new state event */
	assert_int_equal(0, acd_agent_not_ready(a, NULL, 320));
	assert_null(acd_agent_reason(a));
	assert_int_equal(ACD_AGENT_NOT_READY,
			 h_last(h, ACD_EV_AGENT_STATE, NULL)->from);

	assert_int_equal(0, acd_agent_logout(a, 400));
	assert_int_equal(ACD_AGENT_LOGGED_OUT, acd_agent_state(a));
	assert_int_equal(EALREADY, acd_agent_logout(a, 410));
	assert_int_equal(300, acd_agent_logged_in_ms(a, 1000));
	h_check(h);
	h_free(h);
}

static void test_agent_durations_add_up(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "1001", q, true, 1000);
	struct acd_contact *c;
	uint64_t dur[ACD_AGENT_STATE_COUNT], sum = 0;
	(void)state;

	c = h_call(h, q, "c1", 0, 2000);
	assert_int_equal(0, acd_offer_answer(c, a, 2500));
	assert_int_equal(0, acd_contact_end(c, 5000));
	assert_int_equal(0, acd_agent_logout(a, 7000));
	assert_int_equal(0, acd_agent_login(a, true, 8000));
	acd_agent_durations(a, 9000, dur);
	assert_int_equal(1000 + 1000, dur[ACD_AGENT_LOGGED_OUT]);
	assert_int_equal(1000 + 2000 + 1000, dur[ACD_AGENT_AVAILABLE]);
	assert_int_equal(500, dur[ACD_AGENT_OFFERED]);
	assert_int_equal(2500, dur[ACD_AGENT_BUSY]);
	for (int i = 1; i < ACD_AGENT_STATE_COUNT; i++)
		sum += dur[i];
	assert_int_equal(sum, acd_agent_logged_in_ms(a, 9000));
	h_free(h);
}

static void wrap10(struct acd_queue_conf *qc)
{
	qc->wrapup_ms = 10000;
}

static void test_agent_wrapup(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", wrap10);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_contact *c1, *c2;
	(void)state;

	c1 = h_call(h, q, "c1", 0, 1000);
	assert_int_equal(EPERM, acd_agent_wrapup_end(a, NULL, 1000));
	assert_int_equal(0, acd_offer_answer(c1, a, 1000));
	assert_int_equal(0, acd_contact_end(c1, 2000));
	assert_int_equal(ACD_AGENT_WRAPUP, acd_agent_state(a));

	/* a contact arriving during wrap-up waits */
	c2 = h_call(h, q, "c2", 0, 3000);
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c2));

	/* wrap-up ends by itself after 10 s, and c2 is offered at once */
	assert_int_equal(12000, acd_next_timer(h->acd));
	assert_int_equal(0, acd_tick(h->acd, 11999));
	assert_int_equal(ACD_AGENT_WRAPUP, acd_agent_state(a));
	assert_int_equal(0, acd_tick(h->acd, 12000));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c2));
	assert_int_equal(12000, h_last(h, ACD_EV_WRAPUP_ENDED, NULL)->time);
	assert_int_equal(10000, h_last(h, ACD_EV_WRAPUP_ENDED, NULL)->dur);

	/* extended, then ended early */
	assert_int_equal(0, acd_offer_answer(c2, a, 12000));
	assert_int_equal(0, acd_contact_end(c2, 13000));
	assert_int_equal(0, acd_agent_wrapup_extend(a, NULL, 5000, 14000));
	assert_int_equal(28000, acd_next_timer(h->acd));
	assert_int_equal(0, acd_agent_wrapup_end(a, NULL, 15000));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(UINT64_MAX, acd_next_timer(h->acd));
	/* handle time = talk + wrap-up */
	{
		struct acd_queue_stats st;

		acd_queue_stats(q, &st);
		assert_true(st.aht_ms > 0);
	}
	h_check(h);
	h_free(h);
}

static void test_agent_pending_not_ready(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", wrap10);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_contact *c1, *c2;
	(void)state;

	assert_int_equal(0, acd_reason_add(h->acd, "lunch"));
	c1 = h_call(h, q, "c1", 0, 1000);
	assert_int_equal(0, acd_offer_answer(c1, a, 1000));
	assert_int_equal(0, acd_agent_not_ready(a, "lunch", 2000));
	assert_int_equal(EALREADY, acd_agent_not_ready(a, "lunch", 2100));
	assert_int_equal(ACD_AGENT_BUSY, acd_agent_state(a));
	assert_int_equal(0, acd_contact_end(c1, 3000));
	assert_int_equal(ACD_AGENT_WRAPUP, acd_agent_state(a));
	/* pending: no new offers during wrap-up or after */
	c2 = h_call(h, q, "c2", 0, 4000);
	assert_int_equal(0, acd_agent_wrapup_end(a, NULL, 5000));
	assert_int_equal(ACD_AGENT_NOT_READY, acd_agent_state(a));
	assert_string_equal("lunch", acd_agent_reason(a));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c2));
	h_check(h);

	/* ready again picks up the waiting contact */
	assert_int_equal(0, acd_agent_ready(a, 6000));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c2));

	/* log-out while offered: pending, the offer can still be taken */
	assert_int_equal(0, acd_agent_logout(a, 6500));
	assert_int_equal(0, acd_offer_answer(c2, a, 7000));
	assert_int_equal(0, acd_contact_end(c2, 8000));
	assert_int_equal(0, acd_agent_wrapup_end(a, NULL, 8000));
	assert_int_equal(ACD_AGENT_LOGGED_OUT, acd_agent_state(a));
	h_check(h);

	/* ready cancels a pending not-ready */
	assert_int_equal(0, acd_agent_login(a, true, 9000));
	c1 = h_call(h, q, "c3", 0, 9000);
	assert_int_equal(0, acd_offer_answer(c1, a, 9000));
	assert_int_equal(0, acd_agent_not_ready(a, NULL, 9100));
	assert_int_equal(0, acd_agent_ready(a, 9200));
	assert_int_equal(0, acd_contact_end(c1, 9300));
	assert_int_equal(0, acd_agent_wrapup_end(a, NULL, 9400));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	h_check(h);
	h_free(h);
}

static void test_agent_auto_not_ready(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_contact *c;
	(void)state;

	c = h_call(h, q, "c1", 0, 1000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c));
		assert_int_equal(EINVAL, acd_offer_miss(c, NULL, 0, 0));
		assert_int_equal(0, acd_offer_miss(c, a, ACD_MISS_NO_ANSWER,
						   2000 + i));
		h_check(h);
	}
	/* third miss: not ready, reason "missed"; the contact waits */
	assert_int_equal(ACD_AGENT_NOT_READY, acd_agent_state(a));
	assert_string_equal("missed", acd_agent_reason(a));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	assert_int_equal(3, h_count(h, ACD_EV_OFFER_MISSED));
	assert_int_equal(EPERM, acd_offer_miss(c, a, ACD_MISS_NO_ANSWER,
					       2100));
	h_free(h);
}

static void rest5(struct acd_queue_conf *qc)
{
	qc->missed_delay_ms = 5000;
}

static void test_agent_missed_delay(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", rest5);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_agent *b;
	struct acd_contact *c;
	(void)state;

	c = h_call(h, q, "c1", 0, 1000);
	assert_int_equal(0, acd_offer_miss(c, a, ACD_MISS_REJECTED, 1500));
	/* a rests 5 s: the contact waits, then comes back to a */
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(0, acd_tick(h->acd, 6499));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	assert_int_equal(0, acd_tick(h->acd, 6500));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c));
	assert_int_equal(0, acd_offer_miss(c, a, ACD_MISS_BUSY, 7000));
	/* another agent logging in takes it meanwhile */
	b = h_agent(h, "1002", q, true, 8000);
	assert_int_equal(ACD_AGENT_OFFERED, acd_agent_state(b));
	assert_string_equal("1002", h_last(h, ACD_EV_CONTACT_OFFERED,
					   "c1")->agent);
	h_check(h);
	h_free(h);
}

static void timeout3(struct acd_queue_conf *qc)
{
	qc->offer_timeout_ms = 3000;
	qc->missed_delay_ms = 0;
}

static void test_agent_offer_timeout(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", timeout3);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_agent *b = h_agent(h, "1002", q, true, 10);
	struct acd_contact *c;
	(void)state;

	c = h_call(h, q, "c1", 0, 1000);
	assert_string_equal("1001", h_last(h, ACD_EV_CONTACT_OFFERED,
					   "c1")->agent);
	assert_int_equal(0, acd_tick(h->acd, 4000));
	assert_int_equal(ACD_MISS_TIMEOUT, h_last(h, ACD_EV_OFFER_MISSED,
						  "c1")->miss);
	assert_int_equal(3000, h_last(h, ACD_EV_OFFER_MISSED, "c1")->ring);
	/* next agent rings */
	assert_string_equal("1002", h_last(h, ACD_EV_CONTACT_OFFERED,
					   "c1")->agent);
	/* answering a timed-out offer is refused */
	assert_int_equal(EPERM, acd_offer_answer(c, a, 4100));
	assert_int_equal(0, acd_offer_answer(c, b, 4200));
	h_check(h);
	h_free(h);
}

static void test_agent_capacity(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "1001", q, true, 0);
	struct acd_contact_params p = {.channel = ACD_CH_CHAT};
	struct acd_contact *c[5], *v;
	char id[16];
	(void)state;

	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "chat%d", i);
		p.id = id;
		assert_int_equal(0, acd_contact_enqueue(&c[i], h->acd, q, &p,
							100 + i));
		h_check(h);
	}
	/* three chats at once, the fourth waits */
	assert_int_equal(3, acd_agent_contacts(a, ACD_CH_CHAT));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c[3]));
	for (int i = 0; i < 3; i++)
		assert_int_equal(0, acd_offer_answer(c[i], a, 200));
	/* voice is exclusive: not while chatting */
	v = h_call(h, q, "voice", 0, 300);
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(v));
	assert_int_equal(0, acd_contact_end(c[0], 400));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(c[3]));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(v));
	for (int i = 1; i < 3; i++)
		assert_int_equal(0, acd_contact_end(c[i], 500));
	assert_int_equal(0, acd_offer_answer(c[3], a, 500));
	assert_int_equal(0, acd_contact_end(c[3], 600));
	assert_int_equal(ACD_CONTACT_OFFERED, acd_contact_state(v));
	assert_int_equal(1, acd_agent_contacts(a, ACD_CH_VOICE));
	assert_int_equal(0, acd_agent_contacts(a, ACD_CH_CHAT));
	/* and nothing else while on voice */
	p.id = "chat9";
	assert_int_equal(0, acd_contact_enqueue(&c[4], h->acd, q, &p, 700));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c[4]));
	h_check(h);
	h_free(h);
}

static void test_agent_bad_input(void **state)
{
	struct h *h = h_new(1);
	struct acd_agent_conf ac;
	struct acd_agent *a;
	char longid[200];
	uint16_t sk;
	(void)state;

	acd_agent_conf_init(&ac);
	memset(ac.cap, 0, sizeof(ac.cap));
	assert_int_equal(EINVAL, acd_agent_add(&a, h->acd, "1001", &ac));
	assert_non_null(strstr(acd_errmsg(h->acd), "zero capacity"));
	acd_agent_conf_init(&ac);
	ac.cap[ACD_CH_CHAT] = 200;
	assert_int_equal(ERANGE, acd_agent_add(&a, h->acd, "1001", &ac));
	assert_int_equal(EINVAL, acd_agent_add(&a, h->acd, "", NULL));
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(EINVAL, acd_agent_add(&a, h->acd, longid, NULL));
	assert_null(acd_agent_find(h->acd, "1001"));

	assert_int_equal(0, acd_agent_add(&a, h->acd, "1001", NULL));
	assert_int_equal(EEXIST, acd_agent_add(NULL, h->acd, "1001", NULL));
	assert_non_null(strstr(acd_errmsg(h->acd), "1001"));
	assert_int_equal(0, acd_skill_add(h->acd, "spanish", &sk));
	assert_int_equal(EEXIST, acd_skill_add(h->acd, "spanish", NULL));
	assert_int_equal(ERANGE, acd_agent_skill_set(a, sk, 11));
	assert_int_equal(ENOENT, acd_agent_skill_set(a, sk + 1, 5));
	assert_int_equal(0, acd_agent_skill_set(a, sk, 5));
	assert_int_equal(EEXIST, acd_reason_add(h->acd, "missed"));

	/* remove: only when logged out */
	assert_int_equal(0, acd_agent_login(a, true, 0));
	assert_int_equal(EBUSY, acd_agent_remove(a));
	assert_int_equal(0, acd_agent_logout(a, 10));
	assert_int_equal(0, acd_agent_remove(a));
	assert_null(acd_agent_find(h->acd, "1001"));
	h_check(h);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_transitions),
		cmocka_unit_test(test_agent_durations_add_up),
		cmocka_unit_test(test_agent_wrapup),
		cmocka_unit_test(test_agent_pending_not_ready),
		cmocka_unit_test(test_agent_auto_not_ready),
		cmocka_unit_test(test_agent_missed_delay),
		cmocka_unit_test(test_agent_offer_timeout),
		cmocka_unit_test(test_agent_capacity),
		cmocka_unit_test(test_agent_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
