/* api/calls.c  Calls (docs/api.md):
 *
 *   GET  /api/v1/calls               live calls (an agent: its own)
 *   GET  /api/v1/calls/ID            one live call
 *   POST /api/v1/calls/ID/disposition the agent's wrap-up code and notes
 *   POST /api/v1/calls/ID/hangup     end the call
 *   POST /api/v1/calls/ID/hold       {"hold": bool}: music to the caller
 *   POST /api/v1/calls/ID/transfer   {"queue"|"agent"|"number": target}
 *   POST /api/v1/calls/ID/recording  {"paused": bool}: e.g. card numbers
 *
 * An agent sees and controls the calls that ring it or that it talks to;
 * a supervisor and above every call.
 *   GET  /api/v1/dispositions        the wrap-up codes
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "store/store.h"
#include "api/api_int.h"

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
	err |= odict_entry_add(od, "held", ODICT_BOOL,
			       c->nholds && !c->holds[c->nholds - 1].end);
	if (c->rec)
		err |= odict_entry_add(od, "recording", ODICT_STRING,
				       c->rec_paused ? "paused" : "on");
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
static void calls_list(struct api_req *r)
{
	struct calls_walk w = {&r->who, NULL, 0, 0};
	struct odict *od = NULL;

	w.err = odict_alloc(&od, 4);
	w.err |= odict_alloc(&w.arr, 16);
	if (!w.err)
		(void)hash_apply(r->cc->calls, calls_one, &w);
	w.err = w.err ? w.err : odict_entry_add(od, "calls", ODICT_ARRAY,
						w.arr);
	if (w.err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(w.arr);
	mem_deref(od);
}

static void call_one(struct api_req *r)
{
	char buf[48];
	struct call *c;
	struct odict *od;

	if (!api_arg(r, 0, buf, sizeof(buf), "no such call"))
		return;
	c = center_call(r->cc, buf);
	if (!c || c->state == CALL_ENDED) {
		(void)api_error(r->conn, 404, "no such live call");
		return;
	}
	if (!sees_call(&r->who, c)) {
		(void)api_error(r->conn, 403, "an agent sees only its own "
			   "calls");
		return;
	}
	if (call_odict(&od, c)) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	(void)api_json(r->conn, od);
	mem_deref(od);
}

static void dispositions_list(struct api_req *r)
{
	struct odict *od = NULL, *arr = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&arr, 16);
	for (unsigned i = 0; !err && i < r->cc->cfg->ndispositions; i++) {
		const struct cfg_disposition *d = &r->cc->cfg->dispositions[i];

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
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(arr);
	mem_deref(od);
}

/* "script": the call script's path, [{"step": ID, "answer": TEXT}...]
 * (at most 100), as JSON text into *jsonp (NULL when absent); on a bad
 * one, 400 replied and EINVAL. */
static int script_answers(struct api_req *r, const struct odict *in,
			  char **jsonp)
{
	const struct odict_entry *e = odict_lookup(in, "script");
	struct le *le;

	*jsonp = NULL;
	if (!e || e->type == ODICT_NULL)
		return 0;
	if (e->type != ODICT_ARRAY || odict_count(e->u.odict, false) > 100)
		goto bad;
	LIST_FOREACH(&e->u.odict->lst, le) {
		const struct odict_entry *a = le->data;
		const char *step, *ans;

		if (a->type != ODICT_OBJECT || odict_count(a->u.odict, false)
		    != 2)
			goto bad;
		step = odict_string(a->u.odict, "step");
		ans = odict_string(a->u.odict, "answer");
		if (!step || !ans || strlen(step) > CFG_ID_MAX ||
		    strlen(ans) > 1000)
			goto bad;
	}
	/* libre encodes a top-level odict as an object: wrap the array,
	 * then keep what is inside {"a":...} */
	{
		struct odict *w = NULL;
		char *txt = NULL;
		int err = odict_alloc(&w, 1);

		err = err ? err : odict_entry_add(w, "a", ODICT_ARRAY,
						  e->u.odict);
		err = err ? err : re_sdprintf(&txt, "%H", json_encode_odict,
					      w);
		mem_deref(w);
		if (!err && (strlen(txt) < 6 || strncmp(txt, "{\"a\":", 5)))
			err = EPROTO;
		if (!err)
			err = re_sdprintf(jsonp, "%b", txt + 5,
					  strlen(txt) - 6);
		mem_deref(txt);
		if (err) {
			(void)api_error(r->conn, 500, "out of memory");
			return ENOMEM;
		}
	}
	return 0;
 bad:
	(void)api_error(r->conn, 400, "\"script\" must be an array of at "
			"most 100 {\"step\": ID, \"answer\": TEXT (at most 1000 bytes)}");
	return EINVAL;
}

