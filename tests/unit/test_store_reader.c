/* tests/unit/test_store_reader.c  store/reader.c: reads off the loop.
 * Records are queued and flushed, reads queued, and re_main runs until
 * every handler has fired (re_cancel from the last one; a 10 s timer
 * fails the test instead of hanging).  Each answer is decoded with
 * libre's JSON decoder and checked member by member: shapes, filters,
 * paging, ENOENT, EBUSY at the bound, ECANCELED at free (pending and
 * answered-not-delivered), freeing the store from a handler.  The reader
 * is paused through its test hook wherever order matters, never slept
 * on. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store_int.h"

#include "store_harness.h"

enum { ANSWERS_MAX = 2048, WAIT_MS = 10000 };

struct answer {
	int err;
	struct odict *od;         /* decoded, or NULL */
	char *json;               /* copy */
};

struct waiter {
	unsigned want, got;
	struct answer a[ANSWERS_MAX];
	struct store **free_st;   /* free this store at the first answer */
};

static bool timed_out;

static int fx_setup(void **state)
{
	return fx_setup_prefix(state, "sb-reader");
}

static int group_setup(void **state)
{
	(void)state;
	return libre_init();
}

static int group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

static void read_h(int err, const char *json, size_t len, void *arg)
{
	struct waiter *w = arg;
	struct answer *a;

	assert_true(w->got < ANSWERS_MAX);
	a = &w->a[w->got++];
	a->err = err;
	if (!err) {
		assert_non_null(json);
		assert_int_equal(strlen(json), len);
		a->json = strdup(json);
		if (json_decode_odict(&a->od, 32, json, len, 8))
			fail_msg("not JSON: %s", json);
	}
	else {
		assert_null(json);
		assert_int_equal(0, len);
	}
	if (w->free_st && *w->free_st) {
		struct store *st = *w->free_st;

		*w->free_st = NULL;     /* before: the handlers nest */
		mem_deref(st);
	}
	if (w->got == w->want)
		re_cancel();
}

static void timeout_h(void *arg)
{
	(void)arg;
	timed_out = true;
	re_cancel();
}

/* Run the loop until w has its answers, 10 s at most. */
static void wait_answers(struct waiter *w)
{
	struct tmr t;

	tmr_init(&t);
	timed_out = false;
	tmr_start(&t, WAIT_MS, timeout_h, NULL);
	if (w->got < w->want)
		(void)re_main(NULL);   /* returns at re_cancel */
	tmr_cancel(&t);
	if (timed_out)
		fail_msg("%u of %u answers after %d ms", w->got, w->want,
			 WAIT_MS);
	assert_int_equal(w->want, w->got);
}

static void waiter_reset(struct waiter *w, unsigned want)
{
	for (unsigned i = 0; i < w->got; i++) {
		mem_deref(w->a[i].od);
		free(w->a[i].json);
	}
	memset(w, 0, sizeof(*w));
	w->want = want;
}

static struct waiter *waiter_new(void)
{
	struct waiter *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	return w;
}

static void waiter_free(struct waiter *w)
{
	waiter_reset(w, 0);
	free(w);
}

/* One read and its answer. */
#define READ1(w, call) do { \
	waiter_reset((w), 1); \
	assert_int_equal(0, (call)); \
	wait_answers(w); \
} while (0)

static struct store *open_ok(const char *path)
{
	struct store *st = NULL;
	char err[256];
	int e;

	e = store_open(&st, path, err, sizeof(err));
	if (e)
		fail_msg("store_open %s: %d: %s", path, e, err);
	return st;
}

/* JSON accessors: fail the test when the member is not there. */
static const struct odict_entry *mem_get(const struct odict *o,
					 const char *key)
{
	const struct odict_entry *e;

	assert_non_null(o);
	e = odict_lookup(o, key);
	if (!e)
		fail_msg("no member \"%s\"", key);
	return e;
}

static int64_t int_get(const struct odict *o, const char *key)
{
	const struct odict_entry *e = mem_get(o, key);

	if (e->type != ODICT_INT)
		fail_msg("\"%s\" is %s, not an integer", key,
			 odict_type_name(e->type));
	return e->u.integer;
}

static const char *str_get(const struct odict *o, const char *key)
{
	const struct odict_entry *e = mem_get(o, key);

	if (e->type != ODICT_STRING)
		fail_msg("\"%s\" is %s, not a string", key,
			 odict_type_name(e->type));
	return e->u.str;
}

static bool is_null(const struct odict *o, const char *key)
{
	return mem_get(o, key)->type == ODICT_NULL;
}

