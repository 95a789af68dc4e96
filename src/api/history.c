/* api/history.c  Call history from the store (docs/api.md):
 *
 *   GET /api/v1/calls/history?agent=&queue=&caller=&outcome=&from=&to=
 *       &before=&limit=          ended calls, newest first, a page
 *   GET /api/v1/calls/ID/record  one call's stored record, with its
 *                                offers, holds, dispositions, recordings
 *   GET /api/v1/agents/ID/figures?from=  an agent's calls, talk time,
 *                                AHT and rank since `from` (default:
 *                                local midnight today)
 *
 * Every answer comes from the store's reader thread (store_read_*): the
 * handler validates the query, copies what the answer's handler needs
 * (who asks, a reference to the connection) into a small context and
 * returns; the answer's handler runs on the loop later.  So each handler
 * is O(1) on the loop, plus decoding the store's answer where the reply
 * depends on its content (the record, for an agent; the figures).
 *
 * Roles.  An agent sees only its own: the history is narrowed to the
 * calls it answered (asking for another agent's is 403), a record only
 * when it answered the call or was offered it (403 otherwise; the check
 * needs the record, so it is read first), figures only its own.  A
 * supervisor and above see everything.
 *
 * Times are Unix milliseconds; numbers in the query are plain decimal
 * digits (400 otherwise).  The store shows committed records only, a
 * few milliseconds behind the calls.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libre.h"
#include "store/store.h"
#include "api/api_int.h"

enum {
	RECORD_DEPTH_MAX = 32,        /* JSON nesting of a record (vars) */
};

/* What the answer's handler needs; a libre object on the loop thread. */
struct hist_ctx {
	struct http_conn *conn;       /* a reference */
	enum cfg_role role;
	char user[CFG_ID_MAX + 1];    /* who asks */
	char agent[CFG_ID_MAX + 1];   /* figures: of whom */
	int64_t from;                 /* figures: since when */
};

static void ctx_destructor(void *arg)
{
	struct hist_ctx *x = arg;

	mem_deref(x->conn);
}

static struct hist_ctx *ctx_alloc(struct api_req *r)
{
	struct hist_ctx *x = mem_zalloc(sizeof(*x), ctx_destructor);

	if (!x)
		return NULL;
	x->conn = mem_ref(r->conn);
	x->role = r->who.role;
	str_ncpy(x->user, r->who.user, sizeof(x->user));
	return x;
}


bool api_page_params(struct api_req *r, struct store_call_query *q,
		     const char *own_only)
{
	int64_t limit = 0;
	int err;

	if (api_query_num(r->msg, "from", &q->from) == EINVAL ||
	    api_query_num(r->msg, "to", &q->to) == EINVAL ||
	    api_query_num(r->msg, "before", &q->before) == EINVAL) {
		(void)api_error(r->conn, 400, "from, to and before take Unix "
				"milliseconds (decimal digits)");
		return false;
	}
	err = api_query_num(r->msg, "limit", &limit);
	if (err == EINVAL || (!err && (limit < 1 ||
				       limit > STORE_READ_LIMIT_MAX))) {
		(void)api_error(r->conn, 400, "limit is 1 to 1000");
		return false;
	}
	q->limit = (unsigned)limit;
	if (r->who.role == CFG_ROLE_AGENT) {
		if (q->agent && strcmp(q->agent, r->who.user)) {
			(void)api_error(r->conn, 403, own_only);
			return false;
		}
		q->agent = r->who.user;
	}
	return true;
}

