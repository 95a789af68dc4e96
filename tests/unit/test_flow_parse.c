/* tests/unit/test_flow_parse.c  The flow parser and checker
 * (src/flow/flow.c, src/flow/check.c): every action's syntax, every
 * message a bad line or a bad reference gets, loops without input,
 * falling off the end, and the room a call needs for variables and
 * skills.  A small INI reader (fc_load) feeds text to flow_set_entry()
 * with line numbers, as core/'s reader does; names containing "bogus"
 * are unknown prompts, queues and skills. */

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

/* Load must fail with `code` and a message containing `msg`. */
#define BAD(text, code, msg) bad(__LINE__, text, code, msg)

static void bad(int at, const char *text, int code, const char *msg)
{
	struct flow_set *fs = NULL;
	int e = fc_load(&fs, text);

	if (!e)
		mem_deref(fs);
	if (e != code || !strstr(err, msg))
		fail_msg("line %d: want %d \"%s\", got %d \"%s\"", at, code,
			 msg, e, err);
}

static void good(const char *text)
{
	struct flow_set *fs = NULL;

	if (fc_load(&fs, text))
		fail_msg("unexpected error: %s", err);
	mem_deref(fs);
}

/* The example of flow.h, with its schedule. */
static const char example[] =
	"[hours office]\n"
	"timezone = Europe/Berlin\n"
	"mon-fri  = 08:00-18:00\n"
	"[flow main]\n"
	"start   = hours office open=welcome closed=closed\n"
	"welcome = play welcome\n"
	"menu    = menu main-menu 1=sales 2=support timeout=5 retries=3 "
	"invalid=invalid noinput=noinput fail=support\n"
	"sales   = queue sales\n"
	"support = lookup vip=vip\n"
	"normal  = queue support\n"
	"vip     = set priority=50 skill=billing:3 tier=gold next=normal\n"
	"closed  = play closed next=bye\n"
	"bye     = hangup\n";

static void test_flow_parse_example(void **state)
{
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, fc_load(&fs, example));
	assert_true(flow_set_has(fs, "main"));
	assert_false(flow_set_has(fs, "other"));
	assert_false(flow_set_has(NULL, "main"));
	/* frozen once checked */
	assert_int_equal(EPERM, flow_set_entry(fs, "flow", "main", "x",
					       "hangup", "t", 1, err,
					       sizeof(err)));
	assert_non_null(strstr(err, "already checked"));
	/* checking again is harmless */
	assert_int_equal(0, flow_set_check(fs, &fc_check, err, sizeof(err)));
	mem_deref(fs);
}

static void test_flow_parse_every_action(void **state)
{
	(void)state;

	good("[flow a]\n"
	     "p = play p1 p2 p3 next=m\n"
	     "skip = hangup\n"
	     "m = menu p1 p2 0=c 9=c *=c #=x timeout=600 retries=0 "
	     "invalid=p3 noinput=p4 fail=x\n"
	     "c = collect account p1 min=2 max=32 terminator=* timeout=1 "
	     "retries=10 invalid=p1 noinput=p2 next=s fail=x\n"
	     "s = set priority=-1000 skill=billing:1 skill=sales:10 "
	     "skill=billing:2 tier=gold dest=sip:100@host next=l\n"
	     "l = lookup found=g vip=q missing=t\n"
	     "g = goto q\n"
	     "q = queue support priority=1000 skill=billing:3\n"
	     "t = transfer +4930123*#\n"
	     "x = hangup\n");
	/* optional parts omitted; branches default to the next step */
	good("[flow b]\n"
	     "c = collect v p terminator=none\n"
	     "h = hours office\n"
	     "l = lookup\n"
	     "s = set\n"
	     "q = queue q\n"
	     "[hours office]\n"
	     "timezone = UTC\n");
	/* flows are independent; same step names in two flows */
	good("[flow a]\nx = hangup\n[flow b]\nx = goto y\ny = hangup\n");
	/* play loop and menu loop take input: allowed */
	good("[flow a]\nx = play p1 next=x\n");
	good("[flow a]\nm = menu p 1=m 2=n\nn = play p next=m\n");
	good("[flow a]\ns = set a=1\np = play p next=s\n");
}

