/* store/reader.c  Reads off the event loop: one reader thread on its own
 * read-only connection answers the API's queries with complete JSON.
 *
 * Design.  store_read_* (on the loop) validates and copies its request
 * into one malloc'd struct store_read and appends it to a FIFO under
 * rd.mu: O(size of the request), no I/O; at STORE_READS_MAX pending it
 * refuses with EBUSY (counted by the caller, who answers 503).  The
 * thread takes one request at a time, runs it with statements prepared
 * per request (the WHERE clause depends on which filters are set, so
 * SQLite can use the index of the filter given; values are always bound,
 * never written into SQL), and builds the answer in a sqlite3_str.
 * Every object and array member is made by SQLite's json_object and
 * json_group_array, so escaping is SQLite's; C only joins the rows of a
 * page with commas and adds the "next" cursor.
 *
 * Answers go back through a doorbell: the thread appends the finished
 * request to rd.done and, when that list was empty, pushes an empty
 * message on the libre mqueue made at store_open on the opening thread.
 * The mqueue handler takes the whole done list under the lock and calls
 * each handler, then frees it, touching the store no more (a handler may
 * free the store).  Pointers never travel through the pipe, so a message
 * still in it when the store is freed loses nothing.
 *
 * Invariants.  A request accepted (0 returned) has its handler called
 * exactly once, on the opening thread: with its answer from the mqueue,
 * or with ECANCELED from the store's destructor for every request still
 * pending, running or answered but not yet delivered (the thread is
 * joined first, so nothing moves meanwhile).  Requests are never libre
 * objects (non-atomic reference counts).
 *
 * Consistency.  Each read is one statement, so one snapshot of the WAL
 * file: it sees the batches committed before it started, never half of
 * one.  Records still queued for the writer are not visible.
 *
 * Costs.  A page of calls: O(log n + rows scanned) with the index of
 * the filter used (calls_agent, calls_queue, calls_caller or
 * calls_arrival), plus per row two indexed lookups (first recording,
 * latest disposition).  Agent figures scan the calls since `from`.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "store_int.h"

enum {
	ANSWER_MAX = 64 * 1024 * 1024,  /* bytes of JSON; past it EIO */
	SAME_KEY_MAX = 1000,            /* rows past a page's limit that
					 * share its last key */
	BINDS_MAX = 32
};

/* The members of a call in both the list and the single read. */
#define CALL_MEMBERS \
	"'id', c.id, 'caller', c.caller, 'dialled', c.dialled," \
	" 'flow', c.flow, 'arrival', c.arrival, 'ivr_end', c.ivr_end," \
	" 'queue_entry', c.queue_entry, 'answer', c.answer," \
	" 'end', c.end_time, 'outcome', c.outcome, 'queue', c.queue," \
	" 'agent', c.agent, 'ended_by', c.ended_by," \
	" 'transfer_to', c.transfer_to, 'wait_ms', c.wait_ms," \
	" 'talk_ms', c.talk_ms, 'wrapup_end', c.wrapup_end," \
	" 'recording', (SELECT min(r.id) FROM recordings r" \
	"  WHERE r.call_id = c.id)," \
	" 'disposition', json((SELECT json_object('code', d.code," \
	"  'notes', d.notes, 'agent', d.agent, 'time', d.time," \
	"  'script', json(d.script))" \
	"  FROM dispositions d WHERE d.call_id = c.id" \
	"  ORDER BY d.time DESC, d.rowid DESC LIMIT 1))"

#define RECORDING_MEMBERS \
	"'id', r.id, 'call', r.call_id, 'agent', r.agent," \
	" 'queue', r.queue, 'start', r.start, 'duration_ms', r.duration_ms"

/* A subquery's result loses its JSON subtype: json() gives it back, so
 * the arrays nest as arrays, not as strings. */
