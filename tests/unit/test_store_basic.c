/* tests/unit/test_store_basic.c  The store (src/store/): schema and
 * migrations, every record type written and read back with sqlite3
 * directly, seeding, event seq continuation, flush, batching, concurrent
 * producers, a full queue, a bad path.  Each test works in its own
 * directory under /tmp, removed at the end. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store_int.h"

#include "store_harness.h"

static int fx_setup(void **state)
{
	return fx_setup_prefix(state, "sb-store");
}

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

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(SQLITE_OK, sqlite3_open_v2(path, &db,
		SQLITE_OPEN_READWRITE, NULL));
	return db;
}

/* First column of the first row; -1 for NULL, -2 for no row. */

#define COL(db, col, id) \
	q_text(db, "SELECT " col " FROM calls WHERE id = ?1", id, buf, \
	       sizeof(buf))
#define ICOL(db, col, id) \
	q_int(db, "SELECT " col " FROM calls WHERE id = ?1", id)

struct regs_seen {
	char text[512];
	unsigned n;
};

static void regs_h(const char *user, const char *body, void *arg)
{
	struct regs_seen *r = arg;
	size_t l = strlen(r->text);

	snprintf(r->text + l, sizeof(r->text) - l, "%s=%s;", user, body);
	r->n++;
}

/* Registrations: put, replace, remove, read back after a reopen. */
static void test_store_registrations(void **state)
{
	struct fx *fx = *state;
	struct regs_seen seen;
	struct store *st;

	st = open_ok(fx->path);
	assert_int_equal(EINVAL, store_registration(st, "", "x", 1));
	assert_int_equal(0, store_registration(st, "1001", "a", 1));
	assert_int_equal(0, store_registration(st, "1002", "b", 1));
	assert_int_equal(0, store_registration(st, "1001", "c", 2));
	assert_int_equal(0, store_registration(st, "1002", NULL, 3));
	assert_int_equal(0, store_flush(st));
	mem_deref(st);
	st = open_ok(fx->path);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(0, store_registrations_load(st, regs_h, &seen));
	assert_int_equal(1, seen.n);
	assert_string_equal("1001=c;", seen.text);
	mem_deref(st);
}

static void test_store_schema_create_and_reopen(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	char buf[64], err[256];
	sqlite3 *db;
	int e;

	assert_int_equal(5, store_schema_latest());
	st = open_ok(fx->path);
	mem_deref(st);

	db = db_open(fx->path);
	assert_int_equal(5, q_int(db, "PRAGMA user_version", NULL));
	assert_string_equal("wal", q_text(db, "PRAGMA journal_mode", NULL,
					  buf, sizeof(buf)));
	assert_int_equal(8, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE type = 'table' AND name IN ('calls',"
				  " 'call_offers', 'call_holds', 'events', "
				  "'recordings', 'config', 'registrations', "
				  "'dispositions')", NULL));
	assert_int_equal(7, q_int(db, "SELECT count(*) FROM sqlite_schema "
				  "WHERE type = 'index' AND name IN ("
				  "'calls_arrival', 'calls_queue', "
				  "'calls_agent', 'calls_active', "
				  "'events_call', 'events_agent', "
				  "'recordings_call')", NULL));
	sqlite3_close(db);

	/* reopening migrates nothing and keeps the data */
	st = open_ok(fx->path);
	assert_int_equal(0, store_event(st, 1, 5, "ping", NULL, NULL, NULL,
					NULL));
	assert_int_equal(0, store_flush(st));
	mem_deref(st);
	st = open_ok(fx->path);
	mem_deref(st);
	db = db_open(fx->path);
	assert_int_equal(5, q_int(db, "PRAGMA user_version", NULL));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM events", NULL));

	/* a file from a newer build is refused, untouched */
	assert_int_equal(SQLITE_OK, sqlite3_exec(db, "PRAGMA user_version = "
						 "99", NULL, NULL, NULL));
	sqlite3_close(db);
	st = NULL;
	e = store_open(&st, fx->path, err, sizeof(err));
	assert_int_equal(EPROTO, e);
	assert_null(st);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "newer"));
	db = db_open(fx->path);
	assert_int_equal(99, q_int(db, "PRAGMA user_version", NULL));
	sqlite3_close(db);
}

