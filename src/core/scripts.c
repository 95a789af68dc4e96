/* core/scripts.c  Call scripts: what the agent says, step by step, with
 * branching questions, shown on the desktop for calls of the script's
 * queues.  An admin writes them through the API; a change applies to the
 * next call (a desktop reads the script when a call pops).  Kept in the
 * store as documents of kind "script" and in memory (a hash by id, and
 * the script of each queue).
 *
 * A script (JSON):
 *   {"name": "Sales", "queues": ["sales"], "start": "greet",
 *    "steps": [{"id": "greet", "text": "Hello...",
 *               "answers": [{"label": "Interested", "next": "offer"},
 *                           {"label": "Not now", "next": null}]},
 *              {"id": "offer", "text": "...", "input": "text",
 *               "next": null}]}
 * A step either offers answers (each leads to a step, or null: the end)
 * or asks for free input ("text" or "number") and goes on to `next`.
 * Loops are allowed: a script may come back to a step.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "store/store.h"
#include "core/core.h"

enum {
	STEPS_MAX = 100,
	ANSWERS_MAX = 12,
	TEXT_MAX = 4000,
	LABEL_MAX = 200,
};

struct scripts {
	struct hash *by_id;           /* struct script */
	struct script **of_queue;     /* [cfg->nqueues], borrowed */
	unsigned nqueues;
};

static void script_destructor(void *arg)
{
	struct script *s = arg;

	hash_unlink(&s->he);
	mem_deref(s->id);
	mem_deref(s->name);
	mem_deref(s->json);
	mem_deref(s->queues);
}

static void destructor(void *arg)
{
	struct scripts *ss = arg;

	hash_flush(ss->by_id);
	mem_deref(ss->by_id);
	mem_deref(ss->of_queue);
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct script *s = le->data;

	return !strcmp(s->id, arg);
}

struct script *script_find(const struct scripts *ss, const char *id)
{
	struct le *le;

	if (!ss || !id)
		return NULL;
	le = hash_lookup(ss->by_id, hash_joaat_str(id), id_cmp, (void *)id);
	return le ? le->data : NULL;
}

/* q may be of an older configuration (a call's): found by id */
const struct script *script_of_queue(const struct center *cc,
				     const struct cfg_queue *q)
{
	const struct cfg_queue *cq = q ? config_queue(cc->cfg, q->id) : NULL;

	if (!cc->scripts || !cq)
		return NULL;
	return cc->scripts->of_queue[cq - cc->cfg->queues];
}

struct apply {
	script_apply_h *h;
	void *arg;
};

static bool apply_one(struct le *le, void *arg)
{
	struct apply *a = arg;

	return a->h(le->data, a->arg);
}

void scripts_apply(const struct scripts *ss, script_apply_h *h, void *arg)
{
	struct apply a = {h, arg};

	if (ss)
		(void)hash_apply(ss->by_id, apply_one, &a);
}

/* A string member of at most max bytes; NULL when absent or of another
 * type. */
static const char *str_of(const struct odict *o, const char *key,
			  size_t max)
{
	const struct odict_entry *e = odict_get_type(o, ODICT_STRING, key);

	if (!e || !e->u.str[0] || strlen(e->u.str) > max)
		return NULL;
	return e->u.str;
}

static bool step_exists(const struct odict *steps, const char *id)
{
	struct le *le;

	LIST_FOREACH(&steps->lst, le) {
		const struct odict_entry *e = le->data;
		const char *sid = str_of(e->u.odict, "id", CFG_ID_MAX);

		if (sid && !strcmp(sid, id))
			return true;
	}
	return false;
}

/* "next" of a step or an answer: absent or null (the end), or a step. */
static bool next_ok(const struct odict *o, const struct odict *steps)
{
	const struct odict_entry *e = odict_lookup(o, "next");

	if (!e || e->type == ODICT_NULL)
		return true;
	return e->type == ODICT_STRING && step_exists(steps, e->u.str);
}

