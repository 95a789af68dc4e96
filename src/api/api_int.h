/* api/api_int.h  Private to api/: the api object, the request a route
 * handler gets, the route tables of each resource file, and the parts
 * (auth, events, pages) they share.
 *
 * Routing.  http.c matches a request against every resource's table:
 * a path pattern whose "*" segments match one non-empty segment each
 * (captured in req->arg[]), then the method (405 when only the method
 * differs), then the role (403 below `min`).  Handlers run on the loop
 * and reply before they return, or, for a read from the store, hold a
 * reference to the connection (api_async) and reply from the store's
 * answer.
 */

#ifndef SB_API_API_INT_H
#define SB_API_API_INT_H

#include "libre.h"
#include "core/core.h"
#include "api/api.h"

enum { API_BODY_MAX = 4096, API_ARGS_MAX = 3, API_DIGITS_MAX = 16 };

struct auth;
struct events;
struct admin;

struct api {
	struct center *cc;            /* borrowed */
	struct http_sock *http;
	struct auth *auth;
	struct events *events;
	struct admin *admin;          /* configuration changes: admin.c */
};

/* admin.c */
int  admin_alloc(struct admin **adp, struct api *api);

/* auth.c: who calls the HTTP API */
struct principal {
	enum cfg_role role;           /* 0: nobody */
	char user[CFG_ID_MAX + 1];    /* agent id, user id or key id */
	struct agent *agent;          /* role agent: which one */
	bool apikey;
};

struct api_req {
	struct api *api;
	struct center *cc;
	struct http_conn *conn;
	const struct http_msg *msg;
	struct principal who;
	struct pl token;              /* the session token, when one */
	struct pl arg[API_ARGS_MAX];  /* the "*" segments, in order */
	char scratch[96];             /* a handler's small text */
};

typedef void (api_route_h)(struct api_req *r);

struct api_route {
	const char *method;           /* NULL ends a table */
	const char *path;             /* "/api/v1/calls/ * /disposition" */
	api_route_h *h;
	enum cfg_role min;            /* 0: no credentials needed */
	size_t body_max;              /* 0: API_BODY_MAX */
};

/* The resource files' tables (http.c lists them). */
extern const struct api_route api_routes_session[];
extern const struct api_route api_routes_agents[];
extern const struct api_route api_routes_calls[];
extern const struct api_route api_routes_customers[];
extern const struct api_route api_routes_scripts[];
extern const struct api_route api_routes_config[];
extern const struct api_route api_routes_admin[];
extern const struct api_route api_routes_history[];
extern const struct api_route api_routes_recordings[];

/* http.c: replies */
int  api_error(struct http_conn *conn, uint16_t scode, const char *msg);
int  api_json(struct http_conn *conn, const struct odict *od);
/* Parse the request body as a JSON object into *odp; on failure reply
 * 400 and return EINVAL. */
int  api_body(struct api_req *r, struct odict **odp);
/* A[rg] segment i as a NUL-terminated string; false (and a 404 with
 * `what` sent) when it does not fit. */
bool api_arg(struct api_req *r, unsigned i, char *buf, size_t sz,
	     const char *what);
/* Query parameter `name` of the request, URL-decoded, into buf.
 * @return 0, ENOENT (absent) or EINVAL (bad escape, a NUL, too long) */
int  api_query(const struct http_msg *msg, const char *name, char *buf,
	       size_t sz);
/* A decimal query parameter: 0 and *v set, ENOENT (absent, *v kept)
 * or EINVAL (not 1 to API_DIGITS_MAX digits). */
int  api_query_num(const struct http_msg *msg, const char *name,
		   int64_t *v);
/* A non-empty query parameter into buf: 0 and *p = buf, ENOENT (absent;
 * *p NULL) or EINVAL (empty, too long). */
int  api_query_id(const struct http_msg *msg, const char *name, char *buf,
		  size_t sz, const char **p);
/* The paging and time filters of a history (from, to, before, limit)
 * into q, and an agent narrowed to itself (asking for another: 403
 * own_only); false when a reply (400, 403) was sent. */
struct store_call_query;
bool api_page_params(struct api_req *r, struct store_call_query *q,
		     const char *own_only);
/* A read from the store answers the request: pass api_read_reply as the
 * store_read_* handler and api_read_arg(r) as its argument (a reference
 * to the connection, released by the reply); when the store_read_* call
 * itself fails, api_read_fail(r, arg, err) replies and releases it. */
void *api_read_arg(struct api_req *r);
void api_read_reply(int err, const char *json, size_t len, void *arg);
void api_read_fail(struct api_req *r, void *arg, int err);
/* True for an agent's own id, or any id for a supervisor or more. */
bool api_sees_agent(const struct principal *who, const struct agent *a);

int  auth_alloc(struct auth **aup, struct center *cc);
int  auth_password(struct center *cc, const char *user, const char *password,
		   struct principal *who);
int  auth_session_open(struct auth *au, const struct principal *who,
		       char token[65]);
int  auth_session_close(struct auth *au, const struct pl *token);
int  auth_request(struct auth *au, const struct http_msg *msg,
		  struct principal *who, struct pl *token);
int  auth_bearer(struct auth *au, const struct pl *cred,
		 struct principal *who);

/* events.c: the live event stream (WebSocket /api/v1/events) */
int  events_alloc(struct events **esp, struct center *cc);
void events_publish(uint64_t seq, int64_t t, const char *type,
		    const char *agent, const char *call, const char *queue,
		    const char *detail, const char *extra, void *arg);
int  events_query_token(const struct http_msg *msg, struct pl *tok);
int  events_subscribe(struct events *es, struct http_conn *conn,
		      const struct http_msg *msg, const struct principal *who);

/* web.c: the browser pages, plain files under [server] web */
/* True for the paths the pages own: "/" and "/web/...". */
bool web_path(const struct pl *path);
/* The file a page path names, relative to the web root, and its
 * Content-Type (static).
 * @return 0, EINVAL (not a page path, or malformed: a character outside
 *         [A-Za-z0-9._/-], "..", "//", over 256 bytes) or ENOENT (a
 *         hidden or empty segment, an extension not served) */
int  web_resolve(const struct pl *path, struct pl *rel, const char **ctype);
/* Answer a GET or HEAD for a page path from the files under root; every
 * other method gets 405, a bad path 400, a missing file 404 (JSON
 * errors).  Reads the file with blocking I/O: for small files only.
 * @return 0, EINVAL (no conn, msg or root) or the reply's errno */
int  web_static(struct http_conn *conn, const struct http_msg *msg,
		const char *root);

#endif
