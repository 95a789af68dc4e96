/* core/call_agent.c  The agent's side of a call: ringing the chosen
 * agent's phones (one outgoing leg per registered contact, forked), the
 * ring timeout and misses reported to the engine, answer and bridge,
 * recording, hold and resume from the agent's phone (the agent's blind
 * transfer is in call_transfer.c).  call.c has the life cycle; core/call.h the
 * shared declarations.
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

void call_leg_destructor(void *arg)
{
	struct leg *l = arg;

	l->sess = mem_deref(l->sess);   /* CANCEL or BYE when still live */
	l->ms = mem_deref(l->ms);
	l->uri = mem_deref(l->uri);
}

void call_legs_drop(struct call *c, struct leg *keep)
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

void call_offer_close(struct call *c, const char *result)
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
	call_legs_drop(c, NULL);
	call_offer_close(c, result);
	c->agent = NULL;
	if (c->state == CALL_RINGING)
		c->state = c->callback ? CALL_CALLBACK : CALL_QUEUED;
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

/* Screen pop: as an agent's phones start ringing, the agent's desktop
 * gets the caller, the number dialled, what the IVR collected and the
 * customer known by the caller's number (customers.c) and the campaign
 * of the number dialled ([number] campaign), before it
 * answers.  One event, "screen-pop", on the stream (events.c); the store
 * keeps its type and the customer's id. */
static void screen_pop(struct call *c, const struct agent *a)
{
	const struct customer *cu = customer_by_phone(c->cc->customers,
						      c->caller);
	struct odict *od = NULL, *co = NULL, *ph = NULL, *fl = NULL;
	struct odict *ca = NULL;
	const struct cfg_number *nu;
	const struct cfg_campaign *cp;
	char *json = NULL, *vars = call_vars_json(c), *extra = NULL;
	char idx[8];
	int err;

	err = odict_alloc(&od, 8);
	if (err)
		goto out;
	err = odict_entry_add(od, "caller", ODICT_STRING, c->caller);
	err |= odict_entry_add(od, "dialled", ODICT_STRING, c->dialled);
	err |= odict_entry_add(od, "record", ODICT_BOOL, c->q && c->q->record);
	nu = config_number(c->cfg, c->dialled);
	cp = nu && nu->campaign[0] ? config_campaign(c->cfg, nu->campaign)
		: NULL;
	if (cp) {
		err |= odict_alloc(&ca, 4);
		if (!err) {
			err = odict_entry_add(ca, "id", ODICT_STRING, cp->id);
			err |= odict_entry_add(ca, "name", ODICT_STRING,
					       cp->name[0] ? cp->name : cp->id);
			if (cp->description[0])
				err |= odict_entry_add(ca, "description",
						       ODICT_STRING,
						       cp->description);
			err |= odict_entry_add(od, "campaign", ODICT_OBJECT,
					       ca);
		}
	}
	if (script_of_queue(c->cc, c->q))
		err |= odict_entry_add(od, "script", ODICT_STRING,
				       script_of_queue(c->cc, c->q)->id);
	if (cu) {
		err |= odict_alloc(&co, 8);
		err |= odict_alloc(&ph, 4);
		if (err)
			goto out;
		err = odict_entry_add(co, "id", ODICT_STRING, cu->id);
		err |= odict_entry_add(co, "name", ODICT_STRING, cu->name);
		err |= odict_entry_add(co, "vip", ODICT_BOOL, cu->vip);
		err |= odict_entry_add(co, "priority", ODICT_INT,
				       (int64_t)cu->priority);
		for (unsigned i = 0; i < cu->nphones; i++) {
			re_snprintf(idx, sizeof(idx), "%u", i);
			err |= odict_entry_add(ph, idx, ODICT_STRING,
					       customer_phone(cu, i));
		}
		err |= odict_entry_add(co, "phones", ODICT_ARRAY, ph);
		if (cu->email)
			err |= odict_entry_add(co, "email", ODICT_STRING,
					       cu->email);
		/* the whole record (notes...) is a GET away; an event
		 * stays small */
		if (cu->fields && strlen(cu->fields) <= 1024 &&
		    !json_decode_odict(&fl, 16, cu->fields,
						     strlen(cu->fields), 4))
			err |= odict_entry_add(co, "fields", ODICT_OBJECT, fl);
		err |= odict_entry_add(od, "customer", ODICT_OBJECT, co);
	}
	else
		err |= odict_entry_add(od, "customer", ODICT_NULL);
	if (err)
		goto out;
	err = re_sdprintf(&json, "%H", json_encode_odict, od);
	if (err || strlen(json) < 2)
		goto out;
	/* the members without the braces, then the IVR's variables */
	err = re_sdprintf(&extra, ",%b%s%s", json + 1, strlen(json) - 2,
			  vars ? ",\"vars\":" : "", vars ? vars : "");
	if (err)
		goto out;
	center_event_x(c->cc, "screen-pop", a->cfg->id, c->id, c->queue_name,
		       extra, cu ? cu->id : "");
 out:
	if (err)
		LOG_WARN("call", "%s: no screen pop for %s: %m", c->id,
			 a->cfg->id, err);
	mem_deref(extra);
	mem_deref(json);
	mem_deref(vars);
	mem_deref(ca);
	mem_deref(fl);
	mem_deref(ph);
	mem_deref(co);
	mem_deref(od);
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

void call_record_start(struct call *c, struct leg *l)
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

void call_record_stop(struct call *c)
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
	call_legs_drop(c, l);
	c->state = c->callback ? CALL_DIALING : CALL_BRIDGED;
	err = acd_offer_answer(c->contact, a->acd, center_now(c->cc));
	center_acd_sched(c->cc);
	if (err) {
		LOG_WARN("call", "%s: answer by %s refused: %s", c->id,
			 a->cfg->id, acd_errmsg(c->cc->acd));
		call_end(c, "failed", "system");
		return;
	}
	call_offer_close(c, "answered");
	if (!c->t_answer) {
		c->t_answer = center_wall(c->cc);
		metrics_call_answered(c);
	}
	str_ncpy(c->agent_name, a->cfg->id, sizeof(c->agent_name));
	str_ncpy(a->last_call, c->id, sizeof(a->last_call));
	tmr_cancel(&c->tmr_announce);
	if (c->callback) {
		call_callback_dial(c);
		return;
	}
	media_stream_stop(c->ms);
	err = media_stream_bridge(c->ms, l->ms);
	if (err)
		LOG_ERR("call", "%s: bridge failed: %m", c->id, err);
	call_record_start(c, l);
	c->cc->st.bridges++;
	LOG_INFO("call", "%s: bridged to agent %s (%s)", c->id, a->cfg->id,
		 media_stream_codec(l->ms));
}

