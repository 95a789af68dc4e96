/* core/call.c  One inbound call, from INVITE to its record: IVR, queue,
 * ringing agents, bridge, recording, hang-up (core.h has the struct).
 *
 * The call is a back-to-back user agent.  The caller's leg is answered at
 * once (200 with our SDP), then the number's flow runs (flow/) or the
 * call joins the number's queue.  Queued, it hears music on hold and,
 * every `announce` seconds, its position and estimated wait.
 *
 * The ACD engine decides; this file acts.  ACD_EV_CONTACT_OFFERED rings
 * every registered contact of the chosen agent (one outgoing leg each,
 * forked) with the queue's ring timeout; the first to answer is bridged
 * and the others are cancelled; when every leg fails or the timer fires
 * the engine hears acd_offer_miss() and offers the next agent while the
 * caller keeps the music and the place.  Either side hanging up ends the
 * contact (acd_contact_end or acd_contact_abandon); the engine's
 * ACD_EV_CONTACT_ENDED carries the outcome, and then the record is
 * written and the call reaped.
 *
 * Re-entrancy: engine calls made here raise events that come back to
 * call_acd_event() before they return.  So state is set before calling
 * the engine, and a call is freed only from its `reap` timer (0 ms),
 * never inside a libre or engine handler.
 */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "libre.h"
#include "flow/flow.h"
#include "media/media.h"
#include "sip/registrar.h"
#include "store/store.h"
#include "core/core.h"

static const char *allow_hdr =
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n";

static void call_end(struct call *c, const char *outcome,
		     const char *ended_by);
static void queue_enter(struct call *c, const struct cfg_queue *q);
static void flow_act_do(struct call *c, const struct flow_act *act);

static void leg_destructor(void *arg)
{
	struct leg *l = arg;

	l->sess = mem_deref(l->sess);   /* CANCEL or BYE when still live */
	l->ms = mem_deref(l->ms);
	l->uri = mem_deref(l->uri);
}

static void destructor(void *arg)
{
	struct call *c = arg;

	hash_unlink(&c->he);
	hash_unlink(&c->he_sip);
	tmr_cancel(&c->tmr_digit);
	tmr_cancel(&c->tmr_announce);
	tmr_cancel(&c->tmr_ring);
	tmr_cancel(&c->tmr_reap);
	tmr_cancel(&c->tmr_end);
	tmr_cancel(&c->tmr_xfer);
	for (unsigned i = 0; i < c->nlegs; i++)
		mem_deref(c->legs[i]);
	mem_deref(c->rec);
	mem_deref(c->rec_path);
	c->sess = mem_deref(c->sess);
	mem_deref(c->ms);
	mem_deref(c->run);
	mem_deref(c->sip_callid);
	mem_deref(c->caller);
	mem_deref(c->dialled);
	mem_deref(c->transfer_to);
	if (c->cc && c->cc->st.calls_live)
		c->cc->st.calls_live--;
}

static void reap(void *arg)
{
	mem_deref(arg);
}

static bool live(const struct call *c)
{
	return c->state != CALL_ENDED;
}

/* Prompts by name; a missing one is skipped (flows and queues were
 * checked against the prompt files at start-up). */
static int play(struct call *c, const char *const *names, unsigned n,
		bool loop, media_done_h *doneh)
{
	const struct media_prompt *list[FLOW_PROMPTS_MAX + 8];
	unsigned k = 0;

	for (unsigned i = 0; i < n && k < ARRAY_SIZE(list); i++) {
		const struct media_prompt *p =
			media_prompt_find(c->cc->media, names[i]);

		if (p)
			list[k++] = p;
		else
			LOG_WARN("call", "%s: no prompt '%s'", c->id,
				 names[i]);
	}
	if (!k) {
		if (doneh)
			doneh(c);
		return 0;
	}
	return media_stream_play(c->ms, list, k, loop, doneh, c);
}

static void moh(struct call *c)
{
	const char *name = c->q ? c->q->moh : "moh";

	if (c->state == CALL_QUEUED || c->state == CALL_RINGING)
		(void)play(c, &name, 1, true, NULL);
}

static void moh_done(void *arg)
{
	moh(arg);
}

/* "You are caller number N.  Your estimated wait is about M minutes." */
static void announce(struct call *c, bool first)
{
	const char *names[8];
	char num[2][8];
	unsigned n = 0;
	uint32_t pos = 0;
	uint64_t ewt = UINT64_MAX;

	if (first)
		names[n++] = "queue-hold";
	if (c->contact && c->state == CALL_QUEUED
	    && !acd_contact_position(c->contact, center_now(c->cc), &pos,
				     &ewt) && pos > 0 && pos < 100) {
		re_snprintf(num[0], sizeof(num[0]), "n-%u", pos);
		names[n++] = "position";
		names[n++] = num[0];
		if (ewt != UINT64_MAX && ewt < 60000) {
			names[n++] = "ewt-short";
		}
		else if (ewt != UINT64_MAX && ewt < 99 * 60000ULL) {
			uint64_t min = (ewt + 59999) / 60000;

			re_snprintf(num[1], sizeof(num[1]), "n-%llu",
				    (unsigned long long)min);
			names[n++] = "ewt";
			names[n++] = num[1];
			names[n++] = min == 1 ? "minute" : "minutes";
		}
	}
	if (c->q && c->q->callback_key == '*')
		names[n++] = "callback-offer";
	(void)play(c, names, n, false, moh_done);
}