static void test_store_call_round_trip(void **state)
{
	struct fx *fx = *state;
	char agent1[16] = "", agent2[16] = "", result[16] = "", by[16] = "";
	char buf[128];
	struct store_offer offers[2];
	struct store_hold hold;
	struct store_call c;
	struct store_stats ss;
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(0, store_call_begin(st, "n1-c1", "abc@host", "1001",
					     "5000", 1000));
	assert_int_equal(0, store_flush(st));
	db = db_open(fx->path);
	assert_string_equal("active", COL(db, "outcome", "n1-c1"));
	assert_int_equal(1000, ICOL(db, "arrival", "n1-c1"));
	assert_int_equal(-1, ICOL(db, "answer", "n1-c1"));

	snprintf(agent1, sizeof(agent1), "a1");
	snprintf(agent2, sizeof(agent2), "a2");
	snprintf(result, sizeof(result), "no-answer");
	snprintf(by, sizeof(by), "agent");
	offers[0] = (struct store_offer){agent1, 2000, 2100, result};
	offers[1] = (struct store_offer){agent2, 2100, 2150, "answered"};
	hold = (struct store_hold){3000, 3500, by};
	c = (struct store_call){
		.id = "n1-c1", .sip_callid = NULL, .caller = "1001",
		.dialled = "5000", .flow = "main", .arrival = 1000,
		.ivr_end = 1400, .queue_entry = 1500, .answer = 2150,
		.end = 9000, .outcome = "answered", .queue = "sales",
		.agent = "a2", .ended_by = "caller", .transfer_to = NULL,
		.recording = "/rec/n1-c1.wav", .vars = "{\"tier\":\"gold\"}",
		.offers = offers, .noffers = 2, .holds = &hold, .nholds = 1,
	};
	assert_int_equal(0, store_call_end(st, &c));
	/* the store copied everything */
	memset(agent1, 'x', sizeof(agent1) - 1);
	memset(result, 'x', sizeof(result) - 1);
	memset(by, 'x', sizeof(by) - 1);
	assert_int_equal(0, store_flush(st));

	assert_string_equal("abc@host", COL(db, "sip_callid", "n1-c1"));
	assert_string_equal("1001", COL(db, "caller", "n1-c1"));
	assert_string_equal("5000", COL(db, "dialled", "n1-c1"));
	assert_string_equal("main", COL(db, "flow", "n1-c1"));
	assert_int_equal(1000, ICOL(db, "arrival", "n1-c1"));
	assert_int_equal(1400, ICOL(db, "ivr_end", "n1-c1"));
	assert_int_equal(1500, ICOL(db, "queue_entry", "n1-c1"));
	assert_int_equal(2150, ICOL(db, "answer", "n1-c1"));
	assert_int_equal(9000, ICOL(db, "end_time", "n1-c1"));
	assert_string_equal("answered", COL(db, "outcome", "n1-c1"));
	assert_string_equal("sales", COL(db, "queue", "n1-c1"));
	assert_string_equal("a2", COL(db, "agent", "n1-c1"));
	assert_string_equal("caller", COL(db, "ended_by", "n1-c1"));
	assert_string_equal("NULL", COL(db, "transfer_to", "n1-c1"));
	assert_string_equal("/rec/n1-c1.wav", COL(db, "recording", "n1-c1"));
	assert_string_equal("{\"tier\":\"gold\"}", COL(db, "vars", "n1-c1"));
	assert_int_equal(-1, ICOL(db, "wrapup_end", "n1-c1"));
	assert_int_equal(650, ICOL(db, "wait_ms", "n1-c1"));
	assert_int_equal(6850, ICOL(db, "talk_ms", "n1-c1"));

	assert_int_equal(2, q_int(db, "SELECT count(*) FROM call_offers "
				  "WHERE call_id = ?1", "n1-c1"));
	assert_string_equal("a1", q_text(db, "SELECT agent FROM call_offers "
		"WHERE call_id = ?1 AND seq = 0", "n1-c1", buf, sizeof(buf)));
	assert_string_equal("no-answer", q_text(db, "SELECT result FROM "
		"call_offers WHERE call_id = ?1 AND seq = 0", "n1-c1", buf,
		sizeof(buf)));
	assert_int_equal(100, q_int(db, "SELECT ring_ms FROM call_offers "
				    "WHERE call_id = ?1 AND seq = 0",
				    "n1-c1"));
	assert_string_equal("a2", q_text(db, "SELECT agent FROM call_offers "
		"WHERE call_id = ?1 AND seq = 1", "n1-c1", buf, sizeof(buf)));
	assert_int_equal(2100, q_int(db, "SELECT start FROM call_offers "
				     "WHERE call_id = ?1 AND seq = 1",
				     "n1-c1"));
	assert_int_equal(2150, q_int(db, "SELECT end_time FROM call_offers "
				     "WHERE call_id = ?1 AND seq = 1",
				     "n1-c1"));
	assert_string_equal("answered", q_text(db, "SELECT result FROM "
		"call_offers WHERE call_id = ?1 AND seq = 1", "n1-c1", buf,
		sizeof(buf)));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM call_holds "
				  "WHERE call_id = ?1", "n1-c1"));
	assert_string_equal("agent", q_text(db, "SELECT by_side FROM "
		"call_holds WHERE call_id = ?1", "n1-c1", buf, sizeof(buf)));
	assert_int_equal(500, q_int(db, "SELECT hold_ms FROM call_holds "
				    "WHERE call_id = ?1", "n1-c1"));

	/* a second record replaces offers and holds */
	c.noffers = 1;
	c.nholds = 0;
	c.holds = NULL;
	offers[0].agent = "a9";
	assert_int_equal(0, store_call_end(st, &c));
	/* a record without a start creates the row; 0 times are NULL */
	c = (struct store_call){ .id = "n1-c2", .arrival = 7000,
		.end = 7100, .outcome = "abandoned-ivr", .ended_by = "caller"
	};
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM call_offers "
				  "WHERE call_id = ?1", "n1-c1"));
	assert_string_equal("a9", q_text(db, "SELECT agent FROM call_offers "
		"WHERE call_id = ?1", "n1-c1", buf, sizeof(buf)));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM call_holds "
				  "WHERE call_id = ?1", "n1-c1"));
	assert_string_equal("abandoned-ivr", COL(db, "outcome", "n1-c2"));
	assert_int_equal(-1, ICOL(db, "ivr_end", "n1-c2"));
	assert_int_equal(-1, ICOL(db, "answer", "n1-c2"));
	assert_int_equal(-1, ICOL(db, "wait_ms", "n1-c2"));
	assert_int_equal(-1, ICOL(db, "talk_ms", "n1-c2"));
	assert_string_equal("NULL", COL(db, "sip_callid", "n1-c2"));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM call_offers "
				  "WHERE call_id = ?1", "n1-c2"));
	sqlite3_close(db);

	store_stats(st, &ss);
	assert_int_equal(4, ss.queued);
	assert_int_equal(4, ss.committed);
	assert_int_equal(0, ss.failed);
	assert_int_equal(0, ss.dropped);
	mem_deref(st);
}