/* GET /api/v1/calls/history */
static void history(struct api_req *r)
{
	char agent[CFG_ID_MAX + 1], queue[CFG_ID_MAX + 1];
	char caller[CFG_ID_MAX + 1], outcome[CFG_ID_MAX + 1];
	struct store_call_query q;
	void *arg;
	int err;

	memset(&q, 0, sizeof(q));
	if (api_query_id(r->msg, "agent", agent, sizeof(agent), &q.agent) ==
	    EINVAL ||
	    api_query_id(r->msg, "queue", queue, sizeof(queue), &q.queue) ==
	    EINVAL ||
	    api_query_id(r->msg, "caller", caller, sizeof(caller), &q.caller) ==
	    EINVAL ||
	    api_query_id(r->msg, "outcome", outcome, sizeof(outcome),
		     &q.outcome) == EINVAL) {
		(void)api_error(r->conn, 400, "agent, queue, caller and "
				"outcome take a value of 1 to 63 bytes");
		return;
	}
	if (!api_page_params(r, &q, "an agent sees only the calls it "
			     "answered"))
		return;
	arg = api_read_arg(r);
	err = store_read_calls(r->cc->store, &q, api_read_reply, arg);
	api_read_fail(r, arg, err);
}

/* Did `user` answer, or was it offered, the call of this record? */
static int record_is_agents(const char *json, size_t len, const char *user,
			    bool *mine)
{
	const struct odict_entry *e;
	struct odict *od = NULL;
	const char *a;
	struct le *le;
	int err;

	*mine = false;
	err = json_decode_odict(&od, 16, json, len, RECORD_DEPTH_MAX);
	if (err)
		return err;
	a = odict_string(od, "agent");
	if (a && !strcmp(a, user))
		*mine = true;
	e = odict_get_type(od, ODICT_ARRAY, "offers");
	for (le = e ? e->u.odict->lst.head : NULL; le && !*mine;
	     le = le->next) {
		const struct odict_entry *o = le->data;

		if (o->type != ODICT_OBJECT)
			continue;
		a = odict_string(o->u.odict, "agent");
		*mine = a && !strcmp(a, user);
	}
	mem_deref(od);
	return 0;
}

static void record_reply(int err, const char *json, size_t len, void *arg)
{
	struct hist_ctx *x = arg;
	bool mine = true;

	if (!err && x->role == CFG_ROLE_AGENT &&
	    record_is_agents(json, len, x->user, &mine)) {
		LOG_WARN("http", "call record for %s: the store's answer is "
			 "not JSON this server reads", x->user);
		(void)api_error(x->conn, 500, "the call record could not be "
				"checked");
	}
	else if (!mine)
		(void)api_error(x->conn, 403, "an agent reads only the "
				"records of the calls it answered or was "
				"offered");
	else
		api_read_reply(err, json, len, mem_ref(x->conn));
	mem_deref(x);
}

/* GET /api/v1/calls/ID/record */
static void record(struct api_req *r)
{
	struct hist_ctx *x;
	char id[48];
	int err;

	if (!api_arg(r, 0, id, sizeof(id), "no such call"))
		return;
	x = ctx_alloc(r);
	if (!x) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	err = store_read_call(r->cc->store, id, record_reply, x);
	if (err) {
		mem_deref(x);
		api_read_fail(r, NULL, err);
	}
}

/* Unix ms of the last local midnight before now_ms (0 if unknown). */
static int64_t local_midnight(int64_t now_ms)
{
	time_t s = (time_t)(now_ms / 1000), m;
	struct tm tm;

	if (!localtime_r(&s, &tm))
		return 0;
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	m = mktime(&tm);
	return m == (time_t)-1 ? 0 : (int64_t)m * 1000;
}

/* The figures of x->agent from the store's list of every agent's,
 * ordered by calls desc: its own members, and rank = 1 + the agents with
 * more calls (ties share a rank), of = the agents with calls. */
