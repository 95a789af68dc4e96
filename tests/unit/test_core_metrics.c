/* test_core_metrics.c  core/metrics.c: the Prometheus text for /metrics.
 *
 * Alone: label escaping, the histogram's buckets (a value on a bound
 * counts in that bound's bucket; counts are cumulative; sum and count),
 * checked also against a brute-force model on random values (fixed seed,
 * SB_SEED overrides, printed on failure), and the outcome mapping
 * (unknown outcomes count as "other").
 *
 * Whole: metrics_print() on a center assembled by hand (configuration,
 * engine and agents; no SIP, media or store: those read as 0), its text
 * checked line by line against the exposition format 0.0.4: HELP then
 * TYPE once per family, samples only under their family, label values
 * escaped, values numeric.
 */

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "libre.h"
#include "core/core.h"
#include "core/metrics.h"

static char *escaped(const char *s)
{
	char *out = NULL;

	assert_int_equal(0, re_sdprintf(&out, "%H", metrics_label_escape,
					 s));
	return out;
}

static void expect_escape(const char *in, const char *want)
{
	char *got = escaped(in);

	assert_string_equal(want, got);
	mem_deref(got);
}

static void test_metrics_label_escape(void **state)
{
	(void)state;
	expect_escape("sales", "sales");
	expect_escape("", "");
	expect_escape(NULL, "");
	expect_escape("a\\b", "a\\\\b");
	expect_escape("say \"hi\"", "say \\\"hi\\\"");
	expect_escape("one\ntwo", "one\\ntwo");
	/* escapes first, last and back to back */
	expect_escape("\"\\\n", "\\\"\\\\\\n");
	expect_escape("\n\n", "\\n\\n");
	/* everything else stands: tab, carriage return, UTF-8 */
	expect_escape("t\tr\r\xc3\xa9", "t\tr\r\xc3\xa9");
	assert_int_equal(EINVAL, metrics_label_escape(NULL, "x"));
}