static const struct odict *obj_get(const struct odict *o, const char *key)
{
	const struct odict_entry *e = mem_get(o, key);

	if (e->type != ODICT_OBJECT)
		fail_msg("\"%s\" is %s, not an object", key,
			 odict_type_name(e->type));
	return e->u.odict;
}

static const struct odict *arr_get(const struct odict *o, const char *key)
{
	const struct odict_entry *e = mem_get(o, key);

	if (e->type != ODICT_ARRAY)
		fail_msg("\"%s\" is %s, not an array", key,
			 odict_type_name(e->type));
	return e->u.odict;
}

static unsigned arr_len(const struct odict *arr)
{
	return list_count(&arr->lst);
}

/* The i-th element of an array, an object. */
static const struct odict *arr_at(const struct odict *arr, unsigned i)
{
	struct le *le = list_head(&arr->lst);
	const struct odict_entry *e;

	while (le && i--)
		le = le->next;
	if (!le)
		fail_msg("array too short");
	e = le->data;
	assert_int_equal(ODICT_OBJECT, e->type);
	return e->u.odict;
}

/* The ids of a "calls" array, joined with commas. */
static const char *ids(const struct odict *od, const char *key,
		       const char *idkey, char *buf, size_t sz)
{
	const struct odict *arr = arr_get(od, key);
	size_t l = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < arr_len(arr); i++) {
		const struct odict_entry *e = mem_get(arr_at(arr, i), idkey);

		if (e->type == ODICT_STRING)
			l += snprintf(buf + l, sz - l, "%s%s", i ? "," : "",
				      e->u.str);
		else
			l += snprintf(buf + l, sz - l, "%s%lld", i ? "," : "",
				      (long long)e->u.integer);
		assert_true(l < sz);
	}
	return buf;
}

/*
 * The fixture's calls (arrival order):
 *   c1 1001 sales   a1  answered        (offers, hold, vars, 2 recordings,
 *                                        2 dispositions, wrap-up 1000)
 *   c2 1002 support a2  answered        (notes with quotes and newline)
 *   c3 1001 sales   -   abandoned-queue
 *   c4 1003 -       -   active          (never listed)
 *   c5 1003 support a1  transferred
 */
static void fixture_fill(struct store *st)
{
	struct store_offer offers[2] = {
		{"a2", 1200, 1300, "no-answer"}, {"a1", 1300, 1500,
						  "answered"}};
	struct store_hold hold = {2000, 2600, "agent"};
	struct store_call c;

	assert_int_equal(0, store_call_begin(st, "c1", "sip-1@h", "1001",
					     "100", 1000));
	c = (struct store_call){ .id = "c1", .sip_callid = "sip-1@h",
		.caller = "1001", .dialled = "100", .flow = "main",
		.arrival = 1000, .ivr_end = 1100, .queue_entry = 1200,
		.answer = 1500, .end = 5000, .outcome = "answered",
		.queue = "sales", .agent = "a1", .ended_by = "caller",
		.vars = "{\"tier\":\"gold\",\"n\":3}", .offers = offers,
		.noffers = 2, .holds = &hold, .nholds = 1 };
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_wrapup_end(st, "c1", "a1", 6000));
	assert_int_equal(0, store_disposition(st, "c1", "a1", "sale",
					      "first", NULL, 5500));
	assert_int_equal(0, store_disposition(st, "c1", "a2", "followup",
					      NULL, NULL, 5600));
	assert_int_equal(0, store_recording(st, "c1", "/rec/c1-a.wav", "a1",
					    "sales", 1500, 2000));
	assert_int_equal(0, store_recording(st, "c1", "/rec/c1-b.wav", "a1",
					    "sales", 3600, 1400));

	c = (struct store_call){ .id = "c2", .caller = "1002",
		.dialled = "100", .arrival = 2000, .queue_entry = 2050,
		.answer = 2100, .end = 3100, .outcome = "answered",
		.queue = "support", .agent = "a2", .ended_by = "agent",
		.vars = "not json" };
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_disposition(st, "c2", "a2", "info",
					      "said \"hi\"\nbye \xc3\xa9", NULL,
					      3200));
	assert_int_equal(0, store_recording(st, "c2", "/rec/c2.wav", "a2",
					    "support", 2100, 1000));

	c = (struct store_call){ .id = "c3", .caller = "1001",
		.arrival = 3000, .queue_entry = 3100, .end = 3500,
		.outcome = "abandoned-queue", .queue = "sales",
		.ended_by = "caller" };
	assert_int_equal(0, store_call_end(st, &c));

	assert_int_equal(0, store_call_begin(st, "c4", NULL, "1003", "100",
					     4000));

	c = (struct store_call){ .id = "c5", .caller = "1003",
		.arrival = 5000, .queue_entry = 5050, .answer = 5100,
		.end = 8100, .outcome = "transferred", .queue = "support",
		.agent = "a1", .ended_by = "agent", .transfer_to = "2000" };
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_flush(st));
}

