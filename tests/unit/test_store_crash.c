/* tests/unit/test_store_crash.c  What a killed process leaves behind.
 *
 * A forked child writes through the store and kills itself with
 * SIGKILL (no destructor, no close, the writer thread stopped wherever
 * it was); the parent reopens the file and checks:
 *   - after store_flush: every flushed call is whole (row, offers, holds)
 *     and the call that was live is marked 'interrupted' by store_open;
 *   - killed while writing continuously (no flush): PRAGMA
 *     integrity_check is ok, every call row present is complete, and
 *     what survived is a prefix of what was queued (batches commit in
 *     order, each in one transaction).
 * The child never runs cmocka asserts (they would longjmp in the wrong
 * process): it reports failures by exit status.  alarm() bounds it. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store_int.h"

enum {
	FLUSHED_CALLS = 300,
	KILLS = 3,               /* continuous writer killed this often */
	CHILD_ALARM_S = 120
};

#include "store_harness.h"

static int fx_setup(void **state)
{
	return fx_setup_prefix(state, "sb-store-crash");
}


/* Call i: 3 offers, 1 hold, times derived from i; the call record
 * last, so an ended call has both its events. */
static int call_write(struct store *st, unsigned i)
{
	struct store_offer offers[3] = {
		{"a1", 1000 + i, 1010 + i, "no-answer"},
		{"a2", 1010 + i, 1020 + i, "busy"},
		{"a3", 1020 + i, 1030 + i, "answered"},
	};
	struct store_hold hold = {2000 + i, 2500 + i, "agent"};
	struct store_call c = { .sip_callid = "cid@host", .caller = "1001",
		.dialled = "5000", .arrival = 900 + i, .queue_entry = 950 + i,
		.answer = 1030 + i, .end = 5000 + i, .outcome = "answered",
		.queue = "sales", .agent = "a3", .ended_by = "caller",
		.offers = offers, .noffers = 3, .holds = &hold, .nholds = 1 };
	char id[32];
	int e;

	snprintf(id, sizeof(id), "c%06u", i);
	c.id = id;
	e = store_call_begin(st, id, "cid@host", "1001", "5000", 900 + i);
	if (!e)
		e = store_event(st, 2 * (uint64_t)i + 1, 900 + i, "arrive",
				NULL, id, NULL, NULL);
	if (!e)
		e = store_event(st, 2 * (uint64_t)i + 2, 5000 + i, "end", "a3",
				id, "sales", NULL);
	if (!e)
		e = store_call_end(st, &c);
	return e;
}

static pid_t child_start(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		alarm(CHILD_ALARM_S);
	return pid;
}

static void child_wait_killed(pid_t pid)
{
	int status;

	assert_int_equal(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status))
		fail_msg("child exited with %d instead of being killed",
			 WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(SIGKILL, WTERMSIG(status));
}

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(SQLITE_OK, sqlite3_open_v2(path, &db,
		SQLITE_OPEN_READWRITE, NULL));
	return db;
}

static struct store *store_open_ok(const char *path)
{
	struct store *st = NULL;
	char err[256];
	int e = store_open(&st, path, err, sizeof(err));

	if (e)
		fail_msg("store_open: %d: %s", e, err);
	return st;
}

static void test_store_crash_after_flush(void **state)
{
	struct fx *fx = *state;
	struct store *st;
	char buf[64];
	sqlite3 *db;
	pid_t pid;

	pid = child_start();
	if (!pid) {
		char err[256];

		if (store_open(&st, fx->path, err, sizeof(err)))
			_exit(10);
		for (unsigned i = 0; i < FLUSHED_CALLS; i++)
			if (call_write(st, i))
				_exit(11);
		if (store_flush(st))
			_exit(12);
		if (store_call_begin(st, "live", "l@host", "1002", "5000",
				     123456))
			_exit(13);
		if (store_flush(st))
			_exit(14);
		kill(getpid(), SIGKILL);
		_exit(15);
	}
	child_wait_killed(pid);

	/* straight from the file, before the store touches it */
	db = db_open(fx->path);
	assert_string_equal("ok", q_text(db, "PRAGMA integrity_check", NULL,
					 buf, sizeof(buf)));
	assert_string_equal("active", q_text(db, "SELECT outcome FROM calls "
		"WHERE id = ?1", "live", buf, sizeof(buf)));
	sqlite3_close(db);

	st = store_open_ok(fx->path);
	assert_int_equal(2 * FLUSHED_CALLS, store_event_last(st));
	mem_deref(st);

	db = db_open(fx->path);
	assert_int_equal(FLUSHED_CALLS, q_int(db, "SELECT count(*) FROM calls"
		" WHERE outcome = 'answered' AND agent = 'a3' AND wait_ms = 80"
		" AND talk_ms = end_time - answer AND sip_callid = 'cid@host'",
		NULL));
	assert_int_equal(3 * FLUSHED_CALLS, q_int(db, "SELECT count(*) FROM "
		"call_offers", NULL));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM call_offers "
		"WHERE ring_ms != 10", NULL));
	assert_int_equal(FLUSHED_CALLS, q_int(db, "SELECT count(*) FROM "
		"call_holds WHERE hold_ms = 500 AND by_side = 'agent'", NULL));
	assert_int_equal(2 * FLUSHED_CALLS, q_int(db, "SELECT count(*) FROM "
		"events", NULL));
	assert_string_equal("interrupted", q_text(db, "SELECT outcome FROM "
		"calls WHERE id = ?1", "live", buf, sizeof(buf)));
	assert_int_equal(123456, q_int(db, "SELECT arrival FROM calls WHERE "
				       "id = ?1", "live"));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM calls WHERE "
				  "outcome = 'active'", NULL));
	sqlite3_close(db);
}

