/* core/call_ivr.c  A call in an IVR flow: runs the flow (flow/) and
 * carries out its actions (prompts, digit waits, queue, transfer, hang
 * up), feeds it digits from RFC 4733 (media/) or SIP INFO
 * (application/dtmf-relay, application/dtmf), and looks up customers by
 * caller number for the flow's lookup step.
 */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "libre.h"
#include "flow/flow.h"
#include "media/media.h"
#include "sip/registrar.h"
#include "store/store.h"
#include "core/core.h"
#include "core/call.h"

static bool lookup_handler(const char *ani, struct flow_customer *cust,
			   void *arg)
{
	struct call *c = arg;
	const struct customer *cu = customer_by_phone(c->cc->customers, ani);

	if (!cu)
		return false;
	memset(cust, 0, sizeof(*cust));
	cust->vip = cu->vip;
	cust->priority = cu->priority;
	if (cu->skill)
		str_ncpy(cust->skill, cu->skill, sizeof(cust->skill));
	cust->level = cu->level;
	str_ncpy(cust->id, cu->id, sizeof(cust->id));
	return true;
}

static int64_t unix_s(const struct call *c)
{
	return center_wall(c->cc) / 1000;
}

static void flow_act_do(struct call *c, const struct flow_act *act);

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

static void flow_act_do(struct call *c, const struct flow_act *act)
{
	const struct cfg_queue *q;

	c->ivr_wait = false;
	c->ivr_barge = false;
	switch (act->type) {

	case FLOW_ACT_PLAY:
		c->ivr_barge = act->barge;
		(void)call_play(c, act->prompts, act->nprompts, false, prompt_done);
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
		call_queue_enter(c, q);
		break;

	case FLOW_ACT_TRANSFER:
		c->t_ivr_end = center_wall(c->cc);
		call_transfer_number(c, act->number);
		break;

	case FLOW_ACT_HANGUP:
		c->t_ivr_end = center_wall(c->cc);
		call_end(c, "ivr", "system");
		break;
	}
}

void call_flow_start(struct call *c, const char *flow)
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
void call_transfer_number(struct call *c, const char *number)
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
		call_queue_enter(c, config_queue(c->cc->cfg, nu->target));
	}
	else
		call_flow_start(c, nu->target);
}

/* Digits from RFC 4733 or SIP INFO */
void call_digit(struct call *c, char d)
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
		call_callback_request(c);
	}
}

void call_dtmf_handler(char d, void *arg)
{
	call_digit(arg, d);
}

/* SIP INFO: application/dtmf-relay ("Signal=5") or application/dtmf. */
/* The key of an application/dtmf-relay body ("Signal=5\r\n..."): one
 * character after "Signal=" and optional blanks, then the end of the
 * line.  0 when there is none. */
static char relay_signal(const char *p, size_t n)
{
	static const char key[] = "Signal=";
	const size_t kl = sizeof(key) - 1;

	for (size_t i = 0; i + kl < n; i++) {
		size_t j;

		if ((i && p[i - 1] != '\n') || strncasecmp(p + i, key, kl))
			continue;
		for (j = i + kl; j < n && (p[j] == ' ' || p[j] == '\t'); j++)
			;
		if (j >= n || !strchr("0123456789*#ABCDabcd", p[j])
		    || !p[j])
			return 0;
		if (j + 1 < n && p[j + 1] != '\r' && p[j + 1] != '\n'
		    && p[j + 1] != ' ')
			return 0;
		return p[j];
	}
	return 0;
}

void call_sip_info(struct call *c, const struct sip_msg *msg)
{
	const char *p;
	size_t n;
	char d = 0;

	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)sip_reply(c->cc->sip, msg, 200, "OK");
		return;
	}
	p = (const char *)mbuf_buf(msg->mb);
	n = mbuf_get_left(msg->mb);
	if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		d = relay_signal(p, n);
		if (!d) {
			(void)sip_reply(c->cc->sip, msg, 400, "Bad Signal");
			return;
		}
	}
	else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
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
	call_digit(c, d);
}

void call_info_handler(struct sip *sip, const struct sip_msg *msg,
			 void *arg)
{
	(void)sip;
	call_sip_info(arg, msg);
}
