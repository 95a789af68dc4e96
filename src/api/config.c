/* api/config.c  The set-up the server runs, read-only, for the admin
 * pages and integrations (docs/api.md):
 *
 *   GET /api/v1/config/queues    each queue's settings ([queue])
 *   GET /api/v1/config/agents    each agent's name, queues and skills
 *   GET /api/v1/config/numbers   numbers and where they lead
 *   GET /api/v1/skills           the skills
 *
 * Supervisors and admins.  Secrets never leave: no passwords, digests or
 * keys.  Reads the configuration in memory only.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "api/api_int.h"

static int add_secs(struct odict *o, const char *key, uint32_t ms)
{
	return odict_entry_add(o, key, ODICT_INT, (int64_t)(ms / 1000));
}

static int queue_conf(struct odict **op, const struct cfg_queue *q)
{
	const struct acd_queue_conf *a = &q->acd;
	struct odict *o;
	char key[2] = {q->callback_key, '\0'};
	int err;

	err = odict_alloc(&o, 24);
	if (err)
		return err;
	err = odict_entry_add(o, "id", ODICT_STRING, q->id);
	err |= odict_entry_add(o, "strategy", ODICT_STRING,
			       acd_strategy_name(a->strategy));
	err |= add_secs(o, "ring", q->ring_ms);
	err |= add_secs(o, "wrapup", a->wrapup_ms);
	if (a->sl_percent) {
		err |= odict_entry_add(o, "sl_percent", ODICT_INT,
				       (int64_t)a->sl_percent);
		err |= add_secs(o, "sl_seconds", a->sl_target_ms);
	}
	err |= add_secs(o, "max_wait", a->max_wait_ms);
	err |= odict_entry_add(o, "max_waiting", ODICT_INT,
			       (int64_t)a->max_waiting);
	err |= odict_entry_add(o, "overflow", ODICT_STRING,
			       acd_overflow_action_name(a->overflow));
	if (q->overflow_queue[0])
		err |= odict_entry_add(o, "overflow_queue", ODICT_STRING,
				       q->overflow_queue);
	err |= odict_entry_add(o, "record", ODICT_BOOL, q->record);
	err |= odict_entry_add(o, "moh", ODICT_STRING, q->moh);
	err |= add_secs(o, "announce", q->announce_ms);
	if (q->callback_key)
		err |= odict_entry_add(o, "callback_key", ODICT_STRING, key);
	err |= add_secs(o, "alert_wait", q->alert_wait_ms);
	err |= odict_entry_add(o, "skill_match", ODICT_BOOL, a->skill_match);
	if (err)
		mem_deref(o);
	else
		*op = o;
	return err;
}

static int agent_conf(struct odict **op, const struct cfg_agent *ag)
{
	struct odict *o, *qs = NULL, *sk = NULL, *e;
	char idx[8];
	int err;

	err = odict_alloc(&o, 8);
	err |= odict_alloc(&qs, 8);
	err |= odict_alloc(&sk, 8);
	if (err)
		goto out;
	err = odict_entry_add(o, "id", ODICT_STRING, ag->id);
	err |= odict_entry_add(o, "name", ODICT_STRING, ag->name);
	err |= odict_entry_add(o, "autologin", ODICT_BOOL, ag->autologin);
	for (unsigned i = 0; !err && i < ag->nmembers; i++) {
		err = odict_alloc(&e, 4);
		if (err)
			break;
		err = odict_entry_add(e, "queue", ODICT_STRING,
				      ag->members[i].queue);
		err |= odict_entry_add(e, "priority", ODICT_INT,
				       (int64_t)ag->members[i].priority);
		re_snprintf(idx, sizeof(idx), "%u", i);
		err |= odict_entry_add(qs, idx, ODICT_OBJECT, e);
		mem_deref(e);
	}
	for (unsigned i = 0; !err && i < ag->nskills; i++) {
		err = odict_alloc(&e, 4);
		if (err)
			break;
		err = odict_entry_add(e, "skill", ODICT_STRING,
				      ag->skills[i].skill);
		err |= odict_entry_add(e, "level", ODICT_INT,
				       (int64_t)ag->skills[i].level);
		re_snprintf(idx, sizeof(idx), "%u", i);
		err |= odict_entry_add(sk, idx, ODICT_OBJECT, e);
		mem_deref(e);
	}
	err = err ? err : odict_entry_add(o, "queues", ODICT_ARRAY, qs);
	err = err ? err : odict_entry_add(o, "skills", ODICT_ARRAY, sk);
 out:
	mem_deref(qs);
	mem_deref(sk);
	if (err)
		mem_deref(o);
	else
		*op = o;
	return err;
}

static int number_conf(struct odict **op, const struct cfg_number *nu)
{
	struct odict *o;
	int err = odict_alloc(&o, 4);

	if (err)
		return err;
	err = odict_entry_add(o, "number", ODICT_STRING, nu->number);
	err |= odict_entry_add(o, nu->kind == CFG_TO_QUEUE ? "queue" : "flow",
			       ODICT_STRING, nu->target);
	if (nu->campaign[0])
		err |= odict_entry_add(o, "campaign", ODICT_STRING,
				       nu->campaign);
	if (err)
		mem_deref(o);
	else
		*op = o;
	return err;
}

/* Reply {"<name>": [item(0) .. item(n - 1)]}. */
static void list_reply(struct api_req *r, const char *name, unsigned n,
		       int (*item)(struct odict **op, const struct config *c,
				   unsigned i))
{
	struct odict *od = NULL, *arr = NULL, *o;
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&arr, 16);
	for (unsigned i = 0; !err && i < n; i++) {
		err = item(&o, r->cc->cfg, i);
		if (err)
			break;
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(arr, idx, o ? ODICT_OBJECT : ODICT_NULL,
				      o);
		mem_deref(o);
	}
	err = err ? err : odict_entry_add(od, name, ODICT_ARRAY, arr);
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(arr);
	mem_deref(od);
}