static void announce_timer(void *arg)
{
	struct call *c = arg;

	if (c->state == CALL_QUEUED) {
		announce(c, false);
		tmr_start(&c->tmr_announce, c->q->announce_ms, announce_timer,
			  c);
	}
}

/* Legs */

static void legs_drop(struct call *c, struct leg *keep)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->nlegs; i++) {
		if (c->legs[i] == keep)
			c->legs[k++] = keep;
		else
			mem_deref(c->legs[i]);
	}
	c->nlegs = k;
}

static struct call_offer *offer_cur(struct call *c)
{
	if (!c->noffers)
		return NULL;
	return c->offers[c->noffers - 1].end ? NULL
		: &c->offers[c->noffers - 1];
}

static void offer_close(struct call *c, const char *result)
{
	struct call_offer *o = offer_cur(c);

	if (o) {
		o->end = center_wall(c->cc);
		o->result = result;
	}
}

static void ring_fail(struct call *c, enum acd_miss miss,
		      const char *result)
{
	struct agent *a = c->agent;
	int err;

	tmr_cancel(&c->tmr_ring);
	legs_drop(c, NULL);
	offer_close(c, result);
	c->agent = NULL;
	if (c->state == CALL_RINGING)
		c->state = CALL_QUEUED;
	if (!a || !c->contact)
		return;
	LOG_INFO("call", "%s: agent %s did not answer (%s)", c->id,
		 a->cfg->id, result);
	err = acd_offer_miss(c->contact, a->acd, miss, center_now(c->cc));
	if (err)
		LOG_WARN("call", "%s: miss for %s: %s", c->id, a->cfg->id,
			 acd_errmsg(c->cc->acd));
	center_acd_sched(c->cc);
}

static void ring_timeout(void *arg)
{
	ring_fail(arg, ACD_MISS_NO_ANSWER, "no-answer");
}

static void ring_nobody(void *arg)
{
	ring_fail(arg, ACD_MISS_BUSY, "unregistered");
}

static int leg_answer_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	int err;

	err = media_stream_answer(l->ms, msg->mb);
	if (err)
		LOG_WARN("call", "%s: agent leg answer SDP unusable: %m",
			 l->call->id, err);
	return err;
}

static void record_start(struct call *c, struct leg *l)
{
	char path[512];
	int err;

	if (!c->q || !c->q->record || c->rec)
		return;
	(void)mkdir(c->cc->cfg->recordings, 0750);
	re_snprintf(path, sizeof(path), "%s/%s.wav", c->cc->cfg->recordings,
		    c->id);
	err = media_recorder_alloc(&c->rec, path);
	if (err) {
		LOG_ERR("call", "%s: cannot record to %s: %m", c->id, path,
			err);
		return;
	}
	(void)str_dup(&c->rec_path, path);
	c->rec_start = center_wall(c->cc);
	(void)media_stream_record(c->ms, c->rec, 0);
	(void)media_stream_record(l->ms, c->rec, 1);
}

static void record_stop(struct call *c)
{
	uint64_t dur;
	int err;

	if (!c->rec)
		return;
	(void)media_stream_record(c->ms, NULL, 0);
	for (unsigned i = 0; i < c->nlegs; i++)
		(void)media_stream_record(c->legs[i]->ms, NULL, 1);
	dur = media_recorder_duration_ms(c->rec);
	c->rec = mem_deref(c->rec);     /* writes the WAV header */
	err = store_recording(c->cc->store, c->id, c->rec_path,
			      c->agent_name, c->queue_name, c->rec_start, dur);
	if (err)
		LOG_ERR("store", "%s: recording not indexed: %m", c->id, err);
}

static void leg_estab_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	struct agent *a = c->agent;
	int err;

	(void)msg;
	if (c->state != CALL_RINGING || !a || c->bridged) {
		l->failed = true;
		l->sess = mem_deref(l->sess);    /* BYE */
		return;
	}
	tmr_cancel(&c->tmr_ring);
	l->answered = true;
	c->bridged = l;
	legs_drop(c, l);
	c->state = CALL_BRIDGED;
	err = acd_offer_answer(c->contact, a->acd, center_now(c->cc));
	center_acd_sched(c->cc);
	if (err) {
		LOG_WARN("call", "%s: answer by %s refused: %s", c->id,
			 a->cfg->id, acd_errmsg(c->cc->acd));
		call_end(c, "failed", "system");
		return;
	}
	offer_close(c, "answered");
	if (!c->t_answer)
		c->t_answer = center_wall(c->cc);
	str_ncpy(c->agent_name, a->cfg->id, sizeof(c->agent_name));
	tmr_cancel(&c->tmr_announce);
	media_stream_stop(c->ms);
	err = media_stream_bridge(c->ms, l->ms);
	if (err)
		LOG_ERR("call", "%s: bridge failed: %m", c->id, err);
	record_start(c, l);
	c->cc->st.bridges++;
	LOG_INFO("call", "%s: bridged to agent %s (%s)", c->id, a->cfg->id,
		 media_stream_codec(l->ms));
}