static int figures_odict(struct odict **odp, const struct hist_ctx *x,
			 const char *json, size_t len)
{
	const struct odict_entry *arr, *e, *mine = NULL;
	struct odict *in = NULL, *od = NULL;
	int64_t ranked = 0, above = 0, calls = 0;
	struct le *le;
	int err;

	err = json_decode_odict(&in, 16, json, len, 4);
	if (err)
		return err;
	arr = odict_get_type(in, ODICT_ARRAY, "agents");
	if (!arr) {
		err = EBADMSG;
		goto out;
	}
	LIST_FOREACH(&arr->u.odict->lst, le) {
		const struct odict_entry *o = le->data;
		const char *a;

		if (o->type != ODICT_OBJECT)
			continue;
		a = odict_string(o->u.odict, "agent");
		if (a && !strcmp(a, x->agent))
			mine = o;
	}
	if (mine) {
		e = odict_get_type(mine->u.odict, ODICT_INT, "calls");
		calls = e ? e->u.integer : 0;
	}
	LIST_FOREACH(&arr->u.odict->lst, le) {
		const struct odict_entry *o = le->data;

		if (o->type != ODICT_OBJECT)
			continue;
		e = odict_get_type(o->u.odict, ODICT_INT, "calls");
		if (!e || e->u.integer < 1)
			continue;
		++ranked;
		if (mine && e->u.integer > calls)
			++above;
	}
	err = odict_alloc(&od, 8);
	if (err)
		goto out;
	err = odict_entry_add(od, "agent", ODICT_STRING, x->agent);
	err |= odict_entry_add(od, "from", ODICT_INT, x->from);
	err |= odict_entry_add(od, "calls", ODICT_INT, calls);
	e = mine ? odict_get_type(mine->u.odict, ODICT_INT, "talk_ms") : NULL;
	err |= odict_entry_add(od, "talk_ms", ODICT_INT,
			       e ? e->u.integer : (int64_t)0);
	e = mine ? odict_get_type(mine->u.odict, ODICT_INT, "aht_ms") : NULL;
	if (e)
		err |= odict_entry_add(od, "aht_ms", ODICT_INT, e->u.integer);
	else
		err |= odict_entry_add(od, "aht_ms", ODICT_NULL);
	if (mine && calls > 0)
		err |= odict_entry_add(od, "rank", ODICT_INT, above + 1);
	else
		err |= odict_entry_add(od, "rank", ODICT_NULL);
	err |= odict_entry_add(od, "of", ODICT_INT, ranked);
 out:
	mem_deref(in);
	if (err)
		mem_deref(od);
	else
		*odp = od;
	return err;
}

static void figures_reply(int err, const char *json, size_t len,
			  void *arg)
{
	struct hist_ctx *x = arg;
	struct odict *od = NULL;

	if (err)
		api_read_reply(err, json, len, mem_ref(x->conn));
	else if (figures_odict(&od, x, json, len)) {
		LOG_WARN("http", "figures of %s: the store's answer is not "
			 "JSON this server reads", x->agent);
		(void)api_error(x->conn, 500, "the figures could not be read");
	}
	else
		(void)api_json(x->conn, od);
	mem_deref(od);
	mem_deref(x);
}

/* GET /api/v1/agents/ID/figures?from= */
static void figures(struct api_req *r)
{
	const struct agent *a;
	struct hist_ctx *x;
	char id[CFG_ID_MAX + 1];
	int64_t from;
	int err;

	if (!api_arg(r, 0, id, sizeof(id), "no such agent"))
		return;
	a = center_agent(r->cc, id);
	if (!a) {
		(void)api_error(r->conn, 404, "no such agent");
		return;
	}
	if (!api_sees_agent(&r->who, a)) {
		(void)api_error(r->conn, 403, "an agent sees only its own "
				"figures");
		return;
	}
	from = local_midnight(center_wall(r->cc));
	if (api_query_num(r->msg, "from", &from) == EINVAL) {
		(void)api_error(r->conn, 400, "from takes Unix milliseconds "
				"(decimal digits)");
		return;
	}
	x = ctx_alloc(r);
	if (!x) {
		(void)api_error(r->conn, 500, "out of memory");
		return;
	}
	str_ncpy(x->agent, a->cfg->id, sizeof(x->agent));
	x->from = from;
	err = store_read_agent_figures(r->cc->store, from, figures_reply, x);
	if (err) {
		mem_deref(x);
		api_read_fail(r, NULL, err);
	}
}

const struct api_route api_routes_history[] = {
	{"GET", "/api/v1/calls/history",   history, CFG_ROLE_AGENT, 0},
	{"GET", "/api/v1/calls/*/record",  record,  CFG_ROLE_AGENT, 0},
	{"GET", "/api/v1/agents/*/figures", figures, CFG_ROLE_AGENT, 0},
	{NULL, NULL, NULL, 0, 0}
};