static void test_flow_parse_bad_lines(void **state)
{
	(void)state;

	BAD("[flow main]\nstart = play p\nbye = hangup\n"
	    "menu = menu m 1=bye tmeout=5\n", EINVAL,
	    "test.conf:4: flow main, step menu: unknown option 'tmeout'");
	BAD("[flow main]\nx = plya p\n", EINVAL,
	    "test.conf:2: flow main, step x: unknown action 'plya'");
	BAD("[flow main]\nx = \n", EINVAL, "step x: no action");
	BAD("[flow main]\nx = next=y play p\n", EINVAL,
	    "line starts with option 'next'");
	BAD("[flow main]\nx = play p next=a next=b\n", EINVAL,
	    "option 'next' given twice");
	BAD("[flow main]\nx = menu p 1=a 1=b\n", EINVAL,
	    "option '1' given twice");
	BAD("[flow main]\nx = play p next=\n", EINVAL,
	    "option 'next' needs a value");
	BAD("[flow main]\nx = play p =y\n", EINVAL,
	    "'=y' has no option name");
	BAD("[flow main]\nx = play a b c d e f g h i j k l m n o p q r s "
	    "t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x "
	    "y z a b c d e f g h i j k l m n\n", EINVAL, "more than 64 words");
	BAD("[flow main]\nx = play a b c d e f g h i j k l m n o p q\n",
	    EINVAL, "more than 16 prompts");
	BAD("[flow main]\nx = play\n", EINVAL, "play needs a prompt");
	BAD("[flow main]\nx = play next=y\ny = hangup\n", EINVAL,
	    "play needs a prompt");
	BAD("[flow main]\nx = menu 1=y\n", EINVAL, "menu needs a prompt");
	BAD("[flow main]\nx = menu p timeout=3\n", EINVAL,
	    "menu has no choices");
	BAD("[flow main]\nx = collect\n", EINVAL,
	    "collect needs a variable and a prompt");
	BAD("[flow main]\nx = collect v\n", EINVAL, "collect needs a prompt");
	BAD("[flow main]\nx = collect v p min=5 max=4\n", EINVAL,
	    "min=5 is more than max=4");
	BAD("[flow main]\nx = collect v p terminator=##\n", EINVAL,
	    "terminator must be one of 0-9 * # or none, not '##'");
	BAD("[flow main]\nx = hours\n", EINVAL, "hours takes one schedule");
	BAD("[flow main]\nx = hours a b\n", EINVAL,
	    "hours takes one schedule");
	BAD("[flow main]\nx = goto\n", EINVAL, "goto takes one step");
	BAD("[flow main]\nx = queue\n", EINVAL, "queue takes one queue");
	BAD("[flow main]\nx = transfer a b\n", EINVAL,
	    "transfer takes one number");
	BAD("[flow main]\nx = transfer 12\"3\n", EINVAL, "bad number '12\"3'");
	BAD("[flow main]\nx = hangup now\n", EINVAL,
	    "unexpected word 'now' (hangup takes only KEY=VALUE options)");
	BAD("[flow main]\nx = lookup y\n", EINVAL, "unexpected word 'y'");
	BAD("[flow main]\nx = hangup reason=x\n", EINVAL,
	    "unknown option 'reason'");
	BAD("[flow main]\nx = queue q next=y\n", EINVAL,
	    "unknown option 'next'");
	BAD("[flow main]\nx = goto y fail=z\n", EINVAL,
	    "unknown option 'fail'");
	BAD("[flow main]\nx = menu p 1=y min=1\n", EINVAL,
	    "unknown option 'min'");
	BAD("[flow main]\nx = menu p a=y\n", EINVAL, "unknown option 'a'");
	BAD("[flow main]\nx = menu p 12=y\n", EINVAL, "unknown option '12'");
	BAD("[flow main]\nx = hours h open=a found=b\n", EINVAL,
	    "unknown option 'found'");
	BAD("[flow main]\nx = lookup open=a\n", EINVAL,
	    "unknown option 'open'");
	BAD("[flow main]\nx = play p timeout=5\n", EINVAL,
	    "unknown option 'timeout'");
	/* names */
	BAD("[flow main]\nx = play p/q\n", EINVAL,
	    "bad prompt name 'p/q'; use 1 to 63 of");
	BAD("[flow main]\nx = play "
	    "p123456789012345678901234567890123456789012345678901234567890123"
	    "\n", EINVAL, "bad prompt name");
	good("[flow main]\nx = play "
	     "p12345678901234567890123456789012345678901234567890123456789012"
	     "\n"
	     "y = hangup\n");
	BAD("[flow main]\nx = play p next=a:b\n", EINVAL,
	    "bad step name 'a:b'");
	BAD("[flow main]\nx = menu p 1=y invalid=a@b\n", EINVAL,
	    "bad prompt name 'a@b'");
	BAD("[flow main]\nx = collect v! p\n", EINVAL,
	    "bad variable name 'v!'");
	BAD("[flow main]\nx = hours a$\n", EINVAL, "bad schedule name 'a$'");
	BAD("[flow main]\nx = queue q\\\n", EINVAL, "bad queue name");
	BAD("[flow main]\nx = set v!=1\n", EINVAL, "bad variable name 'v!'");
	BAD("[flow main]\nx = set v=a\"b\n", EINVAL,
	    "bad value 'a\"b' for v");
	BAD("[flow main]\nst$p = hangup\n", EINVAL,
	    "test.conf:2: flow main: bad step name 'st$p'");
	BAD("[flow ma/in]\nx = hangup\n", EINVAL,
	    "test.conf:2: [flow ma/in]: bad flow name");
	BAD("[hours o/f]\ntimezone = UTC\n", EINVAL,
	    "test.conf:2: [hours o/f]: bad schedule name");
	BAD("[queue main]\nx = hangup\n", EINVAL,
	    "test.conf:2: unknown section [queue]");
	BAD("[flow main]\nx = hangup\ny = play p\nx = hangup\n", EINVAL,
	    "test.conf:4: flow main, step x: defined twice (first at "
	    "test.conf:2)");
}

