/* store/store.c  The store object: open, the record queue, flush, close.
 *
 * store_open opens the file (WAL, synchronous=FULL, foreign keys, a busy
 * timeout), migrates the schema (schema.c), marks calls a killed run
 * left 'active' as 'interrupted', prepares the writer's statements and
 * starts the writer thread (writer.c), then the reader (reader.c).
 *
 * Each store_<record> call validates its arguments, copies them into one
 * malloc'd block (struct store_rec, store_int.h) and appends it to the
 * FIFO under the mutex: O(size of the record) to copy, O(1) under the
 * lock, no I/O; the writer is signalled only when the queue was empty.
 * A full queue (st->max records waiting) drops the record: counted in
 * `dropped`, logged at the 1st, 2nd, 4th, 8th... drop, ENOBUFS returned.
 *
 * store_flush waits on `done` until the writer has finished every record
 * queued before the call (`handled`, which counts committed and failed
 * records, reaches the `queued` count read at entry).  Records commit in
 * queue order, so this is exact.
 *
 * The destructor stops the reader (reads not answered get ECANCELED,
 * reader.c), then the writer after it has written everything queued (a
 * flush), joins it, and closes SQLite, which checkpoints the WAL.
 */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store_int.h"

void store_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);  /* truncation is fine */
	va_end(ap);
	(void)fprintf(stderr, "store: %s\n", buf);   /* nowhere else to go */
}

int64_t store_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pragma(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/**
 * Open a connection with the settings every connection of the store
 * needs (synchronous=FULL and foreign_keys are per connection).
 *
 * @return 0 or EIO (err names the file and says what to check)
 */
int store_db_open(sqlite3 **dbp, const char *path, int flags, char *err,
		  size_t errsz)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		(void)re_snprintf(err, errsz, "%s: cannot open: %s; check "
				  "that its directory exists and is "
				  "writable", path, db ? sqlite3_errmsg(db) :
				  sqlite3_errstr(rc));
		goto fail;
	}
	(void)sqlite3_extended_result_codes(db, 1);  /* only SQLITE_OK */
	rc = sqlite3_busy_timeout(db, STORE_BUSY_MS);
	if (rc == SQLITE_OK)
		rc = pragma(db, "PRAGMA synchronous = FULL");
	if (rc == SQLITE_OK)
		rc = pragma(db, "PRAGMA foreign_keys = ON");
	/* each call record's savepoint journal stays in memory (small):
	 * on disk it costs a third of the writer's time */
	if (rc == SQLITE_OK)
		rc = pragma(db, "PRAGMA temp_store = MEMORY");
	if (rc != SQLITE_OK) {
		(void)re_snprintf(err, errsz, "%s: cannot set up the "
				  "connection: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	*dbp = db;
	return 0;
 fail:
	sqlite3_close(db);
	return EIO;
}

/* WAL: readers never block the writer, and a commit is one append to
 * the -wal file.  The mode is stored in the file. */
static int wal_enable(struct store *st, char *err, size_t errsz)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *mode;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		(void)re_snprintf(err, errsz, "%s: cannot switch to WAL mode:"
				  " %s; check that its directory is writable",
				  st->path, sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return EIO;
	}
	mode = sqlite3_column_text(s, 0);
	if (!mode || strcmp((const char *)mode, "wal")) {
		(void)re_snprintf(err, errsz, "%s: journal mode is %s, not "
				  "wal; the file system may not support WAL "
				  "(shared memory): use a local disk",
				  st->path, mode ? (const char *)mode : "?");
		sqlite3_finalize(s);
		return EIO;
	}
	sqlite3_finalize(s);
	return 0;
}