int script_check(const struct center *cc, const char *id,
		 const struct odict *body, char *why, size_t sz)
{
	const struct odict_entry *steps, *queues, *start;
	unsigned n = 0;
	struct le *le;

	if (!customer_id_ok(id)) {
		re_snprintf(why, sz, "a script id is 1 to %u of A-Z a-z 0-9 "
			    ". _ -", CFG_ID_MAX);
		return EINVAL;
	}
	if (!str_of(body, "name", LABEL_MAX)) {
		re_snprintf(why, sz, "\"name\" must be a string of 1 to %u "
			    "bytes", LABEL_MAX);
		return EINVAL;
	}
	steps = odict_get_type(body, ODICT_ARRAY, "steps");
	if (!steps || !odict_count(steps->u.odict, false) ||
	    odict_count(steps->u.odict, false) > STEPS_MAX) {
		re_snprintf(why, sz, "\"steps\" must be an array of 1 to %u "
			    "steps", STEPS_MAX);
		return EINVAL;
	}
	LIST_FOREACH(&steps->u.odict->lst, le) {
		const struct odict_entry *st = le->data, *ans, *in;
		const char *sid;
		struct le *l2;

		n++;
		if (st->type != ODICT_OBJECT) {
			re_snprintf(why, sz, "step %u is not an object", n);
			return EINVAL;
		}
		sid = str_of(st->u.odict, "id", CFG_ID_MAX);
		if (!sid || !customer_id_ok(sid)) {
			re_snprintf(why, sz, "step %u: \"id\" must be 1 to %u "
				    "of A-Z a-z 0-9 . _ -", n, CFG_ID_MAX);
			return EINVAL;
		}
		for (l2 = steps->u.odict->lst.head; l2 != le; l2 = l2->next) {
			const struct odict_entry *o = l2->data;

			if (!strcmp(str_of(o->u.odict, "id", CFG_ID_MAX),
				    sid)) {
				re_snprintf(why, sz, "step id \"%s\" is used "
					    "twice", sid);
				return EINVAL;
			}
		}
		if (!str_of(st->u.odict, "text", TEXT_MAX)) {
			re_snprintf(why, sz, "step %s: \"text\" must be a "
				    "string of 1 to %u bytes", sid, TEXT_MAX);
			return EINVAL;
		}
		in = odict_lookup(st->u.odict, "input");
		if (in && in->type != ODICT_NULL &&
		    (in->type != ODICT_STRING || (strcmp(in->u.str, "text") &&
						  strcmp(in->u.str, "number")))) {
			re_snprintf(why, sz, "step %s: \"input\" is \"text\", "
				    "\"number\" or null", sid);
			return EINVAL;
		}
		ans = odict_lookup(st->u.odict, "answers");
		if (ans && ans->type != ODICT_NULL &&
		    (ans->type != ODICT_ARRAY ||
		     odict_count(ans->u.odict, false) > ANSWERS_MAX)) {
			re_snprintf(why, sz, "step %s: \"answers\" must be an "
				    "array of at most %u", sid, ANSWERS_MAX);
			return EINVAL;
		}
		if (ans && ans->type == ODICT_ARRAY &&
		    odict_count(ans->u.odict, false) && in &&
		    in->type == ODICT_STRING) {
			re_snprintf(why, sz, "step %s: answers or an input, not "
				    "both", sid);
			return EINVAL;
		}
		if (ans && ans->type == ODICT_ARRAY) {
			LIST_FOREACH(&ans->u.odict->lst, l2) {
				const struct odict_entry *a = l2->data;

				if (a->type != ODICT_OBJECT ||
				    !str_of(a->u.odict, "label", LABEL_MAX)) {
					re_snprintf(why, sz, "step %s: each "
						    "answer needs a \"label\" "
						    "of 1 to %u bytes", sid,
						    LABEL_MAX);
					return EINVAL;
				}
				if (!next_ok(a->u.odict, steps->u.odict)) {
					re_snprintf(why, sz, "step %s: answer "
						    "\"%s\" leads to a step "
						    "this script does not have",
						    sid, str_of(a->u.odict,
								"label",
								LABEL_MAX));
					return EINVAL;
				}
			}
		}
		if (!next_ok(st->u.odict, steps->u.odict)) {
			re_snprintf(why, sz, "step %s: \"next\" is not a step "
				    "of this script", sid);
			return EINVAL;
		}
	}
	start = odict_lookup(body, "start");
	if (start && start->type != ODICT_NULL &&
	    (start->type != ODICT_STRING ||
	     !step_exists(steps->u.odict, start->u.str))) {
		re_snprintf(why, sz, "\"start\" is not a step of this script");
		return EINVAL;
	}
	queues = odict_lookup(body, "queues");
	if (queues && queues->type != ODICT_NULL) {
		if (queues->type != ODICT_ARRAY) {
			re_snprintf(why, sz, "\"queues\" must be an array of "
				    "queue ids");
			return EINVAL;
		}
		LIST_FOREACH(&queues->u.odict->lst, le) {
			const struct odict_entry *q = le->data;
			const struct cfg_queue *cq;
			const struct script *other;

			cq = q->type == ODICT_STRING
				? config_queue(cc->cfg, q->u.str) : NULL;
			if (!cq) {
				re_snprintf(why, sz, "\"queues\": no queue "
					    "\"%s\"", q->type == ODICT_STRING
					    ? q->u.str : "?");
				return EINVAL;
			}
			other = script_of_queue(cc, cq);
			if (other && strcmp(other->id, id)) {
				re_snprintf(why, sz, "queue %s already has "
					    "script %s", cq->id, other->id);
				return EADDRINUSE;
			}
		}
	}
	return 0;
}

