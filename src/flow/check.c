/* flow/check.c  flow_set_check(): everything that could fail mid-call is
 * found here, once, when the configuration is loaded.
 *
 * Per schedule: a timezone is given and its TZif file loads (hours.c).
 * Per flow, in file order, stopping at the first error:
 *   - every step name (next=, goto, menu branches, fail=, open=/closed=,
 *     found=/vip=/missing=) exists in the same flow; each reference gets
 *     its step index, and an omitted "go on" branch gets the index of the
 *     next step in file order, so the interpreter (run.c) only follows
 *     indexes: a branch of -1 means "none" (hang up / invalid digit);
 *   - no step falls off the end: a branch that means "the next step" on
 *     the last step is refused (end a flow with queue, transfer, hangup,
 *     goto or an explicit next=);
 *   - prompts, queues and skills exist (the host's callbacks; a NULL
 *     callback accepts all), schedules are defined;
 *   - the distinct variables and skills a call can gather fit in
 *     FLOW_VARS_MAX and FLOW_SKILLS_MAX (a lookup may add "customer" and
 *     one skill), so a run never runs out of room;
 *   - no cycle is made only of steps that take no caller input (set,
 *     lookup, hours, goto): iterative depth-first search over those
 *     steps, O(steps); the message names the loop.  A cycle through play
 *     is allowed: it is audible, and each prompt waits for the host.
 * On success the set is frozen (no more entries) and runs may start.
 */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "flow/flow_int.h"

struct cctx {
	const struct flow_set *fs;
	const struct flow *f;
	const struct flow_check *chk;
	char *err;
	size_t errsz;
};