static void test_flow_parse_bad_numbers(void **state)
{
	(void)state;

	BAD("[flow m]\nx = menu p 1=x timeout=0\n", EINVAL,
	    "test.conf:2: flow m, step x: timeout must be 1 to 600 seconds, "
	    "not '0'");
	BAD("[flow m]\nx = menu p 1=x timeout=601\n", EINVAL,
	    "timeout must be 1 to 600 seconds, not '601'");
	BAD("[flow m]\nx = menu p 1=x timeout=5s\n", EINVAL,
	    "not '5s'");
	BAD("[flow m]\nx = menu p 1=x timeout=99999999999999999999\n",
	    EINVAL, "not '99999999999999999999'");
	BAD("[flow m]\nx = menu p 1=x timeout=-\n", EINVAL, "not '-'");
	BAD("[flow m]\nx = menu p 1=x retries=11\n", EINVAL,
	    "retries must be 0 to 10, not '11'");
	BAD("[flow m]\nx = menu p 1=x retries=-1\n", EINVAL,
	    "retries must be 0 to 10, not '-1'");
	BAD("[flow m]\nx = collect v p min=0\n", EINVAL,
	    "min must be 1 to 32 digits, not '0'");
	BAD("[flow m]\nx = collect v p max=33\n", EINVAL,
	    "max must be 1 to 32 digits, not '33'");
	BAD("[flow m]\nx = collect v p timeout=0\n", EINVAL,
	    "timeout must be 1 to 600");
	BAD("[flow m]\nx = set priority=1001\n", EINVAL,
	    "priority must be -1000 to 1000, not '1001'");
	BAD("[flow m]\nx = queue q priority=-1001\n", EINVAL,
	    "priority must be -1000 to 1000, not '-1001'");
	BAD("[flow m]\nx = set priority=+\n", EINVAL, "priority must be");
	BAD("[flow m]\nx = set skill=billing:0\n", EINVAL,
	    "skill level must be 1 to 10, not '0'");
	BAD("[flow m]\nx = queue q skill=billing:11\n", EINVAL,
	    "skill level must be 1 to 10, not '11'");
	BAD("[flow m]\nx = set skill=billing:\n", EINVAL,
	    "skill level must be 1 to 10, not ''");
	BAD("[flow m]\nx = set skill=billing\n", EINVAL,
	    "skill must be NAME:LEVEL, not 'billing'");
	BAD("[flow m]\nx = set skill=:3\n", EINVAL, "bad skill name ''");
	BAD("[flow m]\nx = set skill=a b:3\n", EINVAL,
	    "unexpected word 'b:3'");
	BAD("[flow m]\nx = queue q skill=a:1 skill=b:1 skill=c:1 skill=d:1 "
	    "skill=e:1 skill=f:1 skill=g:1 skill=h:1 skill=i:1\n", EINVAL,
	    "more than 8 skills");
	BAD("[flow m]\nx = set a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 "
	    "l=1 m=1 n=1 o=1 p=1 q=1\n", EINVAL, "more than 16 variables");
	good("[flow m]\nx = set priority=+7 priority2=-3 skill=a:1 "
	     "skill=a:10\ny = hangup\n");
}

