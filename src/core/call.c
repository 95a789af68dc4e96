/* core/call.c  One inbound call, from INVITE to its record: its life
 * cycle and the caller's leg (core.h has the struct).  The pieces live
 * beside it: call_ivr.c (flows, digits), call_queue.c (waiting, music,
 * announcements, callback), call_agent.c (ringing agents, bridge,
 * recording, hold, transfer); core/call.h declares what they share.
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
#include "core/call.h"

const char *call_allow_hdr =
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n";

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
	mem_deref(c->cfg);
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
int call_play(struct call *c, const char *const *names, unsigned n,
		bool loop, media_done_h *doneh)
{
	const struct media_prompt *list[FLOW_PROMPTS_MAX + 8];
	unsigned k = 0;

	if (!c->sess || !c->ms)
		return 0;       /* no caller leg (callback): nobody to hear */
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

/* The record, then the call is reaped. */
/* The flow's variables as a JSON object ("{}" when none); NULL when no
 * flow ran.  Caller frees. */
char *call_vars_json(const struct call *c)
{
	struct odict *od;
	const char *name, *val;
	char *json = NULL;

	if (!c->run || odict_alloc(&od, 8))
		return NULL;
	for (unsigned i = 0; (name = flow_run_var_at(c->run, i, &val)); i++)
		(void)odict_entry_add(od, name, ODICT_STRING, val);
	(void)re_sdprintf(&json, "%H", json_encode_odict, od);
	mem_deref(od);
	return json;
}

static void write_record(struct call *c)
{
	struct store_offer offers[ARRAY_SIZE(c->offers)];
	struct store_hold holds[ARRAY_SIZE(c->holds)];
	struct store_call r;
	char *vars;
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
	vars = call_vars_json(c);
	r.vars = vars;
	r.offers = offers;
	r.noffers = c->noffers;
	r.holds = holds;
	r.nholds = c->nholds;
	err = store_call_end(c->cc->store, &r);
	mem_deref(vars);
	if (err)
		LOG_ERR("store", "%s: call record not queued: %m", c->id, err);
	/* counted even when the store refused it: the call did end */
	metrics_call_ended(c->cc, r.outcome);
	LOG_INFO("call", "%s: ended, %s (by %s)%s%s", c->id, r.outcome,
		 r.ended_by ? r.ended_by : "?", r.agent ? ", agent " : "",
		 r.agent ? r.agent : "");
}

/* Tear down both legs, write the record, reap.  With `outcome` NULL the
 * engine decides it (its ENDED event comes back here). */
void call_finish(struct call *c)
{
	if (c->state == CALL_ENDED)
		return;
	c->state = CALL_ENDED;
	c->t_end = center_wall(c->cc);
	if (c->t_ivr_end == 0 && c->run)
		c->t_ivr_end = c->t_end;
	call_hold_end(c);
	tmr_cancel(&c->tmr_digit);
	tmr_cancel(&c->tmr_announce);
	tmr_cancel(&c->tmr_ring);
	tmr_cancel(&c->tmr_end);
	tmr_cancel(&c->tmr_xfer);
	call_record_stop(c);
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
	call_legs_drop(c, NULL);
	c->bridged = NULL;
	c->sess = mem_deref(c->sess);           /* BYE to the caller */
	write_record(c);
	tmr_start(&c->tmr_reap, 0, reap, c);
}

static void end_after_prompt(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->tmr_end);
	call_finish(c);
}

/* End the call.  outcome: what to record when the engine has no say
 * (NULL: the engine's ENDED event sets it).  ended_by: caller, agent,
 * system. */