static const char call_sql[] =
	"SELECT json_object(" CALL_MEMBERS ","
	" 'sip_callid', c.sip_callid,"
	" 'vars', json(CASE WHEN json_valid(c.vars) THEN c.vars END),"
	" 'offers', json((SELECT json_group_array(json_object("
	"  'agent', o.agent, 'start', o.start, 'end', o.end_time,"
	"  'result', o.result, 'ring_ms', o.ring_ms)) FROM"
	"  (SELECT * FROM call_offers WHERE call_id = c.id ORDER BY seq) o)),"
	" 'holds', json((SELECT json_group_array(json_object("
	"  'start', h.start, 'end', h.end_time, 'by', h.by_side,"
	"  'hold_ms', h.hold_ms)) FROM"
	"  (SELECT * FROM call_holds WHERE call_id = c.id ORDER BY seq) h)),"
	" 'dispositions', json((SELECT json_group_array(json_object("
	"  'agent', d.agent, 'code', d.code, 'notes', d.notes,"
	"  'time', d.time, 'script', json(d.script))) FROM"
	"  (SELECT * FROM dispositions"
	"  WHERE call_id = c.id ORDER BY time, rowid) d)),"
	" 'recordings', json((SELECT json_group_array(json_object("
	"  'id', r.id, 'agent', r.agent, 'queue', r.queue,"
	"  'start', r.start, 'duration_ms', r.duration_ms)) FROM"
	"  (SELECT * FROM recordings WHERE call_id = c.id ORDER BY id) r)))"
	" FROM calls c WHERE c.id = ?1";

static const char recording_sql[] =
	"SELECT json_object(" RECORDING_MEMBERS ", 'path', r.path)"
	" FROM recordings r WHERE r.id = ?1";

static const char agents_sql[] =
	"SELECT json_object('agents', json(coalesce((SELECT"
	" json_group_array(json_object('agent', agent, 'calls', n,"
	" 'talk_ms', t, 'aht_ms', a)) FROM (SELECT agent, count(*) AS n,"
	" coalesce(sum(talk_ms), 0) AS t,"
	" CAST(round(avg(talk_ms + coalesce(max(wrapup_end - end_time, 0),"
	" 0))) AS INTEGER) AS a"
	" FROM calls WHERE agent IS NOT NULL AND answer IS NOT NULL"
	" AND outcome IS NOT 'active' AND arrival >= ?1"
	" GROUP BY agent ORDER BY n DESC, agent ASC)), '[]')))";

static const char events_sql[] =
	"SELECT json_object('seq', seq, 'time', time, 'type', type,"
	" 'agent', agent, 'call', call_id, 'queue', queue, 'detail', detail),"
	" seq FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

/* Values bound in order to the ?s of a statement built piecewise. */
struct binds {
	unsigned n;
	struct {
		const char *text;     /* NULL: the integer */
		int64_t i;
	} v[BINDS_MAX];
};

static void bind_add_text(struct binds *b, const char *t)
{
	b->v[b->n].text = t;
	b->v[b->n].i = 0;
	++b->n;
}

static void bind_add_int(struct binds *b, int64_t i)
{
	b->v[b->n].text = NULL;
	b->v[b->n].i = i;
	++b->n;
}

/* A filter: the clause, and its value bound to its one ?. */
static void where_text(sqlite3_str *sql, struct binds *b, const char *cl,
		       const char *v)
{
	if (!v)
		return;
	sqlite3_str_appendall(sql, cl);
	bind_add_text(b, v);
}

static void where_int(sqlite3_str *sql, struct binds *b, const char *cl,
		      int64_t v)
{
	if (!v)
		return;
	sqlite3_str_appendall(sql, cl);
	bind_add_int(b, v);
}

static int stmt_prepare(struct store *st, sqlite3_str *sql,
			const struct binds *b, sqlite3_stmt **sp)
{
	sqlite3_stmt *s = NULL;
	char *text;
	int rc;

	rc = sqlite3_str_errcode(sql);
	text = sqlite3_str_finish(sql);
	if (rc == SQLITE_OK && !text)
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->rd.db, text, -1, &s, NULL);
	for (unsigned i = 0; i < b->n && rc == SQLITE_OK; i++)
		rc = b->v[i].text ? sqlite3_bind_text(s, (int)i + 1,
						      b->v[i].text, -1,
						      SQLITE_STATIC) :
			sqlite3_bind_int64(s, (int)i + 1, b->v[i].i);
	if (rc != SQLITE_OK) {
		store_log("%s: read: cannot prepare: %s", st->path,
			  sqlite3_errmsg(st->rd.db));
		sqlite3_finalize(s);
		s = NULL;
	}
	sqlite3_free(text);
	*sp = s;
	return rc == SQLITE_OK ? 0 : rc == SQLITE_NOMEM ? ENOMEM : EIO;
}