static void hold_begin(struct call *c, const char *by)
{
	if (c->nholds < ARRAY_SIZE(c->holds)
	    && !(c->nholds && !c->holds[c->nholds - 1].end)) {
		c->holds[c->nholds].start = center_wall(c->cc);
		c->holds[c->nholds].end = 0;
		c->holds[c->nholds].by = by;
		c->nholds++;
		LOG_INFO("call", "%s: on hold by %s", c->id, by);
		center_event(c->cc, "hold", c->agent_name, c->id,
			     c->queue_name, "by %s", by);
	}
}

static void hold_end(struct call *c)
{
	if (c->nholds && !c->holds[c->nholds - 1].end) {
		c->holds[c->nholds - 1].end = center_wall(c->cc);
		LOG_INFO("call", "%s: resumed (hold by %s)", c->id,
			 c->holds[c->nholds - 1].by);
		center_event(c->cc, "resume", c->agent_name, c->id,
			     c->queue_name, "by %s",
			     c->holds[c->nholds - 1].by);
	}
}

static bool holding(enum media_dir d)
{
	return d == MEDIA_SENDONLY || d == MEDIA_INACTIVE;
}

/* The agent's phone sent a re-INVITE: hold or resume. */
static int leg_offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			     void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	int err;

	err = media_stream_offer(l->ms, msg->mb);
	if (err)
		return err;
	if (c->state == CALL_BRIDGED && l == c->bridged) {
		if (holding(media_stream_peer_dir(l->ms))) {
			media_stream_set_dir(l->ms, MEDIA_RECVONLY);
			media_stream_unbridge(c->ms);
			(void)play(c, (const char *[]){c->q ? c->q->moh
				   : "moh"}, 1, true, NULL);
			hold_begin(c, "agent");
		}
		else {
			media_stream_set_dir(l->ms, MEDIA_SENDRECV);
			media_stream_stop(c->ms);
			(void)media_stream_bridge(c->ms, l->ms);
			hold_end(c);
		}
	}
	return media_stream_sdp(l->ms, false, descp);
}

static void leg_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	bool all_failed = true;
	uint16_t scode = msg ? msg->scode : 0;

	if (l == c->bridged) {
		LOG_INFO("call", "%s: agent %s hung up", c->id,
			 c->agent_name);
		l->sess = mem_deref(l->sess);
		call_end(c, NULL, "agent");
		return;
	}
	l->failed = true;
	l->scode = scode;
	l->sess = mem_deref(l->sess);
	if (c->state != CALL_RINGING)
		return;
	for (unsigned i = 0; i < c->nlegs; i++)
		all_failed &= c->legs[i]->failed;
	if (!all_failed)
		return;
	(void)err;
	if (scode == 486 || scode == 600)
		ring_fail(c, ACD_MISS_BUSY, "busy");
	else if (scode == 603)
		ring_fail(c, ACD_MISS_REJECTED, "rejected");
	else
		ring_fail(c, ACD_MISS_NO_ANSWER, "no-answer");
}

static void leg_refer_handler(struct sip *sip, const struct sip_msg *msg,
			      void *arg);

static void leg_info_handler(struct sip *sip, const struct sip_msg *msg,
			     void *arg)
{
	(void)sip_reply(sip, msg, 200, "OK");
	(void)arg;
}

static int from_user(const struct call *c, char *buf, size_t sz)
{
	const char *s = c->caller;

	for (size_t i = 0; s[i]; i++) {
		char ch = s[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')
		      || (ch >= 'A' && ch <= 'Z') || ch == '+' || ch == '-'
		      || ch == '.' || ch == '_'))
			return re_snprintf(buf, sz, "anonymous");
	}
	return re_snprintf(buf, sz, "%s", s[0] ? s : "anonymous");
}

/* Ring every registered contact of agent a. */
static void ring(struct call *c, struct agent *a)
{
	struct registrar_contact rc[REG_CONTACTS_MAX];
	char from[160], user[80];
	struct sa laddr;
	unsigned n;
	int err;

	c->agent = a;
	c->state = CALL_RINGING;
	if (c->noffers < ARRAY_SIZE(c->offers)) {
		struct call_offer *o = &c->offers[c->noffers++];

		str_ncpy(o->agent, a->cfg->id, sizeof(o->agent));
		o->start = center_wall(c->cc);
		o->end = 0;
		o->result = NULL;
	}
	c->cc->st.offers++;
	n = registrar_contacts(c->cc->reg, a->cfg->id, rc, ARRAY_SIZE(rc));
	(void)sip_transp_laddr(c->cc->sip, &laddr, SIP_TRANSP_UDP, NULL);
	from_user(c, user, sizeof(user));
	re_snprintf(from, sizeof(from), "sip:%s@%J", user, &laddr);
	for (unsigned i = 0; i < n && c->nlegs < CALL_LEGS_MAX; i++) {
		struct mbuf *desc = NULL;
		struct leg *l = mem_zalloc(sizeof(*l), leg_destructor);

		if (!l)
			break;
		l->call = c;
		err = str_dup(&l->uri, rc[i].uri);
		err = err ? err : media_stream_alloc(&l->ms, c->cc->media,
						     NULL, NULL);
		err = err ? err : media_stream_sdp(l->ms, true, &desc);
		err = err ? err : sipsess_connect(&l->sess, c->cc->sock,
			l->uri, user, from, "switchboard", NULL, 0,
			"application/sdp", desc, NULL, NULL, false,
			leg_offer_handler, leg_answer_handler, NULL,
			leg_estab_handler, leg_info_handler,
			leg_refer_handler, leg_close_handler, l,
			"%sX-Switchboard-Call: %s\r\n"
			"X-Switchboard-Queue: %s\r\n", allow_hdr, c->id,
			c->queue_name);
		mem_deref(desc);
		if (err) {
			LOG_WARN("call", "%s: cannot ring %s at %s: %m",
				 c->id, a->cfg->id, rc[i].uri, err);
			mem_deref(l);
			continue;
		}
		c->legs[c->nlegs++] = l;
	}
	if (!c->nlegs) {
		/* Nothing to ring: tell the engine from a fresh stack. */
		tmr_start(&c->tmr_ring, 0, ring_nobody, c);
		return;
	}
	LOG_INFO("call", "%s: ringing agent %s (%u contact%s)", c->id,
		 a->cfg->id, c->nlegs, c->nlegs == 1 ? "" : "s");
	tmr_start(&c->tmr_ring, c->q ? c->q->ring_ms : 15000, ring_timeout,
		  c);
}

