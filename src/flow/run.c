/* flow/run.c  The interpreter: one call walking one checked flow.
 *
 * Pure state machine, no I/O and no clock: the host starts the run, does
 * what each returned struct flow_act says and reports back with
 * flow_run_input().  A run holds a reference to its set, so the names an
 * action points to (prompts, queue, number) live as long as the run.
 *
 * States (`ph`) and the inputs each accepts; any other input is EPROTO
 * and changes nothing, so a confused host cannot corrupt a call:
 *   PLAY      a play step's prompts        PROMPT_DONE
 *   PROMPT    menu/collect prompt, barge   PROMPT_DONE, DIGIT
 *   WAIT      menu/collect wait            DIGIT, TIMEOUT
 *   FEEDBACK  invalid/noinput prompt       PROMPT_DONE (then replay)
 *   DONE      queue/transfer/hangup given  nothing: EPERM
 * Steps that take no input (hours, set, lookup, goto) run back to back
 * inside one call until a step needs the host; more than
 * FLOW_STEPS_RUN_MAX of them without an input in between end the call
 * with HANGUP "loop" (the check refuses no-input cycles, so this only
 * trips on very long straight chains).
 *
 * Menu and collect attempts: retries=N is the number of attempts in all
 * (the first try included), so retries=3 gives the caller three tries;
 * retries=0 and retries=1 both mean a single try.  A failed attempt
 * (menu: a digit with no branch, or no digit before the timeout;
 * collect: fewer than min digits when the terminator is pressed or the
 * timeout expires) plays `invalid` or `noinput` when given and replays
 * the prompt.  The failed last attempt goes straight to fail= without
 * the feedback prompt, or hangs up with "menu-failed" / "collect-failed".
 * Collect ends on max digits, the terminator (default #, not stored) or
 * the timeout between digits (then min decides).
 *
 * Priority: `set priority=` and `queue priority=` replace it, a found
 * customer's priority is added; the sum is clamped to -1000..1000.
 * Skills: a requirement with the same name is replaced.
 */

#include <errno.h>
#include <string.h>
#include "flow/flow_int.h"

enum {
	FLOW_ANI_MAX = 256,
	FLOW_PRIO_MIN = -1000,
	FLOW_PRIO_MAX = 1000
};

enum run_phase {
	PH_NEW = 0,
	PH_PLAY,
	PH_PROMPT,
	PH_WAIT,
	PH_FEEDBACK,
	PH_DONE
};

struct flow_run {
	struct flow_set *fs;          /* owned reference */
	const struct flow *f;         /* borrowed from fs */
	char *ani, *dnis;             /* owned */
	flow_lookup_h *lookuph;
	void *arg;
	int cur;                      /* step index */
	enum run_phase ph;
	unsigned tries;               /* failed attempts at this step */
	unsigned nexec;               /* steps since the last input */
	char digits[FLOW_DIGITS_MAX + 1];
	unsigned ndig;
	int32_t prio;
	struct flow_skill skills[FLOW_SKILLS_MAX];
	unsigned nskills;
	struct flow_var vars[FLOW_VARS_MAX];
	unsigned nvars;
};