/* Calls with no record yet were live when the previous run died. */
static int interrupted_mark(struct store *st, char *err, size_t errsz)
{
	int rc, n;

	rc = pragma(st->db, "UPDATE calls SET outcome = 'interrupted' "
		    "WHERE outcome = 'active'");
	if (rc != SQLITE_OK) {
		(void)re_snprintf(err, errsz, "%s: cannot mark interrupted "
				  "calls: %s", st->path,
				  sqlite3_errmsg(st->db));
		return EIO;
	}
	n = sqlite3_changes(st->db);
	if (n)
		store_log("%s: %d calls were live when the previous run "
			  "stopped; marked 'interrupted'", st->path, n);
	return 0;
}

static int event_last_read(struct store *st, char *err, size_t errsz)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "SELECT max(seq) FROM events", -1,
				&s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		(void)re_snprintf(err, errsz, "%s: cannot read the last "
				  "event: %s", st->path,
				  sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return EIO;
	}
	st->event_last = (uint64_t)sqlite3_column_int64(s, 0);  /* >= 0 */
	sqlite3_finalize(s);
	return 0;
}

/* The writer takes no signals: the loop thread handles them. */
static int writer_start(struct store *st, char *err, size_t errsz)
{
	sigset_t all, old;
	int e;

	sigfillset(&all);
	e = pthread_sigmask(SIG_BLOCK, &all, &old);
	if (!e) {
		e = pthread_create(&st->thread, NULL, store_writer_main, st);
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);  /* cannot
								  * fail */
	}
	if (e) {
		(void)re_snprintf(err, errsz, "%s: cannot start the writer "
				  "thread: %m", st->path, e);
		return e;
	}
	st->started = true;
	return 0;
}

static void destructor(void *arg)
{
	struct store *st = arg;

	store_reader_stop(st);
	if (st->started) {
		pthread_mutex_lock(&st->mu);
		st->stop = true;
		pthread_cond_signal(&st->work);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->thread, NULL);
	}
	store_seed_close(st);
	store_writer_finalize(st);
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		store_log("%s: close: %s", st->path, sqlite3_errmsg(st->db));
	if (st->sync_ok) {
		pthread_cond_destroy(&st->done);
		pthread_cond_destroy(&st->work);
		pthread_mutex_destroy(&st->mu);
	}
	mem_deref(st->path);
}

static int sync_init(struct store *st)
{
	int e;

	e = pthread_mutex_init(&st->mu, NULL);
	if (e)
		return e;
	e = pthread_cond_init(&st->work, NULL);
	if (e)
		goto mu;
	e = pthread_cond_init(&st->done, NULL);
	if (e)
		goto work;
	st->sync_ok = true;
	return 0;
 work:
	pthread_cond_destroy(&st->work);
 mu:
	pthread_mutex_destroy(&st->mu);
	return e;
}

/**
 * Open (create if needed) the database at `path` and start its writer.
 *
 * @return 0, EINVAL, ENOMEM, EIO (err names the file and the cause),
 *         EPROTO (written by a newer build) or a pthread error
 */
int store_open(struct store **stp, const char *path, char *err,
	       size_t errsz)
{
	char dummy[1];
	struct store *st;
	int e;

	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	if (!stp || !path || !*path) {
		(void)re_snprintf(err, errsz, "store: no database path");
		return EINVAL;
	}
	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;
	st->max = STORE_QUEUE_MAX;
	e = str_dup(&st->path, path);
	if (!e)
		e = sync_init(st);
	if (e) {
		(void)re_snprintf(err, errsz, "%s: %m", path, e);
		goto out;
	}
	e = store_db_open(&st->db, path, SQLITE_OPEN_READWRITE |
			  SQLITE_OPEN_CREATE, err, errsz);
	if (!e)
		e = wal_enable(st, err, errsz);
	if (!e)
		e = store_schema_migrate(st->db, path, err, errsz);
	if (!e)
		e = interrupted_mark(st, err, errsz);
	if (!e)
		e = event_last_read(st, err, errsz);
	if (!e)
		e = store_writer_prepare(st, err, errsz);
	if (!e)
		e = writer_start(st, err, errsz);
	if (!e)
		e = store_reader_start(st, err, errsz);
 out:
	if (e)
		mem_deref(st);
	else
		*stp = st;
	return e;
}