/* POST /api/v1/calls/ID/disposition {"code": "...", "notes": "..."}:
 * an agent gives the call it talks to, or the last one it answered, a
 * wrap-up code (from [disposition]) and notes; stored, and published as
 * a "disposition" event.  A later one replaces it. */
static void disposition(struct api_req *r)
{
	const struct principal *who = &r->who;
	struct odict *in = NULL;
	const char *code, *notes;
	const struct call *c = NULL;
	char id[48], *script = NULL;
	int err;

	if (who->role != CFG_ROLE_AGENT || !who->agent) {
		(void)api_error(r->conn, 403, "a disposition is given by "
			   "the agent who took the call");
		return;
	}
	if (r->arg[0].l >= sizeof(id) ||
	    pl_strcpy(&r->arg[0], id, sizeof(id)) ||
	    (strcmp(id, who->agent->last_call) &&
	     (!(c = center_call(r->cc, id)) || c->agent != who->agent))) {
		(void)api_error(r->conn, 404, "not a call you took (the "
			   "current one or the last one)");
		return;
	}
	if (api_body(r, &in))
		return;
	code = odict_string(in, "code");
	notes = odict_string(in, "notes");
	if (!odict_get_type(in, ODICT_STRING, "code") || !code ||
	    !config_disposition(r->cc->cfg, code)) {
		(void)api_error(r->conn, 400, "\"code\" must be one of "
			   "GET /api/v1/dispositions");
		goto out;
	}
	if (odict_lookup(in, "notes") &&
	    (!odict_get_type(in, ODICT_STRING, "notes") ||
	     strlen(notes) > 2000)) {
		(void)api_error(r->conn, 400, "\"notes\" must be a "
			   "string of at most 2000 bytes");
		goto out;
	}
	if (script_answers(r, in, &script))
		goto out;
	err = store_disposition(r->cc->store, id, who->user, code, notes,
				script, center_wall(r->cc));
	if (err) {
		(void)api_error(r->conn, 500, "the store "
			   "refused the disposition");
		goto out;
	}
	center_event(r->cc, "disposition", who->user, id, NULL, "%s", code);
	(void)http_creply(r->conn, 200, "OK", "application/json",
			  "{\"call\":\"%s\",\"code\":\"%s\"}\n", id, code);
 out:
	mem_deref(script);
	mem_deref(in);
}

/* The live call the path names, if the caller may act on it: its agent
 * (ringing or talking) or a supervisor and above; else replied. */
static struct call *call_arg(struct api_req *r)
{
	char id[48];
	struct call *c;

	if (!api_arg(r, 0, id, sizeof(id), "no such call"))
		return NULL;
	c = center_call(r->cc, id);
	if (!c || c->state == CALL_ENDED) {
		(void)api_error(r->conn, 404, "no such live call");
		return NULL;
	}
	if (!sees_call(&r->who, c)) {
		(void)api_error(r->conn, 403, "an agent controls only its own "
				"calls");
		return NULL;
	}
	return c;
}

/* A boolean member of the body; false and a 400 sent when absent or of
 * another type. */
static bool body_bool(struct api_req *r, const char *key, bool *v)
{
	struct odict *in;
	const struct odict_entry *e;
	char m[64];

	if (api_body(r, &in))
		return false;
	e = odict_get_type(in, ODICT_BOOL, key);
	if (e)
		*v = e->u.boolean;
	mem_deref(in);
	if (!e) {
		re_snprintf(m, sizeof(m), "\"%s\" must be true or false",
			    key);
		(void)api_error(r->conn, 400, m);
	}
	return e != NULL;
}