static int queue_item(struct odict **op, const struct config *c,
		      unsigned i)
{
	return queue_conf(op, &c->queues[i]);
}

static int agent_item(struct odict **op, const struct config *c,
		      unsigned i)
{
	return agent_conf(op, &c->agents[i]);
}

static int number_item(struct odict **op, const struct config *c,
		       unsigned i)
{
	return number_conf(op, &c->numbers[i]);
}

static void queues(struct api_req *r)
{
	list_reply(r, "queues", r->cc->cfg->nqueues, queue_item);
}

static void agents(struct api_req *r)
{
	list_reply(r, "agents", r->cc->cfg->nagents, agent_item);
}

static void numbers(struct api_req *r)
{
	list_reply(r, "numbers", r->cc->cfg->nnumbers, number_item);
}

static void skills(struct api_req *r)
{
	struct odict *od = NULL, *arr = NULL;
	char idx[16];
	int err;

	err = odict_alloc(&od, 4);
	err |= odict_alloc(&arr, 16);
	for (unsigned i = 0; !err && i < r->cc->cfg->nskills; i++) {
		re_snprintf(idx, sizeof(idx), "%u", i);
		err = odict_entry_add(arr, idx, ODICT_STRING,
				      r->cc->cfg->skills[i]);
	}
	err = err ? err : odict_entry_add(od, "skills", ODICT_ARRAY, arr);
	if (err)
		(void)api_error(r->conn, 500, "out of memory");
	else
		(void)api_json(r->conn, od);
	mem_deref(arr);
	mem_deref(od);
}

const struct api_route api_routes_config[] = {
	{"GET", "/api/v1/config/queues",  queues,  CFG_ROLE_SUPERVISOR, 0},
	{"GET", "/api/v1/config/agents",  agents,  CFG_ROLE_SUPERVISOR, 0},
	{"GET", "/api/v1/config/numbers", numbers, CFG_ROLE_SUPERVISOR, 0},
	{"GET", "/api/v1/skills",         skills,  CFG_ROLE_SUPERVISOR, 0},
	{NULL, NULL, NULL, 0, 0}
};