static int ans_finish(struct store_read *r, sqlite3_str *out)
{
	int rc = sqlite3_str_errcode(out);
	int len = sqlite3_str_length(out);
	char *json = sqlite3_str_finish(out);

	if (rc != SQLITE_OK || !json) {
		sqlite3_free(json);
		return rc == SQLITE_OK || rc == SQLITE_NOMEM ? ENOMEM : EIO;
	}
	r->json = json;
	r->len = (size_t)len;
	return 0;
}

/*
 * A page: column 0 of each row is one member (a JSON object), column 1
 * the row's paging key.  The statement asks for limit + 1 rows; the
 * extra one only says that more follow, and "next" is then the key of
 * the last row shown.  A page does not end inside a key: rows sharing the
 * last row's key are added (up to SAME_KEY_MAX), so "before next" skips
 * none.  paged false: no "next" member.
 */
static int page_run(struct store *st, struct store_read *r, sqlite3_stmt *s,
		    const char *name, unsigned limit, bool paged)
{
	sqlite3_str *out = sqlite3_str_new(NULL);
	bool more = false, last_null = true;
	int64_t last = 0;
	unsigned n = 0;
	int rc, err;

	sqlite3_str_appendf(out, "{\"%s\":[", name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *obj = (const char *)sqlite3_column_text(s, 0);
		int len = sqlite3_column_bytes(s, 0);

		/* past the limit, rows with the last row's key still come:
		 * the next page starts below that key and must not skip
		 * rows that share it (calls in the same millisecond) */
		if (n >= limit &&
		    (n >= limit + SAME_KEY_MAX || last_null ||
		     sqlite3_column_type(s, 1) == SQLITE_NULL ||
		     sqlite3_column_int64(s, 1) != last)) {
			more = true;
			break;
		}
		if (!obj) {
			rc = SQLITE_ERROR;
			break;
		}
		if (n++)
			sqlite3_str_appendchar(out, 1, ',');
		sqlite3_str_append(out, obj, len);
		last_null = sqlite3_column_type(s, 1) == SQLITE_NULL;
		last = sqlite3_column_int64(s, 1);
		if (sqlite3_str_length(out) > ANSWER_MAX) {
			store_log("%s: read: answer over %d bytes; ask for "
				  "fewer rows", st->path, ANSWER_MAX);
			rc = SQLITE_TOOBIG;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (rc != SQLITE_TOOBIG)
			store_log("%s: read %s: %s", st->path, name,
				  sqlite3_errmsg(st->rd.db));
		sqlite3_free(sqlite3_str_finish(out));
		return rc == SQLITE_NOMEM ? ENOMEM : EIO;
	}
	sqlite3_str_appendchar(out, 1, ']');
	if (paged) {
		if (more && !last_null)
			sqlite3_str_appendf(out, ",\"next\":%lld",
					    (long long)last);
		else
			sqlite3_str_appendall(out, ",\"next\":null");
	}
	sqlite3_str_appendchar(out, 1, '}');
	err = ans_finish(r, out);
	return err;
}

/* One row, one column: the whole answer; no row is ENOENT. */
static int one_run(struct store *st, struct store_read *r, sqlite3_stmt *s)
{
	const char *json;
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return ENOENT;
	if (rc != SQLITE_ROW) {
		store_log("%s: read: %s", st->path, sqlite3_errmsg(st->rd.db));
		return EIO;
	}
	json = (const char *)sqlite3_column_text(s, 0);
	if (!json)
		return EIO;
	r->len = (size_t)sqlite3_column_bytes(s, 0);
	r->json = sqlite3_malloc64(r->len + 1);
	if (!r->json)
		return ENOMEM;
	memcpy(r->json, json, r->len + 1);
	return 0;
}

static int calls_read(struct store *st, struct store_read *r)
{
	const struct store_call_query *q = &r->u.q;
	sqlite3_str *sql = sqlite3_str_new(NULL);
	sqlite3_stmt *s = NULL;
	struct binds b = {0};
	int err;

	sqlite3_str_appendall(sql, "SELECT json_object(" CALL_MEMBERS "),"
			      " c.arrival FROM calls c"
			      " WHERE c.outcome IS NOT 'active'");
	where_text(sql, &b, " AND c.agent = ?", q->agent);
	where_text(sql, &b, " AND c.queue = ?", q->queue);
	where_text(sql, &b, " AND c.caller = ?", q->caller);
	if (q->nphones) {
		sqlite3_str_appendall(sql, " AND c.caller IN (");
		for (unsigned i = 0; i < q->nphones; i++) {
			sqlite3_str_appendall(sql, i ? ", ?" : "?");
			bind_add_text(&b, q->phones[i]);
		}
		sqlite3_str_appendchar(sql, 1, ')');
	}
	where_text(sql, &b, " AND c.outcome = ?", q->outcome);
	where_int(sql, &b, " AND c.arrival >= ?", q->from);
	where_int(sql, &b, " AND c.arrival < ?", q->to);
	where_int(sql, &b, " AND c.arrival < ?", q->before);
	sqlite3_str_appendall(sql, " ORDER BY c.arrival DESC, c.id DESC"
			      " LIMIT ?");
	bind_add_int(&b, (int64_t)q->limit + 1 + SAME_KEY_MAX);
	err = stmt_prepare(st, sql, &b, &s);
	if (!err)
		err = page_run(st, r, s, "calls", q->limit, true);
	sqlite3_finalize(s);
	return err;
}

static int recordings_read(struct store *st, struct store_read *r)
{
	const struct store_call_query *q = &r->u.q;
	sqlite3_str *sql = sqlite3_str_new(NULL);
	sqlite3_stmt *s = NULL;
	struct binds b = {0};
	int err;

	sqlite3_str_appendall(sql, "SELECT json_object(" RECORDING_MEMBERS
			      "), r.start FROM recordings r WHERE 1");
	where_text(sql, &b, " AND r.agent = ?", q->agent);
	where_text(sql, &b, " AND r.queue = ?", q->queue);
	where_int(sql, &b, " AND r.start >= ?", q->from);
	where_int(sql, &b, " AND r.start < ?", q->to);
	where_int(sql, &b, " AND r.start < ?", q->before);
	sqlite3_str_appendall(sql, " ORDER BY r.start DESC, r.id DESC"
			      " LIMIT ?");
	bind_add_int(&b, (int64_t)q->limit + 1 + SAME_KEY_MAX);
	err = stmt_prepare(st, sql, &b, &s);
	if (!err)
		err = page_run(st, r, s, "recordings", q->limit, true);
	sqlite3_finalize(s);
	return err;
}

/* A fixed statement with at most two bound values. */
static int fixed_prepare(struct store *st, const char *text,
			 const struct binds *b, sqlite3_stmt **sp)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);

	sqlite3_str_appendall(sql, text);
	return stmt_prepare(st, sql, b, sp);
}