static void run_destructor(void *arg)
{
	struct flow_run *run = arg;

	mem_deref(run->fs);
	mem_deref(run->ani);
	mem_deref(run->dnis);
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

static void prio_set(struct flow_run *run, int64_t p)
{
	if (p < FLOW_PRIO_MIN)
		p = FLOW_PRIO_MIN;
	if (p > FLOW_PRIO_MAX)
		p = FLOW_PRIO_MAX;
	run->prio = (int32_t)p;
}

/* Add or replace; the check keeps the distinct names within the array,
 * so "full" cannot happen for a checked flow. */
static void skill_put(struct flow_run *run, const char *name, unsigned lvl)
{
	struct flow_skill *sk = NULL;

	for (unsigned i = 0; i < run->nskills; i++)
		if (!strcmp(run->skills[i].name, name))
			sk = &run->skills[i];
	if (!sk) {
		if (run->nskills >= FLOW_SKILLS_MAX)
			return;
		sk = &run->skills[run->nskills++];
		str_ncpy(sk->name, name, sizeof(sk->name));
	}
	sk->level = (uint8_t)(lvl < 1 ? 1 : lvl > 10 ? 10 : lvl);
}

static void var_set(struct flow_run *run, const char *name, const char *val)
{
	struct flow_var *v = NULL;

	for (unsigned i = 0; i < run->nvars; i++)
		if (!strcmp(run->vars[i].name, name))
			v = &run->vars[i];
	if (!v) {
		if (run->nvars >= FLOW_VARS_MAX)
			return;                  /* the check prevents it */
		v = &run->vars[run->nvars++];
		str_ncpy(v->name, name, sizeof(v->name));
	}
	str_ncpy(v->val, val, sizeof(v->val));
}

static const struct flow_step *step(const struct flow_run *run)
{
	return &run->f->steps[run->cur];
}

static int act_end(struct flow_run *run, struct flow_act *act,
		   enum flow_act_type type)
{
	memset(act, 0, sizeof(*act));
	act->type = type;
	run->ph = PH_DONE;
	return 0;
}

static int act_hangup(struct flow_run *run, struct flow_act *act,
		      const char *reason)
{
	act_end(run, act, FLOW_ACT_HANGUP);
	act->reason = reason;
	return 0;
}

static int act_prompts(struct flow_run *run, struct flow_act *act,
		       enum run_phase ph, bool barge)
{
	const struct flow_step *s = step(run);

	memset(act, 0, sizeof(*act));
	act->type = FLOW_ACT_PLAY;
	for (unsigned i = 0; i < s->nprompts; i++)
		act->prompts[i] = s->prompts[i];
	act->nprompts = s->nprompts;
	act->barge = barge;
	run->ph = ph;
	return 0;
}

static int act_wait(struct flow_run *run, struct flow_act *act)
{
	memset(act, 0, sizeof(*act));
	act->type = FLOW_ACT_WAIT;
	act->timeout_ms = step(run)->timeout_s * 1000;
	run->ph = PH_WAIT;
	return 0;
}

static void do_lookup(struct flow_run *run, const struct flow_step *s)
{
	struct flow_customer c;
	bool found = false;

	memset(&c, 0, sizeof(c));
	if (run->lookuph)
		found = run->lookuph(run->ani, &c, run->arg);
	if (!found) {
		run->cur = s->missing.idx;
		return;
	}
	c.skill[sizeof(c.skill) - 1] = '\0';     /* the host's data */
	c.id[sizeof(c.id) - 1] = '\0';
	prio_set(run, (int64_t)run->prio + c.priority);
	if (flow_name_valid(c.skill, strlen(c.skill)))
		skill_put(run, c.skill, c.level);
	if (c.id[0])
		var_set(run, "customer", c.id);
	run->cur = c.vip ? s->vip.idx : s->found.idx;
}

/* Run steps from run->cur until one needs the host. */
static int advance(struct flow_run *run, int64_t now, struct flow_act *act)
{
	for (;;) {
		const struct flow_step *s;

		if (run->cur < 0 || (unsigned)run->cur >= run->f->nsteps)
			return act_hangup(run, act, "no-step");  /* checked */
		if (++run->nexec > FLOW_STEPS_RUN_MAX)
			return act_hangup(run, act, "loop");
		s = step(run);
		switch (s->type) {

		case FLOW_STEP_PLAY:
			return act_prompts(run, act, PH_PLAY, false);

		case FLOW_STEP_MENU:
		case FLOW_STEP_COLLECT:
			run->tries = 0;
			run->ndig = 0;
			return act_prompts(run, act, PH_PROMPT, true);

		case FLOW_STEP_HOURS: {
			const struct flow_hours *h =
				flow_hours_find(run->fs, s->sched);

			run->cur = h && flow_hours_eval(h, now) ?
				s->open.idx : s->closed.idx;
			break;
		}

		case FLOW_STEP_SET:
			if (s->has_prio)
				prio_set(run, s->prio);
			for (unsigned i = 0; i < s->nskills; i++)
				skill_put(run, s->skills[i].name,
					  s->skills[i].level);
			for (unsigned i = 0; i < s->nvars; i++)
				var_set(run, s->vars[i].name, s->vars[i].val);
			run->cur = s->next.idx;
			break;

		case FLOW_STEP_LOOKUP:
			do_lookup(run, s);
			break;

		case FLOW_STEP_GOTO:
			run->cur = s->next.idx;
			break;

		case FLOW_STEP_QUEUE:
			if (s->has_prio)
				prio_set(run, s->prio);
			for (unsigned i = 0; i < s->nskills; i++)
				skill_put(run, s->skills[i].name,
					  s->skills[i].level);
			act_end(run, act, FLOW_ACT_QUEUE);
			act->queue = s->target;
			act->priority = run->prio;
			memcpy(act->skills, run->skills, sizeof(act->skills));
			act->nskills = run->nskills;
			return 0;

		case FLOW_STEP_TRANSFER:
			act_end(run, act, FLOW_ACT_TRANSFER);
			act->number = s->target;
			return 0;

		case FLOW_STEP_HANGUP:
			return act_hangup(run, act, "flow");
		}
	}
}

/* A failed menu or collect attempt. */
static int attempt_failed(struct flow_run *run, const char *feedback,
			  int64_t now, struct flow_act *act)
{
	const struct flow_step *s = step(run);
	unsigned attempts = s->retries ? s->retries : 1;

	run->ndig = 0;
	if (++run->tries >= attempts) {
		if (s->fail.idx < 0)
			return act_hangup(run, act, s->type == FLOW_STEP_MENU ?
					  "menu-failed" : "collect-failed");
		run->cur = s->fail.idx;
		return advance(run, now, act);
	}
	if (!feedback[0])
		return act_prompts(run, act, PH_PROMPT, true);
	memset(act, 0, sizeof(*act));
	act->type = FLOW_ACT_PLAY;
	act->prompts[0] = feedback;
	act->nprompts = 1;
	run->ph = PH_FEEDBACK;
	return 0;
}

static int collect_end(struct flow_run *run, int64_t now,
		       struct flow_act *act)
{
	const struct flow_step *s = step(run);

	if (run->ndig < s->min)
		return attempt_failed(run, run->ndig ? s->invalid :
				      s->noinput, now, act);
	run->digits[run->ndig] = '\0';
	var_set(run, s->var, run->digits);
	run->cur = s->next.idx;
	return advance(run, now, act);
}

static int on_digit(struct flow_run *run, char digit, int64_t now,
		    struct flow_act *act)
{
	const struct flow_step *s = step(run);

	if (s->type == FLOW_STEP_MENU) {
		int to = s->digit[digit_index(digit)].idx;

		if (to < 0)
			return attempt_failed(run, s->invalid, now, act);
		run->cur = to;
		return advance(run, now, act);
	}
	if (s->term && digit == s->term)
		return collect_end(run, now, act);
	run->digits[run->ndig++] = digit;
	if (run->ndig >= s->max)
		return collect_end(run, now, act);
	return act_wait(run, act);
}

/* Caller numbers come from the network: keep at most FLOW_ANI_MAX bytes
 * (a number that long matches no customer anyway). */
static int bounded_dup(char **dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n > FLOW_ANI_MAX)
		n = FLOW_ANI_MAX;
	*dst = mem_alloc(n + 1, NULL);
	if (!*dst)
		return ENOMEM;
	memcpy(*dst, src ? src : "", n);
	(*dst)[n] = '\0';
	return 0;
}

