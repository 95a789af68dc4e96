/* api/http.c  The HTTP listener and router of the API (docs/api.md):
 * matches a request to a route of a resource file's table, checks its
 * credentials and role, and calls the route's handler.  Also the replies
 * every handler uses and the session routes:
 *
 *   POST /api/v1/login               {"user", "password"} -> a token
 *   POST /api/v1/logout              ends the caller's session
 *   GET  /api/v1/me                  who the credentials are
 *   GET  /api/v1/events              the event stream (WebSocket; events.c)
 *   GET  /metrics                    Prometheus text (core/metrics.c)
 *
 * Every route but login, the event stream (which checks its own) and the
 * pages needs credentials (auth.c): a bearer token from login or an API
 * key, or HTTP Basic with an agent's SIP password.  Errors are JSON
 * {"error": "..."} with 400 (bad JSON or value), 401 (no, wrong or
 * expired credentials), 403 (not allowed to this role), 404, 405, 409
 * (the engine refused the change in its current state) and 413 (a body
 * over the route's limit, 4 KiB unless it says otherwise).  libre reads
 * a whole request (at most 512 KiB) before the handler runs.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "libre.h"
#include "api/api_int.h"

static const struct api_route *const tables[] = {
	api_routes_session,
	api_routes_agents,
	api_routes_history, api_routes_recordings,
	api_routes_calls,
	api_routes_customers,
	api_routes_scripts,
	api_routes_config,
	api_routes_admin,
};

static const char *reason(uint16_t scode)
{
	switch (scode) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default:  return scode >= 500 ? "Internal Server Error" : "Error";
	}
}

int api_error(struct http_conn *conn, uint16_t scode, const char *msg)
{
	struct odict *od;
	int err;

	err = odict_alloc(&od, 4);
	if (err)
		return http_ereply(conn, 500, "Internal Server Error");
	err = odict_entry_add(od, "error", ODICT_STRING, msg);
	if (!err)
		err = http_creply(conn, scode, reason(scode),
				  "application/json", "%H\n",
				  json_encode_odict, od);
	mem_deref(od);
	return err;
}

int api_json(struct http_conn *conn, const struct odict *od)
{
	return http_creply(conn, 200, "OK", "application/json", "%H\n",
			   json_encode_odict, od);
}

int api_body(struct api_req *r, struct odict **odp)
{
	const struct http_msg *msg = r->msg;

	*odp = NULL;
	if (!msg->mb || !mbuf_get_left(msg->mb)) {
		(void)api_error(r->conn, 400, "expected a JSON body");
		return EINVAL;
	}
	if (json_decode_odict(odp, 16, (const char *)mbuf_buf(msg->mb),
			      mbuf_get_left(msg->mb), 8) || !*odp) {
		*odp = mem_deref(*odp);
		(void)api_error(r->conn, 400, "malformed JSON");
		return EINVAL;
	}
	return 0;
}

bool api_arg(struct api_req *r, unsigned i, char *buf, size_t sz,
	     const char *what)
{
	if (i >= API_ARGS_MAX || r->arg[i].l >= sz ||
	    pl_strcpy(&r->arg[i], buf, sz)) {
		(void)api_error(r->conn, 404, what);
		return false;
	}
	return true;
}

bool api_sees_agent(const struct principal *who, const struct agent *a)
{
	return who->role != CFG_ROLE_AGENT || who->agent == a;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int api_query(const struct http_msg *msg, const char *name, char *buf,
	      size_t sz)
{
	const char *p = msg->prm.p, *end = msg->prm.p + msg->prm.l;
	size_t n = strlen(name);

	if (!sz)
		return EINVAL;
	if (p < end && *p == '?')
		p++;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		size_t k = 0;

		if ((size_t)(stop - p) <= n || memcmp(p, name, n) ||
		    p[n] != '=') {
			p = amp ? amp + 1 : end;
			continue;
		}
		for (p += n + 1; p < stop; p++) {
			char ch = *p;

			if (ch == '%') {
				int hi, lo;

				if (stop - p < 3 || (hi = hexval(p[1])) < 0 ||
				    (lo = hexval(p[2])) < 0 || !(hi | lo))
					return EINVAL;
				ch = (char)(hi << 4 | lo);
				p += 2;
			}
			else if (ch == '+')
				ch = ' ';
			if (k + 1 >= sz)
				return EINVAL;
			buf[k++] = ch;
		}
		buf[k] = '\0';
		return 0;
	}
	return ENOENT;
}

int api_query_num(const struct http_msg *msg, const char *name,
		  int64_t *v)
{
	char buf[API_DIGITS_MAX + 2];
	size_t n;
	int err;

	err = api_query(msg, name, buf, sizeof(buf));
	if (err)
		return err;
	n = strlen(buf);
	if (!n || n > API_DIGITS_MAX || strspn(buf, "0123456789") != n)
		return EINVAL;
	*v = (int64_t)strtoll(buf, NULL, 10);
	return 0;
}

int api_query_id(const struct http_msg *msg, const char *name, char *buf,
		 size_t sz, const char **p)
{
	int err = api_query(msg, name, buf, sz);

	*p = NULL;
	if (err)
		return err;
	if (!buf[0])
		return EINVAL;
	*p = buf;
	return 0;
}

void *api_read_arg(struct api_req *r)
{
	return mem_ref(r->conn);
}

void api_read_reply(int err, const char *json, size_t len, void *arg)
{
	struct http_conn *conn = arg;

	switch (err) {
	case 0:
		(void)http_creply(conn, 200, "OK", "application/json",
				  "%b\n", json, len);
		break;
	case ENOENT:
		(void)api_error(conn, 404, "not found");
		break;
	case EBUSY:
		(void)api_error(conn, 503, "too many reads pending; try "
				"again");
		break;
	case ECANCELED:
		break;                  /* the server is stopping */
	default:
		(void)api_error(conn, 500, "the store could not read it");
		break;
	}
	mem_deref(conn);
}