static void test_store_call_limits(void **state)
{
	struct fx *fx = *state;
	struct store_offer offers[STORE_OFFERS_MAX + 6];
	struct store_hold holds[STORE_HOLDS_MAX + 1];
	struct store_call c = { .id = "big", .outcome = "answered" };
	struct store *st;
	sqlite3 *db;

	for (unsigned i = 0; i < STORE_OFFERS_MAX + 6; i++)
		offers[i] = (struct store_offer){"a", 1 + i, 2 + i, "busy"};
	for (unsigned i = 0; i < STORE_HOLDS_MAX + 1; i++)
		holds[i] = (struct store_hold){10 + i, 11 + i, "caller"};
	st = open_ok(fx->path);

	/* bad arguments */
	assert_int_equal(EINVAL, store_call_end(NULL, &c));
	assert_int_equal(EINVAL, store_call_end(st, NULL));
	c.noffers = 1;
	assert_int_equal(EINVAL, store_call_end(st, &c));
	c.noffers = 0;
	c.id = "";
	assert_int_equal(EINVAL, store_call_end(st, &c));
	assert_int_equal(EINVAL, store_call_begin(st, NULL, NULL, NULL,
						  NULL, 1));
	assert_int_equal(EINVAL, store_wrapup_end(st, NULL, "a", 1));
	assert_int_equal(EINVAL, store_recording(st, "c", NULL, NULL, NULL,
						 1, 1));
	assert_int_equal(EINVAL, store_recording(st, "c", "/p", NULL, NULL,
						 1, (uint64_t)INT64_MAX + 1));
	assert_int_equal(EINVAL, store_flush(NULL));

	/* too many offers and holds: the first ones are kept */
	c.id = "big";
	c.offers = offers;
	c.noffers = STORE_OFFERS_MAX + 6;
	c.holds = holds;
	c.nholds = STORE_HOLDS_MAX + 1;
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_flush(st));
	db = db_open(fx->path);
	assert_int_equal(STORE_OFFERS_MAX, q_int(db, "SELECT count(*) FROM "
		"call_offers WHERE call_id = ?1", "big"));
	assert_int_equal(STORE_OFFERS_MAX, q_int(db, "SELECT max(start) FROM"
		" call_offers WHERE call_id = ?1", "big"));
	assert_int_equal(STORE_HOLDS_MAX, q_int(db, "SELECT count(*) FROM "
		"call_holds WHERE call_id = ?1", "big"));
	sqlite3_close(db);
	mem_deref(st);
}

