/* tests/unit/harness.h  Shared helpers for the engine's tests: an event
 * recorder that copies every event (ids as strings, so records outlive
 * the objects), and an invariant check to run after every call. */

#ifndef SB_TEST_HARNESS_H
#define SB_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "libre.h"
#include "acd/acd.h"

int acd_invariants(const struct acd *acd, char *buf, size_t sz);

enum { H_MAX = 1 << 16 };

struct h_rec {
	enum acd_event_type type;
	char agent[32], contact[32], queue[32], target[32], reason[32];
	enum acd_agent_state from, to;
	enum acd_outcome outcome;
	enum acd_miss miss;
	enum acd_overflow_action action;
	enum acd_overflow_reason why;
	uint64_t id, time, wait, ring, talk, dur;
};

struct h {
	struct acd *acd;
	struct h_rec *ev;
	size_t n;
	void (*also)(const struct acd_event *ev, void *arg);
	void *also_arg;
};

static inline void h_copy(char *dst, const char *src)
{
	snprintf(dst, 32, "%s", src ? src : "");
}

static inline void h_event(const struct acd_event *ev, void *arg)
{
	struct h *h = arg;
	struct h_rec *r;

	assert_true(h->n < H_MAX);
	r = &h->ev[h->n++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->id = ev->id;
	r->time = ev->time;
	h_copy(r->agent, acd_agent_id(ev->agent));
	h_copy(r->contact, acd_contact_id(ev->contact));
	h_copy(r->queue, acd_queue_id(ev->queue));
	h_copy(r->target, acd_queue_id(ev->target));
	h_copy(r->reason, ev->reason);
	r->from = ev->from;
	r->to = ev->to;
	r->outcome = ev->outcome;
	r->miss = ev->miss;
	r->action = ev->action;
	r->why = ev->ovf_reason;
	r->wait = ev->wait_ms;
	r->ring = ev->ring_ms;
	r->talk = ev->talk_ms;
	r->dur = ev->dur_ms;
	if (h->also)
		h->also(ev, h->also_arg);
}

static inline struct h *h_new(uint64_t seed)
{
	struct h *h = calloc(1, sizeof(*h));
	struct acd_conf conf = {.seed = seed};

	assert_non_null(h);
	h->ev = calloc(H_MAX, sizeof(*h->ev));
	assert_non_null(h->ev);
	assert_int_equal(0, acd_alloc(&h->acd, &conf, h_event, h));
	return h;
}

static inline void h_free(struct h *h)
{
	mem_deref(h->acd);
	free(h->ev);
	free(h);
}

static inline void h_check(const struct h *h)
{
	char msg[256];
	int err = acd_invariants(h->acd, msg, sizeof(msg));

	if (err)
		fail_msg("invariant broken: %s", msg);
}

/* The last event of `type` naming `contact` (or any when NULL). */
static inline const struct h_rec *h_last(const struct h *h, enum acd_event_type type,
				  const char *contact)
{
	for (size_t i = h->n; i-- > 0;) {
		const struct h_rec *r = &h->ev[i];

		if (r->type == type &&
		    (!contact || !strcmp(r->contact, contact)))
			return r;
	}
	return NULL;
}

static inline size_t h_count(const struct h *h, enum acd_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		n += h->ev[i].type == type;
	return n;
}

static inline struct acd_queue *h_queue(struct h *h, const char *id,
				 void (*tune)(struct acd_queue_conf *))
{
	struct acd_queue_conf qc;
	struct acd_queue *q;

	acd_queue_conf_init(&qc);
	qc.missed_delay_ms = 0;
	if (tune)
		tune(&qc);
	assert_int_equal(0, acd_queue_add(&q, h->acd, id, &qc));
	return q;
}

static inline struct acd_agent *h_agent(struct h *h, const char *id,
				 struct acd_queue *q, bool ready,
				 uint64_t now)
{
	struct acd_agent *a;

	assert_int_equal(0, acd_agent_add(&a, h->acd, id, NULL));
	if (q)
		assert_int_equal(0, acd_member_add(a, q, NULL));
	assert_int_equal(0, acd_agent_login(a, ready, now));
	h_check(h);
	return a;
}

static inline struct acd_contact *h_call(struct h *h, struct acd_queue *q,
				  const char *id, int prio, uint64_t now)
{
	struct acd_contact_params p = {.id = id, .priority = prio};
	struct acd_contact *c;

	assert_int_equal(0, acd_contact_enqueue(&c, h->acd, q, &p, now));
	h_check(h);
	return c;
}

#endif
