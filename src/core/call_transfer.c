/* core/call_transfer.c  Blind transfer by the agent (REFER on the
 * agent's leg, or the API: call_transfer()).
 *
 * The API may also name a queue ("queue:ID": the contact moves there).
 * The Refer-To user is looked up in this order:
 *   1. a configured number: its queue (the contact moves there, the
 *      engine closes the agent's part: talk recorded, wrap-up) or its flow
 *      (the contact ends as transferred; the flow runs anew);
 *   2. an agent id: the contact moves to that agent's own queue ("@ID",
 *      one member: the agent), so the engine rings only that agent, as
 *      soon as it is free; the caller hears music meanwhile;
 *   3. an outside number an outbound trunk's prefix allows: the contact
 *      ends as transferred and Switchboard dials the number, bridging the
 *      caller when it answers ("that number is not available" when not).
 * Anything else gets 404 and the call goes on.  Only the agent's own
 * authenticated leg can REFER, so nobody else reaches a trunk this way.
 *
 * The 202 goes out at once; the work runs from a 0 ms timer, outside the
 * leg's handler, since the leg is released (BYE) by it.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "media/media.h"
#include "core/core.h"
#include "core/call.h"

enum target {
	TO_NONE = 0,
	TO_QUEUE,
	TO_NUMBER,
	TO_AGENT,
	TO_OUTSIDE
};

/* "queue:ID" (the API's transfer to a queue), a number, an agent or an
 * outside number. */
static enum target target_of(const struct center *cc, const char *number)
{
	if (!strncmp(number, "queue:", 6))
		return config_queue(cc->cfg, number + 6) ? TO_QUEUE : TO_NONE;
	if (config_number(cc->cfg, number))
		return TO_NUMBER;
	if (center_agent(cc, number))
		return TO_AGENT;
	if (config_trunk_to(cc->cfg, number))
		return TO_OUTSIDE;
	return TO_NONE;
}

static int out_answer_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;

	return media_stream_answer(l->ms, msg->mb);
}

static void out_estab_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	int err;

	(void)msg;
	if (c->state != CALL_TRANSFERRING)
		return;
	l->answered = true;
	c->bridged = l;
	c->state = CALL_BRIDGED;
	media_stream_stop(c->ms);
	err = media_stream_bridge(c->ms, l->ms);
	if (err)
		LOG_ERR("call", "%s: bridge failed: %m", c->id, err);
	LOG_INFO("call", "%s: transferred to %s, connected", c->id,
		 c->transfer_to);
}

static void out_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;

	l->sess = mem_deref(l->sess);
	if (l == c->bridged) {
		LOG_INFO("call", "%s: %s hung up", c->id, c->transfer_to);
		call_end(c, NULL, "callee");
		return;
	}
	if (msg && msg->scode)
		LOG_INFO("call", "%s: transfer to %s failed: %u %r", c->id,
			 c->transfer_to, msg->scode, &msg->reason);
	else
		LOG_INFO("call", "%s: transfer to %s failed: %m", c->id,
			 c->transfer_to, err);
	call_end_prompt(c, "unavailable", "transfer-failed");
}

/* Dial the outside number; the caller hears music meanwhile. */
static void dial_out(struct call *c)
{
	struct mbuf *desc = NULL;
	const struct cfg_trunk *t;
	char to[256], from[160];
	struct sa laddr;
	struct leg *l;
	int err;

	t = config_trunk_dial(c->cc->cfg, c->transfer_to, to, sizeof(to));
	if (!t)
		goto fail;
	(void)sip_transp_laddr(c->cc->sip, &laddr, SIP_TRANSP_UDP, NULL);
	re_snprintf(from, sizeof(from), "sip:%s@%J", c->caller[0]
		    && strspn(c->caller, "0123456789+") == strlen(c->caller)
		    ? c->caller : "anonymous", &laddr);
	l = mem_zalloc(sizeof(*l), call_leg_destructor);
	if (!l)
		goto fail;
	l->call = c;
	err = str_dup(&l->uri, to);
	err = err ? err : media_stream_alloc(&l->ms, c->cc->media, NULL,
					     NULL);
	err = err ? err : media_stream_sdp(l->ms, true, &desc);
	err = err ? err : sipsess_connect(&l->sess, c->cc->sock, to, NULL,
		from, "switchboard", NULL, 0, "application/sdp", desc, NULL,
		NULL, false, NULL, out_answer_handler, NULL,
		out_estab_handler, NULL, NULL, out_close_handler, l,
		"%sX-Switchboard-Call: %s\r\n", call_allow_hdr, c->id);
	mem_deref(desc);
	if (err) {
		mem_deref(l);
		goto fail;
	}
	c->legs[c->nlegs++] = l;
	(void)call_play(c, (const char *[]){c->q ? c->q->moh : "moh"}, 1,
			true, NULL);
	LOG_INFO("call", "%s: dialling %s via trunk %s", c->id,
		 c->transfer_to, t->id);
	return;
 fail:
	call_end_prompt(c, "unavailable", "transfer-failed");
}

