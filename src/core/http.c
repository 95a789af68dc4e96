/* core/http.c  The HTTP JSON API of the server (docs/api.md).
 *
 *   POST /api/v1/login               {"user", "password"} -> a token
 *   POST /api/v1/logout              ends the caller's session
 *   GET  /api/v1/me                  who the credentials are
 *   GET  /api/v1/events              the event stream (WebSocket; events.c)
 *   GET  /metrics                    Prometheus text (metrics.c)
 *   GET  /api/v1/status              queues and agents, live
 *   GET  /api/v1/queues              queues, live
 *   GET  /api/v1/agents              agents (an agent: itself only)
 *   GET  /api/v1/calls[/ID]          live calls (an agent: its own)
 *   POST /api/v1/calls/ID/disposition the agent's wrap-up code and notes
 *   GET  /api/v1/dispositions        the wrap-up codes
 *   GET  /api/v1/agents/ID           one agent's state
 *   POST /api/v1/agents/ID/state     {"state": "ready" | "not-ready" |
 *                                     "logged-out", "reason": "break"}
 *
 * Every route but login needs credentials (auth.c): a bearer token from
 * login or an API key, or HTTP Basic with an agent's SIP password.
 * Roles: an agent sees and changes only itself (its own state; in status
 * and the agent list only its own row); a supervisor or an admin sees and
 * changes every agent.  Errors are JSON {"error": "..."} with 400 (bad
 * JSON or value), 401 (no, wrong or expired credentials), 403 (not
 * allowed to this role), 404, 405, 409 (the engine refused the change in
 * the agent's current state) and 413 (body over 4 KiB).  Handlers run on
 * the loop and take microseconds (a user's log-in: one PBKDF2, ~10 ms):
 * no I/O but the reply.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "store/store.h"
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

static bool sees(const struct principal *who, const struct agent *a)
{
	return who->role != CFG_ROLE_AGENT || who->agent == a;
}

static void status(struct center *cc, struct http_conn *conn,
		   const struct principal *who, bool queues_only)
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
	for (unsigned i = 0, k = 0; !queues_only && i < cc->cfg->nagents;
	     i++) {
		struct agent *a = center_agent(cc, cc->cfg->agents[i].id);

		if (!sees(who, a))
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
				       (int64_t)cc->st.calls_live);
	}
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

static void agents_list(struct center *cc, struct http_conn *conn,
			const struct principal *who)
{
	struct odict *od = NULL, *as = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&as, 8);
	for (unsigned i = 0, k = 0; !err && i < cc->cfg->nagents; i++) {
		struct agent *a = center_agent(cc, cc->cfg->agents[i].id);

		if (!sees(who, a))
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
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else
		(void)jreply(conn, od);
	mem_deref(as);
	mem_deref(od);
}

static const char *call_state_name(enum call_state st)
{
	static const char *const n[] = {
		[CALL_NEW] = "new", [CALL_IVR] = "ivr",
		[CALL_QUEUED] = "queued", [CALL_RINGING] = "ringing",
		[CALL_BRIDGED] = "talking", [CALL_CALLBACK] = "callback",
		[CALL_DIALING] = "dialing", [CALL_TRANSFERRING] = "transferring",
		[CALL_ENDING] = "ending", [CALL_ENDED] = "ended",
	};

	return (unsigned)st < ARRAY_SIZE(n) && n[st] ? n[st] : "unknown";
}

/* An agent sees the calls it rings or talks to; others see all. */
static bool sees_call(const struct principal *who, const struct call *c)
{
	return who->role != CFG_ROLE_AGENT || c->agent == who->agent;
}

static int call_odict(struct odict **odp, const struct call *c)
{
	struct odict *od;
	int err = odict_alloc(&od, 16);

	if (err)
		return err;
	err = odict_entry_add(od, "id", ODICT_STRING, c->id);
	err |= odict_entry_add(od, "caller", ODICT_STRING, c->caller);
	err |= odict_entry_add(od, "dialled", ODICT_STRING, c->dialled);
	err |= odict_entry_add(od, "state", ODICT_STRING,
			       call_state_name(c->state));
	if (c->queue_name[0])
		err |= odict_entry_add(od, "queue", ODICT_STRING,
				       c->queue_name);
	if (c->agent)
		err |= odict_entry_add(od, "agent", ODICT_STRING,
				       c->agent->cfg->id);
	err |= odict_entry_add(od, "arrival", ODICT_INT, c->t_arrival);
	if (c->t_queue)
		err |= odict_entry_add(od, "queue_entry", ODICT_INT,
				       c->t_queue);
	if (c->t_answer)
		err |= odict_entry_add(od, "answer", ODICT_INT, c->t_answer);
	if (err)
		mem_deref(od);
	else
		*odp = od;
	return err;
}