static void test_store_event_seq_continues(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	char buf[64];
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(0, store_event_last(st));
	for (uint64_t i = 1; i <= 100; i++)
		assert_int_equal(0, store_event(st, i, 1000 + (int64_t)i,
						"agent-state", "a1", "c1",
						"sales", "ready"));
	assert_int_equal(0, store_flush(st));
	assert_int_equal(100, store_event_last(st));
	assert_int_equal(EINVAL, store_event(st, (uint64_t)INT64_MAX + 1, 1,
					     "x", NULL, NULL, NULL, NULL));
	assert_int_equal(EINVAL, store_event(st, 101, 1, NULL, NULL, NULL,
					     NULL, NULL));
	mem_deref(st);

	st = open_ok(fx->path);
	assert_int_equal(100, store_event_last(st));
	for (uint64_t i = 101; i <= 110; i++)
		assert_int_equal(0, store_event(st, i, 0, "call-end", NULL,
						NULL, NULL, NULL));
	assert_int_equal(0, store_flush(st));
	assert_int_equal(110, store_event_last(st));
	mem_deref(st);

	db = db_open(fx->path);
	assert_int_equal(110, q_int(db, "SELECT count(*) FROM events", NULL));
	assert_int_equal(1050, q_int(db, "SELECT time FROM events WHERE seq"
				     " = 50", NULL));
	assert_string_equal("agent-state", q_text(db, "SELECT type FROM "
		"events WHERE seq = 50", NULL, buf, sizeof(buf)));
	assert_string_equal("a1|c1|sales|ready", q_text(db, "SELECT agent "
		"|| '|' || call_id || '|' || queue || '|' || detail FROM "
		"events WHERE seq = 50", NULL, buf, sizeof(buf)));
	assert_int_equal(-1, q_int(db, "SELECT time FROM events WHERE seq ="
				   " 105", NULL));
	assert_int_equal(-1, q_int(db, "SELECT agent FROM events WHERE seq ="
				   " 105", NULL));
	sqlite3_close(db);
}

static void test_store_seed_upsert(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	char buf[64];
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(EINVAL, store_seed(st, "agent", "1001", "x"));
	assert_int_equal(EINVAL, store_seed_end(st, true));

	assert_int_equal(0, store_seed_begin(st));
	assert_int_equal(EALREADY, store_seed_begin(st));
	assert_int_equal(0, store_seed(st, "agent", "1001", "ha1=abc"));
	assert_int_equal(0, store_seed(st, "queue", "sales", "strategy=lia"));
	assert_int_equal(0, store_seed(st, "queue", "empty", NULL));
	assert_int_equal(EINVAL, store_seed(st, "", "x", "y"));
	assert_int_equal(EINVAL, store_seed(st, "queue", NULL, "y"));
	/* records from the loop meanwhile wait for the seed's lock */
	assert_int_equal(0, store_event(st, 1, 1, "boot", NULL, NULL, NULL,
					NULL));
	assert_int_equal(0, store_seed_end(st, true));
	assert_int_equal(0, store_flush(st));

	db = db_open(fx->path);
	assert_int_equal(3, q_int(db, "SELECT count(*) FROM config", NULL));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM events", NULL));
	assert_string_equal("ha1=abc", q_text(db, "SELECT body FROM config "
		"WHERE kind = 'agent' AND id = ?1", "1001", buf, sizeof(buf)));
	assert_true(q_int(db, "SELECT updated FROM config WHERE kind = "
			  "'agent'", NULL) > 1600000000000);

	/* seeding again replaces */
	assert_int_equal(0, store_seed_begin(st));
	assert_int_equal(0, store_seed(st, "agent", "1001", "ha1=def"));
	assert_int_equal(0, store_seed_end(st, true));
	assert_int_equal(3, q_int(db, "SELECT count(*) FROM config", NULL));
	assert_string_equal("ha1=def", q_text(db, "SELECT body FROM config "
		"WHERE kind = 'agent' AND id = ?1", "1001", buf, sizeof(buf)));

	/* a rolled-back seed leaves nothing */
	assert_int_equal(0, store_seed_begin(st));
	assert_int_equal(0, store_seed(st, "agent", "1002", "ha1=x"));
	assert_int_equal(0, store_seed(st, "agent", "1001", "ha1=x"));
	assert_int_equal(0, store_seed_end(st, false));
	assert_int_equal(3, q_int(db, "SELECT count(*) FROM config", NULL));
	assert_string_equal("ha1=def", q_text(db, "SELECT body FROM config "
		"WHERE kind = 'agent' AND id = ?1", "1001", buf, sizeof(buf)));

	/* one left open is rolled back at close */
	assert_int_equal(0, store_seed_begin(st));
	assert_int_equal(0, store_seed(st, "agent", "1003", "ha1=x"));
	mem_deref(st);
	assert_int_equal(3, q_int(db, "SELECT count(*) FROM config", NULL));
	sqlite3_close(db);
}