static void test_metrics_hist_bounds(void **state)
{
	static const double bound[] = {1, 5, 10, 20, 30, 60, 120, 300};
	static const char *le[] = {"1", "5", "10", "20", "30", "60", "120",
				   "300", "+Inf"};
	struct metrics_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	/* one value on each bound: each lands in its own bucket */
	for (unsigned i = 0; i < 8; i++)
		metrics_hist_observe(&h, bound[i]);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(1, h.n[i]);
		assert_int_equal(i + 1, metrics_hist_cumulative(&h, i));
	}
	assert_int_equal(0, h.n[8]);
	assert_int_equal(8, metrics_hist_cumulative(&h, 8));
	assert_int_equal(8, h.count);
	assert_int_equal(546000, h.sum_ms);      /* 1+5+...+300 s */

	/* just above a bound: the next bucket */
	metrics_hist_observe(&h, 1.001);
	assert_int_equal(2, h.n[1]);
	metrics_hist_observe(&h, 300.001);
	assert_int_equal(1, h.n[8]);
	/* just below: the bound's own */
	metrics_hist_observe(&h, 0.999);
	assert_int_equal(2, h.n[0]);
	assert_int_equal(11, h.count);
	assert_int_equal(11, metrics_hist_cumulative(&h, 8));
	assert_int_equal(546000 + 1001 + 300001 + 999, h.sum_ms);

	/* clock faults: negative and NaN count as 0, huge as the cap */
	memset(&h, 0, sizeof(h));
	metrics_hist_observe(&h, -3);
	metrics_hist_observe(&h, NAN);
	metrics_hist_observe(&h, 0);
	assert_int_equal(3, h.n[0]);
	assert_int_equal(0, h.sum_ms);
	metrics_hist_observe(&h, INFINITY);
	metrics_hist_observe(&h, 1e300);
	assert_int_equal(2, h.n[8]);
	assert_int_equal(2 * (uint64_t)(METRICS_HIST_CAP * 1000), h.sum_ms);
	assert_int_equal(5, h.count);

	for (unsigned i = 0; i < 9; i++)
		assert_string_equal(le[i], metrics_hist_le(i));
	assert_null(metrics_hist_le(9));
	assert_int_equal(0, metrics_hist_cumulative(&h, 9));
	assert_int_equal(0, metrics_hist_cumulative(NULL, 0));
	metrics_hist_observe(NULL, 1);          /* no crash */
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random values (many on or next to a bound) against a plain model. */
static void test_metrics_hist_random(void **state)
{
	static const double bound[] = {1, 5, 10, 20, 30, 60, 120, 300,
				       INFINITY};
	enum { RUNS = 20000 };
	const char *env = getenv("SB_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : 20260311;
	uint64_t x = seed | 1, model[9] = {0}, sum_ms = 0;
	struct metrics_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (unsigned run = 0; run < RUNS; run++) {
		/* whole milliseconds up to 400 s, as calls produce them */
		uint64_t ms = rnd(&x) % 400001;
		double v;
		unsigned b = 0;

		if (rnd(&x) % 4 == 0)           /* a bound, or 1 ms off */
			ms = (uint64_t)bound[rnd(&x) % 8] * 1000 - 1
				+ rnd(&x) % 3;
		v = (double)ms / 1000.0;
		while (v > bound[b])
			b++;
		model[b]++;
		sum_ms += ms;
		metrics_hist_observe(&h, v);
		for (unsigned i = 0; i < 9; i++) {
			if (h.n[i] != model[i])
				fail_msg("SB_SEED=%llu run %u: bucket %u has "
					 "%llu, want %llu (value %.3f)",
					 (unsigned long long)seed, run, i,
					 (unsigned long long)h.n[i],
					 (unsigned long long)model[i], v);
		}
		if (h.sum_ms != sum_ms || h.count != run + 1u)
			fail_msg("SB_SEED=%llu run %u: sum %llu ms count %llu",
				 (unsigned long long)seed, run,
				 (unsigned long long)h.sum_ms,
				 (unsigned long long)h.count);
	}
	for (unsigned i = 1; i < 9; i++)
		assert_true(metrics_hist_cumulative(&h, i)
			    >= metrics_hist_cumulative(&h, i - 1));
	assert_int_equal(h.count, metrics_hist_cumulative(&h, 8));
}

static int print_x(struct re_printf *pf, void *arg)
{
	return metrics_hist_print(pf, "x_seconds", "Waits.", arg);
}

static void test_metrics_hist_print(void **state)
{
	static const char want[] =
		"# HELP x_seconds Waits.\n"
		"# TYPE x_seconds histogram\n"
		"x_seconds_bucket{le=\"1\"} 1\n"
		"x_seconds_bucket{le=\"5\"} 1\n"
		"x_seconds_bucket{le=\"10\"} 3\n"
		"x_seconds_bucket{le=\"20\"} 3\n"
		"x_seconds_bucket{le=\"30\"} 3\n"
		"x_seconds_bucket{le=\"60\"} 3\n"
		"x_seconds_bucket{le=\"120\"} 3\n"
		"x_seconds_bucket{le=\"300\"} 3\n"
		"x_seconds_bucket{le=\"+Inf\"} 4\n"
		"x_seconds_sum 1019.755\n"
		"x_seconds_count 4\n";
	struct metrics_hist h;
	char *out = NULL;

	(void)state;
	memset(&h, 0, sizeof(h));
	metrics_hist_observe(&h, 0.25);
	metrics_hist_observe(&h, 7.5);
	metrics_hist_observe(&h, 10);
	metrics_hist_observe(&h, 1002.005);
	assert_int_equal(0, re_sdprintf(&out, "%H", print_x, &h));
	assert_string_equal(want, out);
	mem_deref(out);
}

static void test_metrics_outcome(void **state)
{
	static const char *names[] = {
		"answered", "abandoned-queue", "abandoned-ringing",
		"abandoned-ivr", "overflowed", "timed-out", "transferred",
		"rejected", "failed", "interrupted", "hung-up"
	};

	(void)state;
	assert_int_equal(ARRAY_SIZE(names) + 1, METRICS_OUT_COUNT);
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		enum metrics_outcome o = metrics_outcome(names[i]);

		assert_int_equal(i, o);
		assert_string_equal(names[i], metrics_outcome_name(o));
	}
	/* outcomes records have but the list does not, and junk */
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome("ivr"));
	assert_int_equal(METRICS_OUT_OTHER,
			 metrics_outcome("callback-failed"));
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome("Answered"));
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome("answered "));
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome(""));
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome(NULL));
	assert_int_equal(METRICS_OUT_OTHER, metrics_outcome("other"));
	assert_string_equal("other", metrics_outcome_name(METRICS_OUT_OTHER));
	assert_string_equal("other",
			    metrics_outcome_name((enum metrics_outcome)99));
}

