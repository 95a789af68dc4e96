/* core/center.c  Start-up and the glue between the layers (center.h).
 *
 * Listeners, in the order libre asks them: the sanity gate (sip/sanity.c)
 * refuses malformed requests before anyone sees them; the session layer
 * (sipsess) takes INVITEs and everything inside a dialog; the last
 * listener answers REGISTER (registrar), OPTIONS, and refuses the rest.
 *
 * A new INVITE is routed by who sends it and where it goes: a request
 * from a trunk's source address may reach a configured number; a
 * request from anyone else must carry a valid digest of an agent (407
 * challenge otherwise) and may reach feature codes and configured
 * numbers; nobody reaches an outbound trunk by dialling (toll fraud).
 * Unknown numbers get 404.
 *
 * The ACD engine runs on one libre timer set to acd_next_timer().  Every
 * engine event is appended to the store's event log, then handed to the
 * call it concerns (call.c) or logged (agent states).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "libre.h"
#include "flow/flow.h"
#include "media/media.h"
#include "sip/registrar.h"
#include "sip/sanity.h"
#include "store/store.h"
#include "core/core.h"

enum { SIP_RCVBUF = 4 * 1024 * 1024 };  /* see sip_udp_rcvbuf() */

static void destructor(void *arg)
{
	struct center *cc = arg;

	call_hangup_all(cc);
	list_flush(&cc->fcalls);
	tmr_cancel(&cc->tmr_acd);
	hash_flush(cc->calls);
	cc->calls = mem_deref(cc->calls);
	cc->calls_sip = mem_deref(cc->calls_sip);
	hash_flush(cc->agents);
	cc->agents = mem_deref(cc->agents);
	cc->reg = mem_deref(cc->reg);
	cc->lsnr_main = mem_deref(cc->lsnr_main);
	cc->sock = mem_deref(cc->sock);
	cc->lsnr_sanity = mem_deref(cc->lsnr_sanity);
	if (cc->sip)
		sip_close(cc->sip, true);
	cc->sip = mem_deref(cc->sip);
	cc->acd = mem_deref(cc->acd);
	cc->media = mem_deref(cc->media);
	cc->store = mem_deref(cc->store);
	cc->qday = mem_deref(cc->qday);
	cc->customers = mem_deref(cc->customers);
	cc->scripts = mem_deref(cc->scripts);
	cc->sanity = mem_deref(cc->sanity);
	cc->cfg = mem_deref(cc->cfg);
}

int64_t center_wall(const struct center *cc)
{
	return cc->wall0 + (int64_t)(tmr_jiffies() - cc->started);
}

uint64_t center_now(const struct center *cc)
{
	(void)cc;
	return tmr_jiffies();
}

static bool agent_cmp(struct le *le, void *arg)
{
	const struct agent *a = le->data;

	return !strcmp(a->cfg->id, arg);
}

struct agent *center_agent(const struct center *cc, const char *id)
{
	struct le *le;

	if (!id)
		return NULL;
	le = hash_lookup(cc->agents, hash_joaat_str(id), agent_cmp,
			 (void *)id);
	return le ? le->data : NULL;
}

static bool call_cmp(struct le *le, void *arg)
{
	const struct call *c = le->data;

	return !strcmp(c->id, arg);
}

struct call *center_call(const struct center *cc, const char *id)
{
	struct le *le;

	if (!id)
		return NULL;
	le = hash_lookup(cc->calls, hash_joaat_str(id), call_cmp, (void *)id);
	return le ? le->data : NULL;
}

void center_event_x(struct center *cc, const char *type, const char *agent,
		    const char *call, const char *queue, const char *extra,
		    const char *detail)
{
	int64_t t = center_wall(cc);
	int err;

	err = store_event(cc->store, ++cc->ev_seq, t, type, agent, call,
			  queue, detail);
	if (err)
		LOG_ERR("store", "event %llu (%s) not queued: %m",
			(unsigned long long)cc->ev_seq, type, err);
	if (cc->evh)
		cc->evh(cc->ev_seq, t, type, agent, call, queue, detail,
			extra, cc->evarg);
}

void center_event(struct center *cc, const char *type, const char *agent,
		  const char *call, const char *queue, const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		re_vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	center_event_x(cc, type, agent, call, queue, NULL, detail);
}

