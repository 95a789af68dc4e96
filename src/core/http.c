/* core/http.c  The small HTTP JSON endpoint of the voice server (the full
 * REST API, with tokens and roles, comes with the CTI layer).
 *
 *   GET  /api/v1/status              queues and agents, live
 *   GET  /api/v1/agents/ID           one agent's state
 *   POST /api/v1/agents/ID/state     {"state": "ready" | "not-ready" |
 *                                     "logged-out", "reason": "break"}
 *
 * Every request authenticates with HTTP Basic as an agent (its SIP user
 * and password, checked against the digest HA1, so no password is kept);
 * an agent may change only its own state.  Errors are JSON
 * {"error": "..."} with 400 (bad JSON or value), 401 (no or wrong
 * credentials), 403 (another agent), 404, 405, 409 (the engine refused
 * the change in the agent's current state) and 413 (body over 4 KiB).
 * Handlers run on the loop and take microseconds: no I/O but the reply.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "core/core.h"

enum { BODY_MAX = 4096 };

static int jerr(struct http_conn *conn, uint16_t scode, const char *reason,
		const char *msg)
{
	struct odict *od;
	int err;

	err = odict_alloc(&od, 4);
	if (err)
		return http_ereply(conn, 500, "Internal Server Error");
	err = odict_entry_add(od, "error", ODICT_STRING, msg);
	if (!err)
		err = http_creply(conn, scode, reason, "application/json",
				  "%H\n", json_encode_odict, od);
	mem_deref(od);
	return err;
}

static int jreply(struct http_conn *conn, const struct odict *od)
{
	return http_creply(conn, 200, "OK", "application/json", "%H\n",
			   json_encode_odict, od);
}

/* Basic credentials of an agent; NULL when missing or wrong. */
static struct agent *authenticate(struct center *cc,
				  const struct http_msg *msg)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
	uint8_t buf[256], md[16];
	size_t n = sizeof(buf) - 1;
	char ha1[33], *colon;
	struct agent *a;
	struct pl b64;

	if (!h || re_regex(h->val.p, h->val.l, "Basic [^ ]+", &b64)
	    || b64.l > 340)
		return NULL;
	if (base64_decode(b64.p, b64.l, buf, &n))
		return NULL;
	buf[n] = '\0';
	if (strlen((char *)buf) != n)
		return NULL;
	colon = strchr((char *)buf, ':');
	if (!colon)
		return NULL;
	*colon = '\0';
	a = center_agent(cc, (char *)buf);
	if (!a)
		return NULL;
	md5_printf(md, "%s:%s:%s", a->cfg->id, cc->cfg->realm, colon + 1);
	re_snprintf(ha1, sizeof(ha1), "%w", md, sizeof(md));
	memset(buf, 0, sizeof(buf));
	return strcmp(ha1, a->cfg->ha1) ? NULL : a;
}

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

