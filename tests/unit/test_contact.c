/* tests/unit/test_contact.c  The contact life cycle (src/acd/contact.c):
 * abandon in queue and while ringing, overflow by maximum wait and by a
 * full queue, join and leave rules, callback keeping its place, transfer,
 * sticky routing, position and estimated wait, bad input. */

#include "harness.h"

static const char *offered_to(const struct h *h, const char *contact)
{
	const struct h_rec *r = h_last(h, ACD_EV_CONTACT_OFFERED, contact);

	return r ? r->agent : "";
}

static enum acd_outcome outcome(const struct h *h, const char *contact)
{
	const struct h_rec *r = h_last(h, ACD_EV_CONTACT_ENDED, contact);

	return r ? r->outcome : ACD_OUT_NONE;
}

static void test_contact_abandon(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "a", q, false, 0);
	struct acd_contact *c1, *c2;
	struct acd_queue_stats st;
	(void)state;

	c1 = h_call(h, q, "c1", 0, 1000);
	c2 = h_call(h, q, "c2", 0, 2000);
	assert_int_equal(0, acd_contact_abandon(c1, 5000));
	assert_int_equal(ACD_OUT_ABANDONED_QUEUE, outcome(h, "c1"));
	assert_int_equal(4000, h_last(h, ACD_EV_CONTACT_ENDED, "c1")->wait);
	assert_null(acd_contact_find(h->acd, "c1"));
	h_check(h);

	assert_int_equal(0, acd_agent_ready(a, 6000));
	assert_string_equal("a", offered_to(h, "c2"));
	assert_int_equal(0, acd_contact_abandon(c2, 7000));
	assert_int_equal(ACD_OUT_ABANDONED_RINGING, outcome(h, "c2"));
	assert_string_equal("a", h_last(h, ACD_EV_OFFER_CANCELLED,
					 "c2")->agent);
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	acd_queue_stats(q, &st);
	assert_int_equal(2, st.abandoned);
	assert_int_equal(0, st.waiting);
	assert_int_equal(2, h_count(h, ACD_EV_CONTACT_ENDED));
	h_check(h);

	/* a connected contact cannot be abandoned; end it instead */
	c1 = h_call(h, q, "c3", 0, 8000);
	assert_int_equal(0, acd_offer_answer(c1, a, 8000));
	assert_int_equal(EPERM, acd_contact_abandon(c1, 8100));
	assert_int_equal(ACD_CONTACT_CONNECTED, acd_contact_state(c1));
	assert_int_equal(0, acd_contact_end(c1, 9000));
	assert_int_equal(ACD_OUT_COMPLETED, outcome(h, "c3"));
	assert_int_equal(1000, h_last(h, ACD_EV_CONTACT_ENDED, "c3")->talk);
	h_free(h);
}

static struct acd_queue *overflow_q;
static enum acd_overflow_action ovf_action;

static void maxwait(struct acd_queue_conf *qc)
{
	qc->max_wait_ms = 60000;
	qc->overflow = ovf_action;
	qc->overflow_queue = overflow_q;
}

static void test_contact_overflow_to_queue_keeps_place(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *backup = h_queue(h, "backup", NULL);
	struct acd_queue *q;
	struct acd_agent *b;
	struct acd_contact *c;
	uint32_t pos;
	(void)state;

	overflow_q = backup;
	ovf_action = ACD_OVF_QUEUE;
	q = h_queue(h, "sales", maxwait);
	b = h_agent(h, "b", backup, false, 0);
	(void)h_call(h, backup, "early", 0, 500);
	c = h_call(h, q, "c1", 0, 1000);
	(void)h_call(h, backup, "late", 0, 30000);
	assert_int_equal(0, acd_tick(h->acd, 61000));
	assert_int_equal(ACD_OVF_QUEUE,
			 h_last(h, ACD_EV_CONTACT_OVERFLOW, "c1")->action);
	assert_string_equal("backup",
			    h_last(h, ACD_EV_CONTACT_OVERFLOW, "c1")->target);
	assert_ptr_equal(backup, acd_contact_queue(c));
	/* arrived at 1000: ahead of "late" (30000), behind "early" */
	assert_int_equal(0, acd_contact_position(c, 61000, &pos, NULL));
	assert_int_equal(2, pos);
	assert_int_equal(0, acd_agent_ready(b, 62000));
	assert_string_equal("b", offered_to(h, "early"));
	h_check(h);
	h_free(h);
}

