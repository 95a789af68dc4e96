/* api/agents.c  Agents and queues, live (docs/api.md):
 *
 *   GET  /api/v1/status              queues and agents
 *   GET  /api/v1/queues              queues
 *   GET  /api/v1/agents              agents (an agent: itself only)
 *   GET  /api/v1/agents/ID           one agent
 *   POST /api/v1/agents/ID/state     {"state": "ready" | "not-ready" |
 *                                     "logged-out", "reason": "break"}
 *
 * An agent sees and changes only itself; a supervisor or an admin every
 * agent.  Reads memory only.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "api/api_int.h"

/* c: the live call the agent rings or talks to, or NULL. */
static int agent_odict(struct odict **odp, struct agent *a,
		       const struct call *c)
{
	struct odict *od, *qs = NULL;
	const char *reason = acd_agent_reason(a->acd);
	char idx[16];
	int err;

	err = odict_alloc(&od, 8);
	if (err)
		return err;
	err = odict_entry_add(od, "id", ODICT_STRING, a->cfg->id);
	err |= odict_entry_add(od, "name", ODICT_STRING, a->cfg->name);
	err |= odict_entry_add(od, "state", ODICT_STRING,
			       acd_agent_state_name(acd_agent_state(a->acd)));
	if (reason)
		err |= odict_entry_add(od, "reason", ODICT_STRING, reason);
	err |= odict_entry_add(od, "registered", ODICT_BOOL, a->registered);
	err |= odict_entry_add(od, "since", ODICT_INT, a->state_since);
	if (c)
		err |= odict_entry_add(od, "call", ODICT_STRING, c->id);
	err |= odict_alloc(&qs, 8);
	for (unsigned i = 0; !err && i < a->cfg->nmembers; i++) {
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(qs, idx, ODICT_STRING,
				      a->cfg->members[i].queue);
	}
	err = err ? err : odict_entry_add(od, "queues", ODICT_ARRAY, qs);
	mem_deref(qs);
	if (err)
		mem_deref(od);
	else
		*odp = od;
	return err;
}

/* The live call each agent rings or talks to, by agent index in the
 * configuration: one pass over the calls. */
struct calls_of {
	const struct config *cfg;
	const struct call **by;       /* [nagents] */
};

static bool call_of(struct le *le, void *arg)
{
	struct calls_of *w = arg;
	const struct call *c = le->data;

	if (c->agent && (c->state == CALL_RINGING ||
			 c->state == CALL_BRIDGED || c->state == CALL_DIALING))
		w->by[c->agent->cfg - w->cfg->agents] = c;
	return false;
}

static const struct call **calls_by_agent(struct center *cc)
{
	struct calls_of w = {cc->cfg, NULL};

	w.by = mem_zalloc((cc->cfg->nagents ? cc->cfg->nagents : 1)
			  * sizeof(*w.by), NULL);
	if (w.by)
		(void)hash_apply(cc->calls, call_of, &w);
	return w.by;
}

static const char *const state_keys[ACD_AGENT_STATE_COUNT] = {
	[ACD_AGENT_LOGGED_OUT] = "logged-out",
	[ACD_AGENT_AVAILABLE] = "available",
	[ACD_AGENT_OFFERED] = "offered",
	[ACD_AGENT_BUSY] = "busy",
	[ACD_AGENT_WRAPUP] = "wrap-up",
	[ACD_AGENT_NOT_READY] = "not-ready",
};