static int read_run(struct store *st, struct store_read *r)
{
	sqlite3_stmt *s = NULL;
	struct binds b = {0};
	int err;

	switch (r->type) {

	case STORE_READ_CALLS:
		return calls_read(st, r);
	case STORE_READ_RECORDINGS:
		return recordings_read(st, r);
	case STORE_READ_CALL:
		bind_add_text(&b, r->u.id);
		err = fixed_prepare(st, call_sql, &b, &s);
		if (!err)
			err = one_run(st, r, s);
		break;
	case STORE_READ_RECORDING:
		bind_add_int(&b, r->u.num);
		err = fixed_prepare(st, recording_sql, &b, &s);
		if (!err)
			err = one_run(st, r, s);
		break;
	case STORE_READ_AGENTS:
		bind_add_int(&b, r->u.num);
		err = fixed_prepare(st, agents_sql, &b, &s);
		if (!err)
			err = one_run(st, r, s);
		break;
	case STORE_READ_EVENTS:
		bind_add_int(&b, r->u.events.since);
		bind_add_int(&b, r->u.events.limit);
		err = fixed_prepare(st, events_sql, &b, &s);
		if (!err)
			err = page_run(st, r, s, "events", r->u.events.limit,
				       false);
		break;
	default:
		err = EINVAL;
		break;
	}
	sqlite3_finalize(s);
	return err;
}