static void acd_timer(void *arg)
{
	struct center *cc = arg;

	(void)acd_tick(cc->acd, center_now(cc));
	center_acd_sched(cc);
}

/* Arm the engine's timer on its next deadline.  Called after every
 * change made to the engine from outside its own timer. */
void center_acd_sched(struct center *cc)
{
	uint64_t next = acd_next_timer(cc->acd), now = center_now(cc);

	if (next == UINT64_MAX) {
		tmr_cancel(&cc->tmr_acd);
		return;
	}
	tmr_start(&cc->tmr_acd, next > now ? next - now : 0, acd_timer, cc);
}

/* Not-ready reasons the engine knows (agents' and the server's own). */
const char *const center_reasons[] = {
	"break", "unregistered", "phone", "api", NULL
};

bool center_reason_known(const char *reason)
{
	for (unsigned i = 0; center_reasons[i]; i++)
		if (!strcmp(center_reasons[i], reason))
			return true;
	return false;
}

static const char *agent_id(const struct acd_event *ev)
{
	return ev->agent ? acd_agent_id(ev->agent) : NULL;
}

static void acd_event_handler(const struct acd_event *ev, void *arg)
{
	struct center *cc = arg;
	const char *cid = ev->contact ? acd_contact_id(ev->contact) : NULL;
	const char *qid = ev->queue ? acd_queue_id(ev->queue) : NULL;
	const char *type = acd_event_name(ev->type);
	struct agent *a;
	struct call *c;

	today_event(cc, ev);
	switch (ev->type) {

	case ACD_EV_AGENT_STATE:
		a = center_agent(cc, agent_id(ev));
		if (a)
			a->state_since = center_wall(cc);
		center_event(cc, type, agent_id(ev), cid, qid, "%s -> %s%s%s",
			     acd_agent_state_name(ev->from),
			     acd_agent_state_name(ev->to),
			     ev->reason ? " " : "",
			     ev->reason ? ev->reason : "");
		LOG_INFO("agent", "%s: %s -> %s%s%s", agent_id(ev),
			 acd_agent_state_name(ev->from),
			 acd_agent_state_name(ev->to),
			 ev->reason ? " reason=" : "",
			 ev->reason ? ev->reason : "");
		break;

	case ACD_EV_OFFER_MISSED:
		center_event(cc, type, agent_id(ev), cid, qid, "%s",
			     acd_miss_name(ev->miss));
		break;

	case ACD_EV_CONTACT_OVERFLOW:
		center_event(cc, type, agent_id(ev), cid, qid, "%s%s%s",
			     acd_overflow_action_name(ev->action),
			     ev->target ? " " : "",
			     ev->target ? acd_queue_id(ev->target) : "");
		break;

	case ACD_EV_CONTACT_ENDED:
		center_event(cc, type, agent_id(ev), cid, qid,
			     "%s wait=%llu talk=%llu",
			     acd_outcome_name(ev->outcome),
			     (unsigned long long)ev->wait_ms,
			     (unsigned long long)ev->talk_ms);
		break;

	default:
		center_event(cc, type, agent_id(ev), cid, qid, NULL);
		break;
	}

	if (ev->type == ACD_EV_WRAPUP_ENDED && cid) {
		int err = store_wrapup_end(cc->store, cid, agent_id(ev),
					   center_wall(cc));
		if (err)
			LOG_ERR("store", "wrap-up end of %s not queued: %m",
				cid, err);
	}
	if (!cid || ev->type == ACD_EV_WRAPUP_ENDED)
		return;
	c = center_call(cc, cid);
	if (c)
		call_acd_event(c, ev);
}

/* Registrar: users are agents. */
static bool user_handler(const char *user, char ha1[33], void *arg)
{
	struct agent *a = center_agent(arg, user);

	if (!a)
		return false;
	str_ncpy(ha1, a->cfg->ha1, 33);
	return true;
}

static void reg_change_handler(const char *user, bool registered, void *arg)
{
	struct center *cc = arg;
	struct agent *a = center_agent(cc, user);

	if (a)
		agent_registered(cc, a, registered);
}