/* Append to the FIFO, or drop if full.  Takes ownership of r. */
static int enqueue(struct store *st, struct store_rec *r)
{
	uint64_t dropped;
	size_t max;

	pthread_mutex_lock(&st->mu);
	if (st->n >= st->max) {
		dropped = ++st->stats.dropped;
		max = st->max;
		pthread_mutex_unlock(&st->mu);
		free(r);
		if (!(dropped & (dropped - 1)))    /* 1, 2, 4, 8... */
			store_log("%s: queue full (%zu records): %llu "
				  "records dropped so far; the disk is too "
				  "slow or the writer is stuck", st->path,
				  max, (unsigned long long)dropped);
		return ENOBUFS;
	}
	r->next = NULL;
	if (st->tail)
		st->tail->next = r;
	else
		st->head = r;
	st->tail = r;
	++st->stats.queued;
	if (++st->n == 1)
		pthread_cond_signal(&st->work);
	pthread_mutex_unlock(&st->mu);
	return 0;
}

/* A record block: the struct, then `extra` bytes (arrays, strings). */
static struct store_rec *rec_alloc(enum store_rec_type type, size_t extra)
{
	struct store_rec *r = malloc(sizeof(*r) + extra);

	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->type = type;
	return r;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy s to *p and advance; NULL stays NULL. */
static const char *scopy(char **p, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = memcpy(*p, s, n);
	*p += n;
	return d;
}

/* The helpers above, for the other files' records (customers.c). */
int store_rec_enqueue(struct store *st, struct store_rec *r)
{
	return enqueue(st, r);
}

struct store_rec *store_rec_alloc(enum store_rec_type type, size_t extra)
{
	return rec_alloc(type, extra);
}

size_t store_str_size(const char *s)
{
	return slen(s);
}

const char *store_str_copy(char **p, const char *s)
{
	return scopy(p, s);
}

/**
 * Record a call's arrival: a row with outcome 'active' until its record.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_call_begin(struct store *st, const char *id,
		     const char *sip_callid, const char *caller,
		     const char *dialled, int64_t arrival)
{
	struct store_rec *r;
	char *p;

	if (!st || !id || !*id)
		return EINVAL;
	r = rec_alloc(STORE_REC_CALL_BEGIN, slen(id) + slen(sip_callid) +
		      slen(caller) + slen(dialled));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.begin.id = scopy(&p, id);
	r->u.begin.sip_callid = scopy(&p, sip_callid);
	r->u.begin.caller = scopy(&p, caller);
	r->u.begin.dialled = scopy(&p, dialled);
	r->u.begin.arrival = arrival;
	return enqueue(st, r);
}

static size_t call_strlen(const struct store_call *c)
{
	return slen(c->id) + slen(c->sip_callid) + slen(c->caller) +
		slen(c->dialled) + slen(c->flow) + slen(c->outcome) +
		slen(c->queue) + slen(c->agent) + slen(c->ended_by) +
		slen(c->transfer_to) + slen(c->recording) + slen(c->vars);
}

static void call_strcopy(struct store_call *d, const struct store_call *c,
			 char **p)
{
	d->id = scopy(p, c->id);
	d->sip_callid = scopy(p, c->sip_callid);
	d->caller = scopy(p, c->caller);
	d->dialled = scopy(p, c->dialled);
	d->flow = scopy(p, c->flow);
	d->outcome = scopy(p, c->outcome);
	d->queue = scopy(p, c->queue);
	d->agent = scopy(p, c->agent);
	d->ended_by = scopy(p, c->ended_by);
	d->transfer_to = scopy(p, c->transfer_to);
	d->recording = scopy(p, c->recording);
	d->vars = scopy(p, c->vars);
}

/**
 * Record a call that ended: its row (created or completed), its offers
 * and its holds, replacing any written before; the first
 * STORE_OFFERS_MAX offers and STORE_HOLDS_MAX holds are kept.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_call_end(struct store *st, const struct store_call *rec)
{
	struct store_offer *offers;
	struct store_hold *holds;
	struct store_rec *r;
	unsigned no, nh;
	size_t extra;
	char *p;

	if (!st || !rec || !rec->id || !*rec->id ||
	    (rec->noffers && !rec->offers) || (rec->nholds && !rec->holds))
		return EINVAL;
	no = rec->noffers;
	nh = rec->nholds;
	if (no > STORE_OFFERS_MAX || nh > STORE_HOLDS_MAX) {
		store_log("call %s: %u offers and %u holds; keeping the first"
			  " %d and %d", rec->id, no, nh, STORE_OFFERS_MAX,
			  STORE_HOLDS_MAX);
		if (no > STORE_OFFERS_MAX)
			no = STORE_OFFERS_MAX;
		if (nh > STORE_HOLDS_MAX)
			nh = STORE_HOLDS_MAX;
	}
	/* the arrays follow the struct, both 8-byte aligned; strings last */
	extra = no * sizeof(*offers) + nh * sizeof(*holds) +
		call_strlen(rec);
	for (unsigned i = 0; i < no; i++)
		extra += slen(rec->offers[i].agent) +
			slen(rec->offers[i].result);
	for (unsigned i = 0; i < nh; i++)
		extra += slen(rec->holds[i].by);
	r = rec_alloc(STORE_REC_CALL_END, extra);
	if (!r)
		return ENOMEM;
	offers = (struct store_offer *)(void *)(r + 1);
	holds = (struct store_hold *)(void *)(offers + no);
	p = (char *)(holds + nh);
	r->u.end = *rec;
	call_strcopy(&r->u.end, rec, &p);
	for (unsigned i = 0; i < no; i++) {
		offers[i] = rec->offers[i];
		offers[i].agent = scopy(&p, rec->offers[i].agent);
		offers[i].result = scopy(&p, rec->offers[i].result);
	}
	for (unsigned i = 0; i < nh; i++) {
		holds[i] = rec->holds[i];
		holds[i].by = scopy(&p, rec->holds[i].by);
	}
	r->u.end.offers = no ? offers : NULL;
	r->u.end.noffers = no;
	r->u.end.holds = nh ? holds : NULL;
	r->u.end.nholds = nh;
	return enqueue(st, r);
}