/* The exposition format, as far as we use it. */

enum { FAM_MAX = 64, NAME_MAX_ = 96, LINE_MAX_ = 512 };

struct expo {
	char fam[FAM_MAX][NAME_MAX_];   /* families seen, in order */
	unsigned nfam;
	char help[NAME_MAX_];           /* HELP waiting for its TYPE */
	char type[16];                  /* of the current family */
	unsigned samples;
};

static size_t name_len(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')
	       || s[n] == '_' || s[n] == ':' || (n && s[n] >= '0'
						 && s[n] <= '9'))
		n++;
	return n;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* "# HELP name text" or "# TYPE name type" */
static void expo_comment(struct expo *e, const char *line)
{
	const char *name = line + 7;
	size_t n = name_len(name);

	assert_true(n > 0 && n < NAME_MAX_ && name[n] == ' ');
	if (!strncmp(line, "# HELP ", 7)) {
		assert_true(name[n + 1] != '\0');       /* some text */
		for (unsigned i = 0; i < e->nfam; i++)
			if (strlen(e->fam[i]) == n
			    && !memcmp(e->fam[i], name, n))
				fail_msg("family repeated: %s", line);
		memcpy(e->help, name, n);
		e->help[n] = '\0';
		return;
	}
	assert_true(!strncmp(line, "# TYPE ", 7));
	/* TYPE right after its HELP, once */
	assert_true(strlen(e->help) == n && !memcmp(e->help, name, n));
	assert_true(e->nfam < FAM_MAX);
	str_ncpy(e->fam[e->nfam++], e->help, NAME_MAX_);
	e->help[0] = '\0';
	str_ncpy(e->type, name + n + 1, sizeof(e->type));
	assert_true(!strcmp(e->type, "gauge") || !strcmp(e->type, "counter")
		    || !strcmp(e->type, "histogram"));
	if (!strcmp(e->type, "counter"))
		assert_true(ends_with(name, n, "_total"));
}

/* {name="value",...}; returns the text after the '}'.  Sets *le when
 * an `le` label is seen. */
static const char *expo_labels(const char *p, bool *le)
{
	assert_true(*p++ == '{');
	for (;;) {
		size_t n = name_len(p);

		assert_true(n > 0);
		if (n == 2 && !memcmp(p, "le", 2))
			*le = true;
		p += n;
		assert_true(*p++ == '=');
		assert_true(*p++ == '"');
		while (*p != '"') {
			assert_true(*p != '\0' && *p != '\n');
			if (*p == '\\') {
				p++;
				assert_true(*p == '\\' || *p == '"'
					    || *p == 'n');
			}
			p++;
		}
		p++;
		if (*p == '}')
			return p + 1;
		assert_true(*p++ == ',');
	}
}

static void expo_sample(struct expo *e, const char *line)
{
	const char *fam = e->nfam ? e->fam[e->nfam - 1] : "";
	size_t n = name_len(line), f = strlen(fam);
	const char *p = line + n;
	bool le = false;
	char *end;

	assert_true(n > 0 && e->nfam > 0 && !e->help[0]);
	assert_true(n >= f && !memcmp(line, fam, f));
	if (!strcmp(e->type, "histogram"))
		assert_true(n > f && (ends_with(line, n, "_bucket")
				      || ends_with(line, n, "_sum")
				      || ends_with(line, n, "_count")));
	else
		assert_int_equal(f, n);
	if (*p == '{')
		p = expo_labels(p, &le);
	if (ends_with(line, n, "_bucket"))
		assert_true(le);
	assert_true(*p++ == ' ');
	if (strcmp(p, "+Inf") && strcmp(p, "-Inf") && strcmp(p, "NaN")) {
		(void)strtod(p, &end);
		assert_true(end != p && *end == '\0');
	}
	e->samples++;
}