void call_hold_begin(struct call *c, const char *by)
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

void call_hold_end(struct call *c)
{
	c->api_hold = false;
	if (c->nholds && !c->holds[c->nholds - 1].end) {
		c->holds[c->nholds - 1].end = center_wall(c->cc);
		LOG_INFO("call", "%s: resumed (hold by %s)", c->id,
			 c->holds[c->nholds - 1].by);
		center_event(c->cc, "resume", c->agent_name, c->id,
			     c->queue_name, "by %s",
			     c->holds[c->nholds - 1].by);
	}
}

bool call_holding(enum media_dir d)
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
		if (call_holding(media_stream_peer_dir(l->ms))) {
			media_stream_set_dir(l->ms, MEDIA_RECVONLY);
			media_stream_unbridge(c->ms);
			(void)call_play(c, (const char *[]){c->q ? c->q->moh
				   : "moh"}, 1, true, NULL);
			call_hold_begin(c, "agent");
		}
		else {
			media_stream_set_dir(l->ms, MEDIA_SENDRECV);
			media_stream_stop(c->ms);
			(void)media_stream_bridge(c->ms, l->ms);
			call_hold_end(c);
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
void call_ring(struct call *c, struct agent *a)
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
		struct leg *l = mem_zalloc(sizeof(*l), call_leg_destructor);

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
			call_refer_handler, leg_close_handler, l,
			"%sX-Switchboard-Call: %s\r\n"
			"X-Switchboard-Queue: %s\r\n", call_allow_hdr, c->id,
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
	screen_pop(c, a);
	tmr_start(&c->tmr_ring, c->q ? c->q->ring_ms : 15000, ring_timeout,
		  c);
}