void call_end(struct call *c, const char *outcome,
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

		if (c->state == CALL_BRIDGED || c->state == CALL_DIALING)
			err = acd_contact_end(ct, now);
		else
			err = acd_contact_abandon(ct, now);
		center_acd_sched(c->cc);
		if (err)
			LOG_WARN("call", "%s: engine: %s", c->id,
				 acd_errmsg(c->cc->acd));
		/* ENDED came back (call_finish() ran) unless the engine refused */
		if (c->state == CALL_ENDED)
			return;
		c->contact = NULL;
	}
	call_finish(c);
}

/* Play a last prompt, then hang up. */
void call_end_prompt(struct call *c, const char *prompt,
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
	const struct cfg_queue *q;
	struct agent *a;

	switch (ev->type) {

	case ACD_EV_CONTACT_QUEUED:
		c->contact = ev->contact;
		if (!c->t_queue)
			c->t_queue = center_wall(c->cc);
		/* an agent's own queue ("@ID") has no settings of its own:
		 * the call keeps those of the queue it came from */
		q = config_queue(c->cc->cfg, acd_queue_id(ev->queue));
		if (q)
			c->q = q;
		str_ncpy(c->queue_name, acd_queue_id(ev->queue),
			 sizeof(c->queue_name));
		break;

	case ACD_EV_CONTACT_OFFERED:
		a = center_agent(c->cc, acd_agent_id(ev->agent));
		if (!a)
			break;
		call_ring(c, a);
		break;

	case ACD_EV_OFFER_CANCELLED:
		tmr_cancel(&c->tmr_ring);
		call_legs_drop(c, c->bridged);
		call_offer_close(c, "caller-left");
		break;

	case ACD_EV_CONTACT_OVERFLOW:
		if (ev->action == ACD_OVF_QUEUE && ev->target)
			LOG_INFO("call", "%s: overflow to queue %s", c->id,
				 acd_queue_id(ev->target));
		break;

	case ACD_EV_CONTACT_ENDED:
		c->contact = NULL;
		c->outcome = outcome_name(ev->outcome);
		if (c->callback && ev->outcome == ACD_OUT_COMPLETED
		    && !c->cb_reached)
			c->outcome = "callback-failed";
		else if (c->callback && ev->outcome == ACD_OUT_ABANDONED_QUEUE)
			c->outcome = "callback-cancelled";
		else if (c->hung_up && ev->outcome != ACD_OUT_COMPLETED)
			c->outcome = "hung-up";
		if (c->transferring)
			break;          /* call_transfer_do() goes on */
		if ((ev->outcome == ACD_OUT_OVERFLOWED
		     || ev->outcome == ACD_OUT_TIMED_OUT)
		    && c->state != CALL_ENDED && c->state != CALL_ENDING) {
			tmr_cancel(&c->tmr_announce);
			call_end_prompt(c, "overflow", c->outcome);
			break;
		}
		call_finish(c);
		break;

	default:
		break;
	}
}

/* Queue */

int call_offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 void *arg)
{
	struct call *c = arg;
	int err;

	err = media_stream_offer(c->ms, msg->mb);
	if (err)
		return err;
	if (call_holding(media_stream_peer_dir(c->ms))) {
		media_stream_set_dir(c->ms, MEDIA_RECVONLY);
		if (c->state == CALL_BRIDGED)
			call_hold_begin(c, "caller");
	}
	else {
		media_stream_set_dir(c->ms, MEDIA_SENDRECV);
		call_hold_end(c);
	}
	return media_stream_sdp(c->ms, false, descp);
}

int call_answer_handler(const struct sip_msg *msg, void *arg)
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
		call_queue_enter(c, config_queue(c->cc->cfg, nu->target));
	else
		call_flow_start(c, nu->target);
}