void api_read_fail(struct api_req *r, void *arg, int err)
{
	if (err)
		api_read_reply(err == ENOENT || err == EBUSY ? err : EIO,
			       NULL, 0, arg ? arg : mem_ref(r->conn));
}

/* Does path match pattern?  "*" matches one non-empty segment. */
static bool match(const char *pat, const struct pl *path,
		  struct pl arg[API_ARGS_MAX])
{
	const char *p = path->p, *end = path->p + path->l;
	unsigned n = 0;

	while (*pat) {
		if (*pat == '*') {
			const char *s = p;

			while (p < end && *p != '/')
				p++;
			if (p == s || n >= API_ARGS_MAX)
				return false;
			arg[n].p = s;
			arg[n++].l = (size_t)(p - s);
			pat++;
			continue;
		}
		if (p >= end || *p != *pat)
			return false;
		p++;
		pat++;
	}
	return p == end;
}

static const struct api_route *route_find(const struct http_msg *msg,
					  struct pl arg[API_ARGS_MAX],
					  bool *path_known)
{
	*path_known = false;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (const struct api_route *rt = tables[t]; rt->method;
		     rt++) {
			if (!match(rt->path, &msg->path, arg))
				continue;
			*path_known = true;
			if (!pl_strcmp(&msg->met, rt->method))
				return rt;
		}
	}
	return NULL;
}

static void http_handler(struct http_conn *conn, const struct http_msg *msg,
			 void *arg)
{
	struct api *api = arg;
	struct api_req r;
	const struct api_route *rt;
	bool known;
	int err;

	if (web_path(&msg->path)) {     /* public pages: web.c */
		if (msg->clen > API_BODY_MAX)
			(void)api_error(conn, 413, "body over 4096 bytes");
		else
			(void)web_static(conn, msg, api->cc->cfg->web);
		return;
	}
	memset(&r, 0, sizeof(r));
	rt = route_find(msg, r.arg, &known);
	if (!rt) {
		(void)api_error(conn, known ? 405 : 404, known ? "method not "
				"allowed here" : "no such resource");
		return;
	}
	if (msg->clen > (rt->body_max ? rt->body_max : API_BODY_MAX)) {
		char m[64];

		re_snprintf(m, sizeof(m), "body over %zu bytes",
			    rt->body_max ? rt->body_max : (size_t)API_BODY_MAX);
		(void)api_error(conn, 413, m);
		return;
	}
	r.api = api;
	r.cc = api->cc;
	r.conn = conn;
	r.msg = msg;
	if (rt->min) {
		err = auth_request(api->auth, msg, &r.who, &r.token);
		if (err) {
			(void)api_error(conn, 401, err == ENOENT ?
					"credentials needed: a bearer token "
					"from POST /api/v1/login, an API key, "
					"or an agent's HTTP Basic" :
					"wrong or expired credentials");
			return;
		}
		if (r.who.role < rt->min) {
			char m[96];

			re_snprintf(m, sizeof(m), "this is for the role %s "
				    "and above", config_role_name(rt->min));
			(void)api_error(conn, 403, m);
			return;
		}
	}
	rt->h(&r);
}

static void login(struct api_req *r)
{
	struct odict *in = NULL, *out = NULL;
	struct principal who;
	char token[65];
	const char *user, *pw;
	int err;

	if (api_body(r, &in))
		return;
	user = odict_string(in, "user");
	pw = odict_string(in, "password");
	if (!odict_get_type(in, ODICT_STRING, "user") ||
	    !odict_get_type(in, ODICT_STRING, "password")) {
		(void)api_error(r->conn, 400, "\"user\" and \"password\" "
				"must be strings");
		goto out;
	}
	if (auth_password(r->cc, user, pw, &who)) {
		LOG_INFO("http", "log-in refused for a user");
		(void)api_error(r->conn, 401, "wrong user or password");
		goto out;
	}
	err = auth_session_open(r->api->auth, &who, token);
	err = err ? err : odict_alloc(&out, 8);
	if (!err) {
		err = odict_entry_add(out, "token", ODICT_STRING, token);
		err |= odict_entry_add(out, "user", ODICT_STRING, who.user);
		err |= odict_entry_add(out, "role", ODICT_STRING,
				       config_role_name(who.role));
		err |= odict_entry_add(out, "expires_in", ODICT_INT,
				       (int64_t)r->cc->cfg->session_ttl);
	}
	memset(token, 0, sizeof(token));
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else {
		LOG_INFO("http", "%s logged in (%s)", who.user,
			 config_role_name(who.role));
		(void)api_json(r->conn, out);
	}
 out:
	mem_deref(in);
	mem_deref(out);
}