static void test_contact_max_wait_disconnect(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q;
	(void)state;

	overflow_q = NULL;
	ovf_action = ACD_OVF_DISCONNECT;
	q = h_queue(h, "q", maxwait);
	(void)h_call(h, q, "c1", 0, 1000);
	assert_int_equal(61000, acd_next_timer(h->acd));
	assert_int_equal(0, acd_tick(h->acd, 100000));
	assert_int_equal(ACD_OUT_TIMED_OUT, outcome(h, "c1"));
	/* the event carries the exact time, not the late tick */
	assert_int_equal(61000, h_last(h, ACD_EV_CONTACT_ENDED, "c1")->time);
	h_check(h);
	h_free(h);
}

static void test_contact_max_wait_callback_offer(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q;
	struct acd_contact *c;
	(void)state;

	overflow_q = NULL;
	ovf_action = ACD_OVF_CALLBACK;
	q = h_queue(h, "q", maxwait);
	c = h_call(h, q, "c1", 0, 1000);
	assert_int_equal(0, acd_tick(h->acd, 61000));
	assert_int_equal(ACD_OVF_CALLBACK,
			 h_last(h, ACD_EV_CONTACT_OVERFLOW, "c1")->action);
	/* it stays queued: the caller decides */
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	assert_int_equal(UINT64_MAX, acd_next_timer(h->acd));
	assert_int_equal(0, acd_contact_callback(c, 62000));
	assert_int_equal(ACD_CH_CALLBACK, acd_contact_channel(c));
	h_check(h);
	h_free(h);
}

static void full(struct acd_queue_conf *qc)
{
	qc->max_waiting = 2;
	qc->overflow = ACD_OVF_VOICEMAIL;
}

static void test_contact_queue_full(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", full);
	const struct h_rec *r;
	(void)state;

	(void)h_call(h, q, "c1", 0, 1);
	(void)h_call(h, q, "c2", 0, 2);
	(void)h_call(h, q, "c3", 0, 3);
	r = h_last(h, ACD_EV_CONTACT_OVERFLOW, "c3");
	assert_non_null(r);
	assert_int_equal(ACD_OVR_FULL, r->why);
	assert_int_equal(ACD_OVF_VOICEMAIL, r->action);
	assert_int_equal(ACD_OUT_OVERFLOWED, outcome(h, "c3"));
	assert_int_equal(ACD_OUT_NONE, outcome(h, "c2"));
	h_check(h);
	h_free(h);
}

static void empty_rules(struct acd_queue_conf *qc)
{
	qc->join = ACD_EMPTY_LOGGED_IN;
	qc->leave = ACD_EMPTY_READY;
	qc->empty_action = ACD_OVF_DISCONNECT;
}

static void test_contact_join_and_leave_rules(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", empty_rules);
	struct acd_agent *a;
	struct acd_contact *c;
	(void)state;

	/* nobody logged in: refused */
	(void)h_call(h, q, "c1", 0, 100);
	assert_int_equal(ACD_OVR_NO_AGENTS,
			 h_last(h, ACD_EV_CONTACT_OVERFLOW, "c1")->why);
	assert_int_equal(ACD_OUT_OVERFLOWED, outcome(h, "c1"));

	/* logged in but busy: joins */
	a = h_agent(h, "a", q, true, 200);
	c = h_call(h, q, "c2", 0, 300);
	assert_int_equal(0, acd_offer_answer(c, a, 300));
	c = h_call(h, q, "c3", 0, 400);
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));

	/* the only agent asks for not-ready: nobody ready, c3 must leave;
	 * callbacks stay */
	c = h_call(h, q, "cb", 0, 450);
	assert_int_equal(0, acd_contact_callback(c, 460));
	assert_int_equal(0, acd_agent_not_ready(a, NULL, 500));
	assert_int_equal(ACD_OUT_OVERFLOWED, outcome(h, "c3"));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	h_check(h);
	h_free(h);
}

static void test_contact_callback_keeps_place(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "a", q, false, 0);
	struct acd_contact *c1, *c2, *c3;
	uint32_t pos;
	(void)state;

	c1 = h_call(h, q, "c1", 0, 100);
	c2 = h_call(h, q, "c2", 0, 200);
	c3 = h_call(h, q, "c3", 0, 300);
	assert_int_equal(0, acd_contact_callback(c2, 400));
	assert_non_null(h_last(h, ACD_EV_CONTACT_CALLBACK, "c2"));
	assert_int_equal(EPERM, acd_contact_callback(c2, 410));
	assert_int_equal(0, acd_contact_position(c2, 500, &pos, NULL));
	assert_int_equal(2, pos);
	assert_int_equal(0, acd_contact_position(c3, 500, &pos, NULL));
	assert_int_equal(3, pos);

	/* served in the original order: c1, then the callback, then c3 */
	assert_int_equal(0, acd_agent_ready(a, 1000));
	assert_string_equal("a", offered_to(h, "c1"));
	assert_int_equal(0, acd_offer_answer(c1, a, 1000));
	assert_int_equal(0, acd_contact_end(c1, 2000));
	assert_string_equal("a", offered_to(h, "c2"));
	assert_string_equal("", offered_to(h, "c3"));
	assert_int_equal(0, acd_offer_answer(c2, a, 2000));
	assert_int_equal(1, acd_agent_contacts(a, ACD_CH_CALLBACK));
	h_check(h);
	h_free(h);
}

