/* tests/unit/test_flow_run.c  The interpreter (src/flow/run.c): every
 * action, menu retries with invalid/noinput/fail, collect with
 * terminator/max/min/timeout, barge-in, lookup branches and what a found
 * customer adds, hours branches by the time passed in, the loop guard,
 * misuse (EPERM, EPROTO, EINVAL), and a randomized run of random flows:
 * random valid inputs (and some invalid ones, which must change nothing)
 * never get an error, every action is well formed, a checked flow never
 * hangs up for "loop", and flows whose branches only go forward end
 * within a bounded number of inputs.  Fixed seed, SB_SEED overrides. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libre.h"
#include "flow/flow.h"

#include "flow_harness.h"

static uint64_t seed(void)
{
	const char *s = getenv("SB_SEED");

	return s ? strtoull(s, NULL, 10) : 4242;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static struct flow_set *load(const char *text)
{
	struct flow_set *fs = NULL;

	if (fc_load(&fs, text))
		fail_msg("load: %s", err);
	return fs;
}

/* A customer table for lookup: ANI "vip", "known", anything else not. */
static unsigned lookups;

static bool lookup(const char *ani, struct flow_customer *c, void *arg)
{
	(void)arg;
	++lookups;
	if (!strcmp(ani, "vip") || !strcmp(ani, "known")) {
		c->vip = !strcmp(ani, "vip");
		c->priority = 30;
		str_ncpy(c->skill, "gold", sizeof(c->skill));
		c->level = 7;
		str_ncpy(c->id, "C-17", sizeof(c->id));
		return true;
	}
	if (!strcmp(ani, "huge")) {                /* untrusted host data */
		c->priority = 2000000000;
		memset(c->skill, 'a', sizeof(c->skill));   /* unterminated */
		c->level = 99;
		memset(c->id, 'b', sizeof(c->id));
		return true;
	}
	return false;
}

static struct flow_run *start(struct flow_set *fs, const char *flow,
			      const char *ani, int64_t now,
			      struct flow_act *act)
{
	struct flow_run *run = NULL;

	assert_int_equal(0, flow_run_alloc(&run, fs, flow, ani, "100",
					   lookup, NULL));
	assert_int_equal(0, flow_run_start(run, now, act));
	return run;
}

static void in(struct flow_run *run, enum flow_input i, char d,
	       struct flow_act *act)
{
	assert_int_equal(0, flow_run_input(run, i, d, 0, act));
}

#define DONE(run, act) in(run, FLOW_IN_PROMPT_DONE, 0, act)
#define DIGIT(run, d, act) in(run, FLOW_IN_DIGIT, d, act)
#define TIMEOUT(run, act) in(run, FLOW_IN_TIMEOUT, 0, act)

static void is_play(const struct flow_act *a, const char *p0, bool barge)
{
	assert_int_equal(FLOW_ACT_PLAY, a->type);
	assert_true(a->nprompts >= 1);
	assert_string_equal(p0, a->prompts[0]);
	assert_int_equal(barge, a->barge);
}

static void is_wait(const struct flow_act *a, uint32_t ms)
{
	assert_int_equal(FLOW_ACT_WAIT, a->type);
	assert_int_equal(ms, a->timeout_ms);
}

static void is_hangup(const struct flow_act *a, const char *reason)
{
	assert_int_equal(FLOW_ACT_HANGUP, a->type);
	assert_string_equal(reason, a->reason);
}

static void is_queue(const struct flow_act *a, const char *q, int32_t prio)
{
	assert_int_equal(FLOW_ACT_QUEUE, a->type);
	assert_string_equal(q, a->queue);
	assert_int_equal(prio, a->priority);
}

static const struct flow_skill *skill(const struct flow_act *a,
				      const char *name)
{
	for (unsigned i = 0; i < a->nskills; i++)
		if (!strcmp(a->skills[i].name, name))
			return &a->skills[i];
	return NULL;
}