static void logout(struct api_req *r)
{
	if (!pl_isset(&r->token) ||
	    auth_session_close(r->api->auth, &r->token)) {
		(void)api_error(r->conn, 400, "no session to end: log out a "
				"token from POST /api/v1/login");
		return;
	}
	(void)http_creply(r->conn, 200, "OK", "application/json",
			  "{\"ok\":true}\n");
}

static void me(struct api_req *r)
{
	struct odict *od;
	int err = odict_alloc(&od, 8);

	if (!err) {
		err = odict_entry_add(od, "user", ODICT_STRING, r->who.user);
		err |= odict_entry_add(od, "role", ODICT_STRING,
				       config_role_name(r->who.role));
		err |= odict_entry_add(od, "apikey", ODICT_BOOL,
				       r->who.apikey);
	}
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(od);
}

static void metrics(struct api_req *r)
{
	(void)http_creply(r->conn, 200, "OK", "text/plain; version=0.0.4",
			  "%H", metrics_print, r->cc);
}

/* GET /api/v1/events: credentials in the header or as ?token= (a
 * browser's WebSocket cannot set headers), then the upgrade. */
static void events_route(struct api_req *r)
{
	struct principal who;
	struct pl tok;
	int err;

	if (!events_query_token(r->msg, &tok))
		err = auth_bearer(r->api->auth, &tok, &who);
	else
		err = auth_request(r->api->auth, r->msg, &who, NULL);
	if (err) {
		(void)api_error(r->conn, 401, "credentials needed: a token "
				"(header or ?token=), an API key or an agent's "
				"HTTP Basic");
		return;
	}
	if (!http_msg_hdr(r->msg, HTTP_HDR_UPGRADE)) {
		(void)api_error(r->conn, 400, "a WebSocket upgrade is needed "
				"here");
		return;
	}
	err = events_subscribe(r->api->events, r->conn, r->msg, &who);
	if (err == EINVAL)
		(void)api_error(r->conn, 400, "agent, queue and call take "
				"ids; since takes a sequence number");
	else if (err)
		(void)api_error(r->conn, 400, "WebSocket upgrade refused");
}

const struct api_route api_routes_session[] = {
	{"POST", "/api/v1/login",  login,        0, 0},
	{"POST", "/api/v1/logout", logout,       CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/me",     me,           CFG_ROLE_AGENT, 0},
	{"GET",  "/api/v1/events", events_route, 0, 0},
	{"GET",  "/metrics",       metrics,      CFG_ROLE_SUPERVISOR, 0},
	{NULL, NULL, NULL, 0, 0}
};

static void destructor(void *arg)
{
	struct api *api = arg;

	center_observe(api->cc, NULL, NULL);
	api->http = mem_deref(api->http);
	api->admin = mem_deref(api->admin);
	api->events = mem_deref(api->events);
	api->auth = mem_deref(api->auth);
}

int api_alloc(struct api **ap, struct center *cc, char *err, size_t errsz)
{
	struct api *api;
	int e;

	api = mem_zalloc(sizeof(*api), destructor);
	if (!api)
		return ENOMEM;
	api->cc = cc;
	e = auth_alloc(&api->auth, cc);
	e = e ? e : events_alloc(&api->events, cc);
	e = e ? e : admin_alloc(&api->admin, api);
	if (e) {
		re_snprintf(err, errsz, "api: %m", e);
		goto out;
	}
	center_observe(cc, events_publish, api->events);
	if (sa_isset(&cc->cfg->http_addr, SA_ALL)) {
		e = http_listen(&api->http, &cc->cfg->http_addr, http_handler,
				api);
		/* libre listens with a backlog of 5: browsers reconnecting
		 * all at once after a restart would see SYNs dropped and
		 * retry seconds later */
		if (!e)
			e = tcp_sock_listen(http_sock_tcp(api->http),
					    SOMAXCONN);
		if (e)
			re_snprintf(err, errsz, "cannot listen for HTTP on "
				    "%J: %m", &cc->cfg->http_addr, e);
	}
 out:
	if (e)
		mem_deref(api);
	else
		*ap = api;
	return e;
}

int api_print_bound(const struct api *api)
{
	if (!api || !api->http)
		return 0;
	return re_printf("http %J\n", &api->cc->cfg->http_addr);
}