static void test_contact_transfer(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q1 = h_queue(h, "sales", NULL);
	struct acd_queue *q2 = h_queue(h, "support", NULL);
	struct acd_agent *a = h_agent(h, "a", q1, true, 0);
	struct acd_agent *b = h_agent(h, "b", q2, true, 0);
	struct acd_contact *c;
	const struct h_rec *r;
	(void)state;

	c = h_call(h, q1, "c1", 0, 1000);
	assert_int_equal(EPERM, acd_contact_transfer(c, q2, 1000));
	assert_int_equal(0, acd_offer_answer(c, a, 1000));
	assert_int_equal(0, acd_contact_transfer(c, q2, 5000));
	r = h_last(h, ACD_EV_CONTACT_TRANSFERRED, "c1");
	assert_string_equal("support", r->target);
	assert_int_equal(4000, r->talk);
	assert_string_equal("b", offered_to(h, "c1"));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(a));
	assert_int_equal(0, acd_offer_answer(c, b, 6000));
	/* out of the engine: terminal */
	assert_int_equal(0, acd_contact_transfer(c, NULL, 7000));
	assert_int_equal(ACD_OUT_TRANSFERRED, outcome(h, "c1"));
	assert_int_equal(1, h_count(h, ACD_EV_CONTACT_ENDED));
	h_check(h);
	h_free(h);
}

static void sticky(struct acd_queue_conf *qc)
{
	qc->sticky_ms = 30000;
}

static void test_contact_sticky(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", sticky);
	struct acd_agent *a = h_agent(h, "a", q, true, 0);
	struct acd_agent *b = h_agent(h, "b", q, true, 10);
	struct acd_contact_params p = {.customer = "+15551234"};
	struct acd_contact *c;
	(void)state;

	p.id = "first";
	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, 100));
	assert_string_equal("a", offered_to(h, "first"));
	assert_int_equal(0, acd_offer_answer(c, a, 100));
	assert_int_equal(0, acd_contact_end(c, 200));

	/* b has idled longer, but the customer's last agent is a */
	p.id = "again";
	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, 300));
	assert_string_equal("a", offered_to(h, "again"));
	assert_int_equal(0, acd_offer_answer(c, a, 300));

	/* a is busy: the next contact waits for a up to 30 s ... */
	p.id = "third";
	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, 400));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	assert_int_equal(ACD_AGENT_AVAILABLE, acd_agent_state(b));
	h_check(h);
	/* ... then goes to anyone */
	assert_int_equal(0, acd_tick(h->acd, 30400));
	assert_string_equal("b", offered_to(h, "third"));
	h_check(h);
	h_free(h);
}

static void test_contact_position_and_wait(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_agent *a = h_agent(h, "a", q, true, 0);
	struct acd_agent *b = h_agent(h, "b", q, true, 0);
	struct acd_contact *c[6];
	uint32_t pos;
	uint64_t ewt;
	char id[16];
	(void)state;

	/* two served contacts give a handle time of 60 s */
	for (int i = 0; i < 2; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		c[i] = h_call(h, q, id, 0, 1000);
	}
	assert_int_equal(0, acd_offer_answer(c[0], a, 1000));
	assert_int_equal(0, acd_offer_answer(c[1], b, 1000));
	assert_int_equal(0, acd_contact_end(c[0], 61000));
	assert_int_equal(0, acd_contact_end(c[1], 61000));
	c[0] = h_call(h, q, "busy1", 0, 62000);
	c[1] = h_call(h, q, "busy2", 0, 62000);
	for (int i = 2; i < 6; i++) {
		snprintf(id, sizeof(id), "w%d", i);
		c[i] = h_call(h, q, id, i == 4 ? 5 : 0, 63000 + i);
	}
	/* w4 has priority 5: first; then w2, w3, w5 */
	assert_int_equal(0, acd_contact_position(c[4], 64000, &pos, &ewt));
	assert_int_equal(1, pos);
	assert_int_equal(30000, ewt);   /* 1 * 60 s / 2 agents */
	assert_int_equal(0, acd_contact_position(c[5], 64000, &pos, &ewt));
	assert_int_equal(4, pos);
	assert_int_equal(120000, ewt);
	assert_int_equal(0, acd_contact_position(c[0], 64000, &pos, &ewt));
	assert_int_equal(0, pos);
	h_free(h);
}

