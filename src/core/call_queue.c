/* core/call_queue.c  A call waiting in a queue: joining the engine's
 * queue, music on hold, announcements of position and estimated wait
 * (every `announce` seconds), and the caller's key to leave for a
 * callback that keeps the place in line.
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

static void moh(struct call *c)
{
	const char *name = c->q ? c->q->moh : "moh";

	if (c->state == CALL_QUEUED || c->state == CALL_RINGING)
		(void)call_play(c, &name, 1, true, NULL);
}

static void moh_done(void *arg)
{
	moh(arg);
}

/* "You are caller number N.  Your estimated wait is about M minutes." */
void call_announce(struct call *c, bool first)
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
	LOG_DEBUG("call", "%s: announce position %u, wait %lld s", c->id,
		  pos, ewt == UINT64_MAX ? -1LL : (long long)(ewt / 1000));
	(void)call_play(c, names, n, false, moh_done);
}

void call_announce_timer(void *arg)
{
	struct call *c = arg;

	if (c->state == CALL_QUEUED) {
		call_announce(c, false);
		tmr_start(&c->tmr_announce, c->q->announce_ms, call_announce_timer,
			  c);
	}
}

void call_queue_enter(struct call *c, const struct cfg_queue *q)
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
	/* The engine may have offered it at once (ringing) or ended it (a
	 * queue rule); only a waiting caller hears where it stands. */
	if (c->state == CALL_QUEUED) {
		call_announce(c, true);
		if (q->announce_ms)
			tmr_start(&c->tmr_announce, q->announce_ms,
				  call_announce_timer, c);
	}
	else if (c->state == CALL_RINGING)
		moh(c);
	LOG_INFO("call", "%s: queued in %s", c->id, q->id);
}
