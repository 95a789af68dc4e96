/* core/reconfigure.c  A new configuration, applied while the server
 * runs (the admin API writes the file, checks it, then calls this):
 * queues, agents, skills, numbers, flows, hours, trunks, users, keys,
 * dispositions and customers change without a restart and without
 * dropping a call.
 *
 * The engine is changed in place: skills and queues added, queue
 * settings replaced, agents added or changed (name, password, skills,
 * queues), then agents and queues that are gone removed.  A queue with
 * callers in it, or an agent in a call or wrap-up, cannot go: the whole
 * change is refused (EBUSY) before anything moves.  [server] settings
 * that need sockets or files re-opened (addresses, ports, database,
 * realm, directories, node) are refused too (EPERM): restart for those.
 *
 * Live calls keep the configuration they started with (a call holds a
 * reference: its queue's music, ring time and flow stay as they were);
 * new calls get the new one.  What is indexed by queue (today's
 * figures, scripts) follows its queues by id.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "core/core.h"

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* The first [server] setting that cannot change while running. */
static const char *server_diff(const struct config *a,
			       const struct config *b)
{
	if (!sa_cmp(&a->sip_addr, &b->sip_addr, SA_ALL) ||
	    a->sip_udp != b->sip_udp || a->sip_tcp != b->sip_tcp)
		return "sip or transports";
	if (!sa_cmp(&a->http_addr, &b->http_addr, SA_ALL))
		return "http";
	if (!sa_cmp(&a->rtp_addr, &b->rtp_addr, SA_ADDR) ||
	    a->rtp_min != b->rtp_min || a->rtp_max != b->rtp_max)
		return "rtp or rtp_ports";
	if (a->media_threads != b->media_threads)
		return "media_threads";
	if (!str_eq(a->database, b->database))
		return "database";
	if (!str_eq(a->realm, b->realm))
		return "realm";
	if (!str_eq(a->prompts, b->prompts))
		return "prompts";
	if (!str_eq(a->recordings, b->recordings))
		return "recordings";
	if (strcmp(a->node, b->node))
		return "node";
	return NULL;
}

static bool queue_busy(struct center *cc, const char *id)
{
	struct acd_queue *q = acd_queue_find(cc->acd, id);
	struct acd_queue_stats st;

	if (!q)
		return false;
	acd_queue_stats(q, &st);
	return st.waiting || st.offered || st.connected;
}

int center_reconfigure_check(struct center *cc, const struct config *cfg,
			     char *why, size_t sz)
{
	const struct config *old = cc->cfg;
	const char *d = server_diff(old, cfg);

	if (d) {
		re_snprintf(why, sz, "[server] %s changed: restart the server "
			    "for that", d);
		return EPERM;
	}
	for (unsigned i = 0; i < old->nqueues; i++) {
		const char *id = old->queues[i].id;

		if (!config_queue(cfg, id) && queue_busy(cc, id)) {
			re_snprintf(why, sz, "queue %s has calls: it can go "
				    "once they are over", id);
			return EBUSY;
		}
	}
	for (unsigned i = 0; i < old->nagents; i++) {
		const char *id = old->agents[i].id;
		struct agent *a = center_agent(cc, id);
		char qid[CFG_ID_MAX + 2];
		enum acd_agent_state s;

		if (config_agent(cfg, id) || !a)
			continue;
		s = acd_agent_state(a->acd);
		re_snprintf(qid, sizeof(qid), "@%s", id);
		if (s == ACD_AGENT_OFFERED || s == ACD_AGENT_BUSY ||
		    s == ACD_AGENT_WRAPUP || queue_busy(cc, qid)) {
			re_snprintf(why, sz, "agent %s is in a call or wrap-up "
				    "(or a caller waits for it): it can go "
				    "once that is over", id);
			return EBUSY;
		}
	}
	return 0;
}

/* Every configured queue's settings, with overflow targets (which may be
 * queues added by this change). */
static int queues_conf(struct center *cc, const struct config *cfg)
{
	for (unsigned i = 0; i < cfg->nqueues; i++) {
		const struct cfg_queue *q = &cfg->queues[i];
		struct acd_queue_conf qc = q->acd;
		int e;

		qc.offer_timeout_ms = 0;        /* the ring timer is ours */
		qc.overflow_queue = q->acd.overflow == ACD_OVF_QUEUE
			? acd_queue_find(cc->acd, q->overflow_queue) : NULL;
		if (q->acd.overflow == ACD_OVF_QUEUE && !qc.overflow_queue)
			qc.overflow = ACD_OVF_NONE;
		e = acd_queue_conf_set(acd_queue_find(cc->acd, q->id), &qc);
		if (e)
			return e;
	}
	return 0;
}

static bool has_skill(const struct cfg_agent *ca, const char *skill)
{
	for (unsigned i = 0; i < ca->nskills; i++) {
		if (!strcmp(ca->skills[i].skill, skill))
			return true;
	}
	return false;
}

static const struct cfg_member *member(const struct cfg_agent *ca,
				       const char *queue)
{
	for (unsigned i = 0; i < ca->nmembers; i++) {
		if (!strcmp(ca->members[i].queue, queue))
			return &ca->members[i];
	}
	return NULL;
}