struct calls_walk {
	const struct principal *who;
	struct odict *arr;
	unsigned n;
	int err;
};

static bool calls_one(struct le *le, void *arg)
{
	struct calls_walk *w = arg;
	const struct call *c = le->data;
	struct odict *o;
	char idx[16];

	if (c->state == CALL_ENDED || !sees_call(w->who, c))
		return false;
	w->err = call_odict(&o, c);
	if (w->err)
		return true;
	re_snprintf(idx, sizeof(idx), "%u", w->n++);
	w->err = odict_entry_add(w->arr, idx, ODICT_OBJECT, o);
	mem_deref(o);
	return w->err != 0;
}

/* GET /api/v1/calls: the live calls (history comes with the store's
 * reader).  O(live calls). */
static void calls_list(struct center *cc, struct http_conn *conn,
		       const struct principal *who)
{
	struct calls_walk w = {who, NULL, 0, 0};
	struct odict *od = NULL;

	w.err = odict_alloc(&od, 4);
	w.err |= odict_alloc(&w.arr, 16);
	if (!w.err)
		(void)hash_apply(cc->calls, calls_one, &w);
	w.err = w.err ? w.err : odict_entry_add(od, "calls", ODICT_ARRAY,
						w.arr);
	if (w.err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else
		(void)jreply(conn, od);
	mem_deref(w.arr);
	mem_deref(od);
}

static void call_one(struct center *cc, struct http_conn *conn,
		     const struct principal *who, const struct pl *id)
{
	char buf[48];
	struct call *c;
	struct odict *od;

	if (id->l >= sizeof(buf)) {
		(void)jerr(conn, 404, "Not Found", "no such call");
		return;
	}
	(void)pl_strcpy(id, buf, sizeof(buf));
	c = center_call(cc, buf);
	if (!c || c->state == CALL_ENDED) {
		(void)jerr(conn, 404, "Not Found", "no such live call");
		return;
	}
	if (!sees_call(who, c)) {
		(void)jerr(conn, 403, "Forbidden", "an agent sees only its own "
			   "calls");
		return;
	}
	if (call_odict(&od, c)) {
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
		return;
	}
	(void)jreply(conn, od);
	mem_deref(od);
}

static int body_json(struct http_conn *conn, const struct http_msg *msg,
		     struct odict **odp)
{
	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)jerr(conn, 400, "Bad Request", "expected a JSON body");
		return EINVAL;
	}
	if (json_decode_odict(odp, 8, (const char *)mbuf_buf(msg->mb),
			      mbuf_get_left(msg->mb), 4) || !*odp) {
		(void)jerr(conn, 400, "Bad Request", "malformed JSON");
		return EINVAL;
	}
	return 0;
}

static void dispositions_list(struct center *cc, struct http_conn *conn)
{
	struct odict *od = NULL, *arr = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&arr, 16);
	for (unsigned i = 0; !err && i < cc->cfg->ndispositions; i++) {
		const struct cfg_disposition *d = &cc->cfg->dispositions[i];

		err = odict_alloc(&o, 4);
		if (err)
			break;
		err = odict_entry_add(o, "code", ODICT_STRING, d->id);
		err |= odict_entry_add(o, "name", ODICT_STRING,
				       d->name[0] ? d->name : d->id);
		re_snprintf(idx, sizeof(idx), "%u", i);
		err |= odict_entry_add(arr, idx, ODICT_OBJECT, o);
		mem_deref(o);
	}
	err = err ? err : odict_entry_add(od, "dispositions", ODICT_ARRAY,
					  arr);
	if (err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else
		(void)jreply(conn, od);
	mem_deref(arr);
	mem_deref(od);
}

/* POST /api/v1/calls/ID/disposition {"code": "...", "notes": "..."}:
 * an agent gives the call it talks to, or the last one it answered, a
 * wrap-up code (from [disposition]) and notes; stored, and published as
 * a "disposition" event.  A later one replaces it. */