/* s->queues from its JSON, in cc->cfg (queues no longer configured are
 * skipped). */
static int queues_set(struct center *cc, struct script *s,
		      const struct odict *body)
{
	struct scripts *ss = cc->scripts;
	const struct odict_entry *qs;
	struct le *le;

	s->queues = mem_deref(s->queues);
	s->nqueues = 0;
	s->queues = mem_zalloc((ss->nqueues ? ss->nqueues : 1)
			       * sizeof(*s->queues), NULL);
	if (!s->queues)
		return ENOMEM;
	qs = odict_get_type(body, ODICT_ARRAY, "queues");
	if (!qs)
		return 0;
	LIST_FOREACH(&qs->u.odict->lst, le) {
		const struct odict_entry *q = le->data;
		const struct cfg_queue *cq = q->type == ODICT_STRING
			? config_queue(cc->cfg, q->u.str) : NULL;

		if (cq && s->nqueues < ss->nqueues)
			s->queues[s->nqueues++] = cq;
	}
	return 0;
}

/* Index a script from its stored JSON (checked before it was kept). */
static int index_put(struct center *cc, const char *id, const char *json,
		     int64_t updated, struct script **sp)
{
	struct scripts *ss = cc->scripts;
	struct odict *body = NULL;
	struct script *s, *old;
	int err;

	err = json_decode_odict(&body, 16, json, strlen(json), 8);
	if (err)
		return err;
	s = mem_zalloc(sizeof(*s), script_destructor);
	if (!s) {
		mem_deref(body);
		return ENOMEM;
	}
	err = str_dup(&s->id, id);
	err = err ? err : str_dup(&s->json, json);
	err = err ? err : str_dup(&s->name, odict_string(body, "name")
				  ? odict_string(body, "name") : id);
	s->updated = updated;
	err = err ? err : queues_set(cc, s, body);
	mem_deref(body);
	if (err) {
		mem_deref(s);
		return err;
	}
	old = script_find(ss, id);
	if (old)
		script_drop(cc, old);
	for (unsigned i = 0; i < s->nqueues; i++)
		ss->of_queue[s->queues[i] - cc->cfg->queues] = s;
	hash_append(ss->by_id, hash_joaat_str(s->id), &s->he, s);
	if (sp)
		*sp = s;
	return 0;
}

void script_drop(struct center *cc, struct script *s)
{
	for (unsigned i = 0; i < cc->scripts->nqueues; i++) {
		if (cc->scripts->of_queue[i] == s)
			cc->scripts->of_queue[i] = NULL;
	}
	mem_deref(s);
}

int script_put(struct center *cc, const char *id, const struct odict *body,
	       struct script **sp, char *why, size_t sz)
{
	struct odict *doc = NULL;
	struct le *le;
	char *json = NULL;
	int64_t now = center_wall(cc);
	int err;