static void test_flow_run_play_and_ends(void **state)
{
	struct flow_set *fs = load(
		"[flow main]\n"
		"a = play p1 p2 p3\n"
		"b = play p4 next=d\n"
		"c = hangup\n"
		"d = goto e\n"
		"e = transfer +4930123\n"
		"[flow q]\n"
		"x = queue sales\n"
		"[flow h]\n"
		"x = hangup\n");
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	run = start(fs, "main", "1", 0, &act);
	assert_string_equal("a", flow_run_step(run));
	is_play(&act, "p1", false);
	assert_int_equal(3, act.nprompts);
	assert_string_equal("p3", act.prompts[2]);
	DONE(run, &act);
	is_play(&act, "p4", false);
	assert_string_equal("b", flow_run_step(run));
	DONE(run, &act);
	assert_int_equal(FLOW_ACT_TRANSFER, act.type);
	assert_string_equal("+4930123", act.number);
	assert_string_equal("e", flow_run_step(run));
	assert_int_equal(EPERM, flow_run_input(run, FLOW_IN_PROMPT_DONE, 0,
					       0, &act));
	assert_int_equal(EALREADY, flow_run_start(run, 0, &act));
	mem_deref(run);

	run = start(fs, "q", NULL, 0, &act);
	is_queue(&act, "sales", 0);
	assert_int_equal(0, act.nskills);
	mem_deref(run);

	/* the run keeps the set alive */
	run = start(fs, "h", NULL, 0, &act);
	mem_deref(fs);
	is_hangup(&act, "flow");
	assert_string_equal("x", flow_run_step(run));
	assert_int_equal(EPERM, flow_run_input(run, FLOW_IN_DIGIT, '1', 0,
					       &act));
	mem_deref(run);
}

static const char menu_conf[] =
	"[flow main]\n"
	"m = menu hello 1=one 2=two timeout=7 retries=3 invalid=bad "
	"noinput=silence fail=f\n"
	"one = queue one\n"
	"two = queue two\n"
	"f = hangup\n"
	"[flow bare]\n"
	"m = menu hello 1=one\n"
	"one = queue one\n"
	"[flow once]\n"
	"m = menu hello 1=one retries=1 fail=one\n"
	"one = queue one\n"
	"[flow zero]\n"
	"m = menu hello 1=one retries=0\n"
	"one = queue one\n";

static void test_flow_run_menu_choice(void **state)
{
	struct flow_set *fs = load(menu_conf);
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	/* digit after the prompt */
	run = start(fs, "main", NULL, 0, &act);
	is_play(&act, "hello", true);
	DONE(run, &act);
	is_wait(&act, 7000);
	DIGIT(run, '2', &act);
	is_queue(&act, "two", 0);
	mem_deref(run);

	/* barge-in: a digit during the prompt counts */
	run = start(fs, "main", NULL, 0, &act);
	DIGIT(run, '1', &act);
	is_queue(&act, "one", 0);
	mem_deref(run);

	/* barge-in with an invalid digit */
	run = start(fs, "main", NULL, 0, &act);
	DIGIT(run, '#', &act);
	is_play(&act, "bad", false);
	assert_int_equal(1, act.nprompts);
	DONE(run, &act);
	is_play(&act, "hello", true);
	DIGIT(run, '1', &act);
	is_queue(&act, "one", 0);
	mem_deref(fs);
	mem_deref(run);
}

static void test_flow_run_menu_retries(void **state)
{
	struct flow_set *fs = load(menu_conf);
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	/* retries=3: three attempts in all, then fail= */
	run = start(fs, "main", NULL, 0, &act);
	DONE(run, &act);
	TIMEOUT(run, &act);                     /* attempt 1: no input */
	is_play(&act, "silence", false);
	DONE(run, &act);
	is_play(&act, "hello", true);
	DONE(run, &act);
	DIGIT(run, '9', &act);                  /* attempt 2: invalid */
	is_play(&act, "bad", false);
	DONE(run, &act);
	is_play(&act, "hello", true);
	DIGIT(run, '5', &act);                  /* attempt 3, barge */
	is_hangup(&act, "flow");                /* step f */
	assert_string_equal("f", flow_run_step(run));
	mem_deref(run);

	/* no feedback prompts, no fail=: replay, then "menu-failed" */
	run = start(fs, "bare", NULL, 0, &act);
	DONE(run, &act);
	is_wait(&act, 5000);                    /* default timeout */
	TIMEOUT(run, &act);
	is_play(&act, "hello", true);
	DIGIT(run, '0', &act);
	is_play(&act, "hello", true);
	DONE(run, &act);
	TIMEOUT(run, &act);
	is_hangup(&act, "menu-failed");
	mem_deref(run);

	/* retries=1 and retries=0: a single attempt */
	run = start(fs, "once", NULL, 0, &act);
	DONE(run, &act);
	TIMEOUT(run, &act);
	is_queue(&act, "one", 0);
	mem_deref(run);
	run = start(fs, "zero", NULL, 0, &act);
	DIGIT(run, '7', &act);
	is_hangup(&act, "menu-failed");
	mem_deref(run);
	mem_deref(fs);
}