/**
 * Start a run of flow `flow` of a checked set, for a call from `ani` to
 * `dnis` (NULL for none).  `lookuph` (may be NULL: nobody is found) is
 * called synchronously by lookup steps and must not release the run.
 *
 * `ani` and `dnis` are cut to 256 bytes.
 *
 * @return 0; EINVAL (bad arguments, set not checked); ENOENT (no such
 *         flow); ENOMEM
 */
int flow_run_alloc(struct flow_run **runp, struct flow_set *fs,
		   const char *flow, const char *ani, const char *dnis,
		   flow_lookup_h *lookuph, void *arg)
{
	struct flow_run *run;
	const struct flow *f;
	int err;

	if (!runp || !fs || !flow || !fs->checked)
		return EINVAL;
	f = flow_find(fs, flow);
	if (!f)
		return ENOENT;
	run = mem_zalloc(sizeof(*run), run_destructor);
	if (!run)
		return ENOMEM;
	run->fs = mem_ref(fs);
	run->f = f;
	run->lookuph = lookuph;
	run->arg = arg;
	err = bounded_dup(&run->ani, ani);
	if (!err)
		err = bounded_dup(&run->dnis, dnis);
	if (err)
		mem_deref(run);
	else
		*runp = run;
	return err;
}

/**
 * Start the run at the flow's first step and give the first action.
 *
 * @return 0; EINVAL; EALREADY when started before
 */