/**
 * Record the end of the wrap-up after a call.  Sets calls.wrapup_end
 * unless the call names another agent (a transferee's wrap-up does not
 * replace the answering agent's).
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_wrapup_end(struct store *st, const char *call_id,
		     const char *agent, int64_t t)
{
	struct store_rec *r;
	char *p;

	if (!st || !call_id || !*call_id)
		return EINVAL;
	r = rec_alloc(STORE_REC_WRAPUP, slen(call_id) + slen(agent));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.wrapup.call_id = scopy(&p, call_id);
	r->u.wrapup.agent = scopy(&p, agent);
	r->u.wrapup.t = t;
	return enqueue(st, r);
}

/**
 * Record an agent's disposition of a call (its wrap-up code and notes);
 * a later one from the same agent for the same call replaces it.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_disposition(struct store *st, const char *call_id,
		      const char *agent, const char *code, const char *notes,
		      const char *script, int64_t t)
{
	struct store_rec *r;
	char *p;

	if (!st || !call_id || !*call_id || !agent || !code || !*code)
		return EINVAL;
	r = rec_alloc(STORE_REC_DISPOSITION, slen(call_id) + slen(agent) +
		      slen(code) + slen(notes) + slen(script));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.disposition.call_id = scopy(&p, call_id);
	r->u.disposition.agent = scopy(&p, agent);
	r->u.disposition.code = scopy(&p, code);
	r->u.disposition.notes = scopy(&p, notes);
	r->u.disposition.script = scopy(&p, script);
	r->u.disposition.t = t;
	return enqueue(st, r);
}

/**
 * Keep a document of the API (kind "script"...): body is its JSON text;
 * NULL deletes it.  Queued like every record.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_doc(struct store *st, const char *kind, const char *id,
	      const char *body, int64_t t)
{
	struct store_rec *r;
	char *p;

	if (!st || !kind || !*kind || !id || !*id)
		return EINVAL;
	r = rec_alloc(STORE_REC_DOC, slen(kind) + slen(id) + slen(body));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.doc.kind = scopy(&p, kind);
	r->u.doc.id = scopy(&p, id);
	r->u.doc.body = scopy(&p, body);
	r->u.doc.t = t;
	return enqueue(st, r);
}

/**
 * Read every document of a kind (synchronously, before the loop runs),
 * in id order.
 *
 * @return 0, EINVAL or EIO (logged)
 */