/* Re-entering a menu (from a branch) starts its attempts afresh. */
static void test_flow_run_menu_reenter(void **state)
{
	struct flow_set *fs = load(
		"[flow main]\n"
		"m = menu hello 1=info 2=q retries=2\n"
		"info = play info next=m\n"
		"q = queue q\n");
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	run = start(fs, "main", NULL, 0, &act);
	DIGIT(run, '9', &act);                 /* attempt 1 of 2 */
	is_play(&act, "hello", true);
	DIGIT(run, '1', &act);
	is_play(&act, "info", false);
	DONE(run, &act);
	is_play(&act, "hello", true);
	DIGIT(run, '9', &act);                 /* attempt 1 again */
	is_play(&act, "hello", true);
	DIGIT(run, '2', &act);
	is_queue(&act, "q", 0);
	mem_deref(run);
	mem_deref(fs);
}

static const char collect_conf[] =
	"[flow main]\n"
	"c = collect acct enter min=3 max=5 timeout=4 invalid=short "
	"noinput=nothing fail=f\n"
	"q = queue q\n"
	"f = hangup\n"
	"[flow star]\n"
	"c = collect pin enter min=1 max=4 terminator=* retries=2\n"
	"q = queue q\n"
	"[flow noterm]\n"
	"c = collect pin enter max=3 terminator=none next=q\n"
	"x = hangup\n"
	"q = queue q\n";

static void test_flow_run_collect(void **state)
{
	struct flow_set *fs = load(collect_conf);
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	/* barge with the first digit, end with the terminator */
	run = start(fs, "main", NULL, 0, &act);
	is_play(&act, "enter", true);
	DIGIT(run, '1', &act);
	is_wait(&act, 4000);
	DIGIT(run, '2', &act);
	is_wait(&act, 4000);
	DIGIT(run, '3', &act);
	DIGIT(run, '#', &act);
	is_queue(&act, "q", 0);
	assert_string_equal("123", flow_run_var(run, "acct"));
	mem_deref(run);

	/* max digits end it at once */
	run = start(fs, "main", NULL, 0, &act);
	DONE(run, &act);
	is_wait(&act, 4000);
	for (const char *d = "98765"; *d; d++)
		DIGIT(run, *d, &act);
	is_queue(&act, "q", 0);
	assert_string_equal("98765", flow_run_var(run, "acct"));
	mem_deref(run);

	/* timeout with enough digits accepts them */
	run = start(fs, "main", NULL, 0, &act);
	DONE(run, &act);
	DIGIT(run, '4', &act);
	DIGIT(run, '*', &act);
	DIGIT(run, '4', &act);
	TIMEOUT(run, &act);
	assert_string_equal("4*4", flow_run_var(run, "acct"));
	mem_deref(run);

	/* too few: invalid, replay (digits cleared), none: noinput, then
	 * the third failure goes to fail= */
	run = start(fs, "main", NULL, 0, &act);
	DIGIT(run, '1', &act);
	DIGIT(run, '#', &act);
	is_play(&act, "short", false);
	DONE(run, &act);
	is_play(&act, "enter", true);
	DONE(run, &act);
	DIGIT(run, '5', &act);
	DIGIT(run, '5', &act);
	DIGIT(run, '5', &act);
	TIMEOUT(run, &act);
	assert_string_equal("555", flow_run_var(run, "acct"));  /* cleared */
	mem_deref(run);

	run = start(fs, "main", NULL, 0, &act);
	DONE(run, &act);
	TIMEOUT(run, &act);
	is_play(&act, "nothing", false);
	DONE(run, &act);
	DIGIT(run, '#', &act);                   /* nothing before # */
	is_play(&act, "nothing", false);
	DONE(run, &act);
	DIGIT(run, '1', &act);
	TIMEOUT(run, &act);
	is_hangup(&act, "flow");
	assert_string_equal("f", flow_run_step(run));
	assert_null(flow_run_var(run, "acct"));
	mem_deref(run);

	/* another terminator; # is then a digit; no fail=: hang up */
	run = start(fs, "star", NULL, 0, &act);
	DIGIT(run, '#', &act);
	DIGIT(run, '*', &act);
	is_queue(&act, "q", 0);
	assert_string_equal("#", flow_run_var(run, "pin"));
	mem_deref(run);
	run = start(fs, "star", NULL, 0, &act);
	DIGIT(run, '*', &act);
	is_play(&act, "enter", true);
	DONE(run, &act);
	TIMEOUT(run, &act);
	is_hangup(&act, "collect-failed");
	mem_deref(run);

	/* no terminator: # and * are digits; next= skips a step */
	run = start(fs, "noterm", NULL, 0, &act);
	DIGIT(run, '#', &act);
	DIGIT(run, '*', &act);
	DIGIT(run, '0', &act);
	is_queue(&act, "q", 0);
	assert_string_equal("#*0", flow_run_var(run, "pin"));
	mem_deref(run);
	mem_deref(fs);
}