/* The record, then the call is reaped. */
static void write_record(struct call *c)
{
	struct store_offer offers[ARRAY_SIZE(c->offers)];
	struct store_hold holds[ARRAY_SIZE(c->holds)];
	struct store_call r;
	int err;

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < c->noffers; i++) {
		offers[i].agent = c->offers[i].agent;
		offers[i].start = c->offers[i].start;
		offers[i].end = c->offers[i].end ? c->offers[i].end : c->t_end;
		offers[i].result = c->offers[i].result
			? c->offers[i].result : "cancelled";
	}
	for (unsigned i = 0; i < c->nholds; i++) {
		holds[i].start = c->holds[i].start;
		holds[i].end = c->holds[i].end ? c->holds[i].end : c->t_end;
		holds[i].by = c->holds[i].by;
	}
	r.id = c->id;
	r.sip_callid = c->sip_callid;
	r.caller = c->caller;
	r.dialled = c->dialled;
	r.flow = c->flow;
	r.arrival = c->t_arrival;
	r.ivr_end = c->t_ivr_end;
	r.queue_entry = c->t_queue;
	r.answer = c->t_answer;
	r.end = c->t_end;
	r.outcome = c->outcome ? c->outcome : "failed";
	r.queue = c->queue_name[0] ? c->queue_name : NULL;
	r.agent = c->agent_name[0] ? c->agent_name : NULL;
	r.ended_by = c->ended_by;
	r.transfer_to = c->transfer_to;
	r.recording = c->rec_path;
	r.offers = offers;
	r.noffers = c->noffers;
	r.holds = holds;
	r.nholds = c->nholds;
	err = store_call_end(c->cc->store, &r);
	if (err)
		LOG_ERR("store", "%s: call record not queued: %m", c->id, err);
	LOG_INFO("call", "%s: ended, %s (by %s)%s%s", c->id, r.outcome,
		 r.ended_by ? r.ended_by : "?", r.agent ? ", agent " : "",
		 r.agent ? r.agent : "");
}

/* Tear down both legs, write the record, reap.  With `outcome` NULL the
 * engine decides it (its ENDED event comes back here). */
static void finish(struct call *c)
{
	if (c->state == CALL_ENDED)
		return;
	c->state = CALL_ENDED;
	c->t_end = center_wall(c->cc);
	if (c->t_ivr_end == 0 && c->run)
		c->t_ivr_end = c->t_end;
	hold_end(c);
	tmr_cancel(&c->tmr_digit);
	tmr_cancel(&c->tmr_announce);
	tmr_cancel(&c->tmr_ring);
	tmr_cancel(&c->tmr_end);
	tmr_cancel(&c->tmr_xfer);
	record_stop(c);
	if (c->ms) {
		struct media_stats a, b;

		media_stream_stats(c->ms, &a);
		memset(&b, 0, sizeof(b));
		if (c->bridged)
			media_stream_stats(c->bridged->ms, &b);
		LOG_INFO("call", "%s: media caller rx=%llu tx=%llu agent "
			 "rx=%llu tx=%llu", c->id,
			 (unsigned long long)a.rx_packets,
			 (unsigned long long)a.tx_packets,
			 (unsigned long long)b.rx_packets,
			 (unsigned long long)b.tx_packets);
		media_stream_unbridge(c->ms);
	}
	legs_drop(c, NULL);
	c->bridged = NULL;
	c->sess = mem_deref(c->sess);           /* BYE to the caller */
	write_record(c);
	tmr_start(&c->tmr_reap, 0, reap, c);
}

static void end_after_prompt(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->tmr_end);
	finish(c);
}

/* End the call.  outcome: what to record when the engine has no say
 * (NULL: the engine's ENDED event sets it).  ended_by: caller, agent,
 * system. */
static void call_end(struct call *c, const char *outcome,
		     const char *ended_by)
{
	int err = 0;

	if (c->state == CALL_ENDED || c->state == CALL_ENDING)
		return;
	if (!c->ended_by)
		c->ended_by = ended_by;
	if (outcome)
		c->outcome = outcome;
	if (c->contact) {
		struct acd_contact *ct = c->contact;
		uint64_t now = center_now(c->cc);

		if (c->state == CALL_BRIDGED)
			err = acd_contact_end(ct, now);
		else
			err = acd_contact_abandon(ct, now);
		center_acd_sched(c->cc);
		if (err)
			LOG_WARN("call", "%s: engine: %s", c->id,
				 acd_errmsg(c->cc->acd));
		/* ENDED came back (finish() ran) unless the engine refused */
		if (c->state == CALL_ENDED)
			return;
		c->contact = NULL;
	}
	finish(c);
}

