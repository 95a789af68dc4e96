/* core/agent.c  Agents at run time: log-in by registration, state changes
 * from the phone (feature codes) and from the HTTP API.
 *
 * Feature codes, dialled from the agent's own phone (the INVITE carries
 * the agent's digest, so nobody else can change an agent's state):
 *   *1  ready (logs in when logged out)
 *   *2  not ready (reason "phone")
 *   *0  log out
 * The call is answered, a short confirmation is played, and Switchboard
 * hangs up.  A code that cannot apply now (log out while talking is
 * deferred by the engine to the end of the call) still answers, and the
 * log says why.
 *
 * Registration: an agent with autologin = yes is logged in, ready, when
 * its first phone contact registers; when its last contact goes (expiry
 * or unregister) it is made not ready ("unregistered") if it was ready,
 * so that nobody is offered calls to a phone that is gone.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "media/media.h"
#include "core/core.h"

/* A feature-code call: answer, confirm, hang up. */
struct fcall {
	struct le le;            /* center->fcalls */
	struct sipsess *sess;
	struct media_stream *ms;
	struct tmr tmr;
};

static void fcall_destructor(void *arg)
{
	struct fcall *f = arg;

	list_unlink(&f->le);
	tmr_cancel(&f->tmr);
	f->sess = mem_deref(f->sess);
	f->ms = mem_deref(f->ms);
}

static void fcall_end(void *arg)
{
	mem_deref(arg);          /* BYE */
}

static void fcall_done(void *arg)
{
	struct fcall *f = arg;

	tmr_start(&f->tmr, 200, fcall_end, f);
}

static void fcall_close(int err, const struct sip_msg *msg, void *arg)
{
	struct fcall *f = arg;

	(void)err;
	(void)msg;
	f->sess = mem_deref(f->sess);
	tmr_start(&f->tmr, 0, fcall_end, f);
}

static int fcall_answer(const struct sip_msg *msg, void *arg)
{
	struct fcall *f = arg;

	return media_stream_answer(f->ms, msg->mb);
}

static int fcall_start(struct center *cc, const struct sip_msg *msg,
		       const char *prompt)
{
	const struct media_prompt *p = media_prompt_find(cc->media, prompt);
	struct mbuf *desc = NULL;
	bool offer = mbuf_get_left(msg->mb) > 0;
	struct fcall *f;
	int err;

	f = mem_zalloc(sizeof(*f), fcall_destructor);
	if (!f)
		return ENOMEM;
	tmr_init(&f->tmr);
	list_append(&cc->fcalls, &f->le, f);
	err = media_stream_alloc(&f->ms, cc->media, NULL, NULL);
	if (!err && offer)
		err = media_stream_offer(f->ms, msg->mb);
	if (err == EPROTO) {
		(void)sip_treply(NULL, cc->sip, msg, 488,
				 "Not Acceptable Here");
		goto out;
	}
	err = err ? err : media_stream_sdp(f->ms, !offer, &desc);
	err = err ? err : sipsess_accept(&f->sess, cc->sock, msg, 200, "OK",
		"switchboard", "application/sdp", desc, NULL, NULL, false,
		NULL, fcall_answer, NULL, NULL, NULL, fcall_close, f, "");
	mem_deref(desc);
	if (err) {
		(void)sip_treply(NULL, cc->sip, msg, 500, "Server Error");
		goto out;
	}
	if (p)
		err = media_stream_play(f->ms, &p, 1, false, fcall_done, f);
	if (!p || err)
		fcall_done(f);
	/* f frees itself when done; the center frees what is left */
	return 0;
 out:
	mem_deref(f);
	return err ? err : EPROTO;
}

int agent_set_state(struct agent *a, const char *state, const char *reason)
{
	struct center *cc = a->cc;
	enum acd_agent_state st = acd_agent_state(a->acd);
	uint64_t now = center_now(cc);
	int err;

	if (!strcmp(state, "ready")) {
		if (st == ACD_AGENT_LOGGED_OUT)
			err = acd_agent_login(a->acd, true, now);
		else
			err = acd_agent_ready(a->acd, now);
	}
	else if (!strcmp(state, "not-ready")) {
		/* refuse an unknown reason before logging anybody in */
		if (reason && !center_reason_known(reason))
			return acd_agent_not_ready(a->acd, reason, now);
		if (st == ACD_AGENT_LOGGED_OUT)
			err = acd_agent_login(a->acd, false, now);
		if (st != ACD_AGENT_LOGGED_OUT || !err)
			err = acd_agent_not_ready(a->acd, reason ? reason
						  : "break", now);
		if (err == EALREADY && st == ACD_AGENT_LOGGED_OUT)
			err = 0;
	}
	else if (!strcmp(state, "logged-out"))
		err = acd_agent_logout(a->acd, now);
	else
		return EINVAL;
	center_acd_sched(cc);
	return err;
}

int agent_feature(struct center *cc, struct agent *a,
		  const struct sip_msg *msg, const char *code)
{
	const char *state, *prompt;
	int err;

	if (!strcmp(code, "*1")) {
		state = "ready";
		prompt = "agent-ready";
	}
	else if (!strcmp(code, "*2")) {
		state = "not-ready";
		prompt = "agent-not-ready";
	}
	else if (!strcmp(code, "*0")) {
		state = "logged-out";
		prompt = "agent-logged-out";
	}
	else {
		(void)sip_treply(NULL, cc->sip, msg, 404, "Not Found");
		return ENOENT;
	}
	if (!strcmp(state, "ready") && !a->registered) {
		/* ready without a phone to ring would lose calls */
		(void)sip_treply(NULL, cc->sip, msg, 403, "Register First");
		return EPERM;
	}
	err = agent_set_state(a, state, "phone");
	if (err && err != EALREADY)
		LOG_INFO("agent", "%s: %s refused: %s", a->cfg->id, code,
			 acd_errmsg(cc->acd));
	else
		LOG_INFO("agent", "%s: %s by feature code %s", a->cfg->id,
			 state, code);
	return fcall_start(cc, msg, prompt);
}

void agent_registered(struct center *cc, struct agent *a, bool reg)
{
	enum acd_agent_state st = acd_agent_state(a->acd);
	uint64_t now = center_now(cc);
	int err = 0;

	a->registered = reg;
	center_event(cc, reg ? "registered" : "unregistered", a->cfg->id,
		     NULL, NULL, NULL);
	LOG_INFO("agent", "%s: phone %s", a->cfg->id,
		 reg ? "registered" : "gone");
	if (reg && a->cfg->autologin && st == ACD_AGENT_LOGGED_OUT)
		err = acd_agent_login(a->acd, true, now);
	else if (!reg && st != ACD_AGENT_LOGGED_OUT
		 && st != ACD_AGENT_NOT_READY)
		err = acd_agent_not_ready(a->acd, "unregistered", now);
	if (err && err != EALREADY)
		LOG_WARN("agent", "%s: %s", a->cfg->id, acd_errmsg(cc->acd));
	center_acd_sched(cc);
}