/* A kept agent: skills and queues as the new configuration says. */
static int agent_change(struct center *cc, struct agent *a,
			const struct cfg_agent *ca)
{
	const struct cfg_agent *was = a->cfg;
	int e;

	for (unsigned i = 0; i < was->nskills; i++) {
		uint16_t id;

		if (has_skill(ca, was->skills[i].skill) ||
		    acd_skill_find(cc->acd, was->skills[i].skill, &id))
			continue;
		e = acd_agent_skill_set(a->acd, id, 0);
		if (e)
			return e;
	}
	for (unsigned i = 0; i < was->nmembers; i++) {
		const struct cfg_member *m = member(ca, was->members[i].queue);

		if (m && m->priority == was->members[i].priority)
			continue;
		(void)acd_member_remove(a->acd, acd_queue_find(cc->acd,
					was->members[i].queue));
	}
	for (unsigned i = 0; i < ca->nskills; i++) {
		uint16_t id;

		e = acd_skill_find(cc->acd, ca->skills[i].skill, &id);
		e = e ? e : acd_agent_skill_set(a->acd, id,
						ca->skills[i].level);
		if (e)
			return e;
	}
	for (unsigned i = 0; i < ca->nmembers; i++) {
		const struct cfg_member *m = member(was, ca->members[i].queue);
		struct acd_member_conf mc;

		if (m && m->priority == ca->members[i].priority)
			continue;
		acd_member_conf_init(&mc);
		mc.priority = ca->members[i].priority;
		e = acd_member_add(a->acd, acd_queue_find(cc->acd,
				   ca->members[i].queue), &mc);
		if (e)
			return e;
	}
	a->cfg = ca;
	return 0;
}

/* An agent that is gone (checked: not in a call). */
static int agent_remove(struct center *cc, struct agent *a)
{
	char qid[CFG_ID_MAX + 2];
	uint64_t now = center_now(cc);
	int e;

	re_snprintf(qid, sizeof(qid), "@%s", a->cfg->id);
	if (acd_agent_state(a->acd) != ACD_AGENT_LOGGED_OUT) {
		e = acd_agent_logout(a->acd, now);
		if (e)
			return e;
	}
	for (unsigned i = 0; i < a->cfg->nmembers; i++)
		(void)acd_member_remove(a->acd, acd_queue_find(cc->acd,
					a->cfg->members[i].queue));
	(void)acd_member_remove(a->acd, acd_queue_find(cc->acd, qid));
	e = acd_agent_remove(a->acd);
	e = e ? e : acd_queue_remove(acd_queue_find(cc->acd, qid));
	if (e)
		return e;
	LOG_INFO("config", "agent %s removed", qid + 1);
	mem_deref(a);
	return 0;
}

int center_reconfigure(struct center *cc, struct config *cfg, char *why,
		       size_t sz)
{
	struct config *old = cc->cfg;
	unsigned added = 0, removed = 0;
	int e, failed = 0;

	e = center_reconfigure_check(cc, cfg, why, sz);
	if (e)
		return e;
	for (unsigned i = 0; i < cfg->nskills; i++) {
		uint16_t id;

		if (!acd_skill_find(cc->acd, cfg->skills[i], &id))
			continue;
		e = acd_skill_add(cc->acd, cfg->skills[i], NULL);
		if (e)
			goto fail;
	}
	for (unsigned i = 0; i < cfg->nqueues; i++) {
		struct acd_queue_conf qc = cfg->queues[i].acd;

		if (acd_queue_find(cc->acd, cfg->queues[i].id))
			continue;
		qc.overflow = ACD_OVF_NONE;     /* queues_conf() sets it */
		qc.overflow_queue = NULL;
		qc.offer_timeout_ms = 0;
		e = acd_queue_add(NULL, cc->acd, cfg->queues[i].id, &qc);
		if (e)
			goto fail;
		added++;
	}
	e = queues_conf(cc, cfg);
	if (e)
		goto fail;
	for (unsigned i = 0; i < cfg->nagents; i++) {
		const struct cfg_agent *ca = &cfg->agents[i];
		struct agent *a = center_agent(cc, ca->id);

		e = a ? agent_change(cc, a, ca) : center_agent_add(cc, ca);
		if (e)
			goto fail;
		added += !a;
	}
	for (unsigned i = 0; i < old->nagents; i++) {
		struct agent *a = center_agent(cc, old->agents[i].id);

		if (!a || config_agent(cfg, old->agents[i].id))
			continue;
		e = agent_remove(cc, a);
		if (e)
			goto fail;
		removed++;
	}
	for (unsigned i = 0; i < old->nqueues; i++) {
		if (config_queue(cfg, old->queues[i].id))
			continue;
		e = acd_queue_remove(acd_queue_find(cc->acd,
						    old->queues[i].id));
		if (e)
			goto fail;
		removed++;
	}

 swap:
	/* from here on, cc->cfg is the new one; calls keep the old alive.
	 * Even after a failure: agents may point into cfg already. */
	cc->cfg = mem_ref(cfg);
	e = today_remap(cc, old);
	e = e ? e : scripts_remap(cc);
	e = e ? e : customers_seed(cc, true);
	if (!e && center_seed_store(cc))
		LOG_WARN("config", "the store's copy of the configuration was "
			 "not updated");
	mem_deref(old);
	if (failed) {
		re_snprintf(why, sz, "the engine refused a change (%s): "
			    "partly applied; restart the server to be sure",
			    acd_errmsg(cc->acd));
		LOG_ERR("config", "%s", why);
		return failed;
	}
	if (e) {
		re_snprintf(why, sz, "applied, but: %m", e);
		return e;
	}
	center_acd_sched(cc);
	LOG_INFO("config", "new configuration: %u queues, %u agents (%u "
		 "objects added, %u removed)", cfg->nqueues, cfg->nagents,
		 added, removed);
	center_event(cc, "config", NULL, NULL, NULL, "%u queues %u agents",
		     cfg->nqueues, cfg->nagents);
	return 0;
 fail:
	failed = e;
	goto swap;
}
