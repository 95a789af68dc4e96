/* core/call_control.c  What the agent's desktop (the API) does to its
 * call besides the phone: hang up, hold and resume, pause and resume the
 * recording (while the caller reads out a card number).
 *
 * Hold from here is the server's own: the caller is unbridged and hears
 * the queue's music, the agent's phone hears nothing; resuming bridges
 * them again.  A hold started by the phone (re-INVITE) is resumed by the
 * phone; these calls refuse to undo each other (EPERM).
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "media/media.h"
#include "core/core.h"
#include "core/call.h"

int call_ctl_hangup(struct call *c, const char *by)
{
	if (c->state == CALL_ENDED || c->state == CALL_ENDING)
		return EALREADY;
	LOG_INFO("call", "%s: hung up by %s (API)", c->id, by);
	center_event(c->cc, "hangup", c->agent_name[0] ? c->agent_name : NULL,
		     c->id, c->queue_name[0] ? c->queue_name : NULL, "by %s",
		     by);
	c->hung_up = true;
	call_end(c, c->state == CALL_BRIDGED ? NULL : "hung-up", "agent");
	return 0;
}

static bool on_hold(const struct call *c)
{
	return c->nholds && !c->holds[c->nholds - 1].end;
}

int call_ctl_hold(struct call *c, bool hold)
{
	int err;

	if (c->state != CALL_BRIDGED || !c->bridged)
		return EPERM;
	if (hold == on_hold(c))
		return EALREADY;
	if (!hold && !c->api_hold)
		return EPERM;           /* the phone's hold: the phone resumes */
	if (hold) {
		media_stream_unbridge(c->ms);
		(void)call_play(c, (const char *[]){c->q ? c->q->moh : "moh"},
				1, true, NULL);
		c->api_hold = true;
		call_hold_begin(c, "agent");
		return 0;
	}
	media_stream_stop(c->ms);
	err = media_stream_bridge(c->ms, c->bridged->ms);
	c->api_hold = false;
	call_hold_end(c);
	return err;
}

int call_ctl_record(struct call *c, bool pause)
{
	int err;

	if (c->state != CALL_BRIDGED || !c->bridged)
		return EPERM;
	if (!c->rec)
		return ENOENT;
	if (pause == c->rec_paused)
		return EALREADY;
	err = media_stream_record(c->ms, pause ? NULL : c->rec, 0);
	err |= media_stream_record(c->bridged->ms, pause ? NULL : c->rec, 1);
	c->rec_paused = pause;
	LOG_INFO("call", "%s: recording %s", c->id, pause ? "paused"
		 : "resumed");
	center_event(c->cc, pause ? "recording-paused" : "recording-resumed",
		     c->agent_name, c->id, c->queue_name, NULL);
	return err ? EIO : 0;
}