static const char lookup_conf[] =
	"[flow main]\n"
	"s = set priority=10 skill=billing:2\n"
	"l = lookup found=found vip=vip missing=missing\n"
	"found = queue found\n"
	"vip = queue vip skill=billing:5\n"
	"missing = queue missing\n"
	"[flow defaults]\n"
	"l = lookup\n"
	"next = queue next\n"
	"[flow foundonly]\n"
	"l = lookup found=f\n"
	"m = queue m\n"
	"f = queue f priority=-5\n";

static void test_flow_run_lookup(void **state)
{
	struct flow_set *fs = load(lookup_conf);
	struct flow_run *run = NULL;
	struct flow_act act;
	(void)state;

	run = start(fs, "main", "known", 0, &act);
	is_queue(&act, "found", 40);
	assert_int_equal(2, act.nskills);
	assert_int_equal(2, skill(&act, "billing")->level);
	assert_int_equal(7, skill(&act, "gold")->level);
	assert_string_equal("C-17", flow_run_var(run, "customer"));
	mem_deref(run);

	run = start(fs, "main", "vip", 0, &act);
	is_queue(&act, "vip", 40);
	assert_int_equal(5, skill(&act, "billing")->level);  /* replaced */
	mem_deref(run);

	run = start(fs, "main", "stranger", 0, &act);
	is_queue(&act, "missing", 10);
	assert_int_equal(1, act.nskills);
	assert_null(flow_run_var(run, "customer"));
	mem_deref(run);

	/* no branches: the next step either way */
	run = start(fs, "defaults", "vip", 0, &act);
	is_queue(&act, "next", 30);
	mem_deref(run);
	run = start(fs, "defaults", "stranger", 0, &act);
	is_queue(&act, "next", 0);
	mem_deref(run);

	/* vip without vip= takes found=; missing without missing= next */
	run = start(fs, "foundonly", "vip", 0, &act);
	is_queue(&act, "f", -5);                  /* queue priority= wins */
	mem_deref(run);
	run = start(fs, "foundonly", "x", 0, &act);
	is_queue(&act, "m", 0);
	mem_deref(run);

	/* no handler: nobody is found */
	assert_int_equal(0, flow_run_alloc(&run, fs, "main", "vip", NULL,
					   NULL, NULL));
	assert_int_equal(0, flow_run_start(run, 0, &act));
	is_queue(&act, "missing", 10);
	mem_deref(run);

	/* bad data from the host is bounded and clamped */
	run = start(fs, "defaults", "huge", 0, &act);
	is_queue(&act, "next", 1000);
	for (unsigned i = 0; i < act.nskills; i++)
		assert_true(strlen(act.skills[i].name) <= FLOW_NAME_MAX);
	assert_int_equal(FLOW_NAME_MAX,
			 strlen(flow_run_var(run, "customer")));
	mem_deref(run);
	mem_deref(fs);
}

static void test_flow_run_set_and_queue(void **state)
{
	struct flow_set *fs = load(
		"[flow main]\n"
		"a = set priority=5 skill=x:1 skill=y:2 tier=gold\n"
		"b = set priority=-7 skill=x:9 tier=silver lang=de next=d\n"
		"c = hangup\n"
		"d = queue sales skill=z:3 skill=y:4\n"
		"[flow keep]\n"
		"a = set priority=20\n"
		"q = queue sales\n"
		"[flow over]\n"
		"a = set priority=1000\n"
		"l = lookup\n"
		"q = queue sales\n");
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	run = start(fs, "main", NULL, 0, &act);
	is_queue(&act, "sales", -7);
	assert_int_equal(3, act.nskills);
	assert_int_equal(9, skill(&act, "x")->level);
	assert_int_equal(4, skill(&act, "y")->level);
	assert_int_equal(3, skill(&act, "z")->level);
	assert_string_equal("silver", flow_run_var(run, "tier"));
	assert_string_equal("de", flow_run_var(run, "lang"));
	assert_null(flow_run_var(run, "priority"));
	assert_null(flow_run_var(run, NULL));
	mem_deref(run);

	run = start(fs, "keep", NULL, 0, &act);
	is_queue(&act, "sales", 20);
	mem_deref(run);

	run = start(fs, "over", "known", 0, &act);        /* 1000 + 30 */
	is_queue(&act, "sales", 1000);
	mem_deref(run);
	mem_deref(fs);
}

