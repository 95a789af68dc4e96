/* flow/flow.c  Flow sets: allocation and the parser of [flow NAME] lines.
 *
 * flow_set_entry() gets one `step = action words...` line, already split
 * and trimmed by the INI reader.  The value is cut at blanks into words
 * and KEY=VALUE pairs (at most FLOW_TOKENS_MAX); the first word is the
 * action, the other words are its positional arguments (prompts, a
 * schedule, a queue...), the pairs its options.  Every name is checked
 * against [A-Za-z0-9_.+-] and FLOW_NAME_MAX, every number against its
 * range, before anything is stored; a bad line leaves the set unchanged
 * and gets one message "FILE:LINE: flow F, step S: what is wrong".
 * References to other steps are kept by name; flow_set_check() (check.c)
 * resolves them once the whole file has been read.  [hours NAME] lines
 * go to hours.c.
 *
 * Costs: O(words^2) per line (duplicate options), O(steps) to find a step
 * by name while parsing (steps per flow are few and parsing happens once).
 * A flow's step array doubles when full.
 */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "flow/flow_int.h"

enum {
	FLOW_TOKENS_MAX = 64,
	FLOW_VALUE_MAX = 4096
};

/* One word or KEY=VALUE pair of a line. */
struct tok {
	struct pl k;            /* the word, or the key */
	struct pl v;            /* the value of a pair */
	bool kv;
};

/* Where a message points: file, line, flow and step. */
struct pctx {
	const char *file;
	unsigned line;
	const char *flow;
	const char *step;
	char *err;
	size_t errsz;
};

static const char *const act_names[] = {
	[FLOW_STEP_PLAY] = "play",
	[FLOW_STEP_MENU] = "menu",
	[FLOW_STEP_COLLECT] = "collect",
	[FLOW_STEP_HOURS] = "hours",
	[FLOW_STEP_SET] = "set",
	[FLOW_STEP_LOOKUP] = "lookup",
	[FLOW_STEP_GOTO] = "goto",
	[FLOW_STEP_QUEUE] = "queue",
	[FLOW_STEP_TRANSFER] = "transfer",
	[FLOW_STEP_HANGUP] = "hangup",
};

int flow_fail(char *err, size_t errsz, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return code;
	va_start(ap, fmt);
	(void)re_vsnprintf(err, errsz, fmt, ap);   /* truncation is fine */
	va_end(ap);
	return code;
}