static void expo_check(struct expo *e, const char *text)
{
	memset(e, 0, sizeof(*e));
	while (*text) {
		const char *nl = strchr(text, '\n');
		char line[LINE_MAX_];
		size_t n;

		assert_non_null(nl);            /* every line ends */
		n = (size_t)(nl - text);
		assert_true(n > 0 && n < sizeof(line));
		memcpy(line, text, n);
		line[n] = '\0';
		if (line[0] == '#')
			expo_comment(e, line);
		else
			expo_sample(e, line);
		text = nl + 1;
	}
	assert_true(e->help[0] == '\0');        /* no HELP left alone */
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define assert_line(text, line) do { \
		if (!has_line(text, line)) \
			fail_msg("missing line: %s\n%s", line, text); \
	} while (0)

/* A center by hand: three queues in the configuration (one named to
 * need escapes, one missing from the engine), four agents. */

struct fix {
	struct config cfg;
	struct cfg_queue queues[3];
	struct cfg_agent agents[4];
	struct center cc;
	struct acd_contact *ct[4];
	struct acd_agent *offered;      /* the last ACD_EV_CONTACT_OFFERED's */
};

static void on_event(const struct acd_event *ev, void *arg)
{
	struct fix *x = arg;

	if (ev->type == ACD_EV_CONTACT_OFFERED)
		x->offered = ev->agent;
}

static const char weird[] = "sup\"port\\\n";

static void fix_agent(struct fix *x, unsigned i, const char *id,
		      bool sales, bool registered)
{
	struct acd_agent_conf ac;
	struct acd_member_conf mc;
	struct agent *a;

	str_ncpy(x->agents[i].id, id, sizeof(x->agents[i].id));
	a = mem_zalloc(sizeof(*a), NULL);
	assert_non_null(a);
	acd_agent_conf_init(&ac);
	assert_int_equal(0, acd_agent_add(&a->acd, x->cc.acd, id, &ac));
	acd_member_conf_init(&mc);
	if (sales)
		assert_int_equal(0, acd_member_add(a->acd,
			acd_queue_find(x->cc.acd, "sales"), &mc));
	a->cfg = &x->agents[i];
	a->cc = &x->cc;
	a->registered = registered;
	hash_append(x->cc.agents, hash_joaat_str(id), &a->he, a);
}

static void fix_enqueue(struct fix *x, unsigned i, const char *id,
			uint64_t now)
{
	struct acd_contact_params p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.channel = ACD_CH_VOICE;
	assert_int_equal(0, acd_contact_enqueue(&x->ct[i], x->cc.acd,
		acd_queue_find(x->cc.acd, "sales"), &p, now));
}

static struct fix *fix_new(void)
{
	struct fix *x = calloc(1, sizeof(*x));
	struct acd_conf conf = {1, 0};
	struct center *cc;

	assert_non_null(x);
	cc = &x->cc;
	str_ncpy(x->queues[0].id, "sales", sizeof(x->queues[0].id));
	str_ncpy(x->queues[1].id, weird, sizeof(x->queues[1].id));
	str_ncpy(x->queues[2].id, "ghost", sizeof(x->queues[2].id));
	x->cfg.queues = x->queues;
	x->cfg.nqueues = 3;
	x->cfg.agents = x->agents;
	x->cfg.nagents = 4;
	cc->cfg = &x->cfg;
	cc->started = tmr_jiffies();
	assert_int_equal(0, hash_alloc(&cc->agents, 16));
	assert_int_equal(0, acd_alloc(&cc->acd, &conf, on_event, x));
	assert_int_equal(0, acd_reason_add(cc->acd, "break"));
	assert_int_equal(0, acd_queue_add(NULL, cc->acd, "sales", NULL));
	assert_int_equal(0, acd_queue_add(NULL, cc->acd, weird, NULL));
	fix_agent(x, 0, "1001", true, true);
	fix_agent(x, 1, "1002", true, true);
	fix_agent(x, 2, "1003", false, false);
	fix_agent(x, 3, "1004", true, false);
	return x;
}

static void fix_free(struct fix *x)
{
	hash_flush(x->cc.agents);
	mem_deref(x->cc.agents);
	mem_deref(x->cc.acd);
	free(x);
}

static struct acd_agent *agent_acd(struct fix *x, const char *id)
{
	return center_agent(&x->cc, id)->acd;
}

static void test_metrics_print(void **state)
{
	struct fix *x = fix_new();
	struct center *cc = &x->cc;
	struct call call;
	struct expo e;
	char *out = NULL;
	uint64_t now = 1000;

	(void)state;
	/* 1001 and 1004 ready, 1002 not ready, 1003 logged out */
	assert_int_equal(0, acd_agent_login(agent_acd(x, "1001"), true, now));
	assert_int_equal(0, acd_agent_login(agent_acd(x, "1004"), true, now));
	assert_int_equal(0, acd_agent_login(agent_acd(x, "1002"), true, now));
	assert_int_equal(0, acd_agent_not_ready(agent_acd(x, "1002"),
						"break", now));
	/* c1 answered (busy), c2 ringing (offered), c3 waits, c4 left */
	fix_enqueue(x, 0, "c1", ++now);
	assert_non_null(x->offered);
	assert_int_equal(0, acd_offer_answer(x->ct[0], x->offered, ++now));
	fix_enqueue(x, 1, "c2", ++now);
	fix_enqueue(x, 2, "c3", ++now);
	fix_enqueue(x, 3, "c4", ++now);
	assert_int_equal(0, acd_contact_abandon(x->ct[3], ++now));

	cc->st.calls_live = 3;
	metrics_call_ended(cc, "answered");
	metrics_call_ended(cc, "answered");
	metrics_call_ended(cc, "rejected");
	metrics_call_ended(cc, "ivr");
	memset(&call, 0, sizeof(call));
	call.cc = cc;
	call.t_queue = 1700000000000;
	call.t_answer = call.t_queue + 5000;      /* on the 5 s bound */
	metrics_call_answered(&call);
	call.t_queue = 0;                         /* never queued: no wait */
	metrics_call_answered(&call);

	assert_int_equal(0, re_sdprintf(&out, "%H", metrics_print, cc));
	expo_check(&e, out);
	assert_int_equal(16, e.nfam);

	assert_true(!strncmp(out, "# HELP switchboard_uptime_seconds ", 34));
	assert_line(out, "switchboard_calls_live 3");
	assert_line(out, "switchboard_calls_total{outcome=\"answered\"} 2");
	assert_line(out, "switchboard_calls_total{outcome=\"rejected\"} 1");
	assert_line(out, "switchboard_calls_total{outcome=\"timed-out\"} 0");
	assert_line(out, "switchboard_calls_total{outcome=\"other\"} 1");

	assert_line(out, "switchboard_queue_waiting{queue=\"sales\"} 1");
	assert_line(out, "switchboard_queue_ringing{queue=\"sales\"} 1");
	assert_line(out, "switchboard_queue_talking{queue=\"sales\"} 1");
	assert_line(out, "switchboard_queue_agents_ready{queue=\"sales\"} 2");
	assert_line(out, "switchboard_queue_entered_total{queue=\"sales\"} 4");
	assert_line(out,
		    "switchboard_queue_answered_total{queue=\"sales\"} 1");
	assert_line(out,
		    "switchboard_queue_abandoned_total{queue=\"sales\"} 1");
	assert_line(out, "switchboard_queue_waiting"
		    "{queue=\"sup\\\"port\\\\\\n\"} 0");
	/* configured, not in the engine: zeros, not stack garbage */
	assert_line(out, "switchboard_queue_entered_total{queue=\"ghost\"} 0");
	assert_line(out, "switchboard_queue_agents_ready{queue=\"ghost\"} 0");

	assert_line(out, "switchboard_agents{state=\"logged-out\"} 1");
	assert_line(out, "switchboard_agents{state=\"available\"} 0");
	assert_line(out, "switchboard_agents{state=\"offered\"} 1");
	assert_line(out, "switchboard_agents{state=\"busy\"} 1");
	assert_line(out, "switchboard_agents{state=\"wrap-up\"} 0");
	assert_line(out, "switchboard_agents{state=\"not-ready\"} 1");
	assert_line(out, "switchboard_agent_registered 2");

	assert_line(out, "switchboard_media_streams 0");
	assert_line(out, "switchboard_media_threads 0");
	assert_line(out,
		    "switchboard_store_records_total{result=\"queued\"} 0");
	assert_line(out,
		    "switchboard_store_records_total{result=\"dropped\"} 0");

	assert_line(out, "switchboard_queue_wait_seconds_bucket{le=\"1\"} 0");
	assert_line(out, "switchboard_queue_wait_seconds_bucket{le=\"5\"} 1");
	assert_line(out,
		    "switchboard_queue_wait_seconds_bucket{le=\"+Inf\"} 1");
	assert_line(out, "switchboard_queue_wait_seconds_sum 5.000");
	assert_line(out, "switchboard_queue_wait_seconds_count 1");

	assert_int_equal(EINVAL, metrics_print(NULL, cc));
	mem_deref(out);
	fix_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_label_escape),
		cmocka_unit_test(test_metrics_hist_bounds),
		cmocka_unit_test(test_metrics_hist_random),
		cmocka_unit_test(test_metrics_hist_print),
		cmocka_unit_test(test_metrics_outcome),
		cmocka_unit_test(test_metrics_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