static void test_store_wrapup_end(void **state)
{
	struct fx *fx = *state;
	struct store_call c = { .id = "c1", .arrival = 100, .answer = 200,
		.end = 300, .outcome = "answered", .agent = "a1" };
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(0, store_call_begin(st, "c1", NULL, NULL, NULL,
					     100));
	assert_int_equal(0, store_call_end(st, &c));
	/* another agent's (a transferee's) does not replace a1's */
	assert_int_equal(0, store_wrapup_end(st, "c1", "a2", 350));
	assert_int_equal(0, store_flush(st));
	db = db_open(fx->path);
	assert_int_equal(-1, ICOL(db, "wrapup_end", "c1"));
	assert_int_equal(0, store_wrapup_end(st, "c1", "a1", 400));
	/* an unknown call changes nothing and is no error */
	assert_int_equal(0, store_wrapup_end(st, "nope", "a1", 400));
	assert_int_equal(0, store_flush(st));
	assert_int_equal(400, ICOL(db, "wrapup_end", "c1"));
	assert_int_equal(300, ICOL(db, "end_time", "c1"));
	/* a later call record keeps the wrap-up */
	assert_int_equal(0, store_call_end(st, &c));
	assert_int_equal(0, store_flush(st));
	assert_int_equal(400, ICOL(db, "wrapup_end", "c1"));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM calls", NULL));
	sqlite3_close(db);
	mem_deref(st);
}

static void test_store_disposition(void **state)
{
	struct fx *fx = *state;
	char buf[64];
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(EINVAL, store_disposition(st, "c1", "a1", "", NULL, NULL,
						   1));
	assert_int_equal(EINVAL, store_disposition(st, NULL, "a1", "sale",
						   NULL, NULL, 1));
	assert_int_equal(0, store_disposition(st, "c1", "a1", "sale",
					      "wants \"blue\"", NULL, 500));
	/* the agent changes its mind: the last one counts */
	assert_int_equal(0, store_disposition(st, "c1", "a1", "no-sale",
					      NULL, NULL, 600));
	/* another agent of the same call (a transfer) has its own */
	assert_int_equal(0, store_disposition(st, "c1", "a2", "sale", "ok",
					      "[{\"step\":\"q1\",\"answer\":"
					      "\"yes\"}]", 700));
	assert_int_equal(0, store_flush(st));
	db = db_open(fx->path);
	assert_int_equal(2, q_int(db, "SELECT count(*) FROM dispositions",
				  NULL));
	assert_string_equal("no-sale", q_text(db, "SELECT code FROM "
					      "dispositions WHERE agent = "
					      "'a1'", NULL, buf,
					      sizeof(buf)));
	assert_int_equal(1, q_int(db, "SELECT count(*) FROM dispositions "
				  "WHERE agent = 'a1' AND notes IS NULL AND "
				  "time = 600", NULL));
	assert_string_equal("yes", q_text(db, "SELECT script ->> '$[0].answer'"
					  " FROM dispositions WHERE agent = "
					  "'a2'", NULL, buf, sizeof(buf)));
	sqlite3_close(db);
	mem_deref(st);
}

static void doc_seen(const char *id, const char *body, int64_t updated,
		     void *arg)
{
	char *seen = arg;

	(void)updated;
	strcat(seen, id);
	strcat(seen, "=");
	strcat(seen, body);
	strcat(seen, ";");
}