static void disposition(struct center *cc, struct http_conn *conn,
			const struct http_msg *msg,
			const struct principal *who, const struct pl *cid)
{
	struct odict *in = NULL;
	const char *code, *notes;
	const struct call *c = NULL;
	char id[48];
	int err;

	if (who->role != CFG_ROLE_AGENT || !who->agent) {
		(void)jerr(conn, 403, "Forbidden", "a disposition is given by "
			   "the agent who took the call");
		return;
	}
	if (cid->l >= sizeof(id) || pl_strcpy(cid, id, sizeof(id)) ||
	    (strcmp(id, who->agent->last_call) &&
	     (!(c = center_call(cc, id)) || c->agent != who->agent))) {
		(void)jerr(conn, 404, "Not Found", "not a call you took (the "
			   "current one or the last one)");
		return;
	}
	if (body_json(conn, msg, &in))
		return;
	code = odict_string(in, "code");
	notes = odict_string(in, "notes");
	if (!odict_get_type(in, ODICT_STRING, "code") || !code ||
	    !config_disposition(cc->cfg, code)) {
		(void)jerr(conn, 400, "Bad Request", "\"code\" must be one of "
			   "GET /api/v1/dispositions");
		goto out;
	}
	if (odict_lookup(in, "notes") &&
	    (!odict_get_type(in, ODICT_STRING, "notes") ||
	     strlen(notes) > 2000)) {
		(void)jerr(conn, 400, "Bad Request", "\"notes\" must be a "
			   "string of at most 2000 bytes");
		goto out;
	}
	err = store_disposition(cc->store, id, who->user, code, notes,
				center_wall(cc));
	if (err) {
		(void)jerr(conn, 500, "Internal Server Error", "the store "
			   "refused the disposition");
		goto out;
	}
	center_event(cc, "disposition", who->user, id, NULL, "%s", code);
	(void)http_creply(conn, 200, "OK", "application/json",
			  "{\"call\":\"%s\",\"code\":\"%s\"}\n", id, code);
 out:
	mem_deref(in);
}


