/* sim/conf.c  Building and checking a simulation's description.
 *
 * A struct sim_conf owns arrays of pointers to queues and agent groups
 * (each its own mem object, so pointers handed out stay valid while more
 * are added) and an array of skill names.  References between them are
 * names (a group's queues and skills, a type's required skills, a queue's
 * overflow queue); sim_conf_check() resolves every name to an index and
 * checks every number against the limits in sim.h, once, before a run.
 * Its messages carry the scenario file and line of the reference when the
 * conf came from a file, so the parser leaves cross-references to it.
 *
 * Costs: adding is amortised O(1); checking is O(references x names)
 * with linear name lookups (at most 1024 skills and 256 queues), plus
 * O(groups^2) for overlapping agent ids.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "libre.h"
#include "sim/sim.h"

static void queue_destructor(void *arg)
{
	struct sim_queue *q = arg;

	mem_deref(q->types);
}

static void conf_destructor(void *arg)
{
	struct sim_conf *c = arg;

	for (unsigned i = 0; i < c->nqueues; i++)
		mem_deref(c->queues[i]);
	for (unsigned i = 0; i < c->ngroups; i++)
		mem_deref(c->groups[i]);
	mem_deref(c->queues);
	mem_deref(c->groups);
	mem_deref(c->skills);
}

/* Names: 1..63 of [A-Za-z0-9_.-], so they print and parse safely. */
bool sim_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (!n || n > SIM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/**
 * Allocate an empty conf: 8 measured hours after 1 hour of warm-up,
 * seed 1, 20 batches.
 *
 * @return 0, EINVAL or ENOMEM
 */
int sim_conf_alloc(struct sim_conf **confp)
{
	struct sim_conf *c;

	if (!confp)
		return EINVAL;
	c = mem_zalloc(sizeof(*c), conf_destructor);
	if (!c)
		return ENOMEM;
	c->hours = 8.0;
	c->warmup_h = 1.0;
	c->seed = 1;
	c->batches = 20;
	*confp = c;
	return 0;
}

static int grow(void **arrp, unsigned n, size_t size)
{
	void *v;

	/* grow at powers of two: 1, 2, 4, 8... */
	if (n & (n - 1))
		return 0;
	v = mem_reallocarray(*arrp, n ? 2 * (size_t)n : 1, size, NULL);
	if (!v)
		return ENOMEM;
	*arrp = v;
	return 0;
}

static int skill_find(const struct sim_conf *c, const char *name,
		      uint32_t *idxp)
{
	for (unsigned i = 0; i < c->nskills; i++) {
		if (!strcmp(c->skills[i], name)) {
			*idxp = i;
			return 0;
		}
	}
	return ENOENT;
}

static int queue_find(const struct sim_conf *c, const char *name,
		      uint32_t *idxp)
{
	for (unsigned i = 0; i < c->nqueues; i++) {
		if (!strcmp(c->queues[i]->name, name)) {
			*idxp = i;
			return 0;
		}
	}
	return ENOENT;
}

/**
 * Declare a skill.
 *
 * @return 0; EINVAL bad name; EEXIST declared already; ENOSPC more than
 *         ACD_SKILL_MAX; ENOMEM
 */
int sim_skill_add(struct sim_conf *conf, const char *name)
{
	uint32_t idx;
	int err;

	if (!conf || !sim_name_valid(name))
		return EINVAL;
	if (!skill_find(conf, name, &idx))
		return EEXIST;
	if (conf->nskills >= ACD_SKILL_MAX)
		return ENOSPC;
	err = grow((void **)&conf->skills, conf->nskills,
		   sizeof(*conf->skills));
	if (err)
		return err;
	str_ncpy(conf->skills[conf->nskills++], name, SIM_NAME_MAX + 1);
	return 0;
}

/**
 * Add a queue with the engine's default settings, no calls and a mean
 * talk time of 240 s (exponential), callers who never abandon.
 *
 * @return 0; EINVAL bad name; EEXIST; ENOSPC past SIM_QUEUE_MAX; ENOMEM
 */
int sim_queue_add(struct sim_queue **qp, struct sim_conf *conf,
		  const char *name)
{
	struct sim_queue *q;
	uint32_t idx;
	int err;

	if (!conf || !sim_name_valid(name))
		return EINVAL;
	if (!queue_find(conf, name, &idx))
		return EEXIST;
	if (conf->nqueues >= SIM_QUEUE_MAX)
		return ENOSPC;
	err = grow((void **)&conf->queues, conf->nqueues,
		   sizeof(*conf->queues));
	if (err)
		return err;
	q = mem_zalloc(sizeof(*q), queue_destructor);
	if (!q)
		return ENOMEM;
	str_ncpy(q->name, name, sizeof(q->name));
	q->interval_s = 1800.0;
	q->aht_s = 240.0;
	q->handle = SIM_DIST_EXP;
	acd_queue_conf_init(&q->acd);
	conf->queues[conf->nqueues++] = q;
	if (qp)
		*qp = q;
	return 0;
}

/**
 * Add a contact type to a queue (copied).
 *
 * @return 0; EINVAL bad name or share; EEXIST; ENOSPC; ENOMEM
 */
int sim_type_add(struct sim_queue *q, const struct sim_type *type)
{
	int err;

	if (!q || !type || !sim_name_valid(type->name) ||
	    type->nreq > ACD_REQ_MAX)
		return EINVAL;
	for (unsigned i = 0; i < q->ntypes; i++)
		if (!strcmp(q->types[i].name, type->name))
			return EEXIST;
	if (q->ntypes >= SIM_TYPE_MAX)
		return ENOSPC;
	err = grow((void **)&q->types, q->ntypes, sizeof(*q->types));
	if (err)
		return err;
	q->types[q->ntypes++] = *type;
	return 0;
}

/**
 * Add a group of agents, in every queue of none yet, with no skills, on
 * shift for the whole run, answering at once.
 *
 * @return 0; EINVAL bad prefix or count; ENOSPC; ENOMEM
 */
int sim_agents_add(struct sim_agents **gp, struct sim_conf *conf,
		   const char *prefix, uint32_t count, uint32_t first)
{
	struct sim_agents *g;
	int err;

	if (!conf || !prefix || (*prefix && !sim_name_valid(prefix)) ||
	    !count || count > SIM_AGENT_MAX)
		return EINVAL;
	if (conf->ngroups >= SIM_GROUP_MAX)
		return ENOSPC;
	err = grow((void **)&conf->groups, conf->ngroups,
		   sizeof(*conf->groups));
	if (err)
		return err;
	g = mem_zalloc(sizeof(*g), NULL);
	if (!g)
		return ENOMEM;
	str_ncpy(g->prefix, prefix, sizeof(g->prefix));
	g->count = count;
	g->first = first;
	acd_agent_conf_init(&g->acd);
	conf->groups[conf->ngroups++] = g;
	if (gp)
		*gp = g;
	return 0;
}

static int ref_add(struct sim_ref *refs, unsigned *np, unsigned max,
		   const char *name, uint8_t value)
{
	if (!sim_name_valid(name))
		return EINVAL;
	for (unsigned i = 0; i < *np; i++)
		if (!strcmp(refs[i].name, name))
			return EEXIST;
	if (*np >= max)
		return ENOSPC;
	memset(&refs[*np], 0, sizeof(refs[*np]));
	str_ncpy(refs[*np].name, name, sizeof(refs[*np].name));
	refs[*np].value = value;
	++*np;
	return 0;
}

/**
 * Make the group's agents members of `queue` with `priority` (1 first).
 *
 * @return 0; EINVAL; ERANGE priority 0; EEXIST; ENOSPC
 */
int sim_agents_queue(struct sim_agents *g, const char *queue,
		     uint8_t priority)
{
	if (!g)
		return EINVAL;
	if (!priority)
		return ERANGE;
	return ref_add(g->queues, &g->nqueues, SIM_MEMBER_MAX, queue,
		       priority);
}

/**
 * Give the group's agents `skill` at `level` (1..10).
 *
 * @return 0; EINVAL; ERANGE; EEXIST; ENOSPC
 */
int sim_agents_skill(struct sim_agents *g, const char *skill, uint8_t level)
{
	if (!g)
		return EINVAL;
	if (level < ACD_LEVEL_MIN || level > ACD_LEVEL_MAX)
		return ERANGE;
	return ref_add(g->skills, &g->nskills, SIM_GSKILL_MAX, skill, level);
}

/* "FILE:LINE: " or "FILE: " or nothing, then the message. */
static int fail(char *err, size_t errsz, const char *fname, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errsz, const char *fname, unsigned line,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsnprintf(msg, sizeof(msg), fmt, ap);  /* truncation ok */
	va_end(ap);
	if (err && errsz) {
		if (fname && line)
			(void)re_snprintf(err, errsz, "%s:%u: %s", fname,
					  line, msg);
		else if (fname)
			(void)re_snprintf(err, errsz, "%s: %s", fname, msg);
		else
			str_ncpy(err, msg, errsz);
	}
	return EINVAL;
}

static bool in_range(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

static int check_queue(struct sim_conf *c, struct sim_queue *q,
		       const char *fname, char *err, size_t errsz)
{
	const struct acd_queue_conf *a = &q->acd;
	unsigned ln = q->line;

	/* tables a conf built in code may have overfilled */
	if (q->nrelax > ACD_RELAX_MAX || q->ntypes > SIM_TYPE_MAX ||
	    (q->ntypes && !q->types))
		return fail(err, errsz, fname, ln, "queue \"%s\": more than "
			    "%d relax rules or %d types", q->name,
			    ACD_RELAX_MAX, SIM_TYPE_MAX);
	if (!in_range(q->calls, 0, SIM_CALLS_MAX))
		return fail(err, errsz, fname, ln, "queue \"%s\": calls must "
			    "be 0 .. %u per interval", q->name,
			    (unsigned)SIM_CALLS_MAX);
	if (!in_range(q->interval_s, 1e-3, SIM_DUR_MAX) ||
	    !in_range(q->aht_s, 1e-3, SIM_DUR_MAX) ||
	    !in_range(q->patience_s, 0, SIM_DUR_MAX) ||
	    !in_range(q->handle_sd_s, 0, SIM_DUR_MAX))
		return fail(err, errsz, fname, ln, "queue \"%s\": interval, "
			    "aht, handle sd and patience must be 0 .. %u s "
			    "(interval and aht above 0)", q->name,
			    (unsigned)SIM_DUR_MAX);
	if ((unsigned)q->handle >= SIM_DIST_COUNT)
		return fail(err, errsz, fname, ln, "queue \"%s\": unknown "
			    "handle-time distribution", q->name);
	if (q->handle == SIM_DIST_LOGNORMAL && !(q->handle_sd_s > 0))
		return fail(err, errsz, fname, ln, "queue \"%s\": lognormal "
			    "handle time needs a standard deviation above 0",
			    q->name);
	if ((unsigned)a->strategy >= ACD_STRAT_COUNT ||
	    (unsigned)a->overflow >= ACD_OVF_COUNT ||
	    (unsigned)a->empty_action >= ACD_OVF_COUNT ||
	    (unsigned)a->join >= ACD_EMPTY_COUNT ||
	    (unsigned)a->leave >= ACD_EMPTY_COUNT || a->sl_percent > 100)
		return fail(err, errsz, fname, ln, "queue \"%s\": strategy, "
			    "overflow, join/leave rule or service level out "
			    "of range", q->name);
	q->overflow_idx = UINT32_MAX;
	if (a->overflow == ACD_OVF_QUEUE || a->empty_action == ACD_OVF_QUEUE) {
		if (!q->overflow_queue[0])
			return fail(err, errsz, fname, q->overflow_line ?
				    q->overflow_line : ln, "queue \"%s\": "
				    "overflow to a queue needs its name",
				    q->name);
		if (queue_find(c, q->overflow_queue, &q->overflow_idx))
			return fail(err, errsz, fname, q->overflow_line,
				    "queue \"%s\": unknown overflow queue "
				    "\"%s\"; add a [queue %s] section",
				    q->name, q->overflow_queue,
				    q->overflow_queue);
		if (!strcmp(q->overflow_queue, q->name))
			return fail(err, errsz, fname, q->overflow_line,
				    "queue \"%s\": overflows to itself",
				    q->name);
	}
	for (unsigned i = 0; i < q->nrelax; i++) {
		struct sim_relax *r = &q->relax[i];

		if (!in_range(r->after_s, 0, SIM_DUR_MAX) ||
		    r->skill.value > ACD_LEVEL_MAX)
			return fail(err, errsz, fname, r->skill.line,
				    "queue \"%s\": relax rule out of range",
				    q->name);
		if (strcmp(r->skill.name, "*") &&
		    skill_find(c, r->skill.name, &r->skill.idx))
			return fail(err, errsz, fname, r->skill.line,
				    "queue \"%s\": unknown skill \"%s\"; add a"
				    " [skill %s] section", q->name,
				    r->skill.name, r->skill.name);
	}
	for (unsigned i = 0; i < q->ntypes; i++) {
		struct sim_type *t = &q->types[i];

		if (!in_range(t->share, 1e-9, 1e9) ||
		    t->priority < ACD_PRIO_MIN || t->priority > ACD_PRIO_MAX ||
		    t->nreq > ACD_REQ_MAX)
			return fail(err, errsz, fname, t->line ? t->line : ln,
				    "queue \"%s\": type \"%s\": share must be "
				    "above 0, priority %d .. %d", q->name,
				    t->name, ACD_PRIO_MIN, ACD_PRIO_MAX);
		for (unsigned k = 0; k < t->nreq; k++) {
			struct sim_ref *r = &t->req[k];

			if (skill_find(c, r->name, &r->idx))
				return fail(err, errsz, fname, t->line,
					    "queue \"%s\": type \"%s\": "
					    "unknown skill \"%s\"; add a "
					    "[skill %s] section", q->name,
					    t->name, r->name, r->name);
			if (r->value < ACD_LEVEL_MIN ||
			    r->value > ACD_LEVEL_MAX)
				return fail(err, errsz, fname, t->line,
					    "queue \"%s\": type \"%s\": level"
					    " of \"%s\" must be %d .. %d",
					    q->name, t->name, r->name,
					    ACD_LEVEL_MIN, ACD_LEVEL_MAX);
		}
	}
	return 0;
}

/* How messages name a group: its prefix, or its ids when it has none. */
static void group_label(char *buf, size_t sz, const struct sim_agents *g)
{
	if (g->prefix[0])
		str_ncpy(buf, g->prefix, sz);
	else
		(void)re_snprintf(buf, sz, "%u-%u", g->first,
				  g->first + (g->count ? g->count - 1 : 0));
}

static int check_group(struct sim_conf *c, struct sim_agents *g,
		       const char *fname, char *err, size_t errsz)
{
	char p[SIM_NAME_MAX + 32];
	unsigned ln = g->line;

	group_label(p, sizeof(p), g);
	if (g->nqueues > SIM_MEMBER_MAX || g->nskills > SIM_GSKILL_MAX)
		return fail(err, errsz, fname, ln, "agents \"%s\": more than "
			    "%d queues or %d skills", p, SIM_MEMBER_MAX,
			    SIM_GSKILL_MAX);
	if (!g->count || g->count > SIM_AGENT_MAX ||
	    g->first > UINT32_MAX - g->count)
		return fail(err, errsz, fname, ln, "agents \"%s\": count "
			    "must be 1 .. %u and first + count below 2^32",
			    p, SIM_AGENT_MAX);
	if (!g->nqueues)
		return fail(err, errsz, fname, ln, "agents \"%s\": member of "
			    "no queue; add queues = NAME:PRIORITY", p);
	if (!in_range(g->ring_s, 0, SIM_DUR_MAX) ||
	    !in_range(g->shift_start_s, 0, SIM_HOURS_MAX * 3600.0) ||
	    !in_range(g->shift_end_s, 0, SIM_HOURS_MAX * 3600.0) ||
	    (g->shift_end_s > 0 && g->shift_end_s <= g->shift_start_s))
		return fail(err, errsz, fname, ln, "agents \"%s\": shift must"
			    " end after it starts, ring 0 .. %u s", p,
			    (unsigned)SIM_DUR_MAX);
	for (unsigned i = 0; i < g->nqueues; i++) {
		struct sim_ref *r = &g->queues[i];

		if (queue_find(c, r->name, &r->idx))
			return fail(err, errsz, fname, r->line ? r->line : ln,
				    "agents \"%s\": unknown queue \"%s\"; add"
				    " a [queue %s] section", p, r->name,
				    r->name);
		if (!r->value)
			return fail(err, errsz, fname, r->line ? r->line : ln,
				    "agents \"%s\": queue \"%s\": priority "
				    "must be 1 .. 255", p, r->name);
	}
	for (unsigned i = 0; i < g->nskills; i++) {
		struct sim_ref *r = &g->skills[i];

		if (skill_find(c, r->name, &r->idx))
			return fail(err, errsz, fname, r->line ? r->line : ln,
				    "agents \"%s\": unknown skill \"%s\"; add"
				    " a [skill %s] section", p, r->name,
				    r->name);
		if (r->value < ACD_LEVEL_MIN || r->value > ACD_LEVEL_MAX)
			return fail(err, errsz, fname, r->line ? r->line : ln,
				    "agents \"%s\": skill \"%s\": level must "
				    "be %d .. %d", p, r->name, ACD_LEVEL_MIN,
				    ACD_LEVEL_MAX);
	}
	return 0;
}

/**
 * Check every number and resolve every name.  Messages name the object
 * and, for confs read from `fname`, the file and line.
 *
 * @return 0, or EINVAL with a message in err
 */
int sim_conf_check(struct sim_conf *conf, const char *fname, char *err,
		   size_t errsz)
{
	uint64_t total = 0;

	if (!conf)
		return EINVAL;
	if (conf->nqueues > SIM_QUEUE_MAX || conf->ngroups > SIM_GROUP_MAX ||
	    conf->nskills > ACD_SKILL_MAX)
		return fail(err, errsz, fname, 0, "more than %d queues, %d "
			    "agent groups or %d skills", SIM_QUEUE_MAX,
			    SIM_GROUP_MAX, ACD_SKILL_MAX);
	if (!in_range(conf->hours, 1e-3, SIM_HOURS_MAX) ||
	    !in_range(conf->warmup_h, 0, SIM_HOURS_MAX) ||
	    conf->hours + conf->warmup_h > SIM_HOURS_MAX)
		return fail(err, errsz, fname, 0, "[sim]: hours must be "
			    "above 0 and hours + warmup at most %u",
			    (unsigned)SIM_HOURS_MAX);
	if (conf->batches < SIM_BATCH_MIN || conf->batches > SIM_BATCH_MAX)
		return fail(err, errsz, fname, 0, "[sim]: batches must be "
			    "%d .. %d", SIM_BATCH_MIN, SIM_BATCH_MAX);
	if (!conf->nqueues)
		return fail(err, errsz, fname, 0, "no queue; add a "
			    "[queue NAME] section");
	if (!conf->ngroups)
		return fail(err, errsz, fname, 0, "no agents; add an "
			    "[agents PREFIX] section");
	for (unsigned i = 0; i < conf->nqueues; i++) {
		int e = check_queue(conf, conf->queues[i], fname, err, errsz);

		if (e)
			return e;
	}
	for (unsigned i = 0; i < conf->ngroups; i++) {
		struct sim_agents *g = conf->groups[i];
		int e = check_group(conf, g, fname, err, errsz);
		char name[SIM_NAME_MAX + 32];

		if (e)
			return e;
		group_label(name, sizeof(name), g);
		total += g->count;
		if (total > SIM_AGENT_MAX)
			return fail(err, errsz, fname, g->line, "agents \"%s\""
				    ": more than %u agents in all", name,
				    SIM_AGENT_MAX);
		/* ids PREFIX<n> must not collide with an earlier group */
		for (unsigned k = 0; k < i; k++) {
			const struct sim_agents *h = conf->groups[k];

			if (strcmp(h->prefix, g->prefix) ||
			    g->first >= h->first + h->count ||
			    h->first >= g->first + g->count)
				continue;
			return fail(err, errsz, fname, g->line, "agents \"%s\""
				    ": ids %s%u.. overlap the group on line "
				    "%u", name, g->prefix, g->first, h->line);
		}
	}
	return 0;
}

/**
 * The single-queue case: one queue "q" answered by `agents` agents
 * 1..agents, with `calls` per `interval_s` Poisson arrivals, exponential
 * talk time of mean aht_s, exponential patience of mean patience_s (0
 * never abandons), service-level target sl_target_s at 80%.  Tune the
 * rest through conf->queues[0] and conf->groups[0].
 *
 * @return 0, EINVAL or ENOMEM
 */
int sim_conf_single(struct sim_conf **confp, double calls, double interval_s,
		    double aht_s, uint32_t agents, double patience_s,
		    double sl_target_s)
{
	struct sim_conf *c = NULL;
	struct sim_queue *q;
	struct sim_agents *g;
	int err;

	if (!confp || !in_range(sl_target_s, 0, SIM_DUR_MAX))
		return EINVAL;
	err = sim_conf_alloc(&c);
	if (err)
		return err;
	err = sim_queue_add(&q, c, "q");
	if (err)
		goto out;
	q->calls = calls;
	q->interval_s = interval_s;
	q->aht_s = aht_s;
	q->patience_s = patience_s;
	q->acd.sl_target_ms = (uint32_t)llround(sl_target_s * 1000.0);
	q->acd.sl_percent = 80;
	err = sim_agents_add(&g, c, "", agents, 1);
	if (err)
		goto out;
	err = sim_agents_queue(g, "q", 1);
 out:
	if (err)
		mem_deref(c);
	else
		*confp = c;
	return err;
}