/* Documents: put, replace, delete, read back in id order by kind. */
static void test_store_docs(void **state)
{
	struct fx *fx = *state;
	char seen[256] = "";
	struct store *st;

	st = open_ok(fx->path);
	assert_int_equal(EINVAL, store_doc(st, "", "a", "{}", 1));
	assert_int_equal(EINVAL, store_doc(st, "script", NULL, "{}", 1));
	assert_int_equal(0, store_doc(st, "script", "b", "{\"v\":1}", 1));
	assert_int_equal(0, store_doc(st, "script", "a", "{\"v\":1}", 2));
	assert_int_equal(0, store_doc(st, "script", "b", "{\"v\":2}", 3));
	assert_int_equal(0, store_doc(st, "other", "z", "[]", 4));
	assert_int_equal(0, store_doc(st, "script", "c", "{}", 5));
	assert_int_equal(0, store_doc(st, "script", "c", NULL, 6));
	assert_int_equal(0, store_flush(st));
	/* not JSON: refused when written, reported by the flush */
	assert_int_equal(0, store_doc(st, "script", "d", "{nope", 7));
	assert_int_equal(EIO, store_flush(st));
	assert_int_equal(0, store_docs_load(st, "script", doc_seen, seen));
	assert_string_equal("a={\"v\":1};b={\"v\":2};", seen);
	mem_deref(st);
}

static void test_store_recording(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	char buf[128];
	sqlite3 *db;

	st = open_ok(fx->path);
	assert_int_equal(0, store_recording(st, "c1", "/var/rec/c1.wav", "a1",
					    "sales", 5000, 61000));
	assert_int_equal(0, store_recording(st, "c1", "/var/rec/c1-2.wav",
					    NULL, NULL, 0, 0));
	assert_int_equal(0, store_flush(st));
	db = db_open(fx->path);
	assert_int_equal(2, q_int(db, "SELECT count(*) FROM recordings WHERE"
				  " call_id = ?1", "c1"));
	assert_string_equal("/var/rec/c1.wav|a1|sales|5000|61000",
		q_text(db, "SELECT path || '|' || agent || '|' || queue || "
		       "'|' || start || '|' || duration_ms FROM recordings "
		       "ORDER BY id LIMIT 1", NULL, buf, sizeof(buf)));
	assert_int_equal(-1, q_int(db, "SELECT start FROM recordings ORDER "
				   "BY id DESC LIMIT 1", NULL));
	assert_int_equal(-1, q_int(db, "SELECT agent FROM recordings ORDER "
				   "BY id DESC LIMIT 1", NULL));
	sqlite3_close(db);
	mem_deref(st);
}