static void transfer_do(void *arg)
{
	struct call *c = arg;
	const struct cfg_number *nu = NULL;
	struct acd_queue *aq = NULL;
	char qid[CFG_ID_MAX + 2];
	enum target to;
	int err;

	if (c->state != CALL_BRIDGED || !c->contact || !c->transfer_to)
		return;
	to = target_of(c->cc, c->transfer_to);
	if (to == TO_NONE)
		return;
	call_record_stop(c);
	media_stream_unbridge(c->ms);
	call_hold_end(c);
	c->bridged = NULL;
	call_legs_drop(c, NULL);
	c->agent = NULL;
	switch (to) {
	case TO_QUEUE:
		aq = acd_queue_find(c->cc->acd, c->transfer_to + 6);
		break;
	case TO_NUMBER:
		nu = config_number(c->cc->cfg, c->transfer_to);
		if (nu->kind == CFG_TO_QUEUE)
			aq = acd_queue_find(c->cc->acd, nu->target);
		break;
	case TO_AGENT:
		re_snprintf(qid, sizeof(qid), "@%s", c->transfer_to);
		aq = acd_queue_find(c->cc->acd, qid);
		break;
	default:
		break;
	}
	c->state = aq ? CALL_QUEUED : to == TO_OUTSIDE ? CALL_TRANSFERRING
		: CALL_IVR;
	c->transferring = !aq;
	if (aq)
		call_announce(c, true);
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
				  call_announce_timer, c);
		return;
	}
	/* The contact ended as transferred; the call goes on without it. */
	c->transferring = false;
	c->contact = NULL;
	if (to == TO_OUTSIDE)
		dial_out(c);
	else
		call_flow_start(c, nu->target);
}

void call_refer_handler(struct sip *sip, const struct sip_msg *msg,
			void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	const struct sip_hdr *hdr;
	struct sip_addr addr;
	char number[CFG_ID_MAX + 1], by[CFG_ID_MAX + 8];
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
	if (target_of(c->cc, number) == TO_NONE) {
		(void)sip_reply(sip, msg, 404, "Not Found");
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	re_snprintf(by, sizeof(by), "agent %s", c->agent_name);
	err = call_transfer(c, number, by);
	if (err)
		LOG_WARN("call", "%s: transfer to %s: %m", c->id, number, err);
}

/* Transfer the bridged call (blind) to target: "queue:ID", a number, an
 * agent id or an outside number; by: who asked (for the log and the
 * event).  The work runs from a 0 ms timer.
 * @return 0, EPERM (not bridged to an agent), ENOENT (no such target)
 *         or ENOMEM */
int call_transfer(struct call *c, const char *target, const char *by)
{
	int err;

	if (c->state != CALL_BRIDGED || !c->bridged || !c->contact)
		return EPERM;
	if (target_of(c->cc, target) == TO_NONE)
		return ENOENT;
	LOG_INFO("call", "%s: %s transfers to %s", c->id, by, target);
	center_event(c->cc, "transfer", c->agent_name, c->id, c->queue_name,
		     "to %s by %s", target, by);
	c->transfer_to = mem_deref(c->transfer_to);
	err = str_dup(&c->transfer_to, target);
	if (err)
		return err;
	tmr_start(&c->tmr_xfer, 0, transfer_do, c);
	return 0;
}