/* Play a last prompt, then hang up. */
static void call_end_prompt(struct call *c, const char *prompt,
			    const char *outcome)
{
	const struct media_prompt *p = media_prompt_find(c->cc->media,
							 prompt);

	if (!p || !c->sess) {
		call_end(c, outcome, "system");
		return;
	}
	if (outcome)
		c->outcome = outcome;
	c->ended_by = "system";
	c->state = CALL_ENDING;
	media_stream_unbridge(c->ms);
	(void)media_stream_play(c->ms, &p, 1, false, end_after_prompt, c);
	/* in case the caller's RTP never flows, end anyway */
	tmr_start(&c->tmr_end, media_prompt_duration_ms(p) + 2000,
		  end_after_prompt, c);
}

static const char *outcome_name(enum acd_outcome o)
{
	switch (o) {
	case ACD_OUT_COMPLETED:         return "answered";
	case ACD_OUT_ABANDONED_QUEUE:   return "abandoned-queue";
	case ACD_OUT_ABANDONED_RINGING: return "abandoned-ringing";
	case ACD_OUT_OVERFLOWED:        return "overflowed";
	case ACD_OUT_TIMED_OUT:         return "overflowed";
	case ACD_OUT_TRANSFERRED:       return "transferred";
	default:                        return "failed";
	}
}

void call_acd_event(struct call *c, const struct acd_event *ev)
{
	struct agent *a;

	switch (ev->type) {

	case ACD_EV_CONTACT_QUEUED:
		c->contact = ev->contact;
		if (!c->t_queue)
			c->t_queue = center_wall(c->cc);
		c->q = config_queue(c->cc->cfg, acd_queue_id(ev->queue));
		str_ncpy(c->queue_name, acd_queue_id(ev->queue),
			 sizeof(c->queue_name));
		break;

	case ACD_EV_CONTACT_OFFERED:
		a = center_agent(c->cc, acd_agent_id(ev->agent));
		if (!a)
			break;
		ring(c, a);
		break;

	case ACD_EV_OFFER_CANCELLED:
		tmr_cancel(&c->tmr_ring);
		legs_drop(c, c->bridged);
		offer_close(c, "caller-left");
		break;

	case ACD_EV_CONTACT_OVERFLOW:
		if (ev->action == ACD_OVF_QUEUE && ev->target)
			LOG_INFO("call", "%s: overflow to queue %s", c->id,
				 acd_queue_id(ev->target));
		break;

	case ACD_EV_CONTACT_ENDED:
		c->contact = NULL;
		c->outcome = outcome_name(ev->outcome);
		if (c->transferring)
			break;          /* transfer_do() goes on */
		if ((ev->outcome == ACD_OUT_OVERFLOWED
		     || ev->outcome == ACD_OUT_TIMED_OUT)
		    && c->state != CALL_ENDED && c->state != CALL_ENDING) {
			tmr_cancel(&c->tmr_announce);
			call_end_prompt(c, "overflow", c->outcome);
			break;
		}
		finish(c);
		break;

	default:
		break;
	}
}

/* Queue */

static void queue_enter(struct call *c, const struct cfg_queue *q)
{
	struct acd_contact_params p;
	struct acd_queue *aq = acd_queue_find(c->cc->acd, q->id);
	struct acd_contact *ct = NULL;
	int err;

	c->q = q;
	c->state = CALL_QUEUED;
	str_ncpy(c->queue_name, q->id, sizeof(c->queue_name));
	if (!c->t_ivr_end)
		c->t_ivr_end = center_wall(c->cc);
	announce(c, true);
	memset(&p, 0, sizeof(p));
	p.id = c->id;
	p.channel = ACD_CH_VOICE;
	p.priority = c->priority;
	p.req = c->req;
	p.nreq = c->nreq;
	p.customer = c->caller;
	err = acd_contact_enqueue(&ct, c->cc->acd, aq, &p,
				  center_now(c->cc));
	center_acd_sched(c->cc);
	if (err) {
		LOG_ERR("call", "%s: cannot queue in %s: %s", c->id, q->id,
			acd_errmsg(c->cc->acd));
		call_end_prompt(c, "unavailable", "failed");
		return;
	}
	if (c->state == CALL_QUEUED && q->announce_ms)
		tmr_start(&c->tmr_announce, q->announce_ms, announce_timer, c);
	LOG_INFO("call", "%s: queued in %s", c->id, q->id);
}

static void callback_request(struct call *c)
{
	int err;

	if (!c->contact || c->state != CALL_QUEUED)
		return;
	err = acd_contact_callback(c->contact, center_now(c->cc));
	center_acd_sched(c->cc);
	if (err) {
		LOG_WARN("call", "%s: callback refused: %s", c->id,
			 acd_errmsg(c->cc->acd));
		return;
	}
	LOG_INFO("call", "%s: caller %s asked for a callback", c->id,
		 c->caller);
	center_event(c->cc, "callback-requested", NULL, c->id, c->queue_name,
		     "number %s", c->caller);
	/* The contact stays in the engine as a callback, keeping its place;
	 * the caller's line is released. */
	c->contact = NULL;
	tmr_cancel(&c->tmr_announce);
	call_end_prompt(c, "callback-done", "callback");
}