static int serr(const struct cctx *x, const struct flow_step *s,
		const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!x->err || !x->errsz)
		return EINVAL;
	(void)re_snprintf(x->err, x->errsz, "%s:%u: flow %s, step %s: ",
			  s->file, s->line, x->f->name, s->name);
	n = strlen(x->err);
	if (n + 1 < x->errsz) {
		va_start(ap, fmt);
		(void)re_vsnprintf(x->err + n, x->errsz - n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* Resolve a named reference; `dflt` is its index when omitted. */
static int resolve(const struct cctx *x, const struct flow_step *s,
		   struct flow_ref *r, int dflt)
{
	if (!r->name[0]) {
		r->idx = dflt;
		return 0;
	}
	r->idx = flow_step_find(x->f, r->name);
	if (r->idx < 0)
		return serr(x, s, "unknown step '%s'", r->name);
	return 0;
}

static int exists(const struct cctx *x, const struct flow_step *s,
		  flow_exists_h *h, const char *what, const char *name)
{
	if (!h || !name[0] || h(name, x->chk->arg))
		return 0;
	return serr(x, s, "unknown %s '%s'", what, name);
}

static int step_refs(const struct cctx *x, struct flow_step *s, int i)
{
	int nx = i + 1, e = 0;

	switch (s->type) {

	case FLOW_STEP_PLAY:
	case FLOW_STEP_SET:
		e = resolve(x, s, &s->next, nx);
		break;

	case FLOW_STEP_GOTO:
		e = resolve(x, s, &s->next, -1);
		break;

	case FLOW_STEP_COLLECT:
		e = resolve(x, s, &s->next, nx);
		if (!e)
			e = resolve(x, s, &s->fail, -1);
		break;

	case FLOW_STEP_MENU:
		for (unsigned d = 0; d < FLOW_NDIGITS && !e; d++)
			e = resolve(x, s, &s->digit[d], -1);
		if (!e)
			e = resolve(x, s, &s->fail, -1);
		break;

	case FLOW_STEP_HOURS:
		e = resolve(x, s, &s->open, nx);
		if (!e)
			e = resolve(x, s, &s->closed, nx);
		break;

	case FLOW_STEP_LOOKUP:
		e = resolve(x, s, &s->found, nx);
		if (!e)
			e = resolve(x, s, &s->vip, s->found.idx);
		if (!e)
			e = resolve(x, s, &s->missing, nx);
		break;

	default:
		break;
	}
	return e;
}

static bool falls_off(const struct flow_step *s, int n)
{
	const struct flow_ref *r[] = {&s->next, &s->open, &s->closed,
				      &s->found, &s->vip, &s->missing};
	bool goes_on = s->type == FLOW_STEP_PLAY ||
		s->type == FLOW_STEP_COLLECT || s->type == FLOW_STEP_SET ||
		s->type == FLOW_STEP_HOURS || s->type == FLOW_STEP_LOOKUP;

	if (!goes_on)
		return false;
	for (unsigned k = 0; k < sizeof(r) / sizeof(r[0]); k++)
		if (r[k]->idx == n)
			return true;
	return false;
}

static int step_names(const struct cctx *x, const struct flow_step *s)
{
	const struct flow_check *c = x->chk;
	int e = 0;

	for (unsigned k = 0; k < s->nprompts && !e; k++)
		e = exists(x, s, c->prompt, "prompt", s->prompts[k]);
	if (!e)
		e = exists(x, s, c->prompt, "prompt", s->invalid);
	if (!e)
		e = exists(x, s, c->prompt, "prompt", s->noinput);
	if (!e && s->type == FLOW_STEP_QUEUE)
		e = exists(x, s, c->queue, "queue", s->target);
	for (unsigned k = 0; k < s->nskills && !e; k++)
		e = exists(x, s, c->skill, "skill", s->skills[k].name);
	if (!e && s->type == FLOW_STEP_HOURS &&
	    !flow_hours_find(x->fs, s->sched))
		e = serr(x, s, "unknown schedule '%s'; add an [hours %s] "
			 "section", s->sched, s->sched);
	return e;
}

/* Count a name into a set of distinct names; false when full. */
static bool name_add(char (*names)[FLOW_NAME_MAX + 1], unsigned *n,
		     unsigned max, const char *name)
{
	for (unsigned i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return true;
	if (*n >= max)
		return false;
	str_ncpy(names[*n], name, FLOW_NAME_MAX + 1);
	++*n;
	return true;
}

static int room(const struct cctx *x)
{
	char vars[FLOW_VARS_MAX][FLOW_NAME_MAX + 1];
	char skills[FLOW_SKILLS_MAX][FLOW_NAME_MAX + 1];
	unsigned nv = 0, ns = 0, smax = FLOW_SKILLS_MAX;
	const struct flow *f = x->f;
	bool lk = false;

	for (unsigned i = 0; i < f->nsteps; i++)
		lk |= f->steps[i].type == FLOW_STEP_LOOKUP;
	if (lk) {                /* "customer" and the customer's skill */
		(void)name_add(vars, &nv, FLOW_VARS_MAX, "customer");
		--smax;
	}
	for (unsigned i = 0; i < f->nsteps; i++) {
		const struct flow_step *s = &f->steps[i];
		bool ok = true;

		if (s->type == FLOW_STEP_COLLECT)
			ok = name_add(vars, &nv, FLOW_VARS_MAX, s->var);
		for (unsigned k = 0; k < s->nvars && ok; k++)
			ok = name_add(vars, &nv, FLOW_VARS_MAX,
				      s->vars[k].name);
		if (!ok)
			return serr(x, s, "the flow sets more than %d "
				    "variables%s", FLOW_VARS_MAX, lk ?
				    " (lookup's \"customer\" included)" : "");
		for (unsigned k = 0; k < s->nskills; k++)
			if (!name_add(skills, &ns, smax, s->skills[k].name))
				return serr(x, s, "the flow names more than "
					    "%u skills (%d per call%s)", smax,
					    FLOW_SKILLS_MAX, lk ? ", one kept "
					    "for lookup" : "");
	}
	return 0;
}

static bool no_input(const struct flow_step *s)
{
	return s->type == FLOW_STEP_SET || s->type == FLOW_STEP_LOOKUP ||
		s->type == FLOW_STEP_HOURS || s->type == FLOW_STEP_GOTO;
}

/* Successors of a no-input step. */
static unsigned succ(const struct flow_step *s, int out[3])
{
	switch (s->type) {

	case FLOW_STEP_HOURS:
		out[0] = s->open.idx;
		out[1] = s->closed.idx;
		return 2;

	case FLOW_STEP_LOOKUP:
		out[0] = s->found.idx;
		out[1] = s->vip.idx;
		out[2] = s->missing.idx;
		return 3;

	default:
		out[0] = s->next.idx;
		return 1;
	}
}

static int loop_err(const struct cctx *x, const int *stack, unsigned depth,
		    int to)
{
	const struct flow *f = x->f;
	char path[256] = "";
	unsigned k = depth;
	size_t n;

	while (k > 0 && stack[k - 1] != to)
		--k;
	if (k)
		--k;
	for (; k < depth; k++) {
		n = strlen(path);
		(void)re_snprintf(path + n, sizeof(path) - n, "%s -> ",
				  f->steps[stack[k]].name);
	}
	n = strlen(path);
	(void)re_snprintf(path + n, sizeof(path) - n, "%s",
			  f->steps[to].name);
	return serr(x, &f->steps[to], "loop without caller input: %s; put "
		    "a menu, collect or play in it", path);
}

static int cycles(const struct cctx *x)
{
	const struct flow *f = x->f;
	uint8_t *color;          /* 0 new, 1 on the stack, 2 done */
	int *stack;
	unsigned *edge, depth;
	int e = 0;

	color = mem_zalloc(f->nsteps, NULL);
	stack = mem_zalloc(f->nsteps * sizeof(*stack), NULL);
	edge = mem_zalloc(f->nsteps * sizeof(*edge), NULL);
	if (!color || !stack || !edge) {
		e = ENOMEM;
		goto out;
	}
	for (unsigned r = 0; r < f->nsteps && !e; r++) {
		if (color[r] || !no_input(&f->steps[r]))
			continue;
		depth = 0;
		stack[depth] = (int)r;
		edge[depth++] = 0;
		color[r] = 1;
		while (depth && !e) {
			int v = stack[depth - 1], out[3], w;
			unsigned ns = succ(&f->steps[v], out);

			if (edge[depth - 1] >= ns) {
				color[v] = 2;
				--depth;
				continue;
			}
			w = out[edge[depth - 1]++];
			if (w < 0 || !no_input(&f->steps[w]) || color[w] == 2)
				continue;
			if (color[w] == 1) {
				e = loop_err(x, stack, depth, w);
				break;
			}
			color[w] = 1;
			stack[depth] = w;
			edge[depth++] = 0;
		}
	}
 out:
	mem_deref(color);
	mem_deref(stack);
	mem_deref(edge);
	return e;
}

static int check_flow(const struct cctx *x, struct flow *f)
{
	int e;

	if (!f->nsteps)
		return flow_fail(x->err, x->errsz, EINVAL, "flow %s: no "
				 "steps", f->name);
	for (unsigned i = 0; i < f->nsteps; i++) {
		struct flow_step *s = &f->steps[i];

		e = step_refs(x, s, (int)i);
		if (!e && falls_off(s, (int)f->nsteps))
			e = serr(x, s, "falls off the end of the flow; add "
				 "next= or end the flow with queue, transfer "
				 "or hangup");
		if (!e)
			e = step_names(x, s);
		if (e)
			return e;
	}
	e = room(x);
	if (!e)
		e = cycles(x);
	return e;
}

/**
 * Check a flow set once all its lines are in; see the top of this file.
 * May be called again (e.g. after a failure the set stays unusable).
 *
 * @return 0; EINVAL with a message in err; ENOMEM
 */
int flow_set_check(struct flow_set *fs, const struct flow_check *chk,
		   char *err, size_t errsz)
{
	static const struct flow_check none = {0};
	struct cctx x = {fs, NULL, chk ? chk : &none, err, errsz};
	struct le *le;
	int e;

	if (!fs)
		return flow_fail(err, errsz, EINVAL, "flow_set_check: no set");
	fs->checked = false;
	LIST_FOREACH(&fs->hours, le) {
		e = flow_hours_check(le->data, err, errsz);
		if (e)
			return e;
	}
	LIST_FOREACH(&fs->flows, le) {
		x.f = le->data;
		e = check_flow(&x, le->data);
		if (e)
			return e;
	}
	fs->checked = true;
	return 0;
}