/* "FILE:LINE: flow F, step S: " then the message. */
static int perr(const struct pctx *x, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!x->err || !x->errsz)
		return EINVAL;
	(void)re_snprintf(x->err, x->errsz, "%s:%u: flow %s, step %s: ",
			  x->file, x->line, x->flow, x->step);
	n = strlen(x->err);
	if (n + 1 < x->errsz) {
		va_start(ap, fmt);
		(void)re_vsnprintf(x->err + n, x->errsz - n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
		c == '-';
}

bool flow_name_valid(const char *s, size_t len)
{
	if (!s || !len || len > FLOW_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

/* Variable values and transfer numbers: names plus "sip:1000@host",
 * "*72", "#". */
static bool value_valid(const struct pl *pl)
{
	if (!pl->l || pl->l > FLOW_NAME_MAX)
		return false;
	for (size_t i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		if (!name_char(c) && c != ':' && c != '@' && c != '*' &&
		    c != '#')
			return false;
	}
	return true;
}

static bool pl_is(const struct pl *pl, const char *s)
{
	size_t n = strlen(s);

	return pl->l == n && !memcmp(pl->p, s, n);
}

static void pl_copy(char *dst, const struct pl *pl)
{
	memcpy(dst, pl->p, pl->l);
	dst[pl->l] = '\0';
}

static int name_copy(const struct pctx *x, char *dst, const struct pl *pl,
		     const char *what)
{
	if (!flow_name_valid(pl->p, pl->l))
		return perr(x, "bad %s name '%r'; use 1 to %d of A-Z a-z 0-9 "
			    "_ . + -", what, pl, FLOW_NAME_MAX);
	pl_copy(dst, pl);
	return 0;
}

/* A decimal integer in [lo, hi]; bounded before converting. */
static bool num_parse(const struct pl *pl, long lo, long hi, long *v)
{
	size_t i = 0;
	bool neg = false;
	long x = 0;

	if (pl->l && (pl->p[0] == '-' || pl->p[0] == '+')) {
		neg = pl->p[0] == '-';
		i = 1;
	}
	if (i == pl->l || pl->l - i > 9)
		return false;
	for (; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
		x = x * 10 + (pl->p[i] - '0');
	}
	if (neg)
		x = -x;
	if (x < lo || x > hi)
		return false;
	*v = x;
	return true;
}

static int opt_num(const struct pctx *x, const struct tok *t, long lo,
		   long hi, const char *unit, long *v)
{
	if (!num_parse(&t->v, lo, hi, v))
		return perr(x, "%r must be %ld to %ld%s, not '%r'", &t->k, lo,
			    hi, unit, &t->v);
	return 0;
}

static int digit_index(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return 10;
	if (c == '#')
		return 11;
	return -1;
}

/* NAME:LEVEL; a skill named twice on one line keeps the last level. */
static int opt_skill(const struct pctx *x, struct flow_step *s,
		     const struct pl *v)
{
	struct pl name = PL_INIT, lvl = PL_INIT;
	struct flow_skill *sk = NULL;
	long level;

	for (size_t i = v->l; i > 0; i--) {
		if (v->p[i - 1] == ':') {
			name.p = v->p;
			name.l = i - 1;
			lvl.p = v->p + i;
			lvl.l = v->l - i;
			break;
		}
	}
	if (!name.p)
		return perr(x, "skill must be NAME:LEVEL, not '%r'", v);
	if (!flow_name_valid(name.p, name.l))
		return perr(x, "bad skill name '%r'; use 1 to %d of A-Z a-z "
			    "0-9 _ . + -", &name, FLOW_NAME_MAX);
	if (!num_parse(&lvl, 1, 10, &level))
		return perr(x, "skill level must be 1 to 10, not '%r'", &lvl);
	for (unsigned i = 0; i < s->nskills; i++)
		if (pl_is(&name, s->skills[i].name))
			sk = &s->skills[i];
	if (!sk) {
		if (s->nskills >= FLOW_SKILLS_MAX)
			return perr(x, "more than %d skills",
				    FLOW_SKILLS_MAX);
		sk = &s->skills[s->nskills++];
		pl_copy(sk->name, &name);
	}
	sk->level = (uint8_t)level;
	return 0;
}

static int opt_ref(const struct pctx *x, struct flow_ref *r,
		   const struct pl *v)
{
	return name_copy(x, r->name, v, "step");
}

/* One KEY=VALUE option of a step. */
static int step_opt(const struct pctx *x, struct flow_step *s,
		    const struct tok *t)
{
	const struct pl *k = &t->k, *v = &t->v;
	enum flow_step_type ty = s->type;
	bool mc = ty == FLOW_STEP_MENU || ty == FLOW_STEP_COLLECT;
	long n;
	int err;

	if ((ty == FLOW_STEP_PLAY || ty == FLOW_STEP_COLLECT ||
	     ty == FLOW_STEP_SET) && pl_is(k, "next"))
		return opt_ref(x, &s->next, v);
	if (mc && pl_is(k, "fail"))
		return opt_ref(x, &s->fail, v);
	if (mc && pl_is(k, "timeout")) {
		err = opt_num(x, t, 1, 600, " seconds", &n);
		s->timeout_s = (uint32_t)n;
		return err;
	}
	if (mc && pl_is(k, "retries")) {
		err = opt_num(x, t, 0, 10, "", &n);
		s->retries = (unsigned)n;
		return err;
	}
	if (mc && pl_is(k, "invalid"))
		return name_copy(x, s->invalid, v, "prompt");
	if (mc && pl_is(k, "noinput"))
		return name_copy(x, s->noinput, v, "prompt");
	if (ty == FLOW_STEP_MENU && k->l == 1 && digit_index(k->p[0]) >= 0)
		return opt_ref(x, &s->digit[digit_index(k->p[0])], v);
	if (ty == FLOW_STEP_COLLECT && (pl_is(k, "min") || pl_is(k, "max"))) {
		err = opt_num(x, t, 1, FLOW_DIGITS_MAX, " digits", &n);
		if (pl_is(k, "min"))
			s->min = (unsigned)n;
		else
			s->max = (unsigned)n;
		return err;
	}
	if (ty == FLOW_STEP_COLLECT && pl_is(k, "terminator")) {
		if (pl_is(v, "none")) {
			s->term = 0;
			return 0;
		}
		if (v->l != 1 || digit_index(v->p[0]) < 0)
			return perr(x, "terminator must be one of 0-9 * # or "
				    "none, not '%r'", v);
		s->term = v->p[0];
		return 0;
	}
	if (ty == FLOW_STEP_HOURS && pl_is(k, "open"))
		return opt_ref(x, &s->open, v);
	if (ty == FLOW_STEP_HOURS && pl_is(k, "closed"))
		return opt_ref(x, &s->closed, v);
	if (ty == FLOW_STEP_LOOKUP && pl_is(k, "found"))
		return opt_ref(x, &s->found, v);
	if (ty == FLOW_STEP_LOOKUP && pl_is(k, "vip"))
		return opt_ref(x, &s->vip, v);
	if (ty == FLOW_STEP_LOOKUP && pl_is(k, "missing"))
		return opt_ref(x, &s->missing, v);
	if (ty == FLOW_STEP_SET || ty == FLOW_STEP_QUEUE) {
		if (pl_is(k, "priority")) {
			err = opt_num(x, t, -1000, 1000, "", &n);
			s->prio = (int32_t)n;
			s->has_prio = true;
			return err;
		}
		if (pl_is(k, "skill"))
			return opt_skill(x, s, v);
	}
	if (ty == FLOW_STEP_SET) {
		struct flow_var *var;

		if (!flow_name_valid(k->p, k->l))
			return perr(x, "bad variable name '%r'; use 1 to %d "
				    "of A-Z a-z 0-9 _ . + -", k,
				    FLOW_NAME_MAX);
		if (!value_valid(v))
			return perr(x, "bad value '%r' for %r; use 1 to %d "
				    "of A-Z a-z 0-9 _ . + - : @ * #", v, k,
				    FLOW_NAME_MAX);
		if (s->nvars >= FLOW_SET_VARS_MAX)
			return perr(x, "more than %d variables",
				    FLOW_SET_VARS_MAX);
		var = &s->vars[s->nvars++];
		pl_copy(var->name, k);
		pl_copy(var->val, v);
		return 0;
	}
	return perr(x, "unknown option '%r'", k);
}

/* The positional words after the action. */
static int step_args(const struct pctx *x, struct flow_step *s,
		     const struct tok *w, unsigned nw)
{
	const char *an = act_names[s->type];
	unsigned i = 0;
	int err;

	switch (s->type) {

	case FLOW_STEP_COLLECT:
		if (!nw)
			return perr(x, "collect needs a variable and a "
				    "prompt");
		err = name_copy(x, s->var, &w[0].k, "variable");
		if (err)
			return err;
		i = 1;
		/* fall through */
	case FLOW_STEP_PLAY:
	case FLOW_STEP_MENU:
		if (nw == i)
			return perr(x, "%s needs a prompt", an);
		if (nw - i > FLOW_PROMPTS_MAX)
			return perr(x, "more than %d prompts",
				    FLOW_PROMPTS_MAX);
		for (; i < nw; i++) {
			err = name_copy(x, s->prompts[s->nprompts++],
					&w[i].k, "prompt");
			if (err)
				return err;
		}
		return 0;

	case FLOW_STEP_HOURS:
	case FLOW_STEP_GOTO:
	case FLOW_STEP_QUEUE:
	case FLOW_STEP_TRANSFER:
		if (nw != 1)
			return perr(x, "%s takes one %s", an,
				    s->type == FLOW_STEP_HOURS ? "schedule" :
				    s->type == FLOW_STEP_GOTO ? "step" :
				    s->type == FLOW_STEP_QUEUE ? "queue" :
				    "number");
		if (s->type == FLOW_STEP_HOURS)
			return name_copy(x, s->sched, &w[0].k, "schedule");
		if (s->type == FLOW_STEP_GOTO)
			return opt_ref(x, &s->next, &w[0].k);
		if (s->type == FLOW_STEP_QUEUE)
			return name_copy(x, s->target, &w[0].k, "queue");
		if (!value_valid(&w[0].k))
			return perr(x, "bad number '%r'; use 1 to %d of 0-9 "
				    "A-Z a-z _ . + - : @ * #", &w[0].k,
				    FLOW_NAME_MAX);
		pl_copy(s->target, &w[0].k);
		return 0;

	default:
		if (nw)
			return perr(x, "unexpected word '%r' (%s takes only "
				    "KEY=VALUE options)", &w[0].k, an);
		return 0;
	}
}

static int tokenise(const struct pctx *x, const char *value, struct tok *t,
		    unsigned *np)
{
	const char *p = value;
	unsigned n = 0;

	for (;;) {
		const char *b, *eq = NULL;

		while (*p == ' ' || *p == '\t')
			++p;
		if (!*p)
			break;
		if (n >= FLOW_TOKENS_MAX)
			return perr(x, "more than %d words", FLOW_TOKENS_MAX);
		b = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '=' && !eq)
				eq = p;
			++p;
		}
		memset(&t[n], 0, sizeof(t[n]));
		t[n].k.p = b;
		if (eq) {
			t[n].kv = true;
			t[n].k.l = (size_t)(eq - b);
			t[n].v.p = eq + 1;
			t[n].v.l = (size_t)(p - eq - 1);
			if (!t[n].k.l)
				return perr(x, "'%r' has no option name",
					    &(struct pl){b, (size_t)(p - b)});
			if (!t[n].v.l)
				return perr(x, "option '%r' needs a value",
					    &t[n].k);
		}
		else {
			t[n].k.l = (size_t)(p - b);
		}
		++n;
	}
	*np = n;
	return 0;
}

static int step_parse(const struct pctx *x, struct flow_step *s,
		      const char *value)
{
	struct tok t[FLOW_TOKENS_MAX], w[FLOW_TOKENS_MAX];
	unsigned n = 0, nw = 0;
	bool found = false;
	int err;

	if (strlen(value) > FLOW_VALUE_MAX)
		return perr(x, "line longer than %d bytes", FLOW_VALUE_MAX);
	err = tokenise(x, value, t, &n);
	if (err)
		return err;
	if (!n)
		return perr(x, "no action; expected play, menu, collect, "
			    "hours, set, lookup, goto, queue, transfer or "
			    "hangup");
	if (t[0].kv)
		return perr(x, "line starts with option '%r'; it must start "
			    "with an action", &t[0].k);
	for (unsigned i = 0; i < ARRAY_SIZE(act_names); i++) {
		if (pl_is(&t[0].k, act_names[i])) {
			s->type = (enum flow_step_type)i;
			found = true;
		}
	}
	if (!found)
		return perr(x, "unknown action '%r'; expected play, menu, "
			    "collect, hours, set, lookup, goto, queue, "
			    "transfer or hangup", &t[0].k);

	s->timeout_s = FLOW_TIMEOUT_DEF;
	s->retries = FLOW_RETRIES_DEF;
	s->min = 1;
	s->max = FLOW_DIGITS_MAX;
	s->term = '#';

	for (unsigned i = 1; i < n; i++) {
		if (!t[i].kv) {
			w[nw++] = t[i];
			continue;
		}
		if (pl_is(&t[i].k, "skill"))
			continue;
		for (unsigned j = 1; j < i; j++)
			if (t[j].kv && !pl_cmp(&t[j].k, &t[i].k))
				return perr(x, "option '%r' given twice",
					    &t[i].k);
	}
	err = step_args(x, s, w, nw);
	if (err)
		return err;
	for (unsigned i = 1; i < n; i++) {
		if (!t[i].kv)
			continue;
		err = step_opt(x, s, &t[i]);
		if (err)
			return err;
	}

	if (s->type == FLOW_STEP_MENU) {
		found = false;
		for (unsigned i = 0; i < FLOW_NDIGITS; i++)
			found |= s->digit[i].name[0] != '\0';
		if (!found)
			return perr(x, "menu has no choices; add D=STEP for "
				    "a digit D");
	}
	if (s->type == FLOW_STEP_COLLECT && s->min > s->max)
		return perr(x, "min=%u is more than max=%u", s->min, s->max);
	return 0;
}

struct flow *flow_find(const struct flow_set *fs, const char *name)
{
	struct le *le;

	if (!fs || !name)
		return NULL;
	LIST_FOREACH(&fs->flows, le) {
		struct flow *f = le->data;

		if (!strcmp(f->name, name))
			return f;
	}
	return NULL;
}

int flow_step_find(const struct flow *f, const char *name)
{
	for (unsigned i = 0; i < f->nsteps; i++)
		if (!strcmp(f->steps[i].name, name))
			return (int)i;
	return -1;
}

static void flow_destructor(void *arg)
{
	struct flow *f = arg;

	list_unlink(&f->le);
	for (unsigned i = 0; i < f->nsteps; i++)
		mem_deref(f->steps[i].file);
	mem_deref(f->steps);
}

static void set_destructor(void *arg)
{
	struct flow_set *fs = arg;

	list_flush(&fs->flows);
	list_flush(&fs->hours);
}

/**
 * Create an empty flow set.
 *
 * @return 0, EINVAL or ENOMEM
 */
int flow_set_alloc(struct flow_set **fsp)
{
	struct flow_set *fs;

	if (!fsp)
		return EINVAL;
	fs = mem_zalloc(sizeof(*fs), set_destructor);
	if (!fs)
		return ENOMEM;
	list_init(&fs->flows);
	list_init(&fs->hours);
	*fsp = fs;
	return 0;
}

static void ref_init(struct flow_ref *r)
{
	r->idx = -1;
}

static void step_init(struct flow_step *s)
{
	memset(s, 0, sizeof(*s));
	ref_init(&s->next);
	ref_init(&s->fail);
	for (unsigned i = 0; i < FLOW_NDIGITS; i++)
		ref_init(&s->digit[i]);
	ref_init(&s->open);
	ref_init(&s->closed);
	ref_init(&s->found);
	ref_init(&s->vip);
	ref_init(&s->missing);
}

static int flow_entry(struct flow_set *fs, const char *name, const char *key,
		      const char *value, const char *file, unsigned line,
		      char *err, size_t errsz)
{
	struct pctx x = {file, line, name, key, err, errsz};
	struct flow_step *s;
	struct flow *f;
	int e;

	if (!flow_name_valid(name, strlen(name)))
		return flow_fail(err, errsz, EINVAL, "%s:%u: [flow %s]: bad "
				 "flow name; use 1 to %d of A-Z a-z 0-9 _ . "
				 "+ -", file, line, name, FLOW_NAME_MAX);
	if (!flow_name_valid(key, strlen(key)))
		return flow_fail(err, errsz, EINVAL, "%s:%u: flow %s: bad "
				 "step name '%s'; use 1 to %d of A-Z a-z 0-9 "
				 "_ . + -", file, line, name, key,
				 FLOW_NAME_MAX);
	f = flow_find(fs, name);
	if (f) {
		int i = flow_step_find(f, key);

		if (i >= 0)
			return perr(&x, "defined twice (first at %s:%u); "
				    "rename one", f->steps[i].file,
				    f->steps[i].line);
		if (f->nsteps >= FLOW_STEPS_PER_FLOW_MAX)
			return perr(&x, "more than %d steps in one flow",
				    FLOW_STEPS_PER_FLOW_MAX);
	}
	else if (fs->nflows >= FLOW_FLOWS_MAX) {
		return flow_fail(err, errsz, EINVAL, "%s:%u: more than %d "
				 "flows", file, line, FLOW_FLOWS_MAX);
	}

	s = mem_zalloc(sizeof(*s), NULL);        /* too big for the stack */
	if (!s)
		return ENOMEM;
	step_init(s);
	e = step_parse(&x, s, value);
	if (e)
		goto out;
	str_ncpy(s->name, key, sizeof(s->name));
	s->line = line;
	e = str_dup(&s->file, file);
	if (e)
		goto out;

	if (!f) {
		f = mem_zalloc(sizeof(*f), flow_destructor);
		if (!f) {
			e = ENOMEM;
			goto out;
		}
		str_ncpy(f->name, name, sizeof(f->name));
		list_append(&fs->flows, &f->le, f);
		++fs->nflows;
	}
	if (f->nsteps == f->cap) {
		unsigned cap = f->cap ? f->cap * 2 : 8;
		struct flow_step *st;

		st = mem_reallocarray(f->steps, cap, sizeof(*st), NULL);
		if (!st) {
			e = ENOMEM;
			goto out;
		}
		f->steps = st;
		f->cap = cap;
	}
	f->steps[f->nsteps++] = *s;
	s->file = NULL;                          /* moved into the flow */
 out:
	if (e)
		mem_deref(s->file);
	mem_deref(s);
	return e;
}

/**
 * Add one `key = value` line of a [flow NAME] or [hours NAME] section.
 *
 * @return 0; EINVAL with a message in err for a bad line; EPERM once the
 *         set has been checked; ENOMEM
 */
int flow_set_entry(struct flow_set *fs, const char *section,
		   const char *name, const char *key, const char *value,
		   const char *file, unsigned line, char *err, size_t errsz)
{
	if (!fs || !section || !name || !key || !value)
		return flow_fail(err, errsz, EINVAL, "flow_set_entry: "
				 "missing argument");
	if (!file)
		file = "?";
	if (fs->checked)
		return flow_fail(err, errsz, EPERM, "%s:%u: the flow set is "
				 "already checked; load a new set instead",
				 file, line);
	if (!strcmp(section, "hours"))
		return flow_hours_entry(fs, name, key, value, file, line, err,
					errsz);
	if (!strcmp(section, "flow"))
		return flow_entry(fs, name, key, value, file, line, err,
				  errsz);
	return flow_fail(err, errsz, EINVAL, "%s:%u: unknown section [%s]; "
			 "expected [flow NAME] or [hours NAME]", file, line,
			 section);
}

bool flow_set_has(const struct flow_set *fs, const char *flow)
{
	return flow_find(fs, flow) != NULL;
}