static void test_store_reader_calls_shape(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q = {0};
	const struct odict *calls, *c, *d;
	struct store *st;
	char buf[256];
	sqlite3 *db;

	st = open_ok(fx->path);
	fixture_fill(st);
	READ1(w, store_read_calls(st, &q, read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("c5,c3,c2,c1", ids(w->a[0].od, "calls", "id",
					       buf, sizeof(buf)));
	assert_true(is_null(w->a[0].od, "next"));
	calls = arr_get(w->a[0].od, "calls");

	c = arr_at(calls, 3);           /* c1 */
	assert_string_equal("1001", str_get(c, "caller"));
	assert_string_equal("100", str_get(c, "dialled"));
	assert_string_equal("main", str_get(c, "flow"));
	assert_int_equal(1000, int_get(c, "arrival"));
	assert_int_equal(1100, int_get(c, "ivr_end"));
	assert_int_equal(1200, int_get(c, "queue_entry"));
	assert_int_equal(1500, int_get(c, "answer"));
	assert_int_equal(5000, int_get(c, "end"));
	assert_string_equal("answered", str_get(c, "outcome"));
	assert_string_equal("sales", str_get(c, "queue"));
	assert_string_equal("a1", str_get(c, "agent"));
	assert_string_equal("caller", str_get(c, "ended_by"));
	assert_true(is_null(c, "transfer_to"));
	assert_int_equal(300, int_get(c, "wait_ms"));
	assert_int_equal(3500, int_get(c, "talk_ms"));
	assert_int_equal(6000, int_get(c, "wrapup_end"));
	assert_int_equal(1, int_get(c, "recording"));   /* the first */
	db = NULL;
	assert_int_equal(SQLITE_OK, sqlite3_open_v2(fx->path, &db,
		SQLITE_OPEN_READONLY, NULL));
	assert_int_equal(1, q_int(db, "SELECT min(id) FROM recordings WHERE"
				  " call_id = ?1", "c1"));
	assert_string_equal("/rec/c1-a.wav", q_text(db, "SELECT path FROM "
		"recordings WHERE id = 1", NULL, buf, sizeof(buf)));
	sqlite3_close(db);
	d = obj_get(c, "disposition");                 /* the latest */
	assert_string_equal("followup", str_get(d, "code"));
	assert_true(is_null(d, "notes"));
	assert_string_equal("a2", str_get(d, "agent"));
	assert_int_equal(5600, int_get(d, "time"));
	/* the list has no per-call detail */
	assert_null(odict_lookup(c, "offers"));
	assert_null(odict_lookup(c, "sip_callid"));

	c = arr_at(calls, 2);           /* c2: SQLite escaped the notes */
	d = obj_get(c, "disposition");
	assert_string_equal("said \"hi\"\nbye \xc3\xa9", str_get(d, "notes"));
	assert_int_equal(3, int_get(c, "recording"));

	c = arr_at(calls, 1);           /* c3: what did not happen is null */
	assert_true(is_null(c, "answer"));
	assert_true(is_null(c, "agent"));
	assert_true(is_null(c, "wait_ms"));
	assert_true(is_null(c, "talk_ms"));
	assert_true(is_null(c, "wrapup_end"));
	assert_true(is_null(c, "recording"));
	assert_true(is_null(c, "disposition"));
	assert_true(is_null(c, "flow"));

	c = arr_at(calls, 0);           /* c5 */
	assert_string_equal("2000", str_get(c, "transfer_to"));

	mem_deref(st);
	waiter_free(w);
}

/* Run one calls query, return the ids. */
static const char *calls_ids(struct store *st, struct waiter *w,
			     const struct store_call_query *q, char *buf,
			     size_t sz)
{
	READ1(w, store_read_calls(st, q, read_h, w));
	assert_int_equal(0, w->a[0].err);
	return ids(w->a[0].od, "calls", "id", buf, sz);
}

static void test_store_reader_calls_filters(void **state)
{
	static const char *const ph2[] = {"1002", "1003"};
	static const char *const ph1[] = {"1001"};
	static const char *const ph0[] = {"0000"};
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q;
	struct store *st;
	char buf[256];

	st = open_ok(fx->path);
	fixture_fill(st);

	q = (struct store_call_query){ .agent = "a1" };
	assert_string_equal("c5,c1", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .queue = "sales" };
	assert_string_equal("c3,c1", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .caller = "1001" };
	assert_string_equal("c3,c1", calls_ids(st, w, &q, buf, sizeof(buf)));
	/* a customer's phones; the live c4 (1003) is not listed */
	q = (struct store_call_query){ .phones = ph2, .nphones = 2 };
	assert_string_equal("c5,c2", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .phones = ph1, .nphones = 1,
		.queue = "sales", .outcome = "answered" };
	assert_string_equal("c1", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .phones = ph0, .nphones = 1 };
	assert_string_equal("", calls_ids(st, w, &q, buf, sizeof(buf)));
	assert_true(is_null(w->a[0].od, "next"));
	q = (struct store_call_query){ .outcome = "abandoned-queue" };
	assert_string_equal("c3", calls_ids(st, w, &q, buf, sizeof(buf)));
	/* [from, to) */
	q = (struct store_call_query){ .from = 2000, .to = 5000 };
	assert_string_equal("c3,c2", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .from = 2001 };
	assert_string_equal("c5,c3", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .to = 2000 };
	assert_string_equal("c1", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .agent = "a1", .from = 1001 };
	assert_string_equal("c5", calls_ids(st, w, &q, buf, sizeof(buf)));
	q = (struct store_call_query){ .agent = "nobody" };
	assert_string_equal("", calls_ids(st, w, &q, buf, sizeof(buf)));

	/* refused at once, handler never called */
	q = (struct store_call_query){ .limit = STORE_READ_LIMIT_MAX + 1 };
	assert_int_equal(EINVAL, store_read_calls(st, &q, read_h, w));
	q = (struct store_call_query){ .phones = ph2,
		.nphones = STORE_PHONES_MAX + 1 };
	assert_int_equal(EINVAL, store_read_calls(st, &q, read_h, w));
	q = (struct store_call_query){ .nphones = 1 };
	assert_int_equal(EINVAL, store_read_calls(st, &q, read_h, w));
	q = (struct store_call_query){0};
	assert_int_equal(EINVAL, store_read_calls(st, &q, NULL, w));
	assert_int_equal(EINVAL, store_read_calls(st, NULL, read_h, w));
	assert_int_equal(EINVAL, store_read_calls(NULL, &q, read_h, w));
	assert_int_equal(EINVAL, store_read_call(st, "", read_h, w));
	assert_int_equal(EINVAL, store_read_events(st, 0, 0, read_h, w));
	assert_int_equal(EINVAL, store_read_events(st, 0,
		STORE_EVENTS_LIMIT_MAX + 1, read_h, w));
	assert_int_equal(EINVAL, store_read_events(st, (uint64_t)INT64_MAX +
						   1, 10, read_h, w));
	mem_deref(st);
	waiter_free(w);
}

/* 25 calls, 5 of them sharing no millisecond; pages of 7 see each
 * once, newest first, and the last page says no more. */
static void test_store_reader_calls_paging(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q = {0};
	unsigned seen = 0, pages = 0;
	int64_t before = 0, prev = INT64_MAX;
	struct store *st;
	char buf[256];

	st = open_ok(fx->path);
	for (int i = 0; i < 25; i++) {
		struct store_call c = { .arrival = 10000 + 10 * i,
			.outcome = i % 2 ? "answered" : "abandoned-queue",
			.caller = "555" };
		char id[16];

		snprintf(id, sizeof(id), "p%02d", i);
		c.id = id;
		assert_int_equal(0, store_call_end(st, &c));
	}
	assert_int_equal(0, store_flush(st));

	q.limit = 2;
	q.caller = "555";
	assert_string_equal("p24,p23", calls_ids(st, w, &q, buf,
						 sizeof(buf)));
	assert_int_equal(10230, int_get(w->a[0].od, "next"));
	q.before = 10230;
	assert_string_equal("p22,p21", calls_ids(st, w, &q, buf,
						 sizeof(buf)));

	q = (struct store_call_query){ .limit = 7 };
	do {
		const struct odict *calls;

		q.before = before;
		READ1(w, store_read_calls(st, &q, read_h, w));
		assert_int_equal(0, w->a[0].err);
		calls = arr_get(w->a[0].od, "calls");
		for (unsigned i = 0; i < arr_len(calls); i++) {
			int64_t t = int_get(arr_at(calls, i), "arrival");

			assert_true(t < prev);
			prev = t;
			++seen;
		}
		++pages;
		if (is_null(w->a[0].od, "next"))
			break;
		assert_int_equal(7, arr_len(calls));
		before = int_get(w->a[0].od, "next");
		assert_int_equal(prev, before);
	} while (pages < 10);
	assert_int_equal(25, seen);
	assert_int_equal(4, pages);     /* 7 + 7 + 7 + 4 */

	/* exactly a full last page: next is null, no empty page */
	q = (struct store_call_query){ .limit = 5, .before = 10050 };
	READ1(w, store_read_calls(st, &q, read_h, w));
	assert_int_equal(5, arr_len(arr_get(w->a[0].od, "calls")));
	assert_true(is_null(w->a[0].od, "next"));
	mem_deref(st);
	waiter_free(w);
}

/* Calls in the same millisecond: a page does not end among them, so
 * "before next" skips none (a page may hold more than the limit). */
static void test_store_reader_paging_same_ms(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q = {0};
	struct store *st;
	char buf[256];

	st = open_ok(fx->path);
	for (int i = 0; i < 6; i++) {
		struct store_call c = { .arrival = i < 4 ? 5000 : 4000 + i,
			.outcome = "answered", .caller = "556" };
		char id[16];

		snprintf(id, sizeof(id), "s%d", i);
		c.id = id;
		assert_int_equal(0, store_call_end(st, &c));
	}
	assert_int_equal(0, store_flush(st));
	q.limit = 2;
	q.caller = "556";
	/* the four of 5000 together, then the rest */
	assert_string_equal("s3,s2,s1,s0", calls_ids(st, w, &q, buf,
						     sizeof(buf)));
	assert_int_equal(5000, int_get(w->a[0].od, "next"));
	q.before = 5000;
	assert_string_equal("s5,s4", calls_ids(st, w, &q, buf, sizeof(buf)));
	assert_true(is_null(w->a[0].od, "next"));
	mem_deref(st);
	waiter_free(w);
}

static void test_store_reader_call_one(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	const struct odict *c, *v, *a, *e;
	struct store *st;

	st = open_ok(fx->path);
	fixture_fill(st);
	READ1(w, store_read_call(st, "c1", read_h, w));
	assert_int_equal(0, w->a[0].err);
	c = w->a[0].od;
	assert_string_equal("c1", str_get(c, "id"));
	assert_string_equal("sip-1@h", str_get(c, "sip_callid"));
	assert_int_equal(3500, int_get(c, "talk_ms"));
	assert_int_equal(1, int_get(c, "recording"));
	assert_string_equal("followup", str_get(obj_get(c, "disposition"),
						"code"));
	v = obj_get(c, "vars");         /* parsed, not a string */
	assert_string_equal("gold", str_get(v, "tier"));
	assert_int_equal(3, int_get(v, "n"));

	a = arr_get(c, "offers");
	assert_int_equal(2, arr_len(a));
	e = arr_at(a, 0);
	assert_string_equal("a2", str_get(e, "agent"));
	assert_int_equal(1200, int_get(e, "start"));
	assert_int_equal(1300, int_get(e, "end"));
	assert_string_equal("no-answer", str_get(e, "result"));
	assert_int_equal(100, int_get(e, "ring_ms"));
	e = arr_at(a, 1);
	assert_string_equal("a1", str_get(e, "agent"));
	assert_int_equal(200, int_get(e, "ring_ms"));

	a = arr_get(c, "holds");
	assert_int_equal(1, arr_len(a));
	e = arr_at(a, 0);
	assert_int_equal(2000, int_get(e, "start"));
	assert_int_equal(2600, int_get(e, "end"));
	assert_string_equal("agent", str_get(e, "by"));
	assert_int_equal(600, int_get(e, "hold_ms"));

	a = arr_get(c, "dispositions");  /* oldest first */
	assert_int_equal(2, arr_len(a));
	e = arr_at(a, 0);
	assert_string_equal("a1", str_get(e, "agent"));
	assert_string_equal("sale", str_get(e, "code"));
	assert_string_equal("first", str_get(e, "notes"));
	assert_int_equal(5500, int_get(e, "time"));
	assert_string_equal("followup", str_get(arr_at(a, 1), "code"));

	a = arr_get(c, "recordings");
	assert_int_equal(2, arr_len(a));
	e = arr_at(a, 0);
	assert_int_equal(1, int_get(e, "id"));
	assert_string_equal("a1", str_get(e, "agent"));
	assert_string_equal("sales", str_get(e, "queue"));
	assert_int_equal(1500, int_get(e, "start"));
	assert_int_equal(2000, int_get(e, "duration_ms"));
	assert_null(odict_lookup(e, "path"));
	assert_int_equal(2, int_get(arr_at(a, 1), "id"));

	/* nothing stored: empty arrays; bad vars: null */
	READ1(w, store_read_call(st, "c2", read_h, w));
	c = w->a[0].od;
	assert_true(is_null(c, "vars"));
	assert_int_equal(0, arr_len(arr_get(c, "offers")));
	assert_int_equal(0, arr_len(arr_get(c, "holds")));
	assert_int_equal(1, arr_len(arr_get(c, "dispositions")));
	assert_int_equal(1, arr_len(arr_get(c, "recordings")));
	READ1(w, store_read_call(st, "c3", read_h, w));
	assert_true(is_null(w->a[0].od, "vars"));
	assert_int_equal(0, arr_len(arr_get(w->a[0].od, "recordings")));
	assert_true(is_null(w->a[0].od, "disposition"));

	READ1(w, store_read_call(st, "nope", read_h, w));
	assert_int_equal(ENOENT, w->a[0].err);
	mem_deref(st);
	waiter_free(w);
}

static void test_store_reader_recordings(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q = {0};
	const struct odict *r;
	struct store *st;
	char buf[256];

	st = open_ok(fx->path);
	fixture_fill(st);
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("2,3,1", ids(w->a[0].od, "recordings", "id",
					 buf, sizeof(buf)));
	assert_true(is_null(w->a[0].od, "next"));
	r = arr_at(arr_get(w->a[0].od, "recordings"), 1);
	assert_string_equal("c2", str_get(r, "call"));
	assert_string_equal("a2", str_get(r, "agent"));
	assert_string_equal("support", str_get(r, "queue"));
	assert_int_equal(2100, int_get(r, "start"));
	assert_int_equal(1000, int_get(r, "duration_ms"));
	assert_null(odict_lookup(r, "path"));

	/* caller, outcome and phones are ignored for recordings */
	q = (struct store_call_query){ .agent = "a1", .caller = "x",
		.outcome = "x" };
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_string_equal("2,1", ids(w->a[0].od, "recordings", "id", buf,
				       sizeof(buf)));
	q = (struct store_call_query){ .queue = "support" };
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_string_equal("3", ids(w->a[0].od, "recordings", "id", buf,
				     sizeof(buf)));
	q = (struct store_call_query){ .from = 2000, .to = 3600 };
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_string_equal("3", ids(w->a[0].od, "recordings", "id", buf,
				     sizeof(buf)));
	q = (struct store_call_query){ .limit = 1 };
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_string_equal("2", ids(w->a[0].od, "recordings", "id", buf,
				     sizeof(buf)));
	assert_int_equal(3600, int_get(w->a[0].od, "next"));
	q.before = 3600;
	q.limit = 2;
	READ1(w, store_read_recordings(st, &q, read_h, w));
	assert_string_equal("3,1", ids(w->a[0].od, "recordings", "id", buf,
				       sizeof(buf)));
	assert_true(is_null(w->a[0].od, "next"));

	READ1(w, store_read_recording(st, 3, read_h, w));
	assert_int_equal(0, w->a[0].err);
	r = w->a[0].od;
	assert_int_equal(3, int_get(r, "id"));
	assert_string_equal("c2", str_get(r, "call"));
	assert_string_equal("a2", str_get(r, "agent"));
	assert_string_equal("support", str_get(r, "queue"));
	assert_int_equal(2100, int_get(r, "start"));
	assert_int_equal(1000, int_get(r, "duration_ms"));
	assert_string_equal("/rec/c2.wav", str_get(r, "path"));
	READ1(w, store_read_recording(st, 99, read_h, w));
	assert_int_equal(ENOENT, w->a[0].err);
	mem_deref(st);
	waiter_free(w);
}

static void test_store_reader_agent_figures(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	const struct odict *ag, *a;
	struct store *st;
	char buf[64];

	st = open_ok(fx->path);
	READ1(w, store_read_agent_figures(st, 0, read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_int_equal(0, arr_len(arr_get(w->a[0].od, "agents")));

	fixture_fill(st);
	READ1(w, store_read_agent_figures(st, 0, read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("a1,a2", ids(w->a[0].od, "agents", "agent", buf,
					 sizeof(buf)));
	ag = arr_get(w->a[0].od, "agents");
	/* a1: c1 talk 3500 + wrap-up 1000, c5 talk 3000 + none */
	a = arr_at(ag, 0);
	assert_int_equal(2, int_get(a, "calls"));
	assert_int_equal(6500, int_get(a, "talk_ms"));
	assert_int_equal(3750, int_get(a, "aht_ms"));
	a = arr_at(ag, 1);
	assert_int_equal(1, int_get(a, "calls"));
	assert_int_equal(1000, int_get(a, "talk_ms"));
	assert_int_equal(1000, int_get(a, "aht_ms"));

	/* since 1001: one call each, ties by agent name */
	READ1(w, store_read_agent_figures(st, 1001, read_h, w));
	assert_string_equal("a1,a2", ids(w->a[0].od, "agents", "agent", buf,
					 sizeof(buf)));
	a = arr_at(arr_get(w->a[0].od, "agents"), 0);
	assert_int_equal(1, int_get(a, "calls"));
	assert_int_equal(3000, int_get(a, "aht_ms"));
	READ1(w, store_read_agent_figures(st, 2001, read_h, w));
	assert_string_equal("a1", ids(w->a[0].od, "agents", "agent", buf,
				      sizeof(buf)));
	mem_deref(st);
	waiter_free(w);
}

static void test_store_reader_events(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	const struct odict *e;
	struct store *st;
	char buf[64];

	st = open_ok(fx->path);
	for (uint64_t i = 1; i <= 5; i++)
		assert_int_equal(0, store_event(st, i, 100 * (int64_t)i,
			i == 3 ? "agent-state" : "call-queued",
			i == 3 ? "a1" : NULL, i == 3 ? NULL : "c9", "sales",
			i == 3 ? "{\"state\":\"ready\"}" : NULL));
	assert_int_equal(0, store_flush(st));
	READ1(w, store_read_events(st, 2, 2, read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("3,4", ids(w->a[0].od, "events", "seq", buf,
				       sizeof(buf)));
	assert_null(odict_lookup(w->a[0].od, "next"));
	e = arr_at(arr_get(w->a[0].od, "events"), 0);
	assert_int_equal(300, int_get(e, "time"));
	assert_string_equal("agent-state", str_get(e, "type"));
	assert_string_equal("a1", str_get(e, "agent"));
	assert_true(is_null(e, "call"));
	assert_string_equal("sales", str_get(e, "queue"));
	assert_string_equal("{\"state\":\"ready\"}", str_get(e, "detail"));
	e = arr_at(arr_get(w->a[0].od, "events"), 1);
	assert_true(is_null(e, "agent"));
	assert_string_equal("c9", str_get(e, "call"));
	assert_true(is_null(e, "detail"));

	READ1(w, store_read_events(st, 0, 10000, read_h, w));
	assert_string_equal("1,2,3,4,5", ids(w->a[0].od, "events", "seq",
					     buf, sizeof(buf)));
	READ1(w, store_read_events(st, 5, 10, read_h, w));
	assert_string_equal("", ids(w->a[0].od, "events", "seq", buf,
				    sizeof(buf)));
	mem_deref(st);
	waiter_free(w);
}

/* Answers come back in the order asked (one reader, FIFO). */
static void test_store_reader_order(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store *st;

	st = open_ok(fx->path);
	fixture_fill(st);
	waiter_reset(w, 3);
	store_set_reader_paused(st, true);
	assert_int_equal(0, store_read_call(st, "c1", read_h, w));
	assert_int_equal(0, store_read_call(st, "zz", read_h, w));
	assert_int_equal(0, store_read_recording(st, 1, read_h, w));
	store_set_reader_paused(st, false);
	wait_answers(w);
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("c1", str_get(w->a[0].od, "id"));
	assert_int_equal(ENOENT, w->a[1].err);
	assert_int_equal(0, w->a[2].err);
	assert_string_equal("/rec/c1-a.wav", str_get(w->a[2].od, "path"));
	mem_deref(st);
	waiter_free(w);
}

/* The default bound: STORE_READS_MAX pending, then EBUSY; the ones
 * pending at free get ECANCELED, inside mem_deref. */
static void test_store_reader_busy_and_cancel(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call_query q = {0};
	struct store *st;

	st = open_ok(fx->path);
	waiter_reset(w, STORE_READS_MAX);
	store_set_reader_paused(st, true);
	for (unsigned i = 0; i < STORE_READS_MAX; i++)
		assert_int_equal(0, store_read_calls(st, &q, read_h, w));
	assert_int_equal(EBUSY, store_read_calls(st, &q, read_h, w));
	assert_int_equal(EBUSY, store_read_call(st, "c1", read_h, w));
	assert_int_equal(EBUSY, store_read_events(st, 0, 1, read_h, w));
	assert_int_equal(0, w->got);
	mem_deref(st);
	assert_int_equal(STORE_READS_MAX, w->got);
	for (unsigned i = 0; i < w->got; i++)
		assert_int_equal(ECANCELED, w->a[i].err);

	/* a lower bound (test hook); resuming answers them all */
	st = open_ok(fx->path);
	store_set_reads_max(st, 2);
	waiter_reset(w, 2);
	store_set_reader_paused(st, true);
	assert_int_equal(0, store_read_calls(st, &q, read_h, w));
	assert_int_equal(0, store_read_agent_figures(st, 0, read_h, w));
	assert_int_equal(EBUSY, store_read_calls(st, &q, read_h, w));
	store_set_reader_paused(st, false);
	wait_answers(w);
	assert_int_equal(0, w->a[0].err);
	assert_int_equal(0, w->a[1].err);
	/* room again */
	READ1(w, store_read_events(st, 0, 1, read_h, w));
	assert_int_equal(0, w->a[0].err);
	mem_deref(st);
	waiter_free(w);
}

/* Answered on the reader but not delivered (the loop never ran): the
 * store's free calls them with ECANCELED, frees their JSON. */
static void test_store_reader_cancel_answered(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store *st;

	st = open_ok(fx->path);
	fixture_fill(st);
	waiter_reset(w, 3);
	assert_int_equal(0, store_read_call(st, "c1", read_h, w));
	assert_int_equal(0, store_read_call(st, "c2", read_h, w));
	store_reader_wait(st);              /* both answered */
	store_set_reader_paused(st, true);
	assert_int_equal(0, store_read_call(st, "c3", read_h, w));
	assert_int_equal(0, w->got);
	mem_deref(st);
	assert_int_equal(3, w->got);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(ECANCELED, w->a[i].err);
	waiter_free(w);
}

/* A handler frees the store: the answers already taken are still
 * delivered, the pending ones cancelled, nothing touched after. */
static void test_store_reader_free_in_handler(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store *st;

	st = open_ok(fx->path);
	fixture_fill(st);
	waiter_reset(w, 4);
	w->free_st = &st;
	assert_int_equal(0, store_read_call(st, "c1", read_h, w));
	assert_int_equal(0, store_read_call(st, "c2", read_h, w));
	store_reader_wait(st);
	store_set_reader_paused(st, true);
	assert_int_equal(0, store_read_call(st, "c3", read_h, w));
	assert_int_equal(0, store_read_call(st, "c5", read_h, w));
	wait_answers(w);
	assert_null(st);
	/* c1 delivered, freeing the store: c3, c5 cancelled inside that,
	 * then c2 (taken with c1) delivered */
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("c1", str_get(w->a[0].od, "id"));
	assert_int_equal(ECANCELED, w->a[1].err);
	assert_int_equal(ECANCELED, w->a[2].err);
	assert_int_equal(0, w->a[3].err);
	assert_string_equal("c2", str_get(w->a[3].od, "id"));
	waiter_free(w);
}

/* Reads see committed records only, through their own connection. */
static void test_store_reader_sees_commits(void **state)
{
	struct fx *fx = *state;
	struct waiter *w = waiter_new();
	struct store_call c = { .id = "x1", .arrival = 7, .outcome = "failed"
	};
	struct store *st;
	char buf[64];

	st = open_ok(fx->path);
	store_set_paused(st, true);
	assert_int_equal(0, store_call_end(st, &c));
	READ1(w, store_read_call(st, "x1", read_h, w));
	assert_int_equal(ENOENT, w->a[0].err);      /* still queued */
	store_set_paused(st, false);
	assert_int_equal(0, store_flush(st));
	READ1(w, store_read_call(st, "x1", read_h, w));
	assert_int_equal(0, w->a[0].err);
	assert_string_equal("failed", str_get(w->a[0].od, "outcome"));
	mem_deref(st);

	/* and a reopened store reads what the last one wrote */
	st = open_ok(fx->path);
	READ1(w, store_read_calls(st, &(struct store_call_query){0}, read_h,
				  w));
	assert_string_equal("x1", ids(w->a[0].od, "calls", "id", buf,
				      sizeof(buf)));
	mem_deref(st);
	waiter_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_store_reader_calls_shape),
		T(test_store_reader_calls_filters),
		T(test_store_reader_calls_paging),
		T(test_store_reader_paging_same_ms),
		T(test_store_reader_call_one),
		T(test_store_reader_recordings),
		T(test_store_reader_agent_figures),
		T(test_store_reader_events),
		T(test_store_reader_order),
		T(test_store_reader_busy_and_cancel),
		T(test_store_reader_cancel_answered),
		T(test_store_reader_free_in_handler),
		T(test_store_reader_sees_commits),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