static void control_reply(struct api_req *r, const struct call *c, int err,
			  const char *what)
{
	char m[128];

	switch (err) {
	case 0:
	case EALREADY:
		(void)http_creply(r->conn, 200, "OK", "application/json",
				  "{\"call\":\"%s\",\"ok\":true%s}\n",
				  c->id, err ? ",\"already\":true" : "");
		return;
	case ENOENT:
		re_snprintf(m, sizeof(m), "%s: not found", what);
		(void)api_error(r->conn, 404, m);
		return;
	case EPERM:
		re_snprintf(m, sizeof(m), "%s: not possible in the call's "
			    "state", what);
		(void)api_error(r->conn, 409, m);
		return;
	default:
		re_snprintf(m, sizeof(m), "%s failed", what);
		(void)api_error(r->conn, 500, m);
	}
}

/* Who acts, for the log and the event: "agent 1001", "supervisor sup",
 * "key crm" (in r's scratch). */
static const char *who_str(struct api_req *r)
{
	re_snprintf(r->scratch, sizeof(r->scratch), "%s %s", r->who.apikey
		    ? "key" : config_role_name(r->who.role), r->who.user);
	return r->scratch;
}

/* POST /api/v1/calls/ID/hangup */
static void hangup(struct api_req *r)
{
	struct call *c = call_arg(r);

	if (c)
		control_reply(r, c, call_ctl_hangup(c, who_str(r)), "hang-up");
}

/* POST /api/v1/calls/ID/hold {"hold": true | false} */
static void hold(struct api_req *r)
{
	struct call *c = call_arg(r);
	bool on;

	if (c && body_bool(r, "hold", &on))
		control_reply(r, c, call_ctl_hold(c, on), "hold");
}

/* POST /api/v1/calls/ID/recording {"paused": true | false} */
static void recording(struct api_req *r)
{
	struct call *c = call_arg(r);
	bool paused;

	if (c && body_bool(r, "paused", &paused))
		control_reply(r, c, call_ctl_record(c, paused), "recording");
}

/* POST /api/v1/calls/ID/transfer {"queue": ID} | {"agent": ID} |
 * {"number": N}: exactly one. */
static void transfer(struct api_req *r)
{
	struct call *c = call_arg(r);
	struct odict *in = NULL;
	const char *q, *ag, *nu;
	char target[CFG_ID_MAX + 8];

	if (!c || api_body(r, &in))
		return;
	q = odict_string(in, "queue");
	ag = odict_string(in, "agent");
	nu = odict_string(in, "number");
	if ((!!q + !!ag + !!nu) != 1 || odict_count(in, false) != 1 ||
	    strlen(q ? q : ag ? ag : nu) > CFG_ID_MAX) {
		(void)api_error(r->conn, 400, "expected one of \"queue\", "
				"\"agent\" or \"number\" (a string of at "
				"most 63 bytes)");
		goto out;
	}
	if (q && !config_queue(r->cc->cfg, q)) {
		(void)api_error(r->conn, 404, "no such queue");
		goto out;
	}
	if (ag && !center_agent(r->cc, ag)) {
		(void)api_error(r->conn, 404, "no such agent");
		goto out;
	}
	re_snprintf(target, sizeof(target), "%s%s", q ? "queue:" : "",
		    q ? q : ag ? ag : nu);
	control_reply(r, c, call_transfer(c, target, who_str(r)),
		      "transfer target");
 out:
	mem_deref(in);
}

const struct api_route api_routes_calls[] = {
	{"POST", "/api/v1/calls/*/hangup",      hangup,      CFG_ROLE_AGENT, 0},
	{"POST", "/api/v1/calls/*/hold",        hold,        CFG_ROLE_AGENT, 0},
	{"POST", "/api/v1/calls/*/transfer",    transfer,    CFG_ROLE_AGENT, 0},
	{"POST", "/api/v1/calls/*/recording",   recording,   CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/calls",               calls_list,  CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/calls/*",             call_one,    CFG_ROLE_AGENT, 0},
	{"POST", "/api/v1/calls/*/disposition", disposition, CFG_ROLE_AGENT,
	 128 * 1024},
	{"GET",  "/api/v1/dispositions", dispositions_list,  CFG_ROLE_AGENT, 0},
	{NULL, NULL, NULL, 0, 0}
};
