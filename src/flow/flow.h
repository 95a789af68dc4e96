/* flow/flow.h  IVR call flows: defined as data, checked when loaded, run
 * as a pure state machine per call.
 *
 * A flow set holds named flows and business-hours schedules, built from
 * the configuration file's [flow NAME] and [hours NAME] sections one
 * key = value line at a time (flow_set_entry), then checked once
 * (flow_set_check): every step, prompt, queue and schedule a flow names
 * must exist, and no cycle may be made only of steps that take no input
 * (it would spin forever).  A set that passed the check never fails
 * mid-call for a reason the check could have seen.
 *
 * A run is one call walking one flow.  It does no I/O and reads no
 * clock: the host (core/) starts it, carries out each action it returns
 * (play prompts, wait for digits, queue, transfer, hang up) and feeds back
 * what happened (prompt finished, digit, timeout).  Wall-clock time for
 * business hours is passed in as Unix seconds.
 *
 * Step syntax (docs/config.md has the user's version):
 *   [flow main]
 *   start   = hours office open=welcome closed=closed
 *   welcome = play welcome
 *   menu    = menu main-menu 1=sales 2=support timeout=5 retries=3
 *             invalid=invalid noinput=noinput fail=support
 *   sales   = queue sales
 *   support = lookup vip=vip
 *   normal  = queue support
 *   vip     = set priority=50 skill=billing:3 tier=gold next=normal
 *   closed  = play closed next=bye
 *   bye     = hangup
 * A step runs the next step in file order unless it names another
 * (next=, or the branches of menu/hours/lookup).  A flow starts at its
 * first step.  Actions:
 *   play PROMPT... [next=STEP]
 *   menu PROMPT D=STEP... [timeout=S] [retries=N] [invalid=PROMPT]
 *        [noinput=PROMPT] [fail=STEP]          D is 0-9, * or #
 *   collect VAR PROMPT [min=N] [max=N] [terminator=D] [timeout=S]
 *        [next=STEP] [fail=STEP]
 *   hours SCHEDULE open=STEP closed=STEP
 *   set [priority=N] [skill=NAME:LEVEL]... [VAR=VALUE]... [next=STEP]
 *   lookup [found=STEP] [vip=STEP] [missing=STEP]
 *   goto STEP
 *   queue QUEUE [priority=N] [skill=NAME:LEVEL]...
 *   transfer NUMBER
 *   hangup
 * Schedules:
 *   [hours office]
 *   timezone = Europe/Berlin
 *   mon-fri  = 08:00-18:00
 *   sat      = 09:00-13:00 14:00-16:00
 *   holiday  = 2026-12-25
 *   holiday  = 2026-12-24 08:00-12:00     (open only then that day)
 */

#ifndef SB_FLOW_H
#define SB_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flow_set;
struct flow_run;

enum {
	FLOW_PROMPTS_MAX = 16,    /* prompts played by one action */
	FLOW_SKILLS_MAX  = 8,     /* skill requirements set on a call */
	FLOW_VARS_MAX    = 16,    /* variables per call */
	FLOW_DIGITS_MAX  = 32,    /* collected digits */
	FLOW_NAME_MAX    = 63,    /* flow, step, prompt, queue, var names */
	FLOW_STEPS_RUN_MAX = 1000 /* steps without input before giving up */
};

/* Host checks used by flow_set_check(): does this prompt / queue /
 * skill exist?  Return true when it does. */
typedef bool (flow_exists_h)(const char *name, void *arg);

struct flow_check {
	flow_exists_h *prompt;
	flow_exists_h *queue;
	flow_exists_h *skill;
	void *arg;
};

/* A customer found by caller number (ANI), for the lookup action. */
struct flow_customer {
	bool vip;
	int32_t priority;         /* added to the call's priority */
	char skill[FLOW_NAME_MAX + 1];   /* "" or a required skill ... */
	uint8_t level;            /* ... at this level */
	char id[FLOW_NAME_MAX + 1];      /* customer id, kept as a variable */
};

/* Return true and fill *cust when the caller number is a known customer. */
typedef bool (flow_lookup_h)(const char *ani, struct flow_customer *cust,
			     void *arg);

enum flow_act_type {
	FLOW_ACT_PLAY = 0,  /* play prompts[0..nprompts); report PROMPT_DONE;
			     * when `barge` a digit may interrupt (report
			     * DIGIT; the host stops the prompt) */
	FLOW_ACT_WAIT,      /* wait up to timeout_ms for a digit: report
			     * DIGIT or TIMEOUT */
	FLOW_ACT_QUEUE,     /* done: queue the call (queue, priority, skills) */
	FLOW_ACT_TRANSFER,  /* done: transfer the call to `number` */
	FLOW_ACT_HANGUP     /* done: hang up (`reason` says why) */
};

struct flow_skill {
	char name[FLOW_NAME_MAX + 1];
	uint8_t level;
};

struct flow_act {
	enum flow_act_type type;
	/* PLAY */
	const char *prompts[FLOW_PROMPTS_MAX];  /* names, owned by the set */
	unsigned nprompts;
	bool barge;
	/* WAIT */
	uint32_t timeout_ms;
	/* QUEUE */
	const char *queue;
	int32_t priority;
	struct flow_skill skills[FLOW_SKILLS_MAX];
	unsigned nskills;
	/* TRANSFER */
	const char *number;
	/* HANGUP */
	const char *reason;       /* "flow" (a hangup step) or an error */
};

enum flow_input {
	FLOW_IN_PROMPT_DONE = 0,
	FLOW_IN_DIGIT,
	FLOW_IN_TIMEOUT
};

/* Set: building and checking.  Errors are errno values with a message in
 * err ("FILE:LINE: flow main, step menu: unknown step 'salse'"). */
int  flow_set_alloc(struct flow_set **fsp);
/* One line of a [flow NAME] or [hours NAME] section: `section` is "flow"
 * or "hours".  Returns EINVAL with a message for a bad line. */
int  flow_set_entry(struct flow_set *fs, const char *section,
		    const char *name, const char *key, const char *value,
		    const char *file, unsigned line, char *err, size_t errsz);
int  flow_set_check(struct flow_set *fs, const struct flow_check *chk,
		    char *err, size_t errsz);
bool flow_set_has(const struct flow_set *fs, const char *flow);
/* Is schedule `hours` open at Unix time `t`?  ENOENT when unknown. */
int  flow_hours_open(const struct flow_set *fs, const char *hours,
		     int64_t t, bool *openp);

/* Run: one call in one flow.  The run keeps a reference to the set. */
int  flow_run_alloc(struct flow_run **runp, struct flow_set *fs,
		    const char *flow, const char *ani, const char *dnis,
		    flow_lookup_h *lookuph, void *arg);
/* Start, and get the first action. */
int  flow_run_start(struct flow_run *run, int64_t now, struct flow_act *act);
/* Report what happened to the last PLAY or WAIT; get the next action.
 * `digit` is '0'-'9', '*', '#' for FLOW_IN_DIGIT. */
int  flow_run_input(struct flow_run *run, enum flow_input in, char digit,
		    int64_t now, struct flow_act *act);
/* Variables set by `set` and `collect` (and "customer" by lookup). */
const char *flow_run_var(const struct flow_run *run, const char *name);
/* The i-th variable (0..): its name, and its value in *valp; NULL past
 * the last one.  For the call record. */
const char *flow_run_var_at(const struct flow_run *run, unsigned i,
			    const char **valp);
/* The step the run is in, for logs. */
const char *flow_run_step(const struct flow_run *run);

#endif