static void test_flow_run_hours(void **state)
{
	struct flow_set *fs = load(
		"[hours office]\n"
		"timezone = Europe/Berlin\n"
		"mon-fri = 08:00-18:00\n"
		"holiday = 2026-12-25\n"
		"[flow main]\n"
		"h = hours office open=open closed=closed\n"
		"open = queue open\n"
		"closed = play closed next=bye\n"
		"bye = hangup\n");
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	/* Monday 30 March 2026, CEST: 08:00 local is 06:00 UTC */
	run = start(fs, "main", NULL, 1774850400, &act);   /* 06:00 UTC */
	is_queue(&act, "open", 0);
	mem_deref(run);
	run = start(fs, "main", NULL, 1774850400 - 60, &act);
	is_play(&act, "closed", false);
	DONE(run, &act);
	is_hangup(&act, "flow");
	mem_deref(run);
	/* Friday 25 December 2026 10:00 CET: holiday */
	run = start(fs, "main", NULL, 1798189200, &act);
	is_play(&act, "closed", false);
	mem_deref(run);
	mem_deref(fs);
}

/* Steps without input: 999 sets and a queue are 1000 steps, fine; one
 * more set trips the guard. */
static void test_flow_run_loop_guard(void **state)
{
	struct mbuf *mb = mbuf_alloc(65536);
	struct flow_set *fs;
	struct flow_run *run;
	struct flow_act act;
	(void)state;

	for (unsigned n = 999; n <= 1000; n++) {
		mbuf_rewind(mb);
		assert_int_equal(0, mbuf_printf(mb, "[flow main]\n"));
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(0, mbuf_printf(mb,
				"s%u = set v=%u\n", i, i));
		assert_int_equal(0, mbuf_printf(mb, "q = queue q\n"));
		assert_int_equal(0, mbuf_write_u8(mb, 0));
		fs = load((const char *)mb->buf);
		run = start(fs, "main", NULL, 0, &act);
		if (n == 999) {
			is_queue(&act, "q", 0);
			assert_string_equal("998", flow_run_var(run, "v"));
		}
		else {
			is_hangup(&act, "loop");
		}
		mem_deref(run);
		mem_deref(fs);
	}
	mem_deref(mb);
}