int flow_run_start(struct flow_run *run, int64_t now, struct flow_act *act)
{
	if (!run || !act)
		return EINVAL;
	if (run->ph != PH_NEW)
		return EALREADY;
	run->cur = 0;
	run->nexec = 0;
	return advance(run, now, act);
}

/**
 * Report what became of the last PLAY or WAIT and get the next action.
 *
 * @return 0; EINVAL (bad arguments or digit); EPERM (not started, or
 *         ended: the last action was QUEUE, TRANSFER or HANGUP); EPROTO
 *         (an input the last action cannot produce, e.g. a DIGIT for a
 *         PLAY without barge; nothing changes)
 */
int flow_run_input(struct flow_run *run, enum flow_input in, char digit,
		   int64_t now, struct flow_act *act)
{
	if (!run || !act)
		return EINVAL;
	if (run->ph == PH_NEW || run->ph == PH_DONE)
		return EPERM;
	if (in != FLOW_IN_PROMPT_DONE && in != FLOW_IN_DIGIT &&
	    in != FLOW_IN_TIMEOUT)
		return EINVAL;
	if (in == FLOW_IN_DIGIT && digit_index(digit) < 0)
		return EINVAL;

	switch (run->ph) {

	case PH_PLAY:
		if (in != FLOW_IN_PROMPT_DONE)
			return EPROTO;
		run->nexec = 0;
		run->cur = step(run)->next.idx;
		return advance(run, now, act);

	case PH_FEEDBACK:
		if (in != FLOW_IN_PROMPT_DONE)
			return EPROTO;
		run->nexec = 0;
		return act_prompts(run, act, PH_PROMPT, true);

	case PH_PROMPT:
		if (in == FLOW_IN_TIMEOUT)
			return EPROTO;
		run->nexec = 0;
		if (in == FLOW_IN_PROMPT_DONE)
			return act_wait(run, act);
		return on_digit(run, digit, now, act);

	case PH_WAIT:
		if (in == FLOW_IN_PROMPT_DONE)
			return EPROTO;
		run->nexec = 0;
		if (in == FLOW_IN_DIGIT)
			return on_digit(run, digit, now, act);
		if (step(run)->type == FLOW_STEP_MENU)
			return attempt_failed(run, step(run)->noinput, now,
					      act);
		return collect_end(run, now, act);

	default:
		return EPERM;
	}
}

const char *flow_run_var(const struct flow_run *run, const char *name)
{
	if (!run || !name)
		return NULL;
	for (unsigned i = 0; i < run->nvars; i++)
		if (!strcmp(run->vars[i].name, name))
			return run->vars[i].val;
	return NULL;
}

const char *flow_run_var_at(const struct flow_run *run, unsigned i,
			    const char **valp)
{
	if (!run || i >= run->nvars)
		return NULL;
	if (valp)
		*valp = run->vars[i].val;
	return run->vars[i].name;
}

const char *flow_run_step(const struct flow_run *run)
{
	if (!run || run->cur < 0 || (unsigned)run->cur >= run->f->nsteps)
		return "";
	return run->f->steps[run->cur].name;
}