static void test_store_flush(void **state)
{
	struct fx *fx = *state;
	struct store_stats ss;
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	/* nothing queued: returns at once */
	assert_int_equal(0, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(0, ss.queued);
	assert_int_equal(0, ss.batches);

	for (unsigned i = 0; i < 1000; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%u", i);
		assert_int_equal(0, store_call_begin(st, id, NULL, NULL, NULL,
						     1 + i));
		assert_int_equal(0, store_event(st, 1 + i, 1 + i, "arrive",
						NULL, id, NULL, NULL));
	}
	assert_int_equal(0, store_flush(st));
	/* everything queued before the flush is committed when it returns */
	store_stats(st, &ss);
	assert_int_equal(2000, ss.queued);
	assert_int_equal(2000, ss.committed);
	db = db_open(fx->path);
	assert_int_equal(1000, q_int(db, "SELECT count(*) FROM calls", NULL));
	assert_int_equal(1000, q_int(db, "SELECT count(*) FROM events",
				     NULL));

	/* a failing record (duplicate seq) fails alone; flush says EIO */
	store_set_paused(st, true);
	assert_int_equal(0, store_event(st, 2001, 1, "a", NULL, NULL, NULL,
					NULL));
	assert_int_equal(0, store_event(st, 2001, 1, "dup", NULL, NULL, NULL,
					NULL));
	assert_int_equal(0, store_event(st, 2002, 1, "b", NULL, NULL, NULL,
					NULL));
	store_set_paused(st, false);
	assert_int_equal(EIO, store_flush(st));
	assert_int_equal(0, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(2003, ss.queued);
	assert_int_equal(2002, ss.committed);
	assert_int_equal(1, ss.failed);
	assert_int_equal(1002, q_int(db, "SELECT count(*) FROM events",
				     NULL));
	assert_int_equal(2002, store_event_last(st));
	sqlite3_close(db);
	mem_deref(st);
}

static void test_store_batches(void **state)
{
	struct fx *fx = *state;
	struct store_offer offers[3] = {
		{"a1", 1, 2, "no-answer"}, {"a2", 2, 3, "busy"},
		{"a3", 3, 4, "answered"},
	};
	struct store_stats ss;
	struct store *st;
	sqlite3 *db;
	unsigned n = 0;

	st = open_ok(fx->path);
	/* everything queued while the writer is busy is one batch */
	store_set_paused(st, true);
	for (unsigned i = 0; i < 3000; i++) {
		struct store_call c = { .arrival = 1, .answer = 4, .end = 9,
			.outcome = "answered", .agent = "a3",
			.offers = offers, .noffers = 3 };
		char id[16];

		snprintf(id, sizeof(id), "c%u", i);
		c.id = id;
		assert_int_equal(0, store_call_begin(st, id, NULL, "1001",
						     "5000", 1));
		assert_int_equal(0, store_call_end(st, &c));
		assert_int_equal(0, store_event(st, 1 + i, 1, "end", "a3", id,
						NULL, NULL));
		n += 3;
	}
	store_set_paused(st, false);
	assert_int_equal(0, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(n, ss.committed);
	assert_int_equal(1, ss.batches);

	/* a producer faster than fsync: batches grow by themselves */
	for (unsigned i = 0; i < 20000; i++)
		assert_int_equal(0, store_event(st, 10000 + i, 1, "tick", NULL,
						NULL, NULL, NULL));
	assert_int_equal(0, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(n + 20000, ss.committed);
	assert_int_equal(0, ss.failed);
	print_message("batches: %llu for 20000 events\n",
		      (unsigned long long)ss.batches - 1);
	assert_true(ss.batches - 1 < 20000);

	db = db_open(fx->path);
	assert_int_equal(3000, q_int(db, "SELECT count(*) FROM calls", NULL));
	assert_int_equal(9000, q_int(db, "SELECT count(*) FROM call_offers",
				     NULL));
	assert_int_equal(23000, q_int(db, "SELECT count(*) FROM events",
				      NULL));
	sqlite3_close(db);
	mem_deref(st);
}

enum { PROD_THREADS = 4, PROD_CALLS = 2000 };

struct prod {
	struct store *st;
	unsigned t;
	int err;
};

static void *producer(void *arg)
{
	struct prod *p = arg;

	for (unsigned i = 0; i < PROD_CALLS && !p->err; i++) {
		struct store_offer offers[3] = {
			{"a1", 10, 20, "no-answer"}, {"a2", 20, 30, "busy"},
			{"a3", 30, 40, "answered"},
		};
		struct store_call c = { .arrival = 1, .queue_entry = 5,
			.answer = 40, .end = 90, .outcome = "answered",
			.agent = "a3", .queue = "q", .offers = offers,
			.noffers = 3 };
		uint64_t seq = (uint64_t)p->t * 1000000 + i + 1;
		char id[32];

		snprintf(id, sizeof(id), "t%u-c%u", p->t, i);
		c.id = id;
		p->err = store_call_begin(p->st, id, "x@y", "1", "2", 1);
		if (!p->err)
			p->err = store_event(p->st, seq, 1, "arrive", NULL, id,
					     "q", NULL);
		if (!p->err)
			p->err = store_call_end(p->st, &c);
		if (!p->err && i % 500 == 499)
			p->err = store_flush(p->st);  /* flushes interleave */
	}
	return NULL;
}

static void test_store_concurrent_producers(void **state)
{
	struct fx *fx = *state;
	struct prod p[PROD_THREADS];
	pthread_t th[PROD_THREADS];
	struct store_stats ss;
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	for (unsigned t = 0; t < PROD_THREADS; t++) {
		p[t] = (struct prod){ .st = st, .t = t + 1 };
		assert_int_equal(0, pthread_create(&th[t], NULL, producer,
						   &p[t]));
	}
	for (unsigned t = 0; t < PROD_THREADS; t++) {
		assert_int_equal(0, pthread_join(th[t], NULL));
		assert_int_equal(0, p[t].err);
	}
	assert_int_equal(0, store_flush(st));
	store_stats(st, &ss);
	assert_int_equal(3 * PROD_THREADS * PROD_CALLS, ss.queued);
	assert_int_equal(ss.queued, ss.committed);
	assert_int_equal(0, ss.failed);
	assert_int_equal(0, ss.dropped);
	assert_int_equal((uint64_t)PROD_THREADS * 1000000 + PROD_CALLS,
			 store_event_last(st));

	db = db_open(fx->path);
	assert_int_equal(PROD_THREADS * PROD_CALLS, q_int(db, "SELECT count(*)"
		" FROM calls WHERE outcome = 'answered' AND sip_callid = "
		"'x@y' AND talk_ms = 50", NULL));
	assert_int_equal(3 * PROD_THREADS * PROD_CALLS, q_int(db, "SELECT "
		"count(*) FROM call_offers", NULL));
	assert_int_equal(PROD_THREADS * PROD_CALLS, q_int(db, "SELECT "
		"count(*) FROM events", NULL));
	/* every call has its three offers and its event */
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM calls c WHERE "
		"(SELECT count(*) FROM call_offers o WHERE o.call_id = c.id)"
		" != 3 OR NOT EXISTS (SELECT 1 FROM events e WHERE e.call_id"
		" = c.id)", NULL));
	sqlite3_close(db);
	mem_deref(st);
}

static void test_store_queue_full(void **state)
{
	struct fx *fx = *state;
	struct store_stats ss;
	struct store *st;
	unsigned ok = 0, full = 0;
	sqlite3 *db;

	st = open_ok(fx->path);
	store_set_paused(st, true);
	store_set_queue_max(st, 10);
	for (uint64_t i = 1; i <= 15; i++) {
		int e = store_event(st, i, 1, "x", NULL, NULL, NULL, NULL);

		if (!e)
			++ok;
		else if (e == ENOBUFS)
			++full;
		else
			fail_msg("store_event: %d", e);
	}
	assert_int_equal(10, ok);
	assert_int_equal(5, full);
	store_stats(st, &ss);
	assert_int_equal(10, ss.queued);
	assert_int_equal(5, ss.dropped);
	assert_int_equal(0, ss.committed);
	store_set_paused(st, false);
	assert_int_equal(0, store_flush(st));
	store_set_queue_max(st, 0);
	store_stats(st, &ss);
	assert_int_equal(10, ss.committed);
	assert_int_equal(5, ss.dropped);
	db = db_open(fx->path);
	assert_int_equal(10, q_int(db, "SELECT count(*) FROM events", NULL));
	assert_int_equal(10, q_int(db, "SELECT max(seq) FROM events", NULL));
	sqlite3_close(db);
	mem_deref(st);
}

/* Closing writes what is queued, even with the writer held off. */
static void test_store_close_writes_queue(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	sqlite3 *db;

	st = open_ok(fx->path);
	store_set_paused(st, true);
	for (uint64_t i = 1; i <= 5000; i++)
		assert_int_equal(0, store_event(st, i, 1, "x", NULL, NULL,
						NULL, NULL));
	mem_deref(st);
	db = db_open(fx->path);
	assert_int_equal(5000, q_int(db, "SELECT count(*) FROM events",
				     NULL));
	sqlite3_close(db);
}

static void open_fails_naming(const char *path)
{
	struct store *st = NULL;
	char err[512];
	int e;

	e = store_open(&st, path, err, sizeof(err));
	assert_int_not_equal(0, e);
	assert_null(st);
	print_message("expected: %s\n", err);
	if (!strstr(err, path))
		fail_msg("error does not name %s: %s", path, err);
}

static void test_store_bad_path(void **state)
{
	struct fx *fx = *state;
	char path[256], dir[192];
	struct store *st = NULL;
	FILE *f;

	/* a directory the store may not write to */
	if (geteuid()) {
		snprintf(dir, sizeof(dir), "%s/ro", fx->dir);
		assert_int_equal(0, mkdir(dir, 0500));
		snprintf(path, sizeof(path), "%s/sb.db", dir);
		open_fails_naming(path);
	}
	else {
		/* root writes anywhere but in /proc */
		open_fails_naming("/proc/sb-store-test.db");
	}
	/* a directory that is a file */
	snprintf(dir, sizeof(dir), "%s/file", fx->dir);
	f = fopen(dir, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sb.db", dir);
	open_fails_naming(path);
	/* not a database */
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fputs("this is not an SQLite database, just some text that is long "
	      "enough to fill a header page of one hundred bytes or so....",
	      f);
	fclose(f);
	open_fails_naming(fx->path);

	assert_int_equal(EINVAL, store_open(&st, "", NULL, 0));
	assert_int_equal(EINVAL, store_open(NULL, fx->path, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_store_schema_create_and_reopen),
		T(test_store_call_round_trip),
		T(test_store_call_limits),
		T(test_store_event_seq_continues),
		T(test_store_seed_upsert),
		T(test_store_wrapup_end),
		T(test_store_disposition),
		T(test_store_docs),
		T(test_store_recording),
		T(test_store_flush),
		T(test_store_batches),
		T(test_store_registrations),
		T(test_store_concurrent_producers),
		T(test_store_queue_full),
		T(test_store_close_writes_queue),
		T(test_store_bad_path),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