/* IVR */

static bool lookup_handler(const char *ani, struct flow_customer *cust,
			   void *arg)
{
	struct call *c = arg;
	const struct cfg_customer *cu =
		config_customer_by_phone(c->cc->cfg, ani);

	if (!cu)
		return false;
	memset(cust, 0, sizeof(*cust));
	cust->vip = cu->vip;
	cust->priority = cu->priority;
	str_ncpy(cust->skill, cu->skill, sizeof(cust->skill));
	cust->level = cu->level;
	str_ncpy(cust->id, cu->id, sizeof(cust->id));
	return true;
}

static int64_t unix_s(const struct call *c)
{
	return center_wall(c->cc) / 1000;
}

static void flow_input(struct call *c, enum flow_input in, char digit)
{
	struct flow_act act;
	int err;

	err = flow_run_input(c->run, in, digit, unix_s(c), &act);
	if (err) {
		LOG_ERR("call", "%s: flow: %m", c->id, err);
		call_end(c, "failed", "system");
		return;
	}
	flow_act_do(c, &act);
}

static void prompt_done(void *arg)
{
	struct call *c = arg;

	if (c->state == CALL_IVR)
		flow_input(c, FLOW_IN_PROMPT_DONE, 0);
}

static void digit_timeout(void *arg)
{
	struct call *c = arg;

	if (c->state == CALL_IVR)
		flow_input(c, FLOW_IN_TIMEOUT, 0);
}

static void transfer_number(struct call *c, const char *number);

static void flow_act_do(struct call *c, const struct flow_act *act)
{
	const struct cfg_queue *q;

	c->ivr_wait = false;
	c->ivr_barge = false;
	switch (act->type) {

	case FLOW_ACT_PLAY:
		c->ivr_barge = act->barge;
		(void)play(c, act->prompts, act->nprompts, false, prompt_done);
		break;

	case FLOW_ACT_WAIT:
		c->ivr_wait = true;
		tmr_start(&c->tmr_digit, act->timeout_ms, digit_timeout, c);
		break;

	case FLOW_ACT_QUEUE:
		c->t_ivr_end = center_wall(c->cc);
		c->priority = act->priority;
		c->nreq = 0;
		for (unsigned i = 0; i < act->nskills && i < ACD_REQ_MAX;
		     i++) {
			uint16_t id;

			if (acd_skill_find(c->cc->acd, act->skills[i].name,
					   &id))
				continue;
			c->req[c->nreq].skill = id;
			c->req[c->nreq].level = act->skills[i].level;
			c->nreq++;
		}
		q = config_queue(c->cc->cfg, act->queue);
		if (!q) {
			call_end_prompt(c, "unavailable", "failed");
			break;
		}
		media_stream_stop(c->ms);
		queue_enter(c, q);
		break;

	case FLOW_ACT_TRANSFER:
		c->t_ivr_end = center_wall(c->cc);
		transfer_number(c, act->number);
		break;

	case FLOW_ACT_HANGUP:
		c->t_ivr_end = center_wall(c->cc);
		call_end(c, "ivr", "system");
		break;
	}
}

static void flow_start(struct call *c, const char *flow)
{
	struct flow_act act;
	int err;

	c->run = mem_deref(c->run);
	c->flow = flow;
	err = flow_run_alloc(&c->run, c->cc->cfg->flows, flow, c->caller,
			     c->dialled, lookup_handler, c);
	err = err ? err : flow_run_start(c->run, unix_s(c), &act);
	if (err) {
		LOG_ERR("call", "%s: cannot start flow %s: %m", c->id, flow,
			err);
		call_end(c, "failed", "system");
		return;
	}
	c->state = CALL_IVR;
	flow_act_do(c, &act);
}

/* Route to a configured number (from a flow's transfer or the agent's
 * blind transfer).  Outside numbers are not dialled by this release. */
static void transfer_number(struct call *c, const char *number)
{
	const struct cfg_number *nu = config_number(c->cc->cfg, number);

	mem_deref(c->transfer_to);
	c->transfer_to = NULL;
	(void)str_dup(&c->transfer_to, number);
	if (!nu) {
		LOG_INFO("call", "%s: transfer to %s: not a number here",
			 c->id, number);
		call_end_prompt(c, "unavailable", "failed");
		return;
	}
	if (nu->kind == CFG_TO_QUEUE) {
		media_stream_stop(c->ms);
		queue_enter(c, config_queue(c->cc->cfg, nu->target));
	}
	else
		flow_start(c, nu->target);
}

/* Digits from RFC 4733 or SIP INFO */
static void digit(struct call *c, char d)
{
	LOG_DEBUG("call", "%s: digit %c", c->id, d);
	if (c->state == CALL_IVR && c->run) {
		if (c->ivr_wait) {
			tmr_cancel(&c->tmr_digit);
			flow_input(c, FLOW_IN_DIGIT, d);
		}
		else if (c->ivr_barge) {
			media_stream_stop(c->ms);
			flow_input(c, FLOW_IN_DIGIT, d);
		}
		return;
	}
	if ((c->state == CALL_QUEUED || c->state == CALL_RINGING) && c->q
	    && c->q->callback_key && d == c->q->callback_key) {
		if (c->state == CALL_RINGING)
			return;         /* an agent is about to answer */
		callback_request(c);
	}
}