void call_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	(void)msg;
	c->sess = mem_deref(c->sess);
	/* libre closes with ECONNRESET when the peer sent BYE */
	if (err == ECONNRESET)
		err = 0;
	if (err)
		LOG_INFO("call", "%s: caller hung up: %m", c->id, err);
	else
		LOG_INFO("call", "%s: caller hung up", c->id);
	switch (c->state) {
	case CALL_NEW:
	case CALL_IVR:
		call_end(c, "abandoned-ivr", "caller");
		break;
	case CALL_ENDING:
		call_finish(c);
		break;
	case CALL_CALLBACK:
		break;          /* left after asking for the callback */
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
	c->cfg = mem_ref(cc->cfg);    /* what c->q, c->flow point into */
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

/* A refused INVITE from a trunk or an agent still leaves a record
 * (outcome rejected, the SIP status in vars).  Requests refused before
 * authentication leave none: anyone could fill the database with them;
 * they are counted and logged instead. */
void call_reject_record(struct center *cc, const struct sip_msg *msg,
			uint16_t scode, const char *reason)
{
	char id[48], *callid = NULL, *caller = NULL, *dialled = NULL;
	char vars[96];
	struct store_call r;
	int64_t now = center_wall(cc);
	int err;

	re_snprintf(id, sizeof(id), "%s-%llx-%llu", cc->cfg->node,
		    (unsigned long long)(cc->wall0 / 1000),
		    (unsigned long long)++cc->call_seq);
	re_snprintf(vars, sizeof(vars), "{\"sip_status\":\"%u %s\"}", scode,
		    reason);
	err = pl_strdup(&callid, &msg->callid);
	err |= pl_strdup(&caller, &msg->from.uri.user);
	err |= pl_strdup(&dialled, &msg->uri.user);
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.sip_callid = callid;
	r.caller = caller;
	r.dialled = dialled;
	r.arrival = now;
	r.end = now;
	r.outcome = "rejected";
	r.ended_by = "system";
	r.vars = vars;
	if (!err)
		err = store_call_end(cc->store, &r);
	if (err)
		LOG_ERR("store", "%s: rejected call not recorded: %m", id, err);
	metrics_call_ended(cc, r.outcome);
	LOG_INFO("call", "%s: from %s to %s rejected: %u %s", id,
		 caller ? caller : "?", dialled ? dialled : "?", scode,
		 reason);
	mem_deref(callid);
	mem_deref(caller);
	mem_deref(dialled);
}

int call_incoming(struct center *cc, const struct sip_msg *msg,
		  const struct cfg_number *nu, const char *caller)
{
	struct mbuf *desc = NULL;
	bool offer = mbuf_get_left(msg->mb) > 0;
	struct call *c = NULL;
	int err;

	(void)nu;
	err = call_alloc(&c, cc, msg);
	if (!err && caller) {
		c->caller = mem_deref(c->caller);
		err = str_dup(&c->caller, caller);
	}
	if (err) {
		if (c)
			mem_deref(c);
		(void)sip_treply(NULL, cc->sip, msg, 500, "Server Error");
		call_reject_record(cc, msg, 500, "Server Error");
		return err;
	}
	err = media_stream_alloc(&c->ms, cc->media, call_dtmf_handler, c);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 503, "No Media Ports");
		call_reject_record(cc, msg, 503, "No Media Ports");
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
			call_reject_record(cc, msg, 488, "Not Acceptable Here");
			goto fail;
		}
		if (err) {
			(void)sip_treply(NULL, cc->sip, msg, 400,
					 "Bad Session Description");
			call_reject_record(cc, msg, 400,
					   "Bad Session Description");
			goto fail;
		}
	}
	err = media_stream_sdp(c->ms, !offer, &desc);
	err = err ? err : sipsess_accept(&c->sess, cc->sock, msg, 200, "OK",
		"switchboard", "application/sdp", desc, NULL, NULL, false,
		call_offer_handler, call_answer_handler, estab_handler,
		call_info_handler,
		NULL, call_close_handler, c, "%s", call_allow_hdr);
	mem_deref(desc);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 500, "Server Error");
		call_reject_record(cc, msg, 500, "Server Error");
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
				if (!c->outcome)
					c->outcome = "interrupted";
				call_finish(c);
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