/* Child: write calls from `first` until enough batches have committed,
 * then die mid-stream, records still queued.  A flush whenever the
 * writer falls 4096 records behind keeps the queue (and the batches)
 * small, so the kill lands among many small transactions. */
static void child_write_until_killed(const char *path, unsigned first)
{
	struct store_stats ss;
	struct store *st;
	char err[256];

	if (store_open(&st, path, err, sizeof(err)))
		_exit(20);
	for (unsigned i = first; ; i++) {
		if (call_write(st, i))
			_exit(21);
		if ((i - first) % 64)
			continue;
		store_stats(st, &ss);
		if (ss.failed || ss.dropped)
			_exit(22);
		if (ss.batches >= 20 && ss.queued > ss.committed)
			kill(getpid(), SIGKILL);
		if (ss.queued - ss.committed > 4096 && store_flush(st))
			_exit(23);
		if (i - first > 2000000)
			_exit(24);
	}
}

/* The database after a kill: consistent, and a prefix of the calls. */
static unsigned check_prefix(const char *path, unsigned *interrupted)
{
	sqlite3 *db;
	char buf[64];
	int64_t ncalls, ended, max_ended;

	db = db_open(path);
	assert_string_equal("ok", q_text(db, "PRAGMA integrity_check", NULL,
					 buf, sizeof(buf)));
	assert_string_equal("NOROW", q_text(db, "PRAGMA foreign_key_check",
					    NULL, buf, sizeof(buf)));
	ncalls = q_int(db, "SELECT count(*) FROM calls", NULL);
	ended = q_int(db, "SELECT count(*) FROM calls WHERE outcome = "
		      "'answered'", NULL);
	max_ended = q_int(db, "SELECT max(CAST(substr(id, 2) AS INTEGER)) "
			  "FROM calls WHERE outcome = 'answered'", NULL);
	/* every ended call is whole: row, 3 offers, 1 hold, its 2 events */
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM calls c WHERE "
		"outcome = 'answered' AND ((SELECT count(*) FROM call_offers o"
		" WHERE o.call_id = c.id) != 3 OR (SELECT count(*) FROM "
		"call_holds h WHERE h.call_id = c.id) != 1 OR (SELECT count(*)"
		" FROM events e WHERE e.call_id = c.id) != 2 OR talk_ms IS "
		"NULL)", NULL));
	/* a call not ended has no offers or holds */
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM call_offers o "
		"JOIN calls c ON c.id = o.call_id WHERE c.outcome != "
		"'answered'", NULL));
	/* the ended calls are c0..c(ended-1), at most one more begun */
	assert_int_equal(ended - 1, max_ended);
	assert_true(ncalls == ended || ncalls == ended + 1);
	/* events: no gaps */
	assert_int_equal(q_int(db, "SELECT count(*) FROM events", NULL),
			 q_int(db, "SELECT max(seq) FROM events", NULL));
	assert_int_equal(0, q_int(db, "SELECT count(*) FROM call_offers o "
		"WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = "
		"o.call_id)", NULL));
	*interrupted = (unsigned)(ncalls - ended);
	sqlite3_close(db);
	return (unsigned)ended;
}

static void test_store_crash_while_writing(void **state)
{
	struct fx *fx = *state;
	unsigned ended = 0;

	for (int k = 0; k < KILLS; k++) {
		unsigned before = ended, live = 0;
		struct store *st;
		sqlite3 *db;
		pid_t pid;

		pid = child_start();
		if (!pid)
			child_write_until_killed(fx->path, ended);
		child_wait_killed(pid);

		ended = check_prefix(fx->path, &live);
		print_message("kill %d: %u calls complete (%u new), %u live "
			      "at the kill\n", k, ended, ended - before,
			      live);
		assert_true(ended > before);

		/* reopening marks the live one; the next run continues */
		st = store_open_ok(fx->path);
		db = db_open(fx->path);
		assert_int_equal(q_int(db, "SELECT count(*) FROM events",
				       NULL), store_event_last(st));
		mem_deref(st);
		assert_int_equal(live, q_int(db, "SELECT count(*) FROM calls "
					     "WHERE outcome = 'interrupted'",
					     NULL));
		/* the next child rewrites the live call from its start */
		assert_int_equal(SQLITE_OK, sqlite3_exec(db, "DELETE FROM "
			"calls WHERE outcome = 'interrupted'; DELETE FROM "
			"events WHERE seq > (SELECT 2 * count(*) FROM calls)",
			NULL, NULL, NULL));
		sqlite3_close(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_store_crash_after_flush),
		T(test_store_crash_while_writing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