static void dtmf_handler(char d, void *arg)
{
	digit(arg, d);
}

/* SIP INFO: application/dtmf-relay ("Signal=5") or application/dtmf. */
void call_sip_info(struct call *c, const struct sip_msg *msg)
{
	struct pl sig;
	const char *p;
	size_t n;
	char d = 0;

	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)sip_reply(c->cc->sip, msg, 200, "OK");
		return;
	}
	p = (const char *)mbuf_buf(msg->mb);
	n = mbuf_get_left(msg->mb);
	if (!msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		if (re_regex(p, n, "Signal=[ \t]*[0-9*#A-Da-d]", NULL, &sig)
		    || sig.l != 1) {
			(void)sip_reply(c->cc->sip, msg, 400, "Bad Signal");
			return;
		}
		d = sig.p[0];
	}
	else if (!msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		if (!n || !strchr("0123456789*#ABCDabcd", *p)) {
			(void)sip_reply(c->cc->sip, msg, 400, "Bad Digit");
			return;
		}
		d = *p;
	}
	else {
		(void)sip_reply(c->cc->sip, msg, 415, "Unsupported Media "
				"Type");
		return;
	}
	(void)sip_reply(c->cc->sip, msg, 200, "OK");
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	digit(c, d);
}

static void info_handler(struct sip *sip, const struct sip_msg *msg,
			 void *arg)
{
	(void)sip;
	call_sip_info(arg, msg);
}

/* Carry out the agent's blind transfer: the agent's leg is released
 * (BYE), the engine closes the agent's part (talk recorded, wrap-up),
 * and the caller goes on: to the target queue keeping the contact, or
 * into the target number's flow. */
static void transfer_do(void *arg)
{
	struct call *c = arg;
	const struct cfg_number *nu;
	struct acd_queue *aq = NULL;
	int err;

	if (c->state != CALL_BRIDGED || !c->contact || !c->transfer_to)
		return;
	nu = config_number(c->cc->cfg, c->transfer_to);
	if (!nu)
		return;
	record_stop(c);
	media_stream_unbridge(c->ms);
	hold_end(c);
	c->bridged = NULL;
	legs_drop(c, NULL);
	c->agent = NULL;
	if (nu->kind == CFG_TO_QUEUE)
		aq = acd_queue_find(c->cc->acd, nu->target);
	c->state = aq ? CALL_QUEUED : CALL_IVR;
	c->transferring = !aq;
	if (aq)
		announce(c, true);
	err = acd_contact_transfer(c->contact, aq, center_now(c->cc));
	center_acd_sched(c->cc);
	if (err) {
		LOG_WARN("call", "%s: transfer: %s", c->id,
			 acd_errmsg(c->cc->acd));
		c->transferring = false;
		call_end(c, "failed", "system");
		return;
	}
	if (aq) {
		if (c->state == CALL_QUEUED && c->q && c->q->announce_ms)
			tmr_start(&c->tmr_announce, c->q->announce_ms,
				  announce_timer, c);
		return;
	}
	c->transferring = false;
	c->contact = NULL;
	flow_start(c, nu->target);
}

/* Blind transfer by the agent: REFER on the agent's leg. */
static void leg_refer_handler(struct sip *sip, const struct sip_msg *msg,
			      void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	const struct sip_hdr *hdr;
	struct sip_addr addr;
	char number[CFG_ID_MAX + 1];
	struct pl pl;
	int err;

	hdr = sip_msg_xhdr(msg, "Refer-To");
	if (!hdr) {
		(void)sip_reply(sip, msg, 400, "Missing Refer-To");
		return;
	}
	pl = hdr->val;
	if (sip_addr_decode(&addr, &pl) || !pl_isset(&addr.uri.user)
	    || addr.uri.user.l >= sizeof(number)) {
		(void)sip_reply(sip, msg, 400, "Bad Refer-To");
		return;
	}
	(void)pl_strcpy(&addr.uri.user, number, sizeof(number));
	if (c->state != CALL_BRIDGED || l != c->bridged || !c->contact) {
		(void)sip_reply(sip, msg, 403, "Not Bridged");
		return;
	}
	if (!config_number(c->cc->cfg, number)) {
		(void)sip_reply(sip, msg, 404, "Not Found");
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	LOG_INFO("call", "%s: agent %s transfers to %s", c->id,
		 c->agent_name, number);
	center_event(c->cc, "transfer", c->agent_name, c->id, c->queue_name,
		     "to %s", number);
	mem_deref(c->transfer_to);
	c->transfer_to = NULL;
	err = str_dup(&c->transfer_to, number);
	if (err)
		return;
	/* Not from inside the leg's own handler: it is about to go. */
	tmr_start(&c->tmr_xfer, 0, transfer_do, c);
}

/* Caller leg handlers */

static int offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 void *arg)
{
	struct call *c = arg;
	int err;

	err = media_stream_offer(c->ms, msg->mb);
	if (err)
		return err;
	if (holding(media_stream_peer_dir(c->ms))) {
		media_stream_set_dir(c->ms, MEDIA_RECVONLY);
		if (c->state == CALL_BRIDGED)
			hold_begin(c, "caller");
	}
	else {
		media_stream_set_dir(c->ms, MEDIA_SENDRECV);
		hold_end(c);
	}
	return media_stream_sdp(c->ms, false, descp);
}