	err = script_check(cc, id, body, why, sz);
	if (err)
		return err;
	/* the stored form: id and time first, then the members known */
	err = odict_alloc(&doc, 16);
	err = err ? err : odict_entry_add(doc, "id", ODICT_STRING, id);
	err = err ? err : odict_entry_add(doc, "updated", ODICT_INT, now);
	LIST_FOREACH(&body->lst, le) {
		const struct odict_entry *e = le->data;

		if (err)
			break;
		if (strcmp(e->key, "name") && strcmp(e->key, "queues") &&
		    strcmp(e->key, "start") && strcmp(e->key, "steps"))
			continue;
		switch (e->type) {
		case ODICT_OBJECT:
		case ODICT_ARRAY:
			err = odict_entry_add(doc, e->key, e->type,
					      e->u.odict);
			break;
		case ODICT_STRING:
			err = odict_entry_add(doc, e->key, e->type, e->u.str);
			break;
		default:
			err = odict_entry_add(doc, e->key, ODICT_NULL);
			break;
		}
	}
	err = err ? err : re_sdprintf(&json, "%H", json_encode_odict, doc);
	mem_deref(doc);
	if (err) {
		re_snprintf(why, sz, "out of memory");
		return err;
	}
	err = index_put(cc, id, json, now, sp);
	if (!err) {
		int e = store_doc(cc->store, "script", id, json, now);

		if (e)
			LOG_ERR("store", "script %s not queued: %m", id, e);
		LOG_INFO("script", "%s saved (%s)", id, sp && *sp ?
			 (*sp)->name : "");
	}
	else
		re_snprintf(why, sz, "the script could not be kept: %m", err);
	mem_deref(json);
	return err;
}

int script_delete(struct center *cc, const char *id)
{
	struct script *s = script_find(cc->scripts, id);
	int err;

	if (!s)
		return ENOENT;
	script_drop(cc, s);
	err = store_doc(cc->store, "script", id, NULL, center_wall(cc));
	if (err)
		LOG_ERR("store", "script %s: delete not queued: %m", id, err);
	return 0;
}

static void load_one(const char *id, const char *body, int64_t updated,
		     void *arg)
{
	struct center *cc = arg;

	if (index_put(cc, id, body, updated, NULL))
		LOG_WARN("script", "%s: not loaded (bad record)", id);
}

static bool remap_one(struct le *le, void *arg)
{
	struct center *cc = arg;
	struct script *s = le->data;
	struct odict *body = NULL;
	int err;

	err = json_decode_odict(&body, 16, s->json, strlen(s->json), 8);
	err = err ? err : queues_set(cc, s, body);
	mem_deref(body);
	if (err) {
		LOG_WARN("script", "%s: queues not updated: %m", s->id, err);
		return false;
	}
	for (unsigned i = 0; i < s->nqueues; i++)
		cc->scripts->of_queue[s->queues[i] - cc->cfg->queues] = s;
	return false;
}

int scripts_remap(struct center *cc)
{
	struct scripts *ss = cc->scripts;
	struct script **of;

	of = mem_zalloc((cc->cfg->nqueues ? cc->cfg->nqueues : 1)
			* sizeof(*of), NULL);
	if (!of)
		return ENOMEM;
	mem_deref(ss->of_queue);
	ss->of_queue = of;
	ss->nqueues = cc->cfg->nqueues;
	(void)hash_apply(ss->by_id, remap_one, cc);
	return 0;
}

int scripts_load(struct center *cc)
{
	struct scripts *ss = mem_zalloc(sizeof(*ss), destructor);
	int err;

	if (!ss)
		return ENOMEM;
	cc->scripts = ss;
	ss->nqueues = cc->cfg->nqueues;
	ss->of_queue = mem_zalloc((ss->nqueues ? ss->nqueues : 1)
				  * sizeof(*ss->of_queue), NULL);
	err = ss->of_queue ? 0 : ENOMEM;
	err = err ? err : hash_alloc(&ss->by_id, 64);
	err = err ? err : store_docs_load(cc->store, "script", load_one, cc);
	return err;
}