static void test_flow_check_unknown_refs(void **state)
{
	(void)state;

	BAD("[flow main]\nmenu = menu m 1=salse\nsales = hangup\n", EINVAL,
	    "test.conf:2: flow main, step menu: unknown step 'salse'");
	BAD("[flow main]\nx = play p next=nope\n", EINVAL,
	    "step x: unknown step 'nope'");
	BAD("[flow main]\nx = goto nope\n", EINVAL, "unknown step 'nope'");
	BAD("[flow main]\nx = menu p 1=x fail=nope\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = collect v p fail=nope\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = collect v p next=nope\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[hours h]\ntimezone = UTC\n[flow main]\n"
	    "x = hours h open=y closed=nope\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[hours h]\ntimezone = UTC\n[flow main]\n"
	    "x = hours h open=nope closed=y\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = lookup found=nope\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = lookup vip=nope\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = lookup missing=nope\ny = hangup\n", EINVAL,
	    "unknown step 'nope'");
	BAD("[flow main]\nx = set next=nope\n", EINVAL,
	    "unknown step 'nope'");
	/* a step of another flow is not reachable */
	BAD("[flow a]\ny = hangup\n[flow b]\nx = goto y\n", EINVAL,
	    "test.conf:4: flow b, step x: unknown step 'y'");
	/* host names */
	BAD("[flow main]\nx = play hello bogus1\ny = hangup\n", EINVAL,
	    "test.conf:2: flow main, step x: unknown prompt 'bogus1'");
	BAD("[flow main]\nx = menu p 1=x invalid=bogus2\n", EINVAL,
	    "unknown prompt 'bogus2'");
	BAD("[flow main]\nx = menu p 1=x noinput=bogus3\n", EINVAL,
	    "unknown prompt 'bogus3'");
	BAD("[flow main]\nx = collect v bogus4\ny = hangup\n", EINVAL,
	    "unknown prompt 'bogus4'");
	BAD("[flow main]\nx = queue bogusq\n", EINVAL,
	    "step x: unknown queue 'bogusq'");
	BAD("[flow main]\nx = queue q skill=bogusk:2\n", EINVAL,
	    "unknown skill 'bogusk'");
	BAD("[flow main]\nx = set skill=bogusk:2\ny = hangup\n", EINVAL,
	    "unknown skill 'bogusk'");
	BAD("[flow main]\nx = hours office open=y closed=y\ny = hangup\n",
	    EINVAL, "step x: unknown schedule 'office'; add an [hours "
	    "office] section");
	/* a transfer number and a variable are not checked by the host */
	good("[flow main]\nx = set v=bogus\ny = transfer bogus\n");
}