int store_docs_load(struct store *st, const char *kind, store_doc_h *h,
		    void *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	if (!st || !kind || !h)
		return EINVAL;
	rc = sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT id, body, updated FROM "
					"documents WHERE kind = ?1 ORDER BY "
					"id", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		h((const char *)sqlite3_column_text(s, 0),
		  (const char *)sqlite3_column_text(s, 1),
		  sqlite3_column_int64(s, 2), arg);
	}
	if (rc != SQLITE_DONE) {
		store_log("%s: cannot read the %s documents: %s", st->path,
			  kind, db ? sqlite3_errmsg(db) : "out of memory");
		err = EIO;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return err;
}

/**
 * Append an event to the event log.  seq is the server's monotonic
 * event id, unique (a duplicate fails when written: logged, counted).
 *
 * @return 0, EINVAL (no type, or seq above INT64_MAX), ENOMEM or ENOBUFS
 */
int store_event(struct store *st, uint64_t seq, int64_t t,
		const char *type, const char *agent, const char *call,
		const char *queue, const char *detail)
{
	struct store_rec *r;
	char *p;

	if (!st || !type || !*type || seq > INT64_MAX)
		return EINVAL;
	r = rec_alloc(STORE_REC_EVENT, slen(type) + slen(agent) + slen(call) +
		      slen(queue) + slen(detail));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.event.seq = seq;
	r->u.event.t = t;
	r->u.event.type = scopy(&p, type);
	r->u.event.agent = scopy(&p, agent);
	r->u.event.call = scopy(&p, call);
	r->u.event.queue = scopy(&p, queue);
	r->u.event.detail = scopy(&p, detail);
	return enqueue(st, r);
}

/**
 * Record a finished recording file.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_recording(struct store *st, const char *call_id,
		    const char *path, const char *agent, const char *queue,
		    int64_t start, uint64_t duration_ms)
{
	struct store_rec *r;
	char *p;

	if (!st || !call_id || !*call_id || !path || !*path ||
	    duration_ms > INT64_MAX)
		return EINVAL;
	r = rec_alloc(STORE_REC_RECORDING, slen(call_id) + slen(path) +
		      slen(agent) + slen(queue));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.recording.call_id = scopy(&p, call_id);
	r->u.recording.path = scopy(&p, path);
	r->u.recording.agent = scopy(&p, agent);
	r->u.recording.queue = scopy(&p, queue);
	r->u.recording.start = start;
	r->u.recording.duration_ms = duration_ms;
	return enqueue(st, r);
}

/**
 * The phone registrations of one user, as text the registrar reads back
 * (store_registrations_load); NULL body removes them.  Queued like every
 * record: the latest one written wins.
 *
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted)
 */