static int queue_odict(struct odict **odp, struct center *cc, unsigned qi,
		       const uint32_t by_state[ACD_AGENT_STATE_COUNT])
{
	const struct cfg_queue *q = &cc->cfg->queues[qi];
	const struct queue_day *d = today_queue(cc, q);
	struct acd_queue_stats st;
	struct odict *o, *td = NULL, *ags = NULL;
	uint64_t now = center_now(cc);
	int err;

	acd_queue_stats(acd_queue_find(cc->acd, q->id), &st);
	err = odict_alloc(&o, 24);
	if (err)
		return err;
	err = odict_entry_add(o, "id", ODICT_STRING, q->id);
	err |= odict_entry_add(o, "waiting", ODICT_INT, (int64_t)st.waiting);
	err |= odict_entry_add(o, "ringing", ODICT_INT, (int64_t)st.offered);
	err |= odict_entry_add(o, "talking", ODICT_INT,
			       (int64_t)st.connected);
	err |= odict_entry_add(o, "agents_ready", ODICT_INT,
			       (int64_t)st.agents_ready);
	err |= odict_entry_add(o, "agents_logged_in", ODICT_INT,
			       (int64_t)st.agents_logged_in);
	err |= odict_entry_add(o, "entered", ODICT_INT, (int64_t)st.entered);
	err |= odict_entry_add(o, "answered", ODICT_INT,
			       (int64_t)st.answered);
	err |= odict_entry_add(o, "abandoned", ODICT_INT,
			       (int64_t)st.abandoned);
	err |= odict_entry_add(o, "longest_wait_ms", ODICT_INT,
			       (int64_t)(st.waiting && st.oldest_since <= now
					 ? now - st.oldest_since : 0));
	if (q->acd.sl_percent) {
		err |= odict_entry_add(o, "sl_seconds", ODICT_INT,
				       (int64_t)(q->acd.sl_target_ms / 1000));
		err |= odict_entry_add(o, "sl_target", ODICT_INT,
				       (int64_t)q->acd.sl_percent);
	}
	else {          /* no [queue] sl: no goal, no service level */
		err |= odict_entry_add(o, "sl_seconds", ODICT_NULL);
		err |= odict_entry_add(o, "sl_target", ODICT_NULL);
	}
	err |= odict_entry_add(o, "alert_wait_s", ODICT_INT,
			       (int64_t)(q->alert_wait_ms / 1000));
	err |= odict_entry_add(o, "record", ODICT_BOOL, q->record);
	err |= odict_alloc(&td, 8);
	if (err)
		goto out;
	err = odict_entry_add(td, "offered", ODICT_INT, (int64_t)d->offered);
	err |= odict_entry_add(td, "answered", ODICT_INT,
			       (int64_t)d->answered);
	err |= odict_entry_add(td, "answered_in_sl", ODICT_INT,
			       (int64_t)d->answered_in_sl);
	err |= odict_entry_add(td, "abandoned", ODICT_INT,
			       (int64_t)d->abandoned);
	err |= odict_entry_add(td, "overflowed", ODICT_INT,
			       (int64_t)d->overflowed);
	err |= odict_entry_add(td, "hung_up", ODICT_INT, (int64_t)d->hung_up);
	if (q->acd.sl_percent && d->answered + d->abandoned)
		err |= odict_entry_add(td, "service_level", ODICT_DOUBLE,
				       100.0 * (double)d->answered_in_sl /
				       (double)(d->answered + d->abandoned));
	else
		err |= odict_entry_add(td, "service_level", ODICT_NULL);
	if (d->answered)
		err |= odict_entry_add(td, "asa_ms", ODICT_INT,
				       (int64_t)(d->wait_ms_sum / d->answered));
	else
		err |= odict_entry_add(td, "asa_ms", ODICT_NULL);
	err |= odict_entry_add(o, "today", ODICT_OBJECT, td);
	err |= odict_alloc(&ags, 8);
	for (unsigned s = 0; !err && s < ACD_AGENT_STATE_COUNT; s++)
		err = odict_entry_add(ags, state_keys[s], ODICT_INT,
				      (int64_t)by_state[s]);
	err = err ? err : odict_entry_add(o, "agents_by_state", ODICT_OBJECT,
					  ags);
 out:
	mem_deref(td);
	mem_deref(ags);
	if (err)
		mem_deref(o);
	else
		*odp = o;
	return err;
}

/* GET /api/v1/status and /queues.  O(queues + agents x memberships +
 * live calls). */
static void status_reply(struct api_req *r, bool queues_only)
{
	struct center *cc = r->cc;
	struct odict *od = NULL, *qs = NULL, *as = NULL, *o;
	const struct call **calls = NULL;
	uint32_t (*by_state)[ACD_AGENT_STATE_COUNT] = NULL;
	char idx[16];
	int err;

	err = odict_alloc(&od, 8);
	err |= odict_alloc(&qs, 8);
	err |= odict_alloc(&as, 8);
	by_state = mem_zalloc((cc->cfg->nqueues ? cc->cfg->nqueues : 1)
			      * sizeof(*by_state), NULL);
	calls = queues_only ? NULL : calls_by_agent(cc);
	if (err || !by_state || (!queues_only && !calls)) {
		err = ENOMEM;
		goto out;
	}
	/* members by state, per queue */
	for (unsigned i = 0; i < cc->cfg->nagents; i++) {
		const struct cfg_agent *ca = &cc->cfg->agents[i];
		struct agent *a = center_agent(cc, ca->id);
		enum acd_agent_state s = acd_agent_state(a->acd);

		for (unsigned m = 0; m < ca->nmembers; m++) {
			const struct cfg_queue *q =
				config_queue(cc->cfg, ca->members[m].queue);

			if (q && (unsigned)s < ACD_AGENT_STATE_COUNT)
				by_state[q - cc->cfg->queues][s]++;
		}
	}
	for (unsigned i = 0; i < cc->cfg->nqueues; i++) {
		err = queue_odict(&o, cc, i, by_state[i]);
		if (err)
			goto out;
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(qs, idx, ODICT_OBJECT, o);
		mem_deref(o);
		if (err)
			goto out;
	}
	for (unsigned i = 0, k = 0; !queues_only && i < cc->cfg->nagents;
	     i++) {
		struct agent *a = center_agent(cc, cc->cfg->agents[i].id);

		if (!api_sees_agent(&r->who, a))
			continue;
		err = agent_odict(&o, a, calls[i]);
		if (err)
			goto out;
		re_snprintf(idx, sizeof(idx), "%u", k++);
		err = odict_entry_add(as, idx, ODICT_OBJECT, o);
		mem_deref(o);
		if (err)
			goto out;
	}
	err = odict_entry_add(od, "t", ODICT_INT, center_wall(cc));
	err |= odict_entry_add(od, "queues", ODICT_ARRAY, qs);
	if (!queues_only) {
		err |= odict_entry_add(od, "agents", ODICT_ARRAY, as);
		err |= odict_entry_add(od, "calls_live", ODICT_INT,
				       (int64_t)cc->st.calls_live);
	}
	if (!err)
		(void)api_json(r->conn, od);
 out:
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	mem_deref(by_state);
	mem_deref(calls);
	mem_deref(qs);
	mem_deref(as);
	mem_deref(od);
}