static void test_flow_run_misuse(void **state)
{
	struct flow_set *fs = load(
		"[flow main]\n"
		"p = play hi\n"
		"m = menu m 1=q\n"
		"q = queue q\n");
	struct flow_set *raw = NULL;
	struct flow_run *run = NULL;
	struct flow_act act;
	char big[300];
	(void)state;

	assert_int_equal(ENOENT, flow_run_alloc(&run, fs, "nope", NULL,
						NULL, NULL, NULL));
	assert_int_equal(EINVAL, flow_run_alloc(&run, fs, NULL, NULL, NULL,
						NULL, NULL));
	assert_int_equal(EINVAL, flow_run_alloc(NULL, fs, "main", NULL,
						NULL, NULL, NULL));
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(0, flow_run_alloc(&run, fs, "main", big, big,
					   NULL, NULL));             /* cut */
	run = mem_deref(run);
	/* an unchecked set cannot run */
	assert_int_equal(0, flow_set_alloc(&raw));
	assert_int_equal(0, flow_set_entry(raw, "flow", "main", "x",
					   "hangup", "f", 1, err,
					   sizeof(err)));
	assert_int_equal(EINVAL, flow_run_alloc(&run, raw, "main", NULL,
						NULL, NULL, NULL));
	mem_deref(raw);

	assert_int_equal(0, flow_run_alloc(&run, fs, "main", NULL, NULL,
					   NULL, NULL));
	assert_string_equal("p", flow_run_step(run));
	assert_int_equal(EPERM, flow_run_input(run, FLOW_IN_PROMPT_DONE, 0,
					       0, &act));     /* not started */
	assert_int_equal(EINVAL, flow_run_start(run, 0, NULL));
	assert_int_equal(0, flow_run_start(run, 0, &act));
	/* a PLAY without barge takes only PROMPT_DONE */
	assert_int_equal(EPROTO, flow_run_input(run, FLOW_IN_DIGIT, '1', 0,
						&act));
	assert_int_equal(EPROTO, flow_run_input(run, FLOW_IN_TIMEOUT, 0, 0,
						&act));
	assert_int_equal(EINVAL, flow_run_input(run, FLOW_IN_DIGIT, 'x', 0,
						&act));
	assert_int_equal(EINVAL, flow_run_input(run, (enum flow_input)9, 0,
						0, &act));
	assert_int_equal(EINVAL, flow_run_input(run, FLOW_IN_PROMPT_DONE, 0,
						0, NULL));
	assert_int_equal(EINVAL, flow_run_input(NULL, FLOW_IN_PROMPT_DONE, 0,
						0, &act));
	assert_string_equal("p", flow_run_step(run));
	DONE(run, &act);
	is_play(&act, "m", true);
	/* a barge PLAY takes no TIMEOUT; a WAIT no PROMPT_DONE */
	assert_int_equal(EPROTO, flow_run_input(run, FLOW_IN_TIMEOUT, 0, 0,
						&act));
	DONE(run, &act);
	is_wait(&act, 5000);
	assert_int_equal(EPROTO, flow_run_input(run, FLOW_IN_PROMPT_DONE, 0,
						0, &act));
	DIGIT(run, '1', &act);
	is_queue(&act, "q", 0);
	assert_int_equal(EPERM, flow_run_input(run, FLOW_IN_DIGIT, '1', 0,
					       &act));
	assert_null(flow_run_var(NULL, "x"));
	assert_string_equal("", flow_run_step(NULL));
	mem_deref(run);
	mem_deref(fs);
}

/* Random flows ------------------------------------------------------ */

enum { RF_STEPS_MAX = 14, RF_FLOWS = 3000, RF_RUNS = 6,
       RF_INPUTS_MAX = 3000 };

static unsigned pick(uint64_t *x, unsigned n)
{
	return (unsigned)(rnd(x) % n);
}

/* A step name reachable from step i: any step, or in forward mode one
 * after i. */
static unsigned ref(uint64_t *x, unsigned i, unsigned n, bool fwd)
{
	if (fwd)
		return i + 1 + pick(x, n - i - 1);
	return pick(x, n);
}