static void test_contact_bad_input(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue *q = h_queue(h, "q", NULL);
	struct acd_skill_req req[ACD_REQ_MAX + 1];
	struct acd_contact_params p = {.id = "c1"};
	struct acd_queue_stats st;
	struct acd_contact *c;
	uint16_t sk;
	(void)state;

	assert_int_equal(0, acd_skill_add(h->acd, "es", &sk));
	assert_int_equal(EINVAL, acd_contact_enqueue(&c, h->acd, NULL, &p,
						     1));
	p.channel = ACD_CH_COUNT;
	assert_int_equal(EINVAL, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	p.channel = ACD_CH_VOICE;
	p.priority = ACD_PRIO_MAX + 1;
	assert_int_equal(ERANGE, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	assert_non_null(strstr(acd_errmsg(h->acd), "priority"));
	p.priority = 0;
	req[0] = (struct acd_skill_req){sk, 11};
	p.req = req;
	p.nreq = 1;
	assert_int_equal(ERANGE, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	req[0] = (struct acd_skill_req){sk, 0};
	assert_int_equal(ERANGE, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	req[0] = (struct acd_skill_req){sk + 7, 3};
	assert_int_equal(ENOENT, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	for (int i = 0; i <= ACD_REQ_MAX; i++)
		req[i] = (struct acd_skill_req){sk, 3};
	p.nreq = ACD_REQ_MAX + 1;
	assert_int_equal(ENOSPC, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	p.nreq = 0;
	p.id = "";
	assert_int_equal(EINVAL, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	acd_queue_stats(q, &st);
	assert_int_equal(0, st.entered);
	assert_int_equal(0, h->n);

	p.id = "c1";
	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, 1));
	assert_int_equal(EEXIST, acd_contact_enqueue(&c, h->acd, q, &p, 2));
	assert_int_equal(EBUSY, acd_queue_remove(q));
	assert_int_equal(EEXIST, acd_queue_add(NULL, h->acd, "q", NULL));
	assert_int_equal(EPERM, acd_contact_end(c, 3));
	assert_int_equal(EPERM, acd_contact_transfer(c, NULL, 3));
	assert_int_equal(ACD_CONTACT_QUEUED, acd_contact_state(c));
	h_check(h);
	/* the engine goes away with live contacts, agents, timers: no leak */
	h_free(h);
}

static void test_contact_queue_conf_errors(void **state)
{
	struct h *h = h_new(1);
	struct acd_queue_conf qc;
	struct acd_queue *q;
	(void)state;

	acd_queue_conf_init(&qc);
	qc.overflow = ACD_OVF_QUEUE;
	assert_int_equal(EINVAL, acd_queue_add(&q, h->acd, "q", &qc));
	acd_queue_conf_init(&qc);
	qc.sl_percent = 101;
	assert_int_equal(ERANGE, acd_queue_add(&q, h->acd, "q", &qc));
	acd_queue_conf_init(&qc);
	qc.nrelax = 2;
	qc.relax[0].after_ms = 60000;
	qc.relax[0].all = true;
	qc.relax[1].after_ms = 30000;
	qc.relax[1].all = true;
	assert_int_equal(EINVAL, acd_queue_add(&q, h->acd, "q", &qc));
	assert_non_null(strstr(acd_errmsg(h->acd), "earlier"));
	acd_queue_conf_init(&qc);
	qc.strategy = ACD_STRAT_COUNT;
	assert_int_equal(EINVAL, acd_queue_add(&q, h->acd, "q", &qc));
	assert_null(acd_queue_find(h->acd, "q"));
	assert_int_equal(0, acd_queue_add(&q, h->acd, "q", NULL));
	assert_int_equal(0, acd_queue_remove(q));
	assert_null(acd_queue_find(h->acd, "q"));
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_abandon),
		cmocka_unit_test(test_contact_overflow_to_queue_keeps_place),
		cmocka_unit_test(test_contact_max_wait_disconnect),
		cmocka_unit_test(test_contact_max_wait_callback_offer),
		cmocka_unit_test(test_contact_queue_full),
		cmocka_unit_test(test_contact_join_and_leave_rules),
		cmocka_unit_test(test_contact_callback_keeps_place),
		cmocka_unit_test(test_contact_transfer),
		cmocka_unit_test(test_contact_sticky),
		cmocka_unit_test(test_contact_position_and_wait),
		cmocka_unit_test(test_contact_bad_input),
		cmocka_unit_test(test_contact_queue_conf_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
