/* core/call_callback.c  Queued callback: the caller leaves the queue and
 * keeps the place; an agent calls back.
 *
 * While queued the caller presses the queue's callback key (`*` in the
 * demo).  The engine turns the contact into a callback that keeps its
 * place in line (acd_contact_callback); the caller hears a confirmation
 * and the line is released, but the call object stays: it is the
 * callback.  When the engine offers it, the agent's phone rings as for
 * any call (the caller's number as the From user); once the agent
 * answers, Switchboard dials the customer through the outbound trunk
 * whose `prefix` matches the number and bridges the two.  No trunk for
 * the number, or the customer does not answer: the agent hears
 * "unavailable", the contact ends, and the record says callback-failed.
 *
 * Toll fraud: a caller chooses only to be called back on the number it
 * called from, and only numbers a trunk's `prefix` allows are dialled.
 * Callbacks live in memory: a restart loses pending ones (their records
 * come back as interrupted), as documented in docs/voice.md.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "media/media.h"
#include "store/store.h"
#include "core/core.h"
#include "core/call.h"

static void release_caller(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->tmr_end);
	c->sess = mem_deref(c->sess);           /* BYE */
	if (c->ms)
		media_stream_stop(c->ms);
}

void call_callback_request(struct call *c)
{
	const struct media_prompt *p;
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
	c->callback = true;
	c->ended_by = NULL;
	tmr_cancel(&c->tmr_announce);
	if (c->state != CALL_QUEUED)
		return;         /* offered at once: the agent rings already */
	c->state = CALL_CALLBACK;
	p = media_prompt_find(c->cc->media, "callback-done");
	if (!p || media_stream_play(c->ms, &p, 1, false, release_caller, c)) {
		release_caller(c);
		return;
	}
	tmr_start(&c->tmr_end, media_prompt_duration_ms(p) + 2000,
		  release_caller, c);
}

static void unreachable_done(void *arg)
{
	struct call *c = arg;

	call_end(c, NULL, "system");
}

/* Tell the agent the callback failed, then end it. */
static void callback_failed(struct call *c, const char *why)
{
	const struct media_prompt *p;
	struct leg *l = c->bridged;

	LOG_INFO("call", "%s: callback to %s failed: %s", c->id, c->caller,
		 why);
	center_event(c->cc, "callback-failed", c->agent_name, c->id,
		     c->queue_name, "%s", why);
	c->sess = mem_deref(c->sess);
	p = media_prompt_find(c->cc->media, "unavailable");
	if (!l || !p || media_stream_play(l->ms, &p, 1, false,
					  unreachable_done, c))
		call_end(c, NULL, "system");
}

static int cb_answer_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;

	return media_stream_answer(c->ms, msg->mb);
}

static void cb_estab_handler(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	int err;

	(void)msg;
	if (c->state != CALL_DIALING || !c->bridged)
		return;
	c->cb_reached = true;
	c->established = true;
	c->state = CALL_BRIDGED;
	err = media_stream_bridge(c->ms, c->bridged->ms);
	if (err)
		LOG_ERR("call", "%s: bridge failed: %m", c->id, err);
	call_record_start(c, c->bridged);
	c->cc->st.bridges++;
	LOG_INFO("call", "%s: callback: %s reached, bridged to agent %s",
		 c->id, c->caller, c->agent_name);
}

static void cb_close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	char why[64];

	if (c->state != CALL_DIALING) {
		call_close_handler(err, msg, arg);
		return;
	}
	if (msg && msg->scode)
		re_snprintf(why, sizeof(why), "%u %r", msg->scode,
			    &msg->reason);
	else
		re_snprintf(why, sizeof(why), "%m", err);
	callback_failed(c, why);
}

/* The agent answered the callback: dial the customer. */
void call_callback_dial(struct call *c)
{
	struct mbuf *desc = NULL;
	const struct cfg_trunk *t;
	char to[256], from[160];
	struct sa laddr;
	int err;

	t = config_trunk_dial(c->cc->cfg, c->caller, to, sizeof(to));
	if (!t) {
		callback_failed(c, "no outbound trunk for the number");
		return;
	}
	(void)sip_transp_laddr(c->cc->sip, &laddr, SIP_TRANSP_UDP, NULL);
	re_snprintf(from, sizeof(from), "sip:switchboard@%J", &laddr);
	c->ms = mem_deref(c->ms);
	c->sess = mem_deref(c->sess);
	c->established = false;
	err = media_stream_alloc(&c->ms, c->cc->media, call_dtmf_handler, c);
	err = err ? err : media_stream_sdp(c->ms, true, &desc);
	err = err ? err : sipsess_connect(&c->sess, c->cc->sock, to,
		"Switchboard", from, "switchboard", NULL, 0,
		"application/sdp", desc, NULL, NULL, false,
		call_offer_handler, cb_answer_handler, NULL,
		cb_estab_handler, call_info_handler, NULL, cb_close_handler,
		c, "%sX-Switchboard-Call: %s\r\n", call_allow_hdr, c->id);
	mem_deref(desc);
	if (err) {
		callback_failed(c, "cannot dial");
		return;
	}
	LOG_INFO("call", "%s: callback: agent %s answered, dialling %s via "
		 "trunk %s", c->id, c->agent_name, c->caller, t->id);
}