/* Thread body: one read at a time until stopped. */
static void *reader_main(void *arg)
{
	struct store *st = arg;
	struct store_reader *rd = &st->rd;

	pthread_mutex_lock(&rd->mu);
	for (;;) {
		struct store_read *r;
		bool bell;
		int e;

		while (!rd->stop && (!rd->head || rd->paused))
			pthread_cond_wait(&rd->work, &rd->mu);
		if (rd->stop)
			break;          /* the rest get ECANCELED */
		r = rd->head;
		rd->head = r->next;
		if (!rd->head)
			rd->tail = NULL;
		--rd->n;
		rd->busy = true;
		pthread_mutex_unlock(&rd->mu);

		r->next = NULL;
		r->err = read_run(st, r);
		if (r->err) {
			sqlite3_free(r->json);
			r->json = NULL;
			r->len = 0;
		}

		pthread_mutex_lock(&rd->mu);
		rd->busy = false;
		bell = !rd->done;
		if (rd->done_tail)
			rd->done_tail->next = r;
		else
			rd->done = r;
		rd->done_tail = r;
		if (bell) {
			/* the pipe write does not wait on the loop */
			pthread_mutex_unlock(&rd->mu);
			e = mqueue_push(rd->mq, 0, NULL);
			pthread_mutex_lock(&rd->mu);
			if (e && !(rd->bell_failed++ & 0xff))
				store_log("%s: reader: cannot wake the loop"
					  " (error %d); answers wait for the "
					  "next one", st->path, e);
		}
		pthread_cond_broadcast(&rd->idle);
	}
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

/* Call each handler of a list and free it; the store may be gone. */
static void list_deliver(struct store_read *list, bool cancel)
{
	struct store_read *next;

	for (struct store_read *r = list; r; r = next) {
		store_read_h *h = r->h;
		void *arg = r->arg;
		int err = cancel ? ECANCELED : r->err;

		next = r->next;
		if (err)
			h(err, NULL, 0, arg);
		else
			h(0, r->json, r->len, arg);
		sqlite3_free(r->json);
		free(r);
	}
}

/* The doorbell rang, on the loop: deliver every finished answer. */
static void mq_handler(int id, void *data, void *arg)
{
	struct store *st = arg;
	struct store_read *list;

	(void)id;
	(void)data;
	pthread_mutex_lock(&st->rd.mu);
	list = st->rd.done;
	st->rd.done = st->rd.done_tail = NULL;
	pthread_mutex_unlock(&st->rd.mu);
	list_deliver(list, false);   /* st may be freed by a handler */
}

static int sync_init(struct store_reader *rd)
{
	int e;

	e = pthread_mutex_init(&rd->mu, NULL);
	if (e)
		return e;
	e = pthread_cond_init(&rd->work, NULL);
	if (e)
		goto mu;
	e = pthread_cond_init(&rd->idle, NULL);
	if (e)
		goto work;
	rd->sync_ok = true;
	return 0;
 work:
	pthread_cond_destroy(&rd->work);
 mu:
	pthread_mutex_destroy(&rd->mu);
	return e;
}

/**
 * Open the reader's connection (read-only, query_only), its mqueue on
 * the calling thread, and start its thread (which takes no signals).
 *
 * @return 0, EIO (err names the file), ENOMEM or a pthread error
 */
int store_reader_start(struct store *st, char *err, size_t errsz)
{
	struct store_reader *rd = &st->rd;
	sigset_t all, old;
	int e;

	rd->max = STORE_READS_MAX;
	e = sync_init(rd);
	if (e) {
		(void)re_snprintf(err, errsz, "%s: reader: %m", st->path, e);
		return e;
	}
	e = store_db_open(&rd->db, st->path, SQLITE_OPEN_READONLY, err,
			  errsz);
	if (e)
		return e;
	if (sqlite3_exec(rd->db, "PRAGMA query_only = ON", NULL, NULL,
			 NULL) != SQLITE_OK) {
		(void)re_snprintf(err, errsz, "%s: reader: %s", st->path,
				  sqlite3_errmsg(rd->db));
		return EIO;
	}
	e = mqueue_alloc(&rd->mq, mq_handler, st);
	if (e) {
		(void)re_snprintf(err, errsz, "%s: reader: cannot make its "
				  "queue: %m", st->path, e);
		return e;
	}
	sigfillset(&all);
	e = pthread_sigmask(SIG_BLOCK, &all, &old);
	if (!e) {
		e = pthread_create(&rd->thread, NULL, reader_main, st);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);  /* cannot
								  * fail */
	}
	if (e) {
		(void)re_snprintf(err, errsz, "%s: cannot start the reader "
				  "thread: %m", st->path, e);
		return e;
	}
	rd->started = true;
	return 0;
}