int store_registration(struct store *st, const char *user,
		       const char *body, int64_t t)
{
	struct store_rec *r;
	char *p;

	if (!st || !user || !*user)
		return EINVAL;
	r = rec_alloc(STORE_REC_REGISTRATION, slen(user) + slen(body));
	if (!r)
		return ENOMEM;
	p = (char *)(r + 1);
	r->u.registration.user = scopy(&p, user);
	r->u.registration.body = scopy(&p, body);
	r->u.registration.t = t;
	return enqueue(st, r);
}

/**
 * Read every stored registration (synchronously, before the loop runs),
 * calling h(user, body, arg) for each.
 *
 * @return 0, EINVAL or EIO (logged)
 */
int store_registrations_load(struct store *st, store_reg_h *h, void *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	if (!st || !h)
		return EINVAL;
	rc = sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT user, body FROM "
					"registrations", -1, &s, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		h((const char *)sqlite3_column_text(s, 0),
		  (const char *)sqlite3_column_text(s, 1), arg);
	}
	if (rc != SQLITE_DONE) {
		store_log("%s: cannot read registrations: %s", st->path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		err = EIO;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return err;
}

/**
 * Wait until every record queued before this call is written.  Blocks
 * for one or two commits (milliseconds); never call it on the loop's hot
 * path.
 *
 * @return 0, EINVAL, or EIO if a record failed (logged) since the last
 *         flush returned: a failure is reported once, whether the writer
 *         met it before or during this call
 */
int store_flush(struct store *st)
{
	uint64_t target;
	int err;

	if (!st)
		return EINVAL;
	pthread_mutex_lock(&st->mu);
	target = st->stats.queued;
	while (st->handled < target)
		pthread_cond_wait(&st->done, &st->mu);
	err = st->stats.failed != st->failed_told ? EIO : 0;
	st->failed_told = st->stats.failed;
	pthread_mutex_unlock(&st->mu);
	return err;
}

void store_stats(struct store *st, struct store_stats *stats)
{
	if (!stats)
		return;
	if (!st) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	pthread_mutex_lock(&st->mu);
	*stats = st->stats;
	pthread_mutex_unlock(&st->mu);
}

/* The highest seq in the file at open, raised as events commit. */
uint64_t store_event_last(struct store *st)
{
	uint64_t seq;

	if (!st)
		return 0;
	pthread_mutex_lock(&st->mu);
	seq = st->event_last;
	pthread_mutex_unlock(&st->mu);
	return seq;
}

void store_set_queue_max(struct store *st, size_t max)
{
	pthread_mutex_lock(&st->mu);
	st->max = max ? max : STORE_QUEUE_MAX;
	pthread_mutex_unlock(&st->mu);
}

void store_set_paused(struct store *st, bool paused)
{
	pthread_mutex_lock(&st->mu);
	st->paused = paused;
	pthread_cond_signal(&st->work);
	pthread_mutex_unlock(&st->mu);
}

/**
 * Read the ended calls that arrived at or after from, in brief, oldest
 * first (synchronously, before the loop runs).
 *
 * @return 0, EINVAL or EIO (logged)
 */
int store_calls_load(struct store *st, int64_t from, store_brief_h *h,
		     void *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc, err = 0;

	if (!st || !h)
		return EINVAL;
	rc = sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT queue, outcome, "
					"queue_entry, answer, wait_ms FROM "
					"calls WHERE arrival >= ?1 AND "
					"outcome IS NOT 'active' ORDER BY "
					"arrival", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, from);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		struct store_call_brief c;

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		c.queue = (const char *)sqlite3_column_text(s, 0);
		c.outcome = (const char *)sqlite3_column_text(s, 1);
		c.queue_entry = sqlite3_column_int64(s, 2);
		c.answer = sqlite3_column_int64(s, 3);
		c.wait_ms = sqlite3_column_int64(s, 4);
		h(&c, arg);
	}
	if (rc != SQLITE_DONE) {
		store_log("%s: cannot read today's calls: %s", st->path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		err = EIO;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return err;
}