/* Registrations survive restarts: every change is stored, and the
 * stored ones come back at start (agents with autologin are logged in
 * again without waiting for their phones to re-register). */
static void reg_save_handler(const char *user, const char *body, void *arg)
{
	struct center *cc = arg;
	int err;

	err = store_registration(cc->store, user, body, center_wall(cc));
	if (err)
		LOG_ERR("store", "registrations of %s not queued: %m", user,
			err);
}

static void reg_restore_handler(const char *user, const char *body,
				void *arg)
{
	struct center *cc = arg;
	int err = registrar_restore(cc->reg, user, body);

	if (err == ENOENT)
		(void)store_registration(cc->store, user, NULL,
					 center_wall(cc));
	else if (err)
		LOG_WARN("sip", "registrations of %s not restored: %m", user,
			 err);
}

static int user_of(const struct sip_msg *msg, char *buf, size_t sz)
{
	if (!pl_isset(&msg->uri.user) || msg->uri.user.l >= sz)
		return EINVAL;
	return pl_strcpy(&msg->uri.user, buf, sz);
}

/* A new INVITE (outside any dialog). */
static void conn_handler(const struct sip_msg *msg, void *arg)
{
	struct center *cc = arg;
	const struct cfg_trunk *trunk;
	const struct cfg_number *nu;
	char dialled[CFG_ID_MAX + 1], user[CFG_ID_MAX + 1];
	struct agent *a = NULL;
	int err;

	cc->st.calls_in++;
	if (user_of(msg, dialled, sizeof(dialled))) {
		(void)sip_treply(NULL, cc->sip, msg, 404, "Not Found");
		cc->st.calls_rejected++;
		return;
	}
	trunk = config_trunk_from(cc->cfg, &msg->src);
	if (!trunk) {
		/* Not a trunk: only an agent's phone, authenticated. */
		err = registrar_auth(cc->reg, msg, user, sizeof(user));
		if (err) {
			cc->st.calls_rejected++;
			return;         /* challenged or refused already */
		}
		a = center_agent(cc, user);
		if (!a) {
			(void)sip_treply(NULL, cc->sip, msg, 403, "Forbidden");
			cc->st.calls_rejected++;
			return;
		}
		if (dialled[0] == '*') {
			err = agent_feature(cc, a, msg, dialled);
			if (err)
				cc->st.calls_rejected++;
			return;
		}
	}
	nu = config_number(cc->cfg, dialled);
	if (!nu) {
		(void)sip_treply(NULL, cc->sip, msg, 404, "Not Found");
		call_reject_record(cc, msg, 404, "Not Found");
		cc->st.calls_rejected++;
		return;
	}
	/* an agent's call carries the agent's id as caller, not whatever
	 * its From says */
	err = call_incoming(cc, msg, nu, a ? a->cfg->id : NULL);
	if (err)
		cc->st.calls_rejected++;
}

/* REGISTER, OPTIONS and anything the session layer did not take. */
static bool main_handler(const struct sip_msg *msg, void *arg)
{
	struct center *cc = arg;

	if (!pl_strcmp(&msg->met, "REGISTER"))
		return registrar_handle(cc->reg, msg);
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_treplyf(NULL, NULL, cc->sip, msg, false, 200, "OK",
				  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, "
				  "REGISTER, INFO, REFER, NOTIFY\r\n"
				  "Accept: application/sdp\r\n"
				  "Content-Length: 0\r\n\r\n");
		return true;
	}
	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	if (!pl_strcmp(&msg->met, "BYE") || !pl_strcmp(&msg->met, "INFO")
	    || !pl_strcmp(&msg->met, "REFER")
	    || !pl_strcmp(&msg->met, "NOTIFY")
	    || !pl_strcmp(&msg->met, "CANCEL")) {
		(void)sip_treply(NULL, cc->sip, msg, 481,
				 "Call/Transaction Does Not Exist");
		return true;
	}
	(void)sip_treplyf(NULL, NULL, cc->sip, msg, false, 405,
			  "Method Not Allowed",
			  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, "
			  "REGISTER, INFO, REFER, NOTIFY\r\n"
			  "Content-Length: 0\r\n\r\n");
	return true;
}

static void agent_destructor(void *arg)
{
	struct agent *a = arg;

	hash_unlink(&a->he);
}