/**
 * Stop the reader (from the store's destructor, on the thread freeing
 * it): join the thread, then call every handler not yet called with
 * ECANCELED, the reads pending first, then the answered ones.  Safe on a
 * half-started reader.
 */
void store_reader_stop(struct store *st)
{
	struct store_reader *rd = &st->rd;
	struct store_read *pending, *done;

	if (!rd->sync_ok)
		return;
	if (rd->started) {
		pthread_mutex_lock(&rd->mu);
		rd->stop = true;
		pthread_cond_signal(&rd->work);
		pthread_mutex_unlock(&rd->mu);
		pthread_join(rd->thread, NULL);
		rd->started = false;
	}
	/* the thread is gone: no lock needed, none taken by handlers */
	pending = rd->head;
	done = rd->done;
	rd->head = rd->tail = rd->done = rd->done_tail = NULL;
	rd->n = 0;
	rd->mq = mem_deref(rd->mq);
	list_deliver(pending, true);
	list_deliver(done, true);
	if (rd->db && sqlite3_close(rd->db) != SQLITE_OK)
		store_log("%s: reader: close: %s", st->path,
			  sqlite3_errmsg(rd->db));
	rd->db = NULL;
	pthread_cond_destroy(&rd->idle);
	pthread_cond_destroy(&rd->work);
	pthread_mutex_destroy(&rd->mu);
	rd->sync_ok = false;
}

/* Queue r (taking it), or refuse: EBUSY when full. */
static int read_enqueue(struct store *st, struct store_read *r)
{
	struct store_reader *rd = &st->rd;

	pthread_mutex_lock(&rd->mu);
	if (rd->stop || rd->n >= rd->max) {
		pthread_mutex_unlock(&rd->mu);
		free(r);
		return EBUSY;
	}
	r->next = NULL;
	if (rd->tail)
		rd->tail->next = r;
	else
		rd->head = r;
	rd->tail = r;
	if (++rd->n == 1)
		pthread_cond_signal(&rd->work);
	pthread_mutex_unlock(&rd->mu);
	return 0;
}

static struct store_read *read_alloc(enum store_read_type type,
				     store_read_h *h, void *arg, size_t extra)
{
	struct store_read *r = malloc(sizeof(*r) + extra);

	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->h = h;
	r->arg = arg;
	return r;
}

/* Validate q and queue a copy of it (strings and phones inside). */
static int query_read(struct store *st, enum store_read_type type,
		      const struct store_call_query *q, store_read_h *h,
		      void *arg)
{
	struct store_call_query *d;
	struct store_read *r;
	const char **phones;
	unsigned nphones;
	size_t extra;
	char *p;

	if (!st || !q || !h || q->limit > STORE_READ_LIMIT_MAX)
		return EINVAL;
	nphones = type == STORE_READ_CALLS ? q->nphones : 0;
	if (nphones > STORE_PHONES_MAX || (nphones && !q->phones))
		return EINVAL;
	extra = nphones * sizeof(*phones) + store_str_size(q->agent) +
		store_str_size(q->queue);
	if (type == STORE_READ_CALLS)
		extra += store_str_size(q->caller) +
			store_str_size(q->outcome);
	for (unsigned i = 0; i < nphones; i++) {
		if (!q->phones[i])
			return EINVAL;
		extra += store_str_size(q->phones[i]);
	}
	r = read_alloc(type, h, arg, extra);
	if (!r)
		return ENOMEM;
	phones = (const char **)(void *)(r + 1);
	p = (char *)(phones + nphones);
	d = &r->u.q;
	d->agent = store_str_copy(&p, q->agent);
	d->queue = store_str_copy(&p, q->queue);
	if (type == STORE_READ_CALLS) {
		d->caller = store_str_copy(&p, q->caller);
		d->outcome = store_str_copy(&p, q->outcome);
	}
	for (unsigned i = 0; i < nphones; i++)
		phones[i] = store_str_copy(&p, q->phones[i]);
	d->phones = nphones ? phones : NULL;
	d->nphones = nphones;
	d->from = q->from;
	d->to = q->to;
	d->before = q->before;
	d->limit = q->limit ? q->limit : STORE_READ_LIMIT;
	return read_enqueue(st, r);
}

