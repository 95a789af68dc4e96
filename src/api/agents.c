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

static int agent_odict(struct odict **odp, struct agent *a)
{
	struct odict *od;
	const char *reason = acd_agent_reason(a->acd);
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
	if (err)
		mem_deref(od);
	else
		*odp = od;
	return err;
}

static void status_reply(struct api_req *r, bool queues_only)
{
	struct odict *od = NULL, *qs = NULL, *as = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 8);
	err |= odict_alloc(&qs, 8);
	err |= odict_alloc(&as, 8);
	if (err)
		goto out;
	for (unsigned i = 0; i < r->cc->cfg->nqueues; i++) {
		const char *id = r->cc->cfg->queues[i].id;
		struct acd_queue_stats st;

		acd_queue_stats(acd_queue_find(r->cc->acd, id), &st);
		err = odict_alloc(&o, 8);
		if (err)
			goto out;
		err = odict_entry_add(o, "id", ODICT_STRING, id);
		err |= odict_entry_add(o, "waiting", ODICT_INT,
				       (int64_t)st.waiting);
		err |= odict_entry_add(o, "ringing", ODICT_INT,
				       (int64_t)st.offered);
		err |= odict_entry_add(o, "talking", ODICT_INT,
				       (int64_t)st.connected);
		err |= odict_entry_add(o, "agents_ready", ODICT_INT,
				       (int64_t)st.agents_ready);
		err |= odict_entry_add(o, "entered", ODICT_INT,
				       (int64_t)st.entered);
		err |= odict_entry_add(o, "answered", ODICT_INT,
				       (int64_t)st.answered);
		err |= odict_entry_add(o, "abandoned", ODICT_INT,
				       (int64_t)st.abandoned);
		re_snprintf(idx, sizeof(idx), "%u", i);
		err |= odict_entry_add(qs, idx, ODICT_OBJECT, o);
		mem_deref(o);
		if (err)
			goto out;
	}
	for (unsigned i = 0, k = 0; !queues_only && i < r->cc->cfg->nagents;
	     i++) {
		struct agent *a = center_agent(r->cc, r->cc->cfg->agents[i].id);

		if (!api_sees_agent(&r->who, a))
			continue;
		err = agent_odict(&o, a);
		if (err)
			goto out;
		re_snprintf(idx, sizeof(idx), "%u", k++);
		err = odict_entry_add(as, idx, ODICT_OBJECT, o);
		mem_deref(o);
		if (err)
			goto out;
	}
	if (queues_only) {
		err = odict_entry_add(od, "queues", ODICT_ARRAY, qs);
	}
	else {
		err = odict_entry_add(od, "queues", ODICT_ARRAY, qs);
		err |= odict_entry_add(od, "agents", ODICT_ARRAY, as);
		err |= odict_entry_add(od, "calls_live", ODICT_INT,
				       (int64_t)r->cc->st.calls_live);
	}
	if (!err)
		(void)api_json(r->conn, od);
 out:
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
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
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&as, 8);
	for (unsigned i = 0, k = 0; !err && i < r->cc->cfg->nagents; i++) {
		struct agent *a = center_agent(r->cc, r->cc->cfg->agents[i].id);

		if (!api_sees_agent(&r->who, a))
			continue;
		err = agent_odict(&o, a);
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
	mem_deref(as);
	mem_deref(od);
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
	if (agent_odict(&od, a)) {
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
	if (reason && odict_get_type(in, ODICT_STRING, "reason") == NULL) {
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
	err = agent_odict(&out, a);
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