/* "@ID": a queue with one member, the agent, for calls transferred to
 * it.  '@' is not allowed in configured names, so these never clash.  A
 * caller waits there at most 2 minutes for the agent. */
static int agent_queue(struct center *cc, struct acd_agent *aa,
		       const char *id)
{
	struct acd_queue_conf qc;
	struct acd_member_conf mc;
	struct acd_queue *q;
	char qid[CFG_ID_MAX + 2];
	int e;

	acd_queue_conf_init(&qc);
	qc.max_wait_ms = 120000;
	qc.overflow = ACD_OVF_DISCONNECT;
	re_snprintf(qid, sizeof(qid), "@%s", id);
	e = acd_queue_add(&q, cc->acd, qid, &qc);
	if (e)
		return e;
	acd_member_conf_init(&mc);
	mc.priority = 1;
	return acd_member_add(aa, q, &mc);
}

static int build_engine(struct center *cc, char *err, size_t errsz)
{
	const struct config *cfg = cc->cfg;
	struct acd_conf ac = {0, 0};
	int e;

	e = acd_alloc(&cc->acd, &ac, acd_event_handler, cc);
	if (e)
		return e;
	for (unsigned i = 0; i < cfg->nskills; i++) {
		e = acd_skill_add(cc->acd, cfg->skills[i], NULL);
		if (e)
			goto fail;
	}
	for (unsigned i = 0; center_reasons[i]; i++)
		(void)acd_reason_add(cc->acd, center_reasons[i]);
	for (unsigned i = 0; i < cfg->nqueues; i++) {
		struct acd_queue_conf qc = cfg->queues[i].acd;

		qc.overflow_queue = NULL;
		if (qc.overflow == ACD_OVF_QUEUE)
			qc.overflow = ACD_OVF_NONE;   /* set below */
		qc.offer_timeout_ms = 0;        /* the ring timer is ours */
		e = acd_queue_add(NULL, cc->acd, cfg->queues[i].id, &qc);
		if (e)
			goto fail;
	}
	for (unsigned i = 0; i < cfg->nqueues; i++) {
		const struct cfg_queue *q = &cfg->queues[i];
		struct acd_queue_conf qc;

		if (q->acd.overflow != ACD_OVF_QUEUE)
			continue;
		qc = *acd_queue_conf(acd_queue_find(cc->acd, q->id));
		qc.overflow = ACD_OVF_QUEUE;
		qc.overflow_queue = acd_queue_find(cc->acd, q->overflow_queue);
		e = acd_queue_conf_set(acd_queue_find(cc->acd, q->id), &qc);
		if (e)
			goto fail;
	}
	for (unsigned i = 0; i < cfg->nagents; i++) {
		e = center_agent_add(cc, &cfg->agents[i]);
		if (e)
			goto fail;
	}
	return 0;
 fail:
	re_snprintf(err, errsz, "engine: %s", acd_errmsg(cc->acd));
	return e;
}

/* An agent's skills and queues in the engine, as ca says. */
int center_agent_set(struct center *cc, struct acd_agent *aa,
		     const struct cfg_agent *ca)
{
	int e;

	for (unsigned j = 0; j < ca->nskills; j++) {
		uint16_t id;

		e = acd_skill_find(cc->acd, ca->skills[j].skill, &id);
		e = e ? e : acd_agent_skill_set(aa, id, ca->skills[j].level);
		if (e)
			return e;
	}
	for (unsigned j = 0; j < ca->nmembers; j++) {
		struct acd_member_conf mc;

		acd_member_conf_init(&mc);
		mc.priority = ca->members[j].priority;
		e = acd_member_add(aa, acd_queue_find(cc->acd,
				   ca->members[j].queue), &mc);
		if (e)
			return e;
	}
	return 0;
}

/* A configured agent: in the engine (with its own queue "@ID", for
 * transfers to it) and in the center. */