/**
 * Queue a page of call records (newest first) for the reader.
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_calls(struct store *st, const struct store_call_query *q,
		     store_read_h *h, void *arg)
{
	return query_read(st, STORE_READ_CALLS, q, h, arg);
}

/**
 * Queue a page of recordings (newest first) for the reader.
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_recordings(struct store *st,
			  const struct store_call_query *q, store_read_h *h,
			  void *arg)
{
	return query_read(st, STORE_READ_RECORDINGS, q, h, arg);
}

/**
 * Queue the read of one call with its offers, holds, dispositions and
 * recordings.
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_call(struct store *st, const char *id, store_read_h *h,
		    void *arg)
{
	struct store_read *r;
	char *p;

	if (!st || !id || !*id || !h)
		return EINVAL;
	r = read_alloc(STORE_READ_CALL, h, arg, store_str_size(id));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.id = store_str_copy(&p, id);
	return read_enqueue(st, r);
}

static int num_read(struct store *st, enum store_read_type type,
		    int64_t num, store_read_h *h, void *arg)
{
	struct store_read *r;

	if (!st || !h)
		return EINVAL;
	r = read_alloc(type, h, arg, 0);
	if (!r)
		return ENOMEM;
	r->u.num = num;
	return read_enqueue(st, r);
}

/**
 * Queue the read of one recording (with its file path).
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_recording(struct store *st, int64_t id, store_read_h *h,
			 void *arg)
{
	return num_read(st, STORE_READ_RECORDING, id, h, arg);
}

/**
 * Queue the per-agent figures of the calls that arrived since `from`.
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_agent_figures(struct store *st, int64_t from,
			     store_read_h *h, void *arg)
{
	return num_read(st, STORE_READ_AGENTS, from, h, arg);
}

/**
 * Queue the read of the events after `since`, oldest first.
 *
 * @return 0 (h will be called once), EINVAL, ENOMEM or EBUSY
 */
int store_read_events(struct store *st, uint64_t since, unsigned limit,
		      store_read_h *h, void *arg)
{
	struct store_read *r;

	if (!st || !h || !limit || limit > STORE_EVENTS_LIMIT_MAX ||
	    since > INT64_MAX)
		return EINVAL;
	r = read_alloc(STORE_READ_EVENTS, h, arg, 0);
	if (!r)
		return ENOMEM;
	r->u.events.since = (int64_t)since;
	r->u.events.limit = limit;
	return read_enqueue(st, r);
}

void store_set_reads_max(struct store *st, size_t max)
{
	pthread_mutex_lock(&st->rd.mu);
	st->rd.max = max ? max : STORE_READS_MAX;
	pthread_mutex_unlock(&st->rd.mu);
}

void store_set_reader_paused(struct store *st, bool paused)
{
	pthread_mutex_lock(&st->rd.mu);
	st->rd.paused = paused;
	pthread_cond_signal(&st->rd.work);
	pthread_mutex_unlock(&st->rd.mu);
}

void store_reader_wait(struct store *st)
{
	pthread_mutex_lock(&st->rd.mu);
	while (st->rd.head || st->rd.busy)
		pthread_cond_wait(&st->rd.idle, &st->rd.mu);
	pthread_mutex_unlock(&st->rd.mu);
}