static void status(struct api_req *r)
{
	status_reply(r, false);
}

static void queues(struct api_req *r)
{
	status_reply(r, true);
}

static void agents_list(struct api_req *r)
{
	struct odict *od = NULL, *as = NULL, *o;
	const struct call **calls = calls_by_agent(r->cc);
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&as, 8);
	err |= calls ? 0 : ENOMEM;
	for (unsigned i = 0, k = 0; !err && i < r->cc->cfg->nagents; i++) {
		struct agent *a = center_agent(r->cc, r->cc->cfg->agents[i].id);

		if (!api_sees_agent(&r->who, a))
			continue;
		err = agent_odict(&o, a, calls[i]);
		if (err)
			break;
		re_snprintf(idx, sizeof(idx), "%u", k++);
		err = odict_entry_add(as, idx, ODICT_OBJECT, o);
		mem_deref(o);
	}
	err = err ? err : odict_entry_add(od, "agents", ODICT_ARRAY, as);
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(calls);
	mem_deref(as);
	mem_deref(od);
}

/* One agent's live call, or NULL: O(live calls). */
static const struct call *agent_call(struct center *cc, struct agent *a)
{
	const struct call **calls = calls_by_agent(cc);
	const struct call *c;

	if (!calls)
		return NULL;
	c = calls[a->cfg - cc->cfg->agents];
	mem_deref(calls);
	return c;
}

/* The agent the path names, if the caller may see it; else replied. */
static struct agent *agent_arg(struct api_req *r)
{
	char id[CFG_ID_MAX + 1];
	struct agent *a;

	if (!api_arg(r, 0, id, sizeof(id), "no such agent"))
		return NULL;
	a = center_agent(r->cc, id);
	if (!a) {
		(void)api_error(r->conn, 404, "no such agent");
		return NULL;
	}
	if (!api_sees_agent(&r->who, a)) {
		(void)api_error(r->conn, 403, "an agent may see and change "
				"only itself");
		return NULL;
	}
	return a;
}

static void agent_one(struct api_req *r)
{
	struct agent *a = agent_arg(r);
	struct odict *od;

	if (!a)
		return;
	if (agent_odict(&od, a, agent_call(r->cc, a))) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	(void)api_json(r->conn, od);
	mem_deref(od);
}

static void set_state(struct api_req *r)
{
	struct agent *a = agent_arg(r);
	struct odict *in = NULL, *out = NULL;
	const char *state, *reason;
	int err;

	if (!a || api_body(r, &in))
		return;
	state = odict_string(in, "state");
	reason = odict_string(in, "reason");
	if (!state || (strcmp(state, "ready") && strcmp(state, "not-ready")
		       && strcmp(state, "logged-out"))) {
		(void)api_error(r->conn, 400, "\"state\" must be "
			   "\"ready\", \"not-ready\" or \"logged-out\"");
		goto out;
	}
	if (odict_lookup(in, "reason") &&
	    !odict_get_type(in, ODICT_STRING, "reason")) {
		(void)api_error(r->conn, 400, "\"reason\" must be a "
			   "string");
		goto out;
	}
	if (!strcmp(state, "ready") && !a->registered) {
		(void)api_error(r->conn, 409, "register your phone "
			   "before going ready");
		goto out;
	}
	err = agent_set_state(a, state, reason ? reason : "api");
	if (err && err != EALREADY) {
		(void)api_error(r->conn, err == ENOENT ? 400 : 409,
				acd_errmsg(r->cc->acd));
		goto out;
	}
	err = agent_odict(&out, a, agent_call(r->cc, a));
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, out);
 out:
	mem_deref(in);
	mem_deref(out);
}


const struct api_route api_routes_agents[] = {
	{"GET",  "/api/v1/status",         status,      CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/queues",         queues,      CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/agents",         agents_list, CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/agents/*",       agent_one,   CFG_ROLE_AGENT, 0},
	{"POST", "/api/v1/agents/*/state", set_state,   CFG_ROLE_AGENT, 0},
	{NULL, NULL, NULL, 0, 0}
};