static void test_flow_check_no_host_checks(void **state)
{
	struct flow_set *fs = NULL;
	(void)state;

	assert_int_equal(0, flow_set_alloc(&fs));
	assert_int_equal(0, flow_set_entry(fs, "flow", "m", "x",
					   "play bogus", "f", 1, err,
					   sizeof(err)));
	assert_int_equal(0, flow_set_entry(fs, "flow", "m", "y",
					   "queue bogus", NULL, 2, err,
					   sizeof(err)));
	assert_int_equal(0, flow_set_check(fs, NULL, err, sizeof(err)));
	mem_deref(fs);
	assert_int_equal(EINVAL, flow_set_alloc(NULL));
	assert_int_equal(EINVAL, flow_set_check(NULL, NULL, err,
						sizeof(err)));
	assert_int_equal(EINVAL, flow_set_entry(NULL, "flow", "m", "x",
						"hangup", "f", 1, err,
						sizeof(err)));
	/* messages truncate safely, and err may be NULL */
	assert_int_equal(0, flow_set_alloc(&fs));
	assert_int_equal(EINVAL, flow_set_entry(fs, "flow", "m", "x",
						"plya", "f", 1, err, 8));
	assert_true(strlen(err) < 8);
	assert_int_equal(EINVAL, flow_set_entry(fs, "flow", "m", "x",
						"plya", "f", 1, NULL, 0));
	assert_int_equal(EINVAL, flow_set_entry(fs, "flow", "m", "x",
						"plya", "f", 1, err, 1));
	assert_int_equal(0, err[0]);
	mem_deref(fs);
}

static void test_flow_check_falls_off_end(void **state)
{
	(void)state;

	BAD("[flow main]\na = hangup\nx = play p\n", EINVAL,
	    "test.conf:3: flow main, step x: falls off the end of the flow; "
	    "add next= or end the flow with queue, transfer or hangup");
	BAD("[flow main]\nx = set a=1\n", EINVAL,
	    "step x: falls off the end");
	BAD("[flow main]\nx = lookup found=x vip=x\n", EINVAL,
	    "step x: falls off the end");          /* missing= */
	BAD("[flow main]\ny = hangup\nx = lookup missing=y\n", EINVAL,
	    "step x: falls off the end");          /* found= */
	BAD("[hours h]\ntimezone = UTC\n[flow main]\ny = hangup\n"
	    "x = hours h open=y\n", EINVAL, "step x: falls off the end");
	BAD("[flow main]\nx = collect v p fail=x\n", EINVAL,
	    "step x: falls off the end");
	/* explicit branches everywhere: fine */
	good("[flow main]\ny = hangup\nx = lookup found=y missing=y\n");
	good("[flow main]\ny = hangup\nx = set next=y\n");
	good("[flow main]\ny = hangup\nx = goto y\n");
	good("[flow main]\ny = hangup\nx = menu p 1=y\n");
	good("[flow main]\ny = hangup\nx = collect v p next=y\n");
	good("[hours h]\ntimezone = UTC\n[flow main]\ny = hangup\n"
	     "x = hours h open=y closed=y\n");
}

