/* api/scripts.c  Call scripts (docs/api.md; core/scripts.c has the
 * format):
 *
 *   GET    /api/v1/scripts          every script: id, name, queues
 *   GET    /api/v1/scripts/ID       one script, whole
 *   PUT    /api/v1/scripts/ID       write it (admins); the next call of
 *                                   its queues gets it
 *   DELETE /api/v1/scripts/ID       admins
 *
 * Everyone signed in reads scripts: the desktop shows the one of the
 * ringing call's queue (the screen pop names it).
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "api/api_int.h"

enum { SCRIPT_BODY_MAX = 64 * 1024 };

struct list_walk {
	struct odict *arr;
	unsigned n;
	int err;
};

static bool list_one(const struct script *s, void *arg)
{
	struct list_walk *w = arg;
	struct odict *o = NULL, *qs = NULL;
	char idx[16];

	w->err = odict_alloc(&o, 8);
	w->err |= odict_alloc(&qs, 4);
	if (!w->err) {
		w->err = odict_entry_add(o, "id", ODICT_STRING, s->id);
		w->err |= odict_entry_add(o, "name", ODICT_STRING, s->name);
		for (unsigned i = 0; !w->err && i < s->nqueues; i++) {
			re_snprintf(idx, sizeof(idx), "%u", i);
			w->err = odict_entry_add(qs, idx, ODICT_STRING,
						 s->queues[i]->id);
		}
		w->err |= odict_entry_add(o, "queues", ODICT_ARRAY, qs);
		w->err |= odict_entry_add(o, "updated", ODICT_INT,
					  s->updated);
		re_snprintf(idx, sizeof(idx), "%u", w->n++);
		w->err |= odict_entry_add(w->arr, idx, ODICT_OBJECT, o);
	}
	mem_deref(qs);
	mem_deref(o);
	return w->err != 0;
}

static void list(struct api_req *r)
{
	struct list_walk w = {NULL, 0, 0};
	struct odict *od = NULL;

	w.err = odict_alloc(&od, 4);
	w.err |= odict_alloc(&w.arr, 8);
	if (!w.err)
		scripts_apply(r->cc->scripts, list_one, &w);
	w.err = w.err ? w.err : odict_entry_add(od, "scripts", ODICT_ARRAY,
						w.arr);
	if (w.err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(w.arr);
	mem_deref(od);
}

static void one(struct api_req *r)
{
	char id[CFG_ID_MAX + 1];
	const struct script *s;

	if (!api_arg(r, 0, id, sizeof(id), "no such script"))
		return;
	s = script_find(r->cc->scripts, id);
	if (!s) {
		(void)api_error(r->conn, 404, "no such script");
		return;
	}
	(void)http_creply(r->conn, 200, "OK", "application/json", "%s\n",
			  s->json);
}

static void put(struct api_req *r)
{
	char id[CFG_ID_MAX + 1], why[160];
	struct odict *in;
	struct script *s = NULL;
	bool existed;
	int err;

	if (!api_arg(r, 0, id, sizeof(id), "no such script"))
		return;
	if (api_body(r, &in))
		return;
	if (odict_lookup(in, "id") && (!odict_string(in, "id") ||
				       strcmp(odict_string(in, "id"), id))) {
		(void)api_error(r->conn, 400, "\"id\" differs from the path's");
		goto out;
	}
	existed = script_find(r->cc->scripts, id) != NULL;
	err = script_put(r->cc, id, in, &s, why, sizeof(why));
	if (err) {
		(void)api_error(r->conn, err == EADDRINUSE ? 409 : err == EINVAL
				? 400 : 500, why);
		goto out;
	}
	(void)http_creply(r->conn, existed ? 200 : 201, existed ? "OK"
			  : "Created", "application/json", "%s\n", s->json);
 out:
	mem_deref(in);
}

static void delete(struct api_req *r)
{
	char id[CFG_ID_MAX + 1];

	if (!api_arg(r, 0, id, sizeof(id), "no such script"))
		return;
	if (script_delete(r->cc, id)) {
		(void)api_error(r->conn, 404, "no such script");
		return;
	}
	(void)http_creply(r->conn, 200, "OK", "application/json",
			  "{\"id\":\"%s\",\"deleted\":true}\n", id);
}

const struct api_route api_routes_scripts[] = {
	{"GET",    "/api/v1/scripts",   list,   CFG_ROLE_AGENT, 0},
	{"GET",    "/api/v1/scripts/*", one,    CFG_ROLE_AGENT, 0},
	{"PUT",    "/api/v1/scripts/*", put,    CFG_ROLE_ADMIN,
	 SCRIPT_BODY_MAX},
	{"DELETE", "/api/v1/scripts/*", delete, CFG_ROLE_ADMIN, 0},
	{NULL, NULL, NULL, 0, 0}
};