static void status(struct center *cc, struct http_conn *conn)
{
	struct odict *od = NULL, *qs = NULL, *as = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 8);
	err |= odict_alloc(&qs, 8);
	err |= odict_alloc(&as, 8);
	if (err)
		goto out;
	for (unsigned i = 0; i < cc->cfg->nqueues; i++) {
		const char *id = cc->cfg->queues[i].id;
		struct acd_queue_stats st;

		acd_queue_stats(acd_queue_find(cc->acd, id), &st);
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
	for (unsigned i = 0; i < cc->cfg->nagents; i++) {
		struct agent *a = center_agent(cc, cc->cfg->agents[i].id);

		err = agent_odict(&o, a);
		if (err)
			goto out;
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(as, idx, ODICT_OBJECT, o);
		mem_deref(o);
		if (err)
			goto out;
	}
	err = odict_entry_add(od, "queues", ODICT_ARRAY, qs);
	err |= odict_entry_add(od, "agents", ODICT_ARRAY, as);
	err |= odict_entry_add(od, "calls_live", ODICT_INT,
			       (int64_t)cc->st.calls_live);
	if (!err)
		(void)jreply(conn, od);
 out:
	if (err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	mem_deref(qs);
	mem_deref(as);
	mem_deref(od);
}

static void set_state(struct center *cc, struct http_conn *conn,
		      const struct http_msg *msg, struct agent *a)
{
	struct odict *in = NULL, *out = NULL;
	const char *state, *reason;
	int err;

	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)jerr(conn, 400, "Bad Request", "expected a JSON body");
		return;
	}
	err = json_decode_odict(&in, 8, (const char *)mbuf_buf(msg->mb),
				mbuf_get_left(msg->mb), 4);
	if (err || !in) {
		(void)jerr(conn, 400, "Bad Request", "malformed JSON");
		goto out;
	}
	state = odict_string(in, "state");
	reason = odict_string(in, "reason");
	if (!state || (strcmp(state, "ready") && strcmp(state, "not-ready")
		       && strcmp(state, "logged-out"))) {
		(void)jerr(conn, 400, "Bad Request", "\"state\" must be "
			   "\"ready\", \"not-ready\" or \"logged-out\"");
		goto out;
	}
	if (reason && odict_get_type(in, ODICT_STRING, "reason") == NULL) {
		(void)jerr(conn, 400, "Bad Request", "\"reason\" must be a "
			   "string");
		goto out;
	}
	if (!strcmp(state, "ready") && !a->registered) {
		(void)jerr(conn, 409, "Conflict", "register your phone "
			   "before going ready");
		goto out;
	}
	err = agent_set_state(a, state, reason ? reason : "api");
	if (err && err != EALREADY) {
		(void)jerr(conn, err == ENOENT ? 400 : 409,
			   err == ENOENT ? "Bad Request" : "Conflict",
			   acd_errmsg(cc->acd));
		goto out;
	}
	err = agent_odict(&out, a);
	if (err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else
		(void)jreply(conn, out);
 out:
	mem_deref(in);
	mem_deref(out);
}

/* "/api/v1/agents/ID[/REST]" into ID and "/REST" (or empty). */
static int path_agent(const struct pl *path, struct pl *id, struct pl *rest)
{
	static const char prefix[] = "/api/v1/agents/";
	const size_t n = sizeof(prefix) - 1;
	size_t i;

	if (path->l <= n || memcmp(path->p, prefix, n))
		return ENOENT;
	for (i = n; i < path->l && path->p[i] != '/'; i++)
		;
	id->p = path->p + n;
	id->l = i - n;
	rest->p = path->p + i;
	rest->l = path->l - i;
	return id->l ? 0 : ENOENT;
}

static void http_handler(struct http_conn *conn, const struct http_msg *msg,
			 void *arg)
{
	struct center *cc = arg;
	struct pl id, rest;
	struct agent *a, *who;
	char buf[CFG_ID_MAX + 1];

	if (msg->clen > BODY_MAX) {
		(void)jerr(conn, 413, "Payload Too Large", "body over 4096 "
			   "bytes");
		return;
	}
	who = authenticate(cc, msg);
	if (!who) {
		(void)http_creply(conn, 401, "Unauthorized",
				  "application/json",
				  "{\"error\":\"agent credentials needed "
				  "(HTTP Basic)\"}\n");
		return;
	}
	if (!pl_strcmp(&msg->path, "/api/v1/status")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		status(cc, conn);
		return;
	}
	if (path_agent(&msg->path, &id, &rest) || id.l >= sizeof(buf)) {
		(void)jerr(conn, 404, "Not Found", "no such resource");
		return;
	}
	(void)pl_strcpy(&id, buf, sizeof(buf));
	a = center_agent(cc, buf);
	if (!a) {
		(void)jerr(conn, 404, "Not Found", "no such agent");
		return;
	}
	if (!rest.l) {
		struct odict *od;

		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		if (agent_odict(&od, a)) {
			(void)jerr(conn, 500, "Internal Server Error",
				   "out of memory");
			return;
		}
		(void)jreply(conn, od);
		mem_deref(od);
		return;
	}
	if (pl_strcmp(&rest, "/state")) {
		(void)jerr(conn, 404, "Not Found", "no such resource");
		return;
	}
	if (pl_strcmp(&msg->met, "POST"))
		goto method;
	if (a != who) {
		(void)jerr(conn, 403, "Forbidden", "an agent may change only "
			   "its own state");
		return;
	}
	set_state(cc, conn, msg, a);
	return;
 method:
	(void)jerr(conn, 405, "Method Not Allowed", "method not allowed "
		   "here");
}

int http_api_listen(struct center *cc)
{
	if (!sa_isset(&cc->cfg->http_addr, SA_ALL))
		return 0;
	return http_listen(&cc->http, &cc->cfg->http_addr, http_handler, cc);
}