static void test_flow_check_loops(void **state)
{
	(void)state;

	BAD("[flow main]\na = set x=1\nb = goto a\n", EINVAL,
	    "test.conf:2: flow main, step a: loop without caller input: "
	    "a -> b -> a; put a menu, collect or play in it");
	BAD("[flow main]\na = goto a\n", EINVAL,
	    "loop without caller input: a -> a");
	BAD("[hours h]\ntimezone = UTC\n[flow main]\nz = play p\n"
	    "a = hours h open=b closed=z\nb = lookup found=c missing=z\n"
	    "c = set next=a\n", EINVAL,
	    "step a: loop without caller input: a -> b -> c -> a");
	BAD("[flow main]\nz = play p\na = lookup vip=a found=z missing=z\n",
	    EINVAL, "a -> a");
	BAD("[flow main]\nz = play p next=a\nq = hangup\na = set x=1\n"
	    "b = goto c\nc = lookup found=q missing=b\n", EINVAL,
	    "step b: loop without caller input: b -> c -> b");
	/* a diamond without a cycle is fine */
	good("[flow main]\na = lookup found=b missing=c\nb = set x=1 next=d\n"
	     "c = set x=2\nd = goto e\ne = hangup\n");
}

static void test_flow_check_room(void **state)
{
	(void)state;

	/* 16 variables over several steps fit; a 17th does not */
	good("[flow m]\na = set v1=1 v2=1 v3=1 v4=1 v5=1 v6=1 v7=1 v8=1\n"
	     "b = set v9=1 v10=1 v11=1 v12=1 v13=1 v14=1 v15=1\n"
	     "c = collect v16 p\nd = set v1=2\ne = hangup\n");
	BAD("[flow m]\na = set v1=1 v2=1 v3=1 v4=1 v5=1 v6=1 v7=1 v8=1\n"
	    "b = set v9=1 v10=1 v11=1 v12=1 v13=1 v14=1 v15=1\n"
	    "c = collect v16 p\nd = collect v17 p\ne = hangup\n", EINVAL,
	    "test.conf:5: flow m, step d: the flow sets more than 16 "
	    "variables");
	/* a lookup keeps one for "customer" */
	BAD("[flow m]\na = set v1=1 v2=1 v3=1 v4=1 v5=1 v6=1 v7=1 v8=1\n"
	    "b = set v9=1 v10=1 v11=1 v12=1 v13=1 v14=1 v15=1\n"
	    "c = collect v16 p\nl = lookup\ne = hangup\n", EINVAL,
	    "step c: the flow sets more than 16 variables (lookup's "
	    "\"customer\" included)");
	good("[flow m]\na = set skill=a:1 skill=b:1 skill=c:1 skill=d:1\n"
	     "b = queue q skill=e:1 skill=f:1 skill=g:1 skill=h:1 "
	     "skill=a:2\n");
	BAD("[flow m]\na = set skill=a:1 skill=b:1 skill=c:1 skill=d:1\n"
	    "b = queue q skill=e:1 skill=f:1 skill=g:1 skill=h:1 "
	    "skill=i:2\n", EINVAL,
	    "step b: the flow names more than 8 skills");
	BAD("[flow m]\nl = lookup\n"
	    "a = set skill=a:1 skill=b:1 skill=c:1 skill=d:1\n"
	    "b = queue q skill=e:1 skill=f:1 skill=g:1 skill=h:1\n", EINVAL,
	    "step b: the flow names more than 7 skills (8 per call, one "
	    "kept for lookup)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_parse_example),
		cmocka_unit_test(test_flow_parse_every_action),
		cmocka_unit_test(test_flow_parse_bad_lines),
		cmocka_unit_test(test_flow_parse_bad_numbers),
		cmocka_unit_test(test_flow_check_unknown_refs),
		cmocka_unit_test(test_flow_check_no_host_checks),
		cmocka_unit_test(test_flow_check_falls_off_end),
		cmocka_unit_test(test_flow_check_loops),
		cmocka_unit_test(test_flow_check_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