static void gen_flow(struct mbuf *mb, uint64_t *x, bool fwd)
{
	unsigned n = 2 + pick(x, RF_STEPS_MAX - 1);

	(void)mbuf_printf(mb, "[hours office]\ntimezone = Europe/Berlin\n"
			  "mon-fri = 08:00-18:00\nsat = 10:00-12:00\n"
			  "holiday = 2026-12-25\n[flow main]\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned t = i == n - 1 ? 7 + pick(x, 3) : pick(x, 10);

		(void)mbuf_printf(mb, "s%u = ", i);
		if (i == n - 1)
			fwd = false;    /* no step after the last */
		switch (t) {

		case 0:
			(void)mbuf_printf(mb, "play p%u", pick(x, 4));
			if (pick(x, 3))
				(void)mbuf_printf(mb, " p%u", pick(x, 4));
			if (pick(x, 2) && (!fwd || i + 1 < n))
				(void)mbuf_printf(mb, " next=s%u",
						  ref(x, i, n, fwd));
			break;

		case 1:
			(void)mbuf_printf(mb, "menu p%u", pick(x, 4));
			for (unsigned k = 0, m = 1 + pick(x, 4); k < m; k++)
				(void)mbuf_printf(mb, " %c=s%u",
						  "0123456789*#"[k * 3 +
								 pick(x, 3)],
						  ref(x, i, n, fwd));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " retries=%u",
						  pick(x, 5));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " invalid=bad");
			if (pick(x, 2))
				(void)mbuf_printf(mb, " noinput=silence");
			if (pick(x, 2))
				(void)mbuf_printf(mb, " fail=s%u",
						  ref(x, i, n, fwd));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " timeout=%u",
						  1 + pick(x, 600));
			break;

		case 2: {
			unsigned mn = 1 + pick(x, 4);

			(void)mbuf_printf(mb, "collect v%u p%u min=%u max=%u",
					  pick(x, 3), pick(x, 4), mn,
					  mn + pick(x, 4));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " terminator=%s",
						  pick(x, 2) ? "*" : "none");
			if (pick(x, 2))
				(void)mbuf_printf(mb, " retries=%u",
						  pick(x, 4));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " invalid=bad");
			if (pick(x, 2))
				(void)mbuf_printf(mb, " next=s%u",
						  ref(x, i, n, fwd));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " fail=s%u",
						  ref(x, i, n, fwd));
			break;
		}

		case 3:
			(void)mbuf_printf(mb, "hours office");
			if (pick(x, 4))
				(void)mbuf_printf(mb, " open=s%u",
						  ref(x, i, n, fwd));
			if (pick(x, 4))
				(void)mbuf_printf(mb, " closed=s%u",
						  ref(x, i, n, fwd));
			break;

		case 4:
			(void)mbuf_printf(mb, "set priority=%d skill=k%u:%u "
					  "v%u=%u", (int)pick(x, 2001) - 1000,
					  pick(x, 4), 1 + pick(x, 10),
					  pick(x, 3), pick(x, 100));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " next=s%u",
						  ref(x, i, n, fwd));
			break;

		case 5:
			(void)mbuf_printf(mb, "lookup");
			if (pick(x, 2))
				(void)mbuf_printf(mb, " found=s%u",
						  ref(x, i, n, fwd));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " vip=s%u",
						  ref(x, i, n, fwd));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " missing=s%u",
						  ref(x, i, n, fwd));
			break;

		case 6:
			if (fwd || pick(x, 2))
				(void)mbuf_printf(mb, "goto s%u",
						  ref(x, i, n, fwd));
			else
				(void)mbuf_printf(mb, "hangup");
			break;

		case 7:
			(void)mbuf_printf(mb, "queue q%u", pick(x, 3));
			if (pick(x, 2))
				(void)mbuf_printf(mb, " priority=%d "
						  "skill=k%u:%u",
						  (int)pick(x, 2001) - 1000,
						  pick(x, 4), 1 + pick(x, 10));
			break;

		case 8:
			(void)mbuf_printf(mb, "transfer %u", pick(x, 10000));
			break;

		default:
			(void)mbuf_printf(mb, "hangup");
			break;
		}
		(void)mbuf_printf(mb, "\n");
	}
	(void)mbuf_write_u8(mb, 0);
}

static void check_act(const struct flow_act *a, uint64_t s, unsigned f)
{
	switch (a->type) {

	case FLOW_ACT_PLAY:
		if (!a->nprompts || a->nprompts > FLOW_PROMPTS_MAX)
			fail_msg("seed %llu flow %u: %u prompts",
				 (unsigned long long)s, f, a->nprompts);
		for (unsigned i = 0; i < a->nprompts; i++)
			assert_non_null(a->prompts[i]);
		break;

	case FLOW_ACT_WAIT:
		if (a->timeout_ms < 1000 || a->timeout_ms > 600000)
			fail_msg("seed %llu flow %u: wait %u ms",
				 (unsigned long long)s, f, a->timeout_ms);
		break;

	case FLOW_ACT_QUEUE:
		assert_non_null(a->queue);
		if (a->priority < -1000 || a->priority > 1000 ||
		    a->nskills > FLOW_SKILLS_MAX)
			fail_msg("seed %llu flow %u: priority %d, %u skills",
				 (unsigned long long)s, f, a->priority,
				 a->nskills);
		for (unsigned i = 0; i < a->nskills; i++)
			assert_true(a->skills[i].level >= 1 &&
				    a->skills[i].level <= 10);
		break;

	case FLOW_ACT_TRANSFER:
		assert_non_null(a->number);
		break;

	case FLOW_ACT_HANGUP:
		if (strcmp(a->reason, "flow") &&
		    strcmp(a->reason, "menu-failed") &&
		    strcmp(a->reason, "collect-failed"))
			fail_msg("seed %llu flow %u: hangup \"%s\"",
				 (unsigned long long)s, f, a->reason);
		break;

	default:
		fail_msg("seed %llu flow %u: action type %d",
			 (unsigned long long)s, f, a->type);
	}
}