static void login(struct center *cc, struct http_conn *conn,
		  const struct http_msg *msg)
{
	struct odict *in = NULL, *out = NULL;
	struct principal who;
	char token[65];
	const char *user, *pw;
	int err;

	if (body_json(conn, msg, &in))
		goto out;
	user = odict_string(in, "user");
	pw = odict_string(in, "password");
	if (!odict_get_type(in, ODICT_STRING, "user") ||
	    !odict_get_type(in, ODICT_STRING, "password")) {
		(void)jerr(conn, 400, "Bad Request", "\"user\" and "
			   "\"password\" must be strings");
		goto out;
	}
	if (auth_password(cc, user, pw, &who)) {
		LOG_INFO("http", "log-in refused for a user");
		(void)jerr(conn, 401, "Unauthorized", "wrong user or "
			   "password");
		goto out;
	}
	err = auth_session_open(cc->auth, &who, token);
	err = err ? err : odict_alloc(&out, 8);
	if (!err) {
		err = odict_entry_add(out, "token", ODICT_STRING, token);
		err |= odict_entry_add(out, "user", ODICT_STRING, who.user);
		err |= odict_entry_add(out, "role", ODICT_STRING,
				       config_role_name(who.role));
		err |= odict_entry_add(out, "expires_in", ODICT_INT,
				       (int64_t)cc->cfg->session_ttl);
	}
	memset(token, 0, sizeof(token));
	if (err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else {
		LOG_INFO("http", "%s logged in (%s)", who.user,
			 config_role_name(who.role));
		(void)jreply(conn, out);
	}
 out:
	mem_deref(in);
	mem_deref(out);
}

static void me(struct http_conn *conn, const struct principal *who)
{
	struct odict *od;
	int err = odict_alloc(&od, 8);

	if (!err) {
		err = odict_entry_add(od, "user", ODICT_STRING, who->user);
		err |= odict_entry_add(od, "role", ODICT_STRING,
				       config_role_name(who->role));
		err |= odict_entry_add(od, "apikey", ODICT_BOOL, who->apikey);
	}
	if (err)
		(void)jerr(conn, 500, "Internal Server Error", "out of memory");
	else
		(void)jreply(conn, od);
	mem_deref(od);
}

static bool is(const struct http_msg *msg, const char *path)
{
	return !pl_strcmp(&msg->path, path);
}

/* GET /api/v1/events: credentials in the header or as ?token= (a
 * browser's WebSocket cannot set headers), then the upgrade. */
static void events_route(struct center *cc, struct http_conn *conn,
			 const struct http_msg *msg)
{
	struct principal who;
	struct pl tok;
	int err;

	if (pl_strcmp(&msg->met, "GET")) {
		(void)jerr(conn, 405, "Method Not Allowed", "GET with a "
			   "WebSocket upgrade");
		return;
	}
	if (!events_query_token(msg, &tok))
		err = auth_bearer(cc->auth, &tok, &who);
	else
		err = auth_request(cc->auth, msg, &who, NULL);
	if (err) {
		(void)jerr(conn, 401, "Unauthorized", "credentials needed: "
			   "a token (header or ?token=), an API key or an "
			   "agent's HTTP Basic");
		return;
	}
	if (!http_msg_hdr(msg, HTTP_HDR_UPGRADE)) {
		(void)jerr(conn, 400, "Bad Request", "a WebSocket upgrade is "
			   "needed here");
		return;
	}
	err = events_subscribe(cc->events, conn, msg, &who);
	if (err == EINVAL)
		(void)jerr(conn, 400, "Bad Request", "agent, queue and call "
			   "take ids; since takes a sequence number");
	else if (err)
		(void)jerr(conn, 400, "Bad Request", "WebSocket upgrade "
			   "refused");
}

static void http_handler(struct http_conn *conn, const struct http_msg *msg,
			 void *arg)
{
	struct center *cc = arg;
	struct principal who;
	struct pl id, rest, token;
	struct agent *a;
	char buf[CFG_ID_MAX + 1];
	int err;

	if (msg->clen > BODY_MAX) {
		(void)jerr(conn, 413, "Payload Too Large", "body over 4096 "
			   "bytes");
		return;
	}
	if (web_path(&msg->path)) {     /* public pages: web.c */
		(void)web_static(conn, msg, cc->cfg->web); /* replied */
		return;
	}
	if (is(msg, "/api/v1/login")) {
		if (pl_strcmp(&msg->met, "POST"))
			goto method;
		login(cc, conn, msg);
		return;
	}
	if (is(msg, "/api/v1/events")) {
		events_route(cc, conn, msg);
		return;
	}
	err = auth_request(cc->auth, msg, &who, &token);
	if (err) {
		(void)jerr(conn, 401, "Unauthorized", err == ENOENT ?
			   "credentials needed: a bearer token from POST "
			   "/api/v1/login, an API key, or an agent's HTTP "
			   "Basic" : "wrong or expired credentials");
		return;
	}
	if (is(msg, "/api/v1/logout")) {
		if (pl_strcmp(&msg->met, "POST"))
			goto method;
		if (!pl_isset(&token) || auth_session_close(cc->auth, &token)) {
			(void)jerr(conn, 400, "Bad Request", "no session to "
				   "end: log out a token from POST "
				   "/api/v1/login");
			return;
		}
		(void)http_creply(conn, 200, "OK", "application/json",
				  "{\"ok\":true}\n");
		return;
	}
	if (is(msg, "/metrics")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		if (who.role < CFG_ROLE_SUPERVISOR) {
			(void)jerr(conn, 403, "Forbidden", "metrics are for "
				   "supervisors, admins and API keys");
			return;
		}
		(void)http_creply(conn, 200, "OK",
				  "text/plain; version=0.0.4", "%H",
				  metrics_print, cc);
		return;
	}
	if (is(msg, "/api/v1/me")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		me(conn, &who);
		return;
	}
	if (is(msg, "/api/v1/status") || is(msg, "/api/v1/queues")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		status(cc, conn, &who, is(msg, "/api/v1/queues"));
		return;
	}
	if (is(msg, "/api/v1/calls")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		calls_list(cc, conn, &who);
		return;
	}
	if (is(msg, "/api/v1/dispositions")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		dispositions_list(cc, conn);
		return;
	}
	if (msg->path.l > 14 && !memcmp(msg->path.p, "/api/v1/calls/", 14)) {
		struct pl cid = {msg->path.p + 14, msg->path.l - 14};
		const char *slash = memchr(cid.p, '/', cid.l);

		if (slash) {
			struct pl sub = {slash, cid.l - (size_t)(slash - cid.p)};

			cid.l = (size_t)(slash - cid.p);
			if (pl_strcmp(&sub, "/disposition")) {
				(void)jerr(conn, 404, "Not Found", "no such "
					   "resource");
				return;
			}
			if (pl_strcmp(&msg->met, "POST"))
				goto method;
			disposition(cc, conn, msg, &who, &cid);
			return;
		}
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		call_one(cc, conn, &who, &cid);
		return;
	}
	if (is(msg, "/api/v1/agents")) {
		if (pl_strcmp(&msg->met, "GET"))
			goto method;
		agents_list(cc, conn, &who);
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
	if (!sees(&who, a)) {
		(void)jerr(conn, 403, "Forbidden", "an agent may see and "
			   "change only itself");
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