int center_agent_add(struct center *cc, const struct cfg_agent *ca)
{
	struct acd_agent *aa;
	struct agent *a;
	int e;

	e = acd_agent_add(&aa, cc->acd, ca->id, &ca->acd);
	e = e ? e : center_agent_set(cc, aa, ca);
	e = e ? e : agent_queue(cc, aa, ca->id);
	if (e)
		return e;
	a = mem_zalloc(sizeof(*a), agent_destructor);
	if (!a)
		return ENOMEM;
	a->cfg = ca;
	a->state_since = center_wall(cc);
	a->acd = aa;
	a->cc = cc;
	hash_append(cc->agents, hash_joaat_str(ca->id), &a->he, a);
	return 0;
}

/* The configuration, as rows of the store's config table. */
int center_seed_store(struct center *cc)
{
	const struct config *cfg = cc->cfg;
	char body[1024];
	int e;

	e = store_seed_begin(cc->store);
	if (e)
		return e;
	for (unsigned i = 0; !e && i < cfg->nskills; i++)
		e = store_seed(cc->store, "skill", cfg->skills[i], "");
	for (unsigned i = 0; !e && i < cfg->nqueues; i++) {
		const struct cfg_queue *q = &cfg->queues[i];

		re_snprintf(body, sizeof(body), "strategy=%s ring_ms=%u "
			    "wrapup_ms=%u max_wait_ms=%u record=%s",
			    acd_strategy_name(q->acd.strategy), q->ring_ms,
			    q->acd.wrapup_ms, q->acd.max_wait_ms,
			    q->record ? "yes" : "no");
		e = store_seed(cc->store, "queue", q->id, body);
	}
	for (unsigned i = 0; !e && i < cfg->nagents; i++) {
		const struct cfg_agent *a = &cfg->agents[i];

		/* the digest HA1 only, never the password */
		re_snprintf(body, sizeof(body), "name=%s ha1=%s autologin=%s",
			    a->name, a->ha1, a->autologin ? "yes" : "no");
		e = store_seed(cc->store, "agent", a->id, body);
	}
	for (unsigned i = 0; !e && i < cfg->nnumbers; i++) {
		const struct cfg_number *n = &cfg->numbers[i];

		re_snprintf(body, sizeof(body), "%s=%s",
			    n->kind == CFG_TO_FLOW ? "flow" : "queue",
			    n->target);
		e = store_seed(cc->store, "number", n->number, body);
	}
	return store_seed_end(cc->store, e == 0) ? EIO : e;
}


/* A large receive buffer for the SIP UDP socket: a burst of requests
 * while the loop is busy (a slow disk, a busy host) must queue, not be
 * dropped; a dropped ACK strands a call until its 200 OK times out.  libre
 * 1.1.0 does not expose the transport's socket, so find it among the
 * first descriptors by its bound address.  The kernel caps the size at
 * net.core.rmem_max (its default, 208 KiB, on most hosts). */
static void sip_udp_rcvbuf(const struct sa *laddr)
{
	for (int fd = 3; fd < 256; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int type = 0, size = SIP_RCVBUF;
		socklen_t tl = sizeof(type);
		struct sa sa;

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) ||
		    type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &len))
			continue;
		sa_init(&sa, AF_UNSPEC);
		memcpy(&sa.u, &ss, len < sizeof(sa.u) ? len : sizeof(sa.u));
		sa.len = len;
		if (sa_port(&sa) != sa_port(laddr) ||
		    (sa_isset(laddr, SA_ADDR) && !sa_is_any(laddr) &&
		     !sa_cmp(&sa, laddr, SA_ADDR)))
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
		return;
	}
}