static int answer_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	return media_stream_answer(c->ms, msg->mb);
}

static void estab_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	const struct cfg_number *nu;

	(void)msg;
	if (c->established)
		return;
	c->established = true;
	nu = config_number(c->cc->cfg, c->dialled);
	if (!nu) {
		call_end(c, "failed", "system");
		return;
	}
	if (nu->kind == CFG_TO_QUEUE)
		queue_enter(c, config_queue(c->cc->cfg, nu->target));
	else
		flow_start(c, nu->target);
}

static void close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	(void)msg;
	c->sess = mem_deref(c->sess);
	/* libre closes with ECONNRESET when the peer sent BYE */
	if (err == ECONNRESET)
		err = 0;
	LOG_INFO("call", "%s: caller hung up%s%m", c->id, err ? ": " : "",
		 err);
	switch (c->state) {
	case CALL_NEW:
	case CALL_IVR:
		call_end(c, "abandoned-ivr", "caller");
		break;
	case CALL_ENDING:
		finish(c);
		break;
	default:
		call_end(c, NULL, "caller");
		break;
	}
}

static int call_alloc(struct call **cp, struct center *cc,
		      const struct sip_msg *msg)
{
	struct call *c;
	int err;

	c = mem_zalloc(sizeof(*c), destructor);
	if (!c)
		return ENOMEM;
	c->cc = cc;
	cc->st.calls_live++;
	tmr_init(&c->tmr_digit);
	tmr_init(&c->tmr_announce);
	tmr_init(&c->tmr_ring);
	tmr_init(&c->tmr_reap);
	tmr_init(&c->tmr_end);
	tmr_init(&c->tmr_xfer);
	re_snprintf(c->id, sizeof(c->id), "%s-%llx-%llu", cc->cfg->node,
		    (unsigned long long)(cc->wall0 / 1000),
		    (unsigned long long)++cc->call_seq);
	c->t_arrival = center_wall(cc);
	err = pl_strdup(&c->sip_callid, &msg->callid);
	err |= pl_strdup(&c->caller, &msg->from.uri.user);
	err |= pl_strdup(&c->dialled, &msg->uri.user);
	if (err) {
		mem_deref(c);
		return ENOMEM;
	}
	hash_append(cc->calls, hash_joaat_str(c->id), &c->he, c);
	hash_append(cc->calls_sip, hash_joaat_pl(&msg->callid), &c->he_sip,
		    c);
	*cp = c;
	return 0;
}

int call_incoming(struct center *cc, const struct sip_msg *msg,
		  const struct cfg_number *nu)
{
	struct mbuf *desc = NULL;
	bool offer = mbuf_get_left(msg->mb) > 0;
	struct call *c;
	int err;

	(void)nu;
	err = call_alloc(&c, cc, msg);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 500, "Server Error");
		return err;
	}
	err = media_stream_alloc(&c->ms, cc->media, dtmf_handler, c);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 503, "No Media Ports");
		goto fail;
	}
	if (offer) {
		err = media_stream_offer(c->ms, msg->mb);
		if (err == EPROTO) {
			(void)sip_treplyf(NULL, NULL, cc->sip, msg, false, 488,
					  "Not Acceptable Here",
					  "Warning: 304 switchboard "
					  "\"no common codec: PCMU or PCMA "
					  "needed\"\r\n"
					  "Content-Length: 0\r\n\r\n");
			goto fail;
		}
		if (err) {
			(void)sip_treply(NULL, cc->sip, msg, 400,
					 "Bad Session Description");
			goto fail;
		}
	}
	err = media_stream_sdp(c->ms, !offer, &desc);
	err = err ? err : sipsess_accept(&c->sess, cc->sock, msg, 200, "OK",
		"switchboard", "application/sdp", desc, NULL, NULL, false,
		offer_handler, answer_handler, estab_handler, info_handler,
		NULL, close_handler, c, "%s", allow_hdr);
	mem_deref(desc);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 500, "Server Error");
		goto fail;
	}
	err = store_call_begin(cc->store, c->id, c->sip_callid, c->caller,
			       c->dialled, c->t_arrival);
	if (err)
		LOG_ERR("store", "%s: arrival not queued: %m", c->id, err);
	cc->st.calls_answered++;
	LOG_INFO("call", "%s: from %s to %s (%J, %s)", c->id, c->caller,
		 c->dialled, &msg->src, media_stream_codec(c->ms));
	return 0;
 fail:
	c->state = CALL_ENDED;
	mem_deref(c);
	return err ? err : EPROTO;
}

/* Shutdown: every live call ends now, recorded as ended by the system. */
void call_hangup_all(struct center *cc)
{
	struct le *le;

	if (!cc->calls)
		return;
	for (uint32_t b = 0; b < hash_bsize(cc->calls); b++) {
		le = list_head(hash_list(cc->calls, b));
		while (le) {
			struct call *c = le->data;

			le = le->next;
			if (live(c)) {
				c->ended_by = "system";
				finish(c);
			}
		}
	}
	for (uint32_t b = 0; b < hash_bsize(cc->calls); b++) {
		le = list_head(hash_list(cc->calls, b));
		while (le) {
			struct call *c = le->data;

			le = le->next;
			mem_deref(c);
		}
	}
}