static void test_flow_run_random(void **state)
{
	static const char *const anis[] = {"vip", "known", "x", "huge"};
	const uint64_t s = seed();
	uint64_t x = s | 1;
	struct mbuf *mb = mbuf_alloc(4096);
	unsigned valid = 0, ended = 0, runs = 0;
	(void)state;

	for (unsigned f = 0; f < RF_FLOWS; f++) {
		bool fwd = pick(&x, 2);
		struct flow_set *fs = NULL;

		mbuf_rewind(mb);
		gen_flow(mb, &x, fwd);
		if (fc_load(&fs, (const char *)mb->buf)) {
			if (strncmp(err, "test.conf:", 10))
				fail_msg("seed %llu flow %u: message \"%s\"",
					 (unsigned long long)s, f, err);
			if (fwd)            /* forward flows have no loop */
				fail_msg("seed %llu flow %u: %s\n%s",
					 (unsigned long long)s, f, err,
					 (const char *)mb->buf);
			continue;
		}
		++valid;
		for (unsigned r = 0; r < RF_RUNS; r++) {
			struct flow_run *run = NULL;
			struct flow_act act, keep;
			/* 2026-03-23 .. 2026-04-06, across the DST change */
			int64_t now = 1774224000 + (int64_t)pick(&x, 1209600);
			unsigned k;
			int e;

			assert_int_equal(0, flow_run_alloc(&run, fs, "main",
				anis[pick(&x, 4)], NULL, lookup, NULL));
			e = flow_run_start(run, now, &act);
			if (e)
				fail_msg("seed %llu flow %u: start %d\n%s",
					 (unsigned long long)s, f, e,
					 (const char *)mb->buf);
			++runs;
			for (k = 0; k < RF_INPUTS_MAX; k++) {
				enum flow_input in;
				char d = "0123456789*#"[pick(&x, 12)];

				check_act(&act, s, f);
				if (act.type >= FLOW_ACT_QUEUE)
					break;
				/* now and then a wrong input: no effect */
				if (!pick(&x, 10)) {
					keep = act;
					in = act.type == FLOW_ACT_WAIT ?
						FLOW_IN_PROMPT_DONE :
						act.barge ? FLOW_IN_TIMEOUT :
						FLOW_IN_DIGIT;
					e = flow_run_input(run, in, d, now,
							   &act);
					if (e != EPROTO ||
					    memcmp(&keep, &act, sizeof(act)))
						fail_msg("seed %llu flow %u: "
							 "wrong input gave %d",
							 (unsigned long long)s,
							 f, e);
				}
				if (act.type == FLOW_ACT_WAIT)
					in = pick(&x, 4) ? FLOW_IN_DIGIT :
						FLOW_IN_TIMEOUT;
				else if (act.barge && pick(&x, 2))
					in = FLOW_IN_DIGIT;
				else
					in = FLOW_IN_PROMPT_DONE;
				now += 1 + pick(&x, 30);
				e = flow_run_input(run, in, d, now, &act);
				if (e)
					fail_msg("seed %llu flow %u run %u: "
						 "input %d gave %d at step "
						 "%s\n%s",
						 (unsigned long long)s, f, r,
						 in, e, flow_run_step(run),
						 (const char *)mb->buf);
			}
			if (act.type >= FLOW_ACT_QUEUE) {
				++ended;
				assert_int_equal(EPERM, flow_run_input(run,
					FLOW_IN_PROMPT_DONE, 0, now, &act));
			}
			else if (fwd) {
				/* forward-only flows always end: each step
				 * is left after at most 10 attempts */
				fail_msg("seed %llu flow %u: forward flow did "
					 "not end in %u inputs\n%s",
					 (unsigned long long)s, f, k,
					 (const char *)mb->buf);
			}
			mem_deref(run);
		}
		mem_deref(fs);
	}
	mem_deref(mb);
	if (getenv("SB_VERBOSE"))
		printf("%u valid flows of %u, %u of %u runs ended\n", valid,
		       RF_FLOWS, ended, runs);
	if (valid < RF_FLOWS / 5 || ended < runs / 2)
		fail_msg("seed %llu: only %u valid flows, %u of %u runs "
			 "ended", (unsigned long long)s, valid, ended, runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_run_play_and_ends),
		cmocka_unit_test(test_flow_run_menu_choice),
		cmocka_unit_test(test_flow_run_menu_retries),
		cmocka_unit_test(test_flow_run_menu_reenter),
		cmocka_unit_test(test_flow_run_collect),
		cmocka_unit_test(test_flow_run_lookup),
		cmocka_unit_test(test_flow_run_set_and_queue),
		cmocka_unit_test(test_flow_run_hours),
		cmocka_unit_test(test_flow_run_loop_guard),
		cmocka_unit_test(test_flow_run_misuse),
		cmocka_unit_test(test_flow_run_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