static int bind_sip(struct center *cc, char *err, size_t errsz)
{
	const struct config *cfg = cc->cfg;
	int e;

	/* transaction and connection hashes: thousands of UDP transactions
	 * linger 32 s after each call, so size them for load, not for a
	 * phone */
	e = sip_alloc(&cc->sip, NULL, 16384, 16384, 4096,
		      "Switchboard/0.1", NULL, NULL);
	if (e)
		return e;
	if (cfg->sip_udp) {
		e = sip_transp_add(cc->sip, SIP_TRANSP_UDP, &cfg->sip_addr);
		if (e) {
			re_snprintf(err, errsz, "cannot listen for SIP on udp"
				    " %J: %m", &cfg->sip_addr, e);
			return e;
		}
		sip_udp_rcvbuf(&cfg->sip_addr);
	}
	if (cfg->sip_tcp) {
		e = sip_transp_add(cc->sip, SIP_TRANSP_TCP, &cfg->sip_addr);
		if (e) {
			re_snprintf(err, errsz, "cannot listen for SIP on tcp"
				    " %J: %m", &cfg->sip_addr, e);
			return e;
		}
	}
	cc->sanity = mem_zalloc(sizeof(*cc->sanity), NULL);
	if (!cc->sanity)
		return ENOMEM;
	e = sanity_listen(&cc->lsnr_sanity, cc->sip, cc->sanity);
	e = e ? e : sipsess_listen(&cc->sock, cc->sip, 1024, conn_handler,
				   cc);
	e = e ? e : registrar_alloc(&cc->reg, cc->sip, cfg->realm,
				    user_handler, reg_change_handler, cc);
	e = e ? e : sip_listen(&cc->lsnr_main, cc->sip, true, main_handler,
			       cc);
	if (e)
		return e;
	registrar_set_save_handler(cc->reg, reg_save_handler, cc);
	return store_registrations_load(cc->store, reg_restore_handler, cc);
}

int center_alloc(struct center **ccp, struct config *cfg, char *err,
		 size_t errsz)
{
	struct center *cc;
	struct timeval tv;
	int e;

	if (!ccp || !cfg || !err || !errsz)
		return EINVAL;
	err[0] = '\0';
	cc = mem_zalloc(sizeof(*cc), destructor);
	if (!cc)
		return ENOMEM;
	cc->cfg = mem_ref(cfg);
	tmr_init(&cc->tmr_acd);
	gettimeofday(&tv, NULL);
	cc->started = tmr_jiffies();
	cc->wall0 = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;

	e = hash_alloc(&cc->agents, hash_valid_size(cfg->nagents + 16));
	e = e ? e : hash_alloc(&cc->calls, 4096);
	e = e ? e : hash_alloc(&cc->calls_sip, 4096);
	if (e)
		goto out;
	e = store_open(&cc->store, cfg->database, err, errsz);
	if (e)
		goto out;
	cc->ev_seq = store_event_last(cc->store);
	e = center_seed_store(cc);
	if (e) {
		re_snprintf(err, errsz, "%s: cannot store the configuration",
			    cfg->database);
		goto out;
	}
	e = customers_alloc(&cc->customers);
	e = e ? e : customers_load(cc);
	e = e ? e : scripts_load(cc);
	if (e) {
		re_snprintf(err, errsz, "%s: cannot load the customers and "
			    "scripts: %m", cfg->database, e);
		goto out;
	}
	e = today_alloc(cc);
	e = e ? e : today_load(cc);
	e = e ? e : build_engine(cc, err, errsz);
	if (e)
		goto out;
	e = media_engine_alloc(&cc->media, &cfg->rtp_addr, cfg->rtp_min,
			       cfg->rtp_max, cfg->media_threads);
	if (e) {
		re_snprintf(err, errsz, "media: cannot use %j ports %u-%u: %m",
			    &cfg->rtp_addr, cfg->rtp_min, cfg->rtp_max, e);
		goto out;
	}
	e = media_prompts_load(cc->media, cfg->prompts, err, errsz);
	if (e)
		goto out;
	e = bind_sip(cc, err, errsz);
	if (e) {
		if (!err[0])
			re_snprintf(err, errsz, "sip: %m", e);
		goto out;
	}
 out:
	if (e)
		mem_deref(cc);
	else
		*ccp = cc;
	return e;
}

void center_observe(struct center *cc, center_event_h *h, void *arg)
{
	cc->evh = h;
	cc->evarg = arg;
}

void center_stats(const struct center *cc, struct center_stats *st)
{
	*st = cc->st;
}

int center_print_bound(const struct center *cc)
{
	struct sa sa;
	int n = 0;

	if (cc->cfg->sip_udp
	    && !sip_transp_laddr(cc->sip, &sa, SIP_TRANSP_UDP, NULL))
		n += re_printf("sip udp %J\n", &sa);
	if (cc->cfg->sip_tcp
	    && !sip_transp_laddr(cc->sip, &sa, SIP_TRANSP_TCP, NULL))
		n += re_printf("sip tcp %J\n", &sa);
	return n;
}
